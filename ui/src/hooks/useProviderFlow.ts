import { useCallback, useRef, useState } from "react";
import { planProviderAction, runPlan, settleByHandStep } from "../ipc/api";
import type { ApproverSignIn } from "../ipc/api";
import type {
  AppError,
  ApprovalRecord,
  PasswordInput,
  ProviderAction,
  ProviderPlan,
  RunResult,
  VerificationRecord,
  ZohoResetPasswordOptions,
} from "../ipc/types";
import { approveWith } from "./approveWith";
import { useCallerVerification } from "./useCallerVerification";

export type ProviderFlow =
  | { stage: "idle" }
  /** Zoho Reset password: the options dialog, before anything is planned. */
  | { stage: "options"; action: ProviderAction; planning: boolean; error: AppError | null }
  | { stage: "planning"; action: ProviderAction }
  | { stage: "planFailed"; action: ProviderAction; error: AppError }
  | {
      stage: "confirm";
      plan: ProviderPlan;
      running: boolean;
      error: AppError | null;
      needsFreshSignIn: boolean;
      /** How the caller was verified, as Rust recorded it (a reset may not run without it). */
      verification: VerificationRecord | null;
      /** A second person's approval, as Rust recorded it (a reset that needs one waits for it). */
      approval: ApprovalRecord | null;
    }
  | { stage: "done"; plan: ProviderPlan; result: RunResult };

/** Zoho plans ask for a fresh sign-in; Privilege Secure's NotSignedIn is a real lost session. */
export function isZohoAction(action: string): boolean {
  return action === "zohoResetPassword" || action === "zohoResetMfa";
}

/**
 * One Zoho or Privilege Secure action on one user: (options →) plan → confirm → run → result,
 * with by-hand steps marked done afterwards. The password the operator chose is kept in a ref
 * (never rendered, never in React state) from Review until the run answers or the flow is
 * closed, so a retry after "sign in again" can send it once more.
 */
export function useProviderFlow(connectionId: string, userId: string) {
  const [flow, setFlow] = useState<ProviderFlow>({ stage: "idle" });
  const password = useRef<PasswordInput | undefined>(undefined);

  const plan = useCallback(
    async (action: ProviderAction, options?: ZohoResetPasswordOptions) => {
      try {
        const planned = await planProviderAction(connectionId, userId, action, options);
        setFlow({
          stage: "confirm",
          plan: planned,
          running: false,
          error: null,
          needsFreshSignIn: isZohoAction(action) && planned.freshSignIn?.fresh === false,
          // Rust reuses a verification this operator recorded for the same user in this call.
          verification: planned.safety.verification.recorded ?? null,
          approval: null,
        });
      } catch (e) {
        password.current = undefined;
        setFlow((current) =>
          current.stage === "options"
            ? { ...current, planning: false, error: e as AppError }
            : { stage: "planFailed", action, error: e as AppError },
        );
      }
    },
    [connectionId, userId],
  );

  /** Zoho Reset password opens its options first; every other action is planned at once. */
  const start = useCallback(
    (action: ProviderAction) => {
      password.current = undefined;
      if (action === "zohoResetPassword") {
        setFlow({ stage: "options", action, planning: false, error: null });
        return;
      }
      setFlow({ stage: "planning", action });
      void plan(action);
    },
    [plan],
  );

  /** The options dialog's Review: plan with the options; keep the password for the run. */
  const review = useCallback(
    (options: ZohoResetPasswordOptions, chosen: PasswordInput) => {
      password.current = chosen;
      setFlow((current) => (current.stage === "options" ? { ...current, planning: true, error: null } : current));
      void plan("zohoResetPassword", options);
    },
    [plan],
  );

  const run = useCallback(async (planned: ProviderPlan, reason: string) => {
    setFlow((current) => ({
      stage: "confirm",
      plan: planned,
      running: true,
      error: null,
      needsFreshSignIn: false,
      verification: current.stage === "confirm" ? current.verification : null,
      approval: current.stage === "confirm" ? current.approval : null,
    }));
    try {
      const result = await runPlan(planned.id, reason, planned.needsPassword ? password.current : undefined, false);
      password.current = undefined;
      setFlow({ stage: "done", plan: planned, result });
    } catch (e) {
      const error = e as AppError;
      // For Zoho, NotSignedIn at this point means "too long since you signed in": sign in again and retry.
      const fresh = isZohoAction(planned.action) && error.kind === "NotSignedIn";
      setFlow((current) => ({
        stage: "confirm",
        plan: planned,
        running: false,
        error: fresh ? null : error,
        needsFreshSignIn: fresh,
        verification: current.stage === "confirm" ? current.verification : null,
        approval: current.stage === "confirm" ? current.approval : null,
      }));
    }
  }, []);

  const { sendCode, verify } = useCallerVerification(
    flow.stage === "confirm" ? flow.plan.id : null,
    useCallback((planId: string, record: VerificationRecord) => {
      setFlow((current) =>
        current.stage === "confirm" && current.plan.id === planId ? { ...current, verification: record } : current,
      );
    }, []),
  );

  /** A second person signs in to approve (Rust checks who; a refusal rejects with Rust's error). */
  const confirmingId = flow.stage === "confirm" ? flow.plan.id : null;
  const approve = useCallback(
    (form: ApproverSignIn) =>
      approveWith(confirmingId, form, (planId, record) =>
        setFlow((current) =>
          current.stage === "confirm" && current.plan.id === planId ? { ...current, approval: record } : current,
        ),
      ),
    [confirmingId],
  );

  /** After the fresh sign-in: the plan may run now. */
  const signedInAgain = useCallback(() => {
    setFlow((current) => (current.stage === "confirm" ? { ...current, needsFreshSignIn: false } : current));
  }, []);

  const markDone = useCallback(async (stepIndex: number) => {
    const current = flow;
    if (current.stage !== "done") return;
    // The settlement Activity makes too; it answers the plan's result while Rust keeps it.
    const { result } = await settleByHandStep(current.plan.id, stepIndex, { settlement: "done" });
    if (!result) return;
    // Marks sent one after the other can be answered out of order: an older answer must not
    // turn a step already marked done back into "to do". Keep whichever is newer.
    setFlow((now) =>
      now.stage === "done" && now.plan.id === current.plan.id ? { ...now, result: newerResult(now.result, result) } : now,
    );
  }, [flow]);

  const close = useCallback(() => {
    password.current = undefined;
    setFlow({ stage: "idle" });
  }, []);

  return { flow, start, review, run, signedInAgain, markDone, close, sendCode, verify, approve };
}

/**
 * The later of two answers about the same run. Each mark writes an audit entry, so the answer
 * with the higher audit sequence number is the newer one; its steps are kept, except that a
 * step marked done in either stays done (a mark is never undone). Rust returns a generated
 * password only once: it stays on screen while the result is open, under its own name and
 * with its Copy.
 */
export function newerResult(shown: RunResult, answer: RunResult): RunResult {
  const newer = (answer.auditSeq ?? -1) >= (shown.auditSeq ?? -1) ? answer : shown;
  const other = newer === answer ? shown : answer;
  const steps = newer.steps.map((step) => {
    const elsewhere = other.steps.find((s) => s.index === step.index);
    return elsewhere?.state === "doneByHand" && step.state === "toDoByHand" ? elsewhere : step;
  });
  // The secret, what it is and its Copy handle travel together, from the answer that has them.
  const withSecret = answer.generatedPassword ? answer : shown;
  return {
    ...newer,
    steps,
    generatedPassword: withSecret.generatedPassword,
    secretKind: withSecret.secretKind,
    copyHandle: withSecret.copyHandle,
  };
}
