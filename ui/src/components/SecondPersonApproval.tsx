import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle2,
  Text,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { listConnections } from "../ipc/api";
import type { ApproverSignIn } from "../ipc/api";
import type { AppError, ApprovalRecord, ApprovalStep, ConnectionView, DeviceCodePrompt } from "../ipc/types";
import { ErrorBar } from "./ErrorBar";
import { DeviceCodeBox } from "./providers/DeviceCodeBox";
import { useSafetySectionStyles } from "./safetySectionStyles";
import { DemoAccountSelect } from "./DemoAccountSelect";

/** The connection the approver signs in to, as the Connections screen lists it. */
function useApprovalConnection(connectionId: string): ConnectionView | null {
  const [connection, setConnection] = useState<ConnectionView | null>(null);
  useEffect(() => {
    let live = true;
    listConnections().then(
      (connections) => {
        if (live) setConnection(connections.find((c) => c.id === connectionId) ?? null);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [connectionId]);
  return connection;
}

export interface SecondPersonApprovalProps {
  /** The connection the approver signs in to. */
  connectionId: string;
  /** Who prepared the request (not offered as an approver); empty: whoever is signed in to it. */
  operatorUpn: string;
  /** Why Rust asks for a second person. */
  reasons: string[];
  approval: ApprovalRecord | null;
  disabled: boolean;
  /** Rust's answer: the approval, or a device code to show before asking again with it. */
  onApprove: (form: ApproverSignIn) => Promise<ApprovalStep>;
  /** Whom Rust accepts, in the words of this request. */
  who: string;
}

/**
 * "A second person must approve": the reasons Rust gave, and the approver's sign-in on the spot
 * through the connection's own sign-in (a demo account in the sandbox; otherwise the system
 * browser, a device code to enter on the provider's page, or the provider's login form). Rust
 * checks who signed in and keeps nothing of their sign-in.
 */
export function SecondPersonApproval({
  connectionId,
  operatorUpn,
  reasons,
  approval,
  disabled,
  onApprove,
  who,
}: SecondPersonApprovalProps) {
  const styles = useSafetySectionStyles();
  const connection = useApprovalConnection(connectionId);
  const operator = (operatorUpn || connection?.account?.login || "").toLowerCase();
  const accounts = connection?.sandbox
    ? connection.demoAccounts.filter((a) => a.userPrincipalName.toLowerCase() !== operator)
    : null;
  // Rust says whether the connection's sign-in takes a login, password and code: the approver
  // types theirs the same way.
  const credentials = connection?.asksForPassword === true;
  const [account, setAccount] = useState("");
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [prompt, setPrompt] = useState<DeviceCodePrompt | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = account || accounts?.[0]?.userPrincipalName || "";

  const form = (): ApproverSignIn => {
    if (accounts) {
      // The sandbox's demo accounts carry what their sign-in form would be given.
      const demo = accounts.find((a) => a.userPrincipalName === chosen);
      return credentials
        ? { account: chosen, password: demo?.password ?? undefined, code: demo?.secondFactorCode ?? undefined }
        : { account: chosen };
    }
    return credentials ? { account: login.trim(), password, code: code.trim() } : {};
  };

  const approve = async () => {
    setBusy(true);
    setError(null);
    try {
      const given = form();
      const first = await onApprove(given);
      if (first.step === "deviceCode") {
        setPrompt(first.prompt);
        // Resolves once the approver entered the code on the provider's page.
        await onApprove({ ...given, deviceCode: first.prompt.userCode });
      }
    } catch (e) {
      setError(e as AppError);
    } finally {
      // A password or code is typed for one attempt: it is not kept on the page after it.
      setPassword("");
      setCode("");
      setPrompt(null);
      setBusy(false);
    }
  };

  return (
    <section className={styles.section} aria-labelledby="approval-heading" data-testid="approval">
      <Subtitle2 as="h3" id="approval-heading">
        A second person must approve
      </Subtitle2>
      <ul className={styles.reasons}>
        {reasons.map((reason) => (
          <li key={reason} data-testid="approval-reason">
            {reason}
          </li>
        ))}
      </ul>
      {approval ? (
        <MessageBar intent="success" data-testid="approval-result">
          <MessageBarBody>
            Approved by {approval.approver}
            {approval.approverRoles.length ? ` (${approval.approverRoles.join(", ")})` : ""}.
          </MessageBarBody>
        </MessageBar>
      ) : (
        <>
          <Text>The approver signs in here, now, with their own account. {who}</Text>
          <div className={styles.row}>
            {accounts ? (
              <Field label="Approver (demo account)">
                <DemoAccountSelect id="approver-account" accounts={accounts} value={chosen} onChange={setAccount} />
              </Field>
            ) : credentials ? (
              <>
                <Field label="Approver's login">
                  <Input id="approver-login" value={login} onChange={(_, data) => setLogin(data.value)} />
                </Field>
                <Field label="Password">
                  <Input
                    id="approver-password"
                    type="password"
                    value={password}
                    onChange={(_, data) => setPassword(data.value)}
                  />
                </Field>
                <Field label="Authenticator code">
                  <Input id="approver-code" value={code} onChange={(_, data) => setCode(data.value)} />
                </Field>
              </>
            ) : null}
            <Button id="approve-button" disabled={disabled || busy} onClick={() => void approve()}>
              {accounts || credentials ? "Sign in to approve" : "Approver: sign in (opens the browser)"}
            </Button>
          </div>
          {prompt ? <DeviceCodeBox prompt={prompt} sandbox={Boolean(accounts)} /> : null}
          {busy && !prompt ? <Spinner size="tiny" label="Waiting for the approver's sign-in…" /> : null}
          {error ? <ErrorBar error={error} /> : null}
        </>
      )}
    </section>
  );
}
