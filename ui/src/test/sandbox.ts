// What Rust answers on the sandbox's demo connections (Microsoft Entra, Microsoft 365 Lighthouse,
// Zoho Directory, Privilege Secure), written by a Rust test (`src-tauri/page_fixtures.rs`) from the app's own
// emulators, wired as the app wires them: what these fixtures feed the page is what Rust sends,
// by construction, and CI fails when they are stale (`.ci/check-generated-types.sh`). Random
// ids, times, ports and the generated password are stable stand-ins there.
import type {
  TenantOffer,
  AuditEntry,
  BulkJobView,
  ConnectionView,
  TenantAccess,
  DirectoryUser,
  RunResult,
  BulkPlan,
  TenantUsers,
  ProviderPlan,
  SignInOutcome,
  UserPage,
  UserSearch,
} from "../ipc/types";
import entraConnection from "./sandbox/entra-connection.json";
import entraConnectionHelpdesk from "./sandbox/entra-connection-helpdesk.json";
import entraConnectionSignedOut from "./sandbox/entra-connection-signed-out.json";
import entraResetAuditAdele from "./sandbox/entra-reset-audit-adele.json";
import entraResetPlanAdele from "./sandbox/entra-reset-plan-adele.json";
import entraResetPlanAdeleHelpdesk from "./sandbox/entra-reset-plan-adele-helpdesk.json";
import entraResetResultAdele from "./sandbox/entra-reset-result-adele.json";
import entraRevokePlanAdele from "./sandbox/entra-revoke-plan-adele.json";
import entraSearchAdele from "./sandbox/entra-search-adele.json";
import entraSearchMegan from "./sandbox/entra-search-megan.json";
import entraDirectorySearchMegan from "./sandbox/entra-directory-search-megan.json";
import entraSignIn from "./sandbox/entra-sign-in.json";
import entraUserAdele from "./sandbox/entra-user-adele.json";
import entraUserAdeleHelpdesk from "./sandbox/entra-user-adele-helpdesk.json";
import lighthouseConnection from "./sandbox/lighthouse-connection.json";
import lighthouseConnectionSignedOut from "./sandbox/lighthouse-connection-signed-out.json";
import lighthouseCustomers from "./sandbox/lighthouse-customers.json";
import lighthouseJobFinished from "./sandbox/lighthouse-job-finished.json";
import lighthouseOfferFabrikam from "./sandbox/lighthouse-offer-fabrikam.json";
import lighthouseOfferFabrikamTailspin from "./sandbox/lighthouse-offer-fabrikam-tailspin.json";
import lighthousePlan from "./sandbox/lighthouse-plan.json";
import lighthousePlanCustomerLeftOut from "./sandbox/lighthouse-plan-customer-left-out.json";
import lighthouseSignIn from "./sandbox/lighthouse-sign-in.json";
import lighthouseResetPlanFabrikam from "./sandbox/lighthouse-reset-plan-fabrikam.json";
import lighthouseUserFabrikam from "./sandbox/lighthouse-user-fabrikam.json";
import lighthouseUserTailspin from "./sandbox/lighthouse-user-tailspin.json";
import lighthouseUsers from "./sandbox/lighthouse-users.json";
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
  /** What the one sign-in answered for the card's first demo account: done, and who. */
  entraSignIn: entraSignIn as SignInOutcome,
  entraConnection: entraConnection as ConnectionView,
  entraConnectionSignedOut: entraConnectionSignedOut as ConnectionView,
  /** The Authentication Administrator (the card's first demo account) searched "adele" (the one users list's search). */
  entraSearchAdele: entraSearchAdele as UserSearch,
  /** Adele's page: her methods and the four actions, each as Rust decided it. */
  entraUserAdele: entraUserAdele as UserPage,
  /** Reset password for Adele, with the organisation's default safety rules. */
  entraResetPlanAdele: entraResetPlanAdele as ProviderPlan,
  /** The card signed in as the Helpdesk Administrator (the demo operator of the Entra flows' tests). */
  entraConnectionHelpdesk: entraConnectionHelpdesk as ConnectionView,
  /** Adele's page for the Helpdesk Administrator: Require re-register MFA refused, with Rust's reason. */
  entraUserAdeleHelpdesk: entraUserAdeleHelpdesk as UserPage,
  /** The Helpdesk Administrator searched "megan". */
  entraSearchMegan: entraSearchMegan as DirectoryUser[],
  /** The same search as the one users list asks it: Megan's row. */
  entraDirectorySearchMegan: entraDirectorySearchMegan as UserSearch,
  /** Revoke sessions for Adele: a plan no safety rule applies to. */
  entraRevokePlanAdele: entraRevokePlanAdele as ProviderPlan,
  /** The Helpdesk Administrator's reset of Adele's password, with the default safety rules. */
  entraResetPlanAdeleHelpdesk: entraResetPlanAdeleHelpdesk as ProviderPlan,
  /** That reset run (the caller verified by ticket): the temporary password and its copy handle. */
  entraResetResultAdele: entraResetResultAdele as RunResult,
  /** Its audit entry. */
  entraResetAuditAdele: entraResetAuditAdele as AuditEntry,
  /** The same for the Lighthouse partner's demo technician. */
  lighthouseSignIn: lighthouseSignIn as SignInOutcome,
  lighthouseConnection: lighthouseConnection as ConnectionView,
  lighthouseConnectionSignedOut: lighthouseConnectionSignedOut as ConnectionView,
  /** The demo technician's customers: one relationship expired. */
  lighthouseCustomers: lighthouseCustomers as TenantAccess[],
  /** Every user of the customers the technician reaches, sorted by customer and name. */
  lighthouseUsers: lighthouseUsers as TenantUsers,
  /** Fabrikam alone: its roles allow Reset all MFAs. */
  lighthouseOfferFabrikam: lighthouseOfferFabrikam as TenantOffer[],
  /** Fabrikam with Tailspin Toys, whose roles (Helpdesk Administrator) do not: refused, with why. */
  lighthouseOfferFabrikamTailspin: lighthouseOfferFabrikamTailspin as TenantOffer[],
  /** A plain Fabrikam user's page: the reset offered, their methods. */
  lighthouseUserFabrikam: lighthouseUserFabrikam as UserPage,
  lighthouseResetPlanFabrikam: lighthouseResetPlanFabrikam as ProviderPlan,
  /** A Tailspin Toys user's page: the reset refused for the customer. */
  lighthouseUserTailspin: lighthouseUserTailspin as UserPage,
  /** Reset all MFAs for that Fabrikam user, a Fabrikam user the technician may not reset (left out, with why)
   *  and a plain Northwind user. */
  lighthousePlan: lighthousePlan as BulkPlan,
  /** The same for the Northwind user and the refused Fabrikam user alone: Fabrikam is not among the customers. */
  lighthousePlanCustomerLeftOut: lighthousePlanCustomerLeftOut as BulkPlan,
  /** Its job, run to the end on the sandbox. */
  lighthouseJobFinished: lighthouseJobFinished as BulkJobView,
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
  zohoPasswordResult: zohoPasswordResult as RunResult,
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
