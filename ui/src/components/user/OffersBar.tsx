import { ActionBar } from "../ActionBar";
import type { UserActionsProps } from "./actionsProps";

/**
 * Rust's offers of the user's page in the one action bar, with Refresh; nothing while the page
 * is read (again). `onStart` gets the offer's action id: each flow starts the ones it knows.
 */
export function OffersBar({
  page,
  loading,
  refresh,
  busy,
  onStart,
}: Pick<UserActionsProps, "page" | "loading" | "refresh"> & { busy: boolean; onStart: (action: string) => void }) {
  if (!page) return null;
  return <ActionBar actions={page.offers} busy={busy} onStart={onStart} onRefresh={() => void refresh()} refreshing={loading} />;
}
