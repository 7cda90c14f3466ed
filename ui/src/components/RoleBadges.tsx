import { Badge, makeStyles, tokens } from "@fluentui/react-components";
import type { RoleRef } from "../ipc/types";

const useStyles = makeStyles({
  list: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

/** Names shown as a wrapping row of badges (roles, wherever the page lists them). */
export function BadgeList({ items, testId }: { items: Array<{ key: string; label: string }>; testId: string }) {
  const styles = useStyles();
  return (
    <span className={styles.list}>
      {items.map((item) => (
        <Badge key={item.key} appearance="tint" color="brand" data-testid={testId}>
          {item.label}
        </Badge>
      ))}
    </span>
  );
}

export function RoleBadges({ roles, emptyText = "No admin roles" }: { roles: RoleRef[]; emptyText?: string }) {
  if (roles.length === 0) return <span>{emptyText}</span>;
  return <BadgeList items={roles.map((role) => ({ key: role.templateId, label: role.displayName }))} testId="role-badge" />;
}
