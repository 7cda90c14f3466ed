import { Checkbox, Field, Input } from "@fluentui/react-components";
import { useState } from "react";
import type { ActionOptions, PlanChoices, ProviderPlan, UserPage } from "../../ipc/types";

type EntraChoices = Extract<PlanChoices, { form: "entra" }>;

/** What Entra's summary starts with: revoking sessions is on by default where it is offered. */
export function initialEntraChoices(action: string): ActionOptions | undefined {
  if (action === "resetPassword" || action === "requireReregisterMfa") return { alsoRevokeSessions: true };
  return undefined;
}

/** "Valid for 60 minutes, one-time use." from the terms an Entra pass was planned with. */
export function passTermsText(plan: ProviderPlan): string | undefined {
  const terms = plan.choices?.form === "entra" ? plan.choices.temporaryAccessPass : null;
  if (!terms) return undefined;
  return `Valid for ${terms.lifetimeMinutes} minutes, ${terms.usableOnce ? "one-time use" : "usable more than once"}.`;
}

/**
 * What Entra's admin centre offers next after a run: a Temporary Access Pass once the MFA
 * methods are gone (the user needs a way to register new ones), when this operator may issue one.
 */
export function entraFollowUp(plan: ProviderPlan, page: UserPage | null): string | undefined {
  const mayIssuePass = page?.offers.some((offer) => offer.action === "issueTemporaryAccessPass" && offer.allowed) ?? false;
  return plan.action === "requireReregisterMfa" && mayIssuePass ? "issueTemporaryAccessPass" : undefined;
}

/**
 * Entra's option form in the summary: "Also revoke the user's sessions" for a password or MFA
 * reset, and a Temporary Access Pass's lifetime (within the tenant policy's range, shown) and
 * one-time use. Every change asks Rust for a new plan; the lifetime is sent when the field is
 * left or Enter is pressed.
 */
export function EntraPlanChoices({
  planned,
  choices,
  disabled,
  onChange,
}: {
  planned: EntraChoices;
  choices: ActionOptions;
  disabled: boolean;
  onChange: (choices: ActionOptions) => void;
}) {
  const terms = planned.temporaryAccessPass;
  const shownLifetime = choices.tapLifetimeMinutes ?? terms?.lifetimeMinutes;
  const [lifetime, setLifetime] = useState(shownLifetime !== undefined ? String(shownLifetime) : "");
  const offersRevoke = planned.alsoRevokeSessions !== null;

  const sendLifetime = () => {
    const minutes = Number(lifetime);
    if (lifetime.trim() === "" || !Number.isInteger(minutes) || minutes === choices.tapLifetimeMinutes) return;
    if (choices.tapLifetimeMinutes === undefined && minutes === terms?.lifetimeMinutes) return;
    onChange({ ...choices, tapLifetimeMinutes: minutes });
  };

  return (
    <div data-testid="plan-options">
      {offersRevoke ? (
        <Checkbox
          id="also-revoke"
          label="Also revoke the user's sessions"
          checked={choices.alsoRevokeSessions ?? false}
          disabled={disabled}
          onChange={(_, data) => onChange({ ...choices, alsoRevokeSessions: data.checked === true })}
        />
      ) : null}
      {terms ? (
        <>
          <Field
            label="Lifetime (minutes)"
            hint={`Between ${terms.policy.minimumLifetimeMinutes} and ${terms.policy.maximumLifetimeMinutes} minutes (this tenant's policy).`}
          >
            <Input
              id="tap-lifetime"
              type="number"
              min={terms.policy.minimumLifetimeMinutes}
              max={terms.policy.maximumLifetimeMinutes}
              value={lifetime}
              disabled={disabled}
              onChange={(_, data) => setLifetime(data.value)}
              onBlur={sendLifetime}
              onKeyDown={(event) => {
                if (event.key === "Enter") sendLifetime();
              }}
            />
          </Field>
          <Checkbox
            id="tap-once"
            label={terms.policy.isUsableOnce ? "One-time use (required by this tenant's policy)" : "One-time use"}
            checked={choices.tapUsableOnce ?? terms.usableOnce}
            disabled={disabled || terms.policy.isUsableOnce}
            onChange={(_, data) => onChange({ ...choices, tapUsableOnce: data.checked === true })}
          />
        </>
      ) : null}
    </div>
  );
}
