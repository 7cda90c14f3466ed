import { makeStyles, tokens } from "@fluentui/react-components";
import type { AuditEntry, VerificationMethod } from "../ipc/types";
import { formatDateTime } from "../format";
import { StepStatusBadge } from "./StatusBadges";

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, padding: tokens.spacingVerticalS },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: "break-all" },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXXL },
});

const VERIFICATION_LABELS: Record<VerificationMethod, string> = {
  callBack: "call back on a directory number",
  managerConfirmation: "the manager confirmed",
  oneTimeCode: "one-time code",
  ticket: "ticket",
  knowledgeQuestions: "knowledge questions",
};

/** The expanded part of an audit row: the plan as confirmed, each step's outcome, and the chain. */
export function AuditEntryDetails({ entry }: { entry: AuditEntry }) {
  const styles = useStyles();
  return (
    <div className={styles.box} data-testid="audit-details">
      {entry.message ? <div>{entry.message}</div> : null}
      {entry.verification ? (
        <div data-testid="audit-verification">
          <strong>Caller verification</strong> ({VERIFICATION_LABELS[entry.verification.method] ?? entry.verification.method},{" "}
          {entry.verification.passed ? "passed" : "failed"}): {entry.verification.detail}
        </div>
      ) : null}
      {entry.approval ? (
        <div data-testid="audit-approval">
          <strong>Approved by</strong> {entry.approval.approver}
          {entry.approval.approverRoles.length ? ` (${entry.approval.approverRoles.join(", ")})` : ""} ·{" "}
          {formatDateTime(entry.approval.at)}
        </div>
      ) : null}
      {entry.plan.length > 0 ? (
        <div>
          <strong>Plan</strong>
          <ol className={styles.list}>
            {entry.plan.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ol>
        </div>
      ) : null}
      {entry.steps.length > 0 ? (
        <div>
          <strong>Steps</strong>
          <ul className={styles.list}>
            {entry.steps.map((step) => (
              <li key={step.stepIndex} data-testid="audit-step" data-status={step.status}>
                <StepStatusBadge status={step.status} /> {entry.plan[step.stepIndex] ?? `Step ${step.stepIndex + 1}`}:{" "}
                {step.message} · {formatDateTime(step.at)}
                {step.requestId ? <span className={styles.mono}> · request id {step.requestId}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className={styles.mono}>
        Entry #{entry.seq} · connection {entry.connectionId} · tenant {entry.tenantId} · target id {entry.targetId}
        {entry.planId ? ` · plan ${entry.planId}` : ""}
      </div>
      <div className={styles.mono}>hash {entry.hash}</div>
      <div className={styles.mono}>previous {entry.prevHash}</div>
    </div>
  );
}
