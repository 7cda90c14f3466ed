//! An emulator of the parts of Zoho ResetDesk uses, on 127.0.0.1: the accounts server
//! (device authorization grant, refresh, `oauth/user/info`) and the Zoho Mail organisation
//! API (organisation details, users with paging, one user, reset password), with Zoho's
//! envelopes `{"status":{"code":…,"description":…},"data":…}`.
//!
//! The organisation "zylker.sandbox" has confirmed, pending and external users, and three
//! demo operators: a super admin, an admin and a member. The sandbox approves a device code
//! on the operator's behalf through [`ZohoSandbox::approve_device`] (as the Entra sandbox
//! plays the person at its sign-in page). Fault knobs: throttling with Retry-After, 5xx,
//! expired access tokens, a minimum polling interval (slow_down).
//!
//! Two data centres on one listener: US (the routes at the root) and EU (the same routes
//! under `/eu`). The organisation, so every account, lives in one of them
//! ([`ZohoSandbox::set_organisation_data_centre`], US by default). As Zoho's "Using Multi DC
//! in non-browser based applications" documents
//! (https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization/limited-input-devices.html),
//! a device code can be started at either; once the user has granted permission, polling at
//! the other data centre answers `{"user_location": "eu", "error": "other_dc"}` (the feedback
//! the polling page lists, https://www.zoho.com/accounts/protocol/oauth/devices/polling-request.html:
//! "The user granted permission, but the user's datacenter is different from th[e app's]"),
//! and polling at the user's one answers the tokens with its `api_domain`. Tokens belong to the
//! data centre that issued them: anywhere else they are unknown.
//!
//! Started on its own ([`ZohoSandbox::start`]), not by `Sandbox::start`.
// Handlers return an axum `Response` as their error, as the other emulator modules do.
#![allow(clippy::result_large_err)]
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use resetdesk_model::connection::zoho::DataCentreServers;
use resetdesk_model::connection::{DataCentre, RequestLimit, ZohoSettings};

/// The data centres the emulator plays, with the path prefix each is served under.
const DATA_CENTRES: [(DataCentre, &str); 2] = [(DataCentre::Us, ""), (DataCentre::Eu, "/eu")];

/// The path prefix of a data centre the emulator plays; `None` for the others.
fn prefix_of(dc: DataCentre) -> Option<&'static str> {
    DATA_CENTRES
        .iter()
        .find(|(served, _)| *served == dc)
        .map(|(_, prefix)| *prefix)
}

/// Zoho's lower-case location code of a data centre (`"us"`, `"eu"`, as in `user_location`).
fn location_code(dc: DataCentre) -> String {
    format!("{dc:?}").to_lowercase()
}

/// The emulator's "registered non-browser application".
pub const CLIENT_ID: &str = "1000.SANDBOXZOHORESETDESK";
pub const CLIENT_SECRET: &str = "sandbox-zoho-client-secret";
/// The organisation id (zoid) and its one verified domain.
pub const ZOID: u64 = 7_700_001;
pub const DOMAIN: &str = "zylker.sandbox";

/// The demo operators: (email, display name, role).
pub const OPERATORS: &[(&str, &str, &str)] = &[
    ("sam.super@zylker.sandbox", "Sam Super", "super_admin"),
    ("ada.admin@zylker.sandbox", "Ada Admin", "admin"),
    ("mo.member@zylker.sandbox", "Mo Member", "member"),
];
/// The admin panel's name of a Zoho Mail role, as the sign-in card shows it.
fn role_label(role: &str) -> &'static str {
    match role {
        "super_admin" => "Super Admin",
        "admin" => "Admin",
        _ => "Member",
    }
}

/// The emulator plays the person at Zoho's verification page (the demo sign-in).
impl resetdesk_model::demo::DeviceApprover for ZohoSandbox {
    fn approve(&self, user_code: &str, account: &str) -> bool {
        self.approve_device(user_code, account)
    }

    fn client_secret(&self) -> secrecy::SecretString {
        secrecy::SecretString::from(CLIENT_SECRET)
    }
}

/// Named users the tests and the demo use.
pub const CONFIRMED_USER: &str = "annette.c@zylker.sandbox";
pub const SECOND_ADMIN: &str = "alex.admin@zylker.sandbox";
pub const PENDING_USER: &str = "pat.pending@zylker.sandbox";
pub const EXTERNAL_USER: &str = "eve.external@partner.example";

#[derive(Debug, Clone)]
struct EmuUser {
    zuid: u64,
    account_id: u64,
    email: String,
    first: String,
    last: String,
    role: String,
    confirmed: bool,
    tfa_enabled: bool,
    password_sha256: Option<String>,
    password_resets: u32,
    /// What the last resetPassword asked for, as Zoho would apply it.
    last_reset: Option<ResetApplied>,
}

/// What a resetPassword request did beyond the password, as the emulator applied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetApplied {
    /// The password is one-time: the user must change it at the next sign-in.
    pub one_time_password: bool,
    /// The user's auth tokens were regenerated: every session signed out.
    pub reset_auth_token: bool,
    /// The body's spellings of the session field, as received (`resetAuthToken` as the
    /// page's parameter table writes it, `resetAuthtoken` as its sample does); empty when
    /// the field was left out and Zoho's default applied.
    pub auth_token_spellings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum DeviceState {
    Pending,
    Approved(u64),
    Denied,
    Expired,
    Collected,
}

