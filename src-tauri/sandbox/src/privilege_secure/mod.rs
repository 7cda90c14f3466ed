//! An emulator of Netwrix Privilege Secure 4.x (Access Management) for the demo and the tests,
//! served over HTTPS on 127.0.0.1 with a self-signed certificate made at start (so the client's
//! certificate handling is exercised for real).
//!
//! It speaks the documented shapes (netwrix/privilege-secure `api-docs/4.2`): the two-step
//! sign-in (`/signinBody`, `/signin2fa`), token renewal (`/api/v1/UserToken`), and the
//! `ManagedAccount` calls the provider uses, with their roles (403 problem details "User is not
//! an Administrator"), 404s and `ProblemDetails` errors.
//!
//! Its organisation: a domain "CORP" with users configured individually (alice), users who
//! inherit access through the configured AD group "Privilege Secure_Users" (bob, carol), a user
//! with no access (dave), an Administrator operator and a Reviewer (non-admin) operator.
//!
//! Where the documentation is silent the emulator decides (and the provider does not rely on
//! more than this): a group member has an NPS user record (the `ManagedAccountJoin` of the
//! group) but `managed: false`; adding the user individually creates a separate entry with its
//! own id; `ResetMFA` on a group-membership record is refused with 400 (the seed's rule: reset
//! a single user's token through an individual entry, never through the group).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rand::Rng as _;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::task::JoinHandle;
use uuid::Uuid;

use resetdesk_model::error::{AppError, Result};

pub const ADMIN_LOGIN: &str = "CORP\\nps.admin";
pub const ADMIN_PASSWORD: &str = "Sandbox-Admin-2fa!";
pub const REVIEWER_LOGIN: &str = "CORP\\nps.reviewer";
pub const REVIEWER_PASSWORD: &str = "Sandbox-Reviewer-2fa!";
/// A second administrator: a second person who may approve the first one's resets.
pub const LEAD_LOGIN: &str = "CORP\\nps.lead";
pub const LEAD_PASSWORD: &str = "Sandbox-Lead-2fa!";
pub const ACCESS_GROUP: &str = "Privilege Secure_Users";
pub const DOMAIN: &str = "CORP";

/// Fault knobs for the tests.
#[derive(Debug, Default, Clone, Copy)]
struct Faults {
    /// The next N `ResetMFA` calls answer 400 "Error resetting MFA".
    fail_reset_mfa: u32,
    /// The next N `DELETE ManagedAccount` calls answer 400 "Error deleting user".
    fail_delete: u32,
    /// The next N `POST ManagedAccount` calls answer 400 "Error creating user".
    fail_create: u32,
    /// The next N `DELETE ManagedAccount` calls answer 202 Accepted and do not remove the
    /// entry: 202 means accepted for processing, not done (RFC 9110 §15.3.3), and the delete
    /// page documents 202 (https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/DeleteAsync.md).
    delete_accepted_not_done: u32,
}

#[derive(Debug, Clone)]
struct Operator {
    /// The account's identity id: what its session tokens name as their subject.
    id: Uuid,
    /// The account's name as the server keeps it (`DOMAIN\name`).
    login: String,
    password: String,
    admin: bool,
    code: String,
}

impl Operator {
    /// An Active Directory account signs in by any of its names — `DOMAIN\name`, `name`, or
    /// `name@domain` — the way Windows sign-in forms accept them; all three are one account.
    fn answers_to(&self, typed: &str) -> bool {
        let typed = typed.trim();
        let (domain, name) = self.login.split_once('\\').unwrap_or(("", &self.login));
        typed.eq_ignore_ascii_case(&self.login)
            || typed.eq_ignore_ascii_case(name)
            || typed.eq_ignore_ascii_case(&format!("{name}@{domain}.sandbox"))
    }
}

#[derive(Debug, Clone)]
struct HostUser {
    id: Uuid,
    sam: String,
    display: String,
    /// The NPS user record of a member of a configured group (ManagedAccountJoin).
    membership_id: Option<Uuid>,
    /// The individual entry in Users & Groups.
    individual_id: Option<Uuid>,
    mfa_resets: u32,
}

#[derive(Debug, Clone)]
struct Group {
    id: Uuid,
    name: String,
    ad_group_id: Uuid,
    members: Vec<Uuid>,
}

