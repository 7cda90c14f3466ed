//! The Privilege Secure client: sign-in with a second factor, the session token and its
//! renewal, and each documented call (see the module map in `mod.rs` for the API pages).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use url::Url;

use resetdesk_core::error::{AppError, ErrorKind, Result};

use super::models::{
    CandidateView, DataTable, ManagedAccountGroup, ManagedAccountInfo, ProblemDetails,
};
use super::tls::{self, fetch_presented_fingerprint};
use resetdesk_core::model::connection::privilege_secure_base_url;

/// The `detail` prefix of the "certificate not trusted" error; the fingerprint follows it.
const UNTRUSTED_CERTIFICATE_DETAIL: &str = "untrustedCertificateSha256=";

/// The SHA-256 fingerprint carried by a "certificate not trusted" error, for the page's
/// "trust this certificate" offer (`None` for any other error).
pub fn untrusted_certificate_sha256(error: &AppError) -> Option<&str> {
    error
        .detail
        .as_deref()?
        .strip_prefix(UNTRUSTED_CERTIFICATE_DETAIL)
}

/// Renew the session token when it has less than this left (the sample script's 7 minutes),
/// or less than half its lifetime for short-lived tokens.
const RENEW_MARGIN: Duration = Duration::from_secs(7 * 60);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Pages read at most to find one user by id (100 users a page).
const MAX_PAGES_FOR_ONE_USER: usize = 50;
/// `take` of a search is capped here (the API's default page is 100).
pub const MAX_SEARCH_RESULTS: u32 = 100;

pub use resetdesk_model::connection::PrivilegeSecureSettings;

/// The HTTP client of one connection (no session yet).
#[derive(Clone)]
pub struct PrivilegeSecureClient {
    http: reqwest::Client,
    base: Url,
}

impl fmt::Debug for PrivilegeSecureClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivilegeSecureClient")
            .field("base", &self.base.as_str())
            .finish()
    }
}

/// Who signed in, shown to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PsOperator {
    /// Who the server says signed in: its session token's subject. Plans, the hourly cap and
    /// the audit log key the operator by it, never by what was typed (`alice`, `CORP\alice`
    /// and `alice@corp` are one account).
    pub id: String,
    /// The account's name as the server returns it.
    pub login: String,
    /// Privilege Secure Administrator (the only role allowed to reset a token).
    pub is_administrator: bool,
}

/// How a user gets access to Privilege Secure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PsAccess {
    /// Configured as an NPS user in their own right: the token can be reset directly.
    Individual { managed_account_id: String },
    /// Inherits access through a configured AD group (the first one if several).
    ViaGroup {
        /// The NPS user id that records the membership (not an individual entry).
        managed_account_id: String,
        group_id: String,
        group_name: String,
    },
    /// Known to NPS (synchronised from the directory) but with no access.
    None,
    /// Not configured individually, and the signed-in operator may not read group
    /// memberships (`…/{id}/Groups` is "Auth roles: Admin,App"): only an Administrator sees
    /// whether and through which group the user has access.
    Unknown,
}

/// A user known to Privilege Secure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PsUser {
    /// The host (directory) user id: the stable id the page passes back.
    pub id: String,
    pub name: String,
    pub display_name: Option<String>,
    pub sam_account_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub email: Option<String>,
    pub domain_name: Option<String>,
    pub access: PsAccess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PsStep {
    /// `POST /api/v1/ManagedAccount`: add the user individually.
    AddIndividualEntry,
    /// `PUT /api/v1/ManagedAccount/ResetMFA/{id}`.
    ResetToken,
    /// `DELETE /api/v1/ManagedAccount/{id}`: remove the individual entry again.
    RemoveIndividualEntry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StepOutcome {
    Done,
    Failed,
    /// Not attempted because an earlier step failed.
    Skipped,
}

/// The result of one step, for the plan view and the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub step: PsStep,
    pub outcome: StepOutcome,
    /// What happened, in words for the operator.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<AppError>,
}

/// The outcome of the three-step reset of a group-inherited user.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViaGroupResetReport {
    pub user_id: String,
    pub group_name: String,
    pub steps: Vec<StepResult>,
    /// The user's token was reset (they enrol anew at next sign-in).
    pub token_reset: bool,
    /// The Users & Groups configuration is as it was before (no individual entry left).
    pub configuration_restored: bool,
    /// The id of the individual entry this action added (for the audit log).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_managed_account_id: Option<String>,
}

/// The session token and its expiry. Debug never shows the token.
struct Token {
    value: SecretString,
    expires_at: DateTime<Utc>,
    lifetime: chrono::Duration,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A signed-in session: the token lives in memory only and is renewed before it expires.
#[derive(Clone)]
pub struct PsSession {
    client: PrivilegeSecureClient,
    token: Arc<Mutex<Token>>,
    operator: PsOperator,
}

impl fmt::Debug for PsSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PsSession")
            .field("base", &self.client.base.as_str())
            .field("operator", &self.operator)
            .field("token", &"[redacted]")
            .finish()
    }
}

