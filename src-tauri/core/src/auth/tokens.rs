//! Tokens after sign-in: [`TokenSet`] (what a token response gave us) and [`TokenManager`],
//! which hands out a fresh access token to the provider client and refreshes it when needed.
//!
//! Where each token lives: the access token only in this process's memory; the refresh token
//! only in the [`SecretStore`] (the OS keychain, or memory in "session only" mode), read back
//! when a refresh is due. Entra and the sandbox rotate refresh tokens on every use, so each
//! refresh stores the new one in place of the old.
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use oauth2::{RefreshToken, Scope};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::oauth_client::{oauth_client, send_token_request, TokenCall};
pub use super::token_set::TokenSet;
use super::AccessTokenSource;
use crate::error::{AppError, ErrorKind, Result};
use crate::model::connection::EntraSettings;
use crate::secrets::{forget_secret, load_bound_sign_in, save_bound_secret, SecretStore};

/// The secret name of a connection's refresh token in the [`SecretStore`].
pub const REFRESH_TOKEN_SECRET: &str = "refresh_token";

/// An access token this close to expiry is refreshed before use, so it cannot expire
/// between our check and the service's.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

struct CachedAccessToken {
    token: SecretString,
    expires_at: DateTime<Utc>,
}

impl CachedAccessToken {
    fn usable_at(&self, now: DateTime<Utc>) -> bool {
        let margin = chrono::Duration::from_std(REFRESH_MARGIN).unwrap_or(chrono::Duration::zero());
        now + margin < self.expires_at
    }
}

/// Keeps one connection's access token fresh (see the module docs for where tokens live).
///
/// Refreshes are single-flight: the cached token sits behind a tokio mutex held across the
/// refresh, so concurrent callers wait for the one refresh in progress and then share its
/// result instead of each spending (and rotating) the refresh token.
pub struct TokenManager {
    connection_id: String,
    settings: EntraSettings,
    store: Arc<dyn SecretStore>,
    http: reqwest::Client,
    current: Mutex<Option<CachedAccessToken>>,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("connection_id", &self.connection_id)
            .field("login_base_url", &self.settings.login_base_url)
            .field("tenant", &self.settings.tenant)
            .finish_non_exhaustive()
    }
}

impl TokenManager {
    /// Takes over the tokens of a finished interactive sign-in: the refresh token goes to the
    /// store (replacing any earlier one of this connection), the access token stays here.
    ///
    /// `http` is used for token requests; build it with `redirect(Policy::none())` (the
    /// `oauth2` crate's advice: a token endpoint must not redirect a request that carries a
    /// refresh token elsewhere).
    pub async fn from_sign_in(
        connection_id: impl Into<String>,
        settings: EntraSettings,
        store: Arc<dyn SecretStore>,
        http: reqwest::Client,
        tokens: TokenSet,
    ) -> Result<Self> {
        let manager = Self::new(connection_id.into(), settings, store, http);
        match &tokens.refresh_token {
            Some(refresh_token) => {
                save_bound_secret(
                    &manager.store,
                    &manager.connection_id,
                    REFRESH_TOKEN_SECRET,
                    refresh_token,
                    &manager.issuer(),
                )
                .await?
            }
            // No refresh token (offline_access not granted): an older one in the store may
            // belong to another account, and refreshing with it later would silently switch
            // the operator. This session ends when its access token expires.
            None => {
                forget_secret(&manager.store, &manager.connection_id, REFRESH_TOKEN_SECRET).await?
            }
        }
        *manager.current.lock().await = Some(CachedAccessToken {
            token: tokens.access_token,
            expires_at: tokens.expires_at,
        });
        Ok(manager)
    }

    /// At a later app start: if the store holds a refresh token for this connection, gets an
    /// access token with it (no browser) and returns the manager; `Ok(None)` when there is
    /// nothing to resume. A refused refresh token is deleted and reported as `NotSignedIn`.
    pub async fn resume(
        connection_id: impl Into<String>,
        settings: EntraSettings,
        store: Arc<dyn SecretStore>,
        http: reqwest::Client,
    ) -> Result<Option<Self>> {
        let manager = Self::new(connection_id.into(), settings, store, http);
        if manager.stored_refresh_token().await?.is_none() {
            return Ok(None);
        }
        manager.access_token().await?;
        Ok(Some(manager))
    }

