//! Sign-in end to end against the real sandbox emulator: the same OAuth client code a real
//! tenant gets (authorization code + PKCE on a loopback redirect, refresh with rotation),
//! with `SandboxBrowser` playing the demo operator at the emulator's sign-in page.
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use resetdesk_core::auth::{
    async_trait, sign_in, sign_in_with, AccessTokenSource, BrowserLauncher, SandboxBrowser,
    SignInOptions, TokenManager, TokenSet, REFRESH_TOKEN_SECRET,
};
use resetdesk_core::connection::EntraSettings;
use resetdesk_core::secrets::{ExposeSecret, MemoryStore, SecretStore, SecretString};
use resetdesk_core::{AppError, ErrorKind};
use resetdesk_sandbox::{Faults, Sandbox, SandboxConfig};

const OPERATOR: &str = "authadmin@contoso.sandbox";
const CONNECTION: &str = "sandbox";

async fn sandbox() -> Sandbox {
    // Few generated users: sign-in does not need them, and seeding is then instant.
    Sandbox::start(SandboxConfig {
        users: 40,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

/// The HTTP client for token requests, as the app builds it: redirects are not followed.
fn token_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn sign_in_as(settings: &EntraSettings, upn: &str) -> Result<TokenSet, AppError> {
    let browser = SandboxBrowser::new(upn).unwrap();
    sign_in(settings, &browser, &token_http()).await
}

/// Who Graph says the token belongs to (proves the token is real and is the operator's).
async fn me(settings: &EntraSettings, access_token: &SecretString) -> String {
    let response = reqwest::Client::new()
        .get(format!("{}/v1.0/me", settings.graph_base_url))
        .bearer_auth(access_token.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "Graph accepts the token");
    let body: serde_json::Value = response.json().await.unwrap();
    body["userPrincipalName"].as_str().unwrap().to_string()
}

/// Spends a refresh token directly at the token endpoint; returns the OAuth error code, or
/// None if it was accepted.
async fn redeem_refresh_token(settings: &EntraSettings, refresh_token: &str) -> Option<String> {
    let response = token_http()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            settings.login_base_url, settings.tenant
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", settings.client_id.as_str()),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .unwrap();
    if response.status().is_success() {
        return None;
    }
    let body: serde_json::Value = response.json().await.unwrap();
    Some(
        body["error"]
            .as_str()
            .unwrap_or("no error field")
            .to_string(),
    )
}

fn stored_refresh_token(store: &MemoryStore) -> Option<String> {
    store
        .get(CONNECTION, REFRESH_TOKEN_SECRET)
        .unwrap()
        .map(|t| t.expose_secret().to_string())
}

#[tokio::test]
async fn every_demo_operator_signs_in_through_the_sandbox_page() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    assert!(!settings.demo_accounts.is_empty());
    for account in &settings.demo_accounts {
        let upn = &account.user_principal_name;
        let tokens = sign_in_as(&settings, upn)
            .await
            .unwrap_or_else(|e| panic!("{upn}: {e:?}"));
        assert!(
            tokens.refresh_token.is_some(),
            "offline_access gives a refresh token"
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        assert!(tokens.expires_at.timestamp() > now, "expires in the future");
        assert_eq!(&me(&settings, &tokens.access_token).await, upn);
    }
}

#[tokio::test]
async fn refresh_token_goes_to_the_store_and_never_into_debug_output() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    let tokens = sign_in_as(&settings, OPERATOR).await.unwrap();
    let access = tokens.access_token.expose_secret().to_string();
    let refresh = tokens
        .refresh_token
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_string();
    let printed = format!("{tokens:?}");
    assert!(
        !printed.contains(&refresh) && !printed.contains(&access),
        "{printed}"
    );

    let store = Arc::new(MemoryStore::new());
    let manager = TokenManager::from_sign_in(
        CONNECTION,
        settings.clone(),
        store.clone(),
        token_http(),
        tokens,
    )
    .await
    .unwrap();
    assert_eq!(
        stored_refresh_token(&store).as_deref(),
        Some(refresh.as_str())
    );
    for printed in [format!("{manager:?}"), format!("{store:?}")] {
        assert!(
            !printed.contains(&refresh) && !printed.contains(&access),
            "{printed}"
        );
    }
    // A fresh token is served from memory: same token, no refresh, the stored one unchanged.
    assert_eq!(
        manager.access_token().await.unwrap().expose_secret(),
        access
    );
    assert_eq!(
        stored_refresh_token(&store).as_deref(),
        Some(refresh.as_str())
    );
}

#[tokio::test]
async fn short_lived_access_token_is_refreshed_and_the_refresh_token_rotates() {
    let sandbox = sandbox().await;
    sandbox.set_faults(Faults {
        token_lifetime_secs: 1,
        ..Faults::default()
    });
    let settings = sandbox.entra_settings();
    let tokens = sign_in_as(&settings, OPERATOR).await.unwrap();
    let first_access = tokens.access_token.expose_secret().to_string();
    let store = Arc::new(MemoryStore::new());
    let manager = TokenManager::from_sign_in(
        CONNECTION,
        settings.clone(),
        store.clone(),
        token_http(),
        tokens,
    )
    .await
    .unwrap();
    let first_refresh = stored_refresh_token(&store).unwrap();

    // A 1-second token is inside the refresh margin at once, so this call refreshes.
    let refreshed = manager.access_token().await.unwrap();
    assert_ne!(
        refreshed.expose_secret(),
        first_access,
        "a new access token"
    );
    let rotated = stored_refresh_token(&store).expect("the rotated refresh token is stored");
    assert_ne!(
        rotated, first_refresh,
        "the emulator rotated the refresh token"
    );
    assert_eq!(me(&settings, &refreshed).await, OPERATOR);

    // The spent one is refused by the emulator; the stored one is the live one.
    assert_eq!(
        redeem_refresh_token(&settings, &first_refresh)
            .await
            .as_deref(),
        Some("invalid_grant")
    );
    let again = manager.access_token().await.unwrap();
    assert_ne!(again.expose_secret(), refreshed.expose_secret());
    assert_ne!(stored_refresh_token(&store).unwrap(), rotated);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    let tokens = sign_in_as(&settings, OPERATOR).await.unwrap();
    let store = Arc::new(MemoryStore::new());
    let manager = Arc::new(
        TokenManager::from_sign_in(
            CONNECTION,
            settings.clone(),
            store.clone(),
            token_http(),
            tokens,
        )
        .await
        .unwrap(),
    );
    let rejected = manager.access_token().await.unwrap();
    let refresh_before = stored_refresh_token(&store).unwrap();
    manager.invalidate(&rejected).await;

    let callers: Vec<_> = (0..8)
        .map(|_| {
            let manager = Arc::clone(&manager);
            tokio::spawn(async move {
                manager
                    .access_token()
                    .await
                    .map(|t| t.expose_secret().to_string())
            })
        })
        .collect();
    let mut results = Vec::new();
    for caller in callers {
        results.push(caller.await.unwrap().unwrap());
    }
    // Each refresh issues a different random token, so equal tokens mean one refresh.
    assert!(
        results.iter().all(|t| t == &results[0]),
        "all callers got the one refreshed token"
    );
    assert_ne!(results[0], rejected.expose_secret());
    // And the refresh token rotated exactly once: the stored one is live, the previous is spent.
    let refresh_after = stored_refresh_token(&store).unwrap();
    assert_ne!(refresh_after, refresh_before);
    assert_eq!(
        redeem_refresh_token(&settings, &refresh_before)
            .await
            .as_deref(),
        Some("invalid_grant")
    );
    assert_eq!(redeem_refresh_token(&settings, &refresh_after).await, None);
}

#[tokio::test]
async fn resume_uses_the_stored_refresh_token_and_sign_out_removes_it() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    let store = Arc::new(MemoryStore::new());
    {
        let tokens = sign_in_as(&settings, OPERATOR).await.unwrap();
        TokenManager::from_sign_in(
            CONNECTION,
            settings.clone(),
            store.clone(),
            token_http(),
            tokens,
        )
        .await
        .unwrap();
    } // "The app quits": only the store remains.

    let resumed = TokenManager::resume(CONNECTION, settings.clone(), store.clone(), token_http())
        .await
        .unwrap()
        .expect("a saved sign-in resumes without a browser");
    let token = resumed.access_token().await.unwrap();
    assert_eq!(me(&settings, &token).await, OPERATOR);

    resumed.sign_out().await.unwrap();
    assert!(stored_refresh_token(&store).is_none());
    let after_sign_out = TokenManager::resume(CONNECTION, settings, store, token_http())
        .await
        .unwrap();
    assert!(after_sign_out.is_none());
}

#[tokio::test]
async fn refused_refresh_token_is_deleted_and_reported_as_signed_out() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    let tokens = sign_in_as(&settings, OPERATOR).await.unwrap();
    let store = Arc::new(MemoryStore::new());
    let manager = TokenManager::from_sign_in(
        CONNECTION,
        settings.clone(),
        store.clone(),
        token_http(),
        tokens,
    )
    .await
    .unwrap();
    // Someone else spends the stored refresh token (as a revoked session would end it).
    assert_eq!(
        redeem_refresh_token(&settings, &stored_refresh_token(&store).unwrap()).await,
        None
    );
    manager
        .invalidate(&manager.access_token().await.unwrap())
        .await;

    let error = manager.access_token().await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert_eq!(error.message, "Your sign-in has expired; sign in again");
    assert!(
        error
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("invalid_grant"),
        "{error:?}"
    );
    assert!(
        stored_refresh_token(&store).is_none(),
        "the refused refresh token is deleted"
    );
}

