//! Signing the operator in to Zoho with the device authorization grant, and keeping the
//! access token fresh.
//!
//! Zoho documents this flow for "Non-browser applications"
//! (https://zoho.com/accounts/protocol/oauth/limited-input-devices.html): the app asks for a
//! user code ([initiation request](https://zoho.com/accounts/protocol/oauth/devices/initiation-request.html)),
//! shows it with the verification URL, and polls
//! ([polling request](https://zoho.com/accounts/protocol/oauth/devices/polling-request.html))
//! until the operator approves in a browser; then it refreshes with
//! ([refresh](https://zoho.com/accounts/protocol/oauth/devices/refresh-access-token.html)).
//!
//! Why not the `oauth2` crate's device flow: it sends RFC 8628's
//! `grant_type=urn:ietf:params:oauth:grant-type:device_code` and `device_code=…`, while Zoho's
//! polling request is `grant_type=device_token` with `code=…` and the client secret, and
//! Zoho's feedback values (`other_dc`, `expired`) are not RFC 8628's. The requests are small,
//! so they are written here, typed with serde.
//!
//! Where each secret lives: the client secret and the refresh token only in the
//! [`SecretStore`]; the access token only in this process's memory.
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::settings::{DataCentre, ZohoSettings};
use resetdesk_core::auth::{async_trait, AccessTokenSource};
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::secrets::{
    forget_secret, load_bound_secret, load_bound_sign_in, save_bound_secret, BoundSecret,
    SecretStore,
};

/// Secret names in the [`SecretStore`] (account `<connection-id>/<name>`).
pub const REFRESH_TOKEN_SECRET: &str = "refresh_token";
pub const CLIENT_SECRET_SECRET: &str = "client_secret";

/// The scopes ResetDesk asks for, each for one documented call:
/// `AaaServer.profile.READ` for `oauth/user/info`
/// (https://www.zoho.com/accounts/protocol/oauth/use-access-token.html);
/// `ZohoMail.organization.accounts.READ` / `.UPDATE` for listing users and resetting a
/// password (https://www.zoho.com/mail/help/api/get-org-users-details.html,
/// https://www.zoho.com/mail/help/api/put-reset-user-password.html);
/// `ZohoMail.organization.domains.READ` for the organisation's domains (external users:
/// "Fetch All Domains", https://www.zoho.com/mail/help/api/get-all-domains.html). The
/// organisation details call is not used: its page documents it for partner organisations,
/// with a partner scope an organisation's administrator does not have
/// (https://www.zoho.com/mail/help/api/get-org-details.html).
pub const SCOPES: &[&str] = &[
    "AaaServer.profile.READ",
    "ZohoMail.organization.accounts.READ",
    "ZohoMail.organization.accounts.UPDATE",
    "ZohoMail.organization.domains.READ",
];

