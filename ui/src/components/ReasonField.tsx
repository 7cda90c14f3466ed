import { Field, Input } from "@fluentui/react-components";

/**
 * The operator's reason or ticket number, asked in the same words by every confirmation (a user's
 * action, whatever its provider, and a Lighthouse job). It goes into the audit log; Rust refuses
 * a run without one.
 */
export function ReasonField({
  value,
  onChange,
  disabled,
  hint = "Recorded in the audit log with this action.",
  onEnter,
}: {
  value: string;
  onChange: (value: string) => void;
  disabled: boolean;
  hint?: string;
  /** Enter in the field (where the dialog confirms with it). */
  onEnter?: () => void;
}) {
  return (
    <Field label="Reason or ticket number" required hint={hint}>
      <Input
        id="reason-input"
        value={value}
        disabled={disabled}
        onChange={(_, data) => onChange(data.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") onEnter?.();
        }}
      />
    </Field>
  );
}
