import { Select } from "@fluentui/react-components";
import type { DemoAccount } from "../ipc/types";

/**
 * The sandbox's demo accounts as one select, the same on every sign-in form (an operator's or an
 * approver's, whichever provider's): each named with its role, valued by its login.
 */
export function DemoAccountSelect({
  id,
  accounts,
  value,
  disabled = false,
  placeholder,
  onChange,
}: {
  id: string;
  accounts: DemoAccount[];
  value: string;
  disabled?: boolean;
  /** A first, empty choice (a form whose fields can also be typed by hand). */
  placeholder?: string;
  onChange: (login: string) => void;
}) {
  return (
    <Select id={id} value={value} disabled={disabled} onChange={(_, data) => onChange(data.value)}>
      {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
      {accounts.map((account) => (
        <option key={account.userPrincipalName} value={account.userPrincipalName}>
          {account.displayName} — {account.roleLabel}
        </option>
      ))}
    </Select>
  );
}
