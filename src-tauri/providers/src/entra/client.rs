//! The Graph client: which calls make up each operation of [`Directory`], and how an
//! ambiguous write is settled by re-reading live state (DESIGN.md, Retries). `http` sends them
//! (headers, token refresh, retries, error mapping); `models` holds the reply shapes.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::Value;
use url::Url;

pub use super::delta::CACHE_SELECT;
pub use super::http::RetryPolicy;
use super::http::{to_app_error, Access, Failure, GraphHttp, GraphRequest};
pub use super::methods::{delete_collection, kind_from_odata_type};
use super::models::{
    GraphContacts, GraphCreatedTap, GraphDirectoryRole, GraphIdOnly, GraphSignInPreferences,
    GraphTapPolicy, GraphUser,
};
use super::{directory_audits, http, methods, query};
use crate::entra::directory::{Directory, IssuedTemporaryAccessPass};
use resetdesk_core::auth::AccessTokenSource;
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::model::connection::EntraSettings;
use resetdesk_core::model::safety::{ContactsOnRecord, ManagerOnRecord, PhoneOnRecord};
use resetdesk_core::model::{
    AuthMethod, AuthMethodKind, DirectoryUser, Operator, Receipt, RoleRef,
    TemporaryAccessPassPolicy,
};

/// Graph's default page size for users (graph.md §1.1); searches ask for pages of at most
/// this many so the first results come back quickly, and follow `@odata.nextLink` for more.
const SEARCH_PAGE_SIZE: usize = 100;
/// `$top` may not exceed this for users.
const MAX_SEARCH_RESULTS: usize = 999;

const NOTE_ALREADY_REMOVED: &str = "already removed";
const NOTE_VERIFIED: &str = "verified after an ambiguous failure";
const NOTE_SENT_AGAIN: &str = "sent again after an ambiguous failure showed no effect";

/// The shared HTTP client for Graph: connect timeout 10 s, request timeout 30 s (Graph's
/// authentication-method APIs give up after 60 s, graph.md §1.3, so an answer later than 30 s
/// is treated as lost and settled by the retry rules), no redirects (a redirect would carry
/// the bearer token elsewhere), user agent `ResetDesk/<version>`.
pub fn http_client() -> reqwest::Client {
    let user_agent = format!("ResetDesk/{}", env!("CARGO_PKG_VERSION"));
    resetdesk_core::http::client_builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap_or_else(|error| {
            // Only a broken TLS backend makes the builder fail; the plain client would hit
            // the same problem on first use, where it is reported as a request error.
            tracing::error!(%error, "could not build the configured HTTP client; using reqwest's default");
            reqwest::Client::new()
        })
}

/// `PATCH /users/{id}` body that sets a temporary password (graph.md §1.2 (A)).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PasswordResetBody<'a> {
    password_profile: PasswordProfile<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PasswordProfile<'a> {
    force_change_password_next_sign_in: bool,
    password: &'a str,
}

/// What to re-read after a write failed ambiguously, to tell whether it took effect.
#[derive(Debug, Clone)]
enum Verification {
    /// `lastPasswordChangeDateTime` at or after the request started.
    PasswordChanged {
        user_id: String,
        since: DateTime<Utc>,
    },
    /// `signInSessionsValidFromDateTime` at or after the request started.
    SessionsRevoked {
        user_id: String,
        since: DateTime<Utc>,
    },
    /// The method is no longer listed.
    MethodGone {
        user_id: String,
        method_id: String,
        label: String,
    },
    /// The hardware token is no longer `activated`.
    TokenDeactivated { user_id: String, method_id: String },
}

impl Verification {
    /// What the operator should check by hand when neither the write nor the re-read
    /// gave an answer.
    fn ambiguous_message(&self) -> String {
        match self {
            // The console shows the temporary password only after a confirmed reset, so the
            // operator never holds it here: if the reset did apply, nobody knows the password.
            Verification::PasswordChanged { .. } => "The service did not confirm the password reset. No temporary \
                password is shown: check the user's last password change time, and if it changed, reset the password \
                again to get one you can hand out."
                .into(),
            Verification::SessionsRevoked { .. } => "The service did not confirm that the sign-in sessions were revoked. \
                Check the user's sessions-valid-from time before trying again."
                .into(),
            Verification::MethodGone { label, .. } => format!(
                "The service did not confirm the removal of the {label}. Check the user's authentication methods before trying again."
            ),
            Verification::TokenDeactivated { .. } => "The service did not confirm that the hardware OATH token was \
                deactivated. Check the token's status before trying again."
                .into(),
        }
    }
}

