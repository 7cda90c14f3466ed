//! The use cases behind the page's commands, in one place and without Tauri: sign in, find a
//! user, read their methods, plan an action, run it, read the audit log. The shell's commands
//! only parse input and call these methods, so everything here is tested without a window.
//!
//! Authorization is decided in Rust, twice: when a plan is built from the target's live state
//! (the provider's policy, e.g. `resetdesk_providers::entra::policy`), and again when it runs,
//! from live state (Entra's executor re-reads the operator and the target before each step).
//! The page refers to plans only by id; their steps never leave Rust.
//!
//! The Console serves the providers registered with it ([`Console::with_provider`]) and names
//! none: what every provider shares is here, what differs is behind the seam
//! ([`crate::seam`]). A provider's own typed use cases are its crate's extension traits over
//! the public steps below (`connection`, `seam_session`, `keep_session`, ...).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex as StdMutex, RwLock as StdRwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};

mod bulk_jobs;
mod bulk_plans;
mod by_hand_steps;
mod confirmation;
mod offline_cache;
mod plan_store;
mod provider_actions;
mod revealed;
mod run;
mod safety_checks;
mod seam_approval;
mod seam_sessions;
mod tenant_lists;

pub use self::bulk_jobs::{
    BulkJobState, BulkJobView, BulkMethodResult, BulkStepState, BulkUserResult, BulkUserState,
};
pub use self::bulk_plans::BulkPlan;
pub use self::by_hand_steps::{ByHandSettled, ByHandSettlement, PendingByHandStep};
pub use self::offline_cache::{CacheStatus, CachedSearch, OFFLINE_PROBE_INTERVAL};
pub use self::provider_actions::{
    ByHandPage, FreshSignIn, PasswordInput, PlanChoices, PlanOwner, PlanTarget, ProviderAccount,
    ProviderAction, ProviderOffer, ProviderPlan, ProviderStep, RefusedFor, RunResult, SecretKind,
    StepPerformed, StepReport, StepState, StepsRun, TenantUser,
};
pub use self::run::RunOutcome;

use crate::audit::{
    AuditEntry, AuditFilter, AuditLog, AuditRecord, AuditVerification, ExportFormat,
};
use crate::audit_forward::{disabled_status, AuditForwarder, ForwardingStatus};
use crate::error::{AppError, Result};
use crate::model::action::ActionName;
use crate::model::connection::{Connection, ConnectionKind, DemoAccount};
use crate::model::Operator;
use crate::safety::managed::{AllowedConnections, IgnoredSetting};
use crate::safety::rules::{ManagedPolicyView, SafetyRulesView};
use crate::safety::SafetyPolicy;
use crate::seam::Provider;
use crate::secrets::SecretStore;
use plan_store::{PlanStore, PlanWording};

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
    /// What the connection is, as the card says it before its status ("Zoho Directory",
    /// "Built-in sandbox (Zoho Directory emulator)"), in its provider's words.
    pub kind_line: String,
    pub signed_in: bool,
    /// A Microsoft sign-in (an Entra tenant's, a Lighthouse partner's): the operator with
    /// each of their roles (`Session::operator`).
    pub operator: Option<Operator>,
    /// Who is signed in, whatever the provider; `None` when nobody is.
    pub account: Option<ProviderAccount>,
    /// One line for the card (data centre, server, pinned certificate).
    pub summary: Option<String>,
    pub demo_accounts: Vec<DemoAccount>,
    pub keychain: KeychainStatus,
    /// Served through the provider seam (every connection whose provider this ResetDesk has):
    /// the page shows its one users list and user page (`directory_*` commands).
    pub served_through_seam: bool,
    /// Its provider leaves some steps to finish by hand: its users' pages list those waiting.
    pub steps_by_hand: bool,
    /// Its users are kept in the offline cache: the users list shows the cache's status.
    pub offline_cache: bool,
    /// Its users live in several tenants (a Lighthouse partner's customers): the page lists
    /// them with a tenant selector (`directory_tenants`, `directory_tenant_users`), and a plan
    /// on many of them runs as a bulk job.
    pub lists_tenants: bool,
    /// Its sign-in — an operator's or an approver's — takes a login, a password and a second
    /// factor's code (otherwise the browser, a device code or the sandbox's demo answers it).
    pub asks_for_password: bool,
    /// A sandbox connection whose emulator can simulate a network outage (the offline demo).
    pub outage_demo: bool,
    /// Its provider's actions, by id and label (the Activity screen's filter by action, and
    /// the label of an entry that names its action by id).
    pub actions: Vec<ActionName>,
    /// A sandbox connection whose users can be reset from a second, simulated desktop (the
    /// demo of the hourly cap counted across the team).
    pub second_desktop_demo: bool,
}

