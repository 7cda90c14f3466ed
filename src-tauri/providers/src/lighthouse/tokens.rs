//! Access tokens for the partner tenant and every customer tenant, from ONE partner sign-in.
//!
//! A refresh token is bound to the user and the client, not to a tenant (graph.md §4.1):
//! redeemed at `{login}/{customerTenantId}/oauth2/v2.0/token` it gives a token for that
//! customer, where Graph calls then run with the technician's GDAP roles (§4.3). The refresh
//! token lives in the [`SecretStore`] (the keychain) and is read from there for each
//! redemption; access tokens stay in memory, one per tenant, refreshed shortly before expiry
//! and single-flight per tenant (concurrent callers of one tenant share one redemption).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use resetdesk_core::auth::{AccessTokenSource, REFRESH_MARGIN, REFRESH_TOKEN_SECRET};
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::secrets::{load_bound_sign_in, save_bound_secret, SecretStore};

/// Where the partner signs in and where Graph is (public cloud, or the sandbox emulator).
#[derive(Debug, Clone)]
pub struct LighthouseEndpoints {
    pub login_base: Url,
    pub graph_base: Url,
    pub client_id: String,
    pub partner_tenant_id: String,
}

impl LighthouseEndpoints {
    /// Where the partner's tokens are used: the sign-in service (partner tenant, client id)
    /// and Microsoft Graph. The refresh token is kept bound to it.
    pub fn issuer(&self) -> String {
        format!(
            "{}/{} for client {} and {}",
            self.login_base.as_str().trim_end_matches('/'),
            self.partner_tenant_id,
            self.client_id,
            self.graph_base.as_str().trim_end_matches('/')
        )
    }

    /// The endpoints of a saved partner connection.
    pub fn of(settings: &resetdesk_core::model::connection::LighthouseSettings) -> Result<Self> {
        Self::new(
            &settings.login_base_url,
            &settings.graph_base_url,
            &settings.client_id,
            &settings.partner_tenant_id,
        )
    }

    /// Parses the two base URLs; a malformed one is the caller's input error.
    pub fn new(
        login_base: &str,
        graph_base: &str,
        client_id: &str,
        partner_tenant_id: &str,
    ) -> Result<Self> {
        let parse = |what: &str, value: &str| {
            Url::parse(value).map_err(|_| {
                AppError::invalid_input(format!("The {what} URL is not a valid URL: {value:?}"))
            })
        };
        if client_id.trim().is_empty() || partner_tenant_id.trim().is_empty() {
            return Err(AppError::invalid_input(
                "A Lighthouse connection needs the app's client id and the partner tenant id.",
            ));
        }
        Ok(Self {
            login_base: parse("sign-in", login_base)?,
            graph_base: parse("Microsoft Graph", graph_base)?,
            client_id: client_id.trim().to_string(),
            partner_tenant_id: partner_tenant_id.trim().to_string(),
        })
    }
}

const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default offline_access";

struct CachedToken {
    token: SecretString,
    expires_at: DateTime<Utc>,
}

impl CachedToken {
    fn usable_at(&self, now: DateTime<Utc>) -> bool {
        let margin = chrono::Duration::from_std(REFRESH_MARGIN).unwrap_or_default();
        now + margin < self.expires_at
    }
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct TokenErrorReply {
    error: Option<String>,
    error_description: Option<String>,
}

/// One partner sign-in and the access tokens it gives, per tenant.
pub struct PartnerSession {
    http: reqwest::Client,
    endpoints: LighthouseEndpoints,
    connection_id: String,
    secrets: Arc<dyn SecretStore>,
    /// tenant id → its single-flight slot holding the cached token.
    tokens: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<CachedToken>>>>>,
}

impl std::fmt::Debug for PartnerSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerSession")
            .field("connection_id", &self.connection_id)
            .field("partner_tenant_id", &self.endpoints.partner_tenant_id)
            .finish_non_exhaustive()
    }
}

impl PartnerSession {
    /// After an interactive sign-in to the partner tenant: keeps its refresh token in the
    /// secret store (the keychain) under `<connection-id>/refresh_token`.
    pub async fn from_sign_in(
        http: reqwest::Client,
        endpoints: LighthouseEndpoints,
        connection_id: &str,
        secrets: Arc<dyn SecretStore>,
        refresh_token: SecretString,
    ) -> Result<Arc<Self>> {
        save_bound_secret(
            &secrets,
            connection_id,
            REFRESH_TOKEN_SECRET,
            &refresh_token,
            &endpoints.issuer(),
        )
        .await?;
        Ok(Self::resume(http, endpoints, connection_id, secrets))
    }

