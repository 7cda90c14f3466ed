// The shapes Rust sends to the page (serde camelCase), mirrored from
// src-tauri/core/src/{model,actions,plan,execute,audit,error,connection}.rs.
// Keep these in step with the Rust types: they are the contract of every `invoke`.

export interface RoleRef {
  templateId: string;
  displayName: string;
}

export interface Operator {
  connectionId: string;
  tenantId: string;
  id: string;
  userPrincipalName: string;
  displayName: string;
  roles: RoleRef[];
}

export interface DirectoryUser {
  connectionId: string;
  tenantId: string;
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  accountEnabled: boolean | null;
  jobTitle: string | null;
  department: string | null;
  mobilePhone: string | null;
  userType: string | null;
  lastPasswordChange: string | null;
  signInSessionsValidFrom: string | null;
  /** Filled on details and plans only; in search results it is empty and `rolesKnown` is false. */
  adminRoles: RoleRef[];
  rolesKnown: boolean;
  inRoleAssignableGroup: boolean;
}

export type AuthMethodKind =
  | "password"
  | "phone"
  | "microsoftAuthenticator"
  | "softwareOath"
  | "hardwareOath"
  | "fido2"
  | "email"
  | "temporaryAccessPass"
  | "windowsHelloForBusiness"
  | "platformCredential"
  | "other";

export interface AuthMethod {
  id: string;
  kind: AuthMethodKind;
  label: string;
  detail: string | null;
  phoneType: string | null;
  isDefault: boolean;
  status: string | null;
  created: string | null;
}

export type ActionKind = "resetPassword" | "requireReregisterMfa" | "revokeSessions" | "issueTemporaryAccessPass";

/** The buttons at the top of a user's page, in the admin centre's order. */
export const ACTION_KINDS: readonly ActionKind[] = [
  "resetPassword",
  "requireReregisterMfa",
  "revokeSessions",
  "issueTemporaryAccessPass",
];

/** `ActionOptions` in actions.rs: what the operator chose in the confirmation. All optional. */
export interface ActionOptions {
  /** Reset password / Require re-register MFA: add a final "revoke sessions" step. */
  alsoRevokeSessions?: boolean;
  tapLifetimeMinutes?: number;
  tapUsableOnce?: boolean;
}

/** The tenant's Temporary Access Pass policy, read live by Rust when the pass is planned. */
export interface TemporaryAccessPassPolicy {
  enabled: boolean;
  defaultLifetimeMinutes: number;
  minimumLifetimeMinutes: number;
  maximumLifetimeMinutes: number;
  defaultLength: number;
  isUsableOnce: boolean;
}

export interface TemporaryAccessPassTerms {
  lifetimeMinutes: number;
  usableOnce: boolean;
  policy: TemporaryAccessPassPolicy;
}

export interface OfferedAction {
  action: ActionKind;
  label: string;
  allowed: boolean;
  reason: string | null;
}

export interface UserDetails {
  user: DirectoryUser;
  methods: AuthMethod[];
  /** Set when the methods could not be read (e.g. the operator's role may not read them). */
  methodsError?: AppError | null;
  actions: OfferedAction[];
  /** The operator's resets in the last hour against their cap (null if it could not be counted). */
  rate?: RateStatus | null;
}

export interface TargetSummary {
  id: string;
  userPrincipalName: string;
  displayName: string;
  adminRoles: RoleRef[];
}

/** serde `tag = "type"`, camelCase variants and fields. */
export type StepKind =
  | { type: "resetPassword" }
  | { type: "deactivateHardwareOath"; methodId: string }
  | { type: "deleteMethod"; methodId: string; methodKind: AuthMethodKind; phoneType: string | null }
  | { type: "revokeSessions" }
  | { type: "issueTemporaryAccessPass"; lifetimeMinutes: number; usableOnce: boolean };

export interface Step {
  index: number;
  kind: StepKind;
  summary: string;
  /** Why this step will not run, when it will not. */
  blocked: string | null;
}

export interface Plan {
  id: string;
  connectionId: string;
  tenantId: string;
  action: ActionKind;
  operatorUpn: string;
  target: TargetSummary;
  steps: Step[];
  warnings: string[];
  createdAt: string;
  /** Reset password / Require re-register MFA: whether the final revoke step was asked for; null otherwise. */
  alsoRevokeSessions?: boolean | null;
  /** Issue Temporary Access Pass: the pass's terms and the tenant policy they were checked against. */
  temporaryAccessPass?: TemporaryAccessPassTerms | null;
  /** Caller verification, second-person approval and the hourly cap, decided in Rust. */
  safety: PlanSafety;
}

