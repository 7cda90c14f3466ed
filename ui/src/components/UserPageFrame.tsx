import { Spinner, Tab, TabList, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import type { AppError, AuthMethod, RateStatus } from "../ipc/types";
import { ErrorBar } from "./ErrorBar";
import { MethodsTable } from "./MethodsTable";
import { ScreenTitle } from "./ScreenTitle";

const useStyles = makeStyles({
  screen: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  panel: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

/**
 * The one frame of a user's page, whichever provider's: "Users > name" with the live read's
 * spinner, what the page offers (its actions, and what goes with them), Rust's error — and, when
 * the directory cannot be reached, why nothing can be done now — then the user.
 */
export function UserPageFrame({
  name,
  loading,
  onBackToUsers,
  header,
  rate,
  error,
  children,
}: {
  name: string;
  loading: boolean;
  onBackToUsers: () => void;
  /** The actions Rust offers, and what goes with them. */
  header?: ReactNode;
  /** The operator's resets this hour against the cap, where the page offers a reset. */
  rate?: RateStatus | null;
  error: AppError | null;
  children?: ReactNode;
}) {
  const styles = useStyles();
  return (
    <div className={styles.screen}>
      <ScreenTitle
        trail={[{ label: "Users", onClick: onBackToUsers }, name]}
        title={name}
        titleId="user-title"
        after={loading ? <Spinner size="tiny" label="Reading live…" data-testid="details-loading" /> : null}
      />
      {header}
      {rate ? <RateLine rate={rate} /> : null}
      {error ? <ErrorBar error={error} /> : null}
      {error?.kind === "Offline" ? (
        <Text data-testid="details-offline">
          Actions need a connection to the directory: ResetDesk always reads the user&apos;s current state before
          acting, never the offline cache. Try again when the network is back.
        </Text>
      ) : null}
      {children}
    </div>
  );
}

/** "Resets you made in the last hour: 2 of 20.", and what Rust says of how it counted them. */
function RateLine({ rate }: { rate: RateStatus }) {
  return (
    <Text size={200} data-testid="details-rate">
      Resets you made in the last hour: {rate.used} of {rate.limit}
      {rate.used >= rate.limit && rate.nextAllowedAt
        ? ` — the limit is reached; the next is possible at ${rate.nextAllowedAt}.`
        : "."}
      {rate.note ? (
        <span data-testid="details-rate-note"> {rate.note}</span>
      ) : (
        " Counted across your team from the tenant's audit log."
      )}
    </Text>
  );
}

export type UserTab = "summary" | "methods";

/**
 * The Summary and Authentication methods tabs of a user whose provider lists their methods, as
 * the Microsoft admin centres show them.
 */
export function SummaryAndMethodsTabs({
  summary,
  methods,
  methodsError,
  tab,
  onTabChange,
}: {
  summary: ReactNode;
  methods: AuthMethod[];
  methodsError: AppError | null;
  /** The tab shown, kept by the page while the user is read again. */
  tab: UserTab;
  onTabChange: (tab: UserTab) => void;
}) {
  const styles = useStyles();
  return (
    <>
      <TabList selectedValue={tab} onTabSelect={(_, data) => onTabChange(data.value as UserTab)}>
        <Tab id="tab-summary" value="summary">
          Summary
        </Tab>
        <Tab id="tab-methods" value="methods">
          {methodsError ? "Authentication methods" : `Authentication methods (${methods.length})`}
        </Tab>
      </TabList>
      <div role="tabpanel" className={styles.panel} aria-labelledby={tab === "summary" ? "tab-summary" : "tab-methods"}>
        {tab === "summary" ? summary : <MethodsTable methods={methods} error={methodsError} />}
      </div>
    </>
  );
}
