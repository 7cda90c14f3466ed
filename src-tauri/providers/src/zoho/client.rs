//! The Zoho Mail organisation API client: who the operator is, the organisation's users,
//! and the password reset. Every call is a documented one (page cited next to it).
//!
//! Envelope (every Mail API answer): `{"status":{"code":200,"description":"success"},
//! "data":…}`; errors carry `data.errorCode` and `data.moreInfo`
//! (https://www.zoho.com/mail/help/api/response-codes.html).
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::ZohoSession;
use super::models::{id_of, user_from};
use super::options::{declaration, Performed, ZohoOption};
use super::pace::RequestPacer;
use super::password::{self, PasswordStyle};
use super::policy::{permissions_for, target_guard, MailRole, OperatorPermissions};
use resetdesk_core::auth::AccessTokenSource;
use resetdesk_core::error::{AppError, ErrorKind, Result};

/// Most users one list request asks for.
pub const MAX_PAGE_SIZE: u32 = 200;
/// Attempts of one request when Zoho answers 429/503 (the request was not processed).
const MAX_ATTEMPTS: u32 = 3;
/// Longest Retry-After we wait for; longer is reported as Throttled.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The signed-in operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZohoOperator {
    pub zuid: String,
    pub email: String,
    pub display_name: String,
    pub permissions: OperatorPermissions,
}

/// Whether a user can be reset. Only confirmed users can (seed: "You can only reset the
/// password/MFA of confirmed users").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UserStatus {
    Confirmed,
    /// Invited, has not confirmed their account yet.
    Pending,
    /// Their address is not on one of the organisation's domains.
    External,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZohoUser {
    pub zuid: String,
    pub account_id: Option<String>,
    pub email: String,
    pub display_name: String,
    pub role: MailRole,
    pub tfa_enabled: Option<bool>,
    pub status: UserStatus,
    /// Why the user cannot be reset (None when confirmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_resettable_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPage {
    pub users: Vec<ZohoUser>,
    /// `start` of the next page, if there may be one.
    pub next_start: Option<u32>,
}

/// The password the operator chose.
pub enum PasswordChoice {
    Typed(SecretString),
    Generate(PasswordStyle),
}

/// The seed's Reset Password dialog. Web sessions are always cleared (not a field).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, rename = "ZohoResetPasswordOptions")]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordOptions {
    pub force_change_on_login: bool,
    pub clear_mobile_sessions_and_api_tokens: bool,
    /// Off by default; the Console shows a warning next to it.
    pub email_new_password: bool,
}

/// One step of a plan or an outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZohoStep {
    pub option: ZohoOption,
    pub performed: Performed,
    /// True once done through the API; by-hand steps stay false until the operator marks them.
    pub done: bool,
}

/// The result of a reset: the generated password (shown once, never stored), and every
/// step, the by-hand ones still to do.
pub struct ResetOutcome {
    pub generated_password: Option<SecretString>,
    pub steps: Vec<ZohoStep>,
}

impl std::fmt::Debug for ResetOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResetOutcome")
            .field(
                "generated_password",
                &self.generated_password.as_ref().map(|_| "[redacted]"),
            )
            .field("steps", &self.steps)
            .finish()
    }
}

/// The client of one connection.
pub struct ZohoClient {
    session: Arc<ZohoSession>,
    http: reqwest::Client,
    org_domains: tokio::sync::OnceCell<Vec<String>>,
    /// Every request of the connection (the offline cache's sync too) goes through it.
    pacer: RequestPacer,
}

