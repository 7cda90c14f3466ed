//! The use cases behind the page's commands, in one place and without Tauri: sign in, find a
//! user, read their methods, plan an action, run it, read the audit log. The shell's commands
//! only parse input and call these methods, so everything here is tested without a window.
//!
//! Authorization is decided here (through [`crate::providers::entra::policy`]), twice: when a plan is built from
//! the target's live state, and again before each step runs, after re-reading the operator and
//! the target. The page refers to plans only by id; their steps never leave Rust.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex as StdMutex, RwLock as StdRwLock};
use std::time::Duration;

use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

mod bulk_jobs;
mod by_hand_steps;
mod confirmation;
mod lighthouse;
mod lighthouse_approval;
mod offline_cache;
mod plan_store;
mod provider_actions;
mod revealed;
mod run;
mod safety_checks;
mod seam_approval;
mod seam_sessions;
mod sign_in;
mod zoho;

pub use self::bulk_jobs::{
    BulkJobState, BulkJobView, BulkMethodResult, BulkStepState, BulkUserResult, BulkUserState,
};
pub use self::by_hand_steps::{ByHandSettled, ByHandSettlement, PendingByHandStep};
pub use self::lighthouse::{
    CustomerNotRead, LighthouseMethods, LighthouseMethodsRow, LighthousePlan, LighthouseUser,
    LighthouseUserDetails, LighthouseUsers, PartnerSandboxSignIn, TargetRef,
};
pub use self::offline_cache::{CacheStatus, CachedSearch, OFFLINE_PROBE_INTERVAL};
pub use self::provider_actions::{
    ByHandPage, FreshSignIn, PasswordInput, PlanChoices, PlanOwner, PlanTarget, ProviderAccount,
    ProviderAction, ProviderOffer, ProviderPlan, ProviderStep, RefusedFor, RunResult, SecretKind,
    StepPerformed, StepReport, StepState, StepsRun,
};
pub use crate::providers::zoho::provider::{DeviceApprover, DEFAULT_FRESH_SIGN_IN};

use crate::audit::overall_outcome;
use crate::audit::{
    AuditEntry, AuditFilter, AuditLog, AuditOutcome, AuditParties, AuditRecord, AuditVerification,
    ExportFormat,
};
use crate::audit_forward::{disabled_status, AuditForwarder, ForwardingStatus};
use crate::auth::{self, AccessTokenSource, BrowserLauncher, TokenManager};
use crate::cache::DirectorySync;
use crate::directory::Directory;
use crate::error::{AppError, ErrorKind, Result};
use crate::model::connection::{Connection, ConnectionKind, DemoAccount, ProviderSettings};
use crate::model::{AuthMethod, DirectoryUser, Operator};
use crate::model::{Outcome, StepStatus};
use crate::password::generate_temporary_password;
use crate::providers::entra::actions::{ActionKind, ActionOptions};
use crate::providers::entra::execute;
use crate::providers::entra::offers::{available_actions, OfferedAction};
use crate::providers::entra::planner::{build_plan_with, Plan, PlanInputs};
use crate::providers::entra::policy;
use crate::providers::entra::EntraDirectory;
use crate::safety::managed::{AllowedConnections, IgnoredSetting};
use crate::safety::rules::{ManagedPolicyView, SafetyRulesView};
use crate::safety::{ApprovalRecord, RateStatus, SafetyPolicy, VerificationRecord};
use crate::secrets::SecretStore;
use plan_store::{KeptPlan, PlanState, PlanStore, PlanWording};

/// A reviewed plan is only good for this long: after that the target's state may have moved
/// on, and the operator must review a fresh one.
pub const PLAN_VALIDITY: Duration = Duration::from_secs(15 * 60);
/// Longest reason or ticket text kept in the audit log.
pub const MAX_REASON_CHARS: usize = 500;
/// Longest search text accepted.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most users one search returns.
pub const SEARCH_LIMIT: usize = 50;

/// Whether refresh tokens can be kept in the OS keychain on this desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum KeychainStatus {
    Available,
    /// No usable keychain: sign-ins last for this session only (nothing is written elsewhere).
    SessionOnly {
        reason: String,
    },
}

/// A connection as the Connections screen shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub id: String,
    pub kind: ConnectionKind,
    pub display_name: String,
    pub sandbox: bool,
    pub signed_in: bool,
    /// Microsoft Entra: the operator with their roles.
    pub operator: Option<Operator>,
    /// Zoho and Privilege Secure: who is signed in.
    pub account: Option<ProviderAccount>,
    /// One line for the card (data centre, server, pinned certificate).
    pub summary: Option<String>,
    pub demo_accounts: Vec<DemoAccount>,
    pub keychain: KeychainStatus,
    /// Served through the provider seam: the page shows its one users list and user page
    /// (`directory_*` commands), whatever the kind.
    pub served_through_seam: bool,
    /// Its users are kept in the offline cache: the users list shows the cache's status.
    pub offline_cache: bool,
    /// Its sign-in — an operator's or an approver's — takes a login, a password and a second
    /// factor's code (otherwise the browser, a device code or the sandbox's demo answers it).
    pub asks_for_password: bool,
    /// A sandbox connection whose emulator can simulate a network outage (the offline demo).
    pub outage_demo: bool,
    /// A sandbox connection whose users can be reset from a second, simulated desktop (the
    /// demo of the hourly cap counted across the team).
    pub second_desktop_demo: bool,
}

/// Entra's read of a user's page: who they are, how they sign in, and which actions are
/// offered. The page gets it in the seam's terms (`Console::directory_user`).
#[derive(Debug, Clone)]
pub struct UserDetails {
    pub user: DirectoryUser,
    pub methods: Vec<AuthMethod>,
    /// Set when the methods could not be read (e.g. the operator's role may not read them).
    pub methods_error: Option<AppError>,
    pub actions: Vec<OfferedAction>,
    /// The operator's resets in the last hour against their cap, shown before they reach it
    /// (`None` if the audit log could not be read).
    pub rate: Option<RateStatus>,
}

