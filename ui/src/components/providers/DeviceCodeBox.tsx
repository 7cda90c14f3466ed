import { MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { DeviceCodePrompt } from "../../ipc/types";
import { formatDateTime } from "../../format";

const useStyles = makeStyles({
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase500,
    letterSpacing: "0.1em",
    fontWeight: tokens.fontWeightSemibold,
  },
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
});

/**
 * The code of Zoho's device sign-in. The page cannot open a browser (no shell plugin): for a real
 * organisation Rust has opened Zoho's page already, so this only says what to type there, and where,
 * should the tab be lost. In the sandbox nothing opens: its emulator approves the code itself.
 */
export function DeviceCodeBox({ prompt, sandbox }: { prompt: DeviceCodePrompt; sandbox: boolean }) {
  const styles = useStyles();
  return (
    <MessageBar intent="info" layout="multiline" data-testid="zoho-device-code">
      <MessageBarBody className={styles.body}>
        <MessageBarTitle>
          {sandbox
            ? "The sandbox approves this code for the demo account (nothing opens in your browser)"
            : "Enter this code on Zoho's page, which ResetDesk opened in your browser"}
        </MessageBarTitle>
        <Text className={styles.code} data-testid="zoho-user-code">
          {prompt.userCode}
        </Text>
        <Text size={200} data-testid="zoho-verification-url">
          {prompt.verificationUrl} · valid until {formatDateTime(prompt.expiresAt)}
        </Text>
        <Spinner size="tiny" label="Waiting for Zoho to confirm…" labelPosition="after" />
      </MessageBarBody>
    </MessageBar>
  );
}
