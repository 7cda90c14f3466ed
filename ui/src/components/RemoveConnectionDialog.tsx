import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
} from "@fluentui/react-components";
import type { ConnectionView } from "../ipc/types";

export interface RemoveConnectionDialogProps {
  connection: ConnectionView;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Removing a tenant also ends its session and deletes its refresh token, so it is asked first. */
export function RemoveConnectionDialog({ connection, onConfirm, onCancel }: RemoveConnectionDialogProps) {
  return (
    <Dialog
      open
      modalType="alert"
      onOpenChange={(_, data) => {
        if (!data.open) onCancel();
      }}
    >
      <DialogSurface id="remove-connection-dialog">
        <DialogBody>
          <DialogTitle>Remove tenant</DialogTitle>
          <DialogContent id="remove-connection-question">
            Remove {connection.displayName}? You will be signed out and its sign-in is deleted from the keychain.
          </DialogContent>
          <DialogActions>
            <Button id="remove-connection-cancel" onClick={onCancel}>
              Cancel
            </Button>
            <Button id="remove-connection-confirm" appearance="primary" onClick={onConfirm}>
              Remove
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
