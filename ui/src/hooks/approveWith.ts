import { approvePlan } from "../ipc/api";
import type { ApproverSignIn } from "../ipc/api";
import type { AppError, ApprovalRecord, ApprovalStep } from "../ipc/types";

/**
 * A second person's sign-in to approve `planId`, for every flow that confirms a plan: Rust checks
 * who signed in and answers the approval (handed to `onApproved`, for the flow to record on that
 * plan) or the device code to show first; a refusal rejects with Rust's error.
 */
export async function approveWith(
  planId: string | null,
  form: ApproverSignIn,
  onApproved: (planId: string, record: ApprovalRecord) => void,
): Promise<ApprovalStep> {
  if (!planId) throw notConfirming();
  const step = await approvePlan(planId, form);
  if (step.step === "approved") onApproved(planId, step.record);
  return step;
}

function notConfirming(): AppError {
  return { kind: "InvalidInput", message: "This request is no longer waiting for approval.", detail: null };
}
