import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { BadgeProps, MessageBarIntent } from "@fluentui/react-components";
import { useEffect, useRef, useState } from "react";
import { cancelJob, jobStatus } from "../../ipc/api";
import type { AppError, BulkJobState, BulkJobView, BulkStepState, BulkUserState } from "../../ipc/types";
import { ErrorBar } from "../ErrorBar";
import { useTableStyles } from "../tableStyles";

/** How often a running job is read again. */
export const JOB_POLL_MS = 500;

const useStyles = makeStyles({
  surface: { maxWidth: "900px", width: "92vw" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  counts: { display: "flex", gap: tokens.spacingHorizontalXL },
  methods: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  hint: { color: tokens.colorNeutralForeground3 },
});

const USER_STATE: Record<BulkUserState, { label: string; color: BadgeProps["color"] }> = {
  pending: { label: "Pending", color: "subtle" },
  done: { label: "Done", color: "success" },
  partial: { label: "Partly done", color: "warning" },
  failed: { label: "Failed", color: "danger" },
  refused: { label: "Refused", color: "danger" },
  cancelled: { label: "Cancelled", color: "subtle" },
};

const METHOD_STATE: Record<BulkStepState, string> = {
  pending: "Pending",
  deleted: "Removed",
  deactivated: "Deactivated",
  failed: "Failed",
  refused: "Refused",
};

const JOB_STATE: Record<BulkJobState, { intent: MessageBarIntent; text: string }> = {
  running: { intent: "info", text: "Running…" },
  finished: { intent: "success", text: "Finished." },
  cancelled: { intent: "warning", text: "Cancelled: the methods not yet attempted were left in place." },
  interrupted: { intent: "warning", text: "Interrupted: the rest can be finished later." },
};

/**
 * The progress of a "Reset all multi-factor authentications" job running in Rust: read again every
 * 500 ms while it runs; then one line per user with the result of each method.
 */
export function BulkJobPanel({ job: initial, onClose }: { job: BulkJobView; onClose: () => void }) {
  const styles = useStyles();
  const tableStyles = useTableStyles();
  const [job, setJob] = useState(initial);
  const [error, setError] = useState<AppError | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  // Poll while running; each answer schedules the next read, so reads never overlap.
  useEffect(() => {
    if (job.state !== "running") return;
    const timer = setTimeout(() => {
      jobStatus(job.id)
        .then((fresh) => {
          if (!alive.current) return;
          setJob(fresh);
          setError(null);
        })
        .catch((e: AppError) => {
          if (!alive.current) return;
          setError(e);
          // Try again: the job runs on in Rust whatever the page's read did.
          setJob((current) => ({ ...current }));
        });
    }, JOB_POLL_MS);
    return () => clearTimeout(timer);
  }, [job]);

  const cancel = async () => {
    setCancelling(true);
    try {
      const fresh = await cancelJob(job.id);
      if (alive.current) setJob(fresh);
    } catch (e) {
      if (alive.current) setError(e as AppError);
    } finally {
      if (alive.current) setCancelling(false);
    }
  };

  const total = job.done + job.failed + job.remaining;
  const running = job.state === "running";
  const state = JOB_STATE[job.state] ?? JOB_STATE.running;

  return (
    <Dialog open modalType="alert">
      <DialogSurface id="lh-job-panel" className={styles.surface} data-state={job.state} data-job-id={job.id}>
        <DialogBody>
          <DialogTitle>{job.label}</DialogTitle>
          <DialogContent className={styles.content}>
            <MessageBar intent={state.intent} data-testid="job-state" data-state={job.state}>
              <MessageBarBody>{state.text}</MessageBarBody>
            </MessageBar>
            {error ? <ErrorBar error={error} /> : null}
            <ProgressBar
              data-testid="job-progress"
              value={total === 0 ? (running ? undefined : 1) : (job.done + job.failed) / total}
              color={job.failed > 0 ? "warning" : "brand"}
              aria-label="Progress"
            />
            <div className={styles.counts}>
              <Text>
                Methods removed: <strong data-testid="job-done">{job.done}</strong>
              </Text>
              <Text>
                Methods failed: <strong data-testid="job-failed">{job.failed}</strong>
              </Text>
              <Text>
                Methods remaining: <strong data-testid="job-remaining">{job.remaining}</strong>
              </Text>
            </div>
            <Text size={200} className={styles.hint}>
              Reason: {job.reason}
            </Text>
            {!running ? (
              <Table aria-label="Result per user" size="small" className={tableStyles.table}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>User</TableHeaderCell>
                    <TableHeaderCell>Customer</TableHeaderCell>
                    <TableHeaderCell>Result</TableHeaderCell>
                    <TableHeaderCell>Methods</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {job.users.map((user) => (
                    <TableRow
                      key={`${user.tenantId}/${user.userId}`}
                      data-testid="job-user-row"
                      data-state={user.state}
                      data-user-id={user.userId}
                      data-tenant-id={user.tenantId}
                    >
                      <TableCell>
                        {user.displayName}
                        <br />
                        <Text size={200} className={styles.hint}>
                          {user.userPrincipalName}
                        </Text>
                      </TableCell>
                      <TableCell>{user.customerName}</TableCell>
                      <TableCell>
                        <Badge appearance="tint" color={USER_STATE[user.state]?.color ?? "subtle"}>
                          {USER_STATE[user.state]?.label ?? user.state}
                        </Badge>
                      </TableCell>
                      <TableCell>
                        {user.methods.length === 0 ? (
                          "—"
                        ) : (
                          <ul className={styles.methods}>
                            {user.methods.map((method) => (
                              <li key={method.methodId} data-testid="job-method-row" data-state={method.state}>
                                {method.label}: {METHOD_STATE[method.state] ?? method.state}
                                {method.message ? ` — ${method.message}` : ""}
                              </li>
                            ))}
                          </ul>
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : null}
          </DialogContent>
          <DialogActions>
            {running ? (
              <Button id="cancel-job" disabled={cancelling} onClick={() => void cancel()}>
                {cancelling ? "Cancelling…" : "Cancel"}
              </Button>
            ) : (
              <Button id="close-job" appearance="primary" onClick={onClose}>
                Close
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
