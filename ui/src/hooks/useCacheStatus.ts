import { useCallback, useEffect, useRef, useState } from "react";
import { cacheStatus, refreshCache } from "../ipc/api";
import type { AppError, CacheStatus } from "../ipc/types";

/** How often the status is re-read while a sync runs, and otherwise. */
export const CACHE_POLL_SYNCING_MS = 1000;
export const CACHE_POLL_IDLE_MS = 15000;

export interface CacheStatusState {
  status: CacheStatus | null;
  /** Why Refresh could not start (e.g. not signed in). */
  error: AppError | null;
  refresh: () => void;
}

/** A connection's offline cache status, re-read often while it syncs. */
export function useCacheStatus(connectionId: string | null): CacheStatusState {
  const [status, setStatus] = useState<CacheStatus | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);

  const poll = useCallback(async () => {
    if (!connectionId) return;
    if (timer.current !== null) clearTimeout(timer.current);
    let next = CACHE_POLL_IDLE_MS;
    try {
      const read = await cacheStatus(connectionId);
      if (!alive.current) return;
      setStatus(read);
      if (read.syncing) next = CACHE_POLL_SYNCING_MS;
    } catch {
      // The status line is informative only; the next poll tries again.
    }
    if (alive.current) timer.current = setTimeout(() => void poll(), next);
  }, [connectionId]);

  useEffect(() => {
    alive.current = true;
    void poll();
    return () => {
      alive.current = false;
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, [poll]);

  const refresh = useCallback(() => {
    if (!connectionId) return;
    setError(null);
    refreshCache(connectionId)
      .then(() => poll())
      .catch((e: AppError) => setError(e));
  }, [connectionId, poll]);

  return { status, error, refresh };
}
