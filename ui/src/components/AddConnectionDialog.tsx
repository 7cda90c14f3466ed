import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import type { AppError, Cloud, NewEntraConnection } from "../ipc/types";

const useStyles = makeStyles({
  surface: { maxWidth: "640px", width: "90vw" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  help: { color: tokens.colorNeutralForeground2 },
});

/** The clouds in the order the Entra documentation lists them. */
export const CLOUD_OPTIONS: ReadonlyArray<{ value: Cloud; label: string }> = [
  { value: "public", label: "Public (global)" },
  { value: "usGovernment", label: "US Government" },
  { value: "china", label: "China (21Vianet)" },
  { value: "custom", label: "Custom" },
];

export const APP_REGISTRATION_HELP =
  "Register a public client (Mobile and desktop) with redirect URI http://127.0.0.1/callback and the delegated " +
  "permissions User.Read.All, UserAuthenticationMethod.ReadWrite.All, User-PasswordProfile.ReadWrite.All, " +
  "User.RevokeSessions.All, Policy.Read.AuthenticationMethod.";

interface FormValues {
  displayName: string;
  tenant: string;
  clientId: string;
  cloud: Cloud;
  loginBaseUrl: string;
  graphBaseUrl: string;
}

const EMPTY_FORM: FormValues = {
  displayName: "",
  tenant: "",
  clientId: "",
  cloud: "public",
  loginBaseUrl: "",
  graphBaseUrl: "",
};

/**
 * What is sent to Rust: trimmed, and the endpoints only for the custom cloud — a preset cloud's
 * endpoints are Rust's to choose, so stale text left in the hidden fields must not travel.
 */
export function toNewConnection(values: FormValues): NewEntraConnection {
  const connection: NewEntraConnection = {
    displayName: values.displayName.trim(),
    tenant: values.tenant.trim(),
    clientId: values.clientId.trim(),
    cloud: values.cloud,
  };
  if (values.cloud === "custom") {
    connection.loginBaseUrl = values.loginBaseUrl.trim();
    connection.graphBaseUrl = values.graphBaseUrl.trim();
  }
  return connection;
}

function isCloud(value: string): value is Cloud {
  return CLOUD_OPTIONS.some((option) => option.value === value);
}

export interface AddConnectionDialogProps {
  /** Resolves once Rust kept the connection; rejects with its AppError otherwise. */
  onAdd: (connection: NewEntraConnection) => Promise<unknown>;
  onClose: () => void;
}

/**
 * The "Add Microsoft Entra tenant" form. Rust validates what was typed; when it refuses, its
 * message (which says what to correct) is shown here and the form keeps the operator's input.
 */
export function AddConnectionDialog({ onAdd, onClose }: AddConnectionDialogProps) {
  const styles = useStyles();
  const [values, setValues] = useState<FormValues>(EMPTY_FORM);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const set = (field: keyof FormValues) => (_: unknown, data: { value: string }) =>
    setValues((current) => ({ ...current, [field]: data.value }));

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      await onAdd(toNewConnection(values));
      onClose();
    } catch (e) {
      setError(e as AppError);
      setSaving(false);
    }
  };

  return (
    <Dialog
      open
      modalType="modal"
      onOpenChange={(_, data) => {
        if (!data.open && !saving) onClose();
      }}
    >
      <DialogSurface id="add-connection-dialog" className={styles.surface}>
        {/* noValidate: Rust is the one validator, and its message says what to correct; native
            bubbles for the required fields would say less and look foreign in the webview. */}
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (!saving) void save();
          }}
        >
          <DialogBody>
            <DialogTitle>Add Microsoft Entra tenant</DialogTitle>
            <DialogContent className={styles.content}>
              <Text className={styles.help} data-testid="add-connection-help">
                {APP_REGISTRATION_HELP}
              </Text>
              <Field label="Name" required hint="How this tenant is shown in ResetDesk.">
                <Input id="conn-name" value={values.displayName} disabled={saving} onChange={set("displayName")} />
              </Field>
              <Field label="Tenant (id or domain)" required>
                <Input
                  id="conn-tenant"
                  value={values.tenant}
                  disabled={saving}
                  placeholder="contoso.onmicrosoft.com"
                  onChange={set("tenant")}
                />
              </Field>
              <Field label="Application (client) id" required>
                <Input
                  id="conn-client-id"
                  value={values.clientId}
                  disabled={saving}
                  placeholder="00000000-0000-0000-0000-000000000000"
                  onChange={set("clientId")}
                />
              </Field>
              <Field label="Cloud">
                <Select
                  id="conn-cloud"
                  value={values.cloud}
                  disabled={saving}
                  onChange={(_, data) => {
                    const cloud = data.value;
                    if (isCloud(cloud)) setValues((current) => ({ ...current, cloud }));
                  }}
                >
                  {CLOUD_OPTIONS.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </Select>
              </Field>
              {values.cloud === "custom" ? (
                <>
                  <Field label="Login endpoint" required>
                    <Input
                      id="conn-login-url"
                      value={values.loginBaseUrl}
                      disabled={saving}
                      placeholder="https://login.microsoftonline.com"
                      onChange={set("loginBaseUrl")}
                    />
                  </Field>
                  <Field label="Microsoft Graph endpoint" required>
                    <Input
                      id="conn-graph-url"
                      value={values.graphBaseUrl}
                      disabled={saving}
                      placeholder="https://graph.microsoft.com"
                      onChange={set("graphBaseUrl")}
                    />
                  </Field>
                </>
              ) : null}
              {error ? (
                <MessageBar id="add-connection-error" intent="error" layout="multiline" data-kind={error.kind}>
                  <MessageBarBody>
                    <MessageBarTitle>{error.kind === "InvalidInput" ? "Check what you typed" : "Could not add the tenant"}</MessageBarTitle>
                    {error.message}
                  </MessageBarBody>
                </MessageBar>
              ) : null}
              {saving ? <Spinner size="small" label="Adding…" /> : null}
            </DialogContent>
            <DialogActions>
              <Button id="add-connection-cancel" disabled={saving} onClick={onClose}>
                Cancel
              </Button>
              <Button id="add-connection-save" type="submit" appearance="primary" disabled={saving}>
                Add
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
