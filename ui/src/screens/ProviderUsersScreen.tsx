import {
  MessageBar,
  MessageBarBody,
  SearchBox,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import { CacheStatusLine } from "../components/CacheStatusLine";
import { ErrorBar } from "../components/ErrorBar";
import { ScreenTitle } from "../components/ScreenTitle";
import { useTableStyles } from "../components/tableStyles";
import { useProviderUserSearch } from "../hooks/useProviderUserSearch";
import type { ProviderUserSearchState } from "../hooks/useProviderUserSearch";
import { directorySearch } from "../ipc/api";
import type { UserRow } from "../ipc/types";
import { formatDateTime, orDash } from "../format";

/** A row of the users list: what Rust sent, marked (page-side only) when Rust answered from the offline cache. */
export type DirectoryUserRow = UserRow & { fromCacheSyncedAt?: string | null };

/**
 * The seam's search: live, or — when the service cannot be reached and the provider keeps an
 * offline cache (Zoho) — Rust's answer from the cache, each row marked with when it was synced.
 */
export async function searchDirectory(connectionId: string, query: string): Promise<DirectoryUserRow[]> {
  const found = await directorySearch(connectionId, query);
  const fromCache = found.fromCache;
  if (!fromCache) return found.users;
  return found.users.map((user) => ({ ...user, fromCacheSyncedAt: fromCache.syncedAt ?? null }));
}

const useStyles = makeStyles({
  screen: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  search: { width: "420px", maxWidth: "100%" },
  row: { cursor: "pointer" },
});

/** The search box and counts of the list; `user-search` keeps Ctrl+K working. */
function SearchShell<T>({
  search,
  placeholder,
  children,
}: {
  search: ProviderUserSearchState<T>;
  placeholder: string;
  children: ReactNode;
}) {
  const styles = useStyles();
  const noResults = !search.loading && !search.error && search.answeredQuery !== null && search.users.length === 0;
  return (
    <div className={styles.screen}>
      <ScreenTitle trail={["Users"]} title="Users" />
      <div className={styles.toolbar}>
        <SearchBox
          id="user-search"
          className={styles.search}
          placeholder={placeholder}
          aria-label="Search users"
          value={search.query}
          onChange={(_, data) => search.setQuery(data.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") search.searchNow();
          }}
        />
        {search.loading ? <Spinner size="tiny" label="Searching…" data-testid="users-loading" /> : null}
        {!search.loading && search.answeredQuery !== null ? (
          <Text size={200} data-testid="users-count">
            {search.users.length} user{search.users.length === 1 ? "" : "s"} found
          </Text>
        ) : null}
      </div>
      {search.error ? <ErrorBar error={search.error} /> : null}
      {noResults ? <Text data-testid="users-empty">No users match “{search.answeredQuery}”.</Text> : null}
      {search.users.length > 0 ? children : null}
    </div>
  );
}

/** Row props that open the user with a click, Enter or Space, as in the Entra list. */
function openable(onOpen: () => void) {
  return {
    tabIndex: 0,
    onClick: onOpen,
    onKeyDown: (event: React.KeyboardEvent) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onOpen();
      }
    },
  };
}

export interface ProviderUsersScreenProps<T> {
  connectionId: string;
  /** The provider keeps the connection's users in the offline cache: show its status. */
  offlineCache?: boolean;
  initialQuery?: string;
  /** Gets the query in force too, so coming back from a user shows the same list. */
  onOpenUser: (user: T, query: string) => void;
}

/**
 * The users of a directory served through Rust's provider seam (Zoho Directory, Privilege
 * Secure, and any provider registered there): name, login and the one line the provider finds
 * useful (for Zoho, the role and the status — only confirmed users can be reset; for Privilege
 * Secure, how the user gets access: individually or inherited from an AD group).
 */
export function DirectoryUsersScreen({ connectionId, offlineCache = false, initialQuery = "", onOpenUser }: ProviderUsersScreenProps<DirectoryUserRow>) {
  const styles = useStyles();
  const tableStyles = useTableStyles();
  const search = useProviderUserSearch(searchDirectory, connectionId, initialQuery);
  const cachedAt = search.users.find((user) => user.fromCacheSyncedAt !== undefined)?.fromCacheSyncedAt;
  return (
    <SearchShell search={search} placeholder="Search by name, login or e-mail">
      {offlineCache ? <CacheStatusLine connectionId={connectionId} /> : null}
      {cachedAt !== undefined ? (
        <MessageBar intent="warning" data-testid="users-offline">
          <MessageBarBody>
            The directory cannot be reached: these users come from the offline cache (last synced {cachedAt ? formatDateTime(cachedAt) : "never"}). Actions need it to answer again.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Table aria-label="Users" size="small" className={tableStyles.table}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Name</TableHeaderCell>
            <TableHeaderCell>Login</TableHeaderCell>
            <TableHeaderCell>Details</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {search.users.map((user) => (
            <TableRow
              key={user.id}
              className={styles.row}
              data-testid="directory-user-row"
              data-user-id={user.id}
              {...openable(() => onOpenUser(user, search.query))}
            >
              <TableCell>{user.displayName}</TableCell>
              <TableCell>{user.login}</TableCell>
              <TableCell data-testid="directory-user-detail">{orDash(user.detail)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </SearchShell>
  );
}
