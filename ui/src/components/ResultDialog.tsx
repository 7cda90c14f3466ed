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
import type { ExecutionResult, Plan } from "../ipc/types";
import { ACTION_LABELS, formatDateTime } from "../format";
import { StepStatusBadge } from "./StatusBadges";
import { TemporaryPassword } from "./TemporaryPassword";

const useStyles = makeStyles({
  surface: { maxWidth: "820px", width: "92vw" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

export interface ResultDialogProps {
  plan: Plan;
  result: ExecutionResult;
  onClose: () => void;
}

/** One line per step, as Rust ran it; for a reset, the temporary password, shown this once. */
export function ResultDialog({ plan, result, onClose }: ResultDialogProps) {
  const tableStyles = useTableStyles();
  const styles = useStyles();
  const summaryOf = (stepIndex: number) => plan.steps.find((s) => s.index === stepIndex)?.summary ?? `Step ${stepIndex + 1}`;
  const allSucceeded = result.outcomes.length > 0 && result.outcomes.every((o) => o.status === "succeeded");

  return (
    <Dialog open modalType="alert">
      <DialogSurface id="result-dialog" className={styles.surface}>
        <DialogBody>
          <DialogTitle>
            {ACTION_LABELS[plan.action] ?? plan.action}: {plan.target.displayName}
          </DialogTitle>
          <DialogContent className={styles.content}>
            <MessageBar intent={allSucceeded ? "success" : "warning"} data-testid="result-summary">
              <MessageBarBody>
                {allSucceeded
                  ? "Every step succeeded."
                  : "Not every step succeeded. Check each line below; the audit log has the details."}{" "}
                Audit entry #{result.auditSeq}.
              </MessageBarBody>
            </MessageBar>
            {result.temporaryPassword ? <TemporaryPassword password={result.temporaryPassword} /> : null}
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
