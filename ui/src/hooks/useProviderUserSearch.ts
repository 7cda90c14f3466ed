import { useCallback, useEffect, useRef, useState } from "react";
import type { AppError } from "../ipc/types";
import { SEARCH_DEBOUNCE_MS } from "./useUserSearch";

export interface ProviderUserSearchState<T> {
  query: string;
  setQuery: (query: string) => void;
  /** Search now with the current text, skipping the debounce (Enter). */
  searchNow: () => void;
  users: T[];
  loading: boolean;
  error: AppError | null;
  /** The query the shown results answer; null before the first answer. */
  answeredQuery: string | null;
}

/**
 * Search as you type for Zoho Directory and Privilege Secure: live only (these providers have no
 * offline cache), after a pause in typing or at once on Enter. Answers can arrive out of order;
 * only the latest request may update the list.
 */
export function useProviderUserSearch<T>(
  search: (connectionId: string, query: string) => Promise<T[]>,
  connectionId: string,
  initialQuery = "",
): ProviderUserSearchState<T> {
  const [query, setQueryState] = useState(initialQuery);
  const [users, setUsers] = useState<T[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [answeredQuery, setAnsweredQuery] = useState<string | null>(null);
  const latestRequest = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const queryRef = useRef(initialQuery);

  const run = useCallback(
    async (text: string) => {
      const requestNo = ++latestRequest.current;
      setLoading(true);
      try {
        const found = await search(connectionId, text.trim());
        if (requestNo !== latestRequest.current) return;
        setUsers(found);
        setAnsweredQuery(text.trim());
        setError(null);
      } catch (e) {
        if (requestNo !== latestRequest.current) return;
        setUsers([]);
        setError(e as AppError);
      } finally {
        if (requestNo === latestRequest.current) setLoading(false);
      }
    },
    [search, connectionId],
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
      cancelTimer();
      timer.current = setTimeout(() => {
        timer.current = null;
        void run(text);
      }, SEARCH_DEBOUNCE_MS);
    },
    [run],
  );

  const searchNow = useCallback(() => {
    cancelTimer();
    void run(queryRef.current);
  }, [run]);

  // On arrival, list the first users (or re-run the search the operator left).
  useEffect(() => {
    void run(queryRef.current);
    return cancelTimer;
  }, [run]);

  return { query, setQuery, searchNow, users, loading, error, answeredQuery };
}
