import {
  Badge,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { orDash } from "../../format";
import type { ApproverSignIn } from "../../ipc/api";
import type { AppError, ApprovalRecord, ApprovalStep, BulkPlan, UserPlan } from "../../ipc/types";
import { ConfirmationDialog } from "../ConfirmationDialog";
import { ReasonField } from "../ReasonField";
import { SecondPersonApproval } from "../SecondPersonApproval";

const useStyles = makeStyles({
  customer: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    paddingLeft: tokens.spacingHorizontalM,
    borderLeft: `3px solid ${tokens.colorNeutralStroke2}`,
  },
  user: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
  hint: { color: tokens.colorNeutralForeground3 },
});

export type BulkPlanStage =
  | { stage: "planning"; label: string }
  | { stage: "planFailed"; label: string; error: AppError }
  | { stage: "confirm"; plan: BulkPlan; approval: ApprovalRecord | null; error?: AppError | null }
  | { stage: "starting"; plan: BulkPlan; approval: ApprovalRecord | null };

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 users in 2 customers, 7 methods" */
export function planSummary(plan: BulkPlan): string {
  return `${plural(plan.users.length, "user")} in ${plural(plan.customers.length, "customer")}, ${plural(plan.totalMethods, "method")}`;
}

function UserLines({ user }: { user: UserPlan }) {
  const styles = useStyles();
  return (
    <div className={styles.user} data-testid="lh-plan-user" data-user-id={user.userId} data-tenant-id={user.tenantId}>
      <Text weight="semibold">
        {user.displayName} <span className={styles.hint}>({user.userPrincipalName})</span>
      </Text>
      {user.error ? (
        <MessageBar intent="warning" layout="multiline" data-testid="lh-plan-user-error">
          <MessageBarBody>
            {user.error.kind === "Denied"
              ? `Nothing is planned for this user: left out ${user.error.message}`
              : `Nothing is planned for this user: the methods could not be read. ${user.error.message}`}
          </MessageBarBody>
        </MessageBar>
      ) : user.remove.length === 0 ? (
        <Text data-testid="lh-plan-nothing">No method to remove.</Text>
      ) : (
        <ul className={styles.list}>
          {user.remove.map((method) => (
            <li key={method.id} data-testid="lh-plan-method" data-method-id={method.id}>
              {method.kind === "hardwareOath" ? "Deactivate" : "Remove"} {method.label}: {orDash(method.detail)}
              {method.phoneType ? ` (${method.phoneType})` : ""}
            </li>
          ))}
        </ul>
      )}
      {user.keep.length > 0 ? (
        <Text size={200} className={styles.hint} data-testid="lh-plan-keep">
          Stays: {user.keep.join(", ")}
        </Text>
      ) : null}
    </div>
  );
}

/**
 * Users of a customer the job leaves out altogether (every selected user there was refused): Rust
 * lists only customers with something planned, so these would otherwise show nowhere but in the
 * warnings. Each keeps its own line and reason, as under a listed customer.
 */
function LeftOutUsers({ plan }: { plan: BulkPlan }) {
  const styles = useStyles();
  const listed = new Set(plan.customers.map((customer) => customer.tenantId));
  const leftOut = plan.users.filter((user) => !listed.has(user.tenantId));
  if (leftOut.length === 0) return null;
  return (
    <section className={styles.customer} data-testid="lh-plan-left-out">
      <Subtitle2 as="h2">
        Left out{" "}
        <Badge appearance="tint" color="warning">
          {plural(leftOut.length, "user")}, nothing planned
        </Badge>
      </Subtitle2>
      {leftOut.map((user) => (
        <UserLines key={`${user.tenantId}/${user.userId}`} user={user} />
      ))}
    </section>
  );
}

/**
 * The review before "Reset all multi-factor authentications": what Rust planned, per customer and
 * per user, and the reason or ticket the audit log records.
 */
export function BulkPlanDialog({
  flow,
  onConfirm,
  onApprove,
  onCancel,
}: {
  flow: BulkPlanStage;
  onConfirm: (reason: string) => void;
  onApprove: (form: ApproverSignIn) => Promise<ApprovalStep>;
  onCancel: () => void;
}) {
  const styles = useStyles();
  const [reason, setReason] = useState("");
  const plan = flow.stage === "confirm" || flow.stage === "starting" ? flow.plan : null;
  const starting = flow.stage === "starting";
  const approval = flow.stage === "confirm" || flow.stage === "starting" ? flow.approval : null;
  const awaitingApproval = plan !== null && plan.approval.required && !approval;
  const error = flow.stage === "planFailed" ? flow.error : flow.stage === "confirm" ? flow.error ?? null : null;
  // The offer's label until Rust's plan names the action.
  const label = plan?.label ?? (flow.stage === "planning" || flow.stage === "planFailed" ? flow.label : "");

  return (
    <ConfirmationDialog
      id="lh-plan-dialog"
      title={label}
      wide
      planning={flow.stage === "planning"}
      error={error}
      busy={starting ? "Starting the job…" : null}
      confirm={
        plan
          ? { label, disabled: starting || awaitingApproval || reason.trim() === "", onClick: () => onConfirm(reason.trim()) }
          : null
      }
      onCancel={onCancel}
      describedBy="lh-plan-summary"
    >
      {plan ? (
        <>
          <Text size={400} weight="semibold" id="lh-plan-summary" data-testid="lh-plan-summary">
            {planSummary(plan)}
          </Text>
          {plan.warnings.length > 0 ? (
            <MessageBar intent="warning" layout="multiline" data-testid="lh-plan-warnings">
              <MessageBarBody>
                <MessageBarTitle>Before you confirm</MessageBarTitle>
                <ul className={styles.list}>
                  {plan.warnings.map((warning) => (
                    <li key={warning} data-testid="lh-plan-warning">
                      {warning}
                    </li>
                  ))}
                </ul>
              </MessageBarBody>
            </MessageBar>
          ) : null}
          {plan.customers.map((customer) => (
            <section
              key={customer.tenantId}
              className={styles.customer}
              data-testid="lh-plan-customer"
              data-tenant-id={customer.tenantId}
            >
              <Subtitle2 as="h2">
                {customer.displayName}{" "}
                <Badge appearance="tint" color="informative">
                  {plural(customer.users, "user")}, {plural(customer.methods, "method")}
                </Badge>
              </Subtitle2>
              {plan.users
                .filter((user) => user.tenantId === customer.tenantId)
                .map((user) => (
                  <UserLines key={`${user.tenantId}/${user.userId}`} user={user} />
                ))}
            </section>
          ))}
          <LeftOutUsers plan={plan} />
          <Text data-testid="lh-plan-reregister">Each user must register MFA again at next sign-in.</Text>
          {plan.approval.required ? (
            <SecondPersonApproval
              connectionId={plan.connectionId}
              operatorUpn={plan.operatorUpn}
              reasons={plan.approval.reasons}
              approval={approval}
              disabled={starting}
              onApprove={onApprove}
              who="They approve the whole job: their own GDAP roles must allow this reset of every user in it."
            />
          ) : null}
          <ReasonField
            value={reason}
            disabled={starting}
            onChange={setReason}
            hint="Recorded in the audit log with each user's result."
          />
        </>
      ) : null}
    </ConfirmationDialog>
  );
}
