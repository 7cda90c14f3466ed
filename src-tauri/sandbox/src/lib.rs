//! The in-app emulator of Microsoft Graph and the Microsoft identity platform's OAuth
//! endpoints, on 127.0.0.1, serving a seeded demo organisation ("contoso.sandbox").
//!
//! It is both the demo and the test double: the same Entra provider code that talks to
//! graph.microsoft.com talks to it over real HTTP, so it speaks Graph's real shapes, errors
//! and authorization rules (including refusing what Entra refuses, whatever the client
//! thinks). Modules: `seed` (the organisation), `state` (the in-memory model), `oauth`
//! (authorize + token), `graph` (token check and routing), `users` (user resources), `delta` (`/users/delta`), `network` (a network on/off knob),
//! `methods` (authentication methods), `query` (`$search`/`$filter`), `policy` (Entra's
//! role matrices), `faults` (fault knobs and the front door), `errors` (Graph error JSON).

mod audits;
mod delta;
mod errors;
mod faults;
mod graph;
pub mod lighthouse;
mod methods;
mod network;
mod oauth;
mod policy;
pub mod privilege_secure;
mod query;
pub mod role_ids;
mod seed;
mod state;
mod tap;
mod users;
pub mod zoho;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::http::request::Parts;
use axum::Router;

use resetdesk_model::connection::{DemoAccount, EntraSettings};

pub use faults::Faults;
pub use state::{DefaultMethodRule, TemporaryAccessPassPolicy};

/// The demo tenant's id (a fixed GUID) and its domain.
pub const TENANT_ID: &str = "9b5c2a7e-3f41-4d8a-b6e2-5c1d7f0e8a42";
pub const TENANT_DOMAIN: &str = seed::DOMAIN;
/// The public client id the emulator accepts (the sandbox's "app registration").
pub const CLIENT_ID: &str = "5e1b8f3c-7a2d-4c6e-9f10-2b3d4e5f6a7b";

/// How many Graph requests `requests()` keeps (the oldest are dropped first).
const REQUEST_LOG_CAP: usize = 10_000;

#[derive(Debug, Clone, Copy)]
pub struct SandboxConfig {
    pub seed: u64,
    /// Total number of users, the named demo accounts included.
    pub users: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            users: 500,
        }
    }
}

/// One Graph request as the emulator received it: Authorization and cookies left out, and
/// secret body fields (e.g. `passwordProfile.password`) replaced by `"[redacted]"` unless the
/// crate is built with `test-support` (where contract tests compare the exact values).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
}

impl RecordedRequest {
    fn from_parts(parts: &Parts, body: &[u8]) -> Self {
        let headers = parts
            .headers
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "authorization" | "cookie"))
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = if body.is_empty() {
            None
        } else {
            Some(match serde_json::from_slice(body) {
                Ok(mut json) => {
                    // Integration tests (feature `test-support`) check the exact value the
                    // client sent; the app's own emulator never keeps a password around.
                    if !cfg!(feature = "test-support") {
                        redact_secrets(&mut json);
                    }
                    json
                }
                // Not JSON: keep its length only, it could be anything.
                Err(_) => serde_json::Value::String(format!("<{} bytes, not JSON>", body.len())),
            })
        };
        Self {
            method: parts.method.as_str().to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers,
            body,
        }
    }
}

/// Body fields that carry a secret (passwords, TAPs, OATH seeds): the log keeps their
/// shape for contract tests, never their value.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "newPassword",
    "secretKey",
    "temporaryAccessPass",
];
pub const REDACTED: &str = "[redacted]";

