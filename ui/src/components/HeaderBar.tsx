import { Avatar, Text, makeStyles, tokens } from "@fluentui/react-components";
import { ShieldKeyholeRegular } from "@fluentui/react-icons";
import type { ConnectionView } from "../ipc/types";
import { AboutDialog } from "./AboutDialog";

const useStyles = makeStyles({
  bar: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    height: "48px",
    padding: `0 ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  who: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  // Full contrast on the brand colour (at 85% opacity it was 4.35:1, under WCAG AA's 4.5:1).
  sub: { color: tokens.colorNeutralForegroundOnBrand },
});

/** The top bar: product name, the active connection, and who is signed in to it. */
export function HeaderBar({ active }: { active: ConnectionView | null }) {
  const styles = useStyles();
  const operator = active?.operator ?? null;
  // Zoho and Privilege Secure say who is signed in as a ProviderAccount, not an Entra operator.
  const account = !operator ? (active?.account ?? null) : null;
  return (
    <header className={styles.bar}>
      <div className={styles.brand}>
        <ShieldKeyholeRegular fontSize={22} />
        <Text weight="semibold" size={400}>
          ResetDesk
        </Text>
        {active ? (
          <Text className={styles.sub} data-testid="active-connection">
            · {active.displayName}
          </Text>
        ) : null}
      </div>
      <div className={styles.who}>
        {operator ? (
          <>
            {/* The whole identity (name, UPN, roles) answers "who am I signed in as" for the e2e tests. */}
            <div id="operator-name" data-upn={operator.userPrincipalName} style={{ textAlign: "right" }}>
              <Text weight="semibold" block>
                {operator.displayName}
              </Text>
              <Text size={200} className={styles.sub} block data-testid="operator-roles">
                {operator.userPrincipalName} · {operator.roles.map((r) => r.displayName).join(", ") || "No admin role"}
              </Text>
            </div>
            <Avatar name={operator.displayName} size={32} color="colorful" />
          </>
        ) : account ? (
          <>
            <div id="operator-name" data-upn={account.login} style={{ textAlign: "right" }}>
              <Text weight="semibold" block>
                {account.name}
              </Text>
              <Text size={200} className={styles.sub} block data-testid="operator-roles">
                {account.login} · {account.roleLabel}
              </Text>
            </div>
            <Avatar name={account.name} size={32} color="colorful" />
          </>
        ) : (
          <Text className={styles.sub}>Not signed in</Text>
        )}
        <AboutDialog />
      </div>
    </header>
  );
}
