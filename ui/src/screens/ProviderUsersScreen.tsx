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
import { ErrorBar } from "../components/ErrorBar";
import { ScreenTitle } from "../components/ScreenTitle";
import { ZOHO_ROLE_LABELS, ZohoStatusBadge } from "../components/providers/ProviderBadges";
import { useTableStyles } from "../components/tableStyles";
import { useProviderUserSearch } from "../hooks/useProviderUserSearch";
import type { ProviderUserSearchState } from "../hooks/useProviderUserSearch";
import { directorySearch, isAppError, searchCachedUsers, zohoSearchUsers } from "../ipc/api";
import type { DirectoryUser, UserRow, ZohoRole, ZohoUser, ZohoUserStatus } from "../ipc/types";
import { formatDateTime, orDash } from "../format";

const ROLE_BY_LABEL: Record<string, ZohoRole> = { "Super Admin": "super_admin", Admin: "admin", Member: "member" };

/** A row of the Zoho users list: what Rust sent, or (page-side only) a row from the offline cache because Zoho could not be reached. */
export type ZohoUserRow = ZohoUser & { fromCacheSyncedAt?: string | null };

/** A Zoho user as the offline cache keeps it (Rust stores the e-mail as UPN, the role label as job title, the status as user type). */
function zohoUserFromCache(user: DirectoryUser, syncedAt: string | null): ZohoUserRow {
  const status = (["confirmed", "pending", "external"].includes(user.userType ?? "") ? user.userType : "confirmed") as ZohoUserStatus;
  return {
    zuid: user.id,
    accountId: null,
    tfaEnabled: null,
    email: user.userPrincipalName,
    displayName: user.displayName,
    role: ROLE_BY_LABEL[user.jobTitle ?? ""] ?? "member",
    status,
    notResettableReason: status === "confirmed" ? null : "From the offline cache: open the user when Zoho answers again to see why.",
    fromCacheSyncedAt: syncedAt,
  };
}

/**
 * The live Zoho search; when Zoho cannot be reached, the offline cache answers instead (Rust
 * keeps it filled after each sign-in and probes until Zoho is back).
 */
export async function zohoSearchWithCache(connectionId: string, query: string): Promise<ZohoUserRow[]> {
  try {
    return await zohoSearchUsers(connectionId, query);
  } catch (error) {
    if (!isAppError(error) || error.kind !== "Offline") throw error;
    const cached = await searchCachedUsers(connectionId, query);
    if (cached.users.length === 0) throw error;
    return cached.users.map((user) => zohoUserFromCache(user, cached.syncedAt ?? null));
  }
}

const useStyles = makeStyles({
  screen: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  search: { width: "420px", maxWidth: "100%" },
  row: { cursor: "pointer" },
});

/** The search box and counts shared by the Zoho and seam-served lists; `user-search` keeps Ctrl+K working. */
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
  initialQuery?: string;
  /** Gets the query in force too, so coming back from a user shows the same list. */
  onOpenUser: (user: T, query: string) => void;
}

/** Zoho Directory users: status decides what can be reset (only confirmed users), so it is always shown. */
export function ZohoUsersScreen({ connectionId, initialQuery = "", onOpenUser }: ProviderUsersScreenProps<ZohoUserRow>) {
  const styles = useStyles();
  const tableStyles = useTableStyles();
  const search = useProviderUserSearch(zohoSearchWithCache, connectionId, initialQuery);
  const cachedAt = search.users.find((user) => user.fromCacheSyncedAt !== undefined)?.fromCacheSyncedAt;
  return (
    <SearchShell search={search} placeholder="Search by name or e-mail">
      {cachedAt !== undefined ? (
        <MessageBar intent="warning" data-testid="users-offline">
          <MessageBarBody>
            Zoho cannot be reached: these users come from the offline cache (last synced {formatDateTime(cachedAt)}). Actions need Zoho to answer again.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Table aria-label="Zoho users" size="small" className={tableStyles.table}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Name</TableHeaderCell>
            <TableHeaderCell>E-mail</TableHeaderCell>
            <TableHeaderCell>Role</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {search.users.map((user) => (
            <TableRow
              key={user.zuid}
              className={styles.row}
              data-testid="zoho-user-row"
              data-user-id={user.zuid}
              data-status={user.status}
              {...openable(() => onOpenUser(user, search.query))}
            >
              <TableCell>{user.displayName}</TableCell>
              <TableCell>{user.email}</TableCell>
              <TableCell>{ZOHO_ROLE_LABELS[user.role] ?? user.role}</TableCell>
              <TableCell>
                <ZohoStatusBadge user={user} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </SearchShell>
  );
}

/**
 * The users of a directory served through Rust's provider seam (Privilege Secure, and any
 * provider registered there): name, login and the one line the provider finds useful (for
 * Privilege Secure, how the user gets access: individually or inherited from an AD group).
 */
export function DirectoryUsersScreen({ connectionId, initialQuery = "", onOpenUser }: ProviderUsersScreenProps<UserRow>) {
  const styles = useStyles();
  const tableStyles = useTableStyles();
  const search = useProviderUserSearch(directorySearch, connectionId, initialQuery);
  return (
    <SearchShell search={search} placeholder="Search by name, login or e-mail">
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
