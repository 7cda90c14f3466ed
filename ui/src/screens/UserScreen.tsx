import { useState } from "react";
import type { ComponentType } from "react";
import type { UserActionsProps } from "../components/user/actionsProps";
import { LighthouseUserActions } from "../components/lighthouse/LighthouseUserActions";
import { UserActions } from "../components/user/UserActions";
import { UserFacts } from "../components/UserFacts";
import { SummaryAndMethodsTabs, UserPageFrame } from "../components/UserPageFrame";
import type { UserTab } from "../components/UserPageFrame";
import { useUserDetails } from "../hooks/useUserDetails";
import type { ConnectionView } from "../ipc/types";

export interface UserScreenProps {
  connection: ConnectionView;
  userId: string;
  /** The customer's tenant a Lighthouse user lives in (its users list names it). */
  tenantId?: string;
  /** The name from the search results, shown until the live read answers. */
  fallbackName: string;
  onBackToUsers: () => void;
}

/**
 * One user's page, whichever provider's: Rust's `UserPage` read live — the facts, the offers
 * each allowed or refused with the reason, the hourly count, the methods where the provider
 * lists them — in the one frame. Only what follows a click differs (`actionsOf`).
 */
export function UserScreen({ connection, userId, tenantId, fallbackName, onBackToUsers }: UserScreenProps) {
  const { details, loading, error, refresh } = useUserDetails(connection.id, userId, tenantId);
  // Kept while the user is read again after an action.
  const [tab, setTab] = useState<UserTab>("summary");
  const Actions = actionsOf(connection);
  return (
    <UserPageFrame
      name={details?.user.displayName ?? fallbackName}
      loading={loading}
      onBackToUsers={onBackToUsers}
      error={error}
      rate={details?.rate}
      // Mounted while the user is read again, so an action's dialogs outlive the re-read.
      header={<Actions connection={connection} userId={userId} tenantId={tenantId} page={details} loading={loading} refresh={refresh} />}
    >
      {details?.methods ? (
        <SummaryAndMethodsTabs
          summary={<UserFacts facts={details.facts} />}
          methods={details.methods}
          methodsError={details.methodsError}
          tab={tab}
          onTabChange={setTab}
        />
      ) : details ? (
        <UserFacts facts={details.facts} />
      ) : null}
    </UserPageFrame>
  );
}

/**
 * What follows a click: the one flow (plan, confirm, run, result) for every provider; Lighthouse's
 * reset is a bulk job across customers, with its own plan and job panel, until its plans join
 * the seam.
 */
function actionsOf(connection: ConnectionView): ComponentType<UserActionsProps> {
  return connection.kind === "lighthousePartner" ? LighthouseUserActions : UserActions;
}
