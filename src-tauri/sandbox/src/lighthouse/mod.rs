//! An emulator of Microsoft Graph and the identity platform's token endpoint for a Microsoft
//! 365 Lighthouse partner (MSP): one partner tenant and several customer tenants reached
//! through GDAP, on 127.0.0.1.
//!
//! - `seed`: the partner, its two users (a technician, and a lead in both GDAP groups), the
//!   customers, their users (3–4 MFA methods each; some in a role-assignable group, some with
//!   a hardware OATH token) and the GDAP relationships (different role sets; one customer
//!   cannot reset methods, one relationship has expired).
//! - `token_endpoint`: `POST /{tenant}/oauth2/v2.0/token` with `grant_type=refresh_token`: the
//!   partner's refresh token redeemed at a customer's token endpoint gives a token for that
//!   customer (graph.md §4.3), as MSAL does for GDAP. Every token is bound to the partner user
//!   who signed in, and Graph answers with that user's own GDAP roles.
//! - `graph`: the GDAP endpoints in the partner tenant and users / authentication methods
//!   in each customer, with Entra's rules applied per customer.
//! - `throttle`: a token bucket per tenant (429 + Retry-After).
//!
//! Knobs for tests and the benchmark: added latency per request, per-tenant throttling, a
//! customer that starts answering 403 after N deletions, access-token expiry. Counters
//! record every deletion and every hardware OATH deactivation per (tenant, user, method), to
//! prove a step ran exactly once.

mod graph;
pub mod seed;
pub mod throttle;
mod token_endpoint;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use secrecy::SecretString;

pub use seed::{CustomerSpec, MethodType};
pub use throttle::Throttle;

/// The public client id the emulator accepts.
pub const CLIENT_ID: &str = "7c1d5b0e-2f4a-4e8b-9a61-3b5c7d9e1f20";

#[derive(Debug, Clone)]
pub struct LighthouseConfig {
    pub seed: u64,
    pub customers: Vec<CustomerSpec>,
    /// Added before every Graph and token request is answered.
    pub latency: Duration,
    /// The same bucket shape for every tenant (`None`: never throttled).
    pub throttle: Option<Throttle>,
    pub access_token_lifetime: Duration,
}

impl Default for LighthouseConfig {
    fn default() -> Self {
        Self {
            seed: 7,
            customers: seed::default_customers(6),
            latency: Duration::ZERO,
            throttle: None,
            access_token_lifetime: Duration::from_secs(3600),
        }
    }
}

/// What one tenant saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantStats {
    /// Graph requests admitted (throttled ones not included).
    pub requests: u64,
    pub throttled: u64,
    /// Requests that came back during an announced Retry-After (beyond in-flight grace).
    pub early_retries: u64,
    /// Methods deleted.
    pub deletes: u64,
    /// DELETEs of a method that was not there (already deleted, or never existed).
    pub deletes_of_missing: u64,
    /// Successful beta deactivations of a hardware OATH token (repeats on an already
    /// deactivated token included: each answered 204).
    pub deactivations: u64,
    pub token_grants: u64,
}

pub(crate) struct AccessGrant {
    tenant_id: String,
    /// The partner user the token was issued to.
    user_id: String,
    expires: Instant,
}

#[derive(Default)]
pub(crate) struct Knobs {
    latency: Duration,
    default_throttle: Option<Throttle>,
    tenant_throttle: HashMap<String, Option<Throttle>>,
    token_lifetime: Duration,
    /// tenant → deletions still allowed before the customer starts refusing.
    refuse_after: HashMap<String, usize>,
    refusing: HashSet<String>,
    /// How late a customer's directory audit event is listed (none by default).
    audit_delay: Duration,
}

#[derive(Default)]
pub(crate) struct Counters {
    tenants: HashMap<String, TenantStats>,
    /// (tenant, user, method) → successful deletions.
    deletions: HashMap<(String, String, String), u32>,
    /// (tenant, user, method) → hardware OATH deactivations answered 204.
    deactivations: HashMap<(String, String, String), u32>,
    /// Graph requests being answered now, and the most there were at once.
    in_flight: u64,
    peak_in_flight: u64,
}

pub(crate) struct Shared {
    base_url: String,
    msp: Mutex<seed::Msp>,
    /// Refresh token → the partner user it was issued to.
    refresh_tokens: Mutex<HashMap<String, String>>,
    access_tokens: Mutex<HashMap<String, AccessGrant>>,
    knobs: Mutex<Knobs>,
    buckets: Mutex<HashMap<String, throttle::Bucket>>,
    counters: Mutex<Counters>,
    /// Each customer's directory audit log: (tenant id, event).
    customer_audits: Mutex<Vec<(String, crate::audits::AuditEvent)>>,
}

