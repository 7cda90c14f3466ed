import type { ConnectionView, UserPage } from "../../ipc/types";

/** What a user page's actions get from the one user screen. */
export interface UserActionsProps {
  connection: ConnectionView;
  userId: string;
  /** Rust's page of the user; `null` while it is read (again). */
  page: UserPage | null;
  loading: boolean;
  /** Reads the user again live; `discardShown` hides the old page until the new one arrives. */
  refresh: (options?: { discardShown?: boolean }) => Promise<void>;
}