// ---- Operator safety (issue 5): shapes of resetdesk_core::safety -------------------------

export type VerificationMethod = "callBack" | "managerConfirmation" | "oneTimeCode" | "ticket" | "knowledgeQuestions";

/** A phone number from the directory profile; `id` names the field ("mobilePhone", "businessPhones/0"). */
export interface PhoneOnRecord {
  id: string;
  label: string;
  number: string;
}

export interface ManagerOnRecord {
  id: string;
  displayName: string;
  userPrincipalName: string;
  phones: PhoneOnRecord[];
}

export interface CodeDestination {
  id: string;
  label: string;
}

export interface VerificationOption {
  method: VerificationMethod;
  label: string;
  instructions: string;
  /** Why the method cannot be used for this user; null when it can. */
  unavailable: string | null;
  phones: PhoneOnRecord[];
  manager: ManagerOnRecord | null;
  destinations: CodeDestination[];
}

export interface VerificationRequirement {
  required: boolean;
  options: VerificationOption[];
  /** Already recorded: this operator verified this caller for a request on the same user minutes ago. */
  recorded?: VerificationRecord | null;
}

export interface ApprovalRequirement {
  required: boolean;
  reasons: string[];
}

export interface RateStatus {
  used: number;
  limit: number;
  nextAllowedAt: string | null;
}

export interface PlanSafety {
  verification: VerificationRequirement;
  approval: ApprovalRequirement;
  /** Null for actions that are not resets (revoke sessions). */
  rate: RateStatus | null;
}

/** What the operator records; serde `tag = "method"`. A phone is named by its directory field, never typed. */
export type VerificationEvidence =
  | { method: "callBack"; phoneId: string; confirmed: boolean }
  | { method: "managerConfirmation"; confirmed: boolean }
  | { method: "oneTimeCode"; code: string }
  | { method: "ticket"; ticket: string };

export interface VerificationRecord {
  method: VerificationMethod;
  passed: boolean;
  detail: string;
  at: string;
}

/** The code to send, returned once. */
export interface CodeToSend {
  code: string;
  destination: string;
  validMinutes: number;
}

/** Forwarding of the audit log to a syslog collector (`ForwardingStatus` in audit_forward.rs). */
export interface ForwardingStatus {
  enabled: boolean;
  /** e.g. "siem.example:6514 (TLS)"; null when not configured. */
  destination: string | null;
  connected: boolean;
  queued: number;
  dropped: number;
  lastError: string | null;
}

export interface ApprovalRecord {
  approver: string;
  approverId: string;
  approverRoles: string[];
  at: string;
}

/** `waitingForOperator` / `completedByHand`: a provider step the operator finishes in the provider's own console. */
export type StepStatus = "succeeded" | "failed" | "skipped" | "refused" | "waitingForOperator" | "completedByHand";

export interface Outcome {
  stepIndex: number;
  status: StepStatus;
  message: string;
  requestId: string | null;
  at: string;
}

export interface ExecutionResult {
  planId: string;
  /** The run as a whole, as recorded in the audit log. */
  outcome?: AuditOutcome;
  outcomes: Outcome[];
  /** Reset password only: shown once, never stored by the page. */
  temporaryPassword?: string | null;
  /** Issue Temporary Access Pass only: shown once, never stored by the page. */
  temporaryAccessPass?: string | null;
  /** The audit entry of this run; null (with `auditError`) when it could not be written. */
  auditSeq: number | null;
  auditError?: string | null;
}

/** `pending`: a provider action whose by-hand steps are not all marked done yet. */
export type AuditOutcome = "succeeded" | "partial" | "failed" | "refused" | "pending";

/** `AuditRecord` is flattened into the entry by serde. */
export interface AuditEntry {
  seq: number;
  at: string;
  operator: string;
  connectionId: string;
  tenantId: string;
  targetId: string;
  target: string;
  action: string;
  planId: string | null;
  plan: string[];
  reason: string;
  outcome: AuditOutcome;
  steps: Outcome[];
  message: string | null;
  /** How the caller was verified; absent when none was recorded. */
  verification?: VerificationRecord;
  /** Who approved, when a second person had to. */
  approval?: ApprovalRecord;
  prevHash: string;
  hash: string;
}