/// One Entra tenant (one connection) reached through Microsoft Graph.
pub struct EntraDirectory {
    connection_id: String,
    tenant_id: String,
    /// `{graph_base_url}` parsed; `None` when the settings hold an invalid URL (reported on use).
    graph_base: Option<Url>,
    graph_base_text: String,
    /// The Graph sender, which the offline cache's delta reads (`delta`) share.
    pub(super) http: GraphHttp,
}

impl EntraDirectory {
    pub fn new(
        connection_id: impl Into<String>,
        settings: &EntraSettings,
        tokens: Arc<dyn AccessTokenSource>,
        http: reqwest::Client,
    ) -> Self {
        let graph_base_text = settings
            .graph_base_url
            .trim()
            .trim_end_matches('/')
            .to_string();
        let graph_base = Url::parse(&graph_base_text)
            .ok()
            .filter(|url| url.has_host() && !url.cannot_be_a_base());
        Self {
            connection_id: connection_id.into(),
            tenant_id: settings.tenant.clone(),
            http: GraphHttp::new(http, tokens, graph_base.as_ref()),
            graph_base,
            graph_base_text,
        }
    }

    /// Replaces the default retry policy (tests use short backoffs; nothing else needs to).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.http.set_policy(policy);
        self
    }

    fn host(&self) -> String {
        self.graph_base
            .as_ref()
            .and_then(|url| {
                url.host_str().map(|host| match url.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_string(),
                })
            })
            .unwrap_or_else(|| self.graph_base_text.clone())
    }

    pub(super) fn error(&self, failure: Failure) -> AppError {
        to_app_error(failure, &self.host(), &self.connection_id)
    }

    /// `{graph_base}/{version}/{segments...}?{query}`; every segment is percent-encoded so an
    /// id can never change the path.
    fn url(&self, version: &str, segments: &[&str], query: Option<&str>) -> Result<Url> {
        let mut url = self.graph_base.clone().ok_or_else(|| {
            AppError::invalid_input(format!(
                "The Microsoft Graph URL of this connection ({}) is not a valid URL. Fix it in the connection settings.",
                self.graph_base_text
            ))
        })?;
        {
            let mut path = url.path_segments_mut().map_err(|_| {
                AppError::invalid_input(
                    "The Microsoft Graph URL of this connection cannot take a path.",
                )
            })?;
            path.pop_if_empty().push(version);
            for segment in segments {
                path.push(segment);
            }
        }
        url.set_query(query);
        Ok(url)
    }

    pub(super) fn v1(&self, segments: &[&str], query: Option<&str>) -> Result<Url> {
        self.url("v1.0", segments, query)
    }

    fn beta(&self, segments: &[&str], query: Option<&str>) -> Result<Url> {
        self.url("beta", segments, query)
    }

    fn directory_user(&self, user: GraphUser) -> DirectoryUser {
        DirectoryUser {
            connection_id: self.connection_id.clone(),
            tenant_id: self.tenant_id.clone(),
            user_principal_name: user.user_principal_name.unwrap_or_default(),
            display_name: user.display_name.unwrap_or_default(),
            id: user.id,
            mail: user.mail,
            account_enabled: user.account_enabled,
            job_title: user.job_title,
            department: user.department,
            mobile_phone: user.mobile_phone,
            user_type: user.user_type,
            last_password_change: user.last_password_change_date_time,
            sign_in_sessions_valid_from: user.sign_in_sessions_valid_from_date_time,
            admin_roles: Vec::new(),
            roles_known: false,
            in_role_assignable_group: false,
            role_assignable_group_known: false,
        }
    }

    /// Activated directory roles of `/me` or `/users/{id}` (transitive: group-assigned
    /// roles count), keyed by role template id (graph.md §1.5).
    async fn directory_roles(&self, subject: &[&str]) -> Result<Vec<RoleRef>> {
        let mut segments = subject.to_vec();
        segments.extend(["transitiveMemberOf", "microsoft.graph.directoryRole"]);
        // An OData cast: "The ConsistencyLevel header set to eventual and $count=true are
        // required when using the $search, $filter, $orderby, or OData cast query parameters"
        // (https://learn.microsoft.com/graph/api/user-list-transitivememberof).
        let request = GraphRequest::advanced_get(self.v1(&segments, Some("$count=true"))?);
        let roles: Vec<GraphDirectoryRole> = self
            .http
            .get_all(request, None)
            .await
            .map_err(|f| self.error(f))?;
        let mut refs: Vec<RoleRef> = Vec::new();
        for role in roles {
            let Some(template_id) = role.role_template_id.filter(|id| !id.is_empty()) else {
                continue;
            };
            if refs.iter().any(|r| r.template_id == template_id) {
                continue;
            }
            refs.push(RoleRef {
                display_name: role.display_name.unwrap_or_else(|| template_id.clone()),
                template_id,
            });
        }
        Ok(refs)
    }

    /// Whether the user is a (transitive) member of a role-assignable group: then only a
    /// Privileged Authentication Administrator or Global Administrator may act on them.
    async fn in_role_assignable_group(&self, user_id: &str) -> Result<bool> {
        let query = query::build_query(&[
            ("$filter", "isAssignableToRole eq true".to_string()),
            ("$select", "id".to_string()),
            ("$count", "true".to_string()),
        ]);
        let url = self.v1(
            &[
                "users",
                user_id,
                "transitiveMemberOf",
                "microsoft.graph.group",
            ],
            Some(&query),
        )?;
        // Filtering on isAssignableToRole is an advanced query (graph.md §1.1).
        let groups: Vec<GraphIdOnly> = self
            .http
            .get_all(GraphRequest::advanced_get(url), Some(1))
            .await
            .map_err(|f| self.error(f))?;
        Ok(!groups.is_empty())
    }

    async fn read_user(
        &self,
        user_id: &str,
        select: &str,
    ) -> std::result::Result<GraphUser, Failure> {
        let query = query::build_query(&[("$select", select.to_string())]);
        let url = self
            .v1(&["users", user_id], Some(&query))
            .map_err(Failure::Local)?;
        let response = self
            .http
            .send(&GraphRequest::get(url), Access::Read)
            .await?;
        http::decode(&response)
    }

    /// v1.0 `/authentication/methods` as raw polymorphic JSON.
    async fn raw_methods(&self, user_id: &str) -> std::result::Result<Vec<Value>, Failure> {
        let url = self
            .v1(&["users", user_id, "authentication", "methods"], None)
            .map_err(Failure::Local)?;
        self.http.get_all(GraphRequest::get(url), None).await
    }

    /// Beta `/authentication/hardwareOathMethods` as raw JSON.
    async fn raw_hardware_oath(&self, user_id: &str) -> std::result::Result<Vec<Value>, Failure> {
        let url = self
            .beta(
                &["users", user_id, "authentication", "hardwareOathMethods"],
                None,
            )
            .map_err(Failure::Local)?;
        self.http.get_all(GraphRequest::get(url), None).await
    }

    async fn preferred_method(
        &self,
        user_id: &str,
    ) -> std::result::Result<Option<String>, Failure> {
        let url = self
            .beta(
                &["users", user_id, "authentication", "signInPreferences"],
                None,
            )
            .map_err(Failure::Local)?;
        let response = self
            .http
            .send(&GraphRequest::get(url), Access::Read)
            .await?;
        let preferences: GraphSignInPreferences = http::decode(&response)?;
        Ok(preferences.user_preferred_method_for_secondary_authentication)
    }

    /// Re-reads live state: `Ok(true)` = the write took effect, `Ok(false)` = it did not,
    /// `Err` = it could not be told.
    async fn verify(&self, verification: &Verification) -> std::result::Result<bool, Failure> {
        match verification {
            Verification::PasswordChanged { user_id, since } => {
                let user = self
                    .read_user(user_id, "id,lastPasswordChangeDateTime")
                    .await?;
                moved_since(user.last_password_change_date_time.as_deref(), *since)
            }
            Verification::SessionsRevoked { user_id, since } => {
                let user = self
                    .read_user(user_id, "id,signInSessionsValidFromDateTime")
                    .await?;
                moved_since(
                    user.sign_in_sessions_valid_from_date_time.as_deref(),
                    *since,
                )
            }
            Verification::MethodGone {
                user_id, method_id, ..
            } => {
                let listed = self.raw_methods(user_id).await?;
                Ok(!listed
                    .iter()
                    .any(|m| m.get("id").and_then(Value::as_str) == Some(method_id.as_str())))
            }
            Verification::TokenDeactivated { user_id, method_id } => {
                let tokens = self.raw_hardware_oath(user_id).await?;
                let token = tokens
                    .iter()
                    .filter_map(methods::parse_hardware_oath)
                    .find(|t| t.id == *method_id)
                    .ok_or_else(|| {
                        Failure::Local(AppError::new(
                            ErrorKind::NotFound,
                            "hardware token not listed",
                        ))
                    })?;
                match token.status {
                    Some(status) => Ok(!status.eq_ignore_ascii_case("activated")),
                    None => Err(Failure::Local(AppError::new(
                        ErrorKind::Provider,
                        "token status not reported",
                    ))),
                }
            }
        }
    }

    /// Sends a write. Retries happen in `http` only where Graph did not process the request;
    /// an ambiguous failure (timeout, 5xx) is settled by re-reading state: done → success;
    /// not done → sent once more; unknown → `Ambiguous`.
    async fn write(
        &self,
        request: GraphRequest,
        verification: Verification,
        gone_is_done: bool,
    ) -> Result<Receipt> {
        let first_failure = match self.http.send(&request, Access::Write).await {
            Ok(response) => {
                return Ok(Receipt {
                    request_id: response.request_id,
                    note: None,
                })
            }
            Err(failure) => failure,
        };
        if gone_is_done && first_failure.status() == Some(StatusCode::NOT_FOUND) {
            return Ok(Receipt {
                request_id: first_failure.request_id(),
                note: Some(NOTE_ALREADY_REMOVED.into()),
            });
        }
        if !first_failure.is_ambiguous_write() {
            return Err(self.error(first_failure));
        }
        tracing::warn!(failure = %first_failure.detail(), "write failed ambiguously; re-reading live state");
        match self.verify(&verification).await {
            Ok(true) => Ok(Receipt {
                request_id: first_failure.request_id(),
                note: Some(NOTE_VERIFIED.into()),
            }),
            Ok(false) => {
                tracing::info!("the ambiguous write had no effect; sending it once more");
                match self.http.send(&request, Access::Write).await {
                    Ok(response) => Ok(Receipt {
                        request_id: response.request_id,
                        note: Some(NOTE_SENT_AGAIN.into()),
                    }),
                    Err(failure)
                        if gone_is_done && failure.status() == Some(StatusCode::NOT_FOUND) =>
                    {
                        Ok(Receipt {
                            request_id: failure.request_id(),
                            note: Some(NOTE_ALREADY_REMOVED.into()),
                        })
                    }
                    Err(failure) if failure.is_ambiguous_write() => {
                        match self.verify(&verification).await {
                            Ok(true) => Ok(Receipt {
                                request_id: failure.request_id(),
                                note: Some(NOTE_VERIFIED.into()),
                            }),
                            _ => Err(self.ambiguous(&verification, &failure)),
                        }
                    }
                    Err(failure) => Err(self.error(failure)),
                }
            }
            Err(read_failure) => {
                tracing::warn!(failure = %read_failure.detail(), "could not re-read state after an ambiguous write");
                Err(self.ambiguous(&verification, &first_failure))
            }
        }
    }

    fn ambiguous(&self, verification: &Verification, failure: &Failure) -> AppError {
        AppError::new(ErrorKind::Ambiguous, verification.ambiguous_message())
            .with_detail(failure.detail())
    }
}

