import { useCallback, useEffect, useRef, useState } from "react";
import { directoryUser } from "../ipc/api";
import type { AppError, UserPage } from "../ipc/types";

export interface UserDetailsState {
  details: UserPage | null;
  loading: boolean;
  error: AppError | null;
  /**
   * Re-read the user, methods and offered actions live from the directory. After an action,
   * `discardShown` hides what was shown until the fresh read arrives: the old methods are no
   * longer true and must not be mistaken for the result.
   */
  refresh: (options?: { discardShown?: boolean }) => Promise<void>;
}

export function useUserDetails(connectionId: string, userId: string): UserDetailsState {
  const [details, setDetails] = useState<UserPage | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  const latestRequest = useRef(0);

  const refresh = useCallback(async (options?: { discardShown?: boolean }) => {
    const requestNo = ++latestRequest.current;
    if (options?.discardShown) setDetails(null);
    setLoading(true);
    try {
      const fresh = await directoryUser(connectionId, userId);
      if (requestNo !== latestRequest.current) return;
      setDetails(fresh);
      setError(null);
    } catch (e) {
      if (requestNo !== latestRequest.current) return;
      setError(e as AppError);
    } finally {
      if (requestNo === latestRequest.current) setLoading(false);
    }
  }, [connectionId, userId]);

  useEffect(() => {
    void refresh({ discardShown: true });
  }, [refresh]);

  return { details, loading, error, refresh };
}
