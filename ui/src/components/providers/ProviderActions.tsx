import { Button, MessageBar, MessageBarBody, MessageBarTitle, Subtitle2, Toolbar, Tooltip, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowSyncRegular, KeyResetRegular, PeopleTeamRegular, PersonPasskeyRegular } from "@fluentui/react-icons";
import type { ReactElement } from "react";
import { providerActionOf } from "../../ipc/types";
import type { ProviderAction, ProviderOffer } from "../../ipc/types";

const ICONS: Partial<Record<string, ReactElement>> = {
  zohoResetPassword: <KeyResetRegular />,
  zohoResetMfa: <PersonPasskeyRegular />,
  psResetToken: <PersonPasskeyRegular />,
  psResetGroupToken: <PeopleTeamRegular />,
};

/** Offers that reach beyond the user (the whole group): set apart from the everyday buttons. */
const WIDE_ACTIONS: readonly string[] = ["psResetGroupToken"];

const useStyles = makeStyles({
  bar: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  toolbar: { gap: tokens.spacingHorizontalS, flexWrap: "wrap", paddingLeft: 0 },
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

function OfferButton({ offer, busy, onStart, danger }: { offer: ProviderOffer; busy: boolean; onStart: (a: ProviderAction) => void; danger?: boolean }) {
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
      <Button {...common} data-allowed="true" disabled={busy} onClick={() => {
          const action = providerActionOf(offer.action);
          if (action) onStart(action);
        }}>
        {offer.label}
      </Button>
    );
  }
  // A disabled button receives no pointer events; the wrapper carries the tooltip, the reason is also written out below.
  return (
    <Tooltip content={offer.reason ?? "Not available for this user."} relationship="description" withArrow>
      <span className={styles.disabledWrapper}>
        <Button {...common} data-allowed="false" disabled aria-describedby={`action-reason-${offer.action}`}>
          {offer.label}
        </Button>
      </span>
    </Tooltip>
  );
}

/**
 * The actions Rust offers on a Zoho or Privilege Secure user, in Rust's order. A refused one is
 * disabled with Rust's reason written next to it; the group-wide reset sits in its own section
 * with its warning, so it is never clicked for the individual one.
 */
export function ProviderActions({
  actions,
  busy,
  onStart,
  onRefresh,
  refreshing,
}: {
  actions: ProviderOffer[];
  busy: boolean;
  onStart: (action: ProviderAction) => void;
  onRefresh: () => void;
  refreshing: boolean;
}) {
  const styles = useStyles();
  const everyday = actions.filter((a) => !WIDE_ACTIONS.includes(a.action));
  const wide = actions.filter((a) => WIDE_ACTIONS.includes(a.action));
  const refused = actions.filter((a) => !a.allowed);

  return (
    <div className={styles.bar}>
      <Toolbar aria-label="User actions" className={styles.toolbar}>
        {everyday.map((offer) => (
          <OfferButton key={offer.action} offer={offer} busy={busy} onStart={onStart} />
        ))}
        <Button id="refresh-user" appearance="subtle" icon={<ArrowSyncRegular />} disabled={refreshing || busy} onClick={onRefresh}>
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
                  <strong>{offer.label}</strong> is not available: {offer.reason ?? "Not available for this user."}
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