#[derive(Debug, Clone)]
struct Session {
    login: String,
    full: bool,
    expires_at: DateTime<Utc>,
    /// The web-session cookie `/signinBody` set with this first token.
    cookie: Option<String>,
}

/// The name of the web-session cookie `/signinBody` sets.
const SESSION_COOKIE: &str = "NPS.Session";

#[derive(Debug)]
struct Inner {
    operators: Vec<Operator>,
    users: Vec<HostUser>,
    groups: Vec<Group>,
    tokens: HashMap<String, Session>,
    token_lifetime: chrono::Duration,
    /// Full tokens are issued as if this long ago (a session that has been running a while).
    token_age: chrono::Duration,
    faults: Faults,
    renewals: u32,
    /// The body of the last `/signin2fa`, as received.
    last_second_factor_body: Option<String>,
    /// Every PowerShell sample of the 4.2 API documentation runs `/signinBody` and
    /// `/signin2fa` in one web session ("# Cookie container for multi-factor authentication",
    /// `-WebSession $WebSession` on both calls, e.g.
    /// https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/DeleteMultipleAsync.md).
    /// The pages do not say whether the server requires it: with this on, `/signin2fa` without
    /// the cookie `/signinBody` set answers 401, as a server that requires it would.
    require_sign_in_cookie: bool,
}

