import { useState } from "react";
import { providerActionOf } from "../../ipc/types";
import { useProviderFlow } from "../../hooks/useProviderFlow";
import { RunResultDialog } from "../RunResultDialog";
import { WaitingByHand } from "../WaitingByHand";
import { ProviderPlanDialog, providerName } from "../providers/ProviderPlanDialog";
import { ZohoResetPasswordDialog } from "../providers/ZohoResetPasswordDialog";
import type { UserActionsProps } from "./actionsProps";
import { OffersBar } from "./OffersBar";

/**
 * The actions of a user of a directory served through Rust's provider seam: Rust's offers in the
 * action bar, the steps left to finish by hand for this user, then the seam's flow (an action's
 * options form where it has one, the plan, the run, the result with Mark as done).
 */
export function SeamUserActions(props: UserActionsProps) {
  const { connection, userId, page, refresh } = props;
  const { flow, start, review, run, signedInAgain, markDone, close, sendCode, verify, approve } = useProviderFlow(connection.id, userId);
  // Steps left to finish by hand are re-read when a result closes.
  const [byHandReloads, setByHandReloads] = useState(0);
  // For the sandbox, "sign in again" is as the demo operator who is signed in now.
  const reauthAccount = connection.sandbox ? (connection.account?.login ?? undefined) : undefined;
  // Who an action's options form (Zoho's Reset password) is about.
  const optionsUser = page ? { displayName: page.user.displayName, email: page.user.login } : null;

  const closeResult = () => {
    close();
    // What the action changed is read again live.
    void refresh();
    setByHandReloads((n) => n + 1);
  };

  return (
    <>
      <OffersBar
        {...props}
        busy={flow.stage !== "idle"}
        onStart={(action) => {
          // Rust's id of a built-in action; an offer the page has no flow for stays unclicked.
          const known = providerActionOf(action);
          if (known) start(known);
        }}
      />
      <WaitingByHand only={{ connectionId: connection.id, targetId: userId }} reloadKey={byHandReloads} />
      {flow.stage === "options" && optionsUser ? (
        <ZohoResetPasswordDialog user={optionsUser} planning={flow.planning} error={flow.error} onReview={review} onCancel={close} />
      ) : null}
      {flow.stage === "planning" || flow.stage === "planFailed" || flow.stage === "confirm" ? (
        <ProviderPlanDialog
          key={flow.stage === "confirm" ? flow.plan.id : flow.action}
          flow={flow}
          connectionId={connection.id}
          reauthAccount={reauthAccount}
          onRun={(reason) => {
            if (flow.stage === "confirm") void run(flow.plan, reason);
          }}
          onSignedInAgain={signedInAgain}
          onCancel={close}
          onSendCode={sendCode}
          onVerify={verify}
          onApprove={approve}
        />
      ) : null}
      {flow.stage === "done" ? (
        <RunResultDialog
          actionLabel={flow.plan.actionLabel}
          targetName={flow.plan.target.name}
          provider={providerName(flow.plan.action)}
          result={flow.result}
          onMarkDone={markDone}
          onClose={closeResult}
        />
      ) : null}
    </>
  );
}
