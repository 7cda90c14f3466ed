import { Button, MessageBar, MessageBarBody } from "@fluentui/react-components";
import { useState } from "react";
import type { AppError, Plan } from "../ipc/types";
import { ACTION_LABELS } from "../format";
import { entraActionOf } from "../ipc/types";
import { sandboxSecondDesktopReset } from "../ipc/api";
import { ActionBar } from "../components/ActionBar";
import { ErrorBar } from "../components/ErrorBar";
import { PlanDialog, isPlanDialogStage } from "../components/PlanDialog";
import { RunResultDialog } from "../components/RunResultDialog";
import { UserFacts } from "../components/UserFacts";
import { SummaryAndMethodsTabs, UserPageFrame } from "../components/UserPageFrame";
import type { UserTab } from "../components/UserPageFrame";
import { useActionFlow } from "../hooks/useActionFlow";
import { useUserDetails } from "../hooks/useUserDetails";

export function UserDetailsScreen({
  connectionId,
  userId,
  fallbackName,
  onBackToUsers,
  sandbox = false,
}: {
  connectionId: string;
  userId: string;
  /** The name from the search results, shown until the live read answers. */
  fallbackName: string;
  onBackToUsers: () => void;
  /** The built-in Contoso sandbox: its demo of a second desktop is offered. */
  sandbox?: boolean;
}) {
  const { details, loading, error, refresh } = useUserDetails(connectionId, userId);
  const { flow, start, replan, confirm, close, sendCode, verify, approve } = useActionFlow(connectionId, userId);
  const mayIssuePass = details?.offers.some((a) => a.action === "issueTemporaryAccessPass" && a.allowed) ?? false;
  // Kept while the user is read again after an action.
  const [tab, setTab] = useState<UserTab>("summary");

  const closeResult = () => {
    close();
    // What the action changed (methods, last password change, sessions) is read again live.
    void refresh({ discardShown: true });
  };

  return (
    <UserPageFrame
      name={details?.user.displayName ?? fallbackName}
      loading={loading}
      onBackToUsers={onBackToUsers}
      error={error}
      rate={details?.rate}
      header={
        <>
          {details ? (
            <ActionBar
              actions={details.offers}
              busy={flow.stage !== "idle"}
              onStart={(action) => {
                // Rust's id of one of Entra's actions; anything else stays unclicked.
                const known = entraActionOf(action);
                if (known) void start(known);
              }}
              onRefresh={() => void refresh()}
              refreshing={loading}
            />
          ) : null}
          {sandbox && details ? <SecondDesktopDemo userId={userId} onDone={() => void refresh()} /> : null}
        </>
      }
    >
      {details ? (
        <SummaryAndMethodsTabs
          summary={<UserFacts facts={details.facts} />}
          methods={details.methods ?? []}
          methodsError={details.methodsError}
          tab={tab}
          onTabChange={setTab}
        />
      ) : null}
      {isPlanDialogStage(flow) ? (
        <PlanDialog
          // Stable across re-plans (options changed), so the typed reason and options stay.
          key={flow.stage === "planning" || flow.stage === "planFailed" ? flow.action : flow.plan.action}
          flow={flow}
          onConfirm={(reason) => void confirm(reason)}
          onCancel={close}
          onOptionsChange={(options) => void replan(options)}
          onSendCode={sendCode}
          onVerify={verify}
          onApprove={approve}
        />
      ) : null}
      {flow.stage === "done" ? (
        <RunResultDialog
          actionLabel={ACTION_LABELS[flow.plan.action] ?? flow.plan.action}
          targetName={flow.plan.target.displayName}
          provider="Microsoft Entra"
          result={flow.result}
          passTerms={tapTermsText(flow.plan)}
          onClose={closeResult}
          onIssueTemporaryAccessPass={
            flow.plan.action === "requireReregisterMfa" && mayIssuePass
              ? () => {
                  void refresh({ discardShown: true });
                  void start("issueTemporaryAccessPass");
                }
              : undefined
          }
        />
      ) : null}
    </UserPageFrame>
  );
}

/** "Valid for 60 minutes, one-time use." from the plan's terms. */
function tapTermsText(plan: Plan): string {
  const terms = plan.temporaryAccessPass;
  if (!terms) return "";
  return `Valid for ${terms.lifetimeMinutes} minutes, ${terms.usableOnce ? "one-time use" : "usable more than once"}.`;
}

/**
 * The sandbox's demo of team-wide counting: a second desktop resets this user's password as the
 * operator signed in here; the count above then includes it, read from the tenant's audit log.
 */
function SecondDesktopDemo({ userId, onDone }: { userId: string; onDone: () => void }) {
  const [said, setSaid] = useState<string | null>(null);
  const [failed, setFailed] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setFailed(null);
    try {
      setSaid(await sandboxSecondDesktopReset(userId));
      onDone();
    } catch (e) {
      setFailed(e as AppError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div>
        <Button id="second-desktop-reset" size="small" disabled={busy} onClick={() => void run()}>
          Demo: a second desktop resets this password
        </Button>
      </div>
      {said ? (
        <MessageBar intent="info" layout="multiline" data-testid="second-desktop-said">
          <MessageBarBody>{said}</MessageBarBody>
        </MessageBar>
      ) : null}
      {failed ? <ErrorBar error={failed} /> : null}
    </>
  );
}
