import { Button, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { AddRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { AddConnectionDialog } from "../components/AddConnectionDialog";
import { ConnectionCard } from "../components/ConnectionCard";
import { ErrorBar } from "../components/ErrorBar";
import { RemoveConnectionDialog } from "../components/RemoveConnectionDialog";
import { ScreenTitle } from "../components/ScreenTitle";
import type { ConnectionsState } from "../hooks/useConnections";
import type { ConnectionView } from "../ipc/types";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  toolbar: { display: "flex", gap: tokens.spacingHorizontalM },
});

export function ConnectionsScreen({ state }: { state: ConnectionsState }) {
  const styles = useStyles();
  const { connections, loading, busyId, removingId, error, signInTo, signOutOf, remove, reload, providerSignedIn, openUsers } = state;
  const [adding, setAdding] = useState(false);
  const [confirmingRemoval, setConfirmingRemoval] = useState<ConnectionView | null>(null);

  return (
    <div className={styles.list}>
      <ScreenTitle trail={["Connections"]} title="Connections" />
      <div className={styles.toolbar}>
        <Button id="add-connection" icon={<AddRegular />} onClick={() => setAdding(true)}>
          Add connection
        </Button>
      </div>
      {error ? <ErrorBar error={error} /> : null}
      {loading && connections.length === 0 ? <Spinner label="Loading connections…" /> : null}
      {connections.map((connection, index) => (
        <ConnectionCard
          key={connection.id}
          connection={connection}
          idSuffix={index === 0 ? "" : `-${connection.id}`}
          busy={busyId === connection.id}
          removing={removingId === connection.id}
          onSignIn={(account) => void signInTo(connection.id, account)}
          onSignOut={() => void signOutOf(connection.id)}
          // The built-in sandbox is part of the app; Rust refuses to remove it, so it offers no Remove.
          onRemove={connection.sandbox ? undefined : () => setConfirmingRemoval(connection)}
          onProviderSignedIn={() => providerSignedIn(connection.id)}
          onConnectionChanged={reload}
          onOpenUsers={openUsers && connection.signedIn ? () => openUsers(connection.id) : undefined}
        />
      ))}
      {adding ? <AddConnectionDialog onAdd={state.add} onClose={() => setAdding(false)} /> : null}
      {confirmingRemoval ? (
        <RemoveConnectionDialog
          connection={confirmingRemoval}
          onCancel={() => setConfirmingRemoval(null)}
          onConfirm={() => {
            const id = confirmingRemoval.id;
            setConfirmingRemoval(null);
            void remove(id);
          }}
        />
      ) : null}
    </div>
  );
}
