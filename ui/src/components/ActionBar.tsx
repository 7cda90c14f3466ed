import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  Toolbar,
  Tooltip,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowSyncRegular,
  KeyRegular,
  KeyResetRegular,
  PeopleTeamRegular,
  PersonPasskeyRegular,
  SignOutRegular,
} from "@fluentui/react-icons";
import type { ReactElement } from "react";

/**
 * One action of a user's page as Rust decided it (`ProviderOffer`, whatever the provider):
 * offered, or refused with the reason, and perhaps with a warning to read first.
 */
export interface Offer<A extends string = string> {
  action: A;
  label: string;
  allowed: boolean;
  reason: string | null;
  /** Read before using it; shown beside the buttons. */
  warning?: string | null;
}

const ICONS: Partial<Record<string, ReactElement>> = {
  resetPassword: <KeyResetRegular />,
  requireReregisterMfa: <PersonPasskeyRegular />,
  revokeSessions: <SignOutRegular />,
  resetAllMfa: <PersonPasskeyRegular />,
  issueTemporaryAccessPass: <KeyRegular />,
  zohoResetPassword: <KeyResetRegular />,
  zohoResetMfa: <PersonPasskeyRegular />,
  psResetToken: <PersonPasskeyRegular />,
  psResetGroupToken: <PeopleTeamRegular />,
};

/** Offers that reach beyond the user (the whole group): set apart from the everyday buttons. */
const WIDE_ACTIONS: readonly string[] = ["psResetGroupToken"];

const NOT_AVAILABLE = "Not available for this user.";

const useStyles = makeStyles({
  bar: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  toolbar: { gap: tokens.spacingHorizontalS, flexWrap: "wrap", paddingLeft: 0 },
  // A disabled button receives no pointer events; the wrapper carries the tooltip instead.
  disabledWrapper: { display: "inline-flex" },
  reasons: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  wide: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingVerticalM,
    marginTop: tokens.spacingVerticalS,
    border: `1px solid ${tokens.colorPaletteRedBorder2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  danger: {
    color: tokens.colorPaletteRedForeground1,
    border: `1px solid ${tokens.colorPaletteRedBorder2}`,
    alignSelf: "flex-start",
  },
});

function OfferButton<A extends string>({
  offer,
  busy,
  onStart,
  danger = false,
}: {
  offer: Offer<A>;
  busy: boolean;
  onStart: (action: A) => void;
  danger?: boolean;
}) {
  const styles = useStyles();
  const common = {
    id: `action-${offer.action}`,
    "data-testid": `action-${offer.action}`,
    icon: ICONS[offer.action],
    className: danger ? styles.danger : undefined,
    appearance: danger ? ("outline" as const) : undefined,
  };
  if (offer.allowed) {
    return (
      <Button {...common} data-allowed="true" disabled={busy} onClick={() => onStart(offer.action)}>
        {offer.label}
      </Button>
    );
  }
  return (
    <Tooltip content={offer.reason ?? NOT_AVAILABLE} relationship="description" withArrow>
      <span className={styles.disabledWrapper}>
        <Button {...common} data-allowed="false" disabled aria-describedby={`action-reason-${offer.action}`}>
          {offer.label}
        </Button>
      </span>
    </Tooltip>
  );
}

export interface ActionBarProps<A extends string> {
  actions: Offer<A>[];
  /** True while a plan is being built or run: no second action may start. */
  busy: boolean;
  onStart: (action: A) => void;
  onRefresh: () => void;
  refreshing: boolean;
}

/**
 * The buttons at the top of every provider's user page (Lighthouse's users list, across
 * customers, has its own), in Rust's order. Rust decides which are allowed; a refused one is shown disabled with its
 * reason both as a tooltip and as a visible line, since a tooltip is out of reach for keyboard
 * users and for end-to-end tests. An action on the whole group sits in its own section with its
 * warning, so it is never clicked for the individual one.
 */
export function ActionBar<A extends string>({ actions, busy, onStart, onRefresh, refreshing }: ActionBarProps<A>) {
  const styles = useStyles();
  const everyday = actions.filter((offer) => !WIDE_ACTIONS.includes(offer.action));
  const wide = actions.filter((offer) => WIDE_ACTIONS.includes(offer.action));
  const refused = actions.filter((offer) => !offer.allowed);

  return (
    <div className={styles.bar}>
      <Toolbar aria-label="User actions" className={styles.toolbar}>
        {everyday.map((offer) => (
          <OfferButton key={offer.action} offer={offer} busy={busy} onStart={onStart} />
        ))}
        <Button
          id="refresh-user"
          appearance="subtle"
          icon={<ArrowSyncRegular />}
          disabled={refreshing || busy}
          onClick={onRefresh}
        >
          Refresh
        </Button>
      </Toolbar>
      {everyday
        .filter((offer) => offer.warning)
        .map((offer) => (
          <MessageBar key={offer.action} intent="warning" layout="multiline" data-testid={`action-warning-${offer.action}`}>
            <MessageBarBody>{offer.warning}</MessageBarBody>
          </MessageBar>
        ))}
      {refused.length > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="action-reasons">
          <MessageBarBody>
            <ul className={styles.reasons}>
              {refused.map((offer) => (
                <li key={offer.action} id={`action-reason-${offer.action}`} data-testid="action-reason" data-action={offer.action}>
                  <strong>{offer.label}</strong> is not available: {offer.reason ?? NOT_AVAILABLE}
                </li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {wide.map((offer) => (
        <section key={offer.action} className={styles.wide} aria-label={offer.label} data-testid={`wide-action-${offer.action}`}>
          <Subtitle2 as="h2">Affects the whole group</Subtitle2>
          {offer.warning ? (
            <MessageBar intent="warning" layout="multiline" data-testid={`action-warning-${offer.action}`}>
              <MessageBarBody>
                <MessageBarTitle>Read before you use it</MessageBarTitle>
                {offer.warning}
              </MessageBarBody>
            </MessageBar>
          ) : null}
          <OfferButton offer={offer} busy={busy} onStart={onStart} danger />
        </section>
      ))}
    </div>
  );
}
