import { useCallback, useRef, useState } from "react";
import { planAction, runPlan } from "../ipc/api";
import type { ApproverSignIn } from "../ipc/api";
import type {
  ActionKind,
  ActionOptions,
  AppError,
  ApprovalRecord,
  ApprovalStep,
  CodeToSend,
  RunResult,
  Plan,
  VerificationEvidence,
  VerificationRecord,
} from "../ipc/types";
import { approveWith } from "./approveWith";
import { useCallerVerification } from "./useCallerVerification";

/**
 * One action from click to result: plan (Rust builds it and may refuse), confirm with a reason,
 * execute, show the result. The temporary password lives only in the `done` state and is dropped
 * when the result is closed.
 *
 * Options chosen in the confirmation (also revoke sessions, a pass's lifetime) re-plan in Rust:
 * while that runs, or when Rust refused the new options, the shown plan is `stale` and cannot be
 * confirmed — the operator confirms only what Rust planned for the options on screen.
 *
 * Before a reset, the confirmation also records how the caller was verified and, when Rust says
 * so, a second person's approval. Both are decided and kept in Rust on the plan; the flow keeps
 * Rust's answers only to show them (a re-plan carries them over in Rust too).
 */
export type ActionFlow =
  | { stage: "idle" }
  | { stage: "planning"; action: ActionKind; options: ActionOptions }
  | { stage: "planFailed"; action: ActionKind; error: AppError }
  | {
      stage: "confirming";
      plan: Plan;
      options: ActionOptions;
      error: AppError | null;
      stale: boolean;
      verification: VerificationRecord | null;
      approval: ApprovalRecord | null;
    }
  | { stage: "executing"; plan: Plan }
  | { stage: "done"; plan: Plan; result: RunResult };

export interface ActionFlowControls {
  flow: ActionFlow;
  start: (action: ActionKind) => Promise<void>;
  /** Plans the same action again with new options (from the confirmation's options form). */
  replan: (options: ActionOptions) => Promise<void>;
  confirm: (reason: string) => Promise<void>;
  /** A one-time code to send; rejects with Rust's error. */
  sendCode: (destinationId: string) => Promise<CodeToSend>;
  /** Records the caller's verification; rejects with Rust's error (input to correct). */
  verify: (evidence: VerificationEvidence) => Promise<void>;
  /** A second operator signs in and Rust checks them; rejects with Rust's refusal. */
  approve: (form: ApproverSignIn) => Promise<ApprovalStep>;
  /** Close the confirmation (before execution) or the result; both return to idle. */
  close: () => void;
}

/** What the confirmation starts with: revoking sessions is on by default where it is offered. */
export function initialOptions(action: ActionKind): ActionOptions | undefined {
  if (action === "resetPassword" || action === "requireReregisterMfa") return { alsoRevokeSessions: true };
  return undefined;
}

export function useActionFlow(connectionId: string, userId: string): ActionFlowControls {
  const [flow, setFlow] = useState<ActionFlow>({ stage: "idle" });
  // Only the newest re-plan may land: answers to older option choices are dropped.
  const replanSeq = useRef(0);

  const start = useCallback(
    async (action: ActionKind) => {
      const options = initialOptions(action);
      setFlow({ stage: "planning", action, options: options ?? {} });
      try {
        const plan = await planAction(connectionId, userId, action, options);
        setFlow((current) =>
          current.stage === "planning" && current.action === action
            ? {
                stage: "confirming",
                plan,
                options: options ?? {},
                error: null,
                stale: false,
                // Rust reuses a verification this operator recorded for the same user in this call.
                verification: plan.safety.verification.recorded ?? null,
                approval: null,
              }
            : current,
        );
      } catch (e) {
        setFlow((current) =>
          current.stage === "planning" && current.action === action
            ? { stage: "planFailed", action, error: e as AppError }
            : current,
        );
      }
    },
    [connectionId, userId],
  );

  const replan = useCallback(
    async (options: ActionOptions) => {
      if (flow.stage !== "confirming") return;
      const action = flow.plan.action;
      const replaced = flow.plan.id;
      const seq = ++replanSeq.current;
      setFlow({ ...flow, options, error: null, stale: true });
      try {
        const plan = await planAction(connectionId, userId, action, options, replaced);
        if (seq !== replanSeq.current) return;
        setFlow((current) =>
          current.stage === "confirming" ? { ...current, plan, options, error: null, stale: false } : current,
        );
      } catch (e) {
        if (seq !== replanSeq.current) return;
        setFlow((current) =>
          current.stage === "confirming" ? { ...current, options, error: e as AppError, stale: true } : current,
        );
      }
    },
    [connectionId, userId, flow],
  );

  const confirm = useCallback(
    async (reason: string) => {
      if (flow.stage !== "confirming" || flow.stale) return;
      const trimmed = reason.trim();
      if (!trimmed) return;
      const plan = flow.plan;
      setFlow({ stage: "executing", plan });
      try {
        const result = await runPlan(plan.id, trimmed);
        setFlow({ stage: "done", plan, result });
      } catch (e) {
        setFlow({ ...flow, error: e as AppError, stale: false });
      }
    },
    [flow],
  );

  const planId = flow.stage === "confirming" ? flow.plan.id : null;

  const { sendCode, verify } = useCallerVerification(
    planId,
    useCallback((recordedFor: string, record: VerificationRecord) => {
      setFlow((current) =>
        current.stage === "confirming" && current.plan.id === recordedFor ? { ...current, verification: record } : current,
      );
    }, []),
  );

  const approve = useCallback(
    (form: ApproverSignIn) =>
      approveWith(planId, form, (approved, record) =>
        setFlow((current) =>
          current.stage === "confirming" && current.plan.id === approved ? { ...current, approval: record } : current,
        ),
      ),
    [planId],
  );

  // While executing, the dialog cannot be dismissed: the result must be seen.
  const close = useCallback(() => {
    replanSeq.current++;
    setFlow((current) => (current.stage === "executing" ? current : { stage: "idle" }));
  }, []);

  return { flow, start, replan, confirm, close, sendCode, verify, approve };
}
