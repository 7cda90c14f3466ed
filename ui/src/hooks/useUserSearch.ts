import { useCallback, useEffect, useRef, useState } from "react";
import { searchUsers } from "../ipc/api";
import type { AppError, DirectoryUser } from "../ipc/types";

/** How long typing must pause before the directory is asked (Enter searches at once). */
export const SEARCH_DEBOUNCE_MS = 250;

export interface UserSearchState {
  query: string;
  setQuery: (query: string) => void;
  /** Search now with the current text, skipping the debounce (Enter). */
  searchNow: () => void;
  users: DirectoryUser[];
  loading: boolean;
  error: AppError | null;
  /** The query the shown results answer; null before the first answer. */
  answeredQuery: string | null;
}

/** `initialQuery` restores the search the operator left when they opened a user. */
export function useUserSearch(connectionId: string | null, initialQuery = ""): UserSearchState {
  const [query, setQueryState] = useState(initialQuery);
  const [users, setUsers] = useState<DirectoryUser[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [answeredQuery, setAnsweredQuery] = useState<string | null>(null);
  // Answers can arrive out of order; only the latest request may update the list.
  const latestRequest = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const queryRef = useRef(initialQuery);

  const run = useCallback(
    async (text: string) => {
      if (!connectionId) return;
      const requestNo = ++latestRequest.current;
      setLoading(true);
      try {
        const found = await searchUsers(connectionId, text.trim());
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

  // On arrival, list the first page of users (as the admin centre does) or re-run the search
  // the operator left.
  useEffect(() => {
    setUsers([]);
    setAnsweredQuery(null);
    setError(null);
    void run(queryRef.current);
    return cancelTimer;
  }, [run]);

  return { query, setQuery, searchNow, users, loading, error, answeredQuery };
}
