import { useCallback, useEffect, useState } from "react";
import { listAudit, verifyAudit } from "../ipc/api";
import type { AppError, AuditEntry, AuditVerification } from "../ipc/types";

/** The Activity screen shows at most this many entries, newest first. */
export const AUDIT_PAGE_SIZE = 200;

export interface AuditState {
  entries: AuditEntry[];
  loading: boolean;
  error: AppError | null;
  reload: () => Promise<void>;
  verification: AuditVerification | null;
  verifying: boolean;
  verify: () => Promise<void>;
}

export function useAudit(): AuditState {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [verifying, setVerifying] = useState(false);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const list = await listAudit(AUDIT_PAGE_SIZE);
      // Newest first whatever order the log answers in.
      setEntries([...list].sort((a, b) => b.seq - a.seq));
      setError(null);
    } catch (e) {
      setError(e as AppError);
    } finally {
      setLoading(false);
    }
  }, []);

  const verify = useCallback(async () => {
    setVerifying(true);
    try {
      setVerification(await verifyAudit());
      setError(null);
    } catch (e) {
      setVerification(null);
      setError(e as AppError);
    } finally {
      setVerifying(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { entries, loading, error, reload, verification, verifying, verify };
}
