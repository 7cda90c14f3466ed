import { makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import type { DirectoryUser } from "../ipc/types";
import { formatDateTime, orDash, yesNo } from "../format";
import { RoleBadges } from "./RoleBadges";

const useStyles = makeStyles({
  grid: {
    display: "grid",
    gridTemplateColumns: "220px 1fr",
    rowGap: tokens.spacingVerticalS,
    columnGap: tokens.spacingHorizontalL,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0 },
});

/** The Summary tab: the properties the admin centre shows on a user's overview. */
export function UserSummary({ user }: { user: DirectoryUser }) {
  const styles = useStyles();
  const rows: Array<[string, ReactNode, string]> = [
    ["User principal name", user.userPrincipalName, "upn"],
    ["Mail", orDash(user.mail), "mail"],
    ["Job title", orDash(user.jobTitle), "job-title"],
    ["Department", orDash(user.department), "department"],
    ["Account enabled", yesNo(user.accountEnabled), "account-enabled"],
    ["User type", orDash(user.userType), "user-type"],
    [
      "Admin roles",
      user.rolesKnown ? <RoleBadges roles={user.adminRoles} /> : "Not read",
      "admin-roles",
    ],
    [
      "Role-assignable group member",
      user.roleAssignableGroupKnown ? yesNo(user.inRoleAssignableGroup) : "Not read",
      "role-assignable-group",
    ],
    ["Last password change", formatDateTime(user.lastPasswordChange), "last-password-change"],
    ["Sessions valid from", formatDateTime(user.signInSessionsValidFrom), "sessions-valid-from"],
  ];
  return (
    <dl className={styles.grid}>
      {rows.map(([term, value, key]) => (
        <div key={key} style={{ display: "contents" }}>
          <dt className={styles.term}>{term}</dt>
          <dd className={styles.value} data-testid={`summary-${key}`}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
