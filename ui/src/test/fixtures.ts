// The page's tests' data. Microsoft Entra's, Lighthouse's, Zoho's and Privilege Secure's is what
// Rust answers on the sandbox (./sandbox.ts, written by src-tauri/page_fixtures.rs); where a test
// needs a state the sandbox does not reach, the override is made here or in the test, and said.
import type {
  ActionName,
  AuditEntry,
  AuthMethod,
  BulkJobView,
  TenantAccess,
  TenantRefusal,
  TenantOffer,
  BulkPlan,
  TenantUserRow,
  ConnectionView,
  DirectoryUser,
  RunResult,
  PlanSafety,
  ProviderPlan,
  ProviderStep,
  UserPage,
  UserRow,
} from "../ipc/types";
import { actionsOf } from "../format";
import { fromSandbox } from "./sandbox";

// ---- Microsoft Entra ------------------------------------------------------------------------
// Written from the sandbox by Rust (see ./sandbox.ts): the demo Contoso tenant, signed in as its
// Helpdesk Administrator (who may reset a password, not require MFA again).

export const SANDBOX_ID = fromSandbox.entraConnectionSignedOut.id;

export const operator = fromSandbox.entraConnectionHelpdesk.operator!;

export function sandboxConnection(signedIn: boolean): ConnectionView {
  return signedIn ? fromSandbox.entraConnectionHelpdesk : fromSandbox.entraConnectionSignedOut;
}

/** The sandbox's Entra connection as a real tenant's would be: the sandbox's demos are not offered. */
export const entraTenant: ConnectionView = { ...sandboxConnection(true), sandbox: false, kindLine: "Microsoft Entra tenant", secondDesktopDemo: false };

/** Adele as her page has her. */
export const adele: UserRow = fromSandbox.entraUserAdeleHelpdesk.user;

/** Megan as a search lists her (roles not read in a list). */
export const megan: DirectoryUser = fromSandbox.entraSearchMegan[0];

/** Adele and Megan as the one users list shows them (name, login, job title). */
export const adeleRow: UserRow = fromSandbox.entraSearchAdele.users[0];
export const meganRow: UserRow = fromSandbox.entraDirectorySearchMegan.users[0];

/** Adele's page as the Helpdesk Administrator reads it (roles and group read). */
export function adeleDetails(overrides: Partial<UserPage> = {}): UserPage {
  return { ...fromSandbox.entraUserAdeleHelpdesk, ...overrides };
}

/** Adele's page for an Authentication Administrator: every action allowed (the Temporary Access Pass too). */
export function adeleDetailsForAuthAdmin(): UserPage {
  return { ...fromSandbox.entraUserAdele };
}

/** A plan none of the safety rules apply to: Rust's for revoking Adele's sessions. */
export function noSafetyChecks(): PlanSafety {
  return { ...fromSandbox.entraRevokePlanAdele.safety };
}

/** One of Entra's steps as Rust's summary shows it (an API call; `blocked`: why it will not run). */
export function entraStep(kind: string, summary: string, blocked: string | null = null): ProviderStep {
  return { summary, performed: { performed: "api", doc: "https://learn.microsoft.com/graph/api/" }, blocked, kind };
}

/**
 * Rust's reset of Adele's password, without its safety part: the tests of the plain flow
 * (confirm, run, result) take no verification step, which the default rules ask for
 * (`verifiedResetSafety` is that part, for the safety tests).
 */
export const resetPlan: ProviderPlan = { ...fromSandbox.entraResetPlanAdeleHelpdesk, safety: noSafetyChecks() };

/**
 * The default policy's safety part of a reset of Adele: the caller's verification required,
 * every method possible. It is Rust's for an Authentication Administrator, who may read her
 * methods (the one-time code's destinations); the Helpdesk Administrator's is `helpdeskResetSafety`.
 */
export function verifiedResetSafety(overrides: Partial<PlanSafety> = {}): PlanSafety {
  return { ...fromSandbox.entraResetPlanAdele.safety, ...overrides };
}