impl std::fmt::Debug for ZohoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZohoClient")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl ZohoClient {
    pub fn new(session: Arc<ZohoSession>, http: reqwest::Client) -> Self {
        let pacer = RequestPacer::new(session.settings().mail_request_limit());
        Self {
            session,
            http,
            org_domains: tokio::sync::OnceCell::new(),
            pacer,
        }
    }

    pub fn session(&self) -> &Arc<ZohoSession> {
        &self.session
    }

    /// Who the operator is (`GET {accounts}/oauth/user/info`,
    /// https://www.zoho.com/accounts/protocol/oauth/use-access-token.html: `ZUID`, `Email`,
    /// `Display_Name`), then their own role from their Mail account record
    /// (https://www.zoho.com/mail/help/api/get-single-user.html). The Mail organisation API
    /// answers admins only, so a refusal (403) or an unknown account (404) means "member".
    pub async fn operator(&self) -> Result<ZohoOperator> {
        let accounts = self.session.settings().accounts_url()?;
        let url = join(&accounts, "oauth/user/info")?;
        let info = self.send_raw(Method::GET, url, None).await?;
        let zuid = id_of(&info["ZUID"]).ok_or_else(|| {
            provider_error("Zoho's user info did not include the operator's ZUID.")
        })?;
        let email = info["Email"].as_str().unwrap_or_default().to_string();
        let display_name = info["Display_Name"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| email.clone());
        let role = match self.account_json(&zuid).await {
            Ok(account) => MailRole::parse(account["role"].as_str().unwrap_or("member")),
            Err(error) if matches!(error.kind, ErrorKind::Forbidden | ErrorKind::NotFound) => {
                MailRole::Member
            }
            Err(error) => return Err(error),
        };
        Ok(ZohoOperator {
            zuid,
            email,
            display_name,
            permissions: permissions_for(role),
        })
    }

    /// One page of the organisation's users: `GET /api/organization/{zoid}/accounts?start=&limit=`
    /// (https://www.zoho.com/mail/help/api/get-org-users-details.html; `start` from 0,
    /// `limit` default 10). A full page means there may be more.
    pub async fn list_users(&self, start: u32, limit: u32) -> Result<UserPage> {
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let mut url = self.org_url("accounts")?;
        url.query_pairs_mut()
            .append_pair("start", &start.to_string())
            .append_pair("limit", &limit.to_string());
        let data = self.send_mail(Method::GET, url, None).await?;
        let domains = self.org_domains().await?;
        let items = data.as_array().cloned().unwrap_or_default();
        let next_start = (items.len() as u32 >= limit).then_some(start + limit);
        let users = items
            .iter()
            .filter_map(|item| user_from(item, &domains))
            .collect();
        Ok(UserPage { users, next_start })
    }

    /// Users whose address or name contains `query` (case-insensitive). The Mail API
    /// documents no search parameter, so this pages through the organisation (at most
    /// `max_pages` pages of [`MAX_PAGE_SIZE`]) and filters here; the offline cache is the
    /// better place for large organisations.
    pub async fn search_users(&self, query: &str, max_pages: u32) -> Result<Vec<ZohoUser>> {
        let needle = query.trim().to_lowercase();
        if needle.is_empty() {
            return Err(AppError::invalid_input(
                "Type part of a name or email address to search for.",
            ));
        }
        let mut found = Vec::new();
        let mut start = Some(0);
        let mut pages = 0;
        while let Some(at) = start {
            if pages >= max_pages {
                break;
            }
            let page = self.list_users(at, MAX_PAGE_SIZE).await?;
            found.extend(page.users.into_iter().filter(|u| {
                u.email.to_lowercase().contains(&needle)
                    || u.display_name.to_lowercase().contains(&needle)
            }));
            start = page.next_start;
            pages += 1;
        }
        Ok(found)
    }

    /// One user by ZUID or email address: `GET /api/organization/{zoid}/accounts/{zuid}` or
    /// `/{emailAddress}` (https://www.zoho.com/mail/help/api/get-single-user.html).
    pub async fn user(&self, zuid_or_email: &str) -> Result<ZohoUser> {
        let account = self.account_json(zuid_or_email).await?;
        let domains = self.org_domains().await?;
        user_from(&account, &domains).ok_or_else(|| {
            provider_error("Zoho's answer for this user had no ZUID or email address.")
        })
    }

    /// The plan of a password reset: one step per option, API or by hand, for the
    /// confirmation summary (nothing is sent).
    pub fn plan_reset_password(
        &self,
        user: &ZohoUser,
        options: ResetPasswordOptions,
    ) -> Vec<ZohoStep> {
        let mut chosen = vec![ZohoOption::SetPassword, ZohoOption::ClearWebSessions];
        if options.force_change_on_login {
            chosen.push(ZohoOption::ForceChangeOnLogin);
        }
        if options.clear_mobile_sessions_and_api_tokens {
            chosen.push(ZohoOption::ClearMobileSessionsAndApiTokens);
        }
        if options.email_new_password {
            chosen.push(ZohoOption::EmailNewPassword);
        }
        chosen
            .into_iter()
            .map(|option| ZohoStep {
                option,
                performed: self.by_hand_step(option, user),
                done: false,
            })
            .collect()
    }

    /// Reset MFA: by hand (see `options.rs`). The checks still run here, so the Console
    /// only sends the operator to Zoho when Zoho would let them do it.
    pub async fn plan_reset_mfa(
        &self,
        operator: &ZohoOperator,
        zuid: &str,
    ) -> Result<Vec<ZohoStep>> {
        if !operator.permissions.may_manage_mfa {
            return Err(AppError::denied(
                operator.permissions.reason.clone().unwrap_or_default(),
            ));
        }
        let user = self.checked_target(operator, zuid).await?;
        Ok(vec![ZohoStep {
            option: ZohoOption::ResetMfa,
            performed: self.by_hand_step(ZohoOption::ResetMfa, &user),
            done: false,
        }])
    }

    /// `Performed` for an option on a user, from the table in `options.rs`.
    pub fn by_hand_step(&self, option: ZohoOption, user: &ZohoUser) -> Performed {
        let row = declaration(option);
        if let Some(doc) = row.api_doc {
            return Performed::Api { doc };
        }
        // The admin panel's address per data centre; the Directory help pages give no deep
        // link to a user, so the instructions say where to click (and name the user).
        let admin_page_url = self
            .session
            .settings()
            .directory_url()
            .map(|u| u.to_string())
            .unwrap_or_default();
        Performed::ByHand {
            admin_page_url,
            instructions: format!("{} (user: {})", row.instructions, user.email),
            why: row.why,
        }
    }

    /// Reset password: `PUT /api/organization/{zoid}/accounts/{zuid}` with
    /// `{"zuid":…,"password":…,"mode":"resetPassword"}`
    /// (https://www.zoho.com/mail/help/api/put-reset-user-password.html). Checked first, in
    /// this order: the operator's permission, a fresh sign-in, the target (live, confirmed,
    /// within the operator's reach), the password. Nothing is sent if a check fails.
    pub async fn reset_password(
        &self,
        operator: &ZohoOperator,
        zuid: &str,
        choice: PasswordChoice,
        options: ResetPasswordOptions,
        max_sign_in_age: Duration,
    ) -> Result<ResetOutcome> {
        if !operator.permissions.may_reset_password {
            return Err(AppError::denied(
                operator.permissions.reason.clone().unwrap_or_default(),
            ));
        }
        self.session
            .require_fresh_sign_in(max_sign_in_age, Utc::now())?;
        let user = self.checked_target(operator, zuid).await?;
        let (password, generated) = match choice {
            PasswordChoice::Typed(password) => {
                password::validate_typed(&password, &user.email)?;
                (password, false)
            }
            PasswordChoice::Generate(style) => (password::generate(&style)?, true),
        };
        let url = self.org_url(&format!("accounts/{}", user.zuid))?;
        // `zuid` is a mandatory body field on the current page (a number in its sample); an
        // older version took it too, so sending it works with both.
        let zuid = user
            .zuid
            .parse::<u64>()
            .map(serde_json::Value::from)
            .unwrap_or_else(|_| serde_json::Value::from(user.zuid.clone()));
        // Both options are sent, always, from the operator's choices: Zoho defaults each to
        // true when left out (put-reset-user-password.html). The session field is spelt
        // `resetAuthToken` in the page's parameter table and `resetAuthtoken` in its sample
        // request; JSON keys are case-sensitive and the page does not say which the server
        // reads, so both go, with the same value: whichever it reads, it gets the choice.
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct ResetBody<'a> {
            zuid: &'a Value,
            password: &'a str,
            mode: &'static str,
            one_time_password: bool,
            reset_auth_token: bool,
            #[serde(rename = "resetAuthtoken")]
            reset_auth_token_as_sampled: bool,
        }
        // Written once into a buffer wiped when the request is done (no copy of the
        // password is left in a JSON value or a grown buffer).
        let body = resetdesk_core::secret_body::json(&ResetBody {
            zuid: &zuid,
            password: password.expose_secret(),
            mode: "resetPassword",
            one_time_password: options.force_change_on_login,
            reset_auth_token: options.clear_mobile_sessions_and_api_tokens,
            reset_auth_token_as_sampled: options.clear_mobile_sessions_and_api_tokens,
        })
        .map_err(|_| AppError::internal("The password reset request could not be prepared."))?;
        let body = resetdesk_core::secret_body::wiped_on_drop(body);
        // Zoho's refusal may quote what it was sent: the password never reaches an error.
        let sent = self
            .send_mail(Method::PUT, url, Some(body))
            .await
            .map_err(|e| e.redacted(password.expose_secret()));
        match sent {
            Ok(_) => {}
            Err(error)
                if error.kind == ErrorKind::Provider
                    && error
                        .detail
                        .as_deref()
                        .is_some_and(|d| d.starts_with("HTTP 5")) =>
            {
                return Err(AppError::new(
                    ErrorKind::Ambiguous,
                    format!(
                        "Zoho did not confirm the password reset of {}; the password may or may \
                         not have changed. Check the user in the Zoho admin panel before trying \
                         again.",
                        user.email
                    ),
                )
                .with_detail(error.detail.unwrap_or_default()))
            }
            Err(error) => return Err(error),
        }
        let mut steps = self.plan_reset_password(&user, options);
        for step in &mut steps {
            step.done = matches!(step.performed, Performed::Api { .. });
        }
        Ok(ResetOutcome {
            generated_password: generated.then_some(password),
            steps,
        })
    }

    /// Reads the target live and applies the guards: confirmed, and within the operator's
    /// reach (see `policy.rs`).
    async fn checked_target(&self, operator: &ZohoOperator, zuid: &str) -> Result<ZohoUser> {
        if zuid.trim().is_empty() || !zuid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::invalid_input(format!(
                "\"{zuid}\" is not a Zoho user id (ZUID); pick the user from the list again."
            )));
        }
        let user = self.user(zuid).await?;
        if let Some(reason) = &user.not_resettable_reason {
            return Err(AppError::invalid_input(reason.clone()));
        }
        if user.zuid == operator.zuid {
            return Err(AppError::denied(
                "You cannot reset your own password or MFA here; use your Zoho account's own \
                 security settings.",
            ));
        }
        if let Some(reason) = target_guard(operator.permissions.role, user.role) {
            return Err(AppError::denied(reason));
        }
        Ok(user)
    }

    async fn account_json(&self, zuid_or_email: &str) -> Result<Value> {
        let id = zuid_or_email.trim();
        // The id becomes a path segment: a ZUID is a number; an e-mail address is accepted in
        // a plain form only. Anything else (`\`, which URL parsing reads as `/`, `%2e%2e`,
        // which it reads as `..`) could steer the request elsewhere in the API.
        if !(is_zuid(id) || is_plain_email(id)) {
            return Err(AppError::invalid_input(format!(
                "\"{zuid_or_email}\" is not a Zoho user id (a number) or e-mail address. Choose \
                 the user from the Users list."
            )));
        }
        let url = self.org_url(&format!("accounts/{id}"))?;
        self.send_mail(Method::GET, url, None).await
    }

    /// The organisation's domains, for "external": "Fetch All Domains",
    /// `GET /api/organization/{zoid}/domains` with the organisation administrator's
    /// `ZohoMail.organization.domains.READ`, answering `data.domainVO[]` with each
    /// `domainName` (https://www.zoho.com/mail/help/api/get-all-domains.html).
    async fn org_domains(&self) -> Result<Vec<String>> {
        self.org_domains
            .get_or_try_init(|| async {
                let url = self.org_url("domains")?;
                let data = self.send_mail(Method::GET, url, None).await?;
                let domains = data["domainVO"]
                    .as_array()
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|d| {
                                d.as_str()
                                    .or_else(|| d["domainName"].as_str())
                                    .map(|s| s.to_ascii_lowercase())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Ok(domains)
            })
            .await
            .cloned()
    }

    fn org_url(&self, rest: &str) -> Result<url::Url> {
        let settings = self.session.settings();
        settings.validate()?;
        let path = if rest.is_empty() {
            format!("api/organization/{}", settings.organization_id.trim())
        } else {
            format!(
                "api/organization/{}/{rest}",
                settings.organization_id.trim()
            )
        };
        join(&settings.mail_url()?, &path)
    }

    /// A Mail API call: the envelope's `data`, or the mapped error.
    /// `body` is JSON, sent as given on every attempt.
    async fn send_mail(
        &self,
        method: Method,
        url: url::Url,
        body: Option<bytes::Bytes>,
    ) -> Result<Value> {
        let envelope = self.send_raw(method, url, body).await?;
        Ok(envelope.get("data").cloned().unwrap_or(Value::Null))
    }

    /// Sends with the access token (`Authorization: Zoho-oauthtoken …`), paced to the Mail
    /// API's request limit, retrying 429/503 after Retry-After and a 401 once after a refresh.
    async fn send_raw(
        &self,
        method: Method,
        url: url::Url,
        body: Option<bytes::Bytes>,
    ) -> Result<Value> {
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = match self.pacer.until_ready(MAX_RETRY_AFTER).await {
                Ok(sent) => sent,
                Err(left) => return Err(throttled(Some(left), None)),
            };
            let token = match self.session.access_token().await {
                Ok(token) => token,
                Err(error) => {
                    self.pacer.answered(sent).await;
                    return Err(error);
                }
            };
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .header(
                    "Authorization",
                    format!("Zoho-oauthtoken {}", token.expose_secret()),
                );
            if let Some(body) = &body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let response = request.send().await;
            // Zoho counted it by now, if it arrived: the pacer counts it from here.
            self.pacer.answered(sent).await;
            let response = response.map_err(|error| {
                let kind = if method == Method::GET || !error.is_timeout() {
                    ErrorKind::Offline
                } else {
                    ErrorKind::Ambiguous
                };
                AppError::new(
                    kind,
                    if kind == ErrorKind::Offline {
                        "Could not reach Zoho. Check the network and try again.".to_string()
                    } else {
                        "Zoho did not answer in time; the change may or may not have been made. \
                         Check the user in the Zoho admin panel before trying again."
                            .to_string()
                    },
                )
                .with_detail(error.without_url().to_string())
            })?;
            let status = response.status();
            let retry_after = retry_after(&response);
            let text = match resetdesk_core::reply_body::read_text(response).await {
                Ok(text) => text,
                Err(resetdesk_core::reply_body::ReplyError::Transport(_)) => String::new(),
                Err(too_large) => {
                    return Err(too_large.into_app_error(resetdesk_core::reply_body::broke_off))
                }
            };
            let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if status.is_success() {
                return Ok(json);
            }
            match status {
                StatusCode::UNAUTHORIZED if !refreshed => {
                    self.session.invalidate(&token).await;
                    refreshed = true;
                    continue;
                }
                StatusCode::TOO_MANY_REQUESTS => {
                    // Zoho locks the API for a while after its limit: every request of this
                    // connection waits what it asked (or a whole window), not just this one.
                    let wait = self.pacer.hold(retry_after).await;
                    if attempt < MAX_ATTEMPTS && wait <= MAX_RETRY_AFTER {
                        continue;
                    }
                    return Err(throttled(Some(wait), Some((status, &json))));
                }
                StatusCode::SERVICE_UNAVAILABLE => {
                    let wait = retry_after.unwrap_or(Duration::from_secs(1));
                    if attempt < MAX_ATTEMPTS && wait <= MAX_RETRY_AFTER {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(throttled(retry_after, Some((status, &json))));
                }
                _ => return Err(map_status(status, &json)),
            }
        }
    }
}