#[derive(Clone)]
struct Shared(Arc<Mutex<Inner>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running emulator; it stops when dropped.
pub struct PsEmulator {
    addr: SocketAddr,
    fingerprint: String,
    shared: Shared,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for PsEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PsEmulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for PsEmulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A six-digit code without a leading zero (so the PowerShell sample's bare-number body is
/// valid JSON).
fn six_digits() -> String {
    rand::thread_rng().gen_range(100_000..1_000_000).to_string()
}

fn seed() -> Inner {
    let user = |sam: &str, display: &str| HostUser {
        id: Uuid::new_v4(),
        sam: sam.into(),
        display: display.into(),
        membership_id: None,
        individual_id: None,
        mfa_resets: 0,
    };
    let mut alice = user("alice", "Alice Individual");
    alice.individual_id = Some(Uuid::new_v4());
    let mut bob = user("bob", "Bob Groupmember");
    bob.membership_id = Some(Uuid::new_v4());
    let mut carol = user("carol", "Carol Groupmember");
    carol.membership_id = Some(Uuid::new_v4());
    let dave = user("dave", "Dave Noaccess");
    let group = Group {
        id: Uuid::new_v4(),
        name: ACCESS_GROUP.into(),
        ad_group_id: Uuid::new_v4(),
        members: vec![bob.id, carol.id],
    };
    // Each operator's code differs from the others', so a code signs in one operator only.
    let mut codes: Vec<String> = Vec::new();
    while codes.len() < 3 {
        let code = six_digits();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let [code_a, code_r, code_l] = <[String; 3]>::try_from(codes).expect("three codes");
    Inner {
        operators: vec![
            Operator {
                id: Uuid::new_v4(),
                login: ADMIN_LOGIN.into(),
                password: ADMIN_PASSWORD.into(),
                admin: true,
                code: code_a,
            },
            Operator {
                id: Uuid::new_v4(),
                login: REVIEWER_LOGIN.into(),
                password: REVIEWER_PASSWORD.into(),
                admin: false,
                code: code_r,
            },
            Operator {
                id: Uuid::new_v4(),
                login: LEAD_LOGIN.into(),
                password: LEAD_PASSWORD.into(),
                admin: true,
                code: code_l,
            },
        ],
        users: vec![alice, bob, carol, dave],
        groups: vec![group],
        tokens: HashMap::new(),
        token_lifetime: chrono::Duration::minutes(30),
        token_age: chrono::Duration::zero(),
        faults: Faults::default(),
        renewals: 0,
        last_second_factor_body: None,
        require_sign_in_cookie: false,
    }
}

/// The fingerprint the operator is shown and pins: SHA-256 of the certificate's DER, upper-case
/// hex pairs joined by `:` (the form browsers and `openssl x509 -fingerprint -sha256` print).
fn certificate_sha256(der: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

impl PsEmulator {
    /// Starts the emulator on 127.0.0.1 (a free port) with a new self-signed certificate for
    /// `localhost` and `127.0.0.1`.
    pub async fn start() -> Result<Self> {
        let internal = |what: &str, e: String| AppError::internal(what.to_string()).with_detail(e);
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .map_err(|e| internal("Could not make the emulator's certificate", e.to_string()))?;
        let cert_der = cert.cert.der().clone();
        let fingerprint = certificate_sha256(cert_der.as_ref());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
            rustls::pki_types::PrivatePkcs8KeyDer::from(cert.key_pair.serialize_der()),
        );
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| internal("Could not set up the emulator's TLS", e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key)
        .map_err(|e| internal("Could not set up the emulator's TLS", e.to_string()))?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| internal("Could not start the emulator", e.to_string()))?;
        let addr = listener
            .local_addr()
            .map_err(|e| internal("Could not start the emulator", e.to_string()))?;
        let shared = Shared(Arc::new(Mutex::new(seed())));
        let app = router(shared.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: nothing to do.
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    // HTTP/1.1 only: ResetDesk's client speaks nothing else (reqwest is built
                    // without HTTP/2), and an HTTP/2 server would ship h2 in the app for nothing.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), TowerToHyperService::new(app))
                        .await;
                });
            }
        });
        Ok(Self {
            addr,
            fingerprint,
            shared,
            task,
        })
    }

    /// `https://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// SHA-256 fingerprint of the emulator's certificate (colon-separated upper-case hex).
    pub fn certificate_sha256(&self) -> &str {
        &self.fingerprint
    }

    /// The settings of a connection to this emulator, trusting its self-signed certificate.
    pub fn settings(&self) -> resetdesk_model::connection::PrivilegeSecureSettings {
        resetdesk_model::connection::PrivilegeSecureSettings {
            base_url: self.base_url(),
            trusted_certificate_sha256: Some(self.certificate_sha256().to_string()),
        }
    }

    /// The demo operators with their password and code (the emulator's own; they open
    /// nothing else), for the sandbox connection's sign-in form.
    pub fn demo_accounts(&self) -> Vec<resetdesk_model::connection::DemoAccount> {
        [
            (
                ADMIN_LOGIN,
                ADMIN_PASSWORD,
                "Privilege Secure Administrator",
            ),
            (REVIEWER_LOGIN, REVIEWER_PASSWORD, "Not an administrator"),
            (LEAD_LOGIN, LEAD_PASSWORD, "Privilege Secure Administrator"),
        ]
        .into_iter()
        .map(
            |(login, password, role)| resetdesk_model::connection::DemoAccount {
                user_principal_name: login.to_string(),
                display_name: login.to_string(),
                role_label: role.to_string(),
                password: Some(password.to_string()),
                second_factor_code: self.second_factor_code(login),
            },
        )
        .collect()
    }

    /// The currently valid second-factor code of an operator (the test hook in place of an
    /// authenticator app).
    /// The body of the last second-factor step, as the server received it.
    pub fn last_second_factor_body(&self) -> Option<String> {
        self.shared.lock().last_second_factor_body.clone()
    }

    /// Sets an operator's current second-factor code (a code with a leading zero, say).
    pub fn set_second_factor_code(&self, login: &str, code: &str) -> bool {
        let mut inner = self.shared.lock();
        match inner.operators.iter_mut().find(|o| o.answers_to(login)) {
            Some(operator) => {
                operator.code = code.to_string();
                true
            }
            None => false,
        }
    }

    pub fn second_factor_code(&self, login: &str) -> Option<String> {
        self.shared
            .lock()
            .operators
            .iter()
            .find(|o| o.answers_to(login))
            .map(|o| o.code.clone())
    }

    /// The host user id of a seeded user (`alice`, `bob`, `carol`, `dave`).
    pub fn user_id(&self, sam: &str) -> Option<String> {
        self.with_user(sam, |u| u.id.to_string())
    }

    /// The id of the user's individual entry in Users & Groups, if there is one.
    pub fn individual_entry(&self, sam: &str) -> Option<String> {
        self.with_user(sam, |u| u.individual_id.map(|i| i.to_string()))
            .flatten()
    }

    /// How many times the user's 2-factor token was reset.
    pub fn mfa_reset_count(&self, sam: &str) -> u32 {
        self.with_user(sam, |u| u.mfa_resets).unwrap_or(0)
    }

    /// The configured groups the user is a member of (names).
    pub fn groups_of(&self, sam: &str) -> Vec<String> {
        let inner = self.shared.lock();
        let Some(u) = inner.users.iter().find(|u| u.sam == sam) else {
            return Vec::new();
        };
        inner
            .groups
            .iter()
            .filter(|g| g.members.contains(&u.id))
            .map(|g| g.name.clone())
            .collect()
    }

    /// Whether `/signin2fa` requires the web-session cookie `/signinBody` set (see
    /// `Inner::require_sign_in_cookie`).
    pub fn require_sign_in_cookie(&self, required: bool) {
        self.shared.lock().require_sign_in_cookie = required;
    }

    /// Adds a domain user (a host user, as AD sync would), after every other, configured
    /// individually in Users & Groups or with no access; returns its id.
    pub fn add_host_user(&self, sam: &str, display: &str, individual: bool) -> String {
        let user = HostUser {
            id: Uuid::new_v4(),
            sam: sam.into(),
            display: display.into(),
            membership_id: None,
            individual_id: individual.then(Uuid::new_v4),
            mfa_resets: 0,
        };
        let id = user.id.to_string();
        self.shared.lock().users.push(user);
        id
    }

    /// The next `n` ResetMFA calls fail with 400.
    pub fn fail_next_reset_mfa(&self, n: u32) {
        self.shared.lock().faults.fail_reset_mfa = n;
    }

    /// The next `n` POST ManagedAccount (add user) calls fail with 400.
    pub fn fail_next_create(&self, n: u32) {
        self.shared.lock().faults.fail_create = n;
    }

    /// The next `n` DELETE ManagedAccount calls answer 202 but leave the entry in place.
    pub fn accept_next_delete_without_doing_it(&self, n: u32) {
        self.shared.lock().faults.delete_accepted_not_done = n;
    }

    /// The next `n` DELETE ManagedAccount calls fail with 400.
    pub fn fail_next_delete(&self, n: u32) {
        self.shared.lock().faults.fail_delete = n;
    }

    /// Lifetime of the tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: std::time::Duration) {
        self.shared.lock().token_lifetime =
            chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::minutes(30));
    }

    /// Full tokens are issued with `iat` this long in the past (and `exp` = `iat` + lifetime),
    /// so a test can hand out a token that is close to expiry without waiting.
    pub fn set_token_age(&self, age: std::time::Duration) {
        self.shared.lock().token_age =
            chrono::Duration::from_std(age).unwrap_or(chrono::Duration::zero());
    }

    /// Ends every session on the server side (as an expiry or a server restart would).
    pub fn expire_all_sessions(&self) {
        let past = Utc::now() - chrono::Duration::seconds(1);
        for s in self.shared.lock().tokens.values_mut() {
            s.expires_at = past;
        }
    }

    /// How many times `GET /api/v1/UserToken` renewed a token.
    pub fn renewals(&self) -> u32 {
        self.shared.lock().renewals
    }

    fn with_user<T>(&self, sam: &str, f: impl FnOnce(&HostUser) -> T) -> Option<T> {
        self.shared
            .lock()
            .users
            .iter()
            .find(|u| u.sam == sam)
            .map(f)
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/signinBody", post(sign_in_body))
        .route("/signin2fa", post(sign_in_2fa))
        .route("/api/v1/UserToken", get(user_token))
        .route("/api/v1/ManagedAccount", post(create_managed_account))
        .route(
            "/api/v1/ManagedAccount/HostUser/Search",
            get(host_user_search),
        )
        .route("/api/v1/ManagedAccount/ByUserId/{user_id}", get(by_user_id))
        .route("/api/v1/ManagedAccount/Reviewer/Info", get(reviewer_info))
        .route("/api/v1/ManagedAccount/ResetMFA/{id}", put(reset_mfa))
        .route("/api/v1/ManagedAccount/{id}/Groups", get(groups_of))
        .route(
            "/api/v1/ManagedAccount/{id}",
            delete(delete_managed_account),
        )
        .fallback(|| async { problem(StatusCode::NOT_FOUND, "Not Found", "No such API") })
        .with_state(shared)
}

