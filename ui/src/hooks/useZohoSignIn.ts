import { useCallback, useState } from "react";
import { signIn as signInTo } from "../ipc/api";
import type { AppError, DeviceCodePrompt, ProviderAccount } from "../ipc/types";

export interface ZohoSignInState {
  /** The code to show while Zoho waits for the operator's approval; null otherwise. */
  prompt: DeviceCodePrompt | null;
  busy: boolean;
  error: AppError | null;
  /** Resolves to who signed in, or null (the error is in `error`). */
  signIn: (account?: string) => Promise<ProviderAccount | null>;
}

/**
 * Zoho's device sign-in through the seam, used by the connection card and again by the
 * confirmation when Zoho wants a fresh sign-in: start (Rust opens Zoho's page, or approves it as
 * the sandbox demo account), show the code, then send it back and wait until Zoho says approved,
 * denied or expired.
 */
export function useZohoSignIn(connectionId: string): ZohoSignInState {
  const [prompt, setPrompt] = useState<DeviceCodePrompt | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const signIn = useCallback(
    async (account?: string) => {
      setBusy(true);
      setError(null);
      try {
        const started = await signInTo(connectionId, account);
        if (started.step === "done") return started.account;
        if (started.step !== "deviceCode") throw unexpectedStep(started.step);
        setPrompt(started.prompt);
        const finished = await signInTo(connectionId, account, undefined, undefined, started.prompt.userCode);
        if (finished.step !== "done") throw unexpectedStep(finished.step);
        return finished.account;
      } catch (e) {
        setError(e as AppError);
        return null;
      } finally {
        setPrompt(null);
        setBusy(false);
      }
    },
    [connectionId],
  );

  return { prompt, busy, error, signIn };
}

/** A sign-in answer a device sign-in never gives, said as an error rather than ignored. */
function unexpectedStep(step: string): AppError {
  return {
    kind: "Internal",
    message: `Zoho's sign-in answered an unexpected step (${step}). Try signing in again.`,
  };
}
