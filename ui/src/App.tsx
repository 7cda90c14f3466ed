import { makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useEffect, useRef, useState } from "react";
import { HeaderBar } from "./components/HeaderBar";
import { NavMenu } from "./components/NavMenu";
import type { NavTarget } from "./components/NavMenu";
import { ErrorBar } from "./components/ErrorBar";
import { NotSignedIn } from "./components/NotSignedIn";
import { BulkJobPanel } from "./components/tenants/BulkJobPanel";
import { UnfinishedJobs } from "./components/tenants/UnfinishedJobs";
import { ScreenTitle } from "./components/ScreenTitle";
import { useConnections } from "./hooks/useConnections";
import { focusUserSearch, useSearchShortcut } from "./hooks/useSearchShortcut";
import { actionsOf } from "./format";
import { resumeJob, unfinishedJobs } from "./ipc/api";
import type { AppError, BulkJobView, ConnectionView } from "./ipc/types";
import { ActivityScreen } from "./screens/ActivityScreen";
import { ConnectionsScreen } from "./screens/ConnectionsScreen";
import { TenantUsersScreen } from "./screens/TenantUsersScreen";
import type { TenantListTab } from "./screens/TenantUsersScreen";
import { UserScreen } from "./screens/UserScreen";
import { UsersScreen } from "./screens/UsersScreen";

type Route =
  | { screen: "connections" }
  | { screen: "users" }
  /** `userId`: the id the provider gave the row (a Lighthouse customer's user's names their customer). */
  | { screen: "user"; userId: string; name: string }
  | { screen: "activity" };

const useStyles = makeStyles({
  app: { display: "flex", flexDirection: "column", height: "100vh", backgroundColor: tokens.colorNeutralBackground2 },
  body: { display: "flex", flex: 1, minHeight: 0 },
  main: {
    flex: 1,
    overflow: "auto",
    padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalXXL}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
});

/** The connection the Users and Activity screens work on: the one last signed in to, else the first signed in. */
function activeConnection(connections: ConnectionView[], preferredId: string | null): ConnectionView | null {
  const signedIn = connections.filter((c) => c.signedIn);
  return signedIn.find((c) => c.id === preferredId) ?? signedIn[0] ?? null;
}

