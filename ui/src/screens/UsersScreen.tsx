import {
  MessageBar,
  MessageBarBody,
  SearchBox,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CacheStatusLine } from "../components/CacheStatusLine";
import { ErrorBar } from "../components/ErrorBar";
import { ScreenTitle } from "../components/ScreenTitle";
import { UsersTable } from "../components/UsersTable";
import { useUserSearch } from "../hooks/useUserSearch";
import { formatDateTime } from "../format";
import type { DirectoryUser } from "../ipc/types";

const useStyles = makeStyles({
  screen: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  search: { width: "420px", maxWidth: "100%" },
});

export function UsersScreen({
  connectionId,
  initialQuery = "",
  onOpenUser,
}: {
  connectionId: string;
  initialQuery?: string;
  /** Gets the query in force too, so coming back from a user shows the same list. */
  onOpenUser: (user: DirectoryUser, query: string) => void;
}) {
  const styles = useStyles();
  const search = useUserSearch(connectionId, initialQuery);
  const noResults = !search.loading && !search.error && search.answeredQuery !== null && search.users.length === 0;

  return (
    <div className={styles.screen}>
      <ScreenTitle trail={["Users"]} title="Users" />
      <div className={styles.toolbar}>
        <SearchBox
          id="user-search"
          className={styles.search}
          placeholder="Search by name, user principal name or mail"
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
      <CacheStatusLine connectionId={connectionId} />
      {search.offline ? (
        <MessageBar intent="warning" data-testid="users-offline">
          <MessageBarBody>
            Offline — data from {formatDateTime(search.cachedAt)}. Actions need a connection to the directory.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {search.error ? <ErrorBar error={search.error} /> : null}
      {noResults ? (
        <Text data-testid="users-empty">
          No users match “{search.answeredQuery}”. Check the spelling or search by user principal name.
        </Text>
      ) : null}
      {search.users.length > 0 ? <UsersTable users={search.users} onOpen={(user) => onOpenUser(user, search.query)} /> : null}
    </div>
  );
}
