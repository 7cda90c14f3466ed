import {
  Badge,
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CloudArrowUpRegular, HandRightRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { useZohoSignIn } from "../../hooks/useZohoSignIn";
import type { ProviderFlow } from "../../hooks/useProviderFlow";
import { isZohoAction } from "../../hooks/useProviderFlow";
import type { ApproverSignIn } from "../../ipc/api";
import type { ApprovalStep, CodeToSend, ProviderStep, VerificationEvidence } from "../../ipc/types";
import { ConfirmationDialog } from "../ConfirmationDialog";
import { ErrorBar } from "../ErrorBar";
import { ReasonField } from "../ReasonField";
import { SafetyChecks, safetySatisfied } from "../SafetyChecks";
import { DeviceCodeBox } from "./DeviceCodeBox";

const useStyles = makeStyles({
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalXXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  byHand: {
    borderLeft: `3px solid ${tokens.colorPaletteMarigoldBorderActive}`,
    paddingLeft: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorPaletteMarigoldBackground1,
  },
  why: { color: tokens.colorNeutralForeground2, display: "block" },
  target: { color: tokens.colorNeutralForeground2 },
});

/** "Zoho" or "Privilege Secure": where a by-hand step is finished. */
export function providerName(action: string): string {
  return isZohoAction(action) ? "Zoho" : "Privilege Secure";
}

function StepLine({ step, provider }: { step: ProviderStep; provider: string }) {
  const styles = useStyles();
  const performed = step.performed;
  return (
    <li data-testid="provider-plan-step" data-performed={performed.performed} className={performed.performed === "byHand" ? styles.byHand : undefined}>
      {performed.performed === "byHand" ? (
        <>
          <Badge appearance="filled" color="warning" icon={<HandRightRegular />} data-testid="finish-by-hand">
            Finish in {provider}
          </Badge>{" "}
          {step.summary}
          <Text size={200} className={styles.why}>
            {performed.why}
          </Text>
        </>
      ) : (
        <>
          <Badge appearance="tint" color="brand" icon={<CloudArrowUpRegular />}>
            ResetDesk does this
          </Badge>{" "}
          {step.summary}
        </>
      )}
    </li>
  );
}

export interface ProviderPlanDialogProps {
  flow: Extract<ProviderFlow, { stage: "planning" | "planFailed" | "confirm" }>;
  connectionId: string;
  /** The sandbox's demo account to sign in again as (the one signed in); undefined for a real Zoho. */
  reauthAccount?: string;
  onRun: (reason: string) => void;
  onSignedInAgain: () => void;
  onCancel: () => void;
  /** The caller's verification (see SafetyChecks); each rejects with Rust's error. */
  onSendCode: (destinationId: string) => Promise<CodeToSend>;
  onVerify: (evidence: VerificationEvidence) => Promise<void>;
  /** A second person's sign-in (see SecondPersonApproval); rejects with Rust's refusal. */
  onApprove: (form: ApproverSignIn) => Promise<ApprovalStep>;
}

/**
 * The confirmation of a Zoho or Privilege Secure action: every step Rust planned, the ones the
 * operator must finish in the provider's console set apart, the warnings, and the reason. Zoho
 * Reset MFA asks twice ("Yes, Reset", as Zoho does); a stale Zoho sign-in is renewed here. A reset
 * waits for the caller's verification and, where Rust says so, a second person's approval, under
 * the same rules as Entra's (decided and kept in Rust).
 */
export function ProviderPlanDialog({
  flow,
  connectionId,
  reauthAccount,
  onRun,
  onSignedInAgain,
  onCancel,
  onSendCode,
  onVerify,
  onApprove,
}: ProviderPlanDialogProps) {
  const styles = useStyles();
  const [reason, setReason] = useState("");
  const [confirmations, setConfirmations] = useState(0);
  // Set once the operator confirmed: a run refused for a stale sign-in is retried after signing in again.
  const [submitted, setSubmitted] = useState(false);
  const zoho = useZohoSignIn(connectionId);

  const plan = flow.stage === "confirm" ? flow.plan : null;
  const running = flow.stage === "confirm" && flow.running;
  const needsFreshSignIn = flow.stage === "confirm" && flow.needsFreshSignIn;
  const required = Math.max(1, plan?.confirmationsRequired ?? 1);
  const provider = providerName(flow.stage === "confirm" ? flow.plan.action : flow.action);
  const busy = running || zoho.busy;
  const verification = flow.stage === "confirm" ? flow.verification : null;
  const approval = flow.stage === "confirm" ? flow.approval : null;
  const safe = plan ? safetySatisfied(plan, verification, approval) : false;

  const confirm = () => {
    if (!reason.trim()) return;
    if (confirmations + 1 < required) {
      setConfirmations(confirmations + 1);
      return;
    }
    setSubmitted(true);
    onRun(reason.trim());
  };

  const signInAgain = async () => {
    const account = await zoho.signIn(reauthAccount);
    if (!account) return;
    onSignedInAgain();
    if (submitted) onRun(reason.trim());
  };

  return (
    <ConfirmationDialog
      id="provider-plan-dialog"
      title={plan ? `${plan.actionLabel}: ${plan.target.name}` : "Summary of your request"}
      planning={flow.stage === "planning"}
      error={flow.stage === "planFailed" || flow.stage === "confirm" ? flow.error : null}
      busy={running ? "Running…" : null}
      locked={zoho.busy}
      confirm={
        plan
          ? {
              label: required > 1 ? "Yes, Reset" : "Reset",
              disabled: busy || needsFreshSignIn || !safe || !reason.trim(),
              onClick: confirm,
            }
          : null
      }
      onCancel={onCancel}
    >
      {plan ? (
        <>
          <Text className={styles.target} data-testid="provider-plan-target">
            {plan.target.name} · {plan.target.detail}
          </Text>
          <Subtitle2 as="h2">Summary of your request</Subtitle2>
          <ol className={styles.steps}>
            {plan.steps.map((step, index) => (
              <StepLine key={index} step={step} provider={provider} />
            ))}
          </ol>
          {plan.warnings.map((warning, index) => (
            <MessageBar key={index} intent="warning" layout="multiline" data-testid="provider-plan-warning">
              <MessageBarBody>{warning}</MessageBarBody>
            </MessageBar>
          ))}
          {needsFreshSignIn ? (
            <MessageBar intent="info" layout="multiline" data-testid="fresh-sign-in">
              <MessageBarBody>
                <MessageBarTitle>Sign in again to confirm it is you</MessageBarTitle>
                ResetDesk asks for a Zoho sign-in no older than {plan.freshSignIn?.maxAgeMinutes ?? "a few"} minutes
                before a reset (your organisation&apos;s setting), as Zoho&apos;s admin panel asks for the
                administrator&apos;s password.
              </MessageBarBody>
              <MessageBarActions>
                <Button id="reauth-button" disabled={zoho.busy} onClick={() => void signInAgain()}>
                  Sign in again
                </Button>
              </MessageBarActions>
            </MessageBar>
          ) : null}
          {zoho.prompt ? <DeviceCodeBox prompt={zoho.prompt} sandbox={reauthAccount !== undefined} /> : null}
          {zoho.error ? <ErrorBar error={zoho.error} /> : null}
          <SafetyChecks
            plan={{ connectionId: plan.connectionId, operatorUpn: "", safety: plan.safety }}
            verification={verification}
            approval={approval}
            disabled={busy || confirmations > 0}
            onSendCode={onSendCode}
            onVerify={onVerify}
            onApprove={onApprove}
          />
          <ReasonField value={reason} disabled={busy || confirmations > 0} onChange={setReason} />
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