    /// Where this connection's tokens are used: the token endpoint (tenant and client id) and
    /// Microsoft Graph. The refresh token is kept bound to it.
    fn issuer(&self) -> String {
        format!(
            "{}/{} for client {} and {}",
            self.settings.login_base_url.trim_end_matches('/'),
            self.settings.tenant,
            self.settings.client_id,
            self.settings.graph_base_url.trim_end_matches('/')
        )
    }

    /// The stored refresh token, if it was issued for this connection's endpoints as they are
    /// now. One issued elsewhere (the settings were edited since) is deleted, unsent.
    async fn stored_refresh_token(&self) -> Result<Option<SecretString>> {
        load_bound_sign_in(
            &self.store,
            &self.connection_id,
            REFRESH_TOKEN_SECRET,
            &self.issuer(),
            ("sign-in", "It has been removed: sign in again."),
        )
        .await
    }

    fn new(
        connection_id: String,
        settings: EntraSettings,
        store: Arc<dyn SecretStore>,
        http: reqwest::Client,
    ) -> Self {
        Self {
            connection_id,
            settings,
            store,
            http,
            current: Mutex::new(None),
        }
    }

    pub fn connection_id(&self) -> &str {
        &self.connection_id
    }

    /// Ends the session on this device: forgets the access token and deletes the refresh
    /// token from the store. (The tokens stay valid at the service until they expire or an
    /// administrator revokes sessions; Entra offers no token revocation endpoint.)
    pub async fn sign_out(&self) -> Result<()> {
        let mut current = self.current.lock().await;
        *current = None;
        forget_secret(&self.store, &self.connection_id, REFRESH_TOKEN_SECRET).await
    }

    /// Spends the stored refresh token for a new access token; the caller holds the lock.
    async fn refresh(&self, current: &mut Option<CachedAccessToken>) -> Result<SecretString> {
        let stored = self.stored_refresh_token().await?;
        let Some(stored) = stored else {
            *current = None;
            return Err(AppError::not_signed_in(
                "You are not signed in to this connection (no saved sign-in); sign in again",
            ));
        };
        let client = oauth_client(&self.settings, None)?;
        let refresh_token = RefreshToken::new(stored.expose_secret().to_string());
        let token_http = super::token_http::TokenHttp(self.http.clone());
        let request = client
            .exchange_refresh_token(&refresh_token)
            .add_scopes(self.settings.scopes().into_iter().map(Scope::new))
            .request_async(&token_http);
        let tokens = match send_token_request(&self.settings, TokenCall::RefreshToken, request)
            .await
        {
            Ok(tokens) => tokens,
            Err(error) => {
                if error.kind == ErrorKind::NotSignedIn {
                    // The service will never accept this refresh token again: drop it so the
                    // next start does not try it, and so the UI shows "signed out".
                    *current = None;
                    if let Err(delete_error) =
                        forget_secret(&self.store, &self.connection_id, REFRESH_TOKEN_SECRET).await
                    {
                        tracing::warn!(
                            connection = %self.connection_id,
                            error = %delete_error,
                            "could not delete a refused refresh token"
                        );
                    }
                }
                return Err(error);
            }
        };
        let access_token = tokens.access_token.clone();
        // Cache first: if the keychain then fails, the fresh access token still serves this
        // session until it expires, and the operator sees the keychain error.
        *current = Some(CachedAccessToken {
            token: tokens.access_token,
            expires_at: tokens.expires_at,
        });
        if let Some(rotated) = &tokens.refresh_token {
            save_bound_secret(
                &self.store,
                &self.connection_id,
                REFRESH_TOKEN_SECRET,
                rotated,
                &self.issuer(),
            )
            .await?;
        }
        Ok(access_token)
    }
}

#[async_trait]
impl AccessTokenSource for TokenManager {
    async fn access_token(&self) -> Result<SecretString> {
        let mut current = self.current.lock().await;
        if let Some(cached) = current.as_ref() {
            if cached.usable_at(Utc::now()) {
                return Ok(cached.token.clone());
            }
        }
        self.refresh(&mut current).await
    }

