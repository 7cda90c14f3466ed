import {
  Badge,
  Button,
  Card,
  CardHeader,
  Field,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CloudRegular, DeleteRegular, SignOutRegular, PersonRegular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import type { ConnectionView } from "../ipc/types";
import { RoleBadges } from "./RoleBadges";

const useStyles = makeStyles({
  card: { maxWidth: "720px" },
  row: { display: "flex", alignItems: "flex-end", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  picker: { minWidth: "360px" },
  operator: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  hint: { color: tokens.colorNeutralForeground3 },
});

export interface ConnectionCardProps {
  connection: ConnectionView;
  /** The first card gets the plain element ids the end-to-end tests use; others get suffixed ids. */
  idSuffix: string;
  busy: boolean;
  /** Set while this connection is being removed. */
  removing?: boolean;
  onSignIn: (account?: string) => void;
  onSignOut: () => void;
  /** Absent for connections that cannot be removed (the built-in sandbox). */
  onRemove?: () => void;
}

export function ConnectionCard({ connection, idSuffix, busy, removing = false, onSignIn, onSignOut, onRemove }: ConnectionCardProps) {
  const styles = useStyles();
  const [account, setAccount] = useState(connection.demoAccounts[0]?.userPrincipalName ?? "");

  // The demo accounts arrive with the connection list; pick the first once they are known.
  useEffect(() => {
    if (!account && connection.demoAccounts.length > 0) setAccount(connection.demoAccounts[0].userPrincipalName);
  }, [account, connection.demoAccounts]);

  const operator = connection.signedIn ? connection.operator : null;
  const needsAccount = connection.sandbox && connection.demoAccounts.length > 0;

  return (
    <Card className={styles.card} data-testid={`connection-${connection.id}`} data-signed-in={String(connection.signedIn)}>
      <CardHeader
        image={<CloudRegular fontSize={28} />}
        header={<Text weight="semibold">{connection.displayName}</Text>}
        action={
          onRemove ? (
            <Button
              data-testid={`remove-connection-${connection.id}`}
              appearance="subtle"
              icon={<DeleteRegular />}
              disabled={busy}
              onClick={onRemove}
            >
              Remove
            </Button>
          ) : undefined
        }
        description={
          <span>
            {connection.sandbox ? "Built-in sandbox (Microsoft Entra emulator) · " : "Microsoft Entra tenant · "}
            {connection.signedIn ? (
              <Badge appearance="tint" color="success" data-testid="connection-status">Signed in</Badge>
            ) : (
              <Badge appearance="tint" color="subtle" data-testid="connection-status">Not signed in</Badge>
            )}
          </span>
        }
      />
      {connection.keychain?.state === "sessionOnly" ? (
        <MessageBar intent="info" layout="multiline" data-testid="keychain-session-only">
          <MessageBarBody>
            Sign-ins last for this session only: the OS keychain is not available ({connection.keychain.reason}).
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {operator ? (
        <div className={styles.operator}>
          <Text>
            <PersonRegular /> Signed in as <strong>{operator.displayName}</strong> ({operator.userPrincipalName})
          </Text>
          <RoleBadges roles={operator.roles} />
          <div>
            <Button id={`signout-button${idSuffix}`} icon={<SignOutRegular />} disabled={busy} onClick={onSignOut}>
              Sign out
            </Button>
          </div>
        </div>
      ) : (
        <div className={styles.row}>
          {needsAccount ? (
            <Field label="Sign in as" className={styles.picker}>
              <Select
                id={`signin-account${idSuffix}`}
                value={account}
                disabled={busy}
                onChange={(_, data) => setAccount(data.value)}
              >
                {connection.demoAccounts.map((demo) => (
                  <option key={demo.userPrincipalName} value={demo.userPrincipalName}>
                    {demo.displayName} — {demo.roleLabel}
                  </option>
                ))}
              </Select>
            </Field>
          ) : null}
          <Button
            id={`signin-button${idSuffix}`}
            appearance="primary"
            disabled={busy || (needsAccount && !account)}
            onClick={() => onSignIn(needsAccount ? account : undefined)}
          >
            Sign in
          </Button>
          {busy ? (
            <Spinner
              size="tiny"
              label={removing ? "Removing…" : connection.sandbox ? "Signing in…" : "Finish signing in in your browser…"}
            />
          ) : null}
          {!connection.sandbox && !busy ? (
            <Text size={200} className={styles.hint} data-testid="browser-sign-in-hint">
              Your web browser opens at the Microsoft sign-in page; come back here once you have signed in.
            </Text>
          ) : null}
        </div>
      )}
    </Card>
  );
}
