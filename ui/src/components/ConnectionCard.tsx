import {
  Badge,
  Button,
  Card,
  CardHeader,
  Field,
  MessageBar,
  MessageBarBody,
  Spinner,
  Switch,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowRightRegular, CloudRegular, DeleteRegular, SignOutRegular, PersonRegular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { sandboxSimulateOutage } from "../ipc/api";
import type { AppError, ConnectionView } from "../ipc/types";
import { DemoAccountSelect } from "./DemoAccountSelect";
import { ErrorBar } from "./ErrorBar";
import { PsSignInForm } from "./providers/PsSignInForm";
import { ZohoSignInForm } from "./providers/ZohoSignInForm";
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
  /** Zoho / Privilege Secure: the card's own sign-in succeeded; re-read the list and make this connection active. */
  onProviderSignedIn?: () => Promise<void>;
  /** The connection's settings changed (a pinned certificate): re-read the list. */
  onConnectionChanged?: () => Promise<void>;
  /** Make this signed-in connection the active one and go to its users. */
  onOpenUsers?: () => void;
}

const NOTHING = async () => {};

/**
 * One card for every provider: what the connection is (Rust's summary line), who is signed in
 * and their roles, or the provider's own sign-in form — the one part that differs per provider
 * (the OAuth page of an Entra tenant or a Lighthouse partner, Zoho's device code, Privilege
 * Secure's login form).
 */
export function ConnectionCard(props: ConnectionCardProps) {
  const styles = useStyles();
  const { connection } = props;
  return (
    <Card className={styles.card} data-testid={`connection-${connection.id}`} data-signed-in={String(connection.signedIn)} data-kind={connection.kind}>
      <CardTitle connection={connection} busy={props.busy} onRemove={props.onRemove} />
      {connection.keychain?.state === "sessionOnly" ? (
        <MessageBar intent="info" layout="multiline" data-testid="keychain-session-only">
          <MessageBarBody>
            Sign-ins last for this session only: the OS keychain is not available ({connection.keychain.reason}).
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {connection.outageDemo ? <SandboxOutageSwitch connectionId={connection.id} /> : null}
      {connection.signedIn ? <SignedIn {...props} /> : <SignInForm {...props} />}
    </Card>
  );
}

/** The provider's own sign-in form. */
function SignInForm(props: ConnectionCardProps) {
  const { connection, onProviderSignedIn = NOTHING, onConnectionChanged = NOTHING } = props;
  switch (connection.kind) {
    case "zohoDirectory":
      return <ZohoSignInForm connection={connection} onSignedIn={onProviderSignedIn} />;
    case "privilegeSecure":
      return <PsSignInForm connection={connection} onSignedIn={onProviderSignedIn} onConnectionChanged={onConnectionChanged} />;
    default:
      return <OAuthSignInForm {...props} />;
  }
}

/** Who is signed in, with their roles, and the way to the users. */
function SignedIn({ connection, idSuffix, busy, onSignOut, onOpenUsers }: ConnectionCardProps) {
  const styles = useStyles();
  // Who: Rust's account line, whatever the provider. Roles: one badge each where Rust read them as
  // a Microsoft operator (an Entra tenant's, a Lighthouse partner's), else the provider's line.
  const operator = connection.operator;
  const name = connection.account?.name ?? "";
  const login = connection.account?.login ?? "";
  return (
    <div className={styles.operator}>
      <Text data-testid="connection-account">
        <PersonRegular /> Signed in as <strong>{name}</strong> ({login})
      </Text>
      {operator ? (
        <RoleBadges roles={operator.roles} />
      ) : connection.account ? (
        <span>
          <Badge appearance="outline" color="brand">{connection.account.roleLabel}</Badge>
        </span>
      ) : null}
      <div className={styles.row}>
        <OpenUsersButton connection={connection} onOpenUsers={onOpenUsers} />
        <Button id={`signout-button${idSuffix}`} icon={<SignOutRegular />} disabled={busy} onClick={onSignOut}>
          Sign out
        </Button>
        {busy ? <Spinner size="tiny" /> : null}
      </div>
    </div>
  );
}

function CardTitle({ connection, busy, onRemove }: Pick<ConnectionCardProps, "connection" | "busy" | "onRemove">) {
  return (
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
          {connection.kindLine}
          {connection.summary ? <span data-testid="connection-summary"> · {connection.summary}</span> : null} ·{" "}
          {connection.signedIn ? (
            <Badge appearance="tint" color="success" data-testid="connection-status">Signed in</Badge>
          ) : (
            <Badge appearance="tint" color="subtle" data-testid="connection-status">Not signed in</Badge>
          )}
        </span>
      }
    />
  );
}

function OpenUsersButton({ connection, onOpenUsers }: Pick<ConnectionCardProps, "connection" | "onOpenUsers">) {
  if (!onOpenUsers) return null;
  return (
    <Button id={`open-users-${connection.id}`} appearance="primary" icon={<ArrowRightRegular />} onClick={onOpenUsers}>
      Open users
    </Button>
  );
}

/** The OAuth sign-in of an Entra tenant or a Lighthouse partner: a demo account in the sandbox, the browser otherwise. */
function OAuthSignInForm({ connection, idSuffix, busy, removing = false, onSignIn }: ConnectionCardProps) {
  const styles = useStyles();
  const [account, setAccount] = useState(connection.demoAccounts[0]?.userPrincipalName ?? "");

  // The demo accounts arrive with the connection list; pick the first once they are known.
  useEffect(() => {
    if (!account && connection.demoAccounts.length > 0) setAccount(connection.demoAccounts[0].userPrincipalName);
  }, [account, connection.demoAccounts]);

  const needsAccount = connection.sandbox && connection.demoAccounts.length > 0;

  return (
    <div className={styles.row}>
      {needsAccount ? (
        <Field label="Sign in as" className={styles.picker}>
          <DemoAccountSelect
            id={`signin-account${idSuffix}`}
            accounts={connection.demoAccounts}
            value={account}
            disabled={busy}
            onChange={setAccount}
          />
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
  );
}

/**
 * The sandbox's outage demo, on the cards Rust offers it for (the connections that keep an
 * offline cache): the connection's emulator stops answering, as when the network goes away, so
 * the Users screen shows what an operator sees offline (the cache, marked) and the app noticing
 * the network's return. It touches nothing but the in-app emulator.
 */
function SandboxOutageSwitch({ connectionId }: { connectionId: string }) {
  // Rust knows whether the outage is on: read it, so the switch says the truth when the
  // screen is opened again.
  const [down, setDown] = useState<boolean | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    let live = true;
    // Unreadable (a build without the sandbox): the switch stays disabled.
    sandboxSimulateOutage(connectionId).then(
      (now) => live && setDown(now),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [connectionId]);
  const toggle = async (next: boolean) => {
    setError(null);
    try {
      setDown(await sandboxSimulateOutage(connectionId, next));
    } catch (e) {
      setError(e as AppError);
    }
  };
  return (
    <>
      <Switch
        id={`sandbox-outage-${connectionId}`}
        checked={down ?? false}
        disabled={down === null}
        label="Simulate a network outage (sandbox demo)"
        onChange={(_, data) => void toggle(data.checked)}
      />
      {error ? <ErrorBar error={error} /> : null}
    </>
  );
}
