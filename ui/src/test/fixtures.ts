// Data shaped exactly as Rust serialises it, for the page's tests.
import type {
  AuditEntry,
  AuthMethod,
  BulkJobView,
  CustomerAccess,
  CustomerRefusal,
  LighthouseActionOffer,
  LighthousePlan,
  LighthouseUser,
  LighthouseUserDetails,
  ConnectionView,
  DirectoryUser,
  ExecutionResult,
  Plan,
  PlanSafety,
  ProviderPlan,
  ProviderResult,
  UserDetails,
  UserPage,
  UserRow,
} from "../ipc/types";
import { fromSandbox } from "./sandbox";

export const SANDBOX_ID = "sandbox";

export const operator = {
  connectionId: SANDBOX_ID,
  tenantId: "tenant-1",
  id: "op-1",
  userPrincipalName: "helpdesk@contoso.sandbox",
  displayName: "Helen Desk",
  roles: [{ templateId: "729827e3-9c14-49f7-bb1b-9608f156bbb8", displayName: "Helpdesk Administrator" }],
};

export function sandboxConnection(signedIn: boolean): ConnectionView {
  return {
    id: SANDBOX_ID,
    kind: "entraTenant",
    displayName: "Sandbox — Contoso (demo)",
    sandbox: true,
    signedIn,
    operator: signedIn ? operator : null,
    account: null,
    summary: null,
    keychain: { state: "available" },
    servedThroughSeam: false,
    offlineCache: true,
    outageDemo: true,
    demoAccounts: [
      { userPrincipalName: "authadmin@contoso.sandbox", displayName: "Ava Auth", roleLabel: "Authentication Administrator" },
      { userPrincipalName: "helpdesk@contoso.sandbox", displayName: "Helen Desk", roleLabel: "Helpdesk Administrator" },
    ],
  };
}

export const adele: DirectoryUser = {
  connectionId: SANDBOX_ID,
  tenantId: "tenant-1",
  id: "user-adele",
  userPrincipalName: "adele.vance@contoso.sandbox",
  displayName: "Adele Vance",
  mail: "adele.vance@contoso.sandbox",
  accountEnabled: true,
  jobTitle: "Retail Manager",
  department: "Retail",
  mobilePhone: "+1 555 0100",
  userType: "Member",
  lastPasswordChange: "2026-10-01T08:00:00Z",
  signInSessionsValidFrom: "2026-10-01T08:00:00Z",
  adminRoles: [],
  rolesKnown: true,
  inRoleAssignableGroup: false,
  roleAssignableGroupKnown: true,
};

export const megan: DirectoryUser = {
  ...adele,
  id: "user-megan",
  userPrincipalName: "megan.bowen@contoso.sandbox",
  displayName: "Megan Bowen",
  mail: "megan.bowen@contoso.sandbox",
  jobTitle: "Marketing Manager",
  adminRoles: [],
  rolesKnown: false,
};

export function adeleDetails(overrides: Partial<UserDetails> = {}): UserDetails {
  return {
    user: adele,
    methods: [
      {
        id: "m-phone",
        kind: "phone",
        label: "Phone number",
        detail: "+1 555 0100",
        phoneType: "mobile",
        isDefault: true,
        status: null,
        created: null,
      },
      {
        id: "m-hw",
        kind: "hardwareOath",
        label: "Hardware OATH token",
        detail: "Serial 12345",
        phoneType: null,
        isDefault: false,
        status: "activated",
        created: "2026-01-02T00:00:00Z",
      },
    ],
    actions: [
      { action: "resetPassword", label: "Reset password", allowed: true, reason: null },
      {
        action: "requireReregisterMfa",
        label: "Require re-register MFA",
        allowed: false,
        reason: "Requires at least the Authentication Administrator role.",
      },
      { action: "revokeSessions", label: "Revoke sessions", allowed: true, reason: null },
    ],
    methodsError: null,
    rate: null,
    ...overrides,
  };
}

export const resetPlan: Plan = {
  id: "plan-42",
  connectionId: SANDBOX_ID,
  tenantId: "tenant-1",
  action: "resetPassword",
  operatorUpn: "helpdesk@contoso.sandbox",
  target: { id: adele.id, userPrincipalName: adele.userPrincipalName, displayName: adele.displayName, adminRoles: [] },
  steps: [
    {
      index: 0,
      kind: { type: "resetPassword" },
      summary: "Reset the password of Adele Vance to a generated temporary password",
      blocked: null,
    },
  ],
  warnings: ["The user is signed out of apps that check the password."],
  createdAt: "2026-11-23T09:00:00Z",
  alsoRevokeSessions: false,
  temporaryAccessPass: null,
  safety: noSafetyChecks(),
};

/** A plan none of the safety rules apply to (as Rust sends for revoking sessions, or when turned off). */
export function noSafetyChecks(): PlanSafety {
  return { verification: { required: false, options: [], recorded: null }, approval: { required: false, reasons: [] }, rate: null };
}