/**
 * `AuditFilter` in audit.rs: every field optional. operator/target: case-insensitive substring;
 * action: an ActionKind or the stored label; from/to: RFC 3339, inclusive (a date-time is that
 * instant, a bare date is that UTC day).
 */
export interface AuditFilter {
  operator?: string;
  target?: string;
  action?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
}

export type ExportFormat = "csv" | "jsonl";

/** What `export_audit` wrote; the command answers null when the operator cancels the Save dialog. */
export interface ExportResult {
  path: string;
  entries: number;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  firstBroken: number | null;
  message: string;
}

export type ConnectionKind = "entraTenant" | "zohoDirectory" | "privilegeSecure" | "lighthousePartner";

export interface DemoAccount {
  /** Entra UPN, Zoho e-mail, or Privilege Secure login such as "CORP\\nps.admin". */
  userPrincipalName: string;
  displayName: string;
  roleLabel: string;
  /** Privilege Secure sandbox only: the emulator's demo password, to prefill the sign-in form. */
  password?: string | null;
  /** Privilege Secure sandbox only: the sandbox "authenticator app"'s code. */
  secondFactorCode?: string | null;
}

/** Who is signed in to a Zoho or Privilege Secure connection. */
export interface ProviderAccount {
  /** Display name or login. */
  name: string;
  /** E-mail (Zoho) or login (Privilege Secure). */
  login: string;
  /** "Super Admin", "Admin", "Member" (Zoho); "Administrator" / "Not an administrator" (Privilege Secure). */
  roleLabel: string;
  /** RFC 3339; Zoho only (null after a resumed session). */
  signedInAt?: string | null;
}

/** Whether refresh tokens can be kept in the OS keychain (serde `tag = "state"`). */
export type KeychainStatus = { state: "available" } | { state: "sessionOnly"; reason: string };

export interface ConnectionView {
  id: string;
  kind: ConnectionKind | string;
  displayName: string;
  sandbox: boolean;
  signedIn: boolean;
  /** Entra only. */
  operator?: Operator | null;
  demoAccounts: DemoAccount[];
  keychain?: KeychainStatus;
  /** Zoho / Privilege Secure: who is signed in (null when signed out). */
  account?: ProviderAccount | null;
  /** One line for the card, e.g. "Zoho · EU data centre · organisation 7700001". */
  summary?: string | null;
}

/** Where a new tenant lives: a national cloud preset, or custom endpoints (Rust `Cloud`). */
export type Cloud = "public" | "usGovernment" | "china" | "custom";

/**
 * What the operator typed to add a Microsoft Entra tenant (Rust `NewEntraConnection`). Rust
 * validates it; the two endpoints are sent for the custom cloud only.
 */
export interface NewEntraConnection {
  displayName: string;
  tenant: string;
  clientId: string;
  cloud: Cloud;
  loginBaseUrl?: string;
  graphBaseUrl?: string;
}

/** `ErrorKind` has no serde rename: the variants arrive in PascalCase. */
export type ErrorKind =
  | "NotSignedIn"
  | "Forbidden"
  | "Denied"
  | "NotFound"
  | "Throttled"
  | "Offline"
  | "Provider"
  | "InvalidInput"
  | "Keychain"
  | "Ambiguous"
  | "Internal";

export interface AppError {
  kind: ErrorKind;
  message: string;
  detail?: string | null;
}

/** Users found in a connection's offline cache, and how fresh they are (`search_cached_users`). */
export interface CachedSearch {
  users: DirectoryUser[];
  /** When the cache was last brought up to date (ISO 8601), if ever. */
  syncedAt: string | null;
  /** Possibly out of date: offline, not signed in, or never synced. */
  stale: boolean;
  /** The service could not be reached at the last attempt. */
  offline: boolean;
}

/** The status line of a connection's offline cache (`cache_status`). */
export interface CacheStatus {
  users: number;
  lastFullSync: string | null;
  lastDelta: string | null;
  syncing: boolean;
  /** Users read so far by the running sync. */
  progress: number;
  offline: boolean;
  /** Why the last sync failed, if it did. */
  error: string | null;
  /** E.g. an unreadable cache file was moved aside and rebuilt. */
  notice: string | null;
}

/** The About box (`about`): version and where ResetDesk keeps its files (paths only). */
export interface AboutInfo {
  productName: string;
  version: string;
  identifier: string;
  tauriVersion: string;
  os: string;
  dataDir: string;
  settingsFile: string;
  auditLog: string;
  logDir: string;
  /** The log level in force, e.g. "info"; empty if the log file could not be opened. */
  logLevel: string;
  configDir: string;
}

