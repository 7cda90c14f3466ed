import {
  Badge,
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CloudArrowUpRegular, HandRightRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { useDeviceSignIn } from "../hooks/useDeviceSignIn";
import type { ActionFlow } from "../hooks/useActionFlow";
import type { ApproverSignIn } from "../ipc/api";
import type { ActionOptions, ApprovalStep, CodeToSend, ProviderPlan, ProviderStep, VerificationEvidence } from "../ipc/types";
import { ConfirmationDialog } from "./ConfirmationDialog";
import { ErrorBar } from "./ErrorBar";
import { ReasonField } from "./ReasonField";
import { BadgeList } from "./RoleBadges";
import { SafetyChecks, safetySatisfied } from "./SafetyChecks";
import { DeviceCodeBox } from "./providers/DeviceCodeBox";
import { ChoicesForm } from "./providers/optionForms";

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
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalXXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  byHand: {
    borderLeft: `3px solid ${tokens.colorPaletteMarigoldBorderActive}`,
    paddingLeft: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorPaletteMarigoldBackground1,
  },
  why: { color: tokens.colorNeutralForeground2, display: "block" },
  blocked: { color: tokens.colorPaletteDarkOrangeForeground1 },
});

export type PlanDialogFlow = Extract<ActionFlow, { stage: "planning" | "planFailed" | "confirm" }>;

export function isPlanDialogStage(flow: ActionFlow): flow is PlanDialogFlow {
  return flow.stage === "planning" || flow.stage === "planFailed" || flow.stage === "confirm";
}

export interface PlanDialogProps {
  flow: PlanDialogFlow;
  /** The action's label as Rust offered it: the dialog's title until Rust's plan names it. */
  offeredLabel: string;
  connectionId: string;
  /** The sandbox's demo account to sign in again as (the one signed in); undefined for a real directory. */
  reauthAccount?: string;
  onRun: (reason: string) => void;
  onSignedInAgain: () => void;
  onCancel: () => void;
  /** The operator changed a choice of the provider's option form: Rust plans again. */
  onChoicesChange: (choices: ActionOptions) => void;
  /** The caller's verification (see SafetyChecks); each rejects with Rust's error. */
  onSendCode: (destinationId: string) => Promise<CodeToSend>;
  onVerify: (evidence: VerificationEvidence) => Promise<void>;
  /** A second person's sign-in (see SecondPersonApproval); rejects with Rust's refusal. */
  onApprove: (form: ApproverSignIn) => Promise<ApprovalStep>;
}

/**
 * "Summary of your request", the one confirmation of every provider's action: what Rust will do,
 * step by step — the ones the operator finishes in the provider's console set apart, a step the
 * operator's roles will not let run marked with why —, the warnings, the provider's option form
 * where it has one, the safety checks and the reason, before anything changes. Where the admin
 * centre asks twice (Zoho's Reset MFA), so does this; a plan that needs a recent sign-in
 * (Zoho's) is renewed here.
 */
