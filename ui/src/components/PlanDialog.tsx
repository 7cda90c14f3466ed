import {
  Badge,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import type { ActionFlow } from "../hooks/useActionFlow";
import type { ApproverSignIn } from "../ipc/api";
import type { ActionOptions, ApprovalStep, CodeToSend, Plan, VerificationEvidence } from "../ipc/types";
import { ACTION_LABELS } from "../format";
import { ConfirmationDialog } from "./ConfirmationDialog";
import { ReasonField } from "./ReasonField";
import { RoleBadges } from "./RoleBadges";
import { SafetyChecks, safetySatisfied } from "./SafetyChecks";

const useStyles = makeStyles({
  facts: {
    display: "grid",
    gridTemplateColumns: "120px 1fr",
    rowGap: tokens.spacingVerticalXS,
    columnGap: tokens.spacingHorizontalM,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0 },
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalXXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  blocked: { color: tokens.colorPaletteDarkOrangeForeground1 },
});

type DialogFlow = Exclude<ActionFlow, { stage: "idle" } | { stage: "done" }>;

export function isPlanDialogStage(flow: ActionFlow): flow is DialogFlow {
  return flow.stage !== "idle" && flow.stage !== "done";
}

export interface PlanDialogProps {
  flow: DialogFlow;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
  /** The operator changed an option: Rust plans again. */
  onOptionsChange?: (options: ActionOptions) => void;
  /** The safety steps (see SafetyChecks); each rejects with Rust's error. */
  onSendCode?: (destinationId: string) => Promise<CodeToSend>;
  onVerify?: (evidence: VerificationEvidence) => Promise<void>;
  onApprove?: (form: ApproverSignIn) => Promise<ApprovalStep>;
}

const notWired = () => Promise.reject({ kind: "Internal", message: "Not available here.", detail: null });

/** "Summary of your request": what Rust will do, and the operator's reason, before anything changes. */
export function PlanDialog({
  flow,
  onConfirm,
  onCancel,
  onOptionsChange,
  onSendCode = notWired,
  onVerify = notWired,
  onApprove = notWired,
}: PlanDialogProps) {
  const [reason, setReason] = useState("");
  const action = flow.stage === "planning" || flow.stage === "planFailed" ? flow.action : flow.plan.action;
  const executing = flow.stage === "executing";
  const canConfirm =
    flow.stage === "confirming" &&
    !flow.stale &&
    reason.trim().length > 0 &&
    safetySatisfied(flow.plan, flow.verification, flow.approval);

  const confirmable = flow.stage === "confirming" || flow.stage === "executing";
  return (
    <ConfirmationDialog
      id="plan-dialog"
      title={ACTION_LABELS[action] ?? action}
      planning={flow.stage === "planning"}
      error={flow.stage === "planFailed" || flow.stage === "confirming" ? flow.error : null}
      busy={executing ? "Running…" : null}
      confirm={flow.stage === "planFailed" ? null : { label: "Confirm", disabled: !canConfirm, onClick: () => onConfirm(reason) }}
      onCancel={onCancel}
    >
      {flow.stage === "confirming" ? (
        <PlanOptions
          plan={flow.plan}
          options={flow.options}
          disabled={!onOptionsChange}
          onChange={(options) => onOptionsChange?.(options)}
        />
      ) : null}
      {flow.stage === "confirming" && flow.stale && !flow.error ? (
        <Spinner size="tiny" label="Updating the summary…" data-testid="plan-updating" />
      ) : null}
      {confirmable ? <PlanSummary plan={flow.plan} /> : null}
      {flow.stage === "confirming" ? (
        <SafetyChecks
          plan={flow.plan}
          verification={flow.verification}
          approval={flow.approval}
          disabled={flow.stale}
          onSendCode={onSendCode}
          onVerify={onVerify}
          onApprove={onApprove}
        />
      ) : null}
      {confirmable ? (
        <ReasonField
          value={reason}
          disabled={executing}
          onChange={setReason}
          onEnter={() => {
            if (canConfirm) onConfirm(reason);
          }}
        />
      ) : null}
    </ConfirmationDialog>
  );
}

/**
 * The choices Rust plans with: "Also revoke the user's sessions" for a password or MFA reset,
 * and a Temporary Access Pass's lifetime (within the tenant policy's range, shown) and one-time use.
 * Every change asks Rust for a new plan; the lifetime is sent when the field is left or Enter is pressed.
 */
function PlanOptions({
  plan,
  options,
  disabled,
  onChange,
}: {
  plan: Plan;
  options: ActionOptions;
  disabled: boolean;
  onChange: (options: ActionOptions) => void;
}) {
  const terms = plan.temporaryAccessPass;
  const shownLifetime = options.tapLifetimeMinutes ?? terms?.lifetimeMinutes;
  const [lifetime, setLifetime] = useState(shownLifetime !== undefined ? String(shownLifetime) : "");
  const offersRevoke = plan.alsoRevokeSessions !== null && plan.alsoRevokeSessions !== undefined;
  if (!offersRevoke && !terms) return null;

  const sendLifetime = () => {
    const minutes = Number(lifetime);
    if (lifetime.trim() === "" || !Number.isInteger(minutes) || minutes === options.tapLifetimeMinutes) return;
    if (options.tapLifetimeMinutes === undefined && minutes === terms?.lifetimeMinutes) return;
    onChange({ ...options, tapLifetimeMinutes: minutes });
  };

  return (
    <div data-testid="plan-options">
      {offersRevoke ? (
        <Checkbox
          id="also-revoke"
          label="Also revoke the user's sessions"
          checked={options.alsoRevokeSessions ?? false}
          disabled={disabled}
          onChange={(_, data) => onChange({ ...options, alsoRevokeSessions: data.checked === true })}
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
            checked={options.tapUsableOnce ?? terms.usableOnce}
            disabled={disabled || terms.policy.isUsableOnce}
            onChange={(_, data) => onChange({ ...options, tapUsableOnce: data.checked === true })}
          />
        </>
      ) : null}
    </div>
  );
}

function PlanSummary({ plan }: { plan: Plan }) {
  const styles = useStyles();
  return (
    <>
      <Subtitle2 as="h2">Summary of your request</Subtitle2>
      <dl className={styles.facts}>
        <dt className={styles.term}>Action</dt>
        <dd className={styles.value} data-testid="plan-action">
          {ACTION_LABELS[plan.action] ?? plan.action}
        </dd>
        <dt className={styles.term}>Target</dt>
        <dd className={styles.value} data-testid="plan-target">
          <strong>{plan.target.displayName}</strong> ({plan.target.userPrincipalName})
        </dd>
        <dt className={styles.term}>Admin roles</dt>
        <dd className={styles.value}>
          <RoleBadges roles={plan.target.adminRoles} />
        </dd>
        <dt className={styles.term}>Signed in as</dt>
        <dd className={styles.value}>{plan.operatorUpn}</dd>
      </dl>
      <Subtitle2 as="h3">Steps</Subtitle2>
      {plan.steps.length === 0 ? (
        <span data-testid="plan-no-steps">Nothing to do: the user has nothing this action would change.</span>
      ) : (
        <ol className={styles.steps}>
          {plan.steps.map((step) => (
            <li
              key={step.index}
              data-testid="plan-step"
              data-step-type={step.kind.type}
              data-blocked={step.blocked ? "true" : "false"}
            >
              {step.summary}
              {step.blocked ? (
                <>
                  {" "}
                  <Badge appearance="tint" color="warning">Will not run</Badge>{" "}
                  <span className={styles.blocked}>{step.blocked}</span>
                </>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {plan.warnings.map((warning, index) => (
        <MessageBar key={index} intent="warning" layout="multiline" data-testid="plan-warning">
          <MessageBarBody>{warning}</MessageBarBody>
        </MessageBar>
      ))}
    </>
  );
}