struct DeviceGrant {
    user_code: String,
    state: DeviceState,
    expires: Instant,
    last_poll: Option<Instant>,
    /// The scopes the initiation asked for; its tokens carry them.
    scopes: Vec<String>,
    /// The initiation asked for `access_type=offline`: only then does the token answer carry a
    /// refresh token. "If the value is online, only the access token will be provided …
    /// Default value: online"
    /// (https://www.zoho.com/accounts/protocol/oauth/devices/initiation-request.html).
    offline: bool,
}

/// The scopes of a `scope` parameter: Zoho's pages write them comma-separated
/// (https://www.zoho.com/accounts/protocol/oauth/devices/initiation-request.html).
fn scopes_of(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Fault knobs.
#[derive(Debug, Clone, Default)]
pub struct ZohoFaults {
    /// The next N Mail API requests answer 429 with this Retry-After (seconds).
    pub throttle_next: u32,
    pub retry_after_secs: u64,
    /// The next N Mail API requests answer 500.
    pub server_error_next: u32,
    /// The next N writes (PUT) answer 500 after the request was admitted.
    pub server_error_next_write: u32,
    /// Polls of one device code closer together than this get `slow_down`.
    pub min_poll_interval: Option<Duration>,
    /// Lifetime of new access tokens (default one hour, as Zoho).
    pub token_lifetime: Option<Duration>,
    /// `interval` and `expires_in` of the next device initiations, as sent (milliseconds, as
    /// the initiation page documents them); `None` sends 1000 and 300000.
    pub device_interval: Option<u64>,
    pub device_expires_in: Option<u64>,
}

/// A refresh token: whose, with which scopes, issued by which data centre.
#[derive(Debug, Clone)]
struct RefreshToken {
    zuid: u64,
    scopes: Vec<String>,
    dc: DataCentre,
}

/// An access token: whose, until when, with which scopes, issued by which data centre.
#[derive(Debug, Clone)]
struct AccessToken {
    zuid: u64,
    expires: Instant,
    scopes: Vec<String>,
    dc: DataCentre,
}

struct State_ {
    users: Vec<EmuUser>,
    /// Device grants, shared by both data centres (a code started at one is polled at the
    /// other after `other_dc`).
    devices: HashMap<String, DeviceGrant>,
    refresh_tokens: HashMap<String, RefreshToken>,
    access_tokens: HashMap<String, AccessToken>,
    /// Where the organisation, and so every account, lives.
    organisation_dc: DataCentre,
    /// How many polls were answered `other_dc`.
    other_dc_answers: u32,
    faults: ZohoFaults,
    mail_requests: u32,
    /// Zoho Mail's request limit, per operator (see `RATE_LIMIT`).
    limit: RequestLimit,
    /// Per ZUID: when their last requests arrived, and until when they are locked out.
    recent: HashMap<u64, (std::collections::VecDeque<Instant>, Option<Instant>)>,
    /// 429s answered because the limit was exceeded (not the fault knob's).
    limited: u32,
}

struct Shared {
    base_url: String,
    state: Mutex<State_>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State_> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The state of one data centre's routes: the emulator's, and which data centre they serve.
#[derive(Clone)]
struct Served {
    shared: Arc<Shared>,
    dc: DataCentre,
}

impl Served {
    fn lock(&self) -> MutexGuard<'_, State_> {
        self.shared.lock()
    }

    /// This data centre's base URL (`{base}` for US, `{base}/eu` for EU): its accounts
    /// server, Mail API and `api_domain`.
    fn base_url(&self) -> String {
        format!(
            "{}{}",
            self.shared.base_url,
            prefix_of(self.dc).unwrap_or_default()
        )
    }
}

/// Every route of one data centre.
fn routes() -> Router<Served> {
    Router::new()
        .route("/oauth/v3/device/code", post(device_code))
        .route("/oauth/v3/device/token", post(device_token))
        .route("/oauth/v2/token", post(token))
        .route("/oauth/user/info", get(user_info))
        .route("/api/organization/{zoid}", get(org_details))
        .route("/api/organization/{zoid}/domains", get(org_domains))
        .route("/api/organization/{zoid}/accounts", get(list_accounts))
        .route(
            "/api/organization/{zoid}/accounts/{id}",
            get(get_account).put(update_account),
        )
}

struct ShutdownOnDrop(Option<tokio::sync::oneshot::Sender<()>>);
impl Drop for ShutdownOnDrop {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}

/// A running emulator; stops when the last clone is dropped.
#[derive(Clone)]
pub struct ZohoSandbox {
    shared: Arc<Shared>,
    /// See [`ZohoSandbox::set_network_down`].
    network_down: Arc<std::sync::atomic::AtomicBool>,
    _shutdown: Arc<ShutdownOnDrop>,
}

impl std::fmt::Debug for ZohoSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZohoSandbox")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

fn sha256(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

fn random_token(prefix: &str) -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::rngs::OsRng.gen();
    format!("{prefix}.{}", hex::encode(bytes))
}

fn seed(extra_users: usize) -> Vec<EmuUser> {
    let mut users = Vec::new();
    let mut next = 60_000_001u64;
    let mut add = |email: &str, first: &str, last: &str, role: &str, confirmed: bool| {
        users.push(EmuUser {
            zuid: next,
            account_id: next + 9_000_000_000,
            email: email.to_string(),
            first: first.to_string(),
            last: last.to_string(),
            role: role.to_string(),
            confirmed,
            tfa_enabled: true,
            password_sha256: None,
            password_resets: 0,
            last_reset: None,
        });
        next += 1;
    };
    for (email, name, role) in OPERATORS {
        let (first, last) = name.split_once(' ').unwrap_or((name, ""));
        add(email, first, last, role, true);
    }
    add(CONFIRMED_USER, "Annette", "Charbonneau", "member", true);
    add(SECOND_ADMIN, "Alex", "Admin", "admin", true);
    add(PENDING_USER, "Pat", "Pending", "member", false);
    add(EXTERNAL_USER, "Eve", "External", "member", true);
    for i in 1..=extra_users {
        add(
            &format!("user{i:03}@{DOMAIN}"),
            "User",
            &format!("{i:03}"),
            "member",
            i % 10 != 0,
        );
    }
    users
}

impl ZohoSandbox {
    /// Starts the emulator with the named users and `extra_users` generated ones (every
    /// tenth of them pending).
    pub async fn start(extra_users: usize) -> std::io::Result<ZohoSandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            base_url,
            state: Mutex::new(State_ {
                users: seed(extra_users),
                devices: HashMap::new(),
                refresh_tokens: HashMap::new(),
                access_tokens: HashMap::new(),
                organisation_dc: DataCentre::Us,
                other_dc_answers: 0,
                faults: ZohoFaults::default(),
                mail_requests: 0,
                limit: RATE_LIMIT,
                recent: HashMap::new(),
                limited: 0,
            }),
        });
        let mut app = Router::new();
        for (dc, prefix) in DATA_CENTRES {
            let served = routes().with_state(Served {
                shared: shared.clone(),
                dc,
            });
            app = if prefix.is_empty() {
                app.merge(served)
            } else {
                app.nest(prefix, served)
            };
        }
        let network_down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let listener = crate::network::SwitchedListener {
            inner: listener,
            down: Arc::clone(&network_down),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = served.await {
                tracing::warn!(%error, "zoho emulator stopped");
            }
        });
        Ok(ZohoSandbox {
            shared,
            network_down,
            _shutdown: Arc::new(ShutdownOnDrop(Some(stop))),
        })
    }

    /// Test knob: while `down`, connections to the emulator are dropped and open ones cut, as
    /// when the VPN or Wi-Fi goes away (no HTTP answer at all).
    pub fn set_network_down(&self, down: bool) {
        self.network_down
            .store(down, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether [`Self::set_network_down`] cut the network now.
    pub fn network_down(&self) -> bool {
        self.network_down.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// Settings that reach this emulator (US data centre, every base URL overridden), with
    /// the EU data centre's servers (under `/eu`) as the other one an account may be in.
    pub fn settings(&self) -> ZohoSettings {
        let base = self.base_url();
        let mut settings = ZohoSettings::new(DataCentre::Us, CLIENT_ID, ZOID.to_string());
        settings.accounts_base_url = Some(base.clone());
        settings.mail_base_url = Some(base.clone());
        settings.directory_base_url = Some(format!("{base}/directory"));
        // The client paces to the limit this emulator enforces.
        settings.mail_request_limit = Some(self.shared.lock().limit);
        settings.other_data_centres = vec![DataCentreServers {
            data_centre: DataCentre::Eu,
            accounts_base_url: format!("{base}/eu"),
            mail_base_url: format!("{base}/eu"),
            directory_base_url: format!("{base}/eu/directory"),
        }];
        settings
    }

    /// Moves the organisation (and every account) to `dc`: true for the data centres the
    /// emulator plays (US, EU); false, and no change, for the others. Tokens already issued
    /// stay with the data centre that issued them.
    pub fn set_organisation_data_centre(&self, dc: DataCentre) -> bool {
        if prefix_of(dc).is_none() {
            return false;
        }
        self.shared.lock().organisation_dc = dc;
        true
    }

    /// Where the organisation lives (US unless moved).
    pub fn organisation_data_centre(&self) -> DataCentre {
        self.shared.lock().organisation_dc
    }

    /// How many device-token polls were answered `other_dc`.
    pub fn other_dc_answers(&self) -> u32 {
        self.shared.lock().other_dc_answers
    }

    /// The request limit enforced from now on (tests of pacing set their own).
    pub fn set_request_limit(&self, limit: RequestLimit) {
        let mut state = self.shared.lock();
        state.limit = limit;
        state.recent.clear();
    }

    /// How many requests were answered 429 for going over the request limit.
    pub fn limited_requests(&self) -> u32 {
        self.shared.lock().limited
    }

    /// The demo operators, for the sandbox connection's sign-in.
    pub fn demo_accounts(&self) -> Vec<resetdesk_model::connection::DemoAccount> {
        OPERATORS
            .iter()
            .map(
                |(email, name, role)| resetdesk_model::connection::DemoAccount {
                    user_principal_name: email.to_string(),
                    display_name: name.to_string(),
                    role_label: role_label(role).to_string(),
                    password: None,
                    second_factor_code: None,
                },
            )
            .collect()
    }

    /// Plays the operator at the verification page: approves `user_code` as `email`.
    /// False if the code or the operator is unknown, or the code is no longer pending.
    pub fn approve_device(&self, user_code: &str, email: &str) -> bool {
        let mut state = self.shared.lock();
        let Some(zuid) = state
            .users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .map(|u| u.zuid)
        else {
            return false;
        };
        self.set_device_state(&mut state, user_code, DeviceState::Approved(zuid))
    }

    /// The operator clicked Deny.
    pub fn deny_device(&self, user_code: &str) -> bool {
        let mut state = self.shared.lock();
        self.set_device_state(&mut state, user_code, DeviceState::Denied)
    }

    /// The code ran out of time.
    pub fn expire_device(&self, user_code: &str) -> bool {
        let mut state = self.shared.lock();
        self.set_device_state(&mut state, user_code, DeviceState::Expired)
    }

    fn set_device_state(&self, state: &mut State_, user_code: &str, to: DeviceState) -> bool {
        match state
            .devices
            .values_mut()
            .find(|g| g.user_code == user_code && g.state == DeviceState::Pending)
        {
            Some(grant) => {
                grant.state = to;
                true
            }
            None => false,
        }
    }

    /// Gives `email` the Mail role `role` ("member", "admin", "super_admin"), as a super admin
    /// does in Zoho's admin panel (Users → the user → Role): a change made elsewhere.
    pub fn set_role(&self, email: &str, role: &str) {
        let mut state = self.shared.lock();
        for user in state
            .users
            .iter_mut()
            .filter(|u| u.email.eq_ignore_ascii_case(email))
        {
            user.role = role.to_string();
        }
    }

    pub fn set_faults(&self, faults: ZohoFaults) {
        self.shared.lock().faults = faults;
    }

    /// Every access token issued so far is now expired (the refresh token still works).
    pub fn expire_access_tokens(&self) {
        let now = Instant::now();
        for token in self.shared.lock().access_tokens.values_mut() {
            token.expires = now;
        }
    }

    /// The refresh tokens are revoked (as when the operator removes the app's access).
    pub fn revoke_refresh_tokens(&self) {
        self.shared.lock().refresh_tokens.clear();
    }

    /// How many refresh tokens were issued to `email` and are still valid.
    pub fn refresh_tokens_of(&self, email: &str) -> usize {
        let Some(zuid) = self.zuid_of(email).and_then(|z| z.parse::<u64>().ok()) else {
            return 0;
        };
        self.shared
            .lock()
            .refresh_tokens
            .values()
            .filter(|t| t.zuid == zuid)
            .count()
    }

    pub fn zuid_of(&self, email: &str) -> Option<String> {
        self.shared
            .lock()
            .users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .map(|u| u.zuid.to_string())
    }

    /// How many times the user's password was reset through the API.
    pub fn password_resets(&self, email: &str) -> u32 {
        self.user_field(email, |u| u.password_resets).unwrap_or(0)
    }

    /// What the user's last password reset applied besides the password.
    pub fn last_reset(&self, email: &str) -> Option<ResetApplied> {
        self.user_field(email, |u| u.last_reset.clone()).flatten()
    }

    /// Whether the user's current password is `candidate` (the emulator keeps a SHA-256, not
    /// the password).
    pub fn password_is(&self, email: &str, candidate: &str) -> bool {
        self.user_field(email, |u| u.password_sha256.clone())
            .flatten()
            .is_some_and(|hash| hash == sha256(candidate))
    }

    /// How many Mail API requests arrived (faulted ones included).
    pub fn mail_requests(&self) -> u32 {
        self.shared.lock().mail_requests
    }

    fn user_field<T>(&self, email: &str, f: impl Fn(&EmuUser) -> T) -> Option<T> {
        self.shared
            .lock()
            .users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .map(f)
    }
}

// ---- accounts server -------------------------------------------------------------------

/// Initiation request (query parameters, as the page documents them). Either data centre
/// starts a code (the grants are shared); the verification URL is the answering one's.
async fn device_code(
    State(served): State<Served>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if query.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return Json(json!({"error": "invalid_client"})).into_response();
    }
    if query.get("grant_type").map(String::as_str) != Some("device_request") {
        return Json(json!({"error": "unsupported_grant_type"})).into_response();
    }
    if query.get("scope").is_none_or(|s| s.trim().is_empty()) {
        return Json(json!({"error": "invalid_scope"})).into_response();
    }
    let device_code = random_token("1004");
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    let letters = b"BCDFGHJKMNPQRSTVWXZ";
    let user_code: String = (0..8)
        .map(|i| {
            let c = char::from(letters[rng.gen_range(0..letters.len())]);
            if i == 4 {
                format!("-{c}")
            } else {
                c.to_string()
            }
        })
        .collect();
    let scopes = scopes_of(query.get("scope").map(String::as_str).unwrap_or_default());
    served.lock().devices.insert(
        device_code.clone(),
        DeviceGrant {
            user_code: user_code.clone(),
            state: DeviceState::Pending,
            expires: Instant::now() + Duration::from_secs(300),
            last_poll: None,
            scopes,
            offline: query.get("access_type").map(String::as_str) == Some("offline"),
        },
    );
    // `interval` and `expires_in` in milliseconds, as the initiation page says
    // (https://www.zoho.com/accounts/protocol/oauth/devices/initiation-request.html).
    let (interval, expires_in) = {
        let state = served.lock();
        (
            state.faults.device_interval.unwrap_or(1000),
            state.faults.device_expires_in.unwrap_or(300_000),
        )
    };
    Json(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_url": format!("{}/oauth/v3/device", served.base_url()),
        "interval": interval,
        "expires_in": expires_in,
    }))
    .into_response()
}

