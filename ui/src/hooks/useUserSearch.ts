import { useCallback, useEffect, useRef, useState } from "react";
import { directorySearch, searchCachedUsers } from "../ipc/api";
import type { AppError, UserRow } from "../ipc/types";

/** How long typing must pause before the directory is asked (Enter searches at once). */
export const SEARCH_DEBOUNCE_MS = 250;

export interface UserSearchState {
  query: string;
  setQuery: (query: string) => void;
  /** Search now with the current text, skipping the debounce (Enter). */
  searchNow: () => void;
  users: UserRow[];
  /** Where the shown users come from: the offline cache (while typing, or offline) or the live directory. */
  source: "cache" | "live" | null;
  /** The directory could not be reached: Rust answered from the offline cache. */
  offline: boolean;
  /** When the cache was last synced (ISO 8601), for "data from …"; null: never. */
  cachedAt: string | null;
  loading: boolean;
  error: AppError | null;
  /** The query the shown results answer; null before the first answer. */
  answeredQuery: string | null;
}

/**
 * Search as you type, for every provider's users (one users screen): the live directory after a
 * pause in typing, or at once on Enter. Where the provider keeps an offline cache
 * (`offlineCache`), the cache answers each keystroke at once, and the live answer then replaces
 * it. When the directory cannot be reached Rust answers from that cache itself, marked so. When
 * it refuses the operator's search, the refusal shows and the cache shows no users until a live
 * search answers again.
 * `initialQuery` restores the search the operator left when they opened a user.
 */
export function useUserSearch(connectionId: string, initialQuery = "", offlineCache = false): UserSearchState {
  const [query, setQueryState] = useState(initialQuery);
  const [users, setUsers] = useState<UserRow[]>([]);
  const [source, setSource] = useState<"cache" | "live" | null>(null);
  const [offline, setOffline] = useState(false);
  const [cachedAt, setCachedAt] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [answeredQuery, setAnsweredQuery] = useState<string | null>(null);
  // Answers can arrive out of order; only the latest request may update the list.
  const latestRequest = useRef(0);
  const latestCached = useRef(0);
  // The query the live directory last answered (users or a refusal): cached results never
  // replace that answer.
  const liveAnswered = useRef<string | null>(null);
  // The directory refused this operator's search (a Zoho member, a lost sign-in): the cache does
  // not show users while typing until a live search answers again.
  const refused = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const queryRef = useRef(initialQuery);

  /** Shows the cache's users for `text` while the live search is on its way. */
  const showCached = useCallback(
    async (text: string) => {
      if (!offlineCache || refused.current || text.trim() === "") return;
      const requestNo = ++latestCached.current;
      try {
        const cached = await searchCachedUsers(connectionId, text.trim());
        if (requestNo !== latestCached.current || queryRef.current.trim() !== text.trim()) return;
        if (refused.current || liveAnswered.current === text.trim() || cached.users.length === 0) return;
        setCachedAt(cached.syncedAt);
        setUsers(cached.users);
        setSource("cache");
        setAnsweredQuery(text.trim());
      } catch {
        // The cache is a convenience: without it, the live search still answers.
      }
    },
    [connectionId, offlineCache],
  );

  const run = useCallback(
    async (text: string) => {
      const requestNo = ++latestRequest.current;
      setLoading(true);
      try {
        const found = await directorySearch(connectionId, text.trim());
        if (requestNo !== latestRequest.current) return;
        liveAnswered.current = text.trim();
        refused.current = false;
        setUsers(found.users);
        setSource(found.fromCache ? "cache" : "live");
        setOffline(Boolean(found.fromCache));
        setCachedAt(found.fromCache?.syncedAt ?? null);
        setAnsweredQuery(text.trim());
        setError(null);
      } catch (e) {
        if (requestNo !== latestRequest.current) return;
        // Offline too: Rust answers from the cache when it has a match, so this says why not.
        const failure = e as AppError;
        liveAnswered.current = text.trim();
        refused.current = failure.kind !== "Offline";
        setUsers([]);
        setSource(null);
        setOffline(false);
        setError(failure);
      } finally {
        if (requestNo === latestRequest.current) setLoading(false);
      }
    },
    [connectionId],
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
      void showCached(text);
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

  // On arrival, list the first page of users (as the admin centres do) or re-run the search
  // the operator left.
  useEffect(() => {
    setUsers([]);
    setSource(null);
    setOffline(false);
    setAnsweredQuery(null);
    setError(null);
    liveAnswered.current = null;
    refused.current = false;
    void showCached(queryRef.current);
    void run(queryRef.current);
    return cancelTimer;
  }, [run, showCached]);

  return { query, setQuery, searchNow, users, source, offline, cachedAt, loading, error, answeredQuery };
}