impl PrivilegeSecureClient {
    /// Checks the settings and builds the HTTPS client (nothing is sent yet).
    pub fn new(settings: &PrivilegeSecureSettings) -> Result<Self> {
        let base = privilege_secure_base_url(&settings.base_url)?;
        let pinned = settings.pinned_certificate()?;
        let http = resetdesk_core::http::client_builder()
            .use_preconfigured_tls(tls::client_config(pinned)?)
            // Every sample of the API documentation signs in inside one web session ("Cookie
            // container for multi-factor authentication"): the cookies `/signinBody` sets go
            // back with `/signin2fa`. Kept per connection, like the session token.
            .cookie_store(true)
            .https_only(true)
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                AppError::internal("Could not set up the Privilege Secure client")
                    .with_detail(e.to_string())
            })?;
        Ok(Self { http, base })
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The SHA-256 fingerprint of the certificate the server presents (a separate handshake
    /// that sends nothing), for the "trust this certificate" prompt.
    pub async fn presented_certificate_sha256(&self) -> Result<String> {
        let host = self.base.host_str().unwrap_or_default().to_string();
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = self.base.port_or_known_default().unwrap_or(443);
        fetch_presented_fingerprint(&host, port).await
    }

    /// Signs in with login, password and the current second-factor code. The password is only
    /// sent in the first request body; nothing of it is kept or logged.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &SecretString,
        code: &str,
    ) -> Result<PsSession> {
        let login = login.trim();
        if login.is_empty() {
            return Err(AppError::invalid_input(
                "Enter the Privilege Secure login (e.g. DOMAIN\\name or name@domain).",
            ));
        }
        if password.expose_secret().is_empty() {
            return Err(AppError::invalid_input(
                "Enter the Privilege Secure password.",
            ));
        }
        let code = code.trim();
        if code.is_empty() || code.len() > 16 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::invalid_input(
                "Enter the code from the authenticator app (digits only, e.g. 123456).",
            ));
        }
        // Step 1: login + password → a first token (not yet a session).
        #[derive(Serialize)]
        struct SignInBody<'a> {
            #[serde(rename = "Login")]
            login: &'a str,
            #[serde(rename = "Password")]
            password: &'a str,
        }
        // Written once into a buffer wiped when the request is done.
        let body = resetdesk_core::secret_body::json(&SignInBody {
            login,
            password: password.expose_secret(),
        })
        .map_err(|e| {
            AppError::internal("Could not encode the sign-in").with_detail(e.to_string())
        })?;
        let body = resetdesk_core::secret_body::wiped_on_drop(body);
        let request = self
            .http
            .post(self.url("signinBody")?)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        let response = self.send(request).await?;
        let first = match check_status(response).await {
            Ok(r) => read_token(r).await?,
            Err(e) if is_auth_refusal(&e) => {
                return Err(AppError::not_signed_in(
                    "Privilege Secure refused the login or password. Check them and try again.",
                )
                .with_detail(e.detail.unwrap_or(e.message)))
            }
            Err(e) => return Err(e),
        };
        // Step 2: the second-factor code with the first token, bare, as every PowerShell sample
        // of the 4.2 API pages posts it (`-Body $MfaCode`): the digits as typed, so a code
        // with a leading zero keeps it. (Anything but digits goes as a JSON string.)
        let code_body = if code.bytes().all(|b| b.is_ascii_digit()) {
            code.as_bytes().to_vec()
        } else {
            serde_json::to_vec(code).unwrap_or_default()
        };
        let request = self
            .http
            .post(self.url("signin2fa")?)
            .bearer_auth(first.expose_secret())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(code_body);
        let response = self.send(request).await?;
        let session_token = match check_status(response).await {
            Ok(r) => read_token(r).await?,
            Err(e) if is_auth_refusal(&e) => {
                return Err(AppError::not_signed_in(
                    "Privilege Secure refused the second-factor code. Enter the current code \
                     from the authenticator app (codes change every 30 seconds).",
                )
                .with_detail(e.detail.unwrap_or(e.message)))
            }
            Err(e) => return Err(e),
        };
        let identity = token_identity(&session_token)?;
        let token = token_with_expiry(session_token)?;
        let mut session = PsSession {
            client: self.clone(),
            token: Arc::new(Mutex::new(token)),
            operator: PsOperator {
                id: identity.id,
                login: identity.name,
                is_administrator: false,
            },
        };
        session.operator.is_administrator = session.probe_administrator().await?;
        tracing::info!(
            base = %self.base,
            login = %session.operator.login,
            administrator = session.operator.is_administrator,
            "signed in to Privilege Secure"
        );
        Ok(session)
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.base.join(path).map_err(|e| {
            AppError::internal("Could not build a Privilege Secure URL").with_detail(e.to_string())
        })
    }

    /// Sends a request; transport failures become Offline, an untrusted certificate a clear
    /// error with the certificate's fingerprint.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        match request.send().await {
            Ok(response) => Ok(response),
            Err(err) => Err(self.transport_error(err).await),
        }
    }

    async fn transport_error(&self, err: reqwest::Error) -> AppError {
        let host = self.base.host_str().unwrap_or_default().to_string();
        if let Some(cert_error) = tls::certificate_error(&err) {
            let why = tls::describe(&cert_error);
            return match self.presented_certificate_sha256().await {
                Ok(fingerprint) => AppError::new(
                    ErrorKind::Provider,
                    format!(
                        "The certificate of the Privilege Secure server {host} is not trusted: \
                         {why}. Its SHA-256 fingerprint is {fingerprint}. If your Privilege \
                         Secure administrator confirms this fingerprint, trust this certificate \
                         for this connection; otherwise do not connect."
                    ),
                )
                .with_detail(format!("{UNTRUSTED_CERTIFICATE_DETAIL}{fingerprint}")),
                Err(probe) => AppError::new(
                    ErrorKind::Provider,
                    format!(
                        "The certificate of the Privilege Secure server {host} is not trusted: \
                         {why}. Its fingerprint could not be read: {}",
                        probe.message
                    ),
                ),
            };
        }
        let kind = if err.is_timeout() || err.is_connect() || err.is_request() {
            ErrorKind::Offline
        } else {
            ErrorKind::Provider
        };
        AppError::new(
            kind,
            format!("Could not reach the Privilege Secure server {host}. Check the URL and the network."),
        )
        .with_detail(strip_url(&err))
    }
}

