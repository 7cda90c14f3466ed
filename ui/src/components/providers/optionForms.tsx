import type {
  ActionOptions,
  AppError,
  PasswordInput,
  PlanChoices,
  ProviderPlan,
  UserPage,
  ZohoResetPasswordOptions,
} from "../../ipc/types";
import { EntraPlanChoices, entraFollowUp, initialEntraChoices, passTermsText } from "./EntraPlanChoices";
import { ZohoResetPasswordDialog } from "./ZohoResetPasswordDialog";

/*
 * The providers' option forms, the one place the one flow (useActionFlow, PlanDialog,
 * UserActions) learns what differs per provider: which action opens its form before anything is
 * planned (Zoho's Reset password), what a summary's choices start as and which form shows them
 * (Entra's), and what the admin centre offers after a run.
 */

/** Actions whose option form comes before the plan: the password is chosen first, as in Zoho. */
const OPTIONS_FIRST: ReadonlySet<string> = new Set(["zohoResetPassword"]);

export function opensOptionsFirst(action: string): boolean {
  return OPTIONS_FIRST.has(action);
}

/** The choices an action is first planned with, where its summary offers some. */
export function initialChoices(action: string): ActionOptions | undefined {
  return initialEntraChoices(action);
}

/** The option form that comes before the plan of `action`; Review plans with what it chose. */
export function OptionsFirstForm({
  action,
  user,
  planning,
  error,
  onReview,
  onCancel,
}: {
  action: string;
  user: { displayName: string; email: string };
  planning: boolean;
  error: AppError | null;
  onReview: (options: ZohoResetPasswordOptions, password: PasswordInput) => void;
  onCancel: () => void;
}) {
  switch (action) {
    case "zohoResetPassword":
      return <ZohoResetPasswordDialog user={user} planning={planning} error={error} onReview={onReview} onCancel={onCancel} />;
    default:
      return null;
  }
}

/** The form of the choices a summary was planned with (Rust names it: `PlanChoices.form`). */
export function ChoicesForm({
  planned,
  choices,
  disabled,
  onChange,
}: {
  planned: PlanChoices;
  choices: ActionOptions;
  disabled: boolean;
  onChange: (choices: ActionOptions) => void;
}) {
  switch (planned.form) {
    case "entra":
      return <EntraPlanChoices planned={planned} choices={choices} disabled={disabled} onChange={onChange} />;
  }
}

/** What the result says of the secret it shows ("Valid for 60 minutes, one-time use."), if anything. */
export function secretTermsOf(plan: ProviderPlan): string | undefined {
  return passTermsText(plan);
}

/** The action the admin centre offers next after `plan` ran, if this operator may take it. */
export function followUpOf(plan: ProviderPlan, page: UserPage | null): string | undefined {
  return entraFollowUp(plan, page);
}
