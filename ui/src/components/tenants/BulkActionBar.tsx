import { Button, MessageBar, MessageBarBody, Text, Toolbar, makeStyles, tokens } from "@fluentui/react-components";
import { PersonPasskeyRegular } from "@fluentui/react-icons";
import type { ReactNode } from "react";
import type { TenantOffer } from "../../ipc/types";

const useStyles = makeStyles({
  bar: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  toolbar: { gap: tokens.spacingHorizontalS, flexWrap: "wrap", paddingLeft: 0, alignItems: "center" },
  reasons: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

/**
 * The actions Rust offers for the selected customers (Lighthouse's "Reset all multi-factor
 * authentications"), each a button. An action not offered is disabled, with every customer's reason
 * (it applies to all selected customers or none). Offers read for another selection are shown
 * disabled until the new selection's read answers.
 */
export function BulkActionBar({
  offers,
  current,
  selectedCount,
  busy,
  onStart,
  children,
}: {
  /** The last read's offers. */
  offers: TenantOffer[];
  /** Whether they were read for the customers selected now. */
  current: boolean;
  selectedCount: number;
  busy: boolean;
  onStart: (offer: TenantOffer) => void;
  /** More buttons (Refresh) after the actions. */
  children?: ReactNode;
}) {
  const styles = useStyles();
  const noneSelected = selectedCount === 0;
  const refused = current ? offers.filter((offer) => !offer.offered) : [];
  return (
    <div className={styles.bar}>
      <Toolbar aria-label="Actions" className={styles.toolbar}>
        {offers.map((offer) => {
          const offered = current && offer.offered;
          return (
            <Button
              key={offer.action}
              id={`action-${offer.action}`}
              data-testid={`action-${offer.action}`}
              data-offered={String(offered)}
              icon={<PersonPasskeyRegular />}
              disabled={!offered || noneSelected || busy}
              aria-describedby={current && !offer.offered ? `action-refusals-${offer.action}` : undefined}
              onClick={() => onStart(offer)}
            >
              {offer.label}
            </Button>
          );
        })}
        <Text size={200} data-testid="selected-count">
          {selectedCount} user{selectedCount === 1 ? "" : "s"} selected
        </Text>
        {children}
      </Toolbar>
      {refused.map((offer) => (
        <MessageBar
          key={offer.action}
          intent="warning"
          layout="multiline"
          id={`action-refusals-${offer.action}`}
          data-testid="action-refusals"
        >
          <MessageBarBody>
            <strong>{offer.label}</strong> is not available for the selected customers:
            <ul className={styles.reasons}>
              {offer.refusals.length === 0 ? (
                <li data-testid="action-refusal">Not available for the selected customers.</li>
              ) : (
                offer.refusals.map((refusal) => (
                  <li key={refusal.tenantId} data-testid="action-refusal" data-tenant-id={refusal.tenantId}>
                    <strong>{refusal.displayName}</strong>: {refusal.reason}
                  </li>
                ))
              )}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ))}
    </div>
  );
}