/// Polling request. Feedback values from the polling-request page
/// (https://www.zoho.com/accounts/protocol/oauth/devices/polling-request.html); Zoho answers
/// them with an `error` field (sent here with HTTP 200 ⚠️, the client decides on the body).
///
/// Polled at a data centre other than the organisation's once the user has granted
/// permission, it answers `{"error": "other_dc", "user_location": "eu"}` and leaves the grant
/// approved: "send further polling requests to the server URL corresponding to the user's
/// location" (https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization/limited-input-devices.html).
async fn device_token(
    State(served): State<Served>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let params = params_of(&query, &body);
    if params.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || params.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
    {
        return Json(json!({"error": "invalid_client"})).into_response();
    }
    if params.get("grant_type").map(String::as_str) != Some("device_token") {
        return Json(json!({"error": "unsupported_grant_type"})).into_response();
    }
    let code = params.get("code").cloned().unwrap_or_default();
    let mut state = served.lock();
    let organisation_dc = state.organisation_dc;
    let min_interval = state.faults.min_poll_interval;
    let lifetime = state.faults.token_lifetime;
    let Some(grant) = state.devices.get_mut(&code) else {
        return Json(json!({"error": "invalid_code"})).into_response();
    };
    let now = Instant::now();
    if now > grant.expires && grant.state == DeviceState::Pending {
        grant.state = DeviceState::Expired;
    }
    let too_soon = match (grant.last_poll, min_interval) {
        (Some(last), Some(min)) => now.duration_since(last) < min,
        _ => false,
    };
    grant.last_poll = Some(now);
    match grant.state.clone() {
        DeviceState::Pending if too_soon => Json(json!({"error": "slow_down"})).into_response(),
        DeviceState::Pending => Json(json!({"error": "authorization_pending"})).into_response(),
        DeviceState::Denied => Json(json!({"error": "access_denied"})).into_response(),
        DeviceState::Expired => Json(json!({"error": "expired"})).into_response(),
        DeviceState::Collected => Json(json!({"error": "invalid_code"})).into_response(),
        DeviceState::Approved(_) if served.dc != organisation_dc => {
            state.other_dc_answers += 1;
            Json(json!({
                "error": "other_dc",
                "user_location": location_code(organisation_dc),
            }))
            .into_response()
        }
        DeviceState::Approved(zuid) => {
            grant.state = DeviceState::Collected;
            let scopes = grant.scopes.clone();
            let refresh = grant.offline.then(|| random_token("1000"));
            if let Some(refresh) = &refresh {
                state.refresh_tokens.insert(
                    refresh.clone(),
                    RefreshToken {
                        zuid,
                        scopes: scopes.clone(),
                        dc: served.dc,
                    },
                );
            }
            let (access, seconds) = issue(&mut state, zuid, scopes, lifetime, served.dc);
            let mut answer = json!({
                "access_token": access,
                "api_domain": served.base_url(),
                "token_type": "Bearer",
                "expires_in": seconds,
            });
            if let Some(refresh) = refresh {
                answer["refresh_token"] = json!(refresh);
            }
            Json(answer).into_response()
        }
    }
}