/// Whether a Graph timestamp is at or after `since` (whole seconds: Graph reports seconds).
/// A missing or unreadable timestamp cannot prove anything. `since` is our clock, the
/// timestamp the service's: if the service's clock runs behind, a change reads as "not
/// moved" and the write is sent once more, which sets the same password / revokes again —
/// harmless, unlike the opposite mistake of reporting an unapplied write as done.
fn moved_since(
    timestamp: Option<&str>,
    since: DateTime<Utc>,
) -> std::result::Result<bool, Failure> {
    let unreadable = || {
        Failure::Local(AppError::new(
            ErrorKind::Provider,
            "timestamp missing or unreadable",
        ))
    };
    let parsed = DateTime::parse_from_rfc3339(timestamp.ok_or_else(unreadable)?)
        .map_err(|_| unreadable())?;
    Ok(parsed.with_timezone(&Utc) >= since.trunc_subsecs(0))
}

/// Rejects ids that could not be a Graph key: they would otherwise be sent as a path segment.
fn check_id(what: &str, id: &str) -> Result<()> {
    let malformed = id.is_empty()
        || id.len() > 1024
        || id == "."
        || id == ".."
        || id
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | '?' | '#'));
    if malformed {
        Err(AppError::invalid_input(format!(
            "The {what} is empty or malformed. Select the user again from the list."
        )))
    } else {
        Ok(())
    }
}

