// The only module that talks to Rust. One typed function per app command; every rejection is
// turned into an `AppError` so screens show one kind of error whatever went wrong.
import { invoke } from "@tauri-apps/api/core";
import type {
  AboutInfo,
  ByHandPage,
  ByHandSettled,
  ByHandSettlement,
  ActionOptions,
  AppError,
  ApprovalStep,
  AuditEntry,
  AuditFilter,
  AuditVerification,
  BulkJobView,
  BulkPlan,
  TenantAccess,
  CachedSearch,
  CacheStatus,
  CodeToSend,
  ConnectionView,
  ErrorKind,
  ExportFormat,
  ExportResult,
  ForwardingStatus,
  SafetyRulesView,
  TenantMethods,
  TenantUsers,
  NewConnection,
  PasswordInput,
  PendingByHandStep,
  ProviderPlan,
  RunOutcome,
  SignInOutcome,
  UserPage,
  UserSearch,
  VerificationEvidence,
  VerificationRecord,
  ZohoResetPasswordOptions,
} from "./types";

const ERROR_KINDS: readonly ErrorKind[] = [
  "NotSignedIn",
  "Forbidden",
  "Denied",
  "NotFound",
  "Throttled",
  "Offline",
  "Provider",
  "InvalidInput",
  "Keychain",
  "Ambiguous",
  "Internal",
];

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.kind === "string" &&
    (ERROR_KINDS as readonly string[]).includes(candidate.kind) &&
    typeof candidate.message === "string"
  );
}

/**
 * Commands reject with a serialised `AppError`; Tauri itself rejects with a plain string (an ACL
 * refusal, an unknown command, a deserialisation failure of the arguments). Both become an
 * `AppError`, the latter as `Internal` with Tauri's text kept as the message.
 */
export function toAppError(reason: unknown): AppError {
  if (isAppError(reason)) {
    return { kind: reason.kind, message: reason.message, detail: reason.detail ?? null };
  }
  if (typeof reason === "string") {
    return { kind: "Internal", message: reason, detail: null };
  }
  if (reason instanceof Error) {
    return { kind: "Internal", message: reason.message, detail: null };
  }
  return { kind: "Internal", message: "Unexpected error from the application.", detail: safeStringify(reason) };
}

function safeStringify(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

type SessionListener = (error: AppError) => void;
const sessionListeners = new Set<SessionListener>();

/**
 * Called whenever any command answers NotSignedIn (a session expired and could not be
 * refreshed), so the page can re-read which connections are still signed in. Returns the
 * unsubscribe function.
 */
export function onSessionLost(listener: SessionListener): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

async function call<T>(command: string, args?: Record<string, unknown>, announceSessionLost = true): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    const error = toAppError(reason);
    if (error.kind === "NotSignedIn" && announceSessionLost) sessionListeners.forEach((listener) => listener(error));
    throw error;
  }
}

export function listConnections(): Promise<ConnectionView[]> {
  return call("list_connections");
}

/**
 * Signs in to a connection of any provider with what its form asks for. For a sandbox
 * connection `account` is the demo operator (whose sign-in the sandbox answers); a real Entra
 * tenant or Lighthouse partner opens the browser and needs nothing else. The answer is typed:
 * done, a device code to show, or a server certificate nobody trusted yet, with its SHA-256 for
 * the operator to check. A device sign-in is then sent again with the code shown
 * (`deviceCode`): that call resolves once the code is approved, and rejects when it is denied or
 * expires.
 */
export function signIn(
  connectionId: string,
  account?: string,
  password?: string,
  code?: string,
  deviceCode?: string,
): Promise<SignInOutcome> {
  // Only what the form gave: Rust reads a missing one as not given.
  const given = Object.entries({ account, password, code, deviceCode }).filter(([, value]) => value !== undefined);
  return call("sign_in", { connectionId, ...Object.fromEntries(given) });
}

export function signOut(connectionId: string): Promise<void> {
  return call("sign_out", { connectionId });
}

/**
 * Adds a connection of any provider, its form tagged with the provider. Rust validates the
 * input; a bad field rejects with InvalidInput saying what to correct. A Zoho client secret
 * goes to the keychain.
 */
export function addConnection(connection: NewConnection): Promise<ConnectionView> {
  return call("add_connection", { connection });
}

/** Signs out and deletes the connection's sign-in from the keychain; the sandbox cannot be removed. */
export function removeConnection(connectionId: string): Promise<void> {
  return call("remove_connection", { connectionId });
}

/** The offline cache: answers instantly, offline and before sign-in too. */
export function searchCachedUsers(connectionId: string, query: string): Promise<CachedSearch> {
  return call("search_cached_users", { connectionId, query });
}