/// The polling rate Zoho asks for after `slow_down`: "one request per 30 seconds".
pub const SLOW_DOWN_INTERVAL: Duration = Duration::from_secs(30);
/// An access token this close to expiry is refreshed before use.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Zoho access tokens are "valid for 1 hour" (refresh page); used when `expires_in` is absent.
const DEFAULT_LIFETIME_SECS: i64 = 3600;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What the operator is shown while the app polls. `device_code` is a secret (anyone holding
/// it could collect the tokens), so `Debug` hides it.
#[derive(Clone)]
pub struct DeviceAuthorization {
    pub user_code: String,
    pub verification_url: String,
    device_code: SecretString,
    /// How long to wait between polls, as Zoho asked.
    pub interval: Duration,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("user_code", &self.user_code)
            .field("verification_url", &self.verification_url)
            .field("device_code", &"[redacted]")
            .field("interval", &self.interval)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// One poll's answer.
#[derive(Debug)]
pub enum PollOutcome {
    /// `authorization_pending`: ask again after `interval`.
    Pending,
    /// `slow_down`: ask again, but no more than once per [`SLOW_DOWN_INTERVAL`].
    SlowDown,
    /// Approved: the session is ready.
    Approved(Box<ZohoSession>),
    /// `other_dc`: the operator approved, but their account is in this data centre; keep
    /// polling at its accounts server (Zoho's multi-DC page for non-browser apps).
    OtherDataCentre(DataCentre),
}

/// The initiation response. Zoho's page gives `interval` and `expires_in` "in milliseconds"
/// (https://www.zoho.com/accounts/protocol/oauth/devices/initiation-request.html): `interval`
/// is read so; the newer page gives the user code a validity of "5 minutes", so
/// [`duration_of`] reads `expires_in` either way.
#[derive(Deserialize)]
struct InitiationResponse {
    user_code: Option<String>,
    device_code: Option<String>,
    verification_url: Option<String>,
    verification_uri: Option<String>,
    interval: Option<u64>,
    expires_in: Option<u64>,
    error: Option<String>,
}

/// A token response, or a Zoho error in the same JSON (Zoho answers some errors with HTTP
/// 200 and an `error` field, so the body decides, not the status).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
    api_domain: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    user_location: Option<String>,
}

/// A lifetime Zoho documents in milliseconds while its newer page speaks of "5 minutes": a
/// number of 1000 or more is read as milliseconds, a smaller one as seconds.
fn duration_of(value: u64) -> Duration {
    if value >= 1000 {
        Duration::from_millis(value)
    } else {
        Duration::from_secs(value)
    }
}

struct CachedToken {
    token: SecretString,
    expires_at: DateTime<Utc>,
}

/// A signed-in operator's Zoho session: the access token in memory, the refresh token in the
/// store, and when the operator last signed in interactively (for the fresh sign-in check).
pub struct ZohoSession {
    connection_id: String,
    settings: ZohoSettings,
    store: Arc<dyn SecretStore>,
    http: reqwest::Client,
    current: Mutex<Option<CachedToken>>,
    signed_in_at: std::sync::Mutex<Option<DateTime<Utc>>>,
    api_domain: Option<String>,
    /// `false` for an approver's sign-in: its access token only, never refreshed (the
    /// connection's stored refresh token is the operator's), never touching the store.
    keeps_sign_in: bool,
}

impl std::fmt::Debug for ZohoSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZohoSession")
            .field("connection_id", &self.connection_id)
            .field("data_centre", &self.settings.data_centre)
            .field("signed_in_at", &self.signed_in_at())
            .finish_non_exhaustive()
    }
}

/// The device sign-in of one connection.
pub struct DeviceSignIn {
    connection_id: String,
    settings: ZohoSettings,
    store: Arc<dyn SecretStore>,
    http: reqwest::Client,
    /// The operator's sign-in keeps its refresh token in the store; an approver's keeps nothing.
    keeps_sign_in: bool,
}

impl DeviceSignIn {
    /// `http` should not follow redirects (a token endpoint must not forward secrets).
    pub fn new(
        connection_id: impl Into<String>,
        settings: ZohoSettings,
        store: Arc<dyn SecretStore>,
        http: reqwest::Client,
    ) -> Self {
        Self {
            connection_id: connection_id.into(),
            settings,
            store,
            http,
            keeps_sign_in: true,
        }
    }

    /// A second person's sign-in to approve one request: it asks Zoho for online access, so
    /// that no refresh token is issued at all; the session it gives lives on its access token
    /// alone, and nothing is saved, replaced or deleted in the store (the connection's refresh
    /// token stays the operator's; one sent anyway would be dropped unread).
    pub fn for_approver(mut self) -> Self {
        self.keeps_sign_in = false;
        self
    }

    /// Saves the client secret of the registered non-browser app (the polling and refresh
    /// requests need it) in the store.
    pub async fn save_client_secret(&self, secret: &SecretString) -> Result<()> {
        if secret.expose_secret().trim().is_empty() {
            return Err(AppError::invalid_input(
                "The client secret is empty; copy it from the Zoho API console (Client Secret \
                 of the non-browser application).",
            ));
        }
        save_bound_secret(
            &self.store,
            &self.connection_id,
            CLIENT_SECRET_SECRET,
            secret,
            &issuer(&self.settings)?,
        )
        .await
    }

