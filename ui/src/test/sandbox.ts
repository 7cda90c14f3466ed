// What Rust answers on the sandbox's demo connections (Microsoft Entra, Microsoft 365 Lighthouse,
// Zoho Directory, Privilege Secure), written by a Rust test (`src-tauri/page_fixtures.rs`) from the app's own
// emulators, wired as the app wires them: what these fixtures feed the page is what Rust sends,
// by construction, and CI fails when they are stale (`.ci/check-generated-types.sh`). Random
// ids, times, ports and the generated password are stable stand-ins there.
import type {
  ConnectionView,
  CustomerAccess,
  DirectoryUser,
  Plan,
  ProviderPlan,
  ProviderResult,
  UserDetails,
  UserPage,
  UserSearch,
} from "../ipc/types";
import entraConnection from "./sandbox/entra-connection.json";
import entraConnectionSignedOut from "./sandbox/entra-connection-signed-out.json";
import entraResetPlanAdele from "./sandbox/entra-reset-plan-adele.json";
import entraSearchAdele from "./sandbox/entra-search-adele.json";
import entraUserAdele from "./sandbox/entra-user-adele.json";
import lighthouseConnection from "./sandbox/lighthouse-connection.json";
import lighthouseConnectionSignedOut from "./sandbox/lighthouse-connection-signed-out.json";
import lighthouseCustomers from "./sandbox/lighthouse-customers.json";
import psConnection from "./sandbox/ps-connection.json";
import psConnectionSignedOut from "./sandbox/ps-connection-signed-out.json";
import psSearch from "./sandbox/ps-search.json";
import psTokenPlanBob from "./sandbox/ps-token-plan-bob.json";
import psUserBob from "./sandbox/ps-user-bob.json";
import zohoConnection from "./sandbox/zoho-connection.json";
import zohoConnectionSignedOut from "./sandbox/zoho-connection-signed-out.json";
import zohoMfaPlan from "./sandbox/zoho-mfa-plan.json";
import zohoPasswordPlan from "./sandbox/zoho-password-plan.json";
import zohoPasswordResult from "./sandbox/zoho-password-result.json";
import zohoSearchAnnette from "./sandbox/zoho-search-annette.json";
import zohoSearchPending from "./sandbox/zoho-search-pending.json";
import zohoUserAnnette from "./sandbox/zoho-user-annette.json";

// JSON imports type their strings as `string`; the Rust test is what guarantees the shapes.
export const fromSandbox = {
  entraConnection: entraConnection as ConnectionView,
  entraConnectionSignedOut: entraConnectionSignedOut as ConnectionView,
  /** The Authentication Administrator (the card's first demo account) searched "adele". */
  entraSearchAdele: entraSearchAdele as DirectoryUser[],
  /** Adele's page: her methods and the four actions, each as Rust decided it. */
  entraUserAdele: entraUserAdele as UserDetails,
  /** Reset password for Adele, with the organisation's default safety rules. */
  entraResetPlanAdele: entraResetPlanAdele as Plan,
  lighthouseConnection: lighthouseConnection as ConnectionView,
  lighthouseConnectionSignedOut: lighthouseConnectionSignedOut as ConnectionView,
  /** The demo technician's customers: one relationship expired. */
  lighthouseCustomers: lighthouseCustomers as CustomerAccess[],
  zohoConnection: zohoConnection as ConnectionView,
  zohoConnectionSignedOut: zohoConnectionSignedOut as ConnectionView,
  /** Ada Admin searched "annette": one confirmed Member. */
  zohoSearchAnnette: zohoSearchAnnette as UserSearch,
  /** "pat.pending": a user Zoho cannot reset yet, with the reason. */
  zohoSearchPending: zohoSearchPending as UserSearch,
  zohoUserAnnette: zohoUserAnnette as UserPage,
  /** Reset password: force change off, mobile sessions cleared, the password e-mailed (by hand). */
  zohoPasswordPlan: zohoPasswordPlan as ProviderPlan,
  /** Its run with a generated password: the e-mail step waits to be finished by hand. */
  zohoPasswordResult: zohoPasswordResult as ProviderResult,
  zohoMfaPlan: zohoMfaPlan as ProviderPlan,
  psConnection: psConnection as ConnectionView,
  psConnectionSignedOut: psConnectionSignedOut as ConnectionView,
  /** Every user, each with how they get access. */
  psSearch: psSearch as UserSearch,
  /** Bob, who gets access through a group: both resets offered, the group's with its warning. */
  psUserBob: psUserBob as UserPage,
  /** Bob's own token: added individually, reset, removed again. */
  psTokenPlanBob: psTokenPlanBob as ProviderPlan,
};