/// The TAP entry of the authentication methods policy, as the plan needs it. Graph documents
/// the range as 10–43200 minutes; a field missing from the reply falls back to Entra's defaults.
fn tap_policy_of(policy: GraphTapPolicy) -> TemporaryAccessPassPolicy {
    TemporaryAccessPassPolicy {
        enabled: policy
            .state
            .as_deref()
            .is_some_and(|state| state.eq_ignore_ascii_case("enabled")),
        default_lifetime_minutes: policy.default_lifetime_in_minutes.unwrap_or(60),
        minimum_lifetime_minutes: policy.minimum_lifetime_in_minutes.unwrap_or(60),
        maximum_lifetime_minutes: policy.maximum_lifetime_in_minutes.unwrap_or(480),
        default_length: policy.default_length.unwrap_or(8),
        is_usable_once: policy.is_usable_once.unwrap_or(false),
    }
}

/// The body of `POST temporaryAccessPassMethods` (graph.md §1.3; all fields optional in Graph,
/// always sent here so the pass is what the operator reviewed, not the policy's default).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TapRequestBody {
    lifetime_in_minutes: u32,
    is_usable_once: bool,
}

#[async_trait]
impl Directory for EntraDirectory {
    #[tracing::instrument(skip(self), fields(connection = %self.connection_id))]
    async fn contacts_on_record(&self, user_id: &str) -> Result<ContactsOnRecord> {
        check_id("user id", user_id)?;
        let query = query::build_query(&[
            ("$select", "id,mobilePhone,businessPhones".to_string()),
            ("$expand", format!("manager($select={MANAGER_SELECT})")),
        ]);
        let url = self.v1(&["users", user_id], Some(&query))?;
        let response = self
            .http
            .send(&GraphRequest::get(url), Access::Read)
            .await
            .map_err(|f| self.error(f))?;
        let contacts: GraphContacts = http::decode(&response).map_err(|f| self.error(f))?;
        Ok(contacts_on_record(contacts))
    }