/// A new access token of `zuid`, issued by (and valid at) data centre `dc`.
fn issue(
    state: &mut State_,
    zuid: u64,
    scopes: Vec<String>,
    lifetime: Option<Duration>,
    dc: DataCentre,
) -> (String, u64) {
    let lifetime = lifetime.unwrap_or(Duration::from_secs(3600));
    let token = random_token("1000");
    state.access_tokens.insert(
        token.clone(),
        AccessToken {
            zuid,
            expires: Instant::now() + lifetime,
            scopes,
            dc,
        },
    );
    (token, lifetime.as_secs())
}

fn params_of(query: &HashMap<String, String>, body: &[u8]) -> HashMap<String, String> {
    let mut params = query.clone();
    for (k, v) in url::form_urlencoded::parse(body) {
        params.insert(k.into_owned(), v.into_owned());
    }
    params
}

/// Refresh (`grant_type=refresh_token`); Zoho's `invalid_code` for an unknown token, and for
/// one another data centre issued (it is unknown here).
async fn token(
    State(served): State<Served>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let params = params_of(&query, &body);
    if params.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || params.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
    {
        return Json(json!({"error": "invalid_client"})).into_response();
    }
    if params.get("grant_type").map(String::as_str) != Some("refresh_token") {
        return Json(json!({"error": "unsupported_grant_type"})).into_response();
    }
    let mut state = served.lock();
    let lifetime = state.faults.token_lifetime;
    let Some(refresh) = params
        .get("refresh_token")
        .and_then(|t| state.refresh_tokens.get(t).cloned())
        .filter(|t| t.dc == served.dc)
    else {
        return Json(json!({"error": "invalid_code"})).into_response();
    };
    let (access, seconds) = issue(
        &mut state,
        refresh.zuid,
        refresh.scopes,
        lifetime,
        served.dc,
    );
    Json(json!({
        "access_token": access,
        "api_domain": served.base_url(),
        "token_type": "Bearer",
        "expires_in": seconds,
    }))
    .into_response()
}