export function cacheStatus(connectionId: string): Promise<CacheStatus> {
  return call("cache_status", { connectionId });
}

/** Starts a background sync and returns at once; `cacheStatus` shows its progress. */
export function refreshCache(connectionId: string): Promise<void> {
  return call("refresh_cache", { connectionId });
}

/**
 * The built-in sandbox's outage demo, for a connection whose card offers it (`outageDemo`):
 * with `down`, its emulator becomes unreachable (or reachable again); without, nothing changes.
 * Answers whether the outage is on.
 */
export function sandboxSimulateOutage(connectionId: string, down?: boolean): Promise<boolean> {
  return call("sandbox_simulate_outage", down === undefined ? { connectionId } : { connectionId, down });
}

/**
 * Plans an offered action (`action`: the offer's id) on one user, whatever the provider.
 * `options` are what the action's option form chose (Entra's "also revoke sessions" and a pass's
 * terms, Zoho's password rules); Rust hands them to the provider, which reads its own. Without
 * them the call is `{connectionId, userId, action}`. `replaces` names the plan the operator was
 * confirming when they changed a choice: Rust moves what was recorded on it (the caller's
 * verification, an approval) to the new plan.
 */
export function planAction(
  connectionId: string,
  userId: string,
  action: string,
  options?: ActionOptions | ZohoResetPasswordOptions,
  replaces?: string,
): Promise<ProviderPlan> {
  const args: Record<string, unknown> = { connectionId, userId, action };
  if (options) args.options = options;
  if (replaces) args.replaces = replaces;
  return call("plan_action", args);
}

/** A one-time code for the operator to send to one of the user's registered methods. */
export function sendVerificationCode(planId: string, destinationId: string): Promise<CodeToSend> {
  return call("send_verification_code", { planId, destinationId });
}

/** Rust checks the evidence; a failed verification closes the plan (the record says passed: false). */
export function recordVerification(planId: string, evidence: VerificationEvidence): Promise<VerificationRecord> {
  return call("record_verification", { planId, evidence });
}

/** What a second person gives to sign in and approve: what the provider's sign-in asks for. */
export interface ApproverSignIn {
  /** For a sandbox the demo account chosen; a login where the provider's sign-in takes one. */
  account?: string;
  password?: string;
  /** A second factor's current code. */
  code?: string;
  /** The device code shown after a first call answered `deviceCode`: wait for its approval. */
  deviceCode?: string;
}

/**
 * A second operator signs in on the spot to approve. A real Entra tenant or Lighthouse partner
 * opens the browser and needs nothing else. A device sign-in (Zoho) answers with the code to show
 * first; sent again with `deviceCode`, the call resolves once the code is approved.
 */
export function approvePlan(planId: string, form: ApproverSignIn = {}): Promise<ApprovalStep> {
  // Only what the form gave: Rust reads a missing one as not given.
  const given = Object.entries(form).filter(([, value]) => value !== undefined);
  return call("approve_plan", { planId, ...Object.fromEntries(given) });
}

/** Without a filter the call is `{limit}`, as before filters existed; Rust does the filtering. */
export function listAudit(limit: number, filter?: AuditFilter): Promise<AuditEntry[]> {
  return call("list_audit", filter ? { limit, filter } : { limit });
}

/**
 * Rust opens a native Save dialog and writes the file there (the page has no file system
 * access); resolves to null when the operator cancels.
 */
export function exportAudit(format: ExportFormat, filter?: AuditFilter): Promise<ExportResult | null> {
  return call("export_audit", filter ? { format, filter } : { format });
}

/** Whether each audit entry is also sent to a syslog collector, and how delivery goes. */
export function auditForwarding(): Promise<ForwardingStatus> {
  return call("audit_forwarding");
}

/**
 * The sandbox's demo of team-wide counting: a second desktop (its own data directory, over the
 * same Contoso tenant) resets the user's password as the operator signed in here. Rust says what
 * it did.
 */
export function sandboxSecondDesktopReset(userId: string): Promise<string> {
  return call("sandbox_second_desktop_reset", { userId });
}

/** The safety rules in force: which the managed policy sets, which are weaker than the defaults. */
export function safetyRules(): Promise<SafetyRulesView> {
  return call("safety_rules");
}

export function verifyAudit(): Promise<AuditVerification> {
  return call("verify_audit");
}

/** Copies the one-time secret a result named by `handle` (Rust copies what it set, never text from the page). */
export function copyToClipboard(handle: string, clearAfterSeconds: number): Promise<void> {
  return call("copy_to_clipboard", { handle, clearAfterSeconds });
}

/** Version and the paths of the data, log and config directories, for the About box. */
export function about(): Promise<AboutInfo> {
  return call("about");
}