/** The default policy's safety part for a reset of Adele: verification required, every method offered. */
export function verifiedResetSafety(overrides: Partial<PlanSafety> = {}): PlanSafety {
  return {
    verification: {
      required: true,
      options: [
        {
          method: "callBack",
          label: "Call back on a number in the directory",
          instructions: "Hang up and call the user back on a number below.",
          unavailable: null,
          phones: [
            { id: "mobilePhone", label: "Mobile phone", number: "+1 555 0100" },
            { id: "businessPhones/0", label: "Business phone", number: "+1 425 555 1012" },
          ],
          manager: null,
          destinations: [],
        },
        {
          method: "managerConfirmation",
          label: "Confirmation by the user's manager",
          instructions: "Contact the user's manager.",
          unavailable: "the directory names no manager for this user.",
          phones: [],
          manager: null,
          destinations: [],
        },
        {
          method: "oneTimeCode",
          label: "One-time code to a registered method",
          instructions: "Send the code.",
          unavailable: null,
          phones: [],
          manager: null,
          destinations: [{ id: "phone-1", label: "Phone number +1 555 0100" }],
        },
        {
          method: "ticket",
          label: "Ticket from the verification process",
          instructions: "Enter the ticket.",
          unavailable: null,
          phones: [],
          manager: null,
          destinations: [],
        },
      ],
      recorded: null,
    },
    approval: { required: false, reasons: [] },
    rate: { used: 3, limit: 20, nextAllowedAt: null, note: null },
    ...overrides,
  };
}

export const resetResult: ExecutionResult = {
  planId: "plan-42",
  outcome: "succeeded",
  outcomes: [
    {
      stepIndex: 0,
      status: "succeeded",
      message: "Password reset; change required at next sign-in",
      requestId: "req-abc-123",
      at: "2026-11-23T09:00:05Z",
    },
  ],
  temporaryPassword: "Tmp-Xq7!pLm2",
  temporaryAccessPass: null,
  copyHandle: "copy-handle-42",
  auditSeq: 7,
  auditError: null,
};

export function auditEntry(seq: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    seq,
    at: `2026-11-23T09:0${seq}:00Z`,
    operator: "helpdesk@contoso.sandbox",
    connectionId: SANDBOX_ID,
    tenantId: "tenant-1",
    targetId: adele.id,
    target: adele.userPrincipalName,
    action: "resetPassword",
    planId: `plan-${seq}`,
    plan: ["Reset the password"],
    reason: `INC-${seq}`,
    outcome: "succeeded",
    steps: [{ stepIndex: 0, status: "succeeded", message: "done", requestId: `req-${seq}`, at: "2026-11-23T09:00:00Z" }],
    message: null,
    prevHash: "0".repeat(64),
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

export function zohoPasswordResult(overrides: Partial<ProviderResult> = {}): ProviderResult {
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

function customerNamed(name: string): CustomerAccess {
  return fromSandbox.lighthouseCustomers.find((c) => c.displayName === name)!;
}

export const fabrikam = customerNamed("Fabrikam");
export const tailspin = customerNamed("Tailspin Toys");
export const northwind = customerNamed("Northwind Traders");

/** Every user of the customers the technician reaches, as Rust lists them. */
export const lighthouseUsers: LighthouseUser[] = fromSandbox.lighthouseUsers.users;

function listed(tenantId: string, userId: string): LighthouseUser {
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
export const fabUserPage: LighthouseUserDetails = fromSandbox.lighthouseUserFabrikam;
export const tailUserPage: LighthouseUserDetails = fromSandbox.lighthouseUserTailspin;

export const phoneMethod: AuthMethod = fabUserPage.methods.find((m) => m.kind === "phone")!;
export const authenticatorMethod: AuthMethod = fabUserPage.methods.find((m) => m.kind === "microsoftAuthenticator")!;

/**
 * Rust's offer for a selection, refused for the customers in `refusals`: the sandbox's
 * Fabrikam offer with the refusals a test names (Rust refuses for each such customer).
 */
export function offer(refusals: CustomerRefusal[] = []): LighthouseActionOffer[] {
  return fromSandbox.lighthouseOfferFabrikam.map((o) => ({ ...o, offered: refusals.length === 0, refusals }));
}

/** Rust's refusal of Reset all MFAs for Tailspin Toys (its GDAP roles do not allow it). */
export const tailspinRefusal: CustomerRefusal = fromSandbox.lighthouseOfferFabrikamTailspin[0].refusals.find(
  (r) => r.tenantId === tailspin.tenantId,
)!;

/** Rust's plan for `fabUser`, `fabUser2` (left out, with why) and `northUser`. */
export function lhPlan(overrides: Partial<LighthousePlan> = {}): LighthousePlan {
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
