import {
  Button,
  Field,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Subtitle2,
  Text,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { listConnections } from "../ipc/api";
import type { AppError, ApprovalRecord, DemoAccount } from "../ipc/types";
import { ErrorBar } from "./ErrorBar";
import { useSafetySectionStyles } from "./safetySectionStyles";


/** Demo accounts of the connection (sandbox only), other than the operator: who may sign in to approve. */
function useApproverAccounts(connectionId: string, operatorUpn: string): DemoAccount[] | null {
  const [accounts, setAccounts] = useState<DemoAccount[] | null>(null);
  useEffect(() => {
    let live = true;
    listConnections().then(
      (connections) => {
        const connection = connections.find((c) => c.id === connectionId);
        if (!live || !connection?.sandbox) return;
        setAccounts(
          connection.demoAccounts.filter((a) => a.userPrincipalName.toLowerCase() !== operatorUpn.toLowerCase()),
        );
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [connectionId, operatorUpn]);
  return accounts;
}

export interface SecondPersonApprovalProps {
  /** The connection the approver signs in to. */
  connectionId: string;
  /** Who prepared the request (not offered as an approver). */
  operatorUpn: string;
  /** Why Rust asks for a second person. */
  reasons: string[];
  approval: ApprovalRecord | null;
  disabled: boolean;
  onApprove: (account?: string) => Promise<void>;
  /** Whom Rust accepts, in the words of this request. */
  who: string;
}

/**
 * "A second person must approve": the reasons Rust gave, and the approver's sign-in on the spot
 * (a demo account in the sandbox, the system browser otherwise). Rust checks who signed in.
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
  const accounts = useApproverAccounts(connectionId, operatorUpn);
  const [account, setAccount] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = account || accounts?.[0]?.userPrincipalName || "";

  const approve = async () => {
    setBusy(true);
    setError(null);
    try {
      await onApprove(accounts ? chosen : undefined);
    } catch (e) {
      setError(e as AppError);
    } finally {
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
                <Select id="approver-account" value={chosen} onChange={(_, data) => setAccount(data.value)}>
                  {accounts.map((a) => (
                    <option key={a.userPrincipalName} value={a.userPrincipalName}>
                      {a.displayName} — {a.roleLabel}
                    </option>
                  ))}
                </Select>
              </Field>
            ) : null}
            <Button id="approve-button" disabled={disabled || busy} onClick={() => void approve()}>
              {accounts ? "Sign in to approve" : "Approver: sign in (opens the browser)"}
            </Button>
          </div>
          {busy ? <Spinner size="tiny" label="Waiting for the approver's sign-in…" /> : null}
          {error ? <ErrorBar error={error} /> : null}
        </>
      )}
    </section>
  );
}