/// A per-(tenant, user, method) counter's value; 0 when never counted.
fn count_of(
    counts: &HashMap<(String, String, String), u32>,
    tenant_id: &str,
    user_id: &str,
    method_id: &str,
) -> u32 {
    counts
        .get(&(
            tenant_id.to_string(),
            user_id.to_string(),
            method_id.to_string(),
        ))
        .copied()
        .unwrap_or(0)
}

/// A poisoned lock means a handler panicked mid-update; keep serving the state as it is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn issue_access_token(&self, tenant_id: &str, user_id: &str) -> (String, u64) {
        let lifetime = lock(&self.knobs).token_lifetime;
        let token = super::oauth::random_token();
        let now = Instant::now();
        let mut tokens = lock(&self.access_tokens);
        tokens.retain(|_, grant| grant.expires + Duration::from_secs(600) > now);
        tokens.insert(
            token.clone(),
            AccessGrant {
                tenant_id: tenant_id.to_string(),
                user_id: user_id.to_string(),
                expires: now + lifetime,
            },
        );
        (token, lifetime.as_secs())
    }

    fn issue_refresh_token(&self, user_id: &str) -> String {
        let token = super::oauth::random_token();
        lock(&self.refresh_tokens).insert(token.clone(), user_id.to_string());
        token
    }

    /// The partner user a refresh token was issued to.
    fn refresh_token_user(&self, token: &str) -> Option<String> {
        lock(&self.refresh_tokens).get(token).cloned()
    }

    /// Counts a Graph request as being answered until the guard is dropped.
    fn answering(self: &Arc<Self>) -> InFlight {
        let mut counters = lock(&self.counters);
        counters.in_flight += 1;
        counters.peak_in_flight = counters.peak_in_flight.max(counters.in_flight);
        InFlight(Arc::clone(self))
    }

    fn count(&self, tenant_id: &str, update: impl FnOnce(&mut TenantStats)) {
        let mut counters = lock(&self.counters);
        update(counters.tenants.entry(tenant_id.to_string()).or_default());
    }
}

