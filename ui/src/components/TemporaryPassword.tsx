import { Button, Input, Label, MessageBar, MessageBarBody, Text, makeStyles, tokens } from "@fluentui/react-components";
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
  field: { width: "28ch", backgroundColor: tokens.colorNeutralBackground3 },
  password: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase400,
    letterSpacing: "0.05em",
  },
});

export interface TemporaryPasswordProps {
  password: string;
  /** The result's handle of this secret: "Copy" sends it, and Rust copies what it set. Without one, there is no Copy. */
  copyHandle: string | null | undefined;
  /** The heading; the Temporary Access Pass reuses this view with its own words and ids. */
  label?: string;
  inputId?: string;
  copyButtonId?: string;
  note?: string;
}

/** A one-time secret (temporary password or Temporary Access Pass), shown once. It lives only in this component's props. */
export function TemporaryPassword({
  password,
  copyHandle,
  label = "Temporary password",
  inputId = "temporary-password",
  copyButtonId = "copy-password",
  note = "This password is shown only once. The user must change it at next sign-in.",
}: TemporaryPasswordProps) {
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const copy = async () => {
    setError(null);
    try {
      if (copyHandle) await copyToClipboard(copyHandle, CLIPBOARD_CLEAR_SECONDS);
      setCopied(true);
    } catch (e) {
      setError(e as AppError);
    }
  };

  return (
    <div className={styles.box}>
      <Label htmlFor={inputId} weight="semibold">
        {label}
      </Label>
      <div className={styles.row}>
        {/* A read-only input: selectable, and its value readable by WebDriver's getValue. */}
        <Input
          readOnly
          value={password}
          className={styles.field}
          input={{ id: inputId, className: styles.password, spellCheck: false, autoComplete: "off" }}
          data-testid={inputId}
          onFocus={(event) => event.target.select()}
        />
        {copyHandle ? (
          <Button id={copyButtonId} icon={<CopyRegular />} onClick={() => void copy()}>
            Copy
          </Button>
        ) : null}
        {copied ? (
          <Text id="copy-status" data-testid="copy-status">
            Copied — the clipboard is cleared in {CLIPBOARD_CLEAR_SECONDS} s
          </Text>
        ) : null}
      </div>
      <MessageBar intent="info">
        <MessageBarBody>{note}</MessageBarBody>
      </MessageBar>
      {error ? <ErrorBar error={error} /> : null}
    </div>
  );
}
