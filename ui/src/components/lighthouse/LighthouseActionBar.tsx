import { Button, MessageBar, MessageBarBody, Text, Toolbar, makeStyles, tokens } from "@fluentui/react-components";
import { PersonPasskeyRegular } from "@fluentui/react-icons";
import type { ReactNode } from "react";
import { LIGHTHOUSE_ACTION_LABELS } from "../../format";
import type { TenantOffer } from "../../ipc/types";

const useStyles = makeStyles({
  bar: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  toolbar: { gap: tokens.spacingHorizontalS, flexWrap: "wrap", paddingLeft: 0, alignItems: "center" },
  reasons: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

/**
 * "Reset all multi-factor authentications" as Rust offers it for the selected customers. When it is
 * not offered, every customer's reason is shown (the action applies to all selected customers or none).
 */
export function LighthouseActionBar({
  offer,
  selectedCount,
  busy,
  onStart,
  children,
}: {
  offer: TenantOffer | null;
  selectedCount: number;
  busy: boolean;
  onStart: () => void;
  /** More buttons (Refresh) after the action. */
  children?: ReactNode;
}) {
  const styles = useStyles();
  const label = offer?.label || LIGHTHOUSE_ACTION_LABELS.resetAllMfa;
  const offered = offer?.offered === true;
  const noneSelected = selectedCount === 0;
  return (
    <div className={styles.bar}>
      <Toolbar aria-label="Actions" className={styles.toolbar}>
        <Button
          id="action-resetAllMfa"
          data-testid="action-resetAllMfa"
          data-offered={String(offered)}
          icon={<PersonPasskeyRegular />}
          disabled={!offered || noneSelected || busy}
          aria-describedby={offer && !offered ? "action-refusals" : undefined}
          onClick={onStart}
        >
          {label}
        </Button>
        <Text size={200} data-testid="selected-count">
          {selectedCount} user{selectedCount === 1 ? "" : "s"} selected
        </Text>
        {children}
      </Toolbar>
      {offer && !offered ? (
        <MessageBar intent="warning" layout="multiline" id="action-refusals" data-testid="action-refusals">
          <MessageBarBody>
            <strong>{label}</strong> is not available for the selected customers:
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
      ) : null}
    </div>
  );
}