export function PlanDialog({
  flow,
  offeredLabel,
  connectionId,
  reauthAccount,
  onRun,
  onSignedInAgain,
  onCancel,
  onChoicesChange,
  onSendCode,
  onVerify,
  onApprove,
}: PlanDialogProps) {
  const [reason, setReason] = useState("");
  const [confirmations, setConfirmations] = useState(0);
  // Set once the operator confirmed: a run refused for a stale sign-in is retried after signing in again.
  const [submitted, setSubmitted] = useState(false);
  const freshSignIn = useDeviceSignIn(connectionId);

  const confirming = flow.stage === "confirm" ? flow : null;
  const plan = confirming?.plan ?? null;
  const running = confirming?.running ?? false;
  const stale = confirming?.stale ?? false;
  const needsFreshSignIn = confirming?.needsFreshSignIn ?? false;
  const required = Math.max(1, plan?.confirmationsRequired ?? 1);
  const busy = running || freshSignIn.busy;
  const safe = confirming ? safetySatisfied(confirming.plan, confirming.verification, confirming.approval) : false;
  const canConfirm = plan !== null && !busy && !stale && !needsFreshSignIn && safe && reason.trim().length > 0;

  const confirm = () => {
    if (!canConfirm) return;
    if (confirmations + 1 < required) {
      setConfirmations(confirmations + 1);
      return;
    }
    setSubmitted(true);
    onRun(reason.trim());
  };

  const signInAgain = async () => {
    const account = await freshSignIn.signIn(reauthAccount);
    if (!account) return;
    onSignedInAgain();
    if (submitted) onRun(reason.trim());
  };

  return (
    <ConfirmationDialog
      id="plan-dialog"
      title={plan ? plan.actionLabel : offeredLabel}
      planning={flow.stage === "planning"}
      error={flow.stage === "planFailed" || flow.stage === "confirm" ? flow.error : null}
      busy={running ? "Running…" : null}
      locked={freshSignIn.busy}
      confirm={
        plan
          ? {
              label: required > 1 ? "Yes, Reset" : "Confirm",
              disabled: !canConfirm,
              onClick: confirm,
            }
          : null
      }
      onCancel={onCancel}
    >
      {confirming && plan?.choices ? (
        <ChoicesForm planned={plan.choices} choices={confirming.choices} disabled={running} onChange={onChoicesChange} />
      ) : null}
      {stale && !confirming?.error ? <Spinner size="tiny" label="Updating the summary…" data-testid="plan-updating" /> : null}
      {plan ? <PlanSummary plan={plan} /> : null}
      {confirming && plan ? (
        <>
          {needsFreshSignIn ? (
            <MessageBar intent="info" layout="multiline" data-testid="fresh-sign-in">
              <MessageBarBody>
                <MessageBarTitle>Sign in again to confirm it is you</MessageBarTitle>
                ResetDesk asks for a {plan.adminCentre} sign-in no older than {plan.freshSignIn?.maxAgeMinutes ?? "a few"} minutes
                before a reset (your organisation&apos;s setting), as {plan.adminCentre}&apos;s admin panel asks for the
                administrator&apos;s password.
              </MessageBarBody>
              <MessageBarActions>
                <Button id="reauth-button" disabled={freshSignIn.busy} onClick={() => void signInAgain()}>
                  Sign in again
                </Button>
              </MessageBarActions>
            </MessageBar>
          ) : null}
          {freshSignIn.prompt ? <DeviceCodeBox prompt={freshSignIn.prompt} sandbox={reauthAccount !== undefined} /> : null}
          {freshSignIn.error ? <ErrorBar error={freshSignIn.error} /> : null}
          <SafetyChecks
            plan={{ connectionId: plan.connectionId, operatorUpn: plan.operator, safety: plan.safety }}
            verification={confirming.verification}
            approval={confirming.approval}
            disabled={busy || stale || confirmations > 0}
            onSendCode={onSendCode}
            onVerify={onVerify}
            onApprove={onApprove}
          />
          <ReasonField
            value={reason}
            disabled={busy || confirmations > 0}
            onChange={setReason}
            onEnter={() => {
              if (required === 1) confirm();
            }}
          />
          {confirmations > 0 ? (
            <MessageBar intent="error" layout="multiline" data-testid="second-confirmation">
              <MessageBarBody>
                <MessageBarTitle>Are you sure?</MessageBarTitle>
                {plan.steps.every((step) => step.performed.performed === "byHand")
                  ? `ResetDesk changes nothing itself: you do ${plan.actionLabel} for ${plan.target.name} in the admin panel, where it cannot be undone. Click Yes, Reset again to go on to its steps.`
                  : `${plan.actionLabel} for ${plan.target.name} cannot be undone. Click Yes, Reset again to go ahead.`}
              </MessageBarBody>
            </MessageBar>
          ) : null}
        </>
      ) : null}
    </ConfirmationDialog>
  );
}

function PlanSummary({ plan }: { plan: ProviderPlan }) {
  const styles = useStyles();
  // Who does each step is said only where the operator has some to do themselves.
  const someByHand = plan.steps.some((step) => step.performed.performed === "byHand");
  return (
    <>
      <Subtitle2 as="h2">Summary of your request</Subtitle2>
      {/* The action is the dialog's title; then whom it is for and who does it, then its steps. */}
      <dl className={styles.facts}>
        <dt className={styles.term}>Target</dt>
        <dd className={styles.value} data-testid="plan-target">
          <strong>{plan.target.name}</strong> ({plan.target.detail})
        </dd>
        {plan.target.roles ? (
          <>
            <dt className={styles.term}>Admin roles</dt>
            <dd className={styles.value}>
              {plan.target.roles.length === 0 ? (
                <span>No admin roles</span>
              ) : (
                <BadgeList items={plan.target.roles.map((role) => ({ key: role, label: role }))} testId="role-badge" />
              )}
            </dd>
          </>
        ) : null}
        <dt className={styles.term}>Signed in as</dt>
        <dd className={styles.value}>{plan.operator}</dd>
      </dl>
      {plan.steps.length === 0 ? (
        <span data-testid="plan-no-steps">Nothing to do: the user has nothing this action would change.</span>
      ) : (
        <ol className={styles.steps}>
          {plan.steps.map((step, index) => (
            <StepLine key={index} step={step} adminCentre={plan.adminCentre} setApart={someByHand} />
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

function StepLine({ step, adminCentre, setApart }: { step: ProviderStep; adminCentre: string; setApart: boolean }) {
  const styles = useStyles();
  const performed = step.performed;
  return (
    <li
      data-testid="plan-step"
      data-performed={performed.performed}
      data-step-type={step.kind ?? undefined}
      data-blocked={step.blocked ? "true" : "false"}
      className={performed.performed === "byHand" ? styles.byHand : undefined}
    >
      {performed.performed === "byHand" ? (
        <>
          <Badge appearance="filled" color="warning" icon={<HandRightRegular />} data-testid="finish-by-hand">
            Finish in {adminCentre}
          </Badge>{" "}
          {step.summary}
          <Text size={200} className={styles.why}>
            {performed.why}
          </Text>
        </>
      ) : setApart ? (
        <>
          <Badge appearance="tint" color="brand" icon={<CloudArrowUpRegular />}>
            ResetDesk does this
          </Badge>{" "}
          {step.summary}
        </>
      ) : (
        step.summary
      )}
      {step.blocked ? (
        <>
          {" "}
          <Badge appearance="tint" color="warning">Will not run</Badge> <span className={styles.blocked}>{step.blocked}</span>
        </>
      ) : null}
    </li>
  );
}