pub struct Console {
    /// The sandbox first, then the tenants the operator added (saved by the shell).
    connections: StdRwLock<Vec<Connection>>,
    /// Shared with the bulk jobs, which append their steps as they finish.
    audit: Arc<AuditLog>,
    secrets: Arc<dyn SecretStore>,
    keychain: KeychainStatus,
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
    /// Confirmation summaries of the seam's actions, and their by-hand steps.
    provider_plans: provider_actions::ProviderPlans,
    /// Confirmation summaries of actions on many users, kept for their jobs.
    bulk_plans: bulk_plans::BulkPlans,
    /// The bulk jobs (journalled; see `bulk_jobs`).
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
    /// A Console over `connections`, serving no provider until one is registered
    /// ([`Console::with_provider`]; the app registers its built-in ones through the
    /// providers crate).
    pub fn new(
        connections: Vec<Connection>,
        secrets: Arc<dyn SecretStore>,
        keychain: KeychainStatus,
        audit_path: PathBuf,
    ) -> Result<Self> {
        let audit = Arc::new(AuditLog::open(&audit_path)?);
        Ok(Self {
            connections: StdRwLock::new(connections),
            audit,
            secrets,
            keychain,
            cache: Default::default(),
            forwarder: None,
            forwarding_refused: None,
            safety: SafetyPolicy::default(),
            safety_refused: None,
            managed_policy: None,
            required_forwarding: None,
            allowed_connections: AllowedConnections::default(),
            recent_verifications: StdMutex::new(HashMap::new()),
            bulk_jobs: Default::default(),
            provider_plans: PlanStore::new(PlanWording::ONE_USER),
            bulk_plans: PlanStore::new(PlanWording::BULK_JOB),
            seam: Default::default(),
            running_resets: Default::default(),
            revealed: Default::default(),
            plan_validity: PLAN_VALIDITY,
            demo_accounts: HashMap::new(),
            outage_demos: Default::default(),
            second_desktop_demos: Default::default(),
            settling_by_hand: Default::default(),
        })
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

    /// Where the providers keep their secrets (refresh tokens, client secrets).
    pub fn secrets(&self) -> Arc<dyn SecretStore> {
        Arc::clone(&self.secrets)
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
    pub fn connection_allowed(&self, connection: &Connection) -> Result<()> {
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

    /// The connection `connection_id`, as saved; an error that says so when there is none.
    pub fn connection(&self, connection_id: &str) -> Result<Connection> {
        let connections = self.connections.read().map_err(|_| poisoned())?;
        connections.iter().find(|c| c.id == connection_id).cloned().ok_or_else(|| {
            AppError::invalid_input(format!("There is no connection \"{connection_id}\". Choose one on the Connections screen."))
        })
    }

    pub async fn connections(&self) -> Vec<ConnectionView> {
        let connections = self
            .connections
            .read()
            .map(|c| c.clone())
            .unwrap_or_default();
        let mut views = Vec::with_capacity(connections.len());
        for c in &connections {
            let session = self.signed_in_session_of(&c.id).await;
            let account = session.as_ref().map(|s| s.account());
            let operator = session.as_ref().and_then(|s| s.operator());
            // None for a kind whose provider this ResetDesk lacks; asked once for every field.
            let provider = self.provider_of(c).ok();
            let provider_says =
                |says: fn(&dyn Provider) -> bool| provider.as_deref().is_some_and(says);
            let demo_accounts = match c.demo_accounts_in_settings() {
                Some(accounts) => accounts.to_vec(),
                None => self.demo_accounts.get(&c.id).cloned().unwrap_or_default(),
            };
            views.push(ConnectionView {
                id: c.id.clone(),
                kind: c.kind(),
                display_name: c.display_name.clone(),
                sandbox: c.sandbox,
                kind_line: seam_sessions::kind_line(c, provider.as_deref()),
                signed_in: account.is_some(),
                operator,
                account,
                summary: provider.as_ref().and_then(|p| p.summary(c)),
                demo_accounts,
                keychain: self.keychain.clone(),
                served_through_seam: provider.is_some(),
                steps_by_hand: provider_says(|p| p.leaves_steps_by_hand()),
                offline_cache: provider_says(|p| p.keeps_offline_cache()),
                lists_tenants: provider_says(|p| p.lists_tenants()),
                outage_demo: self.outage_demos.contains(&c.id),
                actions: provider
                    .as_ref()
                    .map(|p| p.actions().into_iter().map(|a| a.name).collect())
                    .unwrap_or_default(),
                second_desktop_demo: self.second_desktop_demos.contains(&c.id),
                asks_for_password: provider_says(|p| p.asks_for_password()),
            });
        }
        views
    }

    /// The connection's settings as saved (for the shell to save after a change).
    pub fn connection_settings(&self, connection_id: &str) -> Result<Connection> {
        self.connection(connection_id)
    }

    /// At start-up: resumes every connection whose sign-in its provider kept (a refresh token
    /// in the keychain), without a browser. A connection that cannot be resumed simply stays
    /// signed out.
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
            // Each provider resumes what it keeps (Entra's, Lighthouse's and Zoho's refresh
            // tokens; Privilege Secure's session tokens live in memory only: sign in again).
            if let Err(e) = self.resume_seam_session(connection).await {
                tracing::info!(connection = %connection.id, kind = ?e.kind, "could not resume the session");
            }
        }
    }

    /// Adds the connection the operator typed, whichever its provider, once its form is
    /// checked; answers its id (the shell saves the list). A secret the form took (a Zoho
    /// organisation's client secret) goes to the keychain through its provider.
    pub async fn add_new_connection(
        &self,
        new: crate::connection::NewConnection,
    ) -> Result<String> {
        let (connection, secret) = new.into_connection()?;
        // Asked before a secret is kept: a connection the policy refuses leaves nothing behind.
        self.connection_allowed(&connection)?;
        if let Some(secret) = secret {
            self.provider_of(&connection)?
                .keep_secret(&connection, secret)
                .await?;
        }
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
        // And what its provider kept of its own (Zoho: its app's client secret).
        let connection = self.connection(connection_id)?;
        if let Ok(provider) = self.provider_of(&connection) {
            provider.forget_secret(&connection).await?;
        }
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
        // Whatever the provider, and whether or not a session was in memory (one that was
        // never resumed still left its refresh token): the connection's sign-in goes from the
        // keychain too, so the next start does not sign it back in.
        self.secrets
            .delete(connection_id, crate::auth::REFRESH_TOKEN_SECRET)?;
        Ok(())
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
        self.audit
            .query(&self.by_action_label(filter), limit.clamp(1, 10_000))
    }

    /// `filter` with an action the page named by its id (`resetPassword`) named by the label
    /// its provider's entries keep ("Reset password"); a label, or an id no registered
    /// provider knows, stays as it was.
    fn by_action_label(&self, filter: &AuditFilter) -> AuditFilter {
        let Some(action) = filter.action.as_deref().map(str::trim) else {
            return filter.clone();
        };
        // Case-insensitive, like the rest of the filter.
        let label = self
            .seam
            .providers()
            .flat_map(|provider| provider.actions())
            .find(|declared| declared.name.id.eq_ignore_ascii_case(action))
            .map(|declared| declared.name.label);
        AuditFilter {
            action: label.or_else(|| filter.action.clone()),
            ..filter.clone()
        }
    }

    /// Writes every entry that matches `filter`, oldest first, to `writer` in `format`;
    /// returns how many were written. No limit: an export is for the security team's records.
    pub fn export_audit(
        &self,
        format: ExportFormat,
        filter: &AuditFilter,
        writer: impl std::io::Write,
    ) -> Result<usize> {
        let entries = self.audit.export_entries(&self.by_action_label(filter))?;
        format.write(&entries, writer)
    }

    pub fn verify_audit(&self) -> AuditVerification {
        self.audit.verify()
    }
}

fn poisoned() -> AppError {
    AppError::internal("An earlier failure left ResetDesk in a bad state; restart it.")
}

fn lock<T>(mutex: &StdMutex<T>) -> Result<std::sync::MutexGuard<'_, T>> {
    mutex.lock().map_err(|_| poisoned())
}

/// The one check of a search text every screen makes: at most [`MAX_QUERY_CHARS`] characters.
/// `searches_by` says what the screen searches by, e.g. "name, UPN or mail".
pub fn check_query_length(query: &str, searches_by: &str) -> Result<()> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid_input(format!(
            "The search text is longer than {MAX_QUERY_CHARS} characters. Search by {searches_by}."
        )));
    }
    Ok(())
}

/// A user id from the page, trimmed, or why it is not one.
pub fn require_id(user_id: &str) -> Result<&str> {
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