/// A person whose browser alters the authorization request before the sign-in page sees
/// it, then signs in normally (the emulator echoes what it received).
struct TamperingBrowser {
    person: SandboxBrowser,
    replace: (&'static str, &'static str),
}

#[async_trait]
impl BrowserLauncher for TamperingBrowser {
    async fn open(&self, url: &Url) -> resetdesk_core::error::Result<()> {
        let (name, value) = self.replace;
        let mut tampered = url.clone();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    if k == name {
                        value.to_string()
                    } else {
                        v.to_string()
                    },
                )
            })
            .collect();
        assert!(
            pairs.iter().any(|(k, _)| k == name),
            "the request has a {name}"
        );
        tampered.query_pairs_mut().clear().extend_pairs(pairs);
        self.person.open(&tampered).await
    }
}

#[tokio::test]
async fn tampered_state_is_refused() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    let browser = TamperingBrowser {
        person: SandboxBrowser::new(OPERATOR).unwrap(),
        replace: ("state", "forged"),
    };
    let error = sign_in(&settings, &browser, &token_http())
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert!(
        error.message.contains("state mismatch"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn wrong_pkce_verifier_is_refused() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    // The code gets bound to a challenge our verifier does not hash to, so our (correct)
    // verifier is the wrong one for it.
    let other_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let browser = TamperingBrowser {
        person: SandboxBrowser::new(OPERATOR).unwrap(),
        replace: ("code_challenge", other_challenge),
    };
    let error = sign_in(&settings, &browser, &token_http())
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert!(error.message.contains("PKCE"), "{}", error.message);
    let detail = error.detail.unwrap_or_default();
    assert!(
        detail.starts_with("invalid_grant: AADSTS501481"),
        "{detail}"
    );
}

#[tokio::test]
async fn unknown_account_is_a_clear_error() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    let error = sign_in_as(&settings, "ghost@contoso.sandbox")
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert!(
        error.message.contains("ghost@contoso.sandbox"),
        "{}",
        error.message
    );
    let detail = error.detail.unwrap_or_default();
    assert!(
        detail.contains("AADSTS50034") && detail.contains("does not exist"),
        "{detail}"
    );
}