/// What an Entra plan's run gives; the page sees it as a `RunResult` (`Console::run_plan`).
#[derive(Clone)]
pub struct ExecutionResult {
    pub plan_id: String,
    pub outcome: AuditOutcome,
    pub outcomes: Vec<Outcome>,
    /// Reset password only: the temporary password, returned this once for display. It is
    /// never stored or logged (not in the audit record, not in Debug output).
    pub temporary_password: Option<String>,
    /// Issue Temporary Access Pass only: the pass, returned this once for display, under the
    /// same rules as the temporary password.
    pub temporary_access_pass: Option<String>,
    /// The handle "Copy" passes to copy the password or pass shown (see `revealed`).
    pub copy_handle: Option<String>,
    /// The audit entry that records this run; `None` (with `audit_error`) if it could not be
    /// written after the steps had already run.
    pub audit_seq: Option<u64>,
    pub audit_error: Option<String>,
}

impl std::fmt::Debug for ExecutionResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutionResult")
            .field("plan_id", &self.plan_id)
            .field("outcome", &self.outcome)
            .field("outcomes", &self.outcomes)
            .field(
                "temporary_password",
                &self.temporary_password.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "temporary_access_pass",
                &self.temporary_access_pass.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "copy_handle",
                &self.copy_handle.as_ref().map(|_| "[handle]"),
            )
            .field("audit_seq", &self.audit_seq)
            .field("audit_error", &self.audit_error)
            .finish()
    }
}

struct Session {
    operator: Operator,
    directory: Arc<dyn Directory>,
    /// The same provider, as the source of the offline cache.
    sync: Arc<dyn DirectorySync>,
    tokens: Arc<TokenManager>,
}

impl plan_store::Confirmable for Plan {
    fn safety(&self) -> &crate::safety::PlanSafety {
        &self.safety
    }
}

/// A plan taken for running, with what the safety checks recorded for it.
struct ClaimedPlan {
    plan: Plan,
    /// Who planned it (the run refuses anyone else).
    owner: PlanOwner,
    verification: Option<VerificationRecord>,
    approval: Option<ApprovalRecord>,
}

pub struct Console {
    /// The sandbox first, then the tenants the operator added (saved by the shell).
    connections: StdRwLock<Vec<Connection>>,
    sessions: RwLock<HashMap<String, Arc<Session>>>,
    /// Microsoft Entra's reviewed plans (the seam's and Lighthouse's are in their own
    /// instances of the same store until those providers join the seam).
    plans: PlanStore<Plan>,
    /// Shared with the bulk jobs, which append their steps as they finish.
    audit: Arc<AuditLog>,
    secrets: Arc<dyn SecretStore>,
    keychain: KeychainStatus,
    /// Graph requests (timeouts set, no redirects).
    graph_http: reqwest::Client,
    /// Token requests: must not follow redirects (a refresh token must not be sent elsewhere).
    token_http: reqwest::Client,
    /// The offline user caches (see `offline_cache`).
    cache: offline_cache::Caches,
    /// Sends each appended audit entry to a syslog collector, when configured.
    forwarder: Option<AuditForwarder>,
    /// Why the syslog settings were refused, if they were.
    forwarding_refused: Option<String>,
    /// Caller verification, approval and rate limits (see `safety`).
    safety: SafetyPolicy,
    /// Why no action may run: the managed policy could not be applied (see `with_safety_refused`).
    safety_refused: Option<String>,
    /// The managed policy in force, by path, the user settings it overrode, and its locks.
    managed_policy: Option<(String, Vec<IgnoredSetting>, Vec<String>)>,
    /// The managed policy requires forwarding: resets wait while more entries than this wait
    /// for the collector (see `with_required_forwarding`).
    required_forwarding: Option<usize>,
    /// The directories the managed policy allows (all, without one).
    allowed_connections: AllowedConnections,
    /// Callers verified for a request that ran, by (connection, operator id, target id): a
    /// follow-up request in the same call reuses it for a few minutes (see `safety_checks`).
    recent_verifications: StdMutex<safety_checks::RecentVerifications>,
    /// How the Zoho provider is built (the sandbox's demo sign-in, the fresh sign-in age).
    zoho: zoho::ZohoConfig,
    /// Confirmation summaries of the seam's actions, and their by-hand steps.
    provider_plans: provider_actions::ProviderPlans,
    /// Lighthouse partner sessions, their confirmations and bulk jobs.
    lighthouse: lighthouse::LighthouseState,
    /// The bulk jobs of "Reset all MFAs" (journalled; see `bulk_jobs`).
    bulk_jobs: bulk_jobs::BulkJobs,
    /// How long a reviewed summary may be confirmed ([`PLAN_VALIDITY`] unless a test sets it).
    plan_validity: Duration,
    /// One-time secrets just set, for "Copy" by handle (see `revealed`).
    revealed: revealed::RevealedSecrets,
    /// Resets between their run-time check and their audit entry (see `safety::in_flight`).
    running_resets: crate::safety::in_flight::InFlightResets,
    /// Providers registered through the provider seam, and their sessions.
    seam: seam_sessions::SeamState,
    /// Demo operators of the sandbox connections other than Entra's (whose are in its settings).
    demo_accounts: HashMap<String, Vec<DemoAccount>>,
    /// Sandbox connections whose emulator can simulate a network outage.
    outage_demos: std::collections::HashSet<String>,
    /// Sandbox connections with the second desktop's demo (see `with_second_desktop_demo`).
    second_desktop_demos: std::collections::HashSet<String>,
    /// Held while a by-hand step is settled (see `by_hand_steps`).
    settling_by_hand: tokio::sync::Mutex<()>,
}