impl PsSession {
    pub fn operator(&self) -> &PsOperator {
        &self.operator
    }

    pub fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// When the current session token expires.
    pub async fn token_expires_at(&self) -> DateTime<Utc> {
        self.token.lock().await.expires_at
    }

    /// Searches the directory users known to Privilege Secure (name, login, UPN, e-mail).
    pub async fn search_users(&self, text: &str, limit: u32) -> Result<Vec<PsUser>> {
        let text = text.trim();
        if text.chars().count() > 256 {
            return Err(AppError::invalid_input(
                "The search text is too long (at most 256 characters).",
            ));
        }
        let take = limit.clamp(1, MAX_SEARCH_RESULTS);
        let rows = self.host_user_search(text, take).await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            users.push(self.to_user(row).await?);
        }
        Ok(users)
    }

    /// One user by host user id, with fresh access information.
    pub async fn user(&self, id: &str) -> Result<PsUser> {
        let id = check_uuid(id, "user id")?;
        // ByUserId gives the NPS user (404 = no NPS user at all, i.e. no access) and its
        // samaccountname, which finds the candidate row with the `managed` flag.
        let info: ManagedAccountInfo = self
            .get_json(&format!("api/v1/ManagedAccount/ByUserId/{id}"), &[])
            .await
            .map_err(|e| not_found_as(e, "This user is not known to Privilege Secure."))?;
        let text = info.samaccountname.clone().unwrap_or_default();
        // Other logins can contain this one: page through the matches (`skip`, `take`,
        // `recordsTotal`) until the user's row, within a bound.
        let mut skip = 0u64;
        for _ in 0..MAX_PAGES_FOR_ONE_USER {
            let page = self.host_user_page(&text, skip, MAX_SEARCH_RESULTS).await?;
            let read = page.data.len() as u64;
            if let Some(row) = page
                .data
                .into_iter()
                .find(|r| r.id.eq_ignore_ascii_case(&id))
            {
                return self.to_user(row).await;
            }
            skip += read;
            if read == 0 || page.records_total.is_some_and(|total| skip >= total) {
                break;
            }
        }
        Err(AppError::new(
            ErrorKind::NotFound,
            "This user is not known to Privilege Secure.",
        ))
    }

    /// Reset 2-Factor Token of an individually configured user (the user enrols anew at next
    /// sign-in). Refused for a group-inherited user: use `reset_token_via_individual_entry`.
    pub async fn reset_token_individual(&self, user_id: &str) -> Result<()> {
        self.require_administrator()?;
        let user = self.user(user_id).await?;
        match &user.access {
            PsAccess::Individual { managed_account_id } => {
                self.reset_mfa(managed_account_id).await?;
                tracing::info!(user = %user.id, "Privilege Secure 2-factor token reset");
                Ok(())
            }
            PsAccess::ViaGroup { group_name, .. } => Err(AppError::invalid_input(format!(
                "{} is not configured individually: they inherit access through the group \
                 '{group_name}'. Use the three-step reset (add individually, reset, remove); \
                 resetting the group would force every member to enrol again.",
                user.name
            ))),
            PsAccess::None | PsAccess::Unknown => Err(AppError::invalid_input(format!(
                "{} has no access to Privilege Secure, so there is no token to reset.",
                user.name
            ))),
        }
    }

    /// The seed's three steps for a user who inherits access through an AD group: add them
    /// individually → reset their token → remove the individual entry again. If the reset
    /// fails, the entry that was added is removed again (and the report says whether that
    /// worked). Never touches the group. `Err` only when nothing was changed (not signed in,
    /// not an administrator, user unknown or not group-inherited).
    pub async fn reset_token_via_individual_entry(
        &self,
        user_id: &str,
    ) -> Result<ViaGroupResetReport> {
        self.require_administrator()?;
        let user = self.user(user_id).await?;
        let group_name = match &user.access {
            PsAccess::ViaGroup { group_name, .. } => group_name.clone(),
            PsAccess::Individual { .. } => {
                return Err(AppError::invalid_input(format!(
                    "{} is configured individually: reset their token directly.",
                    user.name
                )))
            }
            PsAccess::None | PsAccess::Unknown => {
                return Err(AppError::invalid_input(format!(
                    "{} has no access to Privilege Secure, so there is no token to reset.",
                    user.name
                )))
            }
        };
        let mut report = ViaGroupResetReport {
            user_id: user.id.clone(),
            group_name,
            steps: Vec::with_capacity(3),
            token_reset: false,
            configuration_restored: false,
            added_managed_account_id: None,
        };

        // 1. Add the user individually.
        let added = match self.add_individual_entry(&user).await {
            Ok(id) => {
                report.steps.push(StepResult {
                    step: PsStep::AddIndividualEntry,
                    outcome: StepOutcome::Done,
                    message: format!("Added {} individually to Users & Groups.", user.name),
                    error: None,
                });
                id
            }
            Err(e) => {
                // Whether an entry exists now is only unknown if the request may have been
                // applied; a refusal by the server changed nothing.
                let unknown = matches!(e.kind, ErrorKind::Offline | ErrorKind::Ambiguous);
                report.steps.push(StepResult {
                    step: PsStep::AddIndividualEntry,
                    outcome: StepOutcome::Failed,
                    message: format!("Could not add {} individually: {}", user.name, e.message),
                    error: Some(e),
                });
                push_skipped(&mut report, "the user could not be added individually");
                report.configuration_restored = !unknown;
                return Ok(report);
            }
        };
        report.added_managed_account_id = Some(added.clone());

        // 2. Reset the token on the individual entry (never on the group).
        let reset = self.reset_mfa(&added).await;
        let reset_failed = reset.is_err();
        let reset_unknown = matches!(&reset, Err(e) if e.kind == ErrorKind::Ambiguous);
        match reset {
            Ok(()) => {
                report.token_reset = true;
                report.steps.push(StepResult {
                    step: PsStep::ResetToken,
                    outcome: StepOutcome::Done,
                    message: format!(
                        "Reset the 2-factor token of {}: they enrol anew at next sign-in.",
                        user.name
                    ),
                    error: None,
                });
            }
            Err(e) => report.steps.push(StepResult {
                step: PsStep::ResetToken,
                outcome: StepOutcome::Failed,
                message: if e.kind == ErrorKind::Ambiguous {
                    format!(
                        "The reset of the 2-factor token of {} timed out: it may or may not \
                         have been reset (ask them whether they are asked to enrol at next \
                         sign-in). Removing the individual entry again.",
                        user.name
                    )
                } else {
                    format!(
                        "Could not reset the 2-factor token of {}: {}. Removing the individual \
                         entry again.",
                        user.name, e.message
                    )
                },
                error: Some(e),
            }),
        }

        // 3. Remove the individual entry (also the rollback when step 2 failed), and read the
        //    user back: the delete is documented as 202 Accepted, which is not "done".
        let removed = match self.remove_individual_entry(&added).await {
            Ok(()) => self.confirm_removed(&user.id, &added).await,
            Err(e) => Err(e),
        };
        match removed {
            Ok(()) => {
                report.configuration_restored = true;
                report.steps.push(StepResult {
                    step: PsStep::RemoveIndividualEntry,
                    outcome: StepOutcome::Done,
                    message: if reset_unknown {
                        format!(
                            "Removed the individual entry again: the configuration is as it \
                             was; whether the token of {} was reset is not known.",
                            user.name
                        )
                    } else if reset_failed {
                        format!(
                            "Removed the individual entry again: the configuration is as it \
                             was; {} still inherits access through the group and the token \
                             was NOT reset.",
                            user.name
                        )
                    } else {
                        format!(
                            "Removed the individual entry again: {} inherits access through \
                             the group as before.",
                            user.name
                        )
                    },
                    error: None,
                });
            }
            Err(e) => report.steps.push(StepResult {
                step: PsStep::RemoveIndividualEntry,
                outcome: StepOutcome::Failed,
                message: format!(
                    "Could not remove the individual entry of {} (NPS user id {added}): {}. \
                     Remove it by hand in Privilege Secure (Users & Groups) so the \
                     configuration is as it was.",
                    user.name, e.message
                ),
                error: Some(e),
            }),
        }
        tracing::info!(
            user = %user.id,
            token_reset = report.token_reset,
            restored = report.configuration_restored,
            "Privilege Secure group-inherited token reset"
        );
        Ok(report)
    }

    // ---- the documented calls ----

    async fn host_user_search(&self, text: &str, take: u32) -> Result<Vec<CandidateView>> {
        Ok(self.host_user_page(text, 0, take).await?.data)
    }

    /// One page of `HostUser/Search`, host users only.
    async fn host_user_page(
        &self,
        text: &str,
        skip: u64,
        take: u32,
    ) -> Result<DataTable<CandidateView>> {
        let (skip, take) = (skip.to_string(), take.to_string());
        let mut query = vec![
            ("filterEntityType", "HostUser"),
            ("skip", skip.as_str()),
            ("take", take.as_str()),
        ];
        if !text.is_empty() {
            query.push(("filterText", text));
        }
        let mut table: DataTable<CandidateView> = self
            .get_json("api/v1/ManagedAccount/HostUser/Search", &query)
            .await?;
        table.data.retain(|r| {
            r.entity_type
                .as_deref()
                .is_none_or(|t| t.eq_ignore_ascii_case("HostUser"))
        });
        Ok(table)
    }

    async fn to_user(&self, row: CandidateView) -> Result<PsUser> {
        let access = match (&row.managed, &row.managed_account_id) {
            (true, Some(id)) => PsAccess::Individual {
                managed_account_id: id.clone(),
            },
            (false, Some(_)) if !self.operator.is_administrator => PsAccess::Unknown,
            (false, Some(id)) => {
                let groups: Vec<ManagedAccountGroup> = self
                    .get_json(&format!("api/v1/ManagedAccount/{id}/Groups"), &[])
                    .await
                    .or_else(|e| {
                        if e.kind == ErrorKind::NotFound {
                            Ok(Vec::new())
                        } else {
                            Err(e)
                        }
                    })?;
                match groups.into_iter().next() {
                    Some(g) => PsAccess::ViaGroup {
                        managed_account_id: id.clone(),
                        group_name: g.name.unwrap_or_else(|| g.id.clone()),
                        group_id: g.id,
                    },
                    None => PsAccess::None,
                }
            }
            _ => PsAccess::None,
        };
        Ok(PsUser {
            name: row
                .display_name
                .clone()
                .or_else(|| row.name.clone())
                .or_else(|| row.sam_account_name.clone())
                .unwrap_or_else(|| row.id.clone()),
            id: row.id,
            display_name: row.display_name,
            sam_account_name: row.sam_account_name,
            user_principal_name: row.user_principal_name,
            email: row.email,
            domain_name: row.domain_name,
            access,
        })
    }

    async fn reset_mfa(&self, managed_account_id: &str) -> Result<()> {
        let id = check_uuid(managed_account_id, "NPS user id")?;
        self.call(
            Method::PUT,
            &format!("api/v1/ManagedAccount/ResetMFA/{id}"),
            None,
        )
        .await
        .map(|_| ())
    }

    async fn add_individual_entry(&self, user: &PsUser) -> Result<String> {
        let name = user
            .sam_account_name
            .clone()
            .unwrap_or_else(|| user.name.clone());
        let body = serde_json::json!({ "name": name, "type": "HostUser", "userId": user.id });
        let response = self
            .call(Method::POST, "api/v1/ManagedAccount", Some(body))
            .await?;
        let info: ManagedAccountInfo = read_json(response).await.map_err(|e| {
            AppError::new(
                ErrorKind::Ambiguous,
                "Privilege Secure answered the 'add user' request with something unreadable; \
                 check Users & Groups for an individual entry of this user.",
            )
            .with_detail(e.to_string())
        })?;
        check_uuid(&info.id, "NPS user id")
    }

    /// After a removal: the user must no longer have the individual entry `added`.
    async fn confirm_removed(&self, user_id: &str, added: &str) -> Result<()> {
        match self.user(user_id).await?.access {
            PsAccess::Individual { managed_account_id }
                if managed_account_id.eq_ignore_ascii_case(added) =>
            {
                Err(AppError::new(
                    ErrorKind::Provider,
                    "Privilege Secure accepted the removal, but the entry is still there",
                ))
            }
            _ => Ok(()),
        }
    }

    async fn remove_individual_entry(&self, managed_account_id: &str) -> Result<()> {
        let id = check_uuid(managed_account_id, "NPS user id")?;
        self.call(Method::DELETE, &format!("api/v1/ManagedAccount/{id}"), None)
            .await
            .map(|_| ())
    }

    /// 200 from the Admin-only reviewer list = Administrator; 403 = not (see module docs).
    async fn probe_administrator(&self) -> Result<bool> {
        match self
            .call(Method::GET, "api/v1/ManagedAccount/Reviewer/Info", None)
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.kind == ErrorKind::Forbidden => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn require_administrator(&self) -> Result<()> {
        if self.operator.is_administrator {
            Ok(())
        } else {
            Err(AppError::denied(format!(
                "{} is not a Privilege Secure Administrator: only administrators can reset a \
                 2-factor token.",
                self.operator.login
            )))
        }
    }

    // ---- plumbing ----

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T> {
        let token = self.bearer().await?;
        let request = self
            .client
            .http
            .get(self.client.url(path)?)
            .query(query)
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        let response = check_status(self.client.send(request).await?).await?;
        read_json(response).await.map_err(|e| {
            AppError::new(
                ErrorKind::Provider,
                "Privilege Secure answered with data ResetDesk could not read.",
            )
            .with_detail(format!("{path}: {e}"))
        })
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<reqwest::Response> {
        let token = self.bearer().await?;
        let write = method != Method::GET;
        let mut request = self
            .client
            .http
            .request(method, self.client.url(path)?)
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(&body);
        } else {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json");
        }
        let response = match request.send().await {
            Ok(response) => response,
            // A change that timed out after it was sent may or may not have been made.
            Err(err) if write && err.is_timeout() => {
                return Err(AppError::new(
                    ErrorKind::Ambiguous,
                    "Privilege Secure did not answer in time: the change may or may not have                      been made. Check the user in Privilege Secure before trying again.",
                )
                .with_detail(strip_url(&err)))
            }
            Err(err) => return Err(self.client.transport_error(err).await),
        };
        check_status(response).await
    }

    /// The current token, renewed first when it is close to expiry (`GET /api/v1/UserToken`).
    async fn bearer(&self) -> Result<SecretString> {
        let mut token = self.token.lock().await;
        let now = Utc::now();
        if token.expires_at <= now {
            return Err(AppError::not_signed_in(
                "The Privilege Secure session has expired. Sign in again.",
            ));
        }
        let margin = chrono::Duration::from_std(RENEW_MARGIN)
            .unwrap_or_default()
            .min(token.lifetime / 2);
        if token.expires_at - now <= margin {
            let request = self
                .client
                .http
                .get(self.client.url("api/v1/UserToken")?)
                .bearer_auth(token.value.expose_secret());
            let response = self.client.send(request).await?;
            let renewed = match check_status(response).await {
                Ok(r) => read_token(r).await?,
                Err(e) if e.kind == ErrorKind::NotSignedIn => return Err(e),
                Err(e) => {
                    return Err(AppError::not_signed_in(
                        "The Privilege Secure session could not be renewed. Sign in again.",
                    )
                    .with_detail(e.message))
                }
            };
            *token = token_with_expiry(renewed)?;
            tracing::debug!(expires_at = %token.expires_at, "Privilege Secure token renewed");
        }
        Ok(token.value.clone())
    }
}

