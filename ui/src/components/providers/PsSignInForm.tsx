import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { signIn, trustCertificate } from "../../ipc/api";
import type { AppError, ConnectionView } from "../../ipc/types";
import { ErrorBar } from "../ErrorBar";
import { DemoAccountSelect } from "../DemoAccountSelect";

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "560px" },
  row: { display: "flex", alignItems: "flex-end", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  fingerprint: { fontFamily: tokens.fontFamilyMonospace, wordBreak: "break-all" },
});

/**
 * Privilege Secure's own sign-in: login, password and the authenticator code, sent once to
 * Rust. A server certificate Rust does not trust is never skipped: the operator compares the
 * fingerprint with the server's and pins it for this connection only.
 */
export function PsSignInForm({
  connection,
  onSignedIn,
  onConnectionChanged,
}: {
  connection: ConnectionView;
  onSignedIn: () => Promise<void>;
  /** The connection's settings changed (a pinned certificate): re-read the list. */
  onConnectionChanged: () => Promise<void>;
}) {
  const styles = useStyles();
  const id = connection.id;
  const demos = connection.sandbox ? connection.demoAccounts : [];
  const [demo, setDemo] = useState("");
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [fingerprint, setFingerprint] = useState<string | null>(null);
  const [trusted, setTrusted] = useState(false);

  const pickDemo = (value: string) => {
    setDemo(value);
    const chosen = demos.find((d) => d.userPrincipalName === value);
    if (!chosen) return;
    setLogin(chosen.userPrincipalName);
    setPassword(chosen.password ?? "");
    setCode(chosen.secondFactorCode ?? "");
  };

  const submit = async () => {
    setBusy(true);
    setError(null);
    setFingerprint(null);
    setTrusted(false);
    try {
      const outcome = await signIn(id, login.trim(), password, code.trim());
      if (outcome.step === "done") {
        // The password and code have done their job; do not keep them in the page.
        setPassword("");
        setCode("");
        await onSignedIn();
        return;
      }
      if (outcome.step === "untrustedCertificate") setFingerprint(outcome.sha256);
      else setError({ kind: "Provider", message: "Privilege Secure asked for a sign-in step ResetDesk does not know. Nothing was signed in.", detail: null });
      setCode((current) => (demo ? current : ""));
    } catch (e) {
      setError(e as AppError);
      // A one-time code is spent or stale after a refused attempt.
      setCode((current) => (demo ? current : ""));
    } finally {
      setBusy(false);
    }
  };

  const trust = async () => {
    if (!fingerprint) return;
    setBusy(true);
    setError(null);
    try {
      await trustCertificate(id, fingerprint);
      setFingerprint(null);
      setTrusted(true);
      await onConnectionChanged();
    } catch (e) {
      setError(e as AppError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className={styles.box}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!busy) void submit();
      }}
    >
      {demos.length > 0 ? (
        <Field label="Demo account" hint="Fills in the sandbox's login, password and authenticator code.">
          <DemoAccountSelect
            id={`ps-account-${id}`}
            accounts={demos}
            value={demo}
            disabled={busy}
            placeholder="Choose a demo account…"
            onChange={pickDemo}
          />
        </Field>
      ) : null}
      <Field label="Login" hint="DOMAIN\user or user@domain">
        <Input id={`ps-login-${id}`} value={login} disabled={busy} autoComplete="username" onChange={(_, data) => setLogin(data.value)} />
      </Field>
      <Field label="Password">
        <Input
          id={`ps-password-${id}`}
          type="password"
          value={password}
          disabled={busy}
          autoComplete="current-password"
          onChange={(_, data) => setPassword(data.value)}
        />
      </Field>
      <Field label="Second-factor code" hint="From your authenticator app">
        <Input
          id={`ps-code-${id}`}
          value={code}
          disabled={busy}
          inputMode="numeric"
          autoComplete="one-time-code"
          onChange={(_, data) => setCode(data.value)}
        />
      </Field>
      {fingerprint ? (
        <MessageBar intent="warning" layout="multiline" data-testid="ps-untrusted-certificate">
          <MessageBarBody>
            <MessageBarTitle>ResetDesk does not trust this server&apos;s certificate</MessageBarTitle>
            Its SHA-256 fingerprint is <span className={styles.fingerprint} data-testid="ps-certificate-fingerprint">{fingerprint}</span>.
            Compare it with the certificate installed on the Privilege Secure server (ask its administrator). Trust it
            only if they match: ResetDesk then accepts this certificate, and no other, for this connection.
          </MessageBarBody>
          <MessageBarActions>
            <Button id={`ps-trust-certificate-${id}`} disabled={busy} onClick={() => void trust()}>
              Trust this certificate for this connection
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {trusted ? (
        <MessageBar intent="success" data-testid="ps-certificate-trusted">
          <MessageBarBody>Certificate trusted for this connection. Sign in again.</MessageBarBody>
        </MessageBar>
      ) : null}
      {error ? <ErrorBar error={error} /> : null}
      <div className={styles.row}>
        <Button id={`ps-signin-${id}`} type="submit" appearance="primary" disabled={busy || !login.trim() || !password}>
          Sign in
        </Button>
        {busy ? <Spinner size="tiny" label="Signing in…" /> : null}
      </div>
    </form>
  );
}
