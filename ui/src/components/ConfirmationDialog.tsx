import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import type { AppError } from "../ipc/types";
import { ErrorBar } from "./ErrorBar";

const useStyles = makeStyles({
  surface: { maxWidth: "760px", width: "92vw" },
  wide: { maxWidth: "860px" },
  // The content scrolls as one column: its parts keep their height instead of shrinking into
  // each other (a two-line warning was clipped to one line's height).
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, "& > *": { flexShrink: 0 } },
});

export interface ConfirmationDialogProps {
  /** The surface's id, which tests and the keyboard path find the dialog by. */
  id: string;
  title: string;
  /** Room for a plan across customers. */
  wide?: boolean;
  /** Rust is planning: there is nothing to show yet. */
  planning: boolean;
  /** What Rust refused or what failed, after the plan. */
  error: AppError | null;
  /** What is under way once confirmed ("Running…"): the dialog cannot be closed meanwhile. */
  busy: string | null;
  /** Something else under way that must not be cut short (a sign-in): nothing closes it either. */
  locked?: boolean;
  /** The confirmation's button; none before there is a plan to confirm. */
  confirm: { label: string; disabled: boolean; onClick: () => void } | null;
  onCancel: () => void;
  /** The element that sums the plan up, for screen readers. */
  describedBy?: string;
  /** The plan as this kind of plan shows it, its safety checks and the reason. */
  children?: ReactNode;
}

/**
 * The one frame of every confirmation (a seam provider's plan, a Lighthouse job's):
 * the action as title, the same words while Rust prepares the summary, the plan, Rust's error, and
 * Cancel then the confirmation. While the confirmed action starts, nothing closes it.
 */
export function ConfirmationDialog({
  id,
  title,
  wide = false,
  planning,
  error,
  busy,
  locked = false,
  confirm,
  onCancel,
  describedBy,
  children,
}: ConfirmationDialogProps) {
  const styles = useStyles();
  const closable = busy === null && !locked;
  return (
    <Dialog
      open
      modalType="modal"
      onOpenChange={(_, data) => {
        if (!data.open && closable) onCancel();
      }}
    >
      <DialogSurface id={id} className={mergeClasses(styles.surface, wide && styles.wide)} aria-describedby={describedBy}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent className={styles.content}>
            {planning ? <Spinner label="Preparing the summary of your request…" /> : null}
            {children}
            {error ? <ErrorBar error={error} /> : null}
            {busy !== null ? <Spinner size="small" label={busy} /> : null}
          </DialogContent>
          <DialogActions>
            <Button id="cancel-button" disabled={!closable} onClick={onCancel}>
              Cancel
            </Button>
            {confirm ? (
              <Button id="confirm-button" appearance="primary" disabled={confirm.disabled} onClick={confirm.onClick}>
                {confirm.label}
              </Button>
            ) : null}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
