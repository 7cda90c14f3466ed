import { Button, MessageBar, MessageBarBody } from "@fluentui/react-components";
import { useState } from "react";
import type { AppError, Plan } from "../../ipc/types";
import { entraActionOf } from "../../ipc/types";
import { ACTION_LABELS } from "../../format";
import { sandboxSecondDesktopReset } from "../../ipc/api";
import { ErrorBar } from "../ErrorBar";
import { PlanDialog, isPlanDialogStage } from "../PlanDialog";
import { RunResultDialog } from "../RunResultDialog";
import { useActionFlow } from "../../hooks/useActionFlow";
import type { UserActionsProps } from "../user/actionsProps";
import { OffersBar } from "../user/OffersBar";

/**
 * A Microsoft Entra user's actions: Rust's offers in the action bar, then Entra's own flow
 * (options such as a Temporary Access Pass's terms, caller verification, approval, the result)
 * until its plans join the provider seam.
 */
export function EntraUserActions(props: UserActionsProps) {
  const { connection, userId, page, refresh } = props;
  const { flow, start, replan, confirm, close, sendCode, verify, approve } = useActionFlow(connection.id, userId);
  const mayIssuePass = page?.offers.some((a) => a.action === "issueTemporaryAccessPass" && a.allowed) ?? false;

  const closeResult = () => {
    close();
    // What the action changed (methods, last password change, sessions) is read again live.
    void refresh({ discardShown: true });
  };

  return (
    <>
      <OffersBar
        {...props}
        busy={flow.stage !== "idle"}
        onStart={(action) => {
          // Rust's id of one of Entra's actions; anything else stays unclicked.
          const known = entraActionOf(action);
          if (known) void start(known);
        }}
      />
      {connection.sandbox && page ? <SecondDesktopDemo userId={userId} onDone={() => void refresh()} /> : null}
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
    </>
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