// ---- Zoho Directory and Privilege Secure (issues #6, #7) ----------------------------------

/** Pins the server certificate the operator checked, for this connection only. */
export function trustCertificate(connectionId: string, sha256: string): Promise<ConnectionView> {
  return call("trust_certificate", { connectionId, sha256 });
}

/**
 * The users of a directory served through the seam; Rust checks the query. When the service
 * cannot be reached, Rust answers from the offline cache and says so (`fromCache`).
 */
export function directorySearch(connectionId: string, query: string): Promise<UserSearch> {
  return call("directory_search", { connectionId, query });
}

/**
 * A user's page, read live: the facts to list and every action offered or refused with the
 * reason. `tenantId` names the customer a Lighthouse user lives in; without it the call is
 * `{connectionId, userId}`.
 */
export function directoryUser(connectionId: string, userId: string): Promise<UserPage> {
  return call("directory_user", { connectionId, userId });
}


/**
 * Runs a confirmed plan of any provider and kind: a plan on one user answers a report per step
 * (`RunResult`), a bulk plan the job it started (`BulkJobView`; poll `jobStatus`). A typed
 * password travels only here, once, when the plan needs one (Zoho's reset); an Entra plan takes
 * none. Pass `announceSessionLost = false` where NotSignedIn means "sign in again to confirm it
 * is you" (Zoho's fresh sign-in), not a lost session: the dialog handles it.
 */
export function runPlan(planId: string, reason: string, password?: PasswordInput, announceSessionLost = true): Promise<RunOutcome> {
  return call("run_plan", password ? { planId, reason, password } : { planId, reason }, announceSessionLost);
}

/** Whether a run answered a started job (a bulk plan) rather than its steps (a plan on one user). */
export function isJob(outcome: RunOutcome): outcome is BulkJobView {
  return !("steps" in outcome);
}

/**
 * Rust opens the step's page in the default browser (the page has no shell access). The sandbox
 * has no admin panel: then `opened` is false and `note` says so.
 */
export function openByHandPage(planId: string, stepIndex: number): Promise<ByHandPage> {
  return call("open_by_hand_page", { planId, stepIndex });
}

/** Every by-hand step still waiting, from the audit log (it outlives a restart). */
export function pendingByHandSteps(): Promise<PendingByHandStep[]> {
  return call("pending_by_hand_steps", {});
}

/**
 * Marks a waiting step done, or abandons it (from Activity, or Mark as done in the result
 * dialog); Rust checks who may and answers the steps left and, while the plan is kept, its
 * result as the dialog shows it.
 */
export function settleByHandStep(planId: string, stepIndex: number, settlement: ByHandSettlement): Promise<ByHandSettled> {
  return call("settle_by_hand_step", { planId, stepIndex, settlement });
}

// ---- Connections whose users live in several tenants (a Lighthouse partner's customers) ----
// Sign-in is `signIn`, as for every provider. Rust decides what is offered for which tenants.

/** The tenants the sign-in reaches (a partner's customers), with the operator's roles in each. */
export function directoryTenants(connectionId: string): Promise<TenantAccess[]> {
  return call("directory_tenants", { connectionId });
}

/**
 * The users of the selected tenants, read live each time (calling again refreshes); query ""
 * lists all. A tenant that does not answer is in `notRead`, with why; the others' users are listed.
 */
export function directoryTenantUsers(connectionId: string, tenantIds: string[], query: string): Promise<TenantUsers> {
  return call("directory_tenant_users", { connectionId, tenantIds, query });
}

/** The same users with their authentication methods (the first 200; `notShown` says how many more). */
export function directoryTenantMethods(connectionId: string, tenantIds: string[], query: string): Promise<TenantMethods> {
  return call("directory_tenant_methods", { connectionId, tenantIds, query });
}


/**
 * The confirmation of an action on many users at once, run as a job (a Lighthouse partner's "Reset all
 * multi-factor authentications" across customers). `userIds`: the ids Rust gave the users' rows.
 */
export function planBulkAction(connectionId: string, userIds: string[], action: string): Promise<BulkPlan> {
  return call("plan_bulk_action", { connectionId, userIds, action });
}

export function jobStatus(jobId: string): Promise<BulkJobView> {
  return call("job_status", { jobId });
}

export function cancelJob(jobId: string): Promise<BulkJobView> {
  return call("cancel_job", { jobId });
}

/** Jobs interrupted by a close or a crash, newest first. */
export function unfinishedJobs(): Promise<BulkJobView[]> {
  return call("unfinished_jobs");
}

/** Finishes the rest of an interrupted job; never repeats a completed step. */
export function resumeJob(jobId: string): Promise<BulkJobView> {
  return call("resume_job", { jobId });
}