/// The access token of `Authorization: Zoho-oauthtoken …` (or `Bearer …`), if data centre
/// `dc` issued it (another's is unknown here).
fn presented<'a>(
    state: &'a State_,
    headers: &HeaderMap,
    dc: DataCentre,
) -> Option<&'a AccessToken> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let token = value
        .strip_prefix("Zoho-oauthtoken ")
        .or_else(|| value.strip_prefix("Bearer "))?;
    state.access_tokens.get(token.trim()).filter(|t| t.dc == dc)
}

/// The caller's ZUID: a live access token that data centre `dc` issued.
fn caller(state: &State_, headers: &HeaderMap, dc: DataCentre) -> Option<u64> {
    let token = presented(state, headers, dc)?;
    (Instant::now() < token.expires).then_some(token.zuid)
}

/// Refuses a request whose token was not granted one of `accepted` (each Mail API page names
/// the scopes it needs), as Zoho answers a call outside the token's scopes.
fn require_scope(
    state: &State_,
    headers: &HeaderMap,
    dc: DataCentre,
    accepted: &[&str],
) -> Result<(), Response> {
    let granted = presented(state, headers, dc).is_some_and(|token| {
        token
            .scopes
            .iter()
            .any(|s| accepted.iter().any(|a| a.eq_ignore_ascii_case(s)))
    });
    if granted {
        Ok(())
    } else {
        Err(envelope_error(
            StatusCode::FORBIDDEN,
            "Invalid OAuthScope",
            "INVALID_OAUTHSCOPE",
            "The OAuth token does not carry the scope this API needs",
        ))
    }
}