/// `Microsoft.AspNetCore.Mvc.ProblemDetails`.
fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    (
        status,
        [("content-type", "application/problem+json")],
        Json(json!({
            "type": format!("https://tools.ietf.org/html/rfc7231#section-{}", match status.as_u16() {
                400 => "6.5.1", 401 => "3.1", 403 => "6.5.3", 404 => "6.5.4", _ => "6.6.1"
            }),
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
        })),
    )
        .into_response()
}

fn not_admin() -> Response {
    problem(
        StatusCode::FORBIDDEN,
        "Forbidden",
        "User is not an Administrator",
    )
}

fn unauthorized() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Invalid or expired token",
    )
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT-shaped token (the signature is random: the emulator recognises its tokens by value).
fn issue(inner: &mut Inner, login: &str, full: bool) -> String {
    let now = if full {
        Utc::now() - inner.token_age
    } else {
        Utc::now()
    };
    let lifetime = if full {
        inner.token_lifetime
    } else {
        chrono::Duration::minutes(5)
    };
    let exp = now + lifetime;
    let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
    let id = inner
        .operators
        .iter()
        .find(|o| o.login == login)
        .map(|o| o.id.to_string())
        .unwrap_or_default();
    // Privilege Secure does not publish its token's claims. The subject is the account's
    // identity id (RFC 7519 §4.1.2: unique in the issuer's context), and `unique_name` its
    // name, as ASP.NET Core's JWT handler writes them (the server is an ASP.NET application:
    // its API pages speak of "the ASP.NET Identity Id",
    // https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/GetByIdentityIdAsync.md).
    let claims = json!({
        "sub": id,
        "unique_name": login,
        "iat": now.timestamp(),
        "exp": exp.timestamp(),
        "jti": Uuid::new_v4().to_string(),
        "mfa": full,
    });
    let sig: [u8; 32] = rand::thread_rng().gen();
    let token = format!(
        "{header}.{}.{}",
        b64(claims.to_string().as_bytes()),
        b64(&sig)
    );
    inner.tokens.insert(
        token.clone(),
        Session {
            login: login.to_string(),
            full,
            expires_at: exp,
            cookie: None,
        },
    );
    token
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_string())
}