    async fn invalidate(&self, rejected: &SecretString) {
        let mut current = self.current.lock().await;
        // Only the rejected token: another caller may already have refreshed it.
        if current
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == rejected.expose_secret())
        {
            *current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    fn settings() -> EntraSettings {
        EntraSettings {
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "client".into(),
            // Nothing listens here: any refresh attempt would fail as Offline, so a test that
            // passes proves no request was made.
            login_base_url: "http://127.0.0.1:9".into(),
            graph_base_url: "https://graph.microsoft.com".into(),
            demo_accounts: vec![],
        }
    }

    fn tokens(access: &str, refresh: Option<&str>, lifetime_secs: i64) -> TokenSet {
        TokenSet {
            access_token: access.into(),
            refresh_token: refresh.map(SecretString::from),
            id_token: None,
            expires_at: Utc::now() + chrono::Duration::seconds(lifetime_secs),
        }
    }

    #[test]
    fn token_set_debug_redacts_both_tokens() {
        let printed = format!("{:?}", tokens("access-abc", Some("refresh-xyz"), 3600));
        assert!(
            !printed.contains("access-abc") && !printed.contains("refresh-xyz"),
            "{printed}"
        );
        assert!(
            printed.contains("[redacted]") && printed.contains("expires_at"),
            "{printed}"
        );
    }

    #[tokio::test]
    async fn sign_in_tokens_go_to_memory_and_store() {
        let store = Arc::new(MemoryStore::new());
        let manager = TokenManager::from_sign_in(
            "conn-1",
            settings(),
            store.clone(),
            reqwest::Client::new(),
            tokens("access-1", Some("refresh-1"), 3600),
        )
        .await
        .unwrap();
        assert_eq!(
            manager.access_token().await.unwrap().expose_secret(),
            "access-1"
        );
        assert_eq!(
            store
                .get("conn-1", REFRESH_TOKEN_SECRET)
                .unwrap()
                .unwrap()
                .expose_secret(),
            "refresh-1"
        );
        assert!(!format!("{manager:?}").contains("refresh-1"));
    }

    #[tokio::test]
    async fn sign_in_without_refresh_token_clears_an_older_one() {
        let store = Arc::new(MemoryStore::new());
        store
            .set("conn-1", REFRESH_TOKEN_SECRET, &"someone-elses".into())
            .unwrap();
        TokenManager::from_sign_in(
            "conn-1",
            settings(),
            store.clone(),
            reqwest::Client::new(),
            tokens("a", None, 3600),
        )
        .await
        .unwrap();
        assert!(store.get("conn-1", REFRESH_TOKEN_SECRET).unwrap().is_none());
    }

    #[tokio::test]
    async fn near_expiry_without_refresh_token_is_not_signed_in() {
        let store = Arc::new(MemoryStore::new());
        let manager = TokenManager::from_sign_in(
            "conn-1",
            settings(),
            store,
            reqwest::Client::new(),
            tokens("a", None, 30),
        )
        .await
        .unwrap();
        let error = manager.access_token().await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotSignedIn);
    }

    #[tokio::test]
    async fn invalidate_forgets_only_the_rejected_token() {
        let store = Arc::new(MemoryStore::new());
        let manager = TokenManager::from_sign_in(
            "conn-1",
            settings(),
            store.clone(),
            reqwest::Client::new(),
            tokens("access-1", Some("refresh-1"), 3600),
        )
        .await
        .unwrap();
        manager.invalidate(&"some-older-token".into()).await;
        assert_eq!(
            manager.access_token().await.unwrap().expose_secret(),
            "access-1"
        );
        manager.invalidate(&"access-1".into()).await;
        // Forgotten: the next call must refresh, which here fails (nothing listens).
        let error = manager.access_token().await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Offline, "{error:?}");
        // A network failure is not a verdict on the refresh token: it stays.
        assert!(store.get("conn-1", REFRESH_TOKEN_SECRET).unwrap().is_some());
    }

    #[tokio::test]
    async fn sign_out_deletes_the_refresh_token() {
        let store = Arc::new(MemoryStore::new());
        let manager = TokenManager::from_sign_in(
            "conn-1",
            settings(),
            store.clone(),
            reqwest::Client::new(),
            tokens("access-1", Some("refresh-1"), 3600),
        )
        .await
        .unwrap();
        manager.sign_out().await.unwrap();
        assert!(store.get("conn-1", REFRESH_TOKEN_SECRET).unwrap().is_none());
        assert_eq!(
            manager.access_token().await.unwrap_err().kind,
            ErrorKind::NotSignedIn
        );
    }

    #[tokio::test]
    async fn resume_without_saved_sign_in_is_none() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let resumed = TokenManager::resume("conn-1", settings(), store, reqwest::Client::new())
            .await
            .unwrap();
        assert!(resumed.is_none());
    }
}
