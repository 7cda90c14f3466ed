import { useCallback, useRef, useState } from "react";
import { isJob, planAction, runPlan, settleByHandStep, toAppError } from "../ipc/api";
import type { ApproverSignIn } from "../ipc/api";
import type {
  ActionOptions,
  AppError,
  ApprovalRecord,
  PasswordInput,
  ProviderPlan,
  RunResult,
  VerificationRecord,
  ZohoResetPasswordOptions,
} from "../ipc/types";
import { initialChoices, opensOptionsFirst } from "../components/providers/optionForms";
import { approveWith } from "./approveWith";
import { useCallerVerification } from "./useCallerVerification";

/**
 * One action on one user, whatever the provider, from click to result: (option form →) plan
 * (Rust builds it and may refuse) → confirm with a reason → run → result, with by-hand steps
 * marked done afterwards.
 *
 * Choices the summary offers (Entra's "also revoke sessions", a pass's lifetime) plan again in
 * Rust: while that runs, or when Rust refused the new choices, the plan is `stale` and cannot be
 * confirmed — the operator confirms only what Rust planned for the choices on screen.
 *
 * Before a reset, the confirmation also records how the caller was verified and, when Rust says
 * so, a second person's approval. Both are decided and kept in Rust on the plan; the flow keeps
 * Rust's answers only to show them (a re-plan carries them over in Rust too).
 *
 * The password the operator chose in an option form (Zoho's Reset password) is kept in a ref
 * (never rendered, never in React state) from Review until the run answers or the flow is
 * closed, so a retry after "sign in again" can send it once more. A generated secret lives only
 * in the `done` state and goes when the result is closed.
 */
export type ActionFlow =
  | { stage: "idle" }
  /** An option form that comes before anything is planned (Zoho's Reset password dialog). */
  | { stage: "options"; action: string; planning: boolean; error: AppError | null }
  | { stage: "planning"; action: string }
  | { stage: "planFailed"; action: string; error: AppError }
  | {
      stage: "confirm";
      plan: ProviderPlan;
      /** The choices the plan was asked with (the summary's option form shows them). */
      choices: ActionOptions;
      /** A re-plan for new choices is under way or was refused: this plan may not be confirmed. */
      stale: boolean;
      running: boolean;
      error: AppError | null;
      needsFreshSignIn: boolean;
      /** How the caller was verified, as Rust recorded it (a reset may not run without it). */
      verification: VerificationRecord | null;
      /** A second person's approval, as Rust recorded it (a reset that needs one waits for it). */
      approval: ApprovalRecord | null;
    }
  | { stage: "done"; plan: ProviderPlan; result: RunResult };

