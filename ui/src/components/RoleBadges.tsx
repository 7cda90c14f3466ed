import { Badge, makeStyles, tokens } from "@fluentui/react-components";
import type { RoleRef } from "../ipc/types";

const useStyles = makeStyles({
  list: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

export function RoleBadges({ roles, emptyText = "No admin roles" }: { roles: RoleRef[]; emptyText?: string }) {
  const styles = useStyles();
  if (roles.length === 0) return <span>{emptyText}</span>;
  return (
    <span className={styles.list}>
      {roles.map((role) => (
        <Badge key={role.templateId} appearance="tint" color="brand" data-testid="role-badge">
          {role.displayName}
        </Badge>
      ))}
    </span>
  );
}