impl Console {
    pub fn new(
        connections: Vec<Connection>,
        secrets: Arc<dyn SecretStore>,
        keychain: KeychainStatus,
        audit_path: PathBuf,
    ) -> Result<Self> {
        let audit = Arc::new(AuditLog::open(&audit_path)?);
        let token_http = crate::http::client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| {
                AppError::internal("Could not create the HTTP client").with_detail(e.to_string())
            })?;
        Ok(Self {
            connections: StdRwLock::new(connections),
            sessions: RwLock::new(HashMap::new()),
            plans: PlanStore::new(PlanWording::ONE_USER),
            audit,
            secrets,
            keychain,
            graph_http: crate::providers::entra::http_client(),
            token_http,
            cache: Default::default(),
            forwarder: None,
            forwarding_refused: None,
            safety: SafetyPolicy::default(),
            safety_refused: None,
            managed_policy: None,
            required_forwarding: None,
            allowed_connections: AllowedConnections::default(),
            recent_verifications: StdMutex::new(HashMap::new()),
            zoho: Default::default(),
            lighthouse: Default::default(),
            bulk_jobs: Default::default(),
            provider_plans: PlanStore::new(PlanWording::ONE_USER),
            seam: Default::default(),
            running_resets: Default::default(),
            revealed: Default::default(),
            plan_validity: PLAN_VALIDITY,
            demo_accounts: HashMap::new(),
            outage_demos: Default::default(),
            second_desktop_demos: Default::default(),
            settling_by_hand: Default::default(),
        }
        .with_provider(Arc::new(
            crate::providers::privilege_secure::PrivilegeSecure,
        ))
        .with_zoho_provider())
    }

    /// How long a reviewed summary may be confirmed; [`PLAN_VALIDITY`] unless set (tests of
    /// expiry use a short one instead of waiting a quarter of an hour).
    pub fn with_plan_validity(mut self, validity: Duration) -> Self {
        self.plan_validity = validity;
        self
    }

    /// The demo operators a sandbox connection's sign-in offers.
    pub fn with_demo_accounts(mut self, connection_id: &str, accounts: Vec<DemoAccount>) -> Self {
        self.demo_accounts
            .insert(connection_id.to_string(), accounts);
        self
    }

    /// The sandbox connection's card offers the outage demo (its emulator can cut its network).
    pub fn with_outage_demo(mut self, connection_id: &str) -> Self {
        self.outage_demos.insert(connection_id.to_string());
        self
    }

    /// Marks a sandbox connection whose users a second, simulated desktop can reset (the shell
    /// serves that demo).
    pub fn with_second_desktop_demo(mut self, connection_id: &str) -> Self {
        self.second_desktop_demos.insert(connection_id.to_string());
        self
    }

    /// Applies the organisation's safety settings (the defaults are the safe ones).
    pub fn with_safety_policy(mut self, policy: SafetyPolicy) -> Self {
        self.safety = policy;
        self
    }

    /// The managed policy could not be applied (`reason`): every action that a safety rule
    /// covers is refused with it until an administrator fixes the policy — falling back to the
    /// defaults could loosen what the organisation set. Finding and reading users still work.
    pub fn with_safety_refused(mut self, reason: String) -> Self {
        self.safety_refused = Some(reason);
        self
    }

    pub fn safety_policy(&self) -> &SafetyPolicy {
        &self.safety
    }

    /// The managed policy in force (at `path`) and the user settings it overrode, for the
    /// window's list of rules (see [`Console::safety_rules`]).
    pub fn with_managed_policy(
        mut self,
        path: &str,
        ignored: Vec<IgnoredSetting>,
        locks: Vec<String>,
    ) -> Self {
        self.managed_policy = Some((path.to_string(), ignored, locks));
        self
    }

    /// The managed policy requires audit forwarding: a reset is refused while no forwarder
    /// runs, and waits (is refused with the count, to try again) while more than `max_queued`
    /// entries wait for the collector — so no more than that many changes are known to this
    /// desktop alone.
    pub fn with_required_forwarding(mut self, max_queued: usize) -> Self {
        self.required_forwarding = Some(max_queued);
        self
    }

    /// The directories operators may add and sign in to (the managed policy's
    /// `allowedConnections`): any other is refused, with why, and not resumed at start-up.
    pub fn with_allowed_connections(mut self, allowed: AllowedConnections) -> Self {
        self.allowed_connections = allowed;
        self
    }

    /// Refuses a connection the managed policy does not allow.
    pub(crate) fn connection_allowed(&self, connection: &Connection) -> Result<()> {
        self.allowed_connections.check(connection).map_err(|why| {
            AppError::denied(format!(
                "Your organisation's policy does not allow \"{}\": {why}. An administrator can add it to the managed policy's allowed connections.",
                connection.display_name
            ))
        })
    }

    /// Refuses a reset the managed policy's required forwarding cannot cover now.
    pub(crate) fn forwarding_keeps_up(&self) -> Result<()> {
        let Some(max_queued) = self.required_forwarding else {
            return Ok(());
        };
        let Some(forwarder) = &self.forwarder else {
            let why = self
                .forwarding_refused
                .as_deref()
                .unwrap_or("no collector is configured");
            return Err(AppError::denied(format!(
                "Your organisation's policy requires every action to reach its syslog collector, and forwarding is not running ({why}). Resets are stopped until an administrator fixes it."
            )));
        };
        let status = forwarder.status();
        if status.queued > max_queued {
            let waiting = match status.queued {
                1 => "1 audit entry is".to_string(),
                n => format!("{n} audit entries are"),
            };
            return Err(AppError::denied(format!(
                "{waiting} waiting for the syslog collector ({}), more than your organisation's policy allows ({max_queued}): this reset waits until they are delivered. Try again in a moment; Activity shows the queue.",
                status.destination.as_deref().unwrap_or("not connected")
            )));
        }
        Ok(())
    }

    /// The rules in force as the window lists them: each value, which the managed policy
    /// sets, and which are weaker than the defaults.
    pub fn safety_rules(&self) -> SafetyRulesView {
        let (view, ignored, locks) = match (&self.safety_refused, &self.managed_policy) {
            (Some(reason), _) => (
                ManagedPolicyView::Refused {
                    message: reason.clone(),
                },
                &[][..],
                &[][..],
            ),
            (None, Some((path, ignored, locks))) => (
                ManagedPolicyView::InForce { path: path.clone() },
                &ignored[..],
                &locks[..],
            ),
            (None, None) => (ManagedPolicyView::None, &[][..], &[][..]),
        };
        crate::safety::rules::describe(&self.safety, view, ignored, locks, self.required_forwarding)
    }

    /// The rules in force, or why no action may run.
    pub(crate) fn safety(&self) -> Result<&SafetyPolicy> {
        match &self.safety_refused {
            Some(reason) => Err(AppError::denied(reason.clone())),
            None => Ok(&self.safety),
        }
    }

    /// Forwards each entry appended from now on (see `audit_forward`); first, what the last
    /// run left undelivered
    /// (see `AuditForwarder::catch_up`).
    pub fn with_audit_forwarder(mut self, forwarder: AuditForwarder) -> Self {
        match self.audit.list(usize::MAX) {
            Ok(mut newest_first) => {
                newest_first.reverse();
                forwarder.catch_up(&newest_first);
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the audit log to catch up forwarding")
            }
        }
        self.forwarder = Some(forwarder);
        self
    }

    /// The syslog settings were refused (`reason`): the window says why nothing is forwarded.
    pub fn with_forwarding_refused(mut self, reason: String) -> Self {
        self.forwarding_refused = Some(reason);
        self
    }

    pub fn forwarding_status(&self) -> ForwardingStatus {
        match &self.forwarder {
            Some(forwarder) => forwarder.status(),
            None => ForwardingStatus {
                last_error: self.forwarding_refused.clone(),
                ..disabled_status()
            },
        }
    }

    fn connection(&self, connection_id: &str) -> Result<Connection> {
        let connections = self.connections.read().map_err(|_| poisoned())?;
        connections.iter().find(|c| c.id == connection_id).cloned().ok_or_else(|| {
            AppError::invalid_input(format!("There is no connection \"{connection_id}\". Choose one on the Connections screen."))
        })
    }

    async fn session(&self, connection_id: &str) -> Result<Arc<Session>> {
        let connection = self.connection(connection_id)?;
        signed_in_session(&self.sessions, &connection).await
    }

    pub async fn connections(&self) -> Vec<ConnectionView> {
        let connections = self
            .connections
            .read()
            .map(|c| c.clone())
            .unwrap_or_default();
        let mut views = Vec::with_capacity(connections.len());
        for c in &connections {
            let operator = match c.kind() {
                ConnectionKind::LighthousePartner => self.lighthouse_operator_of(&c.id).await,
                _ => self
                    .sessions
                    .read()
                    .await
                    .get(&c.id)
                    .map(|s| s.operator.clone()),
            };
            let through_seam = self.serves_through_seam(c);
            let account = match through_seam {
                true => self.seam_account_of(&c.id).await,
                false => None,
            };
            let (summary, demo_accounts) = match &c.settings {
                ProviderSettings::Entra(entra) => (None, entra.demo_accounts.clone()),
                ProviderSettings::Custom(custom) => {
                    (self.seam_summary_of(c), custom.demo_accounts.clone())
                }
                // A built-in kind served through the seam: its card line is the provider's.
                _ if through_seam => (
                    self.seam_summary_of(c),
                    self.demo_accounts.get(&c.id).cloned().unwrap_or_default(),
                ),
                ProviderSettings::Lighthouse(lighthouse) => (
                    Some(format!(
                        "Lighthouse · partner tenant {}",
                        lighthouse.partner_tenant_id
                    )),
                    lighthouse.demo_accounts.clone(),
                ),
                // A kind whose provider this ResetDesk does not register: no card line.
                _ => (
                    None,
                    self.demo_accounts.get(&c.id).cloned().unwrap_or_default(),
                ),
            };
            views.push(ConnectionView {
                id: c.id.clone(),
                kind: c.kind(),
                display_name: c.display_name.clone(),
                sandbox: c.sandbox,
                signed_in: operator.is_some() || account.is_some(),
                operator,
                account,
                summary,
                demo_accounts,
                keychain: self.keychain.clone(),
                served_through_seam: through_seam,
                offline_cache: match &c.settings {
                    ProviderSettings::Entra(_) => true,
                    _ => self.seam_keeps_offline_cache(c),
                },
                outage_demo: self.outage_demos.contains(&c.id),
                second_desktop_demo: self.second_desktop_demos.contains(&c.id),
                asks_for_password: through_seam && self.seam_asks_for_password(c),
            });
        }
        views
    }

    /// The connection's settings as saved (for the shell to save after a change).
    pub fn connection_settings(&self, connection_id: &str) -> Result<Connection> {
        self.connection(connection_id)
    }

    /// Interactive sign-in (authorization code + PKCE on a loopback redirect) through
    /// `browser`, then reads the operator and their roles from the provider.
    pub async fn sign_in(
        &self,
        connection_id: &str,
        browser: &dyn BrowserLauncher,
    ) -> Result<Operator> {
        let connection = self.connection(connection_id)?;
        self.connection_allowed(&connection)?;
        let tokens = auth::sign_in(connection.entra()?, browser, &self.token_http).await?;
        let manager = TokenManager::from_sign_in(
            connection.id.clone(),
            connection.entra()?.clone(),
            Arc::clone(&self.secrets),
            self.token_http.clone(),
            tokens,
        )
        .await?;
        self.start_session(&connection, Arc::new(manager)).await
    }

    /// At start-up: resumes every connection whose refresh token is in the keychain, without
    /// a browser. A connection that cannot be resumed simply stays signed out.
    pub async fn resume_sessions(&self) {
        let connections = self
            .connections
            .read()
            .map(|c| c.clone())
            .unwrap_or_default();
        for connection in &connections {
            if let Err(refused) = self.connection_allowed(connection) {
                tracing::warn!(connection = %connection.id, reason = %refused.message, "not resumed");
                continue;
            }
            let entra = match &connection.settings {
                ProviderSettings::Entra(entra) => entra.clone(),
                // A provider of the seam resumes what it keeps (Zoho's refresh token; Privilege
                // Secure's session tokens live in memory only: sign in again).
                ProviderSettings::Zoho(_)
                | ProviderSettings::PrivilegeSecure(_)
                | ProviderSettings::Custom(_) => {
                    if let Err(e) = self.resume_seam_session(connection).await {
                        tracing::info!(connection = %connection.id, kind = ?e.kind, "could not resume the session");
                    }
                    continue;
                }
                ProviderSettings::Lighthouse(_) => {
                    if let Err(e) = self.resume_lighthouse_session(connection).await {
                        tracing::info!(connection = %connection.id, kind = ?e.kind, "could not resume the Lighthouse session");
                    }
                    continue;
                }
            };
            let resumed = TokenManager::resume(
                connection.id.clone(),
                entra,
                Arc::clone(&self.secrets),
                self.token_http.clone(),
            )
            .await;
            match resumed {
                Ok(Some(manager)) => {
                    if let Err(e) = self.start_session(connection, Arc::new(manager)).await {
                        tracing::info!(connection = %connection.id, kind = ?e.kind, "could not resume the session");
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::info!(connection = %connection.id, kind = ?e.kind, "could not resume the session")
                }
            }
        }
    }

    async fn start_session(
        &self,
        connection: &Connection,
        tokens: Arc<TokenManager>,
    ) -> Result<Operator> {
        let token_source: Arc<dyn AccessTokenSource> = tokens.clone();
        let mut entra = EntraDirectory::new(
            connection.id.clone(),
            connection.entra()?,
            token_source,
            self.graph_http.clone(),
        );
        if let Some(policy) = &self.cache.retry_policy {
            entra = entra.with_retry_policy(policy.clone());
        }
        let entra = Arc::new(entra);
        let directory: Arc<dyn Directory> = entra.clone();
        let operator = directory.me().await?;
        let session = Arc::new(Session {
            operator: operator.clone(),
            directory,
            sync: entra,
            tokens,
        });
        self.sessions
            .write()
            .await
            .insert(connection.id.clone(), Arc::clone(&session));
        self.sync_after_sign_in(&connection.id, session.clone());
        tracing::info!(connection = %connection.id, operator = %operator.user_principal_name, "signed in");
        Ok(operator)
    }

    /// Adds the connection the operator typed, whichever its provider, once its form is
    /// checked; answers its id (the shell saves the list). A Zoho organisation's client secret
    /// goes to the keychain, bound to its data centre.
    pub async fn add_new_connection(
        &self,
        new: crate::connection::NewConnection,
    ) -> Result<String> {
        use crate::connection::NewConnection;
        let connection = match new {
            NewConnection::Zoho(zoho) => return self.add_zoho_connection(zoho).await,
            NewConnection::Entra(entra) => entra.into_connection()?,
            NewConnection::Lighthouse(partner) => partner.into_connection()?,
            NewConnection::PrivilegeSecure(server) => server.into_connection()?,
        };
        let id = connection.id.clone();
        self.add_connection(connection)?;
        Ok(id)
    }

    /// Adds a tenant the operator configured. Its id must be new; the shell saves the list.
    pub fn add_connection(&self, connection: Connection) -> Result<()> {
        self.connection_allowed(&connection)?;
        let mut connections = self.connections.write().map_err(|_| poisoned())?;
        if connections.iter().any(|c| c.id == connection.id) {
            return Err(AppError::invalid_input(format!(
                "A connection \"{}\" already exists.",
                connection.id
            )));
        }
        connections.push(connection);
        Ok(())
    }

    /// Replaces a connection's settings (its provider moved it, e.g. a Zoho account found in
    /// another data centre); the shell saves the list.
    pub(crate) fn update_connection_settings(
        &self,
        connection_id: &str,
        settings: crate::connection::ProviderSettings,
    ) -> Result<()> {
        let mut connections = self.connections.write().map_err(|_| poisoned())?;
        let connection = connections
            .iter_mut()
            .find(|c| c.id == connection_id)
            .ok_or_else(|| {
                AppError::invalid_input(format!("No connection \"{connection_id}\"."))
            })?;
        // Moved (a Zoho account in another data centre): only where the policy allows.
        let moved = Connection {
            settings: settings.clone(),
            ..connection.clone()
        };
        self.connection_allowed(&moved)?;
        connection.settings = settings;
        Ok(())
    }

    /// Removes a configured tenant: signs out, deletes its refresh token from the keychain and
    /// its offline cache (file and key).
    /// The built-in sandbox cannot be removed.
    pub async fn remove_connection(&self, connection_id: &str) -> Result<()> {
        if self.connection(connection_id)?.sandbox {
            return Err(AppError::invalid_input(
                "The built-in sandbox cannot be removed.",
            ));
        }
        self.sign_out(connection_id).await?;
        self.remove_cache(connection_id).await?;
        crate::secrets::forget_secret(
            &self.secrets,
            connection_id,
            crate::auth::REFRESH_TOKEN_SECRET,
        )
        .await?;
        // A Zoho connection also keeps its app's client secret.
        crate::secrets::forget_secret(
            &self.secrets,
            connection_id,
            crate::providers::zoho::auth::CLIENT_SECRET_SECRET,
        )
        .await?;
        self.connections
            .write()
            .map_err(|_| poisoned())?
            .retain(|c| c.id != connection_id);
        Ok(())
    }

    /// The connections the operator added (what the shell saves; never the sandbox).
    pub fn saved_connections(&self) -> Vec<Connection> {
        let connections = self
            .connections
            .read()
            .map(|c| c.clone())
            .unwrap_or_default();
        connections.into_iter().filter(|c| !c.sandbox).collect()
    }

    pub async fn sign_out(&self, connection_id: &str) -> Result<()> {
        self.connection(connection_id)?;
        self.stop_cache_tasks(connection_id);
        self.seam_sign_out(connection_id).await;
        self.lighthouse_sign_out(connection_id).await;
        let session = self.sessions.write().await.remove(connection_id);
        if let Some(session) = session {
            session.tokens.sign_out().await?;
        }
        // Whatever the provider, and whether or not a session was in memory (one that was
        // never resumed still left its refresh token): the connection's sign-in goes from the
        // keychain too, so the next start does not sign it back in.
        self.secrets
            .delete(connection_id, crate::auth::REFRESH_TOKEN_SECRET)?;
        Ok(())
    }

    pub async fn search_users(
        &self,
        connection_id: &str,
        query: &str,
    ) -> Result<Vec<DirectoryUser>> {
        let query = query.trim();
        check_query_length(query, "name, UPN or mail")?;
        let session = self.session(connection_id).await?;
        let found = session.directory.search_users(query, SEARCH_LIMIT).await;
        if let Err(error) = &found {
            self.note_live_failure(connection_id, session.clone(), error);
        }
        found
    }

    /// The user's page, read live: profile with roles, methods, and the actions offered to
    /// this operator (each with the reason when it is not).
    pub async fn user_details(&self, connection_id: &str, user_id: &str) -> Result<UserDetails> {
        let user_id = require_id(user_id)?;
        let session = self.session(connection_id).await?;
        let (user, methods, rate) = tokio::join!(
            session.directory.get_user(user_id),
            session.directory.list_methods(user_id),
            self.team_rate_status(
                session.directory.as_ref(),
                &session.operator.user_principal_name
            )
        );
        let user =
            user.inspect_err(|e| self.note_live_failure(connection_id, session.clone(), e))?;
        let (methods, methods_error) = match methods {
            Ok(methods) => (methods, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let actions = available_actions(&session.operator, &user);
        let rate = rate
            .inspect_err(|e| tracing::warn!(error = %e, "could not count the operator's resets"))
            .ok();
        Ok(UserDetails {
            user,
            methods,
            methods_error,
            actions,
            rate,
        })
    }

    /// Builds the plan the confirmation dialog shows, from the target's live state. A refused
    /// action is written to the audit log and returned as `Denied` with the reason.
    pub async fn plan_action(
        &self,
        connection_id: &str,
        user_id: &str,
        action: ActionKind,
    ) -> Result<Plan> {
        self.plan_action_with(connection_id, user_id, action, &ActionOptions::default())
            .await
    }

    /// [`Console::plan_action`] with the operator's choices from the confirmation ("also
    /// revoke sessions", a pass's lifetime and one-time use). A Temporary Access Pass is
    /// checked against the tenant's policy, read live here, before the plan exists.
    pub async fn plan_action_with(
        &self,
        connection_id: &str,
        user_id: &str,
        action: ActionKind,
        options: &ActionOptions,
    ) -> Result<Plan> {
        // No action while the managed policy cannot be applied (see `with_safety_refused`).
        self.safety()?;
        let user_id = require_id(user_id)?;
        let session = self.session(connection_id).await?;
        // The operator's roles may have changed since sign-in (PIM, removal): read them again.
        // Never from the offline cache: a plan is built from live state only.
        let operator = session
            .directory
            .me()
            .await
            .inspect_err(|e| self.note_live_failure(connection_id, session.clone(), e))?;
        let target = session.directory.get_user(user_id).await?;
        // Decide before reading the methods: a role that may not act (e.g. Helpdesk for MFA)
        // often may not read them either, and must get the refusal's reason, audited, rather
        // than the provider's 403 on the listing.
        if let policy::Decision::Denied { reason } = policy::decide(action, &operator, &target) {
            return Err(self.refuse(&operator, &target, action, AppError::denied(reason)));
        }
        let methods = match action {
            ActionKind::RequireReregisterMfa => session.directory.list_methods(user_id).await?,
            ActionKind::ResetPassword
            | ActionKind::RevokeSessions
            | ActionKind::IssueTemporaryAccessPass => Vec::new(),
        };
        let tap_policy = match action {
            ActionKind::IssueTemporaryAccessPass => {
                Some(session.directory.tap_policy().await.map_err(|e| {
                    let message = format!(
                        "The tenant's Temporary Access Pass policy could not be read: {}",
                        e.message
                    );
                    AppError { message, ..e }
                })?)
            }
            _ => None,
        };
        let inputs = PlanInputs {
            options: Some(options),
            tap_policy: tap_policy.as_ref(),
        };
        match build_plan_with(action, connection_id, &operator, &target, &methods, inputs) {
            Ok(mut plan) => {
                plan.safety = self
                    .plan_safety(
                        session.directory.as_ref(),
                        &operator,
                        &target,
                        action,
                        &methods,
                    )
                    .await?;
                if let Some(rate) = plan.safety.rate.as_ref().filter(|r| r.reached()) {
                    return Err(self.refuse(
                        &operator,
                        &target,
                        action,
                        AppError::denied(rate.refusal()),
                    ));
                }
                let owner = PlanOwner::of(&operator);
                let same_call = safety_checks::SameCaller {
                    connection_id: &plan.connection_id,
                    operator_id: &operator.id,
                    target_id: &plan.target.id,
                };
                let confirmation = self.new_confirmation(&same_call, &mut plan.safety);
                let mut record = KeptPlan::new(plan.clone(), owner, ());
                record.confirmation = confirmation;
                self.plans
                    .keep(&plan.id, record, self.plan_validity, |_| false)?;
                Ok(plan)
            }
            Err(error) if error.kind == ErrorKind::Denied => {
                Err(self.refuse(&operator, &target, action, error))
            }
            Err(error) => Err(error),
        }
    }

    /// An Entra action planned from its offer's id and its option form's choices (the page's
    /// one plan command), told in the seam's terms. The plan stays in Entra's store under the
    /// same id, where `run_plan`, the caller's verification and the approval find it.
    pub(crate) async fn plan_entra_offer(
        &self,
        connection_id: &str,
        user_id: &str,
        action: &str,
        options: Option<serde_json::Value>,
    ) -> Result<ProviderPlan> {
        let action: ActionKind = crate::seam::action_of_id(action).ok_or_else(|| {
            AppError::invalid_input(format!(
                "\"{action}\" is not an action of this directory; pick one on the user's page."
            ))
        })?;
        let options: ActionOptions = match options {
            None => ActionOptions::default(),
            Some(options) => serde_json::from_value(options).map_err(|e| {
                AppError::invalid_input(format!(
                    "The choices sent with \"{}\" could not be read ({e}); open the action again \
                     from the user's page.",
                    action.label()
                ))
            })?,
        };
        let plan = self
            .plan_action_with(connection_id, user_id, action, &options)
            .await?;
        Ok(crate::providers::entra::summary::provider_plan(&plan))
    }

    /// Runs a reviewed plan once. Authorization is checked again before each step, against the
    /// operator and target as they are now. Every attempt lands in the audit log.
    pub async fn execute_plan(&self, plan_id: &str, reason: &str) -> Result<ExecutionResult> {
        // No action while the managed policy cannot be applied (see `with_safety_refused`).
        self.safety()?;
        let reason = validate_reason(reason)?;
        // Nothing changes that could not be recorded: a broken audit log pauses every action.
        self.audit.ensure_writable()?;
        if self.plan_is_reset(plan_id)? {
            self.forwarding_keeps_up()?;
        }
        let claimed = self.claim_plan(plan_id)?;
        let plan = &claimed.plan;
        let result = self.run_claimed_plan(&claimed, &reason).await;
        // Whatever happened, the plan has been used: running it again must change nothing more.
        // (An error means it stopped before any step: the executor reports step failures as
        // outcomes, never as an error.)
        let ended = if result.is_ok() {
            PlanState::Ran
        } else {
            PlanState::Stopped
        };
        self.plans.finish(&plan.id, ended);
        if let Err(error) = &result {
            // Stopped before any step ran (signed out, operator changed, target gone…): still an
            // attempted action, so it is audited with the reason it stopped — under whoever is
            // signed in now (a plan run under another sign-in is exactly what must show), or
            // the planner when nobody is.
            let attempted_by = self
                .sessions
                .read()
                .await
                .get(&plan.connection_id)
                .map(|session| session.operator.user_principal_name.clone())
                .unwrap_or_else(|| plan.operator_upn.clone());
            self.audit_stopped_plan(&claimed, &attempted_by, &reason, error);
        }
        result
    }

    fn audit_stopped_plan(
        &self,
        claimed: &ClaimedPlan,
        attempted_by: &str,
        reason: &str,
        error: &AppError,
    ) {
        let plan = &claimed.plan;
        let outcome = match error.kind {
            ErrorKind::Denied | ErrorKind::Forbidden => AuditOutcome::Refused,
            _ => AuditOutcome::Failed,
        };
        let record = AuditRecord {
            verification: claimed.verification.clone(),
            approval: claimed.approval.clone(),
            ..plan_audit_record(
                plan,
                attempted_by,
                reason,
                outcome,
                Vec::new(),
                Some(error.message.clone()),
            )
        };
        if let Err(e) = self.append_audit(record) {
            tracing::error!(error = %e, plan = %plan.id, "could not audit a plan that stopped early");
        }
    }

    /// Whether `plan_id` is a reset (an unknown plan is not: claiming it says so).
    fn plan_is_reset(&self, plan_id: &str) -> Result<bool> {
        Ok(self
            .plans
            .with_if_kept(plan_id, |record| {
                crate::safety::is_reset(record.plan.action)
            })?
            .unwrap_or(false))
    }

    /// Marks a ready plan as running, so a second (or forged, concurrent) call cannot run it too.
    /// A plan whose caller is not verified, or that still needs its approval, is not taken
    /// (and stays ready for the operator to finish the confirmation).
    fn claim_plan(&self, plan_id: &str) -> Result<ClaimedPlan> {
        self.plans.claim(plan_id, self.plan_validity, |record| {
            record.ensure_confirmed()?;
            Ok(ClaimedPlan {
                plan: record.plan.clone(),
                owner: record.owner.clone(),
                verification: record.confirmation.verification.clone(),
                approval: record.confirmation.approval.clone(),
            })
        })
    }

    async fn run_claimed_plan(
        &self,
        claimed: &ClaimedPlan,
        reason: &str,
    ) -> Result<ExecutionResult> {
        let plan = &claimed.plan;
        let session = self.session(&plan.connection_id).await?;
        let planned_by = &claimed.owner.operator_id;
        // Re-read who acts and on whom: the second authorization check uses live state.
        let operator = session.directory.me().await?;
        if &operator.id != planned_by {
            return Err(AppError::denied(
                "This summary was prepared for another operator. Start the action again under your own sign-in.",
            ));
        }
        let target = session.directory.get_user(&plan.target.id).await?;
        // Other plans may have run since this one was reviewed, or be running now: the cap
        // and the approval rules hold at run time, and the slot keeps this reset counted
        // until its audit entry is written.
        let _reset_slot = if crate::safety::is_reset(plan.action) {
            let mfa_reset = plan.action == ActionKind::RequireReregisterMfa;
            // Read before the slot is taken (the reservation holds a lock, not a request).
            // (`reserve_reset` reads the local log again under its lock: this read is only
            // to leave out the tenant's events of this desktop's own resets.)
            let local = self.recent_audit_entries()?;
            let (others, _note) = self
                .resets_elsewhere(session.directory.as_ref(), &local)
                .await?;
            Some(self.reserve_reset(
                &operator.user_principal_name,
                &target.id,
                mfa_reset,
                &others,
                |previous_mfa_reset| {
                    // The user may have become privileged, or had their MFA reset, since.
                    let now_needs = crate::safety::approval::requirement(
                        self.safety()?,
                        plan.action,
                        &target,
                        previous_mfa_reset,
                    );
                    if now_needs.required && claimed.approval.is_none() {
                        return Err(AppError::denied(format!(
                            "{} Start the action again: a second person must approve it now.",
                            now_needs.reasons.join(" ")
                        )));
                    }
                    Ok(())
                },
            )?)
        } else {
            None
        };
        let temporary_password = match plan.action {
            ActionKind::ResetPassword => Some(generate_temporary_password()),
            _ => None,
        };
        let recheck = |step: &crate::providers::entra::planner::Step| {
            policy::authorize_step(plan.action, &operator, &target, &step.kind)
        };
        let execute::Execution {
            outcomes,
            temporary_access_pass,
        } = execute::run_plan(
            plan,
            session.directory.as_ref(),
            recheck,
            temporary_password.as_ref(),
        )
        .await;
        let outcome = overall_outcome(&outcomes);
        let same_call = safety_checks::SameCaller {
            connection_id: &plan.connection_id,
            operator_id: &operator.id,
            target_id: &plan.target.id,
        };
        self.remember_verification(&same_call, claimed.verification.as_ref());
        let audited = self.append_audit(AuditRecord {
            verification: claimed.verification.clone(),
            approval: claimed.approval.clone(),
            ..plan_audit_record(
                plan,
                &operator.user_principal_name,
                reason,
                outcome,
                outcomes.clone(),
                None,
            )
        });
        // The steps have run: if the entry could not be written, the operator must still see
        // what changed (and a password that was set), and be told the record is missing.
        let (audit_seq, audit_error) = match audited {
            Ok(entry) => (Some(entry.seq), None),
            Err(e) => {
                tracing::error!(error = %e, plan = %plan.id, "could not write the audit entry of a plan that ran");
                (
                    None,
                    Some(format!(
                        "The audit log could not record this action: {}",
                        e.message
                    )),
                )
            }
        };
        // The password is shown only if the reset itself (always the first step) went through.
        let temporary_password = temporary_password.filter(|_| {
            outcomes
                .iter()
                .any(|o| o.step_index == 0 && o.status == StepStatus::Succeeded)
        });
        let copy_handle = temporary_password
            .as_ref()
            .or(temporary_access_pass.as_ref())
            .and_then(|secret| self.reveal(secret));
        let temporary_password = temporary_password.map(|p| p.expose_secret().to_string());
        let temporary_access_pass = temporary_access_pass.map(|p| p.expose_secret().to_string());
        Ok(ExecutionResult {
            plan_id: plan.id.clone(),
            outcome,
            outcomes,
            temporary_password,
            temporary_access_pass,
            copy_handle,
            audit_seq,
            audit_error,
        })
    }

    /// Audits a refusal and returns it. The operator always learns why they were refused; if
    /// the audit log could not record it, the refusal says that too.
    fn refuse(
        &self,
        operator: &Operator,
        target: &DirectoryUser,
        action: ActionKind,
        denied: AppError,
    ) -> AppError {
        match self.audit_refusal(operator, target, action, &denied.message) {
            Ok(()) => denied,
            Err(e) => {
                tracing::error!(error = %e, "could not audit a refusal");
                denied.with_detail(format!(
                    "The audit log could not record this refusal: {}",
                    e.message
                ))
            }
        }
    }

    fn audit_refusal(
        &self,
        operator: &Operator,
        target: &DirectoryUser,
        action: ActionKind,
        why: &str,
    ) -> Result<()> {
        let parties = AuditParties {
            operator: &operator.user_principal_name,
            connection_id: &operator.connection_id,
            tenant_id: &operator.tenant_id,
            target_id: &target.id,
            target: &target.user_principal_name,
        };
        self.append_audit(AuditRecord::refused(parties, action.label(), why))
            .map(|_| ())
    }

    fn append_audit(&self, record: AuditRecord) -> Result<AuditEntry> {
        let entry = self.audit.append(record)?;
        // Only queues it: the local log never waits on the collector.
        if let Some(forwarder) = &self.forwarder {
            forwarder.forward(&entry);
        }
        Ok(entry)
    }

    pub fn list_audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        self.audit.list(limit.clamp(1, 10_000))
    }

    /// The newest `limit` entries that match `filter` (the Activity screen's filters).
    pub fn query_audit(&self, filter: &AuditFilter, limit: usize) -> Result<Vec<AuditEntry>> {
        self.audit.query(filter, limit.clamp(1, 10_000))
    }

    /// Writes every entry that matches `filter`, oldest first, to `writer` in `format`;
    /// returns how many were written. No limit: an export is for the security team's records.
    pub fn export_audit(
        &self,
        format: ExportFormat,
        filter: &AuditFilter,
        writer: impl std::io::Write,
    ) -> Result<usize> {
        let entries = self.audit.export_entries(filter)?;
        format.write(&entries, writer)
    }

    pub fn verify_audit(&self) -> AuditVerification {
        self.audit.verify()
    }
}

/// The audit record of one attempt to run `plan`, by `operator_upn`.
fn plan_audit_record(
    plan: &Plan,
    operator_upn: &str,
    reason: &str,
    outcome: AuditOutcome,
    steps: Vec<Outcome>,
    message: Option<String>,
) -> AuditRecord {
    AuditRecord {
        operator: operator_upn.to_string(),
        connection_id: plan.connection_id.clone(),
        tenant_id: plan.tenant_id.clone(),
        target_id: plan.target.id.clone(),
        target: plan.target.user_principal_name.clone(),
        action: plan.action.label().to_string(),
        plan_id: Some(plan.id.clone()),
        plan: plan.steps.iter().map(|s| s.summary.clone()).collect(),
        reason: reason.to_string(),
        outcome,
        steps,
        message,
        verification: None,
        approval: None,
        safety_class: Some(plan.action.safety_class()),
    }
}

/// The signed-in session of `connection` among `sessions` (one map per provider), or
/// "not signed in" naming the connection.
async fn signed_in_session<T: ?Sized>(
    sessions: &RwLock<HashMap<String, Arc<T>>>,
    connection: &Connection,
) -> Result<Arc<T>> {
    sessions
        .read()
        .await
        .get(&connection.id)
        .cloned()
        .ok_or_else(|| {
            AppError::not_signed_in(format!(
                "You are not signed in to {}. Sign in on the Connections screen.",
                connection.display_name
            ))
        })
}

fn poisoned() -> AppError {
    AppError::internal("An earlier failure left ResetDesk in a bad state; restart it.")
}

fn lock<T>(mutex: &StdMutex<T>) -> Result<std::sync::MutexGuard<'_, T>> {
    mutex.lock().map_err(|_| poisoned())
}

