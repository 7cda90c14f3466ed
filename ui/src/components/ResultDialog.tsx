import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useTableStyles } from "./tableStyles";
import type { MessageBarIntent } from "@fluentui/react-components";
import type { AuditOutcome, ExecutionResult, Plan } from "../ipc/types";
import { ACTION_LABELS, formatDateTime } from "../format";
import { StepStatusBadge } from "./StatusBadges";
import { TemporaryPassword } from "./TemporaryPassword";

const useStyles = makeStyles({
  surface: { maxWidth: "820px", width: "92vw" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

const SUMMARY: Record<AuditOutcome, { intent: MessageBarIntent; text: string }> = {
  succeeded: { intent: "success", text: "Every step succeeded." },
  partial: { intent: "warning", text: "Some steps did not succeed. Check each line below." },
  failed: { intent: "error", text: "The action failed. Check each line below." },
  refused: { intent: "error", text: "The action was refused before anything changed." },
  pending: { intent: "info", text: "Some steps are still to be finished by hand." },
};

/** "Valid for 60 minutes, one-time use." from the plan's terms. */
function tapTermsText(plan: Plan): string {
  const terms = plan.temporaryAccessPass;
  if (!terms) return "";
  return `Valid for ${terms.lifetimeMinutes} minutes, ${terms.usableOnce ? "one-time use" : "usable more than once"}.`;
}

/** For a result without Rust's overall outcome: the same rule, read from the steps. */
function overallOutcome(result: ExecutionResult): AuditOutcome {
  const statuses = result.outcomes.map((o) => o.status);
  if (statuses.length > 0 && statuses.every((s) => s === "succeeded")) return "succeeded";
  if (statuses.some((s) => s === "succeeded")) return "partial";
  if (statuses.length > 0 && statuses.every((s) => s === "refused")) return "refused";
  return "failed";
}

export interface ResultDialogProps {
  plan: Plan;
  result: ExecutionResult;
  onClose: () => void;
  /** Offered after Require re-register MFA when the operator may issue a pass, so the user can register new methods. */
  onIssueTemporaryAccessPass?: () => void;
}

/** One line per step, as Rust ran it; for a reset, the temporary password, shown this once. */
export function ResultDialog({ plan, result, onClose, onIssueTemporaryAccessPass }: ResultDialogProps) {
  const tableStyles = useTableStyles();
  const styles = useStyles();
  const summaryOf = (stepIndex: number) => plan.steps.find((s) => s.index === stepIndex)?.summary ?? `Step ${stepIndex + 1}`;
  const outcome = result.outcome ?? overallOutcome(result);

  return (
    <Dialog open modalType="alert">
      <DialogSurface id="result-dialog" className={styles.surface}>
        <DialogBody>
          <DialogTitle>
            {ACTION_LABELS[plan.action] ?? plan.action}: {plan.target.displayName}
          </DialogTitle>
          <DialogContent className={styles.content}>
            <MessageBar intent={SUMMARY[outcome].intent} data-testid="result-summary" data-outcome={outcome}>
              <MessageBarBody>
                {SUMMARY[outcome].text}
                {result.auditSeq !== null && result.auditSeq !== undefined
                  ? ` Recorded in the audit log as entry #${result.auditSeq}.`
                  : ""}
              </MessageBarBody>
            </MessageBar>
            {result.auditError ? (
              <MessageBar intent="error" layout="multiline" id="error-bar" data-testid="audit-error">
                <MessageBarBody>
                  <MessageBarTitle>Not recorded in the audit log</MessageBarTitle>
                  The steps below ran, but their audit entry could not be written: {result.auditError}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            {result.temporaryPassword ? <TemporaryPassword password={result.temporaryPassword} copyHandle={result.copyHandle} /> : null}
            {result.temporaryAccessPass ? (
              <TemporaryPassword
                password={result.temporaryAccessPass}
                copyHandle={result.copyHandle}
                label="Temporary Access Pass"
                inputId="temporary-access-pass"
                copyButtonId="copy-temporary-access-pass"
                note={`This pass is shown only once. ${tapTermsText(plan)} The user signs in with it and registers new methods at https://aka.ms/mysecurityinfo.`}
              />
            ) : null}
            {onIssueTemporaryAccessPass && outcome !== "failed" && outcome !== "refused" ? (
              <MessageBar intent="info" layout="multiline" data-testid="offer-tap">
                <MessageBarBody>
                  {plan.target.displayName} must register MFA again. A Temporary Access Pass lets them sign in and
                  register new methods.{" "}
                  <Button id="offer-tap-button" size="small" appearance="primary" onClick={onIssueTemporaryAccessPass}>
                    Issue a Temporary Access Pass
                  </Button>
                </MessageBarBody>
              </MessageBar>
            ) : null}
            <Subtitle2 as="h2">Steps</Subtitle2>
            <Table aria-label="Outcome of each step" size="small" className={tableStyles.table}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Step</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                  <TableHeaderCell>Message</TableHeaderCell>
                  <TableHeaderCell>Request id</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {result.outcomes.map((outcome) => (
                  <TableRow key={outcome.stepIndex} data-testid="outcome-row" data-status={outcome.status}>
                    <TableCell>{summaryOf(outcome.stepIndex)}</TableCell>
                    <TableCell>
                      <StepStatusBadge status={outcome.status} />
                    </TableCell>
                    <TableCell title={formatDateTime(outcome.at)}>{outcome.message}</TableCell>
                    <TableCell className={styles.mono}>{outcome.requestId ?? "—"}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </DialogContent>
          <DialogActions>
            <Button id="close-result" appearance="primary" onClick={onClose}>
              Close
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
