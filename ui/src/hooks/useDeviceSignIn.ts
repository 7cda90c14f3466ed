import { useCallback, useState } from "react";
import { signIn as signInTo } from "../ipc/api";
import type { AppError, DeviceCodePrompt, ProviderAccount } from "../ipc/types";

export interface DeviceSignInState {
  /** The code to show while the provider waits for the operator's approval; null otherwise. */
  prompt: DeviceCodePrompt | null;
  busy: boolean;
  error: AppError | null;
  /** Resolves to who signed in, or null (the error is in `error`). */
  signIn: (account?: string) => Promise<ProviderAccount | null>;
}

/**
 * A device sign-in through the seam (Zoho's), used by the connection card and again by the
 * confirmation when a plan wants a fresh sign-in: start (Rust opens the provider's page, or
 * approves it as the sandbox demo account), show the code, then send it back and wait until the
 * provider says approved, denied or expired.
 */
export function useDeviceSignIn(connectionId: string): DeviceSignInState {
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
