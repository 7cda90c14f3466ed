import { Button, Field, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { useDeviceSignIn } from "../../hooks/useDeviceSignIn";
import type { ConnectionView } from "../../ipc/types";
import { DemoAccountSelect } from "../DemoAccountSelect";
import { ErrorBar } from "../ErrorBar";
import { DeviceCodeBox } from "./DeviceCodeBox";

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  row: { display: "flex", alignItems: "flex-end", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  picker: { minWidth: "360px" },
  hint: { color: tokens.colorNeutralForeground3 },
});

/** Sign in to a Zoho Directory connection: for the sandbox as a demo operator, else on Zoho's own page. */
export function ZohoSignInForm({ connection, onSignedIn }: { connection: ConnectionView; onSignedIn: () => Promise<void> }) {
  const styles = useStyles();
  const { prompt, busy, error, signIn } = useDeviceSignIn(connection.id);
  const needsAccount = connection.sandbox && connection.demoAccounts.length > 0;
  const [account, setAccount] = useState(connection.demoAccounts[0]?.userPrincipalName ?? "");

  const start = async () => {
    const signedIn = await signIn(needsAccount ? account : undefined);
    if (signedIn) await onSignedIn();
  };

  return (
    <div className={styles.box}>
      <div className={styles.row}>
        {needsAccount ? (
          <Field label="Sign in as" className={styles.picker}>
            <DemoAccountSelect id={`zoho-account-${connection.id}`} accounts={connection.demoAccounts} value={account} disabled={busy} onChange={setAccount} />
          </Field>
        ) : null}
        <Button
          id={`zoho-signin-${connection.id}`}
          appearance="primary"
          disabled={busy || (needsAccount && !account)}
          onClick={() => void start()}
        >
          Sign in with Zoho
        </Button>
        {!connection.sandbox && !busy ? (
          <Text size={200} className={styles.hint}>
            Zoho shows a code to confirm in your browser; ResetDesk opens the page for you.
          </Text>
        ) : null}
      </div>
      {prompt ? <DeviceCodeBox prompt={prompt} sandbox={connection.sandbox} /> : null}
      {error ? <ErrorBar error={error} /> : null}
    </div>
  );
}
