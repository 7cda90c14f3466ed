import {
  Button,
  Checkbox,
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
  Radio,
  RadioGroup,
  Spinner,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import type { AppError, PasswordInput, ZohoResetPasswordOptions } from "../../ipc/types";
import { ErrorBar } from "../ErrorBar";

const useStyles = makeStyles({
  surface: { maxWidth: "640px", width: "90vw" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  indent: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, paddingLeft: tokens.spacingHorizontalXXL },
  length: { width: "10ch" },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
});

export const DEFAULT_PASSWORD_LENGTH = 16;

/** Which kinds of characters a random password uses (all by default). */
export interface CharacterRules {
  upper: boolean;
  lower: boolean;
  digits: boolean;
  symbols: boolean;
}

const ALL_CHARACTERS: CharacterRules = { upper: true, lower: true, digits: true, symbols: true };

const RULE_LABELS: Record<keyof CharacterRules, string> = {
  upper: "Capital letters",
  lower: "Small letters",
  digits: "Digits",
  symbols: "Symbols",
};

/** The password as the run will send it: typed text, or how Rust should generate one. */
export function toPasswordInput(
  mode: "typed" | "generate",
  typed: string,
  readAloud: boolean,
  length: number,
  rules: CharacterRules = ALL_CHARACTERS,
): PasswordInput {
  if (mode === "typed") return { mode: "typed", password: typed };
  // The length and character rules apply to the random style; the read-aloud style is made of
  // words and digits, whose counts Rust chooses.
  return readAloud ? { mode: "generate", readAloud: true } : { mode: "generate", readAloud: false, length, ...rules };
}

/**
 * Zoho's "Reset Password" dialog, as in the seed: type or generate the password, force a change
 * at login, sessions to clear (web sessions always), and whether Zoho e-mails the password.
 * Review asks Rust for the plan; nothing changes before the confirmation.
 */
export function ZohoResetPasswordDialog({
  user,
  planning,
  error,
  onReview,
  onCancel,
}: {
  user: { displayName: string; email: string };
  planning: boolean;
  error: AppError | null;
  onReview: (options: ZohoResetPasswordOptions, password: PasswordInput) => void;
  onCancel: () => void;
}) {
  const styles = useStyles();
  const [mode, setMode] = useState<"typed" | "generate">("generate");
  const [typed, setTyped] = useState("");
  const [readAloud, setReadAloud] = useState(false);
  const [lengthText, setLengthText] = useState(String(DEFAULT_PASSWORD_LENGTH));
  const [rules, setRules] = useState<CharacterRules>(ALL_CHARACTERS);
  const [forceChange, setForceChange] = useState(true);
  const [clearMobile, setClearMobile] = useState(false);
  const [emailPassword, setEmailPassword] = useState(false);

  const length = Number.parseInt(lengthText, 10);
  // Only the obvious is checked here (something typed, a number); Rust applies Zoho's password policy.
  const ready = mode === "typed" ? typed.length > 0 : readAloud || Number.isFinite(length);

  const review = () => {
    onReview(
      { forceChangeOnLogin: forceChange, clearMobileSessionsAndApiTokens: clearMobile, emailNewPassword: emailPassword },
      toPasswordInput(mode, typed, readAloud, length, rules),
    );
  };

  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && !planning && onCancel()}>
      <DialogSurface id="zoho-reset-password-dialog" className={styles.surface}>
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (ready && !planning) review();
          }}
        >
          <DialogBody>
            <DialogTitle>Reset password: {user.displayName}</DialogTitle>
            <DialogContent className={styles.content}>
              <Text>{user.email}</Text>
              <RadioGroup
                aria-label="New password"
                value={mode}
                disabled={planning}
                onChange={(_, data) => setMode(data.value === "typed" ? "typed" : "generate")}
              >
                <Radio id="password-mode-typed" value="typed" label="Type a password" />
                <Radio id="password-mode-generate" value="generate" label="Generate a password" />
              </RadioGroup>
              {mode === "typed" ? (
                <div className={styles.indent}>
                  <Field label="New password" required>
                    <Input
                      id="typed-password"
                      type="password"
                      autoComplete="new-password"
                      value={typed}
                      disabled={planning}
                      onChange={(_, data) => setTyped(data.value)}
                    />
                  </Field>
                </div>
              ) : (
                <div className={styles.indent}>
                  <Checkbox
                    id="read-aloud"
                    checked={readAloud}
                    disabled={planning}
                    label="Easy to read aloud over the phone"
                    onChange={(_, data) => setReadAloud(data.checked === true)}
                  />
                  {!readAloud ? (
                    <Field label="Length (characters)">
                      <Input
                        id="password-length"
                        type="number"
                        className={styles.length}
                        value={lengthText}
                        disabled={planning}
                        onChange={(_, data) => setLengthText(data.value)}
                      />
                    </Field>
                  ) : null}
                  {!readAloud
                    ? (Object.keys(RULE_LABELS) as (keyof CharacterRules)[]).map((rule) => (
                        <Checkbox
                          key={rule}
                          id={`password-${rule}`}
                          checked={rules[rule]}
                          disabled={planning}
                          label={RULE_LABELS[rule]}
                          onChange={(_, data) => setRules((current) => ({ ...current, [rule]: data.checked === true }))}
                        />
                      ))
                    : null}
                </div>
              )}
              <Checkbox
                id="force-change"
                checked={forceChange}
                disabled={planning}
                label="Force users to change the password on login"
                onChange={(_, data) => setForceChange(data.checked === true)}
              />
              <div className={styles.section}>
                <Subtitle2 as="h3">Active login sessions</Subtitle2>
                {/* Zoho always clears web sessions on a reset: shown so the operator knows, not a choice. */}
                <Checkbox id="clear-web" checked disabled label="Web sessions will be cleared automatically" />
                <Checkbox
                  id="clear-mobile"
                  checked={clearMobile}
                  disabled={planning}
                  label="Clear mobile sessions and API tokens"
                  onChange={(_, data) => setClearMobile(data.checked === true)}
                />
              </div>
              <Checkbox
                id="email-password"
                checked={emailPassword}
                disabled={planning}
                label="Email the new password to the user"
                onChange={(_, data) => setEmailPassword(data.checked === true)}
              />
              {emailPassword ? (
                <MessageBar intent="warning" layout="multiline" data-testid="email-password-warning">
                  <MessageBarBody>
                    The password travels in clear text by e-mail, to a mailbox the user may not be able to open while
                    locked out, and stays there. Prefer reading it to the user over the phone.
                  </MessageBarBody>
                </MessageBar>
              ) : null}
              {error ? <ErrorBar error={error} /> : null}
              {planning ? <Spinner size="small" label="Preparing the summary of your request…" /> : null}
            </DialogContent>
            <DialogActions>
              <Button id="cancel-button" disabled={planning} onClick={onCancel}>
                Cancel
              </Button>
              <Button id="review-button" type="submit" appearance="primary" disabled={!ready || planning}>
                Review
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