/// The signed-in operator of a full (second-factor) session, or the 401 response.
fn session(inner: &Inner, headers: &HeaderMap) -> std::result::Result<Operator, Refusal> {
    let token = bearer(headers).ok_or(Refusal::Unauthorized)?;
    let s = inner.tokens.get(&token).ok_or(Refusal::Unauthorized)?;
    if !s.full || s.expires_at <= Utc::now() {
        return Err(Refusal::Unauthorized);
    }
    inner
        .operators
        .iter()
        .find(|o| o.login == s.login)
        .cloned()
        .ok_or(Refusal::Unauthorized)
}

fn admin(inner: &Inner, headers: &HeaderMap) -> std::result::Result<Operator, Refusal> {
    let op = session(inner, headers)?;
    if op.admin {
        Ok(op)
    } else {
        Err(Refusal::NotAdmin)
    }
}

/// Why a request is refused before it is handled (401 or 403 problem details).
enum Refusal {
    Unauthorized,
    NotAdmin,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unauthorized => unauthorized(),
            Refusal::NotAdmin => not_admin(),
        }
    }
}

#[derive(Deserialize)]
struct SignInBody {
    #[serde(rename = "Login", alias = "login")]
    login: String,
    #[serde(rename = "Password", alias = "password")]
    password: String,
}

async fn sign_in_body(State(shared): State<Shared>, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<SignInBody>(&body) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "Expected {\"Login\",\"Password\"}",
        );
    };
    let mut inner = shared.lock();
    let Some(login) = inner
        .operators
        .iter()
        .find(|o| o.answers_to(&body.login) && o.password == body.password)
        .map(|o| o.login.clone())
    else {
        return problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Invalid login or password",
        );
    };
    let token = issue(&mut inner, &login, false);
    // The web session the samples keep between the two steps.
    let cookie: [u8; 16] = rand::thread_rng().gen();
    let cookie = hex::encode(cookie);
    if let Some(session) = inner.tokens.get_mut(&token) {
        session.cookie = Some(cookie.clone());
    }
    (
        [(
            "set-cookie",
            format!("{SESSION_COOKIE}={cookie}; Path=/; Secure; HttpOnly"),
        )],
        Json(Value::String(token)),
    )
        .into_response()
}

