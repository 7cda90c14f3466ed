// Display helpers shared by the screens: dates in the operator's locale, the admin centre's
// labels for actions and statuses. Pure functions, no React.
import type { ActionKind, AuditOutcome, LighthouseAction, ProviderAction, StepStatus } from "./ipc/types";

export const ACTION_LABELS: Record<ActionKind, string> = {
  resetPassword: "Reset password",
  requireReregisterMfa: "Require re-register MFA",
  revokeSessions: "Revoke sessions",
  issueTemporaryAccessPass: "Issue Temporary Access Pass",
};

/**
 * Zoho Directory and Privilege Secure actions, for Activity's filter and rows: the words Rust
 * writes in the audit log (`ProviderAction::label`), so one action reads the same everywhere.
 */
export const PROVIDER_ACTION_LABELS: Record<ProviderAction, string> = {
  zohoResetPassword: "Reset password (Zoho)",
  zohoResetMfa: "Reset MFA (Zoho)",
  psResetToken: "Reset 2-Factor Token (Privilege Secure)",
  psResetGroupToken: "Reset 2-Factor Token of the whole group (Privilege Secure)",
};

/** Lighthouse (partner) actions; Rust labels their audit entries the same way. */
export const LIGHTHOUSE_ACTION_LABELS: Record<LighthouseAction, string> = {
  resetAllMfa: "Reset all multi-factor authentications",
};

/** The audit log stores the action as text; show the button's words when it is a known kind. */
export function actionLabel(action: string): string {
  const labels: Record<string, string> = { ...ACTION_LABELS, ...PROVIDER_ACTION_LABELS, ...LIGHTHOUSE_ACTION_LABELS };
  return labels[action] ?? action;
}

/** An ISO-8601 timestamp in the operator's locale; missing or unparsable values stay readable. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString();
}

export function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === "" ? "—" : value;
}

export function yesNo(value: boolean | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value ? "Yes" : "No";
}

export const STEP_STATUS_LABELS: Record<StepStatus, string> = {
  succeeded: "Succeeded",
  failed: "Failed",
  skipped: "Skipped",
  refused: "Refused",
  waitingForOperator: "Waiting for the operator",
  completedByHand: "Completed by hand",
};

export const AUDIT_OUTCOME_LABELS: Record<AuditOutcome, string> = {
  succeeded: "Succeeded",
  partial: "Partially succeeded",
  failed: "Failed",
  refused: "Refused",
  pending: "Pending (steps to finish by hand)",
};