async fn user_info(State(served): State<Served>, headers: HeaderMap) -> Response {
    let state = served.lock();
    let Some(zuid) = caller(&state, &headers, served.dc) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_oauthtoken"})),
        )
            .into_response();
    };
    let Some(user) = state.users.iter().find(|u| u.zuid == zuid) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_oauthtoken"})),
        )
            .into_response();
    };
    Json(json!({
        "ZUID": user.zuid,
        "Email": user.email,
        "Display_Name": format!("{} {}", user.first, user.last),
        "First_Name": user.first,
        "Last_Name": user.last,
    }))
    .into_response()
}

// ---- Mail organisation API ------------------------------------------------------------

fn envelope_error(status: StatusCode, description: &str, code: &str, more: &str) -> Response {
    (
        status,
        Json(json!({
            "status": {"code": status.as_u16(), "description": description},
            "data": {"errorCode": code, "moreInfo": more},
        })),
    )
        .into_response()
}

fn ok(data: Value) -> Response {
    Json(json!({"status": {"code": 200, "description": "success"}, "data": data})).into_response()
}

/// The front door of every Mail API request: faults, token (one data centre `dc` issued),
/// organisation (which exists only in its own data centre), admin role.
fn admit(
    state: &mut State_,
    headers: &HeaderMap,
    zoid: &str,
    dc: DataCentre,
) -> Result<u64, Response> {
    state.mail_requests += 1;
    if state.faults.throttle_next > 0 {
        state.faults.throttle_next -= 1;
        let mut response = envelope_error(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            "TOO_MANY_REQUESTS",
            "Too many requests within a certain time frame",
        );
        if let Ok(value) = state.faults.retry_after_secs.to_string().parse() {
            response.headers_mut().insert("retry-after", value);
        }
        return Err(response);
    }
    if state.faults.server_error_next > 0 {
        state.faults.server_error_next -= 1;
        return Err(envelope_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Error",
            "INTERNAL_ERROR",
            "The server encountered an unexpected error",
        ));
    }
    let Some(zuid) = caller(state, headers, dc) else {
        return Err(envelope_error(
            StatusCode::UNAUTHORIZED,
            "Invalid OAuthToken",
            "INVALID_OAUTHTOKEN",
            "The OAuth token is missing, invalid or expired",
        ));
    };
    if let Some(refusal) = over_the_limit(state, zuid) {
        return Err(refusal);
    }
    // A token can only be had where the accounts live, so the token check above already
    // refuses the other data centre; this covers tokens issued before the organisation moved.
    if zoid != ZOID.to_string() || dc != state.organisation_dc {
        return Err(envelope_error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "ORG_NOT_FOUND",
            "No such organization",
        ));
    }
    let role = state
        .users
        .iter()
        .find(|u| u.zuid == zuid)
        .map(|u| u.role.clone())
        .unwrap_or_default();
    if role != "admin" && role != "super_admin" {
        return Err(envelope_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "PERMISSION_DENIED",
            "Only organization admins can access this API",
        ));
    }
    Ok(zuid)
}

/// Zoho Mail's REST APIs allow 30 requests a minute unless an API states its own; past it
/// they answer 429 and lock the API for a period Zoho does not publish (the Mail API
/// documentation's *Rate Limits*, https://www.zoho.com/mail/help/api/). The emulator keeps the
/// 30 on a clock sixty times faster (a window of one second), so tests and the demo do not wait
/// minutes, and advertises it in `settings()` for the client to pace to; the lock lasts five
/// windows, longer than a client that merely retries after a second would wait.
const RATE_LIMIT: RequestLimit = RequestLimit {
    requests: 30,
    window_millis: 1_000,
};
const LOCK_WINDOWS: u32 = 5;

