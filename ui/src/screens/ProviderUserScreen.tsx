import type { ReactNode } from "react";
import { useCallback, useEffect, useRef, useState } from "react";
import { UserFacts } from "../components/UserFacts";
import { UserPageFrame } from "../components/UserPageFrame";
import { WaitingByHand } from "../components/WaitingByHand";
import { ActionBar } from "../components/ActionBar";
import { ProviderPlanDialog, providerName } from "../components/providers/ProviderPlanDialog";
import { RunResultDialog } from "../components/RunResultDialog";
import { ZohoResetPasswordDialog } from "../components/providers/ZohoResetPasswordDialog";
import { useProviderFlow } from "../hooks/useProviderFlow";
import { directoryUser } from "../ipc/api";
import { providerActionOf } from "../ipc/types";
import type { AppError, ConnectionView, ProviderOffer, RateStatus, UserPage } from "../ipc/types";

/** The user as Rust reads them live, re-read after an action. */
function useDetails<T>(read: (connectionId: string, userId: string) => Promise<T>, connectionId: string, userId: string) {
  const [details, setDetails] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    const requestNo = ++latest.current;
    setLoading(true);
    try {
      const read_ = await read(connectionId, userId);
      if (requestNo !== latest.current) return;
      setDetails(read_);
      setError(null);
    } catch (e) {
      if (requestNo === latest.current) setError(e as AppError);
    } finally {
      if (requestNo === latest.current) setLoading(false);
    }
  }, [read, connectionId, userId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return { details, loading, error, refresh };
}

interface ProviderUserScreenProps {
  connectionId: string;
  userId: string;
  /** The name from the search results, shown until the live read answers. */
  fallbackName: string;
  onBackToUsers: () => void;
}

/** The page around one provider user: title, Rust's offers, the summary, and the action's dialogs. */
function ProviderUserPage({
  props,
  name,
  loading,
  error,
  actions,
  rate,
  summary,
  refresh,
  reauthAccount,
  optionsUser,
}: {
  props: ProviderUserScreenProps;
  name: string | null;
  loading: boolean;
  error: AppError | null;
  actions: ProviderOffer[] | null;
  /** The operator's resets this hour against the cap, as Rust counted them. */
  rate: RateStatus | null;
  summary: ReactNode;
  refresh: () => Promise<void>;
  reauthAccount?: string;
  /** Who an action's options form (Zoho's Reset password) is about. */
  optionsUser?: { displayName: string; email: string };
}) {
  const { connectionId, userId, fallbackName, onBackToUsers } = props;
  const { flow, start, review, run, signedInAgain, markDone, close, sendCode, verify, approve } = useProviderFlow(connectionId, userId);
  const title = name ?? fallbackName;
  // Steps left to finish by hand are re-read when a result closes.
  const [byHandReloads, setByHandReloads] = useState(0);

  const closeResult = () => {
    close();
    // What the action changed is read again live.
    void refresh();
    setByHandReloads((n) => n + 1);
  };

  return (
    <UserPageFrame
      name={title}
      loading={loading}
      onBackToUsers={onBackToUsers}
      error={error}
      rate={rate}
      header={
        actions ? (
          <ActionBar
            actions={actions}
            busy={flow.stage !== "idle"}
            onStart={(action) => {
              // Rust's id of a built-in action; an offer the page has no flow for stays unclicked.
              const known = providerActionOf(action);
              if (known) start(known);
            }}
            onRefresh={() => void refresh()}
            refreshing={loading}
          />
        ) : null
      }
    >
      <WaitingByHand only={{ connectionId, targetId: userId }} reloadKey={byHandReloads} />
      {summary}
      {flow.stage === "options" && optionsUser ? (
        <ZohoResetPasswordDialog user={optionsUser} planning={flow.planning} error={flow.error} onReview={review} onCancel={close} />
      ) : null}
      {flow.stage === "planning" || flow.stage === "planFailed" || flow.stage === "confirm" ? (
        <ProviderPlanDialog
          key={flow.stage === "confirm" ? flow.plan.id : flow.action}
          flow={flow}
          connectionId={connectionId}
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
    </UserPageFrame>
  );
}

/**
 * A user of a directory served through Rust's provider seam: the facts the provider lists (for
 * Zoho, the status that decides whether they can be reset; for Privilege Secure, how they get
 * access, which decides which token reset applies) and its offers, each allowed or refused with
 * the reason.
 */
export function DirectoryUserScreen(props: ProviderUserScreenProps & { connection: ConnectionView }) {
  const { details, loading, error, refresh } = useDetails<UserPage>(directoryUser, props.connectionId, props.userId);
  const user = details?.user ?? null;
  // For the sandbox, "sign in again" is as the demo operator who is signed in now.
  const reauthAccount = props.connection.sandbox ? (props.connection.account?.login ?? undefined) : undefined;
  return (
    <ProviderUserPage
      props={props}
      name={user?.displayName ?? null}
      loading={loading}
      error={error}
      actions={details?.offers ?? null}
      rate={details?.rate ?? null}
      refresh={refresh}
      reauthAccount={reauthAccount}
      optionsUser={user ? { displayName: user.displayName, email: user.login } : undefined}
      summary={details ? <UserFacts facts={details.facts} /> : null}
    />
  );
}
