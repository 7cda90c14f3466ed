import { useCallback, useEffect, useRef, useState } from "react";
import { searchCachedUsers, searchUsers } from "../ipc/api";
import type { AppError, DirectoryUser } from "../ipc/types";

/** How long typing must pause before the directory is asked (Enter searches at once). */
export const SEARCH_DEBOUNCE_MS = 250;

export interface UserSearchState {
  query: string;
  setQuery: (query: string) => void;
  /** Search now with the current text, skipping the debounce (Enter). */
  searchNow: () => void;
  users: DirectoryUser[];
  /** Where the shown users come from: the offline cache (instantly, while typing) or the live directory. */
  source: "cache" | "live" | null;
  /** The live directory could not be reached: the users shown are the cache's. */
  offline: boolean;
  /** When the cache was last synced (ISO 8601), for "data from …". */
  cachedAt: string | null;
  loading: boolean;
  error: AppError | null;
  /** The query the shown results answer; null before the first answer. */
  answeredQuery: string | null;
}

/**
 * Search as you type: the offline cache answers each keystroke at once, then the live directory
 * (after a pause in typing) replaces those results. Offline, the cached results stay, marked so.
 * `initialQuery` restores the search the operator left when they opened a user.
 */
export function useUserSearch(connectionId: string | null, initialQuery = ""): UserSearchState {
  const [query, setQueryState] = useState(initialQuery);
  const [users, setUsers] = useState<DirectoryUser[]>([]);
  const [source, setSource] = useState<"cache" | "live" | null>(null);
  const [offline, setOffline] = useState(false);
  const [cachedAt, setCachedAt] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [answeredQuery, setAnsweredQuery] = useState<string | null>(null);
  // Answers can arrive out of order; only the latest request may update the list.
  const latestRequest = useRef(0);
  const latestCached = useRef(0);
  // The query the live directory last answered: cached results never replace a live answer.
  const liveAnswered = useRef<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const queryRef = useRef(initialQuery);

  /** Shows cached results for `text` unless the live answer for it is already there. */
  const showCached = useCallback(
    async (text: string, becauseOffline: boolean) => {
      if (!connectionId || text.trim() === "") return false;
      const requestNo = ++latestCached.current;
      try {
        const cached = await searchCachedUsers(connectionId, text.trim());
        if (requestNo !== latestCached.current || queryRef.current.trim() !== text.trim()) return false;
        if (liveAnswered.current === text.trim() && !becauseOffline) return false;
        setCachedAt(cached.syncedAt);
        if (cached.users.length === 0 && !becauseOffline) return false;
        setUsers(cached.users);
        setSource("cache");
        setAnsweredQuery(text.trim());
        return cached.users.length > 0;
      } catch {
        // The cache is a convenience: without it, the live search still answers.
        return false;
      }
    },
    [connectionId],
  );

  const run = useCallback(
    async (text: string) => {
      if (!connectionId) return;
      const requestNo = ++latestRequest.current;
      setLoading(true);
      try {
        const found = await searchUsers(connectionId, text.trim());
        if (requestNo !== latestRequest.current) return;
        liveAnswered.current = text.trim();
        setUsers(found);
        setSource("live");
        setOffline(false);
        setAnsweredQuery(text.trim());
        setError(null);
      } catch (e) {
        if (requestNo !== latestRequest.current) return;
        const failure = e as AppError;
        if (failure.kind === "Offline") {
          setOffline(true);
          const shown = await showCached(text, true);
          if (requestNo !== latestRequest.current) return;
          // With cached users on screen the offline note says enough; without, show why.
          setError(shown ? null : failure);
          if (!shown) setUsers([]);
        } else {
          setUsers([]);
          setSource(null);
          setError(failure);
        }
      } finally {
        if (requestNo === latestRequest.current) setLoading(false);
      }
    },
    [connectionId, showCached],
  );

  const cancelTimer = () => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
  };

  const setQuery = useCallback(
    (text: string) => {
      queryRef.current = text;
      setQueryState(text);
      void showCached(text, false);
      cancelTimer();
      timer.current = setTimeout(() => {
        timer.current = null;
        void run(text);
      }, SEARCH_DEBOUNCE_MS);
    },
    [run, showCached],
  );

  const searchNow = useCallback(() => {
    cancelTimer();
    void run(queryRef.current);
  }, [run]);

  // On arrival, list the first page of users (as the admin centre does) or re-run the search
  // the operator left.
  useEffect(() => {
    setUsers([]);
    setSource(null);
    setOffline(false);
    setAnsweredQuery(null);
    setError(null);
    liveAnswered.current = null;
    void showCached(queryRef.current, false);
    void run(queryRef.current);
    return cancelTimer;
  }, [run, showCached]);

  return { query, setQuery, searchNow, users, source, offline, cachedAt, loading, error, answeredQuery };
}
