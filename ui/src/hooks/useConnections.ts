import { useCallback, useEffect, useState } from "react";
import {
  addConnection,
  listConnections,
  onSessionLost,
  removeConnection,
  signIn,
  signOut,
} from "../ipc/api";
import type {
  AppError,
  ConnectionView,
  NewConnection,
} from "../ipc/types";

export interface ConnectionsState {
  connections: ConnectionView[];
  loading: boolean;
  /** The connection whose sign-in / sign-out is in flight. */
  busyId: string | null;
  /** The connection being removed (it is also `busyId`), so its card does not say "signing in". */
  removingId: string | null;
  error: AppError | null;
  reload: () => Promise<void>;
  signInTo: (connectionId: string, account?: string) => Promise<boolean>;
  signOutOf: (connectionId: string) => Promise<void>;
  /**
   * Adds a connection of any provider and re-reads the list. Rejects with the AppError (e.g.
   * InvalidInput) so the form that asked can show it next to what was typed.
   */
  add: (connection: NewConnection) => Promise<ConnectionView>;
  /**
   * A Zoho or Privilege Secure card signed in by itself (device code, login form): re-read the
   * list. The App also makes that connection the active one.
   */
  providerSignedIn: (connectionId: string) => Promise<void>;
  /** Set by the App: make a signed-in connection the active one and show its users. */
  openUsers?: (connectionId: string) => void;
  /** Removes a tenant (Rust signs out first); a failure shows on the screen. */
  remove: (connectionId: string) => Promise<boolean>;
}

/** The connections list, re-read from Rust after every sign-in, sign-out, addition and removal. */
export function useConnections(): ConnectionsState {
  const [connections, setConnections] = useState<ConnectionView[]>([]);
  const [loading, setLoading] = useState(true);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [removingId, setRemovingId] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setConnections(await listConnections());
      setError(null);
    } catch (e) {
      setError(e as AppError);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  // A session that expired elsewhere (a search, a plan) must not still show as signed in.
  useEffect(
    () =>
      onSessionLost(() => {
        void reload();
      }),
    [reload],
  );

  const signInTo = useCallback(
    async (connectionId: string, account?: string) => {
      setBusyId(connectionId);
      setError(null);
      try {
        await signIn(connectionId, account);
        await reload();
        return true;
      } catch (e) {
        setError(e as AppError);
        return false;
      } finally {
        setBusyId(null);
      }
    },
    [reload],
  );

  const signOutOf = useCallback(
    async (connectionId: string) => {
      setBusyId(connectionId);
      setError(null);
      try {
        await signOut(connectionId);
        await reload();
      } catch (e) {
        setError(e as AppError);
      } finally {
        setBusyId(null);
      }
    },
    [reload],
  );

  const add = useCallback(
    async (connection: NewConnection) => {
      const added = await addConnection(connection);
      await reload();
      return added;
    },
    [reload],
  );

  // Which connection signed in matters to the App (it becomes the active one), not to the list.
  const providerSignedIn = useCallback(() => reload(), [reload]);

  const remove = useCallback(
    async (connectionId: string) => {
      setBusyId(connectionId);
      setRemovingId(connectionId);
      setError(null);
      try {
        await removeConnection(connectionId);
        await reload();
        return true;
      } catch (e) {
        setError(e as AppError);
        return false;
      } finally {
        setBusyId(null);
        setRemovingId(null);
      }
    },
    [reload],
  );

  return {
    connections,
    loading,
    busyId,
    removingId,
    error,
    reload,
    signInTo,
    signOutOf,
    add,
    providerSignedIn,
    remove,
  };
}