/// Zoho is limiting this app's requests: say how long it asked to wait, when it did.
fn throttled(wait: Option<Duration>, reply: Option<(StatusCode, &Value)>) -> AppError {
    let error = AppError::new(
        ErrorKind::Throttled,
        format!(
            "Zoho is limiting requests from this app{}; wait a little and try again.",
            wait.map(|w| format!(" (it asked to wait {} s)", w.as_secs().max(1)))
                .unwrap_or_default()
        ),
    );
    match reply {
        Some((status, json)) => error.with_detail(envelope_detail(status, json)),
        None => error,
    }
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// `HTTP 400 INVALID_PASSWORD: …` for the support ticket: status, Zoho's code and text.
fn envelope_detail(status: StatusCode, json: &Value) -> String {
    let description = json["status"]["description"].as_str().unwrap_or("");
    let code = json["data"]["errorCode"].as_str().unwrap_or("");
    let more = json["data"]["moreInfo"].as_str().unwrap_or("");
    format!("HTTP {} {code} {description} {more}", status.as_u16())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Maps an error envelope to an [`AppError`] whose message says what to do.
fn map_status(status: StatusCode, json: &Value) -> AppError {
    let detail = envelope_detail(status, json);
    let more = json["data"]["moreInfo"]
        .as_str()
        .or_else(|| json["status"]["description"].as_str())
        .unwrap_or("")
        .to_string();
    let error = match status {
        StatusCode::BAD_REQUEST => AppError::invalid_input(if more.is_empty() {
            "Zoho refused the request as invalid; check the values and try again.".to_string()
        } else {
            format!("Zoho refused the request: {more}. Correct it and try again.")
        }),
        StatusCode::UNAUTHORIZED => {
            AppError::not_signed_in("Zoho no longer accepts this sign-in; sign in to Zoho again.")
        }
        StatusCode::FORBIDDEN => AppError::new(
            ErrorKind::Forbidden,
            "Zoho refused: your account is not allowed to do this in the organisation (it needs \
             an organisation admin, and the app the scopes it asked for). Ask a super admin.",
        ),
        StatusCode::NOT_FOUND => AppError::new(
            ErrorKind::NotFound,
            "Zoho does not know this user or organisation; refresh the list, and check the \
             organisation id in the connection settings.",
        ),
        _ => AppError::new(
            ErrorKind::Provider,
            format!(
                "Zoho answered with an error (HTTP {}); try again later.",
                status.as_u16()
            ),
        ),
    };
    error.with_detail(detail)
}

fn provider_error(message: &str) -> AppError {
    AppError::new(ErrorKind::Provider, message.to_string())
}

/// `path` under `base`, keeping every segment of `base` (a server set by hand may have a path
/// of its own, e.g. another data centre's `…/eu`, which `Url::join` alone would replace).
pub(super) fn join(base: &url::Url, path: &str) -> Result<url::Url> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        base.set_path(&format!("{}/", base.path()));
    }
    base.join(path)
        .map_err(|e| AppError::invalid_input(format!("Could not build the Zoho URL {path} ({e}).")))
}

