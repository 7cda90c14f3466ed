// Display helpers shared by the screens: dates in the operator's locale, the actions Rust names
// and the labels of statuses. Pure functions, no React.
import type { ActionName, AuditOutcome, ConnectionView, StepStatus } from "./ipc/types";

/**
 * The actions of the providers of these connections, each once, as Rust names them (id and the
 * label their audit entries keep): the Activity screen's filter by action.
 */
export function actionsOf(connections: ConnectionView[]): ActionName[] {
  const byId = new Map<string, ActionName>();
  for (const action of connections.flatMap((c) => c.actions)) {
    if (!byId.has(action.id)) byId.set(action.id, action);
  }
  return [...byId.values()];
}

/** An entry's action as the screen shows it: its label, when the entry names it by id. */
export function actionLabel(action: string, actions: ActionName[]): string {
  return actions.find((a) => a.id === action)?.label ?? action;
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