fn push_skipped(report: &mut ViaGroupResetReport, why: &str) {
    for step in [PsStep::ResetToken, PsStep::RemoveIndividualEntry] {
        report.steps.push(StepResult {
            step,
            outcome: StepOutcome::Skipped,
            message: format!("Not attempted: {why}."),
            error: None,
        });
    }
}

/// A sign-in step refused by the server (400, 401 or 403), as opposed to a transport or
/// server failure.
fn is_auth_refusal(e: &AppError) -> bool {
    matches!(e.kind, ErrorKind::NotSignedIn | ErrorKind::Forbidden)
        || e.detail
            .as_deref()
            .is_some_and(|d| d.starts_with("HTTP 400 "))
}

fn not_found_as(e: AppError, message: &str) -> AppError {
    if e.kind == ErrorKind::NotFound {
        AppError::new(ErrorKind::NotFound, message)
    } else {
        e
    }
}

fn check_uuid(text: &str, what: &str) -> Result<String> {
    uuid::Uuid::parse_str(text.trim())
        .map(|u| u.to_string())
        .map_err(|_| AppError::invalid_input(format!("'{text}' is not a valid {what} (a GUID).")))
}

/// A JSON reply, read with the usual ceiling; the error says what went wrong, for the
/// caller's own message.
async fn read_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> std::result::Result<T, String> {
    let bytes = resetdesk_core::reply_body::read(response)
        .await
        .map_err(|e| {
            e.into_app_error(|e| AppError::internal(e.to_string()))
                .message
        })?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// Maps an HTTP status to an `AppError` (with the problem-details title/detail), or passes the
/// response on.
async fn check_status(response: reqwest::Response) -> Result<reqwest::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let path = response.url().path().to_string();
    let text = resetdesk_core::reply_body::read_text(response)
        .await
        .unwrap_or_default();
    let problem: ProblemDetails = serde_json::from_str(&text).unwrap_or_default();
    let said = match (problem.title, problem.detail) {
        (Some(t), Some(d)) if !d.is_empty() => format!("{t}: {d}"),
        (Some(t), _) => t,
        (None, Some(d)) => d,
        (None, None) => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let said: String = said.chars().take(300).collect();
    let detail = format!("HTTP {} on {path}: {said}", status.as_u16());
    let error = match status {
        StatusCode::UNAUTHORIZED => AppError::not_signed_in(
            "The Privilege Secure session is not valid (expired or signed out). Sign in again.",
        ),
        StatusCode::FORBIDDEN => AppError::new(
            ErrorKind::Forbidden,
            "Privilege Secure refused: the signed-in user is not a Privilege Secure Administrator.",
        ),
        StatusCode::NOT_FOUND => AppError::new(
            ErrorKind::NotFound,
            format!("Privilege Secure did not find it ({said})."),
        ),
        StatusCode::BAD_REQUEST => AppError::new(
            ErrorKind::Provider,
            format!("Privilege Secure refused the request: {said}"),
        ),
        s if s.is_server_error() => AppError::new(
            ErrorKind::Provider,
            format!(
                "Privilege Secure had an internal error ({}). Try again later.",
                s.as_u16()
            ),
        ),
        _ => AppError::new(
            ErrorKind::Provider,
            format!("Privilege Secure answered HTTP {}: {said}", status.as_u16()),
        ),
    };
    Err(error.with_detail(detail))
}

/// The sign-in calls answer with the token as a JSON string (or, leniently, plain text).
async fn read_token(response: reqwest::Response) -> Result<SecretString> {
    let text = resetdesk_core::reply_body::read_text(response)
        .await
        .map_err(|e| {
            e.into_app_error(|e| {
                AppError::new(
                    ErrorKind::Offline,
                    "The Privilege Secure answer was cut off.",
                )
                .with_detail(e.to_string())
            })
        })?;
    let trimmed = text.trim();
    let token = serde_json::from_str::<String>(trimmed).unwrap_or_else(|_| trimmed.to_string());
    if token.is_empty() || token.len() > 16 * 1024 || token.chars().any(char::is_whitespace) {
        return Err(AppError::new(
            ErrorKind::Provider,
            "Privilege Secure answered the sign-in without a usable token.",
        ));
    }
    Ok(SecretString::from(token))
}

/// Reads `exp` (and `iat`/`nbf` for the lifetime) from the JWT payload, without verifying it:
/// the client cannot verify NPS's signature; it only needs to know when to renew (the sample
/// script's `Convert-SbPAMToken` does the same).
/// Who a session token says signed in.
struct TokenIdentity {
    id: String,
    name: String,
}

/// The account a session token was issued to. Privilege Secure does not publish its claims;
/// the names read are the JWT standard's (`sub`, RFC 7519 §4.1.2) and those ASP.NET Core's
/// JWT handler writes (`nameid`, `unique_name`), the server being an ASP.NET application.
fn token_identity(token: &SecretString) -> Result<TokenIdentity> {
    // Not checked against a signature: the server that just issued it over TLS is the one that
    // will check it.
    let claims = resetdesk_core::auth::id_token::jwt_claims(token).unwrap_or_default();
    let text = |names: &[&str]| {
        names.iter().find_map(|name| {
            claims
                .get(*name)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        })
    };
    let id = text(&["sub", "nameid"]).ok_or_else(|| {
        AppError::new(
            ErrorKind::Provider,
            "Privilege Secure's session token does not say who signed in (it has no subject).              ResetDesk names the operator in its audit log by it, so it cannot sign in to this              server; ask your Privilege Secure administrator about the server's version.",
        )
    })?;
    let name = text(&["unique_name", "name"]).unwrap_or_else(|| id.clone());
    Ok(TokenIdentity { id, name })
}

fn token_with_expiry(token: SecretString) -> Result<Token> {
    let bad = || {
        AppError::new(
            ErrorKind::Provider,
            "Privilege Secure answered with a session token ResetDesk cannot read (not a JWT \
             with an expiry).",
        )
    };
    let payload = token.expose_secret().split('.').nth(1).ok_or_else(bad)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| bad())?;
    #[derive(Deserialize)]
    struct Claims {
        exp: i64,
        #[serde(default)]
        iat: Option<i64>,
        #[serde(default)]
        nbf: Option<i64>,
    }
    let claims: Claims = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let expires_at = DateTime::<Utc>::from_timestamp(claims.exp, 0).ok_or_else(bad)?;
    let issued = claims
        .iat
        .or(claims.nbf)
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
        .unwrap_or_else(Utc::now);
    let lifetime = (expires_at - issued).max(chrono::Duration::zero());
    Ok(Token {
        value: token,
        expires_at,
        lifetime,
    })
}