// ---- Zoho Directory and Privilege Secure connections (issues #6, #7) ----------------------

export type DataCentre = "US" | "EU" | "IN" | "AU" | "JP" | "CA" | "SA" | "UK" | "CN";

export interface NewZohoConnection {
  displayName: string;
  dataCentre: DataCentre;
  /** "Non-browser application" client id from the Zoho API console. */
  clientId: string;
  /** Goes to the keychain, never saved in settings. */
  clientSecret: string;
  /** Zoho Mail organisation id (zoid), digits. */
  organizationId: string;
}

export interface NewPrivilegeSecureConnection {
  displayName: string;
  /** https://nps.example.com[:port] */
  baseUrl: string;
}

/** Zoho device sign-in: show the code; Rust has opened the verification page (or, for the sandbox, approved it). */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUrl: string;
  /** RFC 3339 */
  expiresAt: string;
}

export type ZohoRole = "member" | "admin" | "super_admin";
export type ZohoUserStatus = "confirmed" | "pending" | "external";

export interface ZohoUser {
  zuid: string;
  accountId?: string | null;
  email: string;
  displayName: string;
  role: ZohoRole;
  tfaEnabled?: boolean | null;
  status: ZohoUserStatus;
  /** Present when not confirmed: shown as is. */
  notResettableReason?: string;
  /** Page-side only: the row comes from the offline cache because Zoho could not be reached. */
  fromCacheSyncedAt?: string | null;
}

export type PsAccess =
  | { kind: "individual"; managedAccountId: string }
  | { kind: "viaGroup"; managedAccountId: string; groupId: string; groupName: string }
  | { kind: "none" }
  | { kind: "unknown" };

export interface PsUser {
  id: string;
  name: string;
  displayName?: string | null;
  samAccountName?: string | null;
  userPrincipalName?: string | null;
  email?: string | null;
  domainName?: string | null;
  access: PsAccess;
}

export type ProviderAction = "zohoResetPassword" | "zohoResetMfa" | "psResetToken" | "psResetGroupToken";

/** One action offered (or not, with the reason) on a Zoho or Privilege Secure user's page. */
export interface ProviderOffer {
  action: ProviderAction;
  /** "Reset password", "Reset MFA", "Reset 2-Factor Token", "Reset 2-Factor Token of the whole group" */
  label: string;
  allowed: boolean;
  /** Why not, when not allowed. */
  reason?: string | null;
  /** E.g. the group reset's warning. */
  warning?: string | null;
}

export interface FreshSignIn {
  maxAgeMinutes: number;
  signedInAt?: string | null;
  /** False: the page must run the Zoho sign-in again before confirming. */
  fresh: boolean;
}

export interface ZohoUserDetails {
  user: ZohoUser;
  actions: ProviderOffer[];
  freshSignIn: FreshSignIn;
}

export interface PsUserDetails {
  user: PsUser;
  actions: ProviderOffer[];
}

export interface ZohoResetPasswordOptions {
  forceChangeOnLogin: boolean;
  clearMobileSessionsAndApiTokens: boolean;
  /** Off by default; the page shows a warning next to it. */
  emailNewPassword: boolean;
}

export type StepPerformed =
  | { performed: "api"; doc: string }
  | { performed: "byHand"; pageUrl: string; instructions: string; why: string };

export interface ProviderStep {
  summary: string;
  performed: StepPerformed;
}

export interface ProviderPlan {
  id: string;
  connectionId: string;
  action: ProviderAction;
  actionLabel: string;
  target: { id: string; name: string; detail: string };
  /** Every step; by-hand ones are shown as such ("Finish in Zoho" / "Finish in Privilege Secure"). */
  steps: ProviderStep[];
  warnings: string[];
  /** 2 for Zoho Reset MFA ("Yes, Reset" twice), else 1. */
  confirmationsRequired: number;
  /** Zoho reset password: the page sends a PasswordInput with the run. */
  needsPassword: boolean;
  /** Zoho: must be fresh before running. */
  freshSignIn?: FreshSignIn | null;
}

export type PasswordInput =
  | { mode: "typed"; password: string }
  | {
      mode: "generate";
      readAloud: boolean;
      length?: number;
      /** Random style only: which kinds of characters to use (Rust rejects none). */
      upper?: boolean;
      lower?: boolean;
      digits?: boolean;
      symbols?: boolean;
    };

