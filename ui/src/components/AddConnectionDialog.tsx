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
import type {
  AppError,
  Cloud,
  ConnectionKind,
  DataCentre,
  NewConnection,
  NewEntraConnection,
  NewLighthouseConnection,
  NewPrivilegeSecureConnection,
  NewZohoConnection,
} from "../ipc/types";

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

/** The kinds this form adds (every kind). */
/** The kinds an operator adds here; a provider of the seam ("custom") is added by whoever registers it. */
export type AddableKind = Exclude<ConnectionKind, "custom">;

export const KIND_OPTIONS: ReadonlyArray<{ value: AddableKind; label: string }> = [
  { value: "entraTenant", label: "Microsoft Entra tenant" },
  { value: "zohoDirectory", label: "Zoho Directory" },
  { value: "privilegeSecure", label: "Netwrix Privilege Secure" },
  { value: "lighthousePartner", label: "Microsoft 365 Lighthouse (partner)" },
];

/** Zoho's data centres, in the order of Zoho's own list; Rust knows each one's accounts and API hosts. */
export const DATA_CENTRES: ReadonlyArray<{ value: DataCentre; label: string }> = [
  { value: "US", label: "United States (zoho.com)" },
  { value: "EU", label: "Europe (zoho.eu)" },
  { value: "IN", label: "India (zoho.in)" },
  { value: "AU", label: "Australia (zoho.com.au)" },
  { value: "JP", label: "Japan (zoho.jp)" },
  { value: "CA", label: "Canada (zohocloud.ca)" },
  { value: "SA", label: "Saudi Arabia (zoho.sa)" },
  { value: "UK", label: "United Kingdom (zoho.uk)" },
  { value: "CN", label: "China (zoho.com.cn)" },
];

interface ZohoValues {
  displayName: string;
  dataCentre: DataCentre;
  clientId: string;
  clientSecret: string;
  organizationId: string;
}

const EMPTY_ZOHO: ZohoValues = { displayName: "", dataCentre: "US", clientId: "", clientSecret: "", organizationId: "" };

interface PsValues {
  displayName: string;
  baseUrl: string;
}

const EMPTY_PS: PsValues = { displayName: "", baseUrl: "" };

/** Trimmed, except the secret: it is sent exactly as pasted (Rust decides what is valid). */
export function toNewZohoConnection(values: ZohoValues): NewZohoConnection {
  return {
    displayName: values.displayName.trim(),
    dataCentre: values.dataCentre,
    clientId: values.clientId.trim(),
    clientSecret: values.clientSecret,
    organizationId: values.organizationId.trim(),
  };
}

export function toNewPrivilegeSecureConnection(values: PsValues): NewPrivilegeSecureConnection {
  return { displayName: values.displayName.trim(), baseUrl: values.baseUrl.trim() };
}

const TITLES: Record<AddableKind, string> = {
  entraTenant: "Add Microsoft Entra tenant",
  zohoDirectory: "Add Zoho Directory",
  privilegeSecure: "Add Privilege Secure server",
  lighthousePartner: "Add Microsoft 365 Lighthouse partner",
};

/** The Entra form's values as a Lighthouse partner: the tenant typed is the partner's. */
export function toNewLighthouseConnection(values: FormValues): NewLighthouseConnection {
  const { tenant, ...rest } = toNewConnection(values);
  return { ...rest, partnerTenant: tenant };
}

/** The chosen kind's form, tagged with its provider: what `add_connection` reads. */
function formOf(kind: AddableKind, values: FormValues, zoho: ZohoValues, ps: PsValues): NewConnection {
  switch (kind) {
    case "zohoDirectory":
      return { provider: "zoho", ...toNewZohoConnection(zoho) };
    case "privilegeSecure":
      return { provider: "privilegeSecure", ...toNewPrivilegeSecureConnection(ps) };
    case "lighthousePartner":
      return { provider: "lighthouse", ...toNewLighthouseConnection(values) };
    case "entraTenant":
      return { provider: "entra", ...toNewConnection(values) };
  }
}

export const ZOHO_HELP =
  "In the Zoho API console, create a \"Non-browser application\" client and note its client id and secret. The " +
  "organisation id is in Zoho Mail's admin console. The secret is kept in the OS keychain.";

export const PRIVILEGE_SECURE_HELP =
  "The address of the Privilege Secure web console. On the first sign-in, ResetDesk shows the server " +
  "certificate's fingerprint for you to check and trust for this connection only.";

function isCloud(value: string): value is Cloud {
  return CLOUD_OPTIONS.some((option) => option.value === value);
}

export interface AddConnectionDialogProps {
  /** Resolves once Rust kept the connection; rejects with its AppError otherwise. */
  onAdd: (connection: NewConnection) => Promise<unknown>;
  onClose: () => void;
}