/** The Helpdesk Administrator's: the one-time code is not possible (their role may not read her methods). */
export function helpdeskResetSafety(): PlanSafety {
  return { ...fromSandbox.entraResetPlanAdeleHelpdesk.safety };
}

/** That reset run on the sandbox: the temporary password (a stand-in), its copy handle, the audit entry's number. */
export const resetResult: RunResult = fromSandbox.entraResetResultAdele;

/**
 * An audit entry numbered `seq`: Rust's entry of the reset above, with the number, the reason
 * and the hash made distinct per `seq` here (the sandbox writes one such entry, and its hashes
 * are stand-ins), and what a test sets on top.
 */
export function auditEntry(seq: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  const entry = fromSandbox.entraResetAuditAdele;
  return {
    ...entry,
    seq,
    reason: `INC-${seq}`,
    hash: `${seq}`.repeat(64).slice(0, 64),
    ...overrides,
  };
}

// ---- Zoho Directory and Privilege Secure ---------------------------------------------------

export const ZOHO_ID = "sandbox-zoho";
export const PS_ID = "sandbox-ps";

// Written from the sandbox by Rust (see ./sandbox.ts): what the page gets is what Rust sends.
export const zohoAccount = fromSandbox.zohoConnection.account!;
export const psAccount = fromSandbox.psConnection.account!;

export function zohoConnection(signedIn: boolean): ConnectionView {
  return signedIn ? fromSandbox.zohoConnection : fromSandbox.zohoConnectionSignedOut;
}

export function psConnection(signedIn: boolean): ConnectionView {
  return signedIn ? fromSandbox.psConnection : fromSandbox.psConnectionSignedOut;
}

/** Zoho users as Rust's provider seam lists them: the detail gives the role and the status (only confirmed users can be reset). */
export const annette: UserRow = fromSandbox.zohoSearchAnnette.users[0];
export const pendingPat: UserRow = fromSandbox.zohoSearchPending.users[0];

export function annetteDetails(overrides: Partial<UserPage> = {}): UserPage {
  return { ...fromSandbox.zohoUserAnnette, ...overrides };
}

/** Privilege Secure users as Rust's provider seam lists them: the detail says how they get access. */
export const groupBob: UserRow = fromSandbox.psUserBob.user;
export const individualAlice: UserRow = fromSandbox.psSearch.users.find((u) => u.detail === "Individually configured")!;

export const GROUP_WARNING = fromSandbox.psUserBob.offers.find((o) => o.action === "psResetGroupToken")!.warning!;

export function bobDetails(overrides: Partial<UserPage> = {}): UserPage {
  return { ...fromSandbox.psUserBob, ...overrides };
}

export function zohoPasswordPlan(overrides: Partial<ProviderPlan> = {}): ProviderPlan {
  return { ...fromSandbox.zohoPasswordPlan, ...overrides };
}

export function zohoPasswordResult(overrides: Partial<RunResult> = {}): RunResult {
  return { ...fromSandbox.zohoPasswordResult, ...overrides };
}

// ---- Microsoft 365 Lighthouse (partner) ----------------------------------------------------

// Written from the sandbox by Rust (see ./sandbox.ts): the demo partner's technician, their
// customers (Fabrikam's and Northwind's GDAP roles allow Reset all MFAs, Tailspin's do not),
// users, methods, a plan and its job.

export const LH_ID = fromSandbox.lighthouseConnection.id;

export function lighthouseConnection(signedIn: boolean): ConnectionView {
  return signedIn ? fromSandbox.lighthouseConnection : fromSandbox.lighthouseConnectionSignedOut;
}

function customerNamed(name: string): TenantAccess {
  return fromSandbox.lighthouseCustomers.find((c) => c.displayName === name)!;
}

export const fabrikam = customerNamed("Fabrikam");
export const tailspin = customerNamed("Tailspin Toys");
export const northwind = customerNamed("Northwind Traders");

/** Every user of the customers the technician reaches, as Rust lists them. */
export const lighthouseUsers: TenantUserRow[] = fromSandbox.lighthouseUsers.users;