#[tokio::test]
async fn error_redirect_from_the_sign_in_service_is_reported() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    // prompt=none with nobody signed in: the service redirects back with error=login_required.
    let options = SignInOptions {
        prompt: Some("none".into()),
        ..SignInOptions::default()
    };
    let browser = SandboxBrowser::new(OPERATOR).unwrap();
    let error = sign_in_with(&settings, &browser, &token_http(), &options)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert!(
        error.message.contains("login_required"),
        "{}",
        error.message
    );
}

/// A browser that never comes back (the person closed the tab).
struct AbandonedBrowser;

#[async_trait]
impl BrowserLauncher for AbandonedBrowser {
    async fn open(&self, _url: &Url) -> resetdesk_core::error::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn loopback_timeout_is_a_clear_error() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    let options = SignInOptions {
        timeout: Duration::from_millis(300),
        ..SignInOptions::default()
    };
    let error = sign_in_with(&settings, &AbandonedBrowser, &token_http(), &options)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert!(
        error.message.contains("did not finish within 0.3 seconds"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_saved_sign_in_is_not_sent_to_endpoints_the_settings_name_since() {
    let sandbox = sandbox().await;
    let settings = sandbox.entra_settings();
    let store = Arc::new(MemoryStore::new());
    let tokens = sign_in_as(&settings, OPERATOR).await.unwrap();
    TokenManager::from_sign_in(
        CONNECTION,
        settings.clone(),
        store.clone(),
        token_http(),
        tokens,
    )
    .await
    .unwrap();

    // settings.json edited between two starts: the token endpoint now points elsewhere.
    let (other, connections) = resetdesk_testkit::counting_listener().await;
    let mut moved = settings.clone();
    moved.login_base_url = other;
    let error = TokenManager::resume(CONNECTION, moved, store.clone(), token_http())
        .await
        .expect_err("refused");
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert!(
        error.message.contains("did not send it there"),
        "{}",
        error.message
    );
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(stored_refresh_token(&store).is_none(), "removed");

    // Graph moved instead (where the access tokens go): refused the same way.
    let tokens = sign_in_as(&settings, OPERATOR).await.unwrap();
    TokenManager::from_sign_in(
        CONNECTION,
        settings.clone(),
        store.clone(),
        token_http(),
        tokens,
    )
    .await
    .unwrap();
    let (other, connections) = resetdesk_testkit::counting_listener().await;
    let mut moved = settings.clone();
    moved.graph_base_url = other;
    assert!(
        TokenManager::resume(CONNECTION, moved, store.clone(), token_http())
            .await
            .is_err()
    );
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Unchanged settings still resume.
    let tokens = sign_in_as(&settings, OPERATOR).await.unwrap();
    TokenManager::from_sign_in(
        CONNECTION,
        settings.clone(),
        store.clone(),
        token_http(),
        tokens,
    )
    .await
    .unwrap();
    assert!(
        TokenManager::resume(CONNECTION, settings, store, token_http())
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_tenant_named_by_domain_is_resolved_to_its_id_by_the_public_discovery_document() {
    let sandbox = sandbox().await;
    let mut settings = sandbox.entra_settings();
    let by_id = resetdesk_core::auth::id_token::tenant_guid(&settings, &token_http())
        .await
        .unwrap();
    assert_eq!(by_id, resetdesk_sandbox::TENANT_ID);
    settings.tenant = "contoso.sandbox".into();
    let by_domain = resetdesk_core::auth::id_token::tenant_guid(&settings, &token_http())
        .await
        .unwrap();
    assert_eq!(by_domain, resetdesk_sandbox::TENANT_ID);
    settings.tenant = "fabrikam.example".into();
    let unknown = resetdesk_core::auth::id_token::tenant_guid(&settings, &token_http())
        .await
        .unwrap_err();
    assert!(
        unknown.message.contains("did not say which tenant"),
        "{unknown:?}"
    );
}
