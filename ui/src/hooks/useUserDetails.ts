import { useCallback, useEffect, useRef, useState } from "react";
import { getUserDetails } from "../ipc/api";
import type { AppError, UserDetails } from "../ipc/types";

export interface UserDetailsState {
  details: UserDetails | null;
  loading: boolean;
  error: AppError | null;
  /** Re-read the user, methods and offered actions live from the directory. */
  refresh: () => Promise<void>;
}

export function useUserDetails(connectionId: string, userId: string): UserDetailsState {
  const [details, setDetails] = useState<UserDetails | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  const latestRequest = useRef(0);

  const refresh = useCallback(async () => {
    const requestNo = ++latestRequest.current;
    setLoading(true);
    try {
      const fresh = await getUserDetails(connectionId, userId);
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
    setDetails(null);
    void refresh();
  }, [refresh]);

  return { details, loading, error, refresh };
}
