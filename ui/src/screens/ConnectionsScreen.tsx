import { Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { ConnectionCard } from "../components/ConnectionCard";
import { ErrorBar } from "../components/ErrorBar";
import { ScreenTitle } from "../components/ScreenTitle";
import type { ConnectionsState } from "../hooks/useConnections";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
});

export function ConnectionsScreen({ state }: { state: ConnectionsState }) {
  const styles = useStyles();
  const { connections, loading, busyId, error, signInTo, signOutOf } = state;
  return (
    <div className={styles.list}>
      <ScreenTitle trail={["Connections"]} title="Connections" />
      {error ? <ErrorBar error={error} /> : null}
      {loading && connections.length === 0 ? <Spinner label="Loading connections…" /> : null}
      {connections.map((connection, index) => (
        <ConnectionCard
          key={connection.id}
          connection={connection}
          idSuffix={index === 0 ? "" : `-${connection.id}`}
          busy={busyId === connection.id}
          onSignIn={(account) => void signInTo(connection.id, account)}
          onSignOut={() => void signOutOf(connection.id)}
        />
      ))}
    </div>
  );
}
