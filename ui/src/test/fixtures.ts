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

export const LH_ID = "sandbox-lighthouse";

export function lighthouseConnection(signedIn: boolean): ConnectionView {
  return {
    id: LH_ID,
    kind: "lighthousePartner",
    displayName: "Sandbox — Lighthouse partner (demo)",
    sandbox: true,
    signedIn,
    operator: signedIn
      ? { connectionId: LH_ID, tenantId: "partner-1", id: "tech-1", userPrincipalName: "tech@partner.sandbox", displayName: "Tess Tech", roles: [] }
      : null,
    account: null,
    summary: null,
    keychain: { state: "available" },
    servedThroughSeam: false,
    offlineCache: false,
    outageDemo: false,
    demoAccounts: [
      { userPrincipalName: "tech@partner.sandbox", displayName: "Tess Tech", roleLabel: "Partner technician" },
      { userPrincipalName: "lead@partner.sandbox", displayName: "Team lead (approver)", roleLabel: "GDAP: Helpdesk and Tier 3" },
    ],
  };
}

const AUTH_WRITER = { templateId: "aaf43236-0c0d-4d5f-883a-6955382ac081", displayName: "Authentication Methods Writer" };
const USER_ADMIN = { templateId: "fe930be7-5e62-47db-91af-98c3a49a38b1", displayName: "User Administrator" };
const USERS_READER = { templateId: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", displayName: "Directory Readers" };

export const fabrikam: CustomerAccess = {
  tenantId: "t-fabrikam",
  displayName: "Fabrikam",
  relationshipId: "rel-1",
  relationshipStatus: "active",
  roles: [USER_ADMIN, AUTH_WRITER],
};
export const tailspin: CustomerAccess = {
  tenantId: "t-tailspin",
  displayName: "Tailspin Toys",
  relationshipId: "rel-2",
  relationshipStatus: "active",
  roles: [USER_ADMIN, AUTH_WRITER],
};
export const northwind: CustomerAccess = {
  tenantId: "t-northwind",
  displayName: "Northwind Traders",
  relationshipId: "rel-3",
  relationshipStatus: "active",
  roles: [USERS_READER],
};

export function lhUser(customer: CustomerAccess, id: string, name: string): LighthouseUser {
  const upn = `${name.toLowerCase().replace(/ /g, ".")}@${customer.displayName.split(" ")[0].toLowerCase()}.example`;
  return { ...adele, connectionId: LH_ID, tenantId: customer.tenantId, id, userPrincipalName: upn, displayName: name, mail: upn, customerName: customer.displayName, roleAssignableGroupKnown: false };
}

export const fabUser = lhUser(fabrikam, "u-fab-1", "Fiona Fab");
export const fabUser2 = lhUser(fabrikam, "u-fab-2", "Frank Fab");
export const tailUser = lhUser(tailspin, "u-tail-1", "Tom Tail");
export const northUser = lhUser(northwind, "u-north-1", "Nora North");

export const phoneMethod: AuthMethod = {
  id: "m-phone",
  kind: "phone",
  label: "Phone number",
  detail: "+1 555 0100",
  phoneType: "mobile",
  isDefault: true,
  status: null,
  created: null,
};
export const authenticatorMethod: AuthMethod = {
  id: "m-app",
  kind: "microsoftAuthenticator",
  label: "Microsoft Authenticator",
  detail: "Pixel 8",
  phoneType: null,
  isDefault: false,
  status: null,
  created: null,
};

export function offer(refusals: CustomerRefusal[] = []): LighthouseActionOffer[] {
  return [{ action: "resetAllMfa", label: "Reset all multi-factor authentications", offered: refusals.length === 0, refusals }];
}

export const northwindRefusal: CustomerRefusal = {
  tenantId: northwind.tenantId,
  displayName: northwind.displayName,
  reason: "Your roles in Northwind Traders do not include Authentication Methods Writer.",
};

export function lhPlan(overrides: Partial<LighthousePlan> = {}): LighthousePlan {
  return {
    id: "lhplan-1",
    connectionId: LH_ID,
    operatorUpn: "tech@partner.sandbox",
    approval: { required: false, reasons: [] },
    action: "resetAllMfa",
    customers: [
      { tenantId: fabrikam.tenantId, displayName: fabrikam.displayName, users: 1, methods: 2 },
      { tenantId: tailspin.tenantId, displayName: tailspin.displayName, users: 1, methods: 0 },
    ],
    users: [
      {
        tenantId: fabrikam.tenantId,
        customerName: fabrikam.displayName,
        userId: fabUser.id,
        userPrincipalName: fabUser.userPrincipalName,
        displayName: fabUser.displayName,
        remove: [phoneMethod, authenticatorMethod],
        keep: ["Password"],
        error: null,
      },
      {
        tenantId: tailspin.tenantId,
        customerName: tailspin.displayName,
        userId: tailUser.id,
        userPrincipalName: tailUser.userPrincipalName,
        displayName: tailUser.displayName,
        remove: [],
        keep: [],
        error: { kind: "Forbidden", message: "Tailspin Toys refused to list the methods." },
      },
    ],
    totalMethods: 2,
    warnings: ["Fiona Fab cannot sign in with MFA until she registers again."],
    ...overrides,
  };
}

export function lhJob(overrides: Partial<BulkJobView> = {}): BulkJobView {
  return {
    id: "job-1",
    action: "resetAllMfa",
    reason: "INC-77",
    createdAt: "2026-11-23T09:00:00Z",
    state: "running",
    done: 0,
    failed: 0,
    remaining: 2,
    error: null,
    users: [
      {
        tenantId: fabrikam.tenantId,
        customerName: fabrikam.displayName,
        userId: fabUser.id,
        userPrincipalName: fabUser.userPrincipalName,
        displayName: fabUser.displayName,
        state: "pending",
        methods: [
          { methodId: phoneMethod.id, label: phoneMethod.label, state: "pending", message: null },
          { methodId: authenticatorMethod.id, label: authenticatorMethod.label, state: "pending", message: null },
        ],
      },
    ],
    ...overrides,
  };
}

/** The job above, finished: the phone removed, the Authenticator failed. */
export function lhJobFinished(): BulkJobView {
  const job = lhJob();
  return {
    ...job,
    state: "finished",
    done: 1,
    failed: 1,
    remaining: 0,
    users: [
      {
        ...job.users[0],
        state: "partial",
        methods: [
          { methodId: phoneMethod.id, label: phoneMethod.label, state: "deleted", message: null },
          { methodId: authenticatorMethod.id, label: authenticatorMethod.label, state: "failed", message: "Graph answered 500" },
        ],
      },
    ],
  };
}
