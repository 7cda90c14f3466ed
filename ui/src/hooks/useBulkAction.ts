import { useCallback, useRef, useState } from "react";
import { isJob, planBulkAction, runPlan, toAppError } from "../ipc/api";
import type { ApproverSignIn } from "../ipc/api";
import { approveWith } from "./approveWith";
import type { AppError, BulkJobView, TenantOffer } from "../ipc/types";
import type { BulkPlanStage } from "../components/tenants/BulkPlanDialog";

export type BulkActionFlow = { stage: "idle" } | BulkPlanStage | { stage: "job"; job: BulkJobView };

/**
 * An action on many users, as Rust offered it for the selected tenants (Lighthouse's "Reset all
 * multi-factor authentications"): Rust plans it for the selected users (the confirmation), then runs it
 * (the one run command, as any plan) as a background job whose progress the page reads.
 */
export function useBulkAction(connectionId: string) {
  const [flow, setFlow] = useState<BulkActionFlow>({ stage: "idle" });
  // A plan answered after Cancel must not reopen the dialog.
  const attempt = useRef(0);

  const start = useCallback(
    /** `userIds`: the ids Rust gave the users' rows; `offer`: the action Rust offered for them. */
    async (userIds: string[], offer: TenantOffer) => {
      const no = ++attempt.current;
      const label = offer.label;
      setFlow({ stage: "planning", label });
      try {
        const plan = await planBulkAction(connectionId, userIds, offer.action);
        if (no === attempt.current) setFlow({ stage: "confirm", plan, approval: null });
      } catch (e) {
        if (no === attempt.current) setFlow({ stage: "planFailed", label, error: e as AppError });
      }
    },
    [connectionId],
  );

  const confirm = useCallback(
    async (reason: string) => {
      if (flow.stage !== "confirm") return;
      const { plan, approval } = flow;
      const no = ++attempt.current;
      setFlow({ stage: "starting", plan, approval });
      try {
        // Run as any confirmed plan is: a bulk plan answers the job it started.
        const job = await runPlan(plan.id, reason);
        if (!isJob(job)) throw toAppError("This request ran as a single action, not as a job.");
        if (no === attempt.current) setFlow({ stage: "job", job });
      } catch (e) {
        if (no === attempt.current) setFlow({ stage: "confirm", plan, approval, error: e as AppError });
      }
    },
    [flow],
  );

  /** A second person signs in to approve the job (Rust checks who; a refusal is thrown to the caller). */
  const approve = useCallback(
    (form: ApproverSignIn) =>
      approveWith(flow.stage === "confirm" ? flow.plan.id : null, form, (planId, record) =>
        setFlow((current) =>
          current.stage === "confirm" && current.plan.id === planId ? { ...current, approval: record } : current,
        ),
      ),
    [flow],
  );

  const close = useCallback(() => {
    attempt.current++;
    setFlow({ stage: "idle" });
  }, []);

  return { flow, start, confirm, approve, close };
}