fn redact_secrets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) && field.is_string() {
                    *field = serde_json::Value::String(REDACTED.to_string());
                } else {
                    redact_secrets(field);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

/// What every handler shares.
pub(crate) struct Shared {
    base_url: String,
    state: Mutex<state::State>,
    faults: Mutex<faults::FaultState>,
    requests: Mutex<VecDeque<RecordedRequest>>,
    /// The network test knob (see `network`).
    network_down: Arc<std::sync::atomic::AtomicBool>,
}

impl Shared {
    /// A poisoned lock only means a handler panicked mid-update; the model is still the best
    /// state there is, so keep serving it.
    fn lock_state(&self) -> MutexGuard<'_, state::State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_faults(&self) -> MutexGuard<'_, faults::FaultState> {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_requests(&self) -> MutexGuard<'_, VecDeque<RecordedRequest>> {
        self.requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn record(&self, request: RecordedRequest) {
        let mut log = self.lock_requests();
        if log.len() >= REQUEST_LOG_CAP {
            log.pop_front();
        }
        log.push_back(request);
    }

    /// Mints an access token for `user_id` with the current lifetime knob.
    fn issue_access_token(&self, state: &mut state::State, user_id: &str) -> (String, u64) {
        let lifetime = self.lock_faults().faults.token_lifetime();
        let now = Instant::now();
        // Forget tokens long expired so a demo running for days does not grow without bound;
        // recently expired ones stay, to be answered "expired" rather than "unknown".
        state
            .access_tokens
            .retain(|_, grant| grant.expires + state::EXPIRED_TOKEN_MEMORY > now);
        let token = oauth::random_token();
        state.access_tokens.insert(
            token.clone(),
            state::AccessGrant {
                user_id: user_id.to_string(),
                expires: now + lifetime,
            },
        );
        (token, lifetime.as_secs())
    }
}

/// Stops the server when the last handle is dropped.
struct ShutdownOnDrop(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for ShutdownOnDrop {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}

/// A running emulator. Cheap to clone; the server stops when the last clone is dropped.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
    _shutdown: Arc<ShutdownOnDrop>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Seeds the organisation, binds 127.0.0.1 on a free port and serves in a tokio task.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            base_url,
            state: Mutex::new(seed::build(config.seed, config.users)),
            faults: Mutex::new(faults::FaultState::new(config.seed)),
            requests: Mutex::new(VecDeque::new()),
            network_down: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        });
        let listener = network::SwitchedListener {
            inner: listener,
            down: Arc::clone(&shared.network_down),
        };
        let app: Router = oauth::router(shared.clone()).merge(graph::router(shared.clone()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = served.await {
                tracing::warn!(%error, "sandbox emulator stopped");
            }
        });
        Ok(Sandbox {
            shared,
            _shutdown: Arc::new(ShutdownOnDrop(Some(stop))),
        })
    }

    /// "http://127.0.0.1:PORT": both the login and the Graph base URL.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn tenant_id(&self) -> String {
        TENANT_ID.to_string()
    }

    pub fn client_id(&self) -> String {
        CLIENT_ID.to_string()
    }

    /// Settings for a connection to this emulator, with the demo operators to offer.
    pub fn entra_settings(&self) -> EntraSettings {
        let state = self.shared.lock_state();
        let demo_accounts = seed::OPERATORS
            .iter()
            .filter_map(|(local, _, role)| {
                let user = state.user(&format!("{local}@{}", seed::DOMAIN))?;
                Some(DemoAccount {
                    user_principal_name: user.user_principal_name.clone(),
                    display_name: user.display_name.clone(),
                    role_label: role
                        .map(state::Role::display_name)
                        .unwrap_or("No admin role")
                        .to_string(),
                    password: None,
                    second_factor_code: None,
                })
            })
            .collect();
        EntraSettings {
            tenant: TENANT_ID.to_string(),
            client_id: CLIENT_ID.to_string(),
            login_base_url: self.base_url(),
            graph_base_url: self.base_url(),
            demo_accounts,
        }
    }

    /// New knobs, and a service no longer throttling anyone (the throttle window is reset).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock_faults().reconfigure(faults);
    }

    pub fn faults(&self) -> Faults {
        self.shared.lock_faults().faults.clone()
    }

    /// How many Graph requests were answered 429 or 503 with a Retry-After, including those
    /// that came back before the wait asked for was over.
    pub fn refused_with_retry_after(&self) -> u64 {
        self.shared.lock_faults().refused_with_retry_after()
    }

    /// Every Graph request received so far (oldest first, at most 10,000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock_requests().iter().cloned().collect()
    }

    pub fn clear_requests(&self) {
        self.shared.lock_requests().clear();
    }

    /// Test helper: an access token as if `upn` had signed in (None for unknown or disabled users).
    pub fn issue_access_token(&self, upn: &str) -> Option<String> {
        let mut state = self.shared.lock_state();
        let user = state.user(upn).filter(|user| user.account_enabled)?;
        let user_id = user.id.clone();
        Some(self.shared.issue_access_token(&mut state, &user_id).0)
    }

    /// Test helper: every access and refresh token issued so far (a test scans files for them).
    pub fn issued_tokens(&self) -> Vec<String> {
        let state = self.shared.lock_state();
        state
            .access_tokens
            .keys()
            .chain(state.refresh_tokens.keys())
            .cloned()
            .collect()
    }

    /// Test helper: every access token issued so far expires now (refresh tokens stay valid),
    /// as if their lifetime had passed.
    pub fn expire_access_tokens(&self) {
        let now = Instant::now();
        for grant in self.shared.lock_state().access_tokens.values_mut() {
            grant.expires = now;
        }
    }

    pub fn user_id_by_upn(&self, upn: &str) -> Option<String> {
        self.shared
            .lock_state()
            .user(upn)
            .map(|user| user.id.clone())
    }

    /// Test knob: replaces the tenant's Temporary Access Pass policy.
    /// Which reading of "Cannot delete default method with other methods configured" applies.
    /// How long each directory audit event takes to be listed (`GET /auditLogs/directoryAudits`),
    /// as real events arrive minutes after the change: none by default.
    pub fn set_audit_delay(&self, delay: std::time::Duration) {
        self.shared.lock_state().audit_delay = delay;
    }

    /// The activities of the directory audit log so far (listed or still delayed), oldest first.
    pub fn directory_audit_activities(&self) -> Vec<(String, String, String)> {
        self.shared
            .lock_state()
            .directory_audits
            .iter()
            .map(|e| {
                (
                    e.activity.to_string(),
                    e.initiator_upn.clone(),
                    e.target_upn.clone(),
                )
            })
            .collect()
    }

    pub fn set_default_method_rule(&self, rule: DefaultMethodRule) {
        self.shared.lock_state().default_method_rule = rule;
    }

    pub fn set_tap_policy(&self, policy: TemporaryAccessPassPolicy) {
        self.shared.lock_state().tap_policy = policy;
    }

    pub fn tap_policy(&self) -> TemporaryAccessPassPolicy {
        self.shared.lock_state().tap_policy.clone()
    }

    /// The user's methods as v1.0 `GET /authentication/methods` lists them (no hardware OATH).
    pub fn methods_of(&self, user_id: &str) -> Vec<serde_json::Value> {
        let state = self.shared.lock_state();
        state
            .user(user_id)
            .map(|user| methods::list_json(user, methods::ApiVersion::V1, false, &state.tap_policy))
            .unwrap_or_default()
    }

    /// The user's hardware OATH tokens as beta `GET /authentication/hardwareOathMethods` lists them.
    pub fn hardware_oath_of(&self, user_id: &str) -> Vec<serde_json::Value> {
        let state = self.shared.lock_state();
        state
            .user(user_id)
            .map(methods::hardware_oath_json)
            .unwrap_or_default()
    }

    /// The id of the user's default MFA method, if any.
    pub fn default_method_of(&self, user_id: &str) -> Option<String> {
        self.shared
            .lock_state()
            .user(user_id)
            .and_then(|user| user.default_method_id.clone())
    }

    pub fn password_reset_count(&self, user_id: &str) -> u32 {
        self.shared
            .lock_state()
            .user(user_id)
            .map(|user| user.password_reset_count)
            .unwrap_or(0)
    }

    pub fn sessions_revoked_count(&self, user_id: &str) -> u32 {
        self.shared
            .lock_state()
            .user(user_id)
            .map(|user| user.sessions_revoked_count)
            .unwrap_or(0)
    }

    /// Test mutator: a new member user (no roles, no methods), recorded for `/users/delta`.
    /// Returns its object id, or `None` when the UPN is taken.
    pub fn add_user(&self, display_name: &str, user_principal_name: &str) -> Option<String> {
        let mut state = self.shared.lock_state();
        if state.user(user_principal_name).is_some() {
            return None;
        }
        let user = seed::new_member(display_name, user_principal_name);
        let id = user.id.clone();
        state.users.push(user);
        state.changes.record(&id, state::ChangeKind::Added);
        Some(id)
    }

    /// Test mutator: renames a user, recorded for `/users/delta`. False for an unknown user.
    pub fn update_user_display_name(&self, id_or_upn: &str, display_name: &str) -> bool {
        let mut state = self.shared.lock_state();
        let Some(index) = state.user_index(id_or_upn) else {
            return false;
        };
        state.users[index].display_name = display_name.to_string();
        let id = state.users[index].id.clone();
        state
            .changes
            .record(&id, state::ChangeKind::Updated(vec!["displayName"]));
        true
    }

    /// Test mutator: makes a user a Global Administrator (a target who becomes privileged
    /// after a plan was reviewed). False for an unknown user.
    pub fn make_global_administrator(&self, id_or_upn: &str) -> bool {
        let mut state = self.shared.lock_state();
        let Some(index) = state.user_index(id_or_upn) else {
            return false;
        };
        if !state.users[index].roles.contains(&state::Role::GlobalAdmin) {
            state.users[index].roles.push(state::Role::GlobalAdmin);
        }
        true
    }

    /// Test mutator: removes every directory role a user holds, as an administrator's removal
    /// or an expired PIM activation does (an operator who loses their role after signing in).
    /// False for an unknown user.
    pub fn remove_directory_roles(&self, id_or_upn: &str) -> bool {
        let mut state = self.shared.lock_state();
        let Some(index) = state.user_index(id_or_upn) else {
            return false;
        };
        state.users[index].roles.clear();
        true
    }

    /// Test mutator: deletes a user (as `DELETE /users/{id}` would), recorded for
    /// `/users/delta`. False for an unknown user.
    pub fn delete_user(&self, id_or_upn: &str) -> bool {
        let mut state = self.shared.lock_state();
        let Some(index) = state.user_index(id_or_upn) else {
            return false;
        };
        let user = state.users.remove(index);
        state.changes.record(&user.id, state::ChangeKind::Deleted);
        true
    }

    /// Test knob: every delta token issued so far is no longer valid (410 Gone on use), as
    /// when Graph's sync state has expired.
    pub fn expire_delta_tokens(&self) {
        let mut state = self.shared.lock_state();
        state.changes.epoch += 1;
    }

    /// How many users the directory holds now.
    pub fn user_count(&self) -> usize {
        self.shared.lock_state().users.len()
    }

    /// Test knob: while `down`, connections to the emulator are dropped and open ones cut, as
    /// when the network goes away (clients see no HTTP answer at all, not an error status).
    pub fn set_network_down(&self, down: bool) {
        self.shared
            .network_down
            .store(down, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether [`Self::set_network_down`] cut the network now.
    pub fn network_down(&self) -> bool {
        self.shared
            .network_down
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Every user's UPN in directory order (for determinism checks and demos).
    pub fn user_principal_names(&self) -> Vec<String> {
        self.shared
            .lock_state()
            .users
            .iter()
            .map(|user| user.user_principal_name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests;