/// A Graph request being answered (see `Shared::answering`).
pub(crate) struct InFlight(Arc<Shared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut counters = lock(&self.0.counters);
        counters.in_flight = counters.in_flight.saturating_sub(1);
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

/// A customer as seeded, for tests and demos.
#[derive(Debug, Clone)]
pub struct SeededCustomer {
    pub tenant_id: String,
    pub display_name: String,
    pub relationship_status: String,
    /// The technician's roles there (not the lead's).
    pub technician_roles: Vec<String>,
    pub users: Vec<SeededUser>,
}

#[derive(Debug, Clone)]
pub struct SeededUser {
    pub id: String,
    pub user_principal_name: String,
    pub privileged: bool,
    /// A member of the customer's role-assignable group.
    pub in_role_assignable_group: bool,
    /// (method id, kind) of every method currently registered.
    pub methods: Vec<(String, MethodType)>,
    /// (method id, `device.status`: `activated` or `deactivated`) of every hardware OATH
    /// token (also in `methods`).
    pub hardware_oath: Vec<(String, String)>,
}

/// A running emulator. Cheap to clone; the server stops when the last clone is dropped.
#[derive(Clone)]
pub struct LighthouseSandbox {
    shared: Arc<Shared>,
    _shutdown: Arc<ShutdownOnDrop>,
}

impl std::fmt::Debug for LighthouseSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LighthouseSandbox")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

/// The emulator plays the partner user (the technician or the lead) at the partner's sign-in
/// page (the demo sign-in); anyone else is not a user of the partner tenant.
impl resetdesk_model::demo::PartnerSandboxSignIn for LighthouseSandbox {
    fn sign_in(&self, account: &str) -> Option<SecretString> {
        self.sign_in_as(account)
    }
}

impl LighthouseSandbox {
    pub async fn start(config: LighthouseConfig) -> std::io::Result<LighthouseSandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            base_url,
            msp: Mutex::new(seed::build(config.seed, &config.customers)),
            refresh_tokens: Mutex::new(HashMap::new()),
            access_tokens: Mutex::new(HashMap::new()),
            knobs: Mutex::new(Knobs {
                latency: config.latency,
                default_throttle: config.throttle,
                token_lifetime: config.access_token_lifetime,
                ..Knobs::default()
            }),
            buckets: Mutex::new(HashMap::new()),
            counters: Mutex::new(Counters::default()),
            customer_audits: Mutex::new(Vec::new()),
        });
        let app = token_endpoint::router(shared.clone()).merge(graph::router(shared.clone()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = served.await {
                tracing::warn!(%error, "lighthouse emulator stopped");
            }
        });
        Ok(LighthouseSandbox {
            shared,
            _shutdown: Arc::new(ShutdownOnDrop(Some(stop))),
        })
    }

    /// Both the login and the Graph base URL.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn partner_tenant_id(&self) -> String {
        lock(&self.shared.msp).partner_tenant_id.clone()
    }

    pub fn client_id(&self) -> String {
        CLIENT_ID.to_string()
    }

    /// The refresh token an interactive sign-in of the technician to the partner tenant
    /// would give (the PKCE flow itself is the single-tenant sandbox's).
    pub fn sign_in_technician(&self) -> SecretString {
        let id = self.technician_id();
        SecretString::from(self.shared.issue_refresh_token(&id))
    }

    /// The refresh token an interactive sign-in of the partner user `upn` (case-insensitive)
    /// would give; `None` if the partner tenant has no such user.
    pub fn sign_in_as(&self, upn: &str) -> Option<SecretString> {
        let id = lock(&self.shared.msp).partner_user_by_upn(upn)?.id.clone();
        Some(SecretString::from(self.shared.issue_refresh_token(&id)))
    }

    /// The technician's object id in the partner tenant (what `/me` names for them).
    pub fn technician_id(&self) -> String {
        lock(&self.shared.msp).technician().id.clone()
    }

    /// The lead's object id in the partner tenant.
    pub fn lead_id(&self) -> String {
        let msp = lock(&self.shared.msp);
        msp.partner_user_by_upn(seed::LEAD_UPN)
            .map(|u| u.id.clone())
            .unwrap_or_default()
    }

    /// The settings of the sandbox partner connection, with its demo accounts: the technician
    /// first, then the lead who approves bulk jobs.
    pub fn settings(&self) -> resetdesk_model::connection::LighthouseSettings {
        resetdesk_model::connection::LighthouseSettings {
            partner_tenant_id: self.partner_tenant_id(),
            client_id: self.client_id(),
            login_base_url: self.base_url(),
            graph_base_url: self.base_url(),
            demo_accounts: vec![
                resetdesk_model::connection::DemoAccount {
                    user_principal_name: seed::TECHNICIAN_UPN.to_string(),
                    display_name: "Partner technician".to_string(),
                    role_label: "GDAP roles per customer".to_string(),
                    password: None,
                    second_factor_code: None,
                },
                resetdesk_model::connection::DemoAccount {
                    user_principal_name: seed::LEAD_UPN.to_string(),
                    display_name: "Team lead (approver)".to_string(),
                    role_label: "GDAP: Helpdesk and Tier 3 groups".to_string(),
                    password: None,
                    second_factor_code: None,
                },
            ],
        }
    }

    pub fn customers(&self) -> Vec<SeededCustomer> {
        let msp = lock(&self.shared.msp);
        msp.customers
            .iter()
            .map(|c| SeededCustomer {
                tenant_id: c.tenant_id.clone(),
                display_name: c.display_name.clone(),
                relationship_status: c.relationship_status.clone(),
                technician_roles: msp.technician_roles(c),
                users: c
                    .users
                    .values()
                    .map(|u| SeededUser {
                        id: u.id.clone(),
                        user_principal_name: u.user_principal_name.clone(),
                        privileged: u.privileged,
                        in_role_assignable_group: u.in_role_assignable_group,
                        methods: u.methods.iter().map(|m| (m.id.clone(), m.kind)).collect(),
                        hardware_oath: u
                            .methods
                            .iter()
                            .filter_map(|m| {
                                let token = m.hardware.as_ref()?;
                                Some((m.id.clone(), token.status.as_str().to_string()))
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Makes a customer's user a Global Administrator from now on (a promotion between a
    /// confirmation and its run); false if there is no such user.
    pub fn make_privileged(&self, tenant_id: &str, user_id: &str) -> bool {
        self.change_user(tenant_id, user_id, |user| user.privileged = true)
    }

    /// Applies `change` to a customer's user; false if there is no such user.
    fn change_user(
        &self,
        tenant_id: &str,
        user_id: &str,
        change: impl FnOnce(&mut seed::User),
    ) -> bool {
        let mut msp = lock(&self.shared.msp);
        match msp
            .customer_mut(tenant_id)
            .and_then(|c| c.users.get_mut(user_id))
        {
            Some(user) => {
                change(user);
                true
            }
            None => false,
        }
    }

    /// Adds a customer's user to the customer's role-assignable group from now on (only a
    /// Privileged Authentication Administrator or Global Administrator may then reset their
    /// methods); false if there is no such user.
    pub fn add_to_role_assignable_group(&self, tenant_id: &str, user_id: &str) -> bool {
        self.change_user(tenant_id, user_id, |user| {
            user.in_role_assignable_group = true
        })
    }

    /// The user registers a mobile phone again (as after an MFA reset, at their next
    /// sign-in); false if there is no such user or they already have one.
    pub fn register_mobile_phone(&self, tenant_id: &str, user_id: &str, number: &str) -> bool {
        let mut msp = lock(&self.shared.msp);
        let Some(user) = msp
            .customer_mut(tenant_id)
            .and_then(|c| c.users.get_mut(user_id))
        else {
            return false;
        };
        if user.methods.iter().any(|m| m.id == seed::MOBILE_PHONE_ID) {
            return false;
        }
        user.methods.push(seed::Method {
            id: seed::MOBILE_PHONE_ID.into(),
            kind: MethodType::Phone,
            phone_number: Some(number.to_string()),
            phone_type: Some("mobile"),
            display_name: None,
            hardware: None,
        });
        true
    }

    pub fn customer_by_name(&self, display_name: &str) -> Option<SeededCustomer> {
        self.customers()
            .into_iter()
            .find(|c| c.display_name == display_name)
    }

    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.knobs).latency = latency;
    }

    /// Customers' directory audit events are listed this long after the change (real audit
    /// events arrive minutes late: see `crate::audits`).
    pub fn set_audit_delay(&self, delay: Duration) {
        lock(&self.shared.knobs).audit_delay = delay;
    }

    /// Every event logged so far is listed from now on, as if their delay had passed.
    pub fn release_audit_events(&self) {
        let now = Instant::now();
        for (_, event) in lock(&self.shared.customer_audits).iter_mut() {
            event.visible_at = event.visible_at.min(now);
        }
    }

    /// How many events a customer's directory audit log holds, listed yet or not.
    pub fn audit_events_of(&self, tenant_id: &str) -> usize {
        lock(&self.shared.customer_audits)
            .iter()
            .filter(|(tenant, _)| tenant.eq_ignore_ascii_case(tenant_id))
            .count()
    }

    /// The bucket shape of every tenant without its own; resets all buckets.
    pub fn set_throttle(&self, throttle: Option<Throttle>) {
        lock(&self.shared.knobs).default_throttle = throttle;
        lock(&self.shared.buckets).clear();
    }

    pub fn set_tenant_throttle(&self, tenant_id: &str, throttle: Option<Throttle>) {
        lock(&self.shared.knobs)
            .tenant_throttle
            .insert(tenant_id.to_string(), throttle);
        lock(&self.shared.buckets).remove(tenant_id);
    }

    /// The customer allows `deletions` more deletions, then answers 403 to everything (as
    /// when its GDAP relationship is terminated mid-job). `0`: refuses from now on.
    pub fn refuse_after_deletions(&self, tenant_id: &str, deletions: usize) {
        let mut knobs = lock(&self.shared.knobs);
        if deletions == 0 {
            knobs.refusing.insert(tenant_id.to_string());
        } else {
            knobs.refuse_after.insert(tenant_id.to_string(), deletions);
        }
    }

    /// Every access token issued so far expires now (refresh tokens stay valid).
    pub fn expire_access_tokens(&self) {
        let now = Instant::now();
        for grant in lock(&self.shared.access_tokens).values_mut() {
            grant.expires = now;
        }
    }

    pub fn stats(&self, tenant_id: &str) -> TenantStats {
        lock(&self.shared.counters)
            .tenants
            .get(tenant_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The most Graph requests this emulator was answering at the same time (a client that
    /// sends thousands of reads at once shows here).
    pub fn peak_in_flight(&self) -> u64 {
        lock(&self.shared.counters).peak_in_flight
    }

    /// Graph requests admitted, summed over every tenant.
    pub fn total_requests(&self) -> u64 {
        lock(&self.shared.counters)
            .tenants
            .values()
            .map(|s| s.requests)
            .sum()
    }

    /// How many times this method was deleted successfully (0 or 1 unless a client repeated
    /// itself on a method that came back, which the seed never does).
    pub fn deletions_of(&self, tenant_id: &str, user_id: &str, method_id: &str) -> u32 {
        count_of(
            &lock(&self.shared.counters).deletions,
            tenant_id,
            user_id,
            method_id,
        )
    }

    /// How many times this hardware OATH token's beta deactivation was answered 204 (a repeat
    /// on an already deactivated token counts too).
    pub fn deactivations_of(&self, tenant_id: &str, user_id: &str, method_id: &str) -> u32 {
        count_of(
            &lock(&self.shared.counters).deactivations,
            tenant_id,
            user_id,
            method_id,
        )
    }

    /// DELETEs of a method that was already gone (a client repeating a step), all tenants.
    pub fn deletions_of_missing_methods(&self) -> u64 {
        lock(&self.shared.counters)
            .tenants
            .values()
            .map(|s| s.deletes_of_missing)
            .sum()
    }
}

#[cfg(test)]
mod tests;
