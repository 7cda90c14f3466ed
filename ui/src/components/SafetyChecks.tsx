import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Subtitle2,
  Text,
} from "@fluentui/react-components";
import { useState } from "react";
import type {
  AppError,
  ApprovalRecord,
  ApprovalStep,
  CodeToSend,
  PlanSafety,
  RateStatus,
  VerificationEvidence,
  VerificationOption,
  VerificationRecord,
} from "../ipc/types";
import type { ApproverSignIn } from "../ipc/api";
import { ErrorBar } from "./ErrorBar";
import { useSafetySectionStyles } from "./safetySectionStyles";
import { SecondPersonApproval } from "./SecondPersonApproval";


/** What the safety part reads of a plan, whichever provider's. */
export interface SafetyPlan {
  connectionId: string;
  /** Who planned it, not offered as approver; empty: whoever is signed in to the connection (a seam plan). */
  operatorUpn: string;
  safety: PlanSafety;
}

export interface SafetyChecksProps {
  plan: SafetyPlan;
  verification: VerificationRecord | null;
  approval: ApprovalRecord | null;
  /** While Rust re-plans for new options, nothing may be recorded. */
  disabled: boolean;
  onSendCode: (destinationId: string) => Promise<CodeToSend>;
  onVerify: (evidence: VerificationEvidence) => Promise<void>;
  onApprove: (form: ApproverSignIn) => Promise<ApprovalStep>;
}

/** Whether the confirmation is complete as far as safety goes (Rust checks again on confirm). */
export function safetySatisfied(
  plan: { safety: PlanSafety },
  verification: VerificationRecord | null,
  approval: ApprovalRecord | null,
): boolean {
  if (verification && !verification.passed) return false;
  if (plan.safety.verification.required && !verification?.passed) return false;
  if (plan.safety.approval.required && !approval) return false;
  return true;
}

/**
 * The confirmation's safety part, as Rust planned it: the operator's resets this hour, how the
 * caller is verified (with the directory's numbers and manager), and the second person's
 * approval. The page only sends what the operator did; Rust decides.
 */
export function SafetyChecks(props: SafetyChecksProps) {
  const { plan } = props;
  const safety = plan.safety;
  return (
    <>
      {safety.rate ? <RateLine rate={safety.rate} /> : null}
      {safety.verification.options.length > 0 ? <VerifyCaller {...props} /> : null}
      {safety.approval.required ? <Approval {...props} /> : null}
    </>
  );
}

function RateLine({ rate }: { rate: RateStatus }) {
  const nearly = rate.used + 1 >= rate.limit;
  // Rust says what it could not count (the tenant's audit log unreadable): the operator sees it.
  const text = `Resets you made in the last hour: ${rate.used} of ${rate.limit}.${rate.note ? ` ${rate.note}` : ""}`;
  return nearly ? (
    <MessageBar intent="warning" data-testid="rate-status">
      <MessageBarBody>
        {text} {rate.used + 1 === rate.limit ? "This is the last one your organisation allows this hour." : null}
      </MessageBarBody>
    </MessageBar>
  ) : (
    <Text size={200} data-testid="rate-status">
      {text}
    </Text>
  );
}