    /// Initiation request: `POST {accounts}/oauth/v3/device/code` with `client_id`,
    /// `grant_type=device_request`, `scope`, `access_type=offline` (so a refresh token comes
    /// back; `online` for an approver, whose sign-in keeps nothing: "If the value is online,
    /// only the access token will be provided",
    /// https://www.zoho.com/accounts/protocol/oauth/devices/initiation-request.html) and
    /// `prompt=consent`.
    pub async fn start(&self) -> Result<DeviceAuthorization> {
        self.settings.validate()?;
        let url = endpoint(&self.settings, "oauth/v3/device/code")?;
        let scope = SCOPES.join(",");
        let response = send(
            &self.settings,
            self.http.post(url).query(&[
                ("client_id", self.settings.client_id.trim()),
                ("grant_type", "device_request"),
                ("scope", scope.as_str()),
                (
                    "access_type",
                    if self.keeps_sign_in {
                        "offline"
                    } else {
                        "online"
                    },
                ),
                ("prompt", "consent"),
            ]),
        )
        .await?;
        let body: InitiationResponse = read_json(&self.settings, response).await?;
        if let Some(error) = body.error {
            return Err(token_endpoint_error(&error, None, None, false));
        }
        let (Some(user_code), Some(device_code)) = (body.user_code, body.device_code) else {
            return Err(unreadable(&self.settings, "no user_code or device_code"));
        };
        let verification_url = body
            .verification_url
            .or(body.verification_uri)
            .ok_or_else(|| unreadable(&self.settings, "no verification_url"))?;
        // `interval` is documented in milliseconds: 500 is half a second. Polls stay at least
        // a second apart (0 must not become a tight loop) and at most a minute.
        let interval = body
            .interval
            .map(Duration::from_millis)
            .unwrap_or(SLOW_DOWN_INTERVAL)
            .clamp(Duration::from_secs(1), Duration::from_secs(60));
        // A sign-in code lives minutes: whatever arrives, between 30 s and 30 min (a huge
        // value must not overflow the expiry time).
        let lifetime = body
            .expires_in
            .map(duration_of)
            .unwrap_or(Duration::from_secs(300))
            .clamp(Duration::from_secs(30), Duration::from_secs(30 * 60));
        Ok(DeviceAuthorization {
            user_code,
            verification_url,
            device_code: SecretString::from(device_code),
            interval,
            expires_at: Utc::now()
                + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::minutes(5)),
        })
    }

    /// One polling request: `POST {accounts}/oauth/v3/device/token` with `client_id`,
    /// `client_secret`, `grant_type=device_token`, `code`. Denied, expired and other-DC
    /// answers are errors that say what to do.
    pub async fn poll_once(&self, authorization: &DeviceAuthorization) -> Result<PollOutcome> {
        let client_secret = self.client_secret().await?;
        let url = endpoint(&self.settings, "oauth/v3/device/token")?;
        let response = send(
            &self.settings,
            resetdesk_core::secret_body::with_form(
                self.http.post(url),
                &[
                    ("client_id", self.settings.client_id.trim()),
                    ("client_secret", client_secret.expose_secret()),
                    ("grant_type", "device_token"),
                    ("code", authorization.device_code.expose_secret()),
                ],
            ),
        )
        .await?;
        let body: TokenResponse = read_json(&self.settings, response).await?;
        match body.error.as_deref() {
            Some("authorization_pending") => return Ok(PollOutcome::Pending),
            Some("slow_down") => return Ok(PollOutcome::SlowDown),
            Some("other_dc") => {
                // https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization/limited-input-devices.html:
                // "send further polling requests to the server URL corresponding to the
                // user's location". A location we cannot name falls through to the error.
                if let Some(dc) = body
                    .user_location
                    .as_deref()
                    .and_then(DataCentre::from_location)
                    .filter(|dc| *dc != self.settings.data_centre)
                {
                    return Ok(PollOutcome::OtherDataCentre(dc));
                }
                return Err(token_endpoint_error(
                    "other_dc",
                    body.error_description.as_deref(),
                    body.user_location.as_deref(),
                    false,
                ));
            }
            Some(error) => {
                return Err(token_endpoint_error(
                    error,
                    body.error_description.as_deref(),
                    body.user_location.as_deref(),
                    false,
                ))
            }
            None => {}
        }
        let Some(access_token) = body.access_token else {
            return Err(unreadable(&self.settings, "no access_token"));
        };
        let session = ZohoSession {
            connection_id: self.connection_id.clone(),
            settings: self.settings.clone(),
            store: self.store.clone(),
            http: self.http.clone(),
            current: Mutex::new(Some(CachedToken {
                token: SecretString::from(access_token),
                expires_at: expiry(body.expires_in),
            })),
            signed_in_at: std::sync::Mutex::new(Some(Utc::now())),
            api_domain: body.api_domain,
            keeps_sign_in: self.keeps_sign_in,
        };
        if !self.keeps_sign_in {
            return Ok(PollOutcome::Approved(Box::new(session)));
        }
        match body.refresh_token {
            Some(refresh) => {
                save_bound_secret(
                    &self.store,
                    &self.connection_id,
                    REFRESH_TOKEN_SECRET,
                    &SecretString::from(refresh),
                    &issuer(&self.settings)?,
                )
                .await?
            }
            // Without a refresh token an older one may belong to another operator: drop it.
            None => forget_secret(&self.store, &self.connection_id, REFRESH_TOKEN_SECRET).await?,
        }
        Ok(PollOutcome::Approved(Box::new(session)))
    }

    /// Polls until the operator approves, denies, or the code expires, waiting `interval`
    /// between polls (30 s after `slow_down`, as Zoho asks). `slow_down_interval` is the
    /// emulator's knob; pass [`SLOW_DOWN_INTERVAL`] for Zoho.
    ///
    /// When Zoho answers that the operator's account is in another data centre, polling goes
    /// on there (once), and the sign-in moves to it: [`Self::settings`] then names it, and
    /// the connection's secrets are bound to its servers.
    pub async fn wait_for_approval(
        &mut self,
        authorization: &DeviceAuthorization,
        slow_down_interval: Duration,
    ) -> Result<ZohoSession> {
        let mut interval = authorization.interval;
        let mut moved = false;
        loop {
            if Utc::now() > authorization.expires_at {
                return Err(AppError::not_signed_in(
                    "The sign-in code expired before it was approved; start the sign-in again.",
                ));
            }
            match self.poll_once(authorization).await? {
                PollOutcome::Approved(session) => return Ok(*session),
                PollOutcome::Pending => {}
                PollOutcome::SlowDown => interval = interval.max(slow_down_interval),
                PollOutcome::OtherDataCentre(dc) if !self.keeps_sign_in => {
                    // Moving would bind the connection's client secret elsewhere.
                    return Err(AppError::invalid_input(format!(
                        "The approver's account is kept in the {} data centre, not in this connection's ({}). Ask an administrator of this organisation to approve.",
                        dc.label(),
                        self.settings.data_centre.label()
                    )));
                }
                PollOutcome::OtherDataCentre(dc) if !moved => {
                    self.move_to(dc).await?;
                    moved = true;
                    // The approval is there already: ask the right server at once.
                    continue;
                }
                PollOutcome::OtherDataCentre(dc) => {
                    return Err(AppError::new(
                        ErrorKind::Provider,
                        format!(
                            "Zoho sent the sign-in to {} after sending it to {}; start the \
                             sign-in again.",
                            dc.label(),
                            self.settings.data_centre.label()
                        ),
                    ))
                }
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// The settings the sign-in uses now (another data centre's after an `other_dc`).
    pub fn settings(&self) -> &ZohoSettings {
        &self.settings
    }

    /// Moves the sign-in to `data_centre`: its servers (refused if they cannot be known), and
    /// the client secret bound to them instead of the old ones, so that it is sent there.
    async fn move_to(&mut self, data_centre: DataCentre) -> Result<()> {
        let moved = self.settings.in_data_centre(data_centre)?;
        let client_secret = self.client_secret().await?;
        tracing::info!(
            connection = %self.connection_id,
            from = ?self.settings.data_centre,
            to = ?data_centre,
            "the Zoho account is in another data centre: polling there"
        );
        self.settings = moved;
        self.save_client_secret(&client_secret).await
    }

    async fn client_secret(&self) -> Result<SecretString> {
        client_secret(&self.store, &self.connection_id, &self.settings).await
    }
}

/// The page a device sign-in's code is entered on, as Zoho answered it, if it may be opened:
/// an https page on the connection's own accounts server (Zoho's device flow answers
/// `verification_url` on it, https://www.zoho.com/accounts/protocol/oauth/devices/initiation-request.html).
/// The address comes from a server's answer, so it is checked before the browser sees it.
pub fn verification_page(settings: &ZohoSettings, verification_url: &str) -> Result<url::Url> {
    let refused = |why: &str| {
        AppError::new(
            ErrorKind::Provider,
            format!("Zoho answered with a verification address that {why}; nothing was opened."),
        )
    };
    let url = url::Url::parse(verification_url).map_err(|_| refused("is not a URL"))?;
    if url.scheme() != "https" {
        return Err(refused("is not an https URL"));
    }
    let accounts = settings.accounts_url()?;
    let same_host = url
        .host_str()
        .zip(accounts.host_str())
        .is_some_and(|(page, ours)| page.eq_ignore_ascii_case(ours));
    if !same_host || url.port_or_known_default() != accounts.port_or_known_default() {
        return Err(refused(&format!(
            "is not on this data centre's accounts server ({})",
            accounts.host_str().unwrap_or_default()
        )));
    }
    Ok(url)
}

/// Where a Zoho connection's secrets are used: the accounts server with the client id (the
/// client secret and refresh token go there), and the API servers (the access tokens go
/// there). Its secrets are kept bound to it.
fn issuer(settings: &ZohoSettings) -> Result<String> {
    Ok(format!(
        "{} for client {} and {}, {}",
        settings.accounts_url()?.as_str().trim_end_matches('/'),
        settings.client_id.trim(),
        settings.mail_url()?.as_str().trim_end_matches('/'),
        settings.directory_url()?.as_str().trim_end_matches('/')
    ))
}

async fn client_secret(
    store: &Arc<dyn SecretStore>,
    connection_id: &str,
    settings: &ZohoSettings,
) -> Result<SecretString> {
    let issuer = issuer(settings)?;
    match load_bound_secret(store, connection_id, CLIENT_SECRET_SECRET, &issuer).await? {
        BoundSecret::Valid(secret) => Ok(secret),
        BoundSecret::Absent => Err(AppError::invalid_input(
            "The Zoho connection has no client secret; enter the client secret of the \
             non-browser application from the Zoho API console.",
        )),
        BoundSecret::IssuedElsewhere { recorded } => Err(BoundSecret::refusal(
            recorded.as_deref(),
            "client secret",
            &issuer,
            "Remove the connection and add it again with its client secret.",
        )),
    }
}

/// The stored refresh token, if it was issued for these settings; one issued elsewhere (the
/// settings were edited since) is deleted, unsent.
async fn stored_refresh_token(
    store: &Arc<dyn SecretStore>,
    connection_id: &str,
    settings: &ZohoSettings,
) -> Result<Option<SecretString>> {
    load_bound_sign_in(
        store,
        connection_id,
        REFRESH_TOKEN_SECRET,
        &issuer(settings)?,
        ("Zoho sign-in", "It has been removed: sign in again."),
    )
    .await
}

impl ZohoSession {
    /// At app start: a session from the stored refresh token (no sign-in), or `None` when
    /// there is nothing to resume. The sign-in time is unknown, so the first sensitive action
    /// asks for a fresh sign-in.
    pub async fn resume(
        connection_id: impl Into<String>,
        settings: ZohoSettings,
        store: Arc<dyn SecretStore>,
        http: reqwest::Client,
    ) -> Result<Option<Self>> {
        settings.validate()?;
        let session = Self {
            connection_id: connection_id.into(),
            settings,
            store,
            http,
            current: Mutex::new(None),
            signed_in_at: std::sync::Mutex::new(None),
            api_domain: None,
            keeps_sign_in: true,
        };
        if stored_refresh_token(&session.store, &session.connection_id, &session.settings)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        session.access_token().await?;
        Ok(Some(session))
    }

    pub fn settings(&self) -> &ZohoSettings {
        &self.settings
    }

    pub fn connection_id(&self) -> &str {
        &self.connection_id
    }

    /// The `api_domain` of the sign-in's token response, if any.
    pub fn api_domain(&self) -> Option<&str> {
        self.api_domain.as_deref()
    }

    /// When the operator last approved a sign-in on this device (`None` after a resume).
    pub fn signed_in_at(&self) -> Option<DateTime<Utc>> {
        *self
            .signed_in_at
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Zoho's dialog asks the admin for their own password before a reset; ResetDesk instead
    /// asks for a sign-in no older than `max_age`. `NotSignedIn` tells the Console to run the
    /// device sign-in again.
    pub fn require_fresh_sign_in(&self, max_age: Duration, now: DateTime<Utc>) -> Result<()> {
        let max = chrono::Duration::from_std(max_age).unwrap_or(chrono::Duration::zero());
        match self.signed_in_at() {
            Some(at) if now - at <= max => Ok(()),
            Some(_) => Err(AppError::not_signed_in(format!(
                "This action needs a recent sign-in (within {} minutes); sign in to Zoho again \
                 to confirm it is you.",
                max_age.as_secs() / 60
            ))),
            None => Err(AppError::not_signed_in(
                "This action needs a recent sign-in; sign in to Zoho again to confirm it is you.",
            )),
        }
    }

    /// For the Console after a re-authentication of the same operator: takes the newer
    /// sign-in's time and token.
    pub async fn adopt(&self, newer: ZohoSession) {
        let token = newer.current.lock().await.take();
        *self.current.lock().await = token;
        *self
            .signed_in_at
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = newer.signed_in_at();
    }

    /// Forgets the access token and deletes the refresh token from the store (an approver's
    /// sign-in has none there: the store is left alone).
    pub async fn sign_out(&self) -> Result<()> {
        *self.current.lock().await = None;
        if !self.keeps_sign_in {
            return Ok(());
        }
        forget_secret(&self.store, &self.connection_id, REFRESH_TOKEN_SECRET).await
    }

    /// Refresh: `POST {accounts}/oauth/v2/token` with `grant_type=refresh_token`,
    /// `client_id`, `client_secret`, `refresh_token`, sent in the body ("for security
    /// reasons, pass the below parameters in the body of your request",
    /// https://www.zoho.com/assist/api/generate-access-token.html). Zoho does not rotate the
    /// refresh token. A refused one is deleted and reported as NotSignedIn.
    async fn refresh(&self, current: &mut Option<CachedToken>) -> Result<SecretString> {
        if !self.keeps_sign_in {
            *current = None;
            return Err(AppError::not_signed_in(
                "The approver's sign-in was for one approval and has ended; sign in again to approve.",
            ));
        }
        let Some(refresh_token) =
            stored_refresh_token(&self.store, &self.connection_id, &self.settings).await?
        else {
            *current = None;
            return Err(AppError::not_signed_in(
                "You are not signed in to this Zoho connection; sign in again.",
            ));
        };
        let client_secret = client_secret(&self.store, &self.connection_id, &self.settings).await?;
        let url = endpoint(&self.settings, "oauth/v2/token")?;
        let response = send(
            &self.settings,
            resetdesk_core::secret_body::with_form(
                self.http.post(url),
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", self.settings.client_id.trim()),
                    ("client_secret", client_secret.expose_secret()),
                    ("refresh_token", refresh_token.expose_secret()),
                ],
            ),
        )
        .await?;
        let status = response.status();
        let body: TokenResponse = read_json(&self.settings, response).await?;
        if let Some(error) = body.error.as_deref() {
            let error = token_endpoint_error(error, body.error_description.as_deref(), None, true);
            if error.kind == ErrorKind::NotSignedIn {
                *current = None;
                if let Err(delete_error) =
                    forget_secret(&self.store, &self.connection_id, REFRESH_TOKEN_SECRET).await
                {
                    tracing::warn!(connection = %self.connection_id, error = %delete_error,
                        "could not delete a refused Zoho refresh token");
                }
            }
            return Err(error);
        }
        let Some(access_token) = body.access_token else {
            return Err(unreadable(
                &self.settings,
                &format!("HTTP {status}, no access_token"),
            ));
        };
        let token = SecretString::from(access_token);
        *current = Some(CachedToken {
            token: token.clone(),
            expires_at: expiry(body.expires_in),
        });
        Ok(token)
    }
}

#[async_trait]
impl AccessTokenSource for ZohoSession {
    async fn access_token(&self) -> Result<SecretString> {
        let mut current = self.current.lock().await;
        if let Some(cached) = current.as_ref() {
            let margin = chrono::Duration::from_std(REFRESH_MARGIN).unwrap_or_default();
            if Utc::now() + margin < cached.expires_at {
                return Ok(cached.token.clone());
            }
        }
        self.refresh(&mut current).await
    }

    async fn invalidate(&self, rejected: &SecretString) {
        let mut current = self.current.lock().await;
        if current
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == rejected.expose_secret())
        {
            *current = None;
        }
    }
}

fn expiry(expires_in: Option<i64>) -> DateTime<Utc> {
    let seconds = expires_in
        .filter(|s| (1..=86_400).contains(s))
        .unwrap_or(DEFAULT_LIFETIME_SECS);
    Utc::now() + chrono::Duration::seconds(seconds)
}

fn endpoint(settings: &ZohoSettings, path: &str) -> Result<url::Url> {
    super::client::join(&settings.accounts_url()?, path)
}

async fn send(
    settings: &ZohoSettings,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response> {
    request.timeout(REQUEST_TIMEOUT).send().await.map_err(|error| {
        let accounts = settings.accounts_url().map(|u| u.to_string()).unwrap_or_default();
        AppError::new(
            ErrorKind::Offline,
            format!("Could not reach the Zoho sign-in service at {accounts}. Check the network and try again."),
        )
        // Without the URL: it can carry the client id and the query of the request.
        .with_detail(error.without_url().to_string())
    })
}

/// Reads a JSON body; a throttled answer (429, or an HTML page) is mapped before parsing.
async fn read_json<T: for<'de> Deserialize<'de>>(
    settings: &ZohoSettings,
    response: reqwest::Response,
) -> Result<T> {
    let status = response.status();
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(AppError::new(
            ErrorKind::Throttled,
            "Zoho is limiting sign-in requests from this app; wait a few minutes and try again.",
        ));
    }
    let bytes = resetdesk_core::reply_body::read(response)
        .await
        .map_err(|e| {
            e.into_app_error(|e| {
                AppError::new(
                    ErrorKind::Offline,
                    "The Zoho sign-in service stopped answering midway; try again.",
                )
                .with_detail(e.without_url().to_string())
            })
        })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        // Only the position: the body may hold a token.
        unreadable(
            settings,
            &format!(
                "HTTP {status}, unreadable JSON at line {} column {}",
                e.line(),
                e.column()
            ),
        )
    })
}