export type StepState = "done" | "failed" | "skipped" | "toDoByHand" | "doneByHand";

export interface StepReport {
  index: number;
  summary: string;
  state: StepState;
  message?: string | null;
  performed: StepPerformed;
}

export interface ProviderResult {
  planId: string;
  /** "pending" while steps are still to finish by hand. */
  outcome: AuditOutcome;
  steps: StepReport[];
  /** Shown once (TemporaryPassword), never stored by the page. */
  generatedPassword?: string | null;
  auditSeq?: number | null;
  auditError?: string | null;
}

/** What `openByHandPage` did: the sandbox opens nothing and says so in `note`. */
export interface ByHandPage {
  url: string;
  opened: boolean;
  note?: string | null;
}

// ---- Microsoft 365 Lighthouse (partner) connections (issue #4) -----------------------------

/** A customer tenant reachable through GDAP, with the technician's roles there. */
export interface CustomerAccess {
  tenantId: string;
  displayName: string;
  relationshipId: string;
  /** "active", "expired", ... */
  relationshipStatus: string;
  roles: RoleRef[];
}

export type LighthouseAction = "resetAllMfa";

export interface CustomerRefusal {
  tenantId: string;
  displayName: string;
  reason: string;
}

/** One action for the current customer selection: offered only if EVERY selected customer allows it. */
export interface LighthouseActionOffer {
  action: LighthouseAction;
  /** "Reset all multi-factor authentications" */
  label: string;
  offered: boolean;
  /** Why not, per customer (empty when offered). */
  refusals: CustomerRefusal[];
}

/** A user of a customer tenant: the DirectoryUser (its tenantId says which customer) plus the customer's name. */
export interface LighthouseUser extends DirectoryUser {
  customerName: string;
}

export interface LighthouseUserDetails {
  user: LighthouseUser;
  methods: AuthMethod[];
  methodsError?: AppError | null;
  customer: CustomerAccess;
  actions: LighthouseActionOffer[];
}

/** One row of the Authentication methods list. */
export interface LighthouseMethodsRow {
  user: LighthouseUser;
  methods: AuthMethod[];
  error?: AppError | null;
}

/** A user of a reset: the customer, who, and what is removed. */
export interface LighthouseTarget {
  tenantId: string;
  userId: string;
}

export interface UserPlan {
  tenantId: string;
  customerName: string;
  userId: string;
  userPrincipalName: string;
  displayName: string;
  /** The methods that will be removed, in order. */
  remove: AuthMethod[];
  /** Labels of methods that stay (e.g. password). */
  keep: string[];
  /** The methods could not be read: nothing planned for this user. */
  error?: AppError | null;
}

export interface CustomerSummary {
  tenantId: string;
  displayName: string;
  users: number;
  methods: number;
}

/** The confirmation: how many users in which customers, per user the methods to remove. */
export interface LighthousePlan {
  id: string;
  action: LighthouseAction;
  customers: CustomerSummary[];
  users: UserPlan[];
  totalMethods: number;
  warnings: string[];
}

export type BulkStepState = "pending" | "deleted" | "alreadyGone" | "failed" | "refused" | "cancelled";

export interface BulkMethodResult {
  methodId: string;
  label: string;
  state: BulkStepState;
  message?: string | null;
}

export type BulkUserState = "pending" | "done" | "partial" | "failed" | "refused" | "cancelled";

export interface BulkUserResult {
  tenantId: string;
  customerName: string;
  userId: string;
  userPrincipalName: string;
  displayName: string;
  state: BulkUserState;
  methods: BulkMethodResult[];
}

/** "interrupted": the app stopped during the job; it can be finished. */
export type BulkJobState = "running" | "finished" | "cancelled" | "interrupted";

export interface BulkJobView {
  id: string;
  action: LighthouseAction;
  reason: string;
  createdAt: string;
  state: BulkJobState;
  /** Methods removed (or already gone). */
  done: number;
  /** Methods that failed or were refused. */
  failed: number;
  /** Methods not attempted yet. */
  remaining: number;
  users: BulkUserResult[];
}

/**
 * What the operator types to add a Microsoft 365 Lighthouse partner (Rust `NewLighthouseConnection`):
 * the partner tenant and its app registration, checked in Rust as an Entra tenant is.
 */
export interface NewLighthouseConnection {
  displayName: string;
  partnerTenant: string;
  clientId: string;
  cloud: Cloud;
  loginBaseUrl?: string;
  graphBaseUrl?: string;
}