export function useActionFlow(connectionId: string, userId: string) {
  const [flow, setFlow] = useState<ActionFlow>({ stage: "idle" });
  const password = useRef<PasswordInput | undefined>(undefined);
  // Only the newest re-plan may land: answers to older choices are dropped.
  const replanSeq = useRef(0);

  /** Plans `action` with what its form chose (`options`); `choices` are those the summary shows. */
  const plan = useCallback(
    async (action: string, options?: ActionOptions | ZohoResetPasswordOptions, choices: ActionOptions = {}) => {
      try {
        const planned = await planAction(connectionId, userId, action, options);
        setFlow((current) =>
          (current.stage === "planning" || current.stage === "options") && current.action === action
            ? {
                stage: "confirm",
                plan: planned,
                choices,
                stale: false,
                running: false,
                error: null,
                needsFreshSignIn: planned.freshSignIn?.fresh === false,
                // Rust reuses a verification this operator recorded for the same user in this call.
                verification: planned.safety.verification.recorded ?? null,
                approval: null,
              }
            : current,
        );
      } catch (e) {
        password.current = undefined;
        setFlow((current) => {
          if (current.stage === "options" && current.action === action) return { ...current, planning: false, error: e as AppError };
          if (current.stage === "planning" && current.action === action) return { stage: "planFailed", action, error: e as AppError };
          return current;
        });
      }
    },
    [connectionId, userId],
  );

  /** An action with an option form first opens it; every other action is planned at once. */
  const start = useCallback(
    (action: string) => {
      password.current = undefined;
      replanSeq.current++;
      if (opensOptionsFirst(action)) {
        setFlow({ stage: "options", action, planning: false, error: null });
        return;
      }
      setFlow({ stage: "planning", action });
      const choices = initialChoices(action);
      void plan(action, choices, choices);
    },
    [plan],
  );

  /** The option form's Review: plan with its options; keep the password for the run. */
  const review = useCallback(
    (options: ZohoResetPasswordOptions, chosen: PasswordInput) => {
      if (flow.stage !== "options") return;
      password.current = chosen;
      setFlow({ ...flow, planning: true, error: null });
      void plan(flow.action, options);
    },
    [plan, flow],
  );

  /** Plans the same action again with the summary's new choices. */
  const replan = useCallback(
    async (choices: ActionOptions) => {
      if (flow.stage !== "confirm" || flow.running) return;
      const { action, id: replaced } = flow.plan;
      const seq = ++replanSeq.current;
      setFlow({ ...flow, choices, error: null, stale: true });
      try {
        const planned = await planAction(connectionId, userId, action, choices, replaced);
        if (seq !== replanSeq.current) return;
        setFlow((current) =>
          current.stage === "confirm" ? { ...current, plan: planned, choices, error: null, stale: false } : current,
        );
      } catch (e) {
        if (seq !== replanSeq.current) return;
        setFlow((current) => (current.stage === "confirm" ? { ...current, choices, error: e as AppError, stale: true } : current));
      }
    },
    [connectionId, userId, flow],
  );

  const run = useCallback(
    async (reason: string) => {
      if (flow.stage !== "confirm" || flow.stale || flow.running) return;
      const trimmed = reason.trim();
      if (!trimmed) return;
      const planned = flow.plan;
      // A plan that asks for a recent sign-in answers NotSignedIn when it is too old: that is
      // "sign in again" here, not a lost session for the whole app to announce.
      const asksFreshSignIn = planned.freshSignIn !== null;
      setFlow({ ...flow, running: true, error: null, needsFreshSignIn: false });
      try {
        const result = await runPlan(planned.id, trimmed, planned.needsPassword ? password.current : undefined, !asksFreshSignIn);
        password.current = undefined;
        // A plan on one user answers its steps; a job would mean a bulk plan reached this dialog.
        if (isJob(result)) throw toAppError("This request started a bulk job; follow it in the job panel.");
        setFlow({ stage: "done", plan: planned, result });
      } catch (e) {
        const error = e as AppError;
        const fresh = asksFreshSignIn && error.kind === "NotSignedIn";
        setFlow((current) =>
          current.stage === "confirm" && current.plan.id === planned.id
            ? { ...current, running: false, error: fresh ? null : error, needsFreshSignIn: fresh }
            : current,
        );
      }
    },
    [flow],
  );

  const confirmingId = flow.stage === "confirm" ? flow.plan.id : null;

  const { sendCode, verify } = useCallerVerification(
    confirmingId,
    useCallback((planId: string, record: VerificationRecord) => {
      setFlow((current) =>
        current.stage === "confirm" && current.plan.id === planId ? { ...current, verification: record } : current,
      );
    }, []),
  );

  /** A second person signs in to approve (Rust checks who; a refusal rejects with Rust's error). */
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

  /** Closes the option form, the summary or the result; a running plan's summary stays (its result must be seen). */
  const close = useCallback(() => {
    replanSeq.current++;
    setFlow((current) => {
      if (current.stage === "confirm" && current.running) return current;
      password.current = undefined;
      return { stage: "idle" };
    });
  }, []);

  return { flow, start, review, replan, run, signedInAgain, markDone, close, sendCode, verify, approve };
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
