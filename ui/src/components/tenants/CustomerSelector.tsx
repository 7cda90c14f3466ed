import { Badge, Checkbox, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { isReachable } from "../../hooks/useTenants";
import type { TenantAccess } from "../../ipc/types";

const useStyles = makeStyles({
  box: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    maxWidth: "920px",
  },
  customers: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  customer: { display: "flex", alignItems: "center", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  roles: { display: "inline-flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
  hint: { color: tokens.colorNeutralForeground3 },
});

/**
 * Lighthouse's customer selector: which customer tenants the lists and actions cover. Each customer
 * shows the technician's roles there (from GDAP), as Rust read them; the page decides nothing from them.
 */
export function CustomerSelector({
  customers,
  selected,
  onChange,
  loading,
}: {
  customers: TenantAccess[];
  selected: string[];
  onChange: (tenantIds: string[]) => void;
  loading: boolean;
}) {
  const styles = useStyles();
  // "All" means every customer that can answer: an expired or pending relationship cannot.
  const reachable = customers.filter(isReachable);
  const all = reachable.length > 0 && reachable.every((c) => selected.includes(c.tenantId));
  const some = !all && selected.length > 0;

  const toggle = (tenantId: string, checked: boolean) => {
    const next = checked ? [...selected, tenantId] : selected.filter((id) => id !== tenantId);
    // Keep the customers' order, whatever the order of the clicks.
    onChange(customers.map((c) => c.tenantId).filter((id) => next.includes(id)));
  };

  return (
    <div id="customer-selector" role="group" aria-label="Customers" className={styles.box}>
      <div className={styles.customer}>
        <Checkbox
          id="customer-all"
          label={<Text weight="semibold">All customers</Text>}
          checked={all ? true : some ? "mixed" : false}
          disabled={reachable.length === 0}
          onChange={() => onChange(all ? [] : reachable.map((c) => c.tenantId))}
        />
        <Text size={200} className={styles.hint} data-testid="customer-count">
          {selected.length} of {customers.length} selected
        </Text>
        {loading ? <Spinner size="tiny" label="Reading customers…" /> : null}
      </div>
      <div className={styles.customers}>
        {customers.map((customer) => (
          <div key={customer.tenantId} className={styles.customer} data-testid="customer" data-tenant-id={customer.tenantId}>
            <Checkbox
              id={`customer-${customer.tenantId}`}
              label={customer.displayName}
              checked={selected.includes(customer.tenantId)}
              disabled={!isReachable(customer) && !selected.includes(customer.tenantId)}
              onChange={(_, data) => toggle(customer.tenantId, data.checked === true)}
            />
            <span className={styles.roles} data-testid="customer-roles">
              {customer.roles.length === 0 ? (
                <Text size={200} className={styles.hint}>
                  No roles
                </Text>
              ) : (
                customer.roles.map((role) => (
                  <Badge key={role.templateId} appearance="outline" color="informative" size="small">
                    {role.displayName}
                  </Badge>
                ))
              )}
            </span>
            {customer.relationshipStatus !== "active" ? (
              <Badge appearance="tint" color="warning" size="small" data-testid="customer-relationship">
                Relationship {customer.relationshipStatus}: its users cannot be read
              </Badge>
            ) : null}
          </div>
        ))}
      </div>
    </div>
  );
}