/// A Zoho user id: digits only.
fn is_zuid(text: &str) -> bool {
    !text.is_empty() && text.len() <= 30 && text.bytes().all(|b| b.is_ascii_digit())
}

/// An e-mail address in the plain form an organisation's accounts have: letters, digits and
/// `._+-` before the `@`, letters, digits, `.` and `-` after it.
fn is_plain_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b));
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-".contains(&b));
    text.len() <= 254 && local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn users_are_classified_from_documented_fields() {
        let domains = vec!["zylker.sandbox".to_string()];
        let confirmed = json!({"zuid": 101, "primaryEmailAddress": "a@zylker.sandbox", "role": "member",
            "emailAddress": [{"mailId": "a@zylker.sandbox", "isPrimary": true, "isConfirmed": true}]});
        let pending = json!({"zuid": "102", "role": "member",
            "emailAddress": [{"mailId": "b@zylker.sandbox", "isPrimary": true, "isConfirmed": false}]});
        let external = json!({"zuid": 103, "primaryEmailAddress": "c@partner.example", "role": "member",
            "emailAddress": [{"mailId": "c@partner.example", "isPrimary": true, "isConfirmed": true}]});
        assert_eq!(
            user_from(&confirmed, &domains).unwrap().status,
            UserStatus::Confirmed
        );
        let p = user_from(&pending, &domains).unwrap();
        assert_eq!(
            (p.status, p.email.as_str(), p.zuid.as_str()),
            (UserStatus::Pending, "b@zylker.sandbox", "102")
        );
        assert!(p.not_resettable_reason.unwrap().contains("invitation"));
        assert_eq!(
            user_from(&external, &domains).unwrap().status,
            UserStatus::External
        );
        assert!(user_from(&json!({"role": "admin"}), &domains).is_none());
    }

    #[test]
    fn error_envelopes_map_to_kinds() {
        let body = json!({"status": {"code": 400, "description": "Invalid Input"},
            "data": {"errorCode": "PASSWORD_POLICY", "moreInfo": "Password does not meet the policy"}});
        let error = map_status(StatusCode::BAD_REQUEST, &body);
        assert_eq!(error.kind, ErrorKind::InvalidInput);
        assert!(error.message.contains("Password does not meet the policy"));
        assert_eq!(
            error.detail.as_deref(),
            Some("HTTP 400 PASSWORD_POLICY Invalid Input Password does not meet the policy")
        );
        assert_eq!(
            map_status(StatusCode::FORBIDDEN, &Value::Null).kind,
            ErrorKind::Forbidden
        );
        assert_eq!(
            map_status(StatusCode::NOT_FOUND, &Value::Null).kind,
            ErrorKind::NotFound
        );
        assert_eq!(
            map_status(StatusCode::BAD_GATEWAY, &Value::Null).kind,
            ErrorKind::Provider
        );
    }
}

/// Whatever Zoho sends: a value or an error, never a panic (issue 14).
#[cfg(test)]
mod reply_properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_account_record_is_a_user_or_skipped(
            item in crate::test_inputs::json_value(),
            domain in "[a-z]{0,8}",
        ) {
            if let Some(user) = user_from(&item, &[domain]) {
                prop_assert!(!user.email.is_empty());
            }
            let _ = id_of(&item);
            let wrapped = serde_json::json!({ "zuid": 1, "primaryEmailAddress": "a@b", "role": item });
            let _ = user_from(&wrapped, &[]);
        }

        #[test]
        fn any_error_envelope_becomes_an_error_that_says_something(
            json in crate::test_inputs::json_value(),
            status in 100u16..600,
        ) {
            let error = map_status(StatusCode::from_u16(status).unwrap(), &json);
            prop_assert!(!error.message.trim().is_empty());
        }
    }
}