export function App() {
  const styles = useStyles();
  const connections = useConnections();
  const [route, setRoute] = useState<Route>({ screen: "connections" });
  const [preferredId, setPreferredId] = useState<string | null>(null);
  // The Users search survives a visit to a user's page, as in the admin centre.
  const [userQuery, setUserQuery] = useState("");
  const active = activeConnection(connections.connections, preferredId);
  // A connection whose users live in several tenants (Lighthouse's customers): the tenants selected and
  // the list shown survive moving between its screens.
  const [tenantSelection, setTenantSelection] = useState<{ connectionId: string; tenantIds: string[] } | null>(null);
  const [tenantTab, setTenantTab] = useState<TenantListTab>("users");
  const interrupted = useInterruptedJobs(connections.connections);

  const state = {
    ...connections,
    signInTo: async (connectionId: string, account?: string) => {
      const ok = await connections.signInTo(connectionId, account);
      if (ok) {
        setPreferredId(connectionId);
        setUserQuery("");
        // Another technician may reach other customers: choose again.
        if (tenantSelection?.connectionId === connectionId) setTenantSelection(null);
      }
      return ok;
    },
    providerSignedIn: async (connectionId: string) => {
      await connections.providerSignedIn(connectionId);
      setPreferredId(connectionId);
      setUserQuery("");
    },
    openUsers: (connectionId: string) => {
      if (connectionId !== active?.id) setUserQuery("");
      setPreferredId(connectionId);
      setRoute({ screen: "users" });
    },
  };

  // Ctrl+K or "/": to the Users search, from anywhere.
  useSearchShortcut(
    useCallback(() => {
      setRoute((current) => (current.screen === "users" ? current : { screen: "users" }));
      focusUserSearch();
    }, []),
  );

  const navSelected: NavTarget = route.screen === "user" ? "users" : route.screen;
  const goToConnections = () => setRoute({ screen: "connections" });

  const openUser = (userId: string, name: string, query: string) => {
    setUserQuery(query);
    setRoute({ screen: "user", userId, name });
  };
  const backToUsers = () => setRoute({ screen: "users" });

  // One users list for every provider whose users live in one organisation; a partner's, in
  // several tenants (Lighthouse's customers), are listed across the tenants selected.
  const renderUsers = (active: ConnectionView) => {
    if (active.listsTenants) {
      return (
        <TenantUsersScreen
          key={active.id}
          connectionId={active.id}
          selectedCustomers={tenantSelection?.connectionId === active.id ? tenantSelection.tenantIds : null}
          onSelectCustomers={(tenantIds) => setTenantSelection({ connectionId: active.id, tenantIds })}
          tab={tenantTab}
          onTabChange={setTenantTab}
          initialQuery={userQuery}
          onOpenUser={(user, query) => openUser(user.key, user.displayName, query)}
          onArrive={interrupted.reload}
        />
      );
    }
    return (
      <UsersScreen
        key={active.id}
        connectionId={active.id}
        offlineCache={active.offlineCache}
        initialQuery={userQuery}
        onOpenUser={(user, query) => openUser(user.id, user.displayName, query)}
      />
    );
  };

  // One user page for every provider (a Lighthouse user by the id Rust made of their customer's
  // tenant and their id there).
  const renderUser = (active: ConnectionView, user: { userId: string; name: string }) => (
    <UserScreen
      key={`${active.id}/${user.userId}`}
      connection={active}
      userId={user.userId}
      fallbackName={user.name}
      onBackToUsers={backToUsers}
    />
  );

  const renderScreen = () => {
    switch (route.screen) {
      case "connections":
        return <ConnectionsScreen state={state} />;
      case "users":
      case "user":
        if (!active) {
          return (
            <>
              <ScreenTitle trail={["Users"]} title="Users" />
              <NotSignedIn onGoToConnections={goToConnections} />
            </>
          );
        }
        return route.screen === "users" ? renderUsers(active) : renderUser(active, route);
      case "activity":
        return <ActivityScreen actions={actionsOf(connections.connections)} />;
    }
  };

  return (
    <div className={styles.app}>
      <HeaderBar active={active} />
      <div className={styles.body}>
        <NavMenu selected={navSelected} onSelect={(target) => setRoute({ screen: target })} />
        <main className={styles.main}>
          {interrupted.error ? <ErrorBar error={interrupted.error} /> : null}
          <UnfinishedJobs jobs={interrupted.jobs} busy={interrupted.resuming} onResume={(jobId) => void interrupted.resume(jobId)} />
          {renderScreen()}
        </main>
      </div>
      {interrupted.running ? (
        <BulkJobPanel key={interrupted.running.id} job={interrupted.running} onClose={interrupted.closeRunning} />
      ) : null}
    </div>
  );
}

/**
 * Bulk jobs the app stopped during (a close or a crash). Read on start once a connection whose users
 * live in several tenants is listed (a Lighthouse partner's: its bulk jobs are planned on the list across
 * them), and again on each visit of that list; "Finish the rest" resumes one in Rust and shows its progress.
 */
function useInterruptedJobs(connections: ConnectionView[]) {
  const [jobs, setJobs] = useState<BulkJobView[]>([]);
  const [running, setRunning] = useState<BulkJobView | null>(null);
  const [resuming, setResuming] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  // Bulk jobs are planned on the lists across tenants.
  const listsTenants = connections.some((c) => c.listsTenants);
  const readOnStart = useRef(false);

  const reload = useCallback(() => {
    unfinishedJobs()
      .then((found) => {
        setJobs(found);
      })
      .catch(() => {
        // The banner is a reminder; the next visit of the list across tenants asks again.
      });
  }, []);

  useEffect(() => {
    if (listsTenants && !readOnStart.current) {
      readOnStart.current = true;
      reload();
    }
  }, [listsTenants, reload]);

  const resume = async (jobId: string) => {
    setResuming(true);
    setError(null);
    try {
      const job = await resumeJob(jobId);
      setJobs((current) => current.filter((j) => j.id !== jobId));
      setRunning(job);
    } catch (e) {
      setError(e as AppError);
    } finally {
      setResuming(false);
    }
  };

  const closeRunning = () => {
    setRunning(null);
    reload();
  };

  return { jobs, running, resuming, error, reload, resume, closeRunning };
}
