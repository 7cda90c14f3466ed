import { useCallback } from "react";
import { recordVerification, sendVerificationCode } from "../ipc/api";
import type { AppError, CodeToSend, VerificationEvidence, VerificationRecord } from "../ipc/types";

/**
 * The caller's verification of one plan, whichever provider's: Rust makes the one-time code and
 * checks the evidence, and keeps what it recorded on the plan; `onRecorded` shows it in the flow
 * (a stable callback, e.g. one that sets the flow's state).
 */
export function useCallerVerification(
  planId: string | null,
  onRecorded: (planId: string, record: VerificationRecord) => void,
) {
  const sendCode = useCallback(
    async (destinationId: string): Promise<CodeToSend> => {
      if (!planId) throw { kind: "InvalidInput", message: "There is no request to verify.", detail: null } as AppError;
      return sendVerificationCode(planId, destinationId);
    },
    [planId],
  );

  /** Records how the caller was verified; rejects with Rust's error (input to correct). */
  const verify = useCallback(
    async (evidence: VerificationEvidence) => {
      if (!planId) return;
      onRecorded(planId, await recordVerification(planId, evidence));
    },
    [planId, onRecorded],
  );

  return { sendCode, verify };
}
