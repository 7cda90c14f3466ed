import {
  MessageBar,
  MessageBarBody,
  SearchBox,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CacheStatusLine } from "../components/CacheStatusLine";
import { ErrorBar } from "../components/ErrorBar";
import { ScreenTitle } from "../components/ScreenTitle";
import { useTableStyles } from "../components/tableStyles";
import { useUserSearch } from "../hooks/useUserSearch";
import { formatDateTime, orDash } from "../format";
import type { UserRow } from "../ipc/types";

const useStyles = makeStyles({
  screen: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  search: { width: "420px", maxWidth: "100%" },
  row: { cursor: "pointer" },
});

export interface UsersScreenProps {
  connectionId: string;
  /** The provider keeps the connection's users in the offline cache: it answers while typing, and its status shows. */
  offlineCache?: boolean;
  initialQuery?: string;
  /** Gets the query in force too, so coming back from a user shows the same list. */
  onOpenUser: (user: UserRow, query: string) => void;
}

/**
 * The users of a connection, whatever its provider (Microsoft Entra, Zoho Directory, Privilege
 * Secure, any provider of Rust's seam): name, login and the one line the provider finds useful —
 * Entra's job title and a disabled account, Zoho's role and status (only confirmed users can be
 * reset), how a Privilege Secure user gets access. Lighthouse, across customers, has its own.
 */
export function UsersScreen({ connectionId, offlineCache = false, initialQuery = "", onOpenUser }: UsersScreenProps) {
  const styles = useStyles();
  const tableStyles = useTableStyles();
  const search = useUserSearch(connectionId, initialQuery, offlineCache);
  const noResults = !search.loading && !search.error && search.answeredQuery !== null && search.users.length === 0;
  const open = (user: UserRow) => onOpenUser(user, search.query);

  return (
    <div className={styles.screen}>
      <ScreenTitle trail={["Users"]} title="Users" />
      <div className={styles.toolbar}>
        <SearchBox
          id="user-search"
          className={styles.search}
          placeholder="Search by name, login or e-mail"
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
        {search.source === "cache" && !search.offline ? (
          <Text size={200} data-testid="users-cached">
            From the offline cache; checking the directory…
          </Text>
        ) : null}
      </div>
      {offlineCache ? <CacheStatusLine connectionId={connectionId} /> : null}
      {search.offline ? (
        <MessageBar intent="warning" data-testid="users-offline">
          <MessageBarBody>
            Offline — data from {search.cachedAt ? formatDateTime(search.cachedAt) : "a cache never synced"}: these users
            come from the offline cache. Actions need a connection to the directory.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {search.error ? <ErrorBar error={search.error} /> : null}
      {noResults ? (
        <Text data-testid="users-empty">
          No users match “{search.answeredQuery}”. Check the spelling, or search by login or e-mail.
        </Text>
      ) : null}
      {search.users.length > 0 ? (
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
                data-testid="user-row"
                data-user-id={user.id}
                data-login={user.login}
                tabIndex={0}
                onClick={() => open(user)}
                onKeyDown={(event) => {
                  if (event.key === "Enter" || event.key === " ") {
                    event.preventDefault();
                    open(user);
                  }
                }}
              >
                <TableCell>
                  <TableCellLayout>{user.displayName}</TableCellLayout>
                </TableCell>
                <TableCell>{user.login}</TableCell>
                <TableCell data-testid="user-detail">{orDash(user.detail)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </div>
  );
}
