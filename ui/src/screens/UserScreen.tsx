import { useState } from "react";
import { UserActions } from "../components/user/UserActions";
import { UserFacts } from "../components/UserFacts";
import { SummaryAndMethodsTabs, UserPageFrame } from "../components/UserPageFrame";
import type { UserTab } from "../components/UserPageFrame";
import { useUserDetails } from "../hooks/useUserDetails";
import type { ConnectionView } from "../ipc/types";

export interface UserScreenProps {
  connection: ConnectionView;
  /** The id the users list gave the row (a Lighthouse customer's user's names the customer). */
  userId: string;
  /** The name from the search results, shown until the live read answers. */
  fallbackName: string;
  onBackToUsers: () => void;
}

/**
 * One user's page, whichever provider's: Rust's `UserPage` read live — the facts, the offers
 * each allowed or refused with the reason, the hourly count, the methods where the provider
 * lists them — in the one frame. Every provider's actions go through the one flow (`UserActions`).
 */
export function UserScreen({ connection, userId, fallbackName, onBackToUsers }: UserScreenProps) {
  const { details, loading, error, refresh } = useUserDetails(connection.id, userId);
  // Kept while the user is read again after an action.
  const [tab, setTab] = useState<UserTab>("summary");
  return (
    <UserPageFrame
      name={details?.user.displayName ?? fallbackName}
      loading={loading}
      onBackToUsers={onBackToUsers}
      error={error}
      rate={details?.rate}
      // Mounted while the user is read again, so an action's dialogs outlive the re-read.
      header={<UserActions connection={connection} userId={userId} page={details} loading={loading} refresh={refresh} />}
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