/// A reqwest error's text without the URL's query (a search text is not a secret, but keep
/// the detail short).
fn strip_url(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    if let Some(url) = err.url() {
        text = text.replace(url.as_str(), url.path());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jwt(claims: serde_json::Value) -> SecretString {
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        SecretString::from(format!(
            "{}.{}.sig",
            b64(br#"{"alg":"HS256","typ":"JWT"}"#),
            b64(claims.to_string().as_bytes())
        ))
    }

    #[test]
    fn the_operator_is_who_the_token_names_and_a_token_naming_nobody_is_refused() {
        let standard = token_identity(&jwt(
            json!({"sub": "4f1c", "unique_name": "CORP\\ann", "exp": 1}),
        ))
        .unwrap();
        assert_eq!(
            (standard.id.as_str(), standard.name.as_str()),
            ("4f1c", "CORP\\ann")
        );
        let aspnet = token_identity(&jwt(json!({"nameid": "77", "exp": 1}))).unwrap();
        assert_eq!((aspnet.id.as_str(), aspnet.name.as_str()), ("77", "77"));
        for nobody in [json!({"exp": 1}), json!({"sub": "  ", "exp": 1})] {
            let error = token_identity(&jwt(nobody)).err().expect("refused");
            assert!(
                error.message.contains("does not say who signed in"),
                "{error:?}"
            );
        }
        let not_a_jwt = token_identity(&SecretString::from("opaque".to_string()));
        assert!(not_a_jwt.is_err());
    }

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            privilege_secure_base_url("https://nps.example.com:6500")
                .unwrap()
                .as_str(),
            "https://nps.example.com:6500/"
        );
        for bad in [
            "http://nps",
            "nps.example.com",
            "https://u:p@nps",
            "https://nps/?a=1",
            "",
        ] {
            assert_eq!(
                privilege_secure_base_url(bad).unwrap_err().kind,
                ErrorKind::InvalidInput,
                "{bad}"
            );
        }
    }

    #[test]
    fn token_expiry_comes_from_the_jwt() {
        let t = token_with_expiry(jwt(
            serde_json::json!({"exp": 2_000_000_000, "iat": 1_999_999_000}),
        ))
        .unwrap();
        assert_eq!(t.expires_at.timestamp(), 2_000_000_000);
        assert_eq!(t.lifetime, chrono::Duration::seconds(1000));
        assert!(!format!("{t:?}").contains("eyJ"));
        assert!(token_with_expiry(SecretString::from("not-a-jwt".to_string())).is_err());
    }

    #[test]
    fn settings_with_a_bad_fingerprint_are_refused() {
        let err = PrivilegeSecureClient::new(&PrivilegeSecureSettings {
            base_url: "https://nps.example.com".into(),
            trusted_certificate_sha256: Some("12:34".into()),
        })
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn access_serializes_for_the_page() {
        let v = serde_json::to_value(PsAccess::ViaGroup {
            managed_account_id: "a".into(),
            group_id: "g".into(),
            group_name: "NPS Users".into(),
        })
        .unwrap();
        assert_eq!(v["kind"], "viaGroup");
        assert_eq!(v["groupName"], "NPS Users");
    }
}

/// Whatever Privilege Secure sends as a session token: an identity and an expiry, or an error,
/// never a panic (issue 14).
#[cfg(test)]
mod reply_properties {
    use super::*;
    use proptest::prelude::*;

    fn jwt_of(claims: &serde_json::Value) -> SecretString {
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        SecretString::from(format!("h.{}.s", b64(claims.to_string().as_bytes())))
    }

    proptest! {
        #[test]
        fn any_token_text_is_read_or_refused(text in ".{0,200}") {
            let token = SecretString::from(text);
            let _ = token_identity(&token);
            let _ = token_with_expiry(token);
        }

        #[test]
        fn any_claims_are_read_or_refused(
            claims in crate::test_inputs::json_value(),
            exp in any::<i64>(),
            iat in any::<i64>(),
        ) {
            let _ = token_identity(&jwt_of(&claims));
            let _ = token_with_expiry(jwt_of(&claims));
            let timed = serde_json::json!({ "sub": "x", "exp": exp, "iat": iat });
            if let Ok(token) = token_with_expiry(jwt_of(&timed)) {
                prop_assert!(token.lifetime >= chrono::Duration::zero());
            }
        }
    }
}