/// The value of the web-session cookie a request carries, if any.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

async fn sign_in_2fa(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let mut inner = shared.lock();
    let Some(token) = bearer(&headers) else {
        return unauthorized();
    };
    let Some(s) = inner.tokens.get(&token).cloned() else {
        return unauthorized();
    };
    if s.full || s.expires_at <= Utc::now() {
        return unauthorized();
    }
    if inner.require_sign_in_cookie && session_cookie(&headers) != s.cookie {
        // A server that keeps the sign-in in its web session does not know this one.
        return problem(StatusCode::UNAUTHORIZED, "Unauthorized", "Invalid MFA code");
    }
    // Every PowerShell sample of the 4.2 API pages posts the code bare (`-Body $MfaCode`
    // with a JSON content type, e.g.
    // https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/ResetMfaAsync.md):
    // the digits as typed, leading zeros kept. A JSON string is accepted too.
    let text = String::from_utf8_lossy(&body).trim().to_string();
    inner.last_second_factor_body = Some(text.clone());
    let code = match serde_json::from_str::<Value>(&text) {
        Ok(Value::String(c)) => c,
        _ if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => text,
        _ => return bad_request("Expected the code, as its digits"),
    };
    let expected = inner
        .operators
        .iter()
        .find(|o| o.login == s.login)
        .map(|o| o.code.clone());
    if expected.as_deref() != Some(code.trim()) {
        return problem(StatusCode::UNAUTHORIZED, "Unauthorized", "Invalid MFA code");
    }
    inner.tokens.remove(&token);
    let full = issue(&mut inner, &s.login, true);
    Json(Value::String(full)).into_response()
}

