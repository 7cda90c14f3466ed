import { useCallback, useEffect, useState } from "react";
import { listConnections, onSessionLost, signIn, signOut } from "../ipc/api";
import type { AppError, ConnectionView } from "../ipc/types";

export interface ConnectionsState {
  connections: ConnectionView[];
  loading: boolean;
  /** The connection whose sign-in / sign-out is in flight. */
  busyId: string | null;
  error: AppError | null;
  reload: () => Promise<void>;
  signInTo: (connectionId: string, account?: string) => Promise<boolean>;
  signOutOf: (connectionId: string) => Promise<void>;
}

/** The connections list, re-read from Rust after every sign-in and sign-out. */
export function useConnections(): ConnectionsState {
  const [connections, setConnections] = useState<ConnectionView[]>([]);
  const [loading, setLoading] = useState(true);
  const [busyId, setBusyId] = useState<string | null>(null);
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

  return { connections, loading, busyId, error, reload, signInTo, signOutOf };
}