    #[tracing::instrument(skip(self), fields(connection = %self.connection_id))]
    async fn tenant_resets_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Option<Vec<resetdesk_core::safety::team::TenantReset>>> {
        /// A day of a busy tenant's audit events fits; beyond, the oldest are not read.
        const MAX_AUDIT_PAGES: usize = 20;
        let query = query::build_query(&[(
            "$filter",
            format!(
                "activityDateTime ge {}",
                since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        )]);
        let mut request =
            GraphRequest::get(self.v1(&["auditLogs", "directoryAudits"], Some(&query))?);
        let mut resets = Vec::new();
        for _ in 0..MAX_AUDIT_PAGES {
            let response = self
                .http
                .send(&request, Access::Read)
                .await
                .map_err(|f| self.error(f))?;
            let page: directory_audits::AuditPage =
                http::decode(&response).map_err(|f| self.error(f))?;
            resets.extend(
                page.value
                    .into_iter()
                    .filter_map(directory_audits::reset_of),
            );
            match page.next_link {
                Some(next) => {
                    request = GraphRequest::get(
                        self.http
                            .checked_next_link(&next)
                            .map_err(|f| self.error(f))?,
                    )
                }
                None => break,
            }
        }
        Ok(Some(resets))
    }

    #[tracing::instrument(skip(self), fields(connection = %self.connection_id))]
    async fn tap_policy(&self) -> Result<TemporaryAccessPassPolicy> {
        let url = self.v1(
            &[
                "policies",
                "authenticationMethodsPolicy",
                "authenticationMethodConfigurations",
                "TemporaryAccessPass",
            ],
            None,
        )?;
        let response = self
            .http
            .send(&GraphRequest::get(url), Access::Read)
            .await
            .map_err(|f| self.error(f))?;
        let policy = http::decode::<GraphTapPolicy>(&response).map_err(|f| self.error(f))?;
        Ok(tap_policy_of(policy))
    }

    #[tracing::instrument(skip(self), fields(connection = %self.connection_id))]
    async fn create_temporary_access_pass(
        &self,
        user_id: &str,
        lifetime_minutes: u32,
        usable_once: bool,
    ) -> Result<IssuedTemporaryAccessPass> {
        check_id("user id", user_id)?;
        let body = serde_json::to_string(&TapRequestBody {
            lifetime_in_minutes: lifetime_minutes,
            is_usable_once: usable_once,
        })
        .map_err(|_| {
            AppError::internal("The Temporary Access Pass request could not be prepared.")
        })?;
        let request = GraphRequest {
            method: Method::POST,
            url: self.v1(
                &[
                    "users",
                    user_id,
                    "authentication",
                    "temporaryAccessPassMethods",
                ],
                None,
            )?,
            eventual_consistency: false,
            body: Some(SecretString::from(body)),
        };
        // Not settled by re-reading: the pass is returned by the creating reply only, so an
        // unanswered create cannot be recovered; the operator issues another (it replaces it).
        let response = self
            .http
            .send(&request, Access::Write)
            .await
            .map_err(|failure| {
                if failure.is_ambiguous_write() {
                    AppError::new(
                        ErrorKind::Ambiguous,
                        "The service did not confirm the Temporary Access Pass, so none can be shown. Issue a new one: it replaces any pass created meanwhile.",
                    )
                    .with_detail(failure.detail())
                } else {
                    self.error(failure)
                }
            })?;
        let created = http::decode::<GraphCreatedTap>(&response).map_err(|f| self.error(f))?;
        let pass = created
            .temporary_access_pass
            .filter(|pass| !pass.is_empty())
            .map(SecretString::from)
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::Provider,
                    "Microsoft Graph created the Temporary Access Pass but did not return it. Issue a new one.",
                )
            })?;
        Ok(IssuedTemporaryAccessPass {
            pass,
            lifetime_minutes: created.lifetime_in_minutes.unwrap_or(lifetime_minutes),
            usable_once: created.is_usable_once.unwrap_or(usable_once),
            receipt: Receipt {
                request_id: response.request_id.clone(),
                note: None,
            },
        })
    }

    #[tracing::instrument(skip(self), fields(connection = %self.connection_id))]
    async fn me(&self) -> Result<Operator> {
        let me_query =
            query::build_query(&[("$select", "id,displayName,userPrincipalName".to_string())]);
        let me_url = self.v1(&["me"], Some(&me_query))?;
        let read_me = async {
            let response = self
                .http
                .send(&GraphRequest::get(me_url), Access::Read)
                .await
                .map_err(|f| self.error(f))?;
            http::decode::<GraphUser>(&response).map_err(|f| self.error(f))
        };
        let (me, roles) = tokio::try_join!(read_me, self.directory_roles(&["me"]))?;
        Ok(Operator {
            connection_id: self.connection_id.clone(),
            tenant_id: self.tenant_id.clone(),
            user_principal_name: me.user_principal_name.unwrap_or_default(),
            display_name: me.display_name.unwrap_or_default(),
            id: me.id,
            roles,
        })
    }

    #[tracing::instrument(skip(self, query), fields(connection = %self.connection_id))]
    async fn search_users(&self, query: &str, limit: usize) -> Result<Vec<DirectoryUser>> {
        let limit = limit.min(MAX_SEARCH_RESULTS);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let (query_string, advanced) = query::user_search_query(query, limit.min(SEARCH_PAGE_SIZE));
        let url = self.v1(&["users"], Some(&query_string))?;
        let request = if advanced {
            GraphRequest::advanced_get(url)
        } else {
            GraphRequest::get(url)
        };
        let users: Vec<GraphUser> = self
            .http
            .get_all(request, Some(limit))
            .await
            .map_err(|f| self.error(f))?;
        Ok(users.into_iter().map(|u| self.directory_user(u)).collect())
    }

    #[tracing::instrument(skip(self), fields(connection = %self.connection_id))]
    async fn get_user(&self, user_id: &str) -> Result<DirectoryUser> {
        check_id("user id", user_id)?;
        let read_user = async {
            self.read_user(user_id, query::USER_DETAIL_SELECT)
                .await
                .map_err(|f| self.error(f))
        };
        let subject = ["users", user_id];
        let (user, roles, in_group) = tokio::try_join!(
            read_user,
            self.directory_roles(&subject),
            self.in_role_assignable_group(user_id)
        )?;
        let mut user = self.directory_user(user);
        user.admin_roles = roles;
        user.roles_known = true;
        user.in_role_assignable_group = in_group;
        user.role_assignable_group_known = true;
        Ok(user)
    }

    #[tracing::instrument(skip(self), fields(connection = %self.connection_id))]
    async fn list_methods(&self, user_id: &str) -> Result<Vec<AuthMethod>> {
        check_id("user id", user_id)?;
        let (listed, hardware, preferred) = tokio::join!(
            self.raw_methods(user_id),
            self.raw_hardware_oath(user_id),
            self.preferred_method(user_id)
        );
        let mut methods: Vec<AuthMethod> = listed
            .map_err(|f| self.error(f))?
            .iter()
            .filter_map(methods::parse_method)
            .collect();
        methods::merge_hardware_oath(&mut methods, hardware).map_err(|f| self.error(f))?;
        match preferred {
            Ok(Some(preferred)) => {
                if !methods::mark_default(&mut methods, &preferred) {
                    tracing::info!(
                        preferred,
                        "the preferred MFA method is not among the listed methods"
                    );
                }
            }
            Ok(None) => {}
            // Without the preference no method is marked; the executor then deletes in an
            // order that retries the default last.
            Err(failure) => {
                tracing::warn!(failure = %failure.detail(), "the default MFA method could not be read");
            }
        }
        Ok(methods)
    }

    #[tracing::instrument(skip(self, temporary_password), fields(connection = %self.connection_id))]
    async fn reset_password(
        &self,
        user_id: &str,
        temporary_password: &SecretString,
    ) -> Result<Receipt> {
        check_id("user id", user_id)?;
        let password = temporary_password.expose_secret();
        if password.is_empty() {
            return Err(AppError::invalid_input("The temporary password is empty."));
        }
        let body = PasswordResetBody {
            password_profile: PasswordProfile {
                force_change_password_next_sign_in: true,
                password,
            },
        };
        // Written once into a buffer of its size, which becomes the secret body as it is (no
        // growth or shrink leaves a copy of the password behind).
        let mut body = resetdesk_core::secret_body::json(&body)
            .map_err(|_| AppError::internal("The password reset request could not be prepared."))?;
        let body = String::from_utf8(std::mem::take(&mut *body))
            .map_err(|_| AppError::internal("The password reset request could not be prepared."))?;
        let request = GraphRequest {
            method: Method::PATCH,
            url: self.v1(&["users", user_id], None)?,
            eventual_consistency: false,
            body: Some(SecretString::from(body)),
        };
        let since = Utc::now();
        let verification = Verification::PasswordChanged {
            user_id: user_id.to_string(),
            since,
        };
        self.write(request, verification, false)
            .await
            .map_err(|e| e.redacted(password))
    }

    #[tracing::instrument(skip(self, method), fields(connection = %self.connection_id, method_id = %method.id, kind = ?method.kind))]
    async fn delete_method(&self, user_id: &str, method: &AuthMethod) -> Result<Receipt> {
        check_id("user id", user_id)?;
        check_id("method id", &method.id)?;
        let Some(collection) = methods::delete_collection(method.kind) else {
            let why = match method.kind {
                AuthMethodKind::Password => {
                    "The password is not deleted; reset it instead.".to_string()
                }
                AuthMethodKind::HardwareOath => {
                    "A hardware OATH token is deactivated, not deleted; use deactivation instead."
                        .to_string()
                }
                _ => format!(
                    "ResetDesk cannot delete a method of this type ({}).",
                    method.label
                ),
            };
            return Err(AppError::invalid_input(why));
        };
        let request = GraphRequest {
            method: Method::DELETE,
            url: self.v1(
                &["users", user_id, "authentication", collection, &method.id],
                None,
            )?,
            eventual_consistency: false,
            body: None,
        };
        let verification = Verification::MethodGone {
            user_id: user_id.to_string(),
            method_id: method.id.clone(),
            label: method.label.clone(),
        };
        self.write(request, verification, true).await
    }

    #[tracing::instrument(skip(self), fields(connection = %self.connection_id))]
    async fn deactivate_hardware_oath(&self, user_id: &str, method_id: &str) -> Result<Receipt> {
        check_id("user id", user_id)?;
        check_id("method id", method_id)?;
        let request = GraphRequest {
            method: Method::POST,
            url: self.beta(
                &[
                    "users",
                    user_id,
                    "authentication",
                    "hardwareOathMethods",
                    method_id,
                    "deactivate",
                ],
                None,
            )?,
            eventual_consistency: false,
            body: None,
        };
        let verification = Verification::TokenDeactivated {
            user_id: user_id.to_string(),
            method_id: method_id.to_string(),
        };
        self.write(request, verification, false).await
    }

    #[tracing::instrument(skip(self), fields(connection = %self.connection_id))]
    async fn revoke_sessions(&self, user_id: &str) -> Result<Receipt> {
        check_id("user id", user_id)?;
        // Graph answers 200 {"value": true} instead of the documented 204 (graph.md §1.4);
        // any 2xx is success, so the body is not read.
        let request = GraphRequest {
            method: Method::POST,
            url: self.v1(&["users", user_id, "revokeSignInSessions"], None)?,
            eventual_consistency: false,
            body: None,
        };
        let verification = Verification::SessionsRevoked {
            user_id: user_id.to_string(),
            since: Utc::now(),
        };
        self.write(request, verification, false).await
    }
}