/**
 * The "Add connection" form: a Microsoft Entra tenant, a Microsoft 365 Lighthouse partner, a Zoho
 * Directory organisation or a Privilege Secure server, sent to Rust as one form tagged with its
 * provider. Rust validates what was typed; when it refuses, its message (which says what to
 * correct) is shown here and the form keeps the operator's input.
 */
export function AddConnectionDialog({ onAdd, onClose }: AddConnectionDialogProps) {
  const styles = useStyles();
  const [kind, setKind] = useState<AddableKind>("entraTenant");
  const [values, setValues] = useState<FormValues>(EMPTY_FORM);
  const [zoho, setZoho] = useState<ZohoValues>(EMPTY_ZOHO);
  const [ps, setPs] = useState<PsValues>(EMPTY_PS);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const set = (field: keyof FormValues) => (_: unknown, data: { value: string }) =>
    setValues((current) => ({ ...current, [field]: data.value }));

  const setZohoField = (field: keyof ZohoValues) => (_: unknown, data: { value: string }) =>
    setZoho((current) => ({ ...current, [field]: data.value }));
  const setPsField = (field: keyof PsValues) => (_: unknown, data: { value: string }) =>
    setPs((current) => ({ ...current, [field]: data.value }));

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      await onAdd(formOf(kind, values, zoho, ps));
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
            <DialogTitle>{TITLES[kind]}</DialogTitle>
            <DialogContent className={styles.content}>
              <Field label="Kind of connection">
                <Select
                  id="conn-kind"
                  value={kind}
                  disabled={saving}
                  onChange={(_, data) => {
                    const chosen = KIND_OPTIONS.find((option) => option.value === data.value);
                    if (chosen) {
                      setKind(chosen.value);
                      setError(null);
                    }
                  }}
                >
                  {KIND_OPTIONS.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </Select>
              </Field>
              {/* A Lighthouse partner is an Entra tenant (the partner's) plus the GDAP customers it reaches. */}
              {kind === "entraTenant" || kind === "lighthousePartner" ? (
                <>
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
                </>
              ) : null}
              {kind === "zohoDirectory" ? (
                <>
                  <Text className={styles.help} data-testid="add-connection-help">
                    {ZOHO_HELP}
                  </Text>
                  <Field label="Name" required hint="How this organisation is shown in ResetDesk.">
                    <Input id="zoho-name" value={zoho.displayName} disabled={saving} onChange={setZohoField("displayName")} />
                  </Field>
                  <Field label="Data centre" required>
                    <Select
                      id="zoho-data-centre"
                      value={zoho.dataCentre}
                      disabled={saving}
                      onChange={(_, data) => {
                        const centre = DATA_CENTRES.find((option) => option.value === data.value);
                        if (centre) setZoho((current) => ({ ...current, dataCentre: centre.value }));
                      }}
                    >
                      {DATA_CENTRES.map((option) => (
                        <option key={option.value} value={option.value}>
                          {option.label}
                        </option>
                      ))}
                    </Select>
                  </Field>
                  <Field label="Client id" required>
                    <Input id="zoho-client-id" value={zoho.clientId} disabled={saving} placeholder="1000.XXXXXXXXXXXX" onChange={setZohoField("clientId")} />
                  </Field>
                  <Field label="Client secret" required hint="Kept in the OS keychain, never in the settings file.">
                    <Input
                      id="zoho-client-secret"
                      type="password"
                      autoComplete="off"
                      value={zoho.clientSecret}
                      disabled={saving}
                      onChange={setZohoField("clientSecret")}
                    />
                  </Field>
                  <Field label="Organisation id" required>
                    <Input id="zoho-org-id" value={zoho.organizationId} disabled={saving} inputMode="numeric" onChange={setZohoField("organizationId")} />
                  </Field>
                </>
              ) : null}
              {kind === "privilegeSecure" ? (
                <>
                  <Text className={styles.help} data-testid="add-connection-help">
                    {PRIVILEGE_SECURE_HELP}
                  </Text>
                  <Field label="Name" required hint="How this server is shown in ResetDesk.">
                    <Input id="ps-name" value={ps.displayName} disabled={saving} onChange={setPsField("displayName")} />
                  </Field>
                  <Field label="Server URL" required>
                    <Input id="ps-base-url" value={ps.baseUrl} disabled={saving} placeholder="https://nps.example.com" onChange={setPsField("baseUrl")} />
                  </Field>
                </>
              ) : null}
              {error ? (
                <MessageBar id="add-connection-error" intent="error" layout="multiline" data-kind={error.kind}>
                  <MessageBarBody>
                    <MessageBarTitle>{error.kind === "InvalidInput" ? "Check what you typed" : "Could not add the connection"}</MessageBarTitle>
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