/// A 429 when this operator went over the limit in the last window, or is still locked out.
fn over_the_limit(state: &mut State_, zuid: u64) -> Option<Response> {
    let now = Instant::now();
    let window = state.limit.window();
    let limit = state.limit.requests as usize;
    let (sent, locked_until) = state.recent.entry(zuid).or_default();
    let refuse = if locked_until.is_some_and(|until| until > now) {
        true
    } else {
        while sent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= window)
        {
            sent.pop_front();
        }
        sent.push_back(now);
        if sent.len() > limit {
            *locked_until = Some(now + window * LOCK_WINDOWS);
            true
        } else {
            false
        }
    };
    if !refuse {
        return None;
    }
    state.limited += 1;
    Some(envelope_error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests",
        "TOO_MANY_REQUESTS",
        "Too many requests within a certain time frame",
    ))
}

fn account_json(user: &EmuUser) -> Value {
    json!({
        "zuid": user.zuid,
        "accountId": user.account_id.to_string(),
        "primaryEmailAddress": user.email,
        "emailAddress": [{"mailId": user.email, "isPrimary": true, "isAlias": false, "isConfirmed": user.confirmed}],
        "firstName": user.first,
        "lastName": user.last,
        "displayName": format!("{} {}", user.first, user.last),
        "role": user.role,
        "tfaEnabled": user.tfa_enabled,
        "type": "Zoho",
    })
}

/// Organisation details: documented for partner organisations, with a partner scope
/// (https://www.zoho.com/mail/help/api/get-org-details.html); an organisation administrator's
/// token without it is refused.
async fn org_details(
    State(served): State<Served>,
    headers: HeaderMap,
    Path(zoid): Path<String>,
) -> Response {
    let mut state = served.lock();
    if let Err(refused) = admit(&mut state, &headers, &zoid, served.dc) {
        return refused;
    }
    if let Err(refused) = require_scope(
        &state,
        &headers,
        served.dc,
        &[
            "ZohoMail.partner.organization.READ",
            "ZohoMail.partner.organization.ALL",
        ],
    ) {
        return refused;
    }
    ok(json!({
        "zoid": ZOID,
        "orgName": "Zylker (sandbox)",
        "primaryDomainName": DOMAIN,
        "domains": [{"domainName": DOMAIN, "isVerified": true}],
    }))
}

/// "Fetch All Domains": `GET /api/organization/{zoid}/domains`, scope
/// `ZohoMail.organization.domains.READ` (or `.ALL`), answering `data.domainVO[]` with each
/// `domainName` and `verificationStatus` (https://www.zoho.com/mail/help/api/get-all-domains.html).
async fn org_domains(
    State(served): State<Served>,
    headers: HeaderMap,
    Path(zoid): Path<String>,
) -> Response {
    let mut state = served.lock();
    if let Err(refused) = admit(&mut state, &headers, &zoid, served.dc) {
        return refused;
    }
    if let Err(refused) = require_scope(
        &state,
        &headers,
        served.dc,
        &[
            "ZohoMail.organization.domains.READ",
            "ZohoMail.organization.domains.ALL",
        ],
    ) {
        return refused;
    }
    ok(json!({
        "domainVO": [{
            "zoid": ZOID,
            "domainName": DOMAIN,
            "verificationStatus": true,
            "primary": true,
            "status": "enabled",
        }],
    }))
}

async fn list_accounts(
    State(served): State<Served>,
    headers: HeaderMap,
    Path(zoid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut state = served.lock();
    if let Err(refused) = admit(&mut state, &headers, &zoid, served.dc) {
        return refused;
    }
    let number = |name: &str, default: usize| -> Result<usize, Response> {
        match query.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| {
                envelope_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid Input",
                    "INVALID_PARAMETER",
                    &format!("{name} must be a number"),
                )
            }),
        }
    };
    let (start, limit) = match (number("start", 0), number("limit", 10)) {
        (Ok(s), Ok(l)) => (s, l),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let page: Vec<Value> = state
        .users
        .iter()
        .skip(start)
        .take(limit)
        .map(account_json)
        .collect();
    ok(Value::Array(page))
}

fn find<'a>(users: &'a mut [EmuUser], id: &str) -> Option<&'a mut EmuUser> {
    users
        .iter_mut()
        .find(|u| u.zuid.to_string() == id || u.email.eq_ignore_ascii_case(id))
}

async fn get_account(
    State(served): State<Served>,
    headers: HeaderMap,
    Path((zoid, id)): Path<(String, String)>,
) -> Response {
    let mut state = served.lock();
    if let Err(refused) = admit(&mut state, &headers, &zoid, served.dc) {
        return refused;
    }
    match find(&mut state.users, &id) {
        Some(user) => ok(account_json(user)),
        None => envelope_error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "USER_NOT_FOUND",
            "No such user in the organization",
        ),
    }
}

/// The emulator's password policy (stricter than the client's floor in one way, so that a
/// policy refusal by Zoho can be tested): 8–100 characters, three character classes, and
/// not containing "password" or "zoho".
fn policy_refusal(password: &str) -> Option<&'static str> {
    let length = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let lower = password.to_lowercase();
    if !(8..=100).contains(&length) {
        Some("Password length must be between 8 and 100 characters")
    } else if classes < 3 {
        Some("Password does not meet the organization's password policy")
    } else if lower.contains("password") || lower.contains("zoho") {
        Some("Password is too easy to guess")
    } else {
        None
    }
}