/// The manager's properties read for a caller's verification.
const MANAGER_SELECT: &str = "id,displayName,userPrincipalName,mobilePhone,businessPhones";

/// The directory's phone numbers of a user, labelled by the field they come from.
pub(crate) fn phones_on_record(
    mobile: Option<String>,
    business: Vec<String>,
) -> Vec<PhoneOnRecord> {
    let mobile = mobile
        .filter(|n| !n.trim().is_empty())
        .map(|number| PhoneOnRecord {
            id: "mobilePhone".into(),
            label: "Mobile phone".into(),
            number,
        });
    let business = business
        .into_iter()
        .enumerate()
        .filter(|(_, n)| !n.trim().is_empty())
        .map(|(i, number)| PhoneOnRecord {
            id: format!("businessPhones/{i}"),
            label: "Business phone".into(),
            number,
        });
    mobile.into_iter().chain(business).collect()
}

fn contacts_on_record(contacts: GraphContacts) -> ContactsOnRecord {
    ContactsOnRecord {
        phones: phones_on_record(contacts.mobile_phone, contacts.business_phones),
        // A manager without a UPN is an org contact, not someone who can sign in: still named.
        manager: contacts.manager.map(|m| ManagerOnRecord {
            display_name: m.display_name.unwrap_or_else(|| m.id.clone()),
            user_principal_name: m.user_principal_name.unwrap_or_default(),
            phones: phones_on_record(m.mobile_phone, m.business_phones),
            id: m.id,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoTokens;
    #[async_trait]
    impl AccessTokenSource for NoTokens {
        async fn access_token(&self) -> Result<SecretString> {
            Err(AppError::not_signed_in("not signed in"))
        }
        async fn invalidate(&self, _rejected: &SecretString) {}
    }

    fn directory(graph_base_url: &str) -> EntraDirectory {
        let settings = EntraSettings {
            tenant: "contoso.example".into(),
            client_id: "client".into(),
            login_base_url: "https://login.microsoftonline.com".into(),
            graph_base_url: graph_base_url.into(),
            demo_accounts: Vec::new(),
        };
        EntraDirectory::new(
            "conn-1",
            &settings,
            Arc::new(NoTokens),
            reqwest::Client::new(),
        )
    }

    #[test]
    fn urls_append_version_and_encode_every_segment() {
        let d = directory("https://graph.microsoft.us/");
        let url = d
            .v1(
                &["users", "a b@contoso.com", "authentication", "methods"],
                None,
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://graph.microsoft.us/v1.0/users/a%20b@contoso.com/authentication/methods"
        );
        let url = d
            .beta(
                &["users", "x%2F..", "authentication", "signInPreferences"],
                Some("$select=id"),
            )
            .unwrap();
        assert_eq!(url.as_str(), "https://graph.microsoft.us/beta/users/x%252F../authentication/signInPreferences?$select=id");
        let local = directory("http://127.0.0.1:4567");
        assert_eq!(
            local.v1(&["me"], None).unwrap().as_str(),
            "http://127.0.0.1:4567/v1.0/me"
        );
        assert_eq!(local.host(), "127.0.0.1:4567");
    }

    #[test]
    fn invalid_graph_url_is_reported_not_panicked() {
        let d = directory("not a url");
        let error = d.v1(&["me"], None).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput);
        assert!(error.message.contains("not a url"));
    }

    #[test]
    fn malformed_ids_are_rejected_before_sending() {
        for id in ["", ".", "..", "a/b", "a?b", "a#b", "a\\b", "a\nb"] {
            assert_eq!(
                check_id("user id", id).unwrap_err().kind,
                ErrorKind::InvalidInput,
                "{id:?}"
            );
        }
        for id in [
            "6e7b768e-07e2-4810-8459-485f84f8f204",
            "adele.vance@contoso.com",
            "O'Brien@contoso.com",
        ] {
            assert!(check_id("user id", id).is_ok(), "{id}");
        }
    }

    #[test]
    fn timestamps_moved_since_compare_whole_seconds() {
        let since = DateTime::parse_from_rfc3339("2025-03-01T10:00:00.700Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(moved_since(Some("2025-03-01T10:00:00Z"), since).unwrap());
        assert!(moved_since(Some("2025-03-01T10:05:00Z"), since).unwrap());
        assert!(!moved_since(Some("2025-03-01T09:59:59Z"), since).unwrap());
        assert!(moved_since(None, since).is_err());
        assert!(moved_since(Some("yesterday"), since).is_err());
    }

    #[test]
    fn password_is_redacted_from_errors() {
        let error = AppError::new(ErrorKind::Provider, "Password 'Sup3r-Secret!' is too weak")
            .with_detail("value=Sup3r-Secret!");
        let error = error.redacted("Sup3r-Secret!");
        assert_eq!(error.message, "Password '[redacted]' is too weak");
        assert_eq!(error.detail.as_deref(), Some("value=[redacted]"));
    }

    #[test]
    fn password_body_has_exactly_the_graph_shape() {
        let body = PasswordResetBody {
            password_profile: PasswordProfile {
                force_change_password_next_sign_in: true,
                password: "x",
            },
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"passwordProfile":{"forceChangePasswordNextSignIn":true,"password":"x"}})
        );
    }

    #[tokio::test]
    async fn token_source_errors_are_reported_as_they_are() {
        let d = directory("http://127.0.0.1:9");
        let error = d.search_users("adele", 10).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotSignedIn);
        assert_eq!(error.message, "not signed in");
    }
}