function VerifyCaller({ plan, verification, disabled, onSendCode, onVerify }: SafetyChecksProps) {
  const styles = useSafetySectionStyles();
  const requirement = plan.safety.verification;
  const firstUsable = requirement.options.find((o) => !o.unavailable)?.method;
  const [method, setMethod] = useState(firstUsable);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = requirement.options.find((o) => o.method === method);

  const record = async (evidence: VerificationEvidence) => {
    setBusy(true);
    setError(null);
    try {
      await onVerify(evidence);
    } catch (e) {
      setError(e as AppError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className={styles.section} aria-labelledby="verify-heading" data-testid="verification">
      <Subtitle2 as="h3" id="verify-heading">
        Verify the caller {requirement.required ? "(required by your organisation)" : "(optional)"}
      </Subtitle2>
      {verification ? (
        <MessageBar
          intent={verification.passed ? "success" : "error"}
          layout="multiline"
          data-testid="verification-result"
          data-passed={verification.passed ? "true" : "false"}
        >
          <MessageBarBody>
            {verification.passed ? "Caller verified. " : "The caller could not be verified: this request is closed and recorded in Activity. "}
            {verification.detail}
          </MessageBarBody>
        </MessageBar>
      ) : (
        <>
          <Text size={200}>Knowledge questions (date of birth, employee number…) never verify a caller on their own.</Text>
          <RadioGroup
            id="verification-method"
            aria-labelledby="verify-heading"
            value={method ?? ""}
            onChange={(_, data) => {
              setMethod(data.value as VerificationOption["method"]);
              setError(null);
            }}
          >
            {requirement.options.map((option) => (
              <Radio
                key={option.method}
                id={`verify-${option.method}`}
                value={option.method}
                disabled={disabled || !!option.unavailable}
                label={option.unavailable ? `${option.label} — not possible: ${option.unavailable}` : option.label}
              />
            ))}
          </RadioGroup>
          {chosen ? (
            <MethodPanel
              key={chosen.method}
              option={chosen}
              disabled={disabled || busy}
              onRecord={record}
              onSendCode={onSendCode}
              onError={setError}
            />
          ) : null}
          {busy ? <Spinner size="tiny" label="Recording…" /> : null}
          {error ? <ErrorBar error={error} /> : null}
        </>
      )}
    </section>
  );
}

function MethodPanel({
  option,
  disabled,
  onRecord,
  onSendCode,
  onError,
}: {
  option: VerificationOption;
  disabled: boolean;
  onRecord: (evidence: VerificationEvidence) => Promise<void>;
  onSendCode: (destinationId: string) => Promise<CodeToSend>;
  onError: (error: AppError | null) => void;
}) {
  const styles = useSafetySectionStyles();
  const [phoneId, setPhoneId] = useState(option.phones[0]?.id ?? "");
  const [destinationId, setDestinationId] = useState(option.destinations[0]?.id ?? "");
  const [code, setCode] = useState<CodeToSend | null>(null);
  const [readBack, setReadBack] = useState("");
  const [ticket, setTicket] = useState("");

  const outcomeButtons = (confirmed: (yes: boolean) => VerificationEvidence) => (
    <div className={styles.row}>
      <Button id="verify-confirmed" appearance="primary" disabled={disabled} onClick={() => void onRecord(confirmed(true))}>
        Identity confirmed
      </Button>
      <Button id="verify-not-confirmed" disabled={disabled} onClick={() => void onRecord(confirmed(false))}>
        Could not confirm
      </Button>
    </div>
  );

  if (option.unavailable) return null;
  switch (option.method) {
    case "callBack":
      return (
        <>
          <Text>{option.instructions}</Text>
          <RadioGroup id="callback-number" aria-label="Number to call back" value={phoneId} onChange={(_, data) => setPhoneId(data.value)}>
            {option.phones.map((phone) => (
              <Radio key={phone.id} value={phone.id} data-phone-id={phone.id} label={`${phone.label}: ${phone.number}`} />
            ))}
          </RadioGroup>
          {outcomeButtons((yes) => ({ method: "callBack", phoneId, confirmed: yes }))}
        </>
      );
    case "managerConfirmation":
      return (
        <>
          <Text>{option.instructions}</Text>
          {option.manager ? (
            <Text data-testid="manager-on-record">
              <strong>{option.manager.displayName}</strong> ({option.manager.userPrincipalName})
              {option.manager.phones.map((p) => ` · ${p.label}: ${p.number}`).join("")}
            </Text>
          ) : null}
          {outcomeButtons((yes) => ({ method: "managerConfirmation", confirmed: yes }))}
        </>
      );
    case "oneTimeCode":
      return (
        <>
          <Text>{option.instructions}</Text>
          <div className={styles.row}>
            <Field label="Send to">
              <Select id="code-destination" value={destinationId} onChange={(_, data) => setDestinationId(data.value)}>
                {option.destinations.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.label}
                  </option>
                ))}
              </Select>
            </Field>
            <Button
              id="send-code"
              disabled={disabled}
              onClick={() => {
                onError(null);
                onSendCode(destinationId).then(setCode, (e) => onError(e as AppError));
              }}
            >
              {code ? "Make a new code" : "Make a code to send"}
            </Button>
          </div>
          {code ? (
            <>
              <Text>
                Send <span id="code-to-send" className={styles.code}>{code.code}</span> to {code.destination}. It is valid for{" "}
                {code.validMinutes} minutes.
              </Text>
              <div className={styles.row}>
                <Field label="Code the caller reads back">
                  <Input id="code-read-back" value={readBack} inputMode="numeric" onChange={(_, data) => setReadBack(data.value)} />
                </Field>
                <Button
                  id="check-code"
                  appearance="primary"
                  disabled={disabled || readBack.trim() === ""}
                  onClick={() => void onRecord({ method: "oneTimeCode", code: readBack })}
                >
                  Check the code
                </Button>
              </div>
            </>
          ) : null}
        </>
      );
    case "ticket":
      return (
        <>
          <Text>{option.instructions}</Text>
          <div className={styles.row}>
            <Field label="Verification ticket">
              <Input id="verification-ticket" value={ticket} onChange={(_, data) => setTicket(data.value)} />
            </Field>
            <Button
              id="record-ticket"
              appearance="primary"
              disabled={disabled || ticket.trim() === ""}
              onClick={() => void onRecord({ method: "ticket", ticket })}
            >
              Record
            </Button>
          </div>
        </>
      );
    default:
      return null;
  }
}

function Approval({ plan, approval, disabled, onApprove }: SafetyChecksProps) {
  return (
    <SecondPersonApproval
      connectionId={plan.connectionId}
      operatorUpn={plan.operatorUpn}
      reasons={plan.safety.approval.reasons}
      approval={approval}
      disabled={disabled}
      onApprove={onApprove}
      who="They must hold a role that may take this action on this user."
    />
  );
}