/// `PUT …/accounts/{zuid}` with `mode`: `resetPassword` (and `updateTFAStatus`, so a client
/// that sends it sees it work; ResetDesk does not, see `options.rs`).
async fn update_account(
    State(served): State<Served>,
    headers: HeaderMap,
    Path((zoid, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut state = served.lock();
    let caller_zuid = match admit(&mut state, &headers, &zoid, served.dc) {
        Ok(zuid) => zuid,
        Err(refused) => return refused,
    };
    if state.faults.server_error_next_write > 0 {
        state.faults.server_error_next_write -= 1;
        return envelope_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Error",
            "INTERNAL_ERROR",
            "The server encountered an unexpected error",
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return envelope_error(
            StatusCode::BAD_REQUEST,
            "Invalid Input",
            "INVALID_JSON",
            "The request body is not JSON",
        );
    };
    let caller_role = state
        .users
        .iter()
        .find(|u| u.zuid == caller_zuid)
        .map(|u| u.role.clone())
        .unwrap_or_default();
    let Some(user) = find(&mut state.users, &id) else {
        return envelope_error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "USER_NOT_FOUND",
            "No such user in the organization",
        );
    };
    if caller_role != "super_admin" && user.role != "member" {
        return envelope_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "PERMISSION_DENIED",
            "Only the super admin can change another admin",
        );
    }
    match body["mode"].as_str() {
        Some("resetPassword") => {
            // The current "Reset User Password" page marks `zuid` as a mandatory body field
            // (https://www.zoho.com/mail/help/api/put-reset-user-password.html); the sample
            // sends it as a number. It must name the account of the path.
            let body_zuid = match &body["zuid"] {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) => Some(s.clone()),
                _ => None,
            };
            if body_zuid.as_deref() != Some(user.zuid.to_string().as_str()) {
                return envelope_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid Input",
                    "ZUID_REQUIRED",
                    "zuid is mandatory and must be the account's zuid",
                );
            }
            let Some(password) = body["password"].as_str() else {
                return envelope_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid Input",
                    "PASSWORD_REQUIRED",
                    "password is mandatory",
                );
            };
            if !user.confirmed {
                return envelope_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid Input",
                    "USER_NOT_CONFIRMED",
                    "The user has not confirmed their account",
                );
            }
            if let Some(reason) = policy_refusal(password) {
                return envelope_error(
                    StatusCode::BAD_REQUEST,
                    "Invalid Input",
                    "PASSWORD_POLICY_VIOLATION",
                    reason,
                );
            }
            // The current page documents two more fields, both true when left out
            // (https://www.zoho.com/mail/help/api/put-reset-user-password.html): `oneTimePassword`
            // and the session field, which its parameter table spells `resetAuthToken` and its
            // sample request `resetAuthtoken`. Either spelling is accepted; both at once must
            // agree.
            let flag = |name: &str| match &body[name] {
                Value::Null => Ok(None),
                Value::Bool(b) => Ok(Some(*b)),
                _ => Err(name.to_string()),
            };
            let read = (
                flag("oneTimePassword"),
                flag("resetAuthToken"),
                flag("resetAuthtoken"),
            );
            let (one_time, table, sample) = match read {
                (Ok(a), Ok(b), Ok(c)) => (a, b, c),
                (Err(name), _, _) | (_, Err(name), _) | (_, _, Err(name)) => {
                    return envelope_error(
                        StatusCode::BAD_REQUEST,
                        "Invalid Input",
                        "INVALID_PARAMETER",
                        &format!("{name} must be a boolean"),
                    )
                }
            };
            if let (Some(a), Some(b)) = (table, sample) {
                if a != b {
                    return envelope_error(
                        StatusCode::BAD_REQUEST,
                        "Invalid Input",
                        "INVALID_PARAMETER",
                        "resetAuthToken and resetAuthtoken disagree",
                    );
                }
            }
            let mut spellings = Vec::new();
            if table.is_some() {
                spellings.push("resetAuthToken".to_string());
            }
            if sample.is_some() {
                spellings.push("resetAuthtoken".to_string());
            }
            user.password_sha256 = Some(sha256(password));
            user.password_resets += 1;
            user.last_reset = Some(ResetApplied {
                one_time_password: one_time.unwrap_or(true),
                reset_auth_token: table.or(sample).unwrap_or(true),
                auth_token_spellings: spellings,
            });
            ok(json!({"zuid": user.zuid}))
        }
        Some("updateTFAStatus") => match body["tfaEnabled"].as_bool() {
            Some(enabled) => {
                user.tfa_enabled = enabled;
                ok(json!({"zuid": user.zuid}))
            }
            None => envelope_error(
                StatusCode::BAD_REQUEST,
                "Invalid Input",
                "INVALID_PARAMETER",
                "tfaEnabled must be true or false",
            ),
        },
        _ => envelope_error(
            StatusCode::BAD_REQUEST,
            "Invalid Input",
            "INVALID_MODE",
            "Unknown mode",
        ),
    }
}

#[cfg(test)]
mod tests;
