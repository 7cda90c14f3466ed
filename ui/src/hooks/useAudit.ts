import { useCallback, useEffect, useRef, useState } from "react";
import { exportAudit, listAudit, verifyAudit } from "../ipc/api";
import type {
  AppError,
  AuditEntry,
  AuditFilter,
  AuditOutcome,
  AuditVerification,
  ExportFormat,
  ExportResult,
} from "../ipc/types";

/** The Activity screen shows at most this many entries, newest first. */
export const AUDIT_PAGE_SIZE = 200;

/** Typing in a filter re-queries once the operator pauses, not on every key. */
export const FILTER_DELAY_MS = 250;

/** What the filter controls hold: text as typed, "" for "any". Dates are YYYY-MM-DD (date inputs). */
export interface AuditFilterInputs {
  operator: string;
  target: string;
  action: string;
  outcome: AuditOutcome | "";
  from: string;
  to: string;
}

export const NO_FILTER: AuditFilterInputs = { operator: "", target: "", action: "", outcome: "", from: "", to: "" };

/** The operator's local day as an RFC 3339 instant: its first millisecond, or its last. */
function localDayEdge(day: string, edge: "start" | "end"): string | undefined {
  const date = new Date(`${day}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The filter sent to Rust: blank fields left out, dates turned into the operator's local days;
 * undefined when nothing is asked (the call is then the plain `{limit}`).
 */
export function toAuditFilter(inputs: AuditFilterInputs): AuditFilter | undefined {
  const filter: AuditFilter = {};
  if (inputs.operator.trim()) filter.operator = inputs.operator.trim();
  if (inputs.target.trim()) filter.target = inputs.target.trim();
  if (inputs.action) filter.action = inputs.action;
  if (inputs.outcome) filter.outcome = inputs.outcome;
  // A date the input could not parse is sent as typed, so Rust says what is wrong with it.
  if (inputs.from) filter.from = localDayEdge(inputs.from, "start") ?? inputs.from;
  if (inputs.to) filter.to = localDayEdge(inputs.to, "end") ?? inputs.to;
  return Object.keys(filter).length > 0 ? filter : undefined;
}

export interface AuditState {
  entries: AuditEntry[];
  loading: boolean;
  error: AppError | null;
  reload: () => Promise<void>;
  filter: AuditFilterInputs;
  setFilter: (change: Partial<AuditFilterInputs>) => void;
  clearFilter: () => void;
  verification: AuditVerification | null;
  verifying: boolean;
  verify: () => Promise<void>;
  exporting: ExportFormat | null;
  /** The last export; null until one finished (a cancelled Save dialog changes nothing). */
  exported: ExportResult | null;
  exportAs: (format: ExportFormat) => Promise<void>;
}

export function useAudit(): AuditState {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  const [filter, setFilterState] = useState<AuditFilterInputs>(NO_FILTER);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [exporting, setExporting] = useState<ExportFormat | null>(null);
  const [exported, setExported] = useState<ExportResult | null>(null);
  // Only the newest query may set the list: an older, slower answer is dropped.
  const latestQuery = useRef(0);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const reload = useCallback(async () => {
    const query = ++latestQuery.current;
    setLoading(true);
    try {
      const list = await listAudit(AUDIT_PAGE_SIZE, toAuditFilter(filterRef.current));
      if (query !== latestQuery.current) return;
      // Newest first whatever order the log answers in.
      setEntries([...list].sort((a, b) => b.seq - a.seq));
      setError(null);
    } catch (e) {
      if (query !== latestQuery.current) return;
      setError(e as AppError);
    } finally {
      if (query === latestQuery.current) setLoading(false);
    }
  }, []);

  const setFilter = useCallback((change: Partial<AuditFilterInputs>) => {
    setFilterState((current) => ({ ...current, ...change }));
  }, []);
  const clearFilter = useCallback(() => setFilterState(NO_FILTER), []);

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

  const exportAs = useCallback(async (format: ExportFormat) => {
    setExporting(format);
    try {
      const result = await exportAudit(format, toAuditFilter(filterRef.current));
      if (result) setExported(result);
      setError(null);
    } catch (e) {
      setError(e as AppError);
    } finally {
      setExporting(null);
    }
  }, []);

  // The first load is immediate; a changed filter re-queries after a short pause.
  const firstLoad = useRef(true);
  useEffect(() => {
    if (firstLoad.current) {
      firstLoad.current = false;
      void reload();
      return;
    }
    const timer = setTimeout(() => void reload(), FILTER_DELAY_MS);
    return () => clearTimeout(timer);
  }, [filter, reload]);

  return {
    entries,
    loading,
    error,
    reload,
    filter,
    setFilter,
    clearFilter,
    verification,
    verifying,
    verify,
    exporting,
    exported,
    exportAs,
  };
}
