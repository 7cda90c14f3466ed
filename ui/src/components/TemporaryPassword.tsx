import { Button, Field, MessageBar, MessageBarBody, Text, makeStyles, tokens } from "@fluentui/react-components";
import { CopyRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { copyToClipboard } from "../ipc/api";
import type { AppError } from "../ipc/types";
import { ErrorBar } from "./ErrorBar";

/** Rust clears the clipboard after this long, so the password does not linger there. */
export const CLIPBOARD_CLEAR_SECONDS = 30;

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  password: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase400,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
    userSelect: "all",
    letterSpacing: "0.05em",
  },
});

/** The temporary password, shown once. It lives only in this component's props. */
export function TemporaryPassword({ password }: { password: string }) {
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const copy = async () => {
    setError(null);
    try {
      await copyToClipboard(password, CLIPBOARD_CLEAR_SECONDS);
      setCopied(true);
    } catch (e) {
      setError(e as AppError);
    }
  };

  return (
    <div className={styles.box}>
      <Field label="Temporary password">
        <div className={styles.row}>
          <span id="temporary-password" data-testid="temporary-password" className={styles.password}>
            {password}
          </span>
          <Button id="copy-password" icon={<CopyRegular />} onClick={() => void copy()}>
            Copy
          </Button>
          {copied ? (
            <Text id="copy-status" data-testid="copy-status">
              Copied — the clipboard is cleared in {CLIPBOARD_CLEAR_SECONDS} s
            </Text>
          ) : null}
        </div>
      </Field>
      <MessageBar intent="info">
        <MessageBarBody>This password is shown only once. The user must change it at next sign-in.</MessageBarBody>
      </MessageBar>
      {error ? <ErrorBar error={error} /> : null}
    </div>
  );
}