fn unreadable(settings: &ZohoSettings, detail: &str) -> AppError {
    let accounts = settings
        .accounts_url()
        .map(|u| u.to_string())
        .unwrap_or_default();
    AppError::new(
        ErrorKind::Provider,
        format!("The Zoho sign-in service at {accounts} gave an answer ResetDesk could not read."),
    )
    .with_detail(detail.to_string())
}

/// Maps the accounts server's `error` values (polling feedback from the polling-request
/// page; `invalid_code` / `invalid_client` are Zoho's token-endpoint errors).
fn token_endpoint_error(
    error: &str,
    description: Option<&str>,
    user_location: Option<&str>,
    refreshing: bool,
) -> AppError {
    let detail = match description {
        Some(description) => format!("{error}: {description}"),
        None => error.to_string(),
    };
    let mapped = match error {
        "access_denied" => AppError::not_signed_in(
            "The sign-in was denied in the browser; start the sign-in again and choose Accept.",
        ),
        "expired" | "expired_token" => AppError::not_signed_in(
            "The sign-in code expired before it was approved; start the sign-in again.",
        ),
        "other_dc" => AppError::invalid_input(format!(
            "Your Zoho account is in another data centre{}; choose that data centre in the \
             connection settings and sign in again.",
            user_location.map(|l| format!(" ({l})")).unwrap_or_default()
        )),
        "invalid_code" | "invalid_grant" if refreshing => {
            AppError::not_signed_in("Your Zoho sign-in has expired or was revoked; sign in again.")
        }
        "invalid_code" | "invalid_grant" => AppError::not_signed_in(
            "Zoho did not accept the sign-in code; start the sign-in again.",
        ),
        "invalid_client" | "invalid_client_secret" | "unauthorized_client" => AppError::new(
            ErrorKind::Provider,
            "Zoho refused this application; check the client id and client secret of the \
             non-browser application in the Zoho API console.",
        ),
        "Access Denied" | "too_many_requests" => AppError::new(
            ErrorKind::Throttled,
            "Zoho is limiting token requests from this app (ten per ten minutes per refresh \
             token); wait a few minutes and try again.",
        ),
        _ => AppError::new(
            ErrorKind::Provider,
            "The Zoho sign-in service refused the request.",
        ),
    };
    mapped.with_detail(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_data_centres_own_https_accounts_page_is_opened() {
        let settings = ZohoSettings::new(
            resetdesk_core::model::connection::DataCentre::Eu,
            "1000.X",
            "1",
        );
        let page = verification_page(&settings, "https://accounts.zoho.eu/oauth/v3/device");
        assert!(page.is_ok(), "{page:?}");
        for refused in [
            "http://accounts.zoho.eu/oauth/v3/device",
            "https://accounts.zoho.com/oauth/v3/device",
            "https://accounts.zoho.eu.evil.example/oauth/v3/device",
            "https://accounts.zoho.eu:8443/oauth/v3/device",
            "file:///etc/passwd",
            "not a url",
        ] {
            let error = verification_page(&settings, refused).unwrap_err();
            assert!(
                error.message.contains("nothing was opened"),
                "{refused}: {error:?}"
            );
        }
    }

    #[test]
    fn durations_read_milliseconds_and_seconds() {
        assert_eq!(duration_of(30_000), Duration::from_secs(30));
        assert_eq!(duration_of(5), Duration::from_secs(5));
    }

    #[test]
    fn token_errors_say_what_to_do() {
        assert_eq!(
            token_endpoint_error("access_denied", None, None, false).kind,
            ErrorKind::NotSignedIn
        );
        let other = token_endpoint_error("other_dc", None, Some("eu"), false);
        assert_eq!(other.kind, ErrorKind::InvalidInput);
        assert!(other.message.contains("(eu)"), "{}", other.message);
        assert_eq!(
            token_endpoint_error("invalid_code", None, None, true).kind,
            ErrorKind::NotSignedIn
        );
        assert_eq!(
            token_endpoint_error("Access Denied", None, None, true).kind,
            ErrorKind::Throttled
        );
        assert_eq!(
            token_endpoint_error("weird", None, None, true).kind,
            ErrorKind::Provider
        );
    }

    #[test]
    fn device_authorization_debug_hides_the_device_code() {
        let authorization = DeviceAuthorization {
            user_code: "ABCD-EFGH".into(),
            verification_url: "https://accounts.zoho.com/oauth/v3/device".into(),
            device_code: SecretString::from("1004.secret-device-code"),
            interval: Duration::from_secs(30),
            expires_at: Utc::now(),
        };
        let printed = format!("{authorization:?}");
        assert!(!printed.contains("secret-device-code") && printed.contains("ABCD-EFGH"));
    }
}

/// Whatever the Zoho accounts service sends: a value or an error, never a panic (issue 14).
#[cfg(test)]
mod reply_properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_lifetime_is_a_date_within_a_day(seconds in any::<Option<i64>>(), value in any::<u64>()) {
            let at = expiry(seconds);
            prop_assert!(at <= Utc::now() + chrono::Duration::seconds(86_400));
            let _ = duration_of(value);
        }
    }
}
