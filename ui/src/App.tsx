import { makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useState } from "react";
import { HeaderBar } from "./components/HeaderBar";
import { NavMenu } from "./components/NavMenu";
import type { NavTarget } from "./components/NavMenu";
import { NotSignedIn } from "./components/NotSignedIn";
import { ScreenTitle } from "./components/ScreenTitle";
import { useConnections } from "./hooks/useConnections";
import { focusUserSearch, useSearchShortcut } from "./hooks/useSearchShortcut";
import type { ConnectionView } from "./ipc/types";
import { ActivityScreen } from "./screens/ActivityScreen";
import { ConnectionsScreen } from "./screens/ConnectionsScreen";
import { PsUserScreen, ZohoUserScreen } from "./screens/ProviderUserScreen";
import { PsUsersScreen, ZohoUsersScreen } from "./screens/ProviderUsersScreen";
import { UserDetailsScreen } from "./screens/UserDetailsScreen";
import { UsersScreen } from "./screens/UsersScreen";

type Route =
  | { screen: "connections" }
  | { screen: "users" }
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

  const state = {
    ...connections,
    signInTo: async (connectionId: string, account?: string) => {
      const ok = await connections.signInTo(connectionId, account);
      if (ok) {
        setPreferredId(connectionId);
        setUserQuery("");
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

  // Each kind of connection has its own list and user page; the route is the same for all.
  const renderUsers = (active: ConnectionView) => {
    switch (active.kind) {
      case "zohoDirectory":
        return (
          <ZohoUsersScreen
            key={active.id}
            connectionId={active.id}
            initialQuery={userQuery}
            onOpenUser={(user, query) => openUser(user.zuid, user.displayName, query)}
          />
        );
      case "privilegeSecure":
        return (
          <PsUsersScreen
            key={active.id}
            connectionId={active.id}
            initialQuery={userQuery}
            onOpenUser={(user, query) => openUser(user.id, user.displayName || user.name, query)}
          />
        );
      default:
        return (
          <UsersScreen
            key={active.id}
            connectionId={active.id}
            initialQuery={userQuery}
            onOpenUser={(user, query) => openUser(user.id, user.displayName, query)}
          />
        );
    }
  };

  const renderUser = (active: ConnectionView, user: { userId: string; name: string }) => {
    const key = `${active.id}/${user.userId}`;
    const props = {
      connectionId: active.id,
      userId: user.userId,
      fallbackName: user.name,
      onBackToUsers: backToUsers,
    };
    switch (active.kind) {
      case "zohoDirectory":
        return <ZohoUserScreen key={key} {...props} connection={active} />;
      case "privilegeSecure":
        return <PsUserScreen key={key} {...props} />;
      default:
        return <UserDetailsScreen key={key} {...props} />;
    }
  };

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
        return <ActivityScreen />;
    }
  };

  return (
    <div className={styles.app}>
      <HeaderBar active={active} />
      <div className={styles.body}>
        <NavMenu selected={navSelected} onSelect={(target) => setRoute({ screen: target })} />
        <main className={styles.main}>{renderScreen()}</main>
      </div>
    </div>
  );
}
