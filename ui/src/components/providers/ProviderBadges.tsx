import { Badge } from "@fluentui/react-components";
import type { ZohoRole, ZohoUser } from "../../ipc/types";

export const ZOHO_ROLE_LABELS: Record<ZohoRole, string> = {
  member: "Member",
  admin: "Admin",
  super_admin: "Super Admin",
};

/** A Zoho user's status; for a user who cannot be reset, Rust's reason is shown next to it. */
export function ZohoStatusBadge({ user }: { user: ZohoUser }) {
  if (user.status === "confirmed") {
    return (
      <Badge appearance="tint" color="success" data-testid="zoho-status" data-status="confirmed">
        Confirmed
      </Badge>
    );
  }
  return (
    <span data-testid="zoho-status" data-status={user.status}>
      <Badge appearance="tint" color="warning">
        {user.status === "pending" ? "Pending" : "External"}
      </Badge>
      {user.notResettableReason ? <span data-testid="not-resettable-reason"> {user.notResettableReason}</span> : null}
    </span>
  );
}