async fn user_token(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let mut inner = shared.lock();
    let op = match session(&inner, &headers) {
        Ok(op) => op,
        Err(r) => return r.into_response(),
    };
    inner.renewals += 1;
    let token = issue(&mut inner, &op.login, true);
    Json(Value::String(token)).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchQuery {
    #[serde(default)]
    filter_text: Option<String>,
    #[serde(default)]
    filter_entity_type: Option<String>,
    #[serde(default)]
    skip: Option<usize>,
    #[serde(default)]
    take: Option<usize>,
}

fn candidate_view(u: &HostUser) -> Value {
    json!({
        "entityType": "HostUser",
        "id": u.id,
        "name": u.sam,
        "displayName": u.display,
        "userPrincipalName": format!("{}@corp.sandbox", u.sam),
        "samAccountName": u.sam,
        "email": format!("{}@corp.sandbox", u.sam),
        "managed": u.individual_id.is_some(),
        "domainConfigId": Uuid::nil(),
        "domainName": DOMAIN,
        "managedAccountId": u.individual_id.or(u.membership_id),
    })
}

/// Auth roles: Admin, Reviewer, App (both operators pass).
async fn host_user_search(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Response {
    let inner = shared.lock();
    if let Err(r) = session(&inner, &headers) {
        return r.into_response();
    }
    if let Some(t) = q.filter_entity_type.as_deref() {
        if ![
            "HostUser",
            "DomainGroup",
            "ApplicationUser",
            "DomainGroupMember",
        ]
        .contains(&t)
        {
            return problem(
                StatusCode::BAD_REQUEST,
                "Bad Request",
                &format!("The value '{t}' is not valid for filterEntityType."),
            );
        }
        if t != "HostUser" {
            return Json(json!({"data": [], "recordsTotal": 0})).into_response();
        }
    }
    let text = q.filter_text.unwrap_or_default().to_lowercase();
    let matching: Vec<&HostUser> = inner
        .users
        .iter()
        .filter(|u| {
            text.is_empty()
                || u.sam.to_lowercase().contains(&text)
                || u.display.to_lowercase().contains(&text)
        })
        .collect();
    let total = matching.len();
    let data: Vec<Value> = matching
        .into_iter()
        .skip(q.skip.unwrap_or(0))
        .take(q.take.unwrap_or(100))
        .map(candidate_view)
        .collect();
    Json(json!({"data": data, "recordsTotal": total})).into_response()
}

fn info(u: &HostUser, id: Uuid) -> Value {
    json!({
        "id": id,
        "userId": u.id,
        "loginId": null,
        "displayName": u.display,
        "samaccountname": u.sam,
        "email": format!("{}@corp.sandbox", u.sam),
        "type": "HostUser",
        "userPrincipalName": format!("{}@corp.sandbox", u.sam),
        "locked": false,
        "isReviewer": false,
    })
}

/// Auth roles: Admin, App.
async fn by_user_id(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(user_id): Path<String>,
) -> Response {
    let inner = shared.lock();
    if let Err(r) = admin(&inner, &headers) {
        return r.into_response();
    }
    let Ok(id) = Uuid::parse_str(&user_id) else {
        return bad_request("Error finding user");
    };
    match inner.users.iter().find(|u| u.id == id) {
        Some(u) => match u.individual_id.or(u.membership_id) {
            Some(ma) => Json(info(u, ma)).into_response(),
            None => problem(StatusCode::NOT_FOUND, "Not Found", "User not found"),
        },
        None => problem(StatusCode::NOT_FOUND, "Not Found", "User not found"),
    }
}

fn user_by_nps_id(inner: &mut Inner, id: Uuid) -> Option<&mut HostUser> {
    inner
        .users
        .iter_mut()
        .find(|u| u.individual_id == Some(id) || u.membership_id == Some(id))
}

/// Auth roles: Admin, App.
async fn groups_of(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut inner = shared.lock();
    if let Err(r) = admin(&inner, &headers) {
        return r.into_response();
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return bad_request("Invalid id");
    };
    let Some(host_id) = user_by_nps_id(&mut inner, id).map(|u| u.id) else {
        return Json(json!([])).into_response();
    };
    let groups: Vec<Value> = inner
        .groups
        .iter()
        .filter(|g| g.members.contains(&host_id))
        .map(|g| {
            json!({
                "id": g.id,
                "name": g.name,
                "type": "ActiveDirectory",
                "groupId": g.ad_group_id,
                "mfaConnectorId": null,
                "isReviewer": false,
            })
        })
        .collect();
    Json(Value::Array(groups)).into_response()
}

/// Auth roles: Admin (the provider's Administrator check).
async fn reviewer_info(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let inner = shared.lock();
    if let Err(r) = admin(&inner, &headers) {
        return r.into_response();
    }
    Json(json!([])).into_response()
}

/// Auth roles: Admin.
async fn reset_mfa(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut inner = shared.lock();
    if let Err(r) = admin(&inner, &headers) {
        return r.into_response();
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return bad_request("Error resetting MFA");
    };
    if fail_once(&mut inner.faults.fail_reset_mfa) {
        return bad_request("Error resetting MFA");
    }
    match user_by_nps_id(&mut inner, id) {
        Some(u) if u.individual_id == Some(id) => {
            u.mfa_resets += 1;
            StatusCode::OK.into_response()
        }
        Some(_) => bad_request("Error resetting MFA: the user is not configured individually"),
        None => problem(StatusCode::NOT_FOUND, "Not Found", "User not found"),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
}

/// Auth roles: Admin, App.
async fn create_managed_account(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut inner = shared.lock();
    if let Err(r) = admin(&inner, &headers) {
        return r.into_response();
    }
    if fail_once(&mut inner.faults.fail_create) {
        return bad_request("Error creating user");
    }
    let Ok(body) = serde_json::from_slice::<CreateBody>(&body) else {
        return bad_request("Error creating user");
    };
    if body.kind.as_deref().is_some_and(|k| k != "HostUser") {
        return bad_request("Error creating user: unsupported type");
    }
    let Some(user_id) = body.user_id.and_then(|u| Uuid::parse_str(&u).ok()) else {
        return bad_request("Error creating user: userId is required");
    };
    let Some(u) = inner.users.iter_mut().find(|u| u.id == user_id) else {
        return bad_request("Error creating user: host user not found");
    };
    if u.individual_id.is_some() {
        return bad_request("Error creating user: the user is already an NPS user");
    }
    let _ = body.name;
    let id = Uuid::new_v4();
    u.individual_id = Some(id);
    Json(info(u, id)).into_response()
}

/// Auth roles: Admin, App. 202 Accepted with a string body.
async fn delete_managed_account(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut inner = shared.lock();
    if let Err(r) = admin(&inner, &headers) {
        return r.into_response();
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return bad_request("Error deleting user");
    };
    if fail_once(&mut inner.faults.fail_delete) {
        return bad_request("Error deleting user");
    }
    let not_done = fail_once(&mut inner.faults.delete_accepted_not_done);
    match inner.users.iter_mut().find(|u| u.individual_id == Some(id)) {
        Some(u) => {
            if !not_done {
                u.individual_id = None;
            }
            (StatusCode::ACCEPTED, Json(Value::String(id.to_string()))).into_response()
        }
        None => problem(StatusCode::NOT_FOUND, "Not Found", "User not found"),
    }
}

/// A 400 problem-details answer, as the documented calls give for a request they refuse.
fn bad_request(detail: &str) -> Response {
    problem(StatusCode::BAD_REQUEST, "Bad Request", detail)
}

/// Uses up one injected failure of a kind; `true` if the call must fail.
fn fail_once(remaining: &mut u32) -> bool {
    if *remaining == 0 {
        return false;
    }
    *remaining -= 1;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The emulator's own tests check what it answers, not certificate pinning (the client's
    /// tests in the core pin this emulator's certificate).
    async fn raw_client() -> reqwest::Client {
        reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap()
    }

    async fn json_string(response: reqwest::Response) -> String {
        assert_eq!(response.status(), 200);
        response.json::<String>().await.unwrap()
    }

    /// Both documented sign-in steps for `login`, with its current second-factor code: the
    /// session token.
    async fn session_token(
        emu: &PsEmulator,
        http: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> String {
        let base = emu.base_url();
        let first = json_string(
            http.post(format!("{base}/signinBody"))
                .json(&json!({"Login": login, "Password": password}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        json_string(
            http.post(format!("{base}/signin2fa"))
                .bearer_auth(&first)
                .json(&emu.second_factor_code(login).unwrap())
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    #[tokio::test]
    async fn the_documented_sign_in_shapes_and_errors() {
        let emu = PsEmulator::start().await.unwrap();
        let http = raw_client().await;
        let base = emu.base_url();
        let first = json_string(
            http.post(format!("{base}/signinBody"))
                .json(&json!({"Login": ADMIN_LOGIN, "Password": ADMIN_PASSWORD}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        // The first token is not a session: the API refuses it.
        let r = http
            .get(format!("{base}/api/v1/ManagedAccount/Reviewer/Info"))
            .bearer_auth(&first)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        // The PowerShell sample posts the bare code (a JSON number): accepted too.
        let code = emu.second_factor_code(ADMIN_LOGIN).unwrap();
        let session = json_string(
            http.post(format!("{base}/signin2fa"))
                .bearer_auth(&first)
                .header("content-type", "application/json")
                .body(code.clone())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(session.split('.').count(), 3, "a JWT");
        // The first token is used up.
        let r = http
            .post(format!("{base}/signin2fa"))
            .bearer_auth(&first)
            .json(&code)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        // A reviewer gets the documented 403 problem details on an Admin-only call.
        let reviewer = session_token(&emu, &http, REVIEWER_LOGIN, REVIEWER_PASSWORD).await;
        let r = http
            .put(format!(
                "{base}/api/v1/ManagedAccount/ResetMFA/{}",
                emu.individual_entry("alice").unwrap()
            ))
            .bearer_auth(&reviewer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], 403);
        assert_eq!(body["detail"], "User is not an Administrator");
        assert_eq!(emu.mfa_reset_count("alice"), 0);
    }

    #[tokio::test]
    async fn reset_is_refused_on_a_group_membership_record() {
        let emu = PsEmulator::start().await.unwrap();
        let http = raw_client().await;
        let base = emu.base_url();
        let token = session_token(&emu, &http, ADMIN_LOGIN, ADMIN_PASSWORD).await;
        let membership = emu.with_user("bob", |u| u.membership_id).flatten().unwrap();
        let r = http
            .put(format!(
                "{base}/api/v1/ManagedAccount/ResetMFA/{membership}"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(emu.mfa_reset_count("bob"), 0);
        let r = http
            .put(format!(
                "{base}/api/v1/ManagedAccount/ResetMFA/{}",
                Uuid::new_v4()
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
}