function listed(tenantId: string, userId: string): TenantUserRow {
  return lighthouseUsers.find((u) => u.tenantId === tenantId && u.id === userId)!;
}

const planned = fromSandbox.lighthousePlan.users;

/** A Fabrikam user the technician may reset (no hardware token). */
export const fabUser = listed(fabrikam.tenantId, fromSandbox.lighthouseUserFabrikam.user.id);
/** Fabrikam's Global Administrator: the technician, an Authentication Administrator there, may not reset them. */
export const fabUser2 = listed(fabrikam.tenantId, planned.find((u) => u.error !== null)!.userId);
/** A Tailspin Toys user: the reset is refused for the customer. */
export const tailUser = listed(tailspin.tenantId, fromSandbox.lighthouseUserTailspin.user.id);
/** A Northwind Traders user the technician may reset. */
export const northUser = listed(northwind.tenantId, planned.find((u) => u.tenantId === northwind.tenantId)!.userId);

/** The pages Rust answers for the Fabrikam and the Tailspin user. */
export const fabUserPage: UserPage = fromSandbox.lighthouseUserFabrikam;
export const tailUserPage: UserPage = fromSandbox.lighthouseUserTailspin;

export const phoneMethod: AuthMethod = fabUserPage.methods!.find((m) => m.kind === "phone")!;
export const authenticatorMethod: AuthMethod = fabUserPage.methods!.find((m) => m.kind === "microsoftAuthenticator")!;

/**
 * Rust's offer for a selection, refused for the customers in `refusals`: the sandbox's
 * Fabrikam offer with the refusals a test names (Rust refuses for each such customer).
 */
export function offer(refusals: TenantRefusal[] = []): TenantOffer[] {
  return fromSandbox.lighthouseOfferFabrikam.map((o) => ({ ...o, offered: refusals.length === 0, refusals }));
}

/** Rust's refusal of Reset all MFAs for Tailspin Toys (its GDAP roles do not allow it). */
export const tailspinRefusal: TenantRefusal = fromSandbox.lighthouseOfferFabrikamTailspin[0].refusals.find(
  (r) => r.tenantId === tailspin.tenantId,
)!;

/** Rust's plan for `fabUser`, `fabUser2` (left out, with why) and `northUser`. */
export function lhPlan(overrides: Partial<BulkPlan> = {}): BulkPlan {
  return { ...fromSandbox.lighthousePlan, ...overrides };
}

/**
 * That plan's job as it starts, nothing done yet: derived from the finished one (the sandbox
 * runs it too fast to catch it mid-way).
 */
export function lhJob(overrides: Partial<BulkJobView> = {}): BulkJobView {
  const job = fromSandbox.lighthouseJobFinished;
  return {
    ...job,
    state: "running",
    done: 0,
    failed: 0,
    remaining: job.done + job.failed + job.remaining,
    users: job.users.map((user) => ({
      ...user,
      state: "pending",
      methods: user.methods.map((m) => ({ ...m, state: "pending", message: null })),
    })),
    ...overrides,
  };
}

/**
 * The job as Rust finished it on the sandbox, but with the first user's last method failed
 * (Graph's 500): the sandbox's deletions do not fail, and the page's partial result is what the
 * tests check.
 */
export function lhJobFinished(): BulkJobView {
  const job = fromSandbox.lighthouseJobFinished;
  const [first, ...others] = job.users;
  const last = first.methods.length - 1;
  return {
    ...job,
    done: job.done - 1,
    failed: job.failed + 1,
    users: [
      {
        ...first,
        state: "partial",
        methods: first.methods.map((m, i) => (i === last ? { ...m, state: "failed", message: "Graph answered 500" } : m)),
      },
      ...others,
    ],
  };
}

/**
 * The actions of the sandbox's four providers, as Rust names them on their connections' cards:
 * what the Activity screen's filter offers in the app (`actionsOf` over the connections).
 */
export const sandboxActions: ActionName[] = actionsOf([
  sandboxConnection(false),
  zohoConnection(false),
  psConnection(false),
  lighthouseConnection(false),
]);
