import {
  Badge,
  Button,
  Checkbox,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  SearchBox,
  Spinner,
  Tab,
  TabList,
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
import { ArrowSyncRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useRef, useState } from "react";
import { ErrorBar } from "../components/ErrorBar";
import { ScreenTitle } from "../components/ScreenTitle";
import { CustomerSelector } from "../components/tenants/CustomerSelector";
import { BulkActionBar } from "../components/tenants/BulkActionBar";
import { BulkActionDialogs } from "../components/tenants/BulkActionDialogs";
import { useTableStyles } from "../components/tableStyles";
import { useTenants } from "../hooks/useTenants";
import { useBulkAction } from "../hooks/useBulkAction";
import { SEARCH_DEBOUNCE_MS } from "../hooks/useUserSearch";
import { directoryTenantMethods, directoryTenantUsers } from "../ipc/api";
import type {
  AppError,
  TenantNotRead,
  TenantOffer,
  TenantMethodsRow,
  TenantUserRow,
} from "../ipc/types";
import { orDash } from "../format";

export type TenantListTab = "users" | "methods";

const useStyles = makeStyles({
  screen: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  search: { width: "420px", maxWidth: "100%" },
  hint: { color: tokens.colorNeutralForeground3 },
  methods: { display: "inline-flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

/** A selected user: the id Rust gave the row (what a plan takes) and their customer. */
type Selected = { key: string; tenantId: string };

/** The rows of either list, as users (the Authentication methods list carries each user's methods). */
function rowUser(row: TenantUserRow | TenantMethodsRow): TenantUserRow {
  return "user" in row ? row.user : row;
}

/**
 * The users of a connection whose users live in several tenants (a Lighthouse partner's customers),
 * shown where the connection's card says so (`listsTenants`): the customer selector, then the users — or
 * their authentication methods — of the customers selected, read live, with the actions Rust offers for
 * the selection; the users ticked are planned together and run as a bulk job.
 */
export function TenantUsersScreen({
  connectionId,
  selectedCustomers,
  onSelectCustomers,
  tab,
  onTabChange,
  initialQuery = "",
  onOpenUser,
  onArrive,
}: {
  connectionId: string;
  /** The customer selection, kept by the app across the connection's screens; null before the first choice. */
  selectedCustomers: string[] | null;
  onSelectCustomers: (tenantIds: string[]) => void;
  tab: TenantListTab;
  onTabChange: (tab: TenantListTab) => void;
  initialQuery?: string;
  onOpenUser: (user: TenantUserRow, query: string) => void;
  /** Called once on arrival (the app re-reads the interrupted jobs). */
  onArrive?: () => void;
}) {
  const styles = useStyles();
  const tableStyles = useTableStyles();
  const customers = useTenants(connectionId, selectedCustomers, onSelectCustomers);
  const reset = useBulkAction(connectionId);

  const [query, setQuery] = useState(initialQuery);
  const [appliedQuery, setAppliedQuery] = useState(initialQuery.trim());
  const [refreshNo, setRefreshNo] = useState(0);
  const [rows, setRows] = useState<Array<TenantUserRow | TenantMethodsRow>>([]);
  /** Selected customers that did not answer the last read: noted, while the others' users show. */
  const [notRead, setNotRead] = useState<TenantNotRead[]>([]);
  /** Authentication methods tab: users found beyond what the list reads live. */
  const [notShown, setNotShown] = useState(0);
  const [rowsTab, setRowsTab] = useState<TenantListTab | null>(null);
  /** The actions Rust offers for the selection, with the selection they were read for. */
  const [offers, setOffers] = useState<TenantOffer[]>([]);
  const [offersKey, setOffersKey] = useState("");
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [selected, setSelected] = useState<Map<string, Selected>>(new Map());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(0);

  const arrive = useRef(onArrive);
  useEffect(() => {
    arrive.current?.();
  }, []);

  // Live each time: a new selection, search, tab or Refresh asks Rust again.
  useEffect(() => {
    const no = ++latest.current;
    if (customers.tenantKey === "") {
      setRows([]);
      setNotRead([]);
      setRowsTab(tab);
      setLoading(false);
      setError(null);
      return;
    }
    const tenantIds = customers.tenantKey.split("\n");
    setLoading(true);
    const read: Promise<{
      rows: Array<TenantUserRow | TenantMethodsRow>;
      notRead: TenantNotRead[];
      notShown: number;
      offers: TenantOffer[];
    }> =
      tab === "users"
        ? directoryTenantUsers(connectionId, tenantIds, appliedQuery).then((found) => ({ ...found, rows: found.users, notShown: 0 }))
        : directoryTenantMethods(connectionId, tenantIds, appliedQuery);
    read
      .then((found) => {
        if (no !== latest.current) return;
        setRows(found.rows);
        setNotRead(found.notRead);
        setNotShown(found.notShown);
        setOffers(found.offers);
        setOffersKey(customers.tenantKey);
        setRowsTab(tab);
        setError(null);
      })
      .catch((e: AppError) => {
        if (no !== latest.current) return;
        setRows([]);
        setNotRead([]);
        setError(e);
      })
      .finally(() => {
        if (no === latest.current) setLoading(false);
      });
  }, [connectionId, customers.tenantKey, appliedQuery, tab, refreshNo]);

  // Users of customers no longer selected are no longer selected either.
  useEffect(() => {
    const tenants = new Set(customers.tenantIds);
    setSelected((current) => {
      const kept = [...current].filter(([, t]) => tenants.has(t.tenantId));
      return kept.length === current.size ? current : new Map(kept);
    });
  }, [customers.tenantKey]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  const changeQuery = (text: string) => {
    setQuery(text);
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      setAppliedQuery(text.trim());
    }, SEARCH_DEBOUNCE_MS);
  };
  const searchNow = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    setAppliedQuery(query.trim());
    setRefreshNo((n) => n + 1);
  };
  // Refresh reads everything again: the customers with the technician's roles, then the list.
  const reloadCustomers = customers.reload;
  const refresh = useCallback(() => {
    reloadCustomers();
    setRefreshNo((n) => n + 1);
  }, [reloadCustomers]);

  const shown = rowsTab === tab ? rows : [];
  const visible = shown.map((row) => {
    const user = rowUser(row);
    return { key: user.key, tenantId: user.tenantId };
  });
  const visibleSelected = visible.filter((t) => selected.has(t.key)).length;
  const allVisible = visible.length > 0 && visibleSelected === visible.length;

  const toggle = (target: Selected, checked: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      if (checked) next.set(target.key, target);
      else next.delete(target.key);
      return next;
    });
  const toggleVisible = () =>
    setSelected((current) => {
      const next = new Map(current);
      for (const t of visible) {
        if (allVisible) next.delete(t.key);
        else next.set(t.key, t);
      }
      return next;
    });

  const jobClosed = () => {
    reset.close();
    setSelected(new Map());
    refresh();
  };

  const noResults = !loading && !error && rowsTab === tab && shown.length === 0 && customers.tenantIds.length > 0;

  return (
    <div className={styles.screen}>
      <ScreenTitle trail={[tab === "users" ? "Users" : "Authentication methods"]} title={tab === "users" ? "Users" : "Authentication methods"} />
      <CustomerSelector
        customers={customers.customers}
        selected={customers.tenantIds}
        onChange={onSelectCustomers}
        loading={customers.loading}
      />
      {customers.error ? <ErrorBar error={customers.error} /> : null}
      <TabList selectedValue={tab} onTabSelect={(_, data) => onTabChange(data.value as TenantListTab)}>
        <Tab id="tab-users" value="users">
          Users
        </Tab>
        <Tab id="tab-methods" value="methods">
          Authentication methods
        </Tab>
      </TabList>
      <div className={styles.toolbar}>
        <SearchBox
          id="user-search"
          className={styles.search}
          placeholder="Search by name or user principal name"
          aria-label="Search users"
          value={query}
          onChange={(_, data) => changeQuery(data.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") searchNow();
          }}
        />
        {loading ? <Spinner size="tiny" label="Reading live…" data-testid="users-loading" /> : null}
        {!loading && rowsTab === tab && customers.tenantIds.length > 0 ? (
          <Text size={200} data-testid="users-count">
            {shown.length} user{shown.length === 1 ? "" : "s"} found
          </Text>
        ) : null}
      </div>
      <BulkActionBar
        offers={offers}
        // Only the offers for the customers selected now: a new selection's wait for its read.
        current={offersKey === customers.tenantKey}
        selectedCount={selected.size}
        busy={reset.flow.stage !== "idle"}
        onStart={(offer) => void reset.start([...selected.keys()], offer)}
      >
        <Button id="refresh-users" appearance="subtle" icon={<ArrowSyncRegular />} disabled={loading} onClick={refresh}>
          Refresh
        </Button>
      </BulkActionBar>
      {error ? <ErrorBar error={error} /> : null}
      {notRead.map((customer) => (
        <MessageBar key={customer.tenantId} intent="warning" layout="multiline" data-testid="customer-not-read" data-tenant-id={customer.tenantId}>
          <MessageBarBody>
            <MessageBarTitle>{customer.displayName} did not answer</MessageBarTitle>
            {customer.error.message} The users of the other customers are listed.
          </MessageBarBody>
        </MessageBar>
      ))}
      {notShown > 0 && rowsTab === tab ? (
        <MessageBar intent="info" data-testid="methods-not-shown">
          <MessageBarBody>
            {notShown} more user{notShown === 1 ? " is" : "s are"} not shown: each row reads the user&apos;s methods live. Narrow the
            search or the customers to see them.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {customers.tenantIds.length === 0 && !customers.loading ? (
        <Text data-testid="no-customer-selected">Select at least one customer to list its users.</Text>
      ) : null}
      {noResults ? (
        <Text data-testid="users-empty">
          {appliedQuery ? `No users match “${appliedQuery}” in the selected customers.` : "The selected customers have no users."}
        </Text>
      ) : null}
      {shown.length > 0 ? (
        <Table aria-label={tab === "users" ? "Users" : "Authentication methods"} size="small" className={tableStyles.table}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>
                <Checkbox
                  id="select-all-users"
                  aria-label="Select all users shown"
                  checked={allVisible ? true : visibleSelected > 0 ? "mixed" : false}
                  onChange={toggleVisible}
                />
              </TableHeaderCell>
              <TableHeaderCell>Display name</TableHeaderCell>
              <TableHeaderCell>User principal name</TableHeaderCell>
              <TableHeaderCell>Customer</TableHeaderCell>
              {tab === "users" ? (
                <>
                  <TableHeaderCell>Job title</TableHeaderCell>
                  <TableHeaderCell>Account enabled</TableHeaderCell>
                </>
              ) : (
                <TableHeaderCell>Authentication methods</TableHeaderCell>
              )}
            </TableRow>
          </TableHeader>
          <TableBody>
            {shown.map((row) => {
              const user = rowUser(row);
              const target = { key: user.key, tenantId: user.tenantId };
              const checked = selected.has(target.key);
              return (
                <TableRow
                  key={target.key}
                  data-testid={tab === "users" ? "lh-user-row" : "lh-methods-row"}
                  data-user-id={user.id}
                  data-tenant-id={user.tenantId}
                  data-upn={user.userPrincipalName}
                  aria-selected={checked}
                >
                  <TableCell>
                    <Checkbox
                      id={`select-${user.tenantId}-${user.id}`}
                      aria-label={`Select ${user.displayName} (${user.customerName})`}
                      checked={checked}
                      onChange={(_, data) => toggle(target, data.checked === true)}
                    />
                  </TableCell>
                  <TableCell>
                    <Link id={`open-user-${user.tenantId}-${user.id}`} onClick={() => onOpenUser(user, query)}>
                      {user.displayName}
                    </Link>
                  </TableCell>
                  <TableCell>{user.userPrincipalName}</TableCell>
                  <TableCell data-testid="lh-user-customer">{user.customerName}</TableCell>
                  {"user" in row ? (
                    <TableCell data-testid="lh-user-methods">
                      {row.error ? (
                        <Text className={styles.hint} data-testid="lh-methods-error">
                          Could not be read: {row.error.message}
                        </Text>
                      ) : row.methods.length === 0 ? (
                        "None"
                      ) : (
                        <span className={styles.methods}>
                          {row.methods.map((method) => (
                            <Badge key={method.id} appearance="outline" color="informative" data-kind={method.kind}>
                              {method.label}
                            </Badge>
                          ))}
                        </span>
                      )}
                    </TableCell>
                  ) : (
                    <>
                      <TableCell>{orDash(user.jobTitle)}</TableCell>
                      <TableCell>
                        {user.accountEnabled === false ? (
                          <Badge appearance="tint" color="danger">
                            No
                          </Badge>
                        ) : user.accountEnabled === true ? (
                          "Yes"
                        ) : (
                          "—"
                        )}
                      </TableCell>
                    </>
                  )}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      ) : null}
      <BulkActionDialogs
        flow={reset.flow}
        onConfirm={(reason) => void reset.confirm(reason)}
        onApprove={reset.approve}
        onCancel={reset.close}
        onJobClosed={jobClosed}
      />
    </div>
  );
}