/// The one check of a search text every screen makes: at most [`MAX_QUERY_CHARS`] characters.
/// `searches_by` says what the screen searches by, e.g. "name, UPN or mail".
fn check_query_length(query: &str, searches_by: &str) -> Result<()> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid_input(format!(
            "The search text is longer than {MAX_QUERY_CHARS} characters. Search by {searches_by}."
        )));
    }
    Ok(())
}

fn require_id(user_id: &str) -> Result<&str> {
    let id = user_id.trim();
    if id.is_empty() || id.len() > 256 || id.contains(['/', '?', '#']) {
        return Err(AppError::invalid_input(
            "No valid user was given. Choose the user from the Users list.",
        ));
    }
    Ok(id)
}

fn validate_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid_input(
            "Enter a reason or ticket number before confirming.",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid_input(format!(
            "The reason is longer than {MAX_REASON_CHARS} characters. Enter a ticket number or a short reason."
        )));
    }
    Ok(reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::SandboxBrowser;
    use crate::secrets::MemoryStore;
    use resetdesk_sandbox::{Sandbox, SandboxConfig};

    async fn sign_in_as(console: &Console, upn: &str) {
        let browser = SandboxBrowser::new(upn).unwrap();
        console.sign_in("sandbox", &browser).await.unwrap();
    }

    #[tokio::test]
    async fn a_plan_run_under_another_sign_in_is_refused_and_audited_under_that_operator() {
        let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let data = tempfile::tempdir().unwrap();
        let connection = Connection {
            id: "sandbox".into(),
            display_name: "Sandbox".into(),
            settings: ProviderSettings::Entra(sandbox.entra_settings()),
            sandbox: true,
        };
        let console = Console::new(
            vec![connection],
            Arc::new(MemoryStore::new()),
            KeychainStatus::Available,
            data.path().join("audit.jsonl"),
        )
        .unwrap();
        let adele = sandbox
            .user_id_by_upn("adele.vance@contoso.sandbox")
            .unwrap();

        sign_in_as(&console, "privauthadmin@contoso.sandbox").await;
        let plan = console
            .plan_action("sandbox", &adele, ActionKind::RevokeSessions)
            .await
            .unwrap();
        sign_in_as(&console, "authadmin@contoso.sandbox").await;
        let error = console.execute_plan(&plan.id, "INC-1").await.unwrap_err();

        assert_eq!(error.kind, ErrorKind::Denied, "{error:?}");
        assert_eq!(sandbox.sessions_revoked_count(&adele), 0);
        let entry = console.list_audit(1).unwrap().remove(0);
        assert_eq!(entry.record.plan_id.as_deref(), Some(plan.id.as_str()));
        assert_eq!(entry.record.outcome, AuditOutcome::Refused);
        assert_eq!(entry.record.operator, "authadmin@contoso.sandbox");
    }
}
