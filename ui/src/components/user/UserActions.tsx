import { useState } from "react";
import { useActionFlow } from "../../hooks/useActionFlow";
import { PlanDialog, isPlanDialogStage } from "../PlanDialog";
import { RunResultDialog } from "../RunResultDialog";
import { WaitingByHand } from "../WaitingByHand";
import { OptionsFirstForm, followUpOf, secretTermsOf } from "../providers/optionForms";
import { SecondDesktopDemo } from "../providers/SecondDesktopDemo";
import type { UserActionsProps } from "./actionsProps";
import { OffersBar } from "./OffersBar";

/**
 * A user's actions, whatever the provider (Lighthouse's bulk reset aside): Rust's offers in the
 * action bar, the steps left to finish by hand for this user, then the one flow — an option form
 * that comes first where the provider has one, the summary (with the provider's choices), the
 * run, the result with Mark as done and what the admin centre offers next.
 */
export function UserActions(props: UserActionsProps) {
  const { connection, userId, page, refresh } = props;
  const { flow, start, review, replan, run, signedInAgain, markDone, close, sendCode, verify, approve } = useActionFlow(connection.id, userId);
  // Steps left to finish by hand are re-read when a result closes.
  const [byHandReloads, setByHandReloads] = useState(0);
  // For the sandbox, "sign in again" is as the demo operator who is signed in now.
  const reauthAccount = connection.sandbox ? (connection.account?.login ?? undefined) : undefined;
  // Who an option form is about.
  const optionsUser = page ? { displayName: page.user.displayName, email: page.user.login } : null;

  const closeResult = () => {
    close();
    // What the action changed (methods, last password change, sessions) is read again live.
    void refresh({ discardShown: true });
    setByHandReloads((n) => n + 1);
  };
  const followUp = flow.stage === "done" ? followUpOf(flow.plan, page) : undefined;
  // An action's label as Rust offered it on this page (its id if the page no longer lists it).
  const offeredLabel = (action: string) => page?.offers.find((offer) => offer.action === action)?.label ?? action;

  return (
    <>
      <OffersBar {...props} busy={flow.stage !== "idle"} onStart={start} />
      {connection.secondDesktopDemo && page ? <SecondDesktopDemo userId={userId} onDone={() => void refresh()} /> : null}
      {/* Only providers that leave steps to finish by hand (not Entra, whose steps are all
          Graph calls): their users' pages alone read the audit log for the steps waiting. */}
      {connection.stepsByHand ? (
        <WaitingByHand only={{ connectionId: connection.id, targetId: userId }} reloadKey={byHandReloads} />
      ) : null}
      {flow.stage === "options" && optionsUser ? (
        <OptionsFirstForm action={flow.action} user={optionsUser} planning={flow.planning} error={flow.error} onReview={review} onCancel={close} />
      ) : null}
      {isPlanDialogStage(flow) ? (
        <PlanDialog
          // Stable across re-plans (choices changed), so the typed reason and choices stay.
          key={flow.stage === "confirm" ? flow.plan.action : flow.action}
          flow={flow}
          offeredLabel={offeredLabel(flow.stage === "confirm" ? flow.plan.action : flow.action)}
          connectionId={connection.id}
          reauthAccount={reauthAccount}
          onRun={(reason) => void run(reason)}
          onSignedInAgain={signedInAgain}
          onCancel={close}
          onChoicesChange={(choices) => void replan(choices)}
          onSendCode={sendCode}
          onVerify={verify}
          onApprove={approve}
        />
      ) : null}
      {flow.stage === "done" ? (
        <RunResultDialog
          actionLabel={flow.plan.actionLabel}
          targetName={flow.plan.target.name}
          provider={flow.plan.adminCentre}
          result={flow.result}
          passTerms={secretTermsOf(flow.plan)}
          onMarkDone={markDone}
          onClose={closeResult}
          onIssueTemporaryAccessPass={
            followUp
              ? () => {
                  void refresh({ discardShown: true });
                  start(followUp);
                }
              : undefined
          }
        />
      ) : null}
    </>
  );
}