    /// On a later start: the refresh token is read from the store when first needed.
    pub fn resume(
        http: reqwest::Client,
        endpoints: LighthouseEndpoints,
        connection_id: &str,
        secrets: Arc<dyn SecretStore>,
    ) -> Arc<Self> {
        Arc::new(Self {
            http,
            endpoints,
            connection_id: connection_id.to_string(),
            secrets,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    pub fn endpoints(&self) -> &LighthouseEndpoints {
        &self.endpoints
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn slot(&self, tenant_id: &str) -> Arc<tokio::sync::Mutex<Option<CachedToken>>> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens
            .entry(tenant_id.to_ascii_lowercase())
            .or_default()
            .clone()
    }

    /// A token for `tenant_id` valid for at least a minute: the cached one, or a new one
    /// redeemed with the partner refresh token.
    pub async fn access_token(&self, tenant_id: &str) -> Result<SecretString> {
        let slot = self.slot(tenant_id);
        let mut cached = slot.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.usable_at(Utc::now())) {
            return Ok(token.token.clone());
        }
        let fresh = self.redeem(tenant_id).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets `rejected` (Graph answered 401 with it) so the next call redeems anew.
    pub async fn invalidate(&self, tenant_id: &str, rejected: &SecretString) {
        let slot = self.slot(tenant_id);
        let mut cached = slot.lock().await;
        if cached
            .as_ref()
            .is_some_and(|t| t.token.expose_secret() == rejected.expose_secret())
        {
            *cached = None;
        }
    }

    /// A token source bound to one tenant, for [`crate::entra::http::GraphHttp`].
    pub fn for_tenant(self: &Arc<Self>, tenant_id: &str) -> Arc<TenantTokens> {
        Arc::new(TenantTokens {
            session: Arc::clone(self),
            tenant_id: tenant_id.to_string(),
        })
    }

    /// The stored partner refresh token, if it was issued for this connection's endpoints as
    /// they are now. One issued elsewhere (the settings were edited since) is deleted, unsent.
    pub async fn stored_refresh_token(&self) -> Result<Option<SecretString>> {
        load_bound_sign_in(
            &self.secrets,
            &self.connection_id,
            REFRESH_TOKEN_SECRET,
            &self.endpoints.issuer(),
            (
                "partner sign-in",
                "It has been removed: sign in to the partner tenant again.",
            ),
        )
        .await
    }

    async fn redeem(&self, tenant_id: &str) -> Result<CachedToken> {
        let refresh = self.stored_refresh_token().await?.ok_or_else(|| {
            AppError::not_signed_in(
                "No Lighthouse sign-in is stored for this connection. Sign in to the partner tenant.",
            )
        })?;
        // The tenant id becomes part of the login URL that receives the partner's refresh
        // token: a GUID only, never a path (`../common`, `%2e%2e`).
        let tenant_id = uuid::Uuid::parse_str(tenant_id.trim())
            .map(|id| id.to_string())
            .map_err(|_| {
                AppError::invalid_input(format!(
                    "{tenant_id:?} is not a customer tenant id (a GUID). Pick the customer from the list."
                ))
            })?;
        let url = self
            .endpoints
            .login_base
            .join(&format!("{tenant_id}/oauth2/v2.0/token"))
            .map_err(|_| {
                AppError::invalid_input(format!("Not a valid tenant id: {tenant_id:?}"))
            })?;
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.endpoints.client_id.as_str()),
            ("refresh_token", refresh.expose_secret()),
            ("scope", GRAPH_SCOPE),
        ];
        let request = resetdesk_core::secret_body::with_form(self.http.post(url), &form);
        let response = request.send().await.map_err(|e| {
            AppError::new(
                ErrorKind::Offline,
                "Cannot reach the Microsoft sign-in service. Check the network connection.",
            )
            .with_detail(e.without_url().to_string())
        })?;
        let status = response.status();
        let body = resetdesk_core::reply_body::read(response)
            .await
            .map_err(|e| {
                e.into_app_error(|_| {
                    AppError::new(
                        ErrorKind::Offline,
                        "The sign-in service's answer broke off.",
                    )
                })
            })?;
        if !status.is_success() {
            let reply: Option<TokenErrorReply> = serde_json::from_slice(&body).ok();
            let code = reply
                .as_ref()
                .and_then(|r| r.error.clone())
                .unwrap_or_default();
            // The AADSTS code only (the first word): the description may name accounts.
            let aadsts = reply
                .and_then(|r| r.error_description)
                .and_then(|d| d.split(':').next().map(str::to_string))
                .unwrap_or_default();
            let message = if code == "invalid_grant"
                && tenant_id != self.endpoints.partner_tenant_id
            {
                format!("No token for customer tenant {tenant_id}: the partner sign-in does not reach it (no active GDAP relationship, or the sign-in expired).")
            } else {
                "The partner sign-in has expired or was revoked. Sign in to the partner tenant again.".to_string()
            };
            let kind = if code == "invalid_grant" && tenant_id != self.endpoints.partner_tenant_id {
                ErrorKind::Forbidden
            } else {
                ErrorKind::NotSignedIn
            };
            return Err(AppError::new(kind, message)
                .with_detail(format!("error={code} {aadsts} tenant={tenant_id}")));
        }
        let reply: TokenReply = serde_json::from_slice(&body).map_err(|_| {
            AppError::new(
                ErrorKind::Provider,
                "The sign-in service sent a token reply ResetDesk cannot read.",
            )
        })?;
        if let Some(rotated) = reply.refresh_token.filter(|t| !t.is_empty()) {
            // Refresh tokens replace themselves on use (graph.md §4.1): keep the newest.
            save_bound_secret(
                &self.secrets,
                &self.connection_id,
                REFRESH_TOKEN_SECRET,
                &SecretString::from(rotated),
                &self.endpoints.issuer(),
            )
            .await?;
        }
        let lifetime = reply.expires_in.unwrap_or(3600).clamp(60, 86_400);
        Ok(CachedToken {
            token: SecretString::from(reply.access_token),
            expires_at: Utc::now() + chrono::Duration::seconds(lifetime),
        })
    }
}

/// [`PartnerSession`] seen from one tenant.
pub struct TenantTokens {
    session: Arc<PartnerSession>,
    tenant_id: String,
}

#[async_trait]
impl AccessTokenSource for TenantTokens {
    async fn access_token(&self) -> Result<SecretString> {
        self.session.access_token(&self.tenant_id).await
    }
    async fn invalidate(&self, rejected: &SecretString) {
        self.session.invalidate(&self.tenant_id, rejected).await
    }
}
