import { useState } from "react";
import { EntraUserActions } from "../components/user/EntraUserActions";
import { SeamUserActions } from "../components/user/SeamUserActions";
import { UserFacts } from "../components/UserFacts";
import { SummaryAndMethodsTabs, UserPageFrame } from "../components/UserPageFrame";
import type { UserTab } from "../components/UserPageFrame";
import { useUserDetails } from "../hooks/useUserDetails";
import type { ConnectionView } from "../ipc/types";

export interface UserScreenProps {
  connection: ConnectionView;
  userId: string;
  /** The name from the search results, shown until the live read answers. */
  fallbackName: string;
  onBackToUsers: () => void;
}

/**
 * One user's page, whichever provider's (Lighthouse's users, listed across customers, keep
 * theirs): Rust's `UserPage` read live — the facts, the offers each allowed or refused with the
 * reason, the hourly count, the methods where the provider lists them — in the one frame. Only
 * what follows a click differs: Entra's plans go through their own flow until they join the
 * provider seam (`EntraUserActions`), every other provider's through the seam's
 * (`SeamUserActions`), as Rust says the connection is served (`servedThroughSeam`).
 */
export function UserScreen({ connection, userId, fallbackName, onBackToUsers }: UserScreenProps) {
  const { details, loading, error, refresh } = useUserDetails(connection.id, userId);
  // Kept while the user is read again after an action.
  const [tab, setTab] = useState<UserTab>("summary");
  const Actions = connection.servedThroughSeam ? SeamUserActions : EntraUserActions;
  return (
    <UserPageFrame
      name={details?.user.displayName ?? fallbackName}
      loading={loading}
      onBackToUsers={onBackToUsers}
      error={error}
      rate={details?.rate}
      // Mounted while the user is read again, so an action's dialogs outlive the re-read.
      header={<Actions connection={connection} userId={userId} page={details} loading={loading} refresh={refresh} />}
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
