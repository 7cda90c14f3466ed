import { useCallback, useEffect, useRef, useState } from "react";
import { directoryTenants } from "../ipc/api";
import type { AppError, TenantAccess } from "../ipc/types";

/** A customer whose GDAP relationship is active: the only kind whose users can be read. */
export function isReachable(customer: TenantAccess): boolean {
  return customer.relationshipStatus === "active";
}

/**
 * The partner's customers and the selection (the action offered for it comes with each read of
 * the users). `selected` null means nothing chosen yet: once the list arrives every customer
 * whose relationship is active is selected (an expired or pending one cannot answer: it is
 * shown, not selected).
 */
export function useTenants(
  connectionId: string,
  selected: string[] | null,
  onSelect: (tenantIds: string[]) => void,
) {
  const [customers, setCustomers] = useState<TenantAccess[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  /** Bumped by `reload`: Refresh reads the customers and the technician's roles again. */
  const [readNo, setReadNo] = useState(0);

  useEffect(() => {
    let alive = true;
    setLoading(true);
    directoryTenants(connectionId)
      .then((found) => {
        if (!alive) return;
        setCustomers(found);
        setError(null);
        if (selectedRef.current === null) onSelectRef.current(found.filter(isReachable).map((c) => c.tenantId));
      })
      .catch((e: AppError) => {
        if (alive) setError(e);
      })
      .finally(() => {
        if (alive) setLoading(false);
      });
    return () => {
      alive = false;
    };
  }, [connectionId, readNo]);

  const tenantIds = selected ?? [];
  const key = tenantIds.join("\n");
  const reload = useCallback(() => setReadNo((n) => n + 1), []);
  return { customers, loading, error, tenantIds, tenantKey: key, reload };
}
