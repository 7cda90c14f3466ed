//! The `oauth2` client for one Entra tenant (or the sandbox, which serves the same endpoints),
//! and the translation of token-endpoint failures into [`AppError`]s an operator can act on.
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, ClientId, EndpointNotSet, EndpointSet, ExtraTokenFields, HttpClientError, RedirectUrl,
    RequestTokenError, StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

use super::token_set::TokenSet;
use crate::error::{AppError, ErrorKind, Result};
use crate::model::connection::EntraSettings;

/// The OpenID Connect ID token a token response carries when `openid` was asked for (OIDC
/// Core §3.1.3.3); the `oauth2` crate's basic response type drops it.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl std::fmt::Debug for IdTokenField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenField")
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl ExtraTokenFields for IdTokenField {}

/// A token response, with its ID token when there is one.
pub type EntraTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// A public client (no secret) with its authorize and token endpoints set.
pub type EntraOAuthClient = oauth2::Client<
    BasicErrorResponse,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The error every token request can end with, as the `oauth2` crate reports it.
pub type TokenRequestError = RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>;

/// How long a token request may take before we call the service unreachable. The caller's
/// `reqwest::Client` may have no timeout of its own, and a hung sign-in must not hang the app.
pub const TOKEN_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Access-token lifetime assumed when the token endpoint omits `expires_in` (Entra always
/// sends it). Short, so a wrong guess costs an early refresh rather than a 401.
const ASSUMED_LIFETIME_SECS: u64 = 600;

/// `{login_base_url}/{tenant}/oauth2/v2.0/{authorize,token}`, after checking the settings are
/// usable: a tenant that is one path segment, a client id, and a login URL that is https
/// (plain http only on loopback, i.e. the sandbox), since codes and tokens travel on it.
pub fn endpoints(settings: &EntraSettings) -> Result<(Url, Url)> {
    let tenant = settings.tenant.trim();
    let tenant_is_one_segment = !tenant.is_empty()
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if !tenant_is_one_segment {
        return Err(AppError::invalid_input(format!(
            "The tenant \"{}\" is not a tenant id or domain (e.g. contoso.onmicrosoft.com or a \
             GUID); fix it in the connection settings.",
            settings.tenant
        )));
    }
    if settings.client_id.trim().is_empty() {
        return Err(AppError::invalid_input(
            "The connection has no application (client) id; enter the id of the app \
             registration in the connection settings.",
        ));
    }
    let base = settings.login_base_url.trim_end_matches('/');
    let login = Url::parse(base).map_err(|e| {
        AppError::invalid_input(format!(
            "The sign-in URL \"{}\" is not a valid URL ({e}); fix it in the connection settings.",
            settings.login_base_url
        ))
    })?;
    let loopback = matches!(login.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if !(login.scheme() == "https" || (login.scheme() == "http" && loopback)) {
        return Err(AppError::invalid_input(format!(
            "The sign-in URL \"{}\" must start with https:// (plain http is only allowed for the \
             local sandbox).",
            settings.login_base_url
        )));
    }
    let endpoint = |leaf: &str| {
        Url::parse(&format!("{base}/{tenant}/oauth2/v2.0/{leaf}")).map_err(|e| {
            AppError::invalid_input(format!(
                "Could not build the {leaf} URL from the connection settings ({e})."
            ))
        })
    };
    Ok((endpoint("authorize")?, endpoint("token")?))
}

/// The `oauth2` client for these settings. `redirect_uri` is the loopback callback of an
/// interactive sign-in; refreshes do not send one.
pub fn oauth_client(
    settings: &EntraSettings,
    redirect_uri: Option<&Url>,
) -> Result<EntraOAuthClient> {
    let (authorize, token) = endpoints(settings)?;
    let client = oauth2::Client::<
        BasicErrorResponse,
        EntraTokenResponse,
        BasicTokenIntrospectionResponse,
        StandardRevocableToken,
        BasicRevocationErrorResponse,
    >::new(ClientId::new(settings.client_id.trim().to_string()))
    .set_auth_uri(AuthUrl::from_url(authorize))
    .set_token_uri(TokenUrl::from_url(token));
    Ok(match redirect_uri {
        Some(uri) => client.set_redirect_uri(RedirectUrl::from_url(uri.clone())),
        None => client,
    })
}

/// Which token request failed: the same `invalid_grant` means "the code or PKCE proof was
/// refused" after a sign-in, but "the session is over" on a refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCall {
    AuthorizationCode,
    RefreshToken,
}

/// The message an operator reads when a refresh token is no longer accepted.
pub const SIGN_IN_EXPIRED: &str = "Your sign-in has expired; sign in again";

/// Sends a token request with [`TOKEN_REQUEST_TIMEOUT`] and maps every failure.
pub async fn send_token_request<F>(
    settings: &EntraSettings,
    call: TokenCall,
    request: F,
) -> Result<TokenSet>
where
    F: std::future::Future<Output = std::result::Result<EntraTokenResponse, TokenRequestError>>,
{
    match tokio::time::timeout(TOKEN_REQUEST_TIMEOUT, request).await {
        Ok(Ok(response)) => Ok(token_set_from(&response)),
        Ok(Err(error)) => Err(token_error(settings, call, error)),
        Err(_elapsed) => Err(AppError::new(
            ErrorKind::Offline,
            format!(
                "The sign-in service at {} did not answer within {} seconds. Check the network \
                 and try again.",
                settings.login_base_url,
                TOKEN_REQUEST_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// A successful token response as a [`TokenSet`]; `expires_at` is computed from now, so the
/// caller must convert it as soon as the response arrives.
pub fn token_set_from(response: &EntraTokenResponse) -> TokenSet {
    let assumed = chrono::Duration::seconds(ASSUMED_LIFETIME_SECS as i64);
    let lifetime = response
        .expires_in()
        .and_then(|lifetime| chrono::Duration::from_std(lifetime).ok())
        .unwrap_or(assumed);
    let now = chrono::Utc::now();
    // `expires_in` is the service's number: one too large for a date (chrono's `+` panics
    // past year 262142) is treated like a missing one rather than crashing the sign-in.
    let expires_at = now
        .checked_add_signed(lifetime)
        .unwrap_or_else(|| now + assumed);
    TokenSet {
        access_token: response.access_token().secret().clone().into(),
        refresh_token: response.refresh_token().map(|t| t.secret().clone().into()),
        id_token: response
            .extra_fields()
            .id_token
            .clone()
            .map(SecretString::from),
        expires_at,
    }
}

/// Maps a token-endpoint failure. `detail` carries the service's error code and description
/// (Entra's `AADSTS…` text with its trace id) but never the response body as such, which on
/// a malformed success could hold a token.
pub fn token_error(
    settings: &EntraSettings,
    call: TokenCall,
    error: TokenRequestError,
) -> AppError {
    let login = &settings.login_base_url;
    match error {
        RequestTokenError::ServerResponse(response) => {
            let detail = match response.error_description() {
                Some(description) => format!("{}: {description}", response.error().as_ref()),
                None => response.error().as_ref().to_string(),
            };
            let app_error = match (call, response.error()) {
                (TokenCall::RefreshToken, BasicErrorResponseType::InvalidGrant) => {
                    AppError::not_signed_in(SIGN_IN_EXPIRED)
                }
                (TokenCall::AuthorizationCode, BasicErrorResponseType::InvalidGrant) => {
                    AppError::not_signed_in(
                        "The sign-in service did not accept the sign-in (its one-time code or \
                         PKCE proof was refused). Sign in again.",
                    )
                }
                (
                    _,
                    BasicErrorResponseType::InvalidClient
                    | BasicErrorResponseType::UnauthorizedClient,
                ) => AppError::new(
                    ErrorKind::Provider,
                    format!(
                        "The sign-in service refused this application ({}). Check the \
                             application (client) id and that the app registration allows public \
                             client flows.",
                        response.error().as_ref()
                    ),
                ),
                (_, other) => AppError::new(
                    ErrorKind::Provider,
                    format!(
                        "The sign-in service at {login} refused the request ({}).",
                        other.as_ref()
                    ),
                ),
            };
            app_error.with_detail(detail)
        }
        // The reply was read but refused (too large, see `token_http`): say that, not "offline".
        RequestTokenError::Request(HttpClientError::Other(reason)) => {
            AppError::new(ErrorKind::Provider, reason)
        }
        RequestTokenError::Request(cause) => AppError::new(
            ErrorKind::Offline,
            format!(
                "Could not reach the sign-in service at {login}. Check the network and try again."
            ),
        )
        .with_detail(cause.to_string()),
        // Only the JSON path goes to `detail`: serde's message can quote the offending value.
        RequestTokenError::Parse(cause, _body) => AppError::new(
            ErrorKind::Provider,
            format!("The sign-in service at {login} gave an answer ResetDesk could not read."),
        )
        .with_detail(format!("unreadable token response at `{}`", cause.path())),
        RequestTokenError::Other(reason) => AppError::new(
            ErrorKind::Provider,
            format!("The sign-in service at {login} gave an unexpected answer."),
        )
        .with_detail(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oauth2::StandardErrorResponse;

    fn settings(login: &str, tenant: &str) -> EntraSettings {
        EntraSettings {
            tenant: tenant.into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            login_base_url: login.into(),
            graph_base_url: "https://graph.microsoft.com".into(),
            demo_accounts: vec![],
        }
    }

    #[test]
    fn endpoints_follow_the_v2_layout() {
        let (authorize, token) = endpoints(&settings(
            "https://login.microsoftonline.com/",
            "contoso.onmicrosoft.com",
        ))
        .unwrap();
        assert_eq!(
            authorize.as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
        );
        assert_eq!(
            token.as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert!(endpoints(&settings("http://127.0.0.1:4000", "abc")).is_ok());
    }

    #[test]
    fn unsafe_or_malformed_settings_are_refused() {
        for (login, tenant) in [
            ("http://login.example.com", "contoso"),
            ("not a url", "contoso"),
            ("https://login.microsoftonline.com", "a/b"),
            ("https://login.microsoftonline.com", ""),
        ] {
            let error = endpoints(&settings(login, tenant)).unwrap_err();
            assert_eq!(
                error.kind,
                ErrorKind::InvalidInput,
                "{login} {tenant}: {error:?}"
            );
        }
    }

    #[test]
    fn invalid_grant_on_refresh_means_signed_out() {
        let error = token_error(
            &settings("https://login.microsoftonline.com", "t"),
            TokenCall::RefreshToken,
            RequestTokenError::ServerResponse(StandardErrorResponse::new(
                BasicErrorResponseType::InvalidGrant,
                Some("AADSTS700082: The refresh token has expired".into()),
                None,
            )),
        );
        assert_eq!(error.kind, ErrorKind::NotSignedIn);
        assert_eq!(error.message, SIGN_IN_EXPIRED);
        assert_eq!(
            error.detail.as_deref(),
            Some("invalid_grant: AADSTS700082: The refresh token has expired")
        );
    }

    /// Runs a refresh through the real `oauth2` request path against a canned HTTP answer.
    async fn refresh_against(status: u16, content_type: &str, body: &str) -> Result<TokenSet> {
        let settings = settings("https://login.microsoftonline.com", "t");
        let client = oauth_client(&settings, None).unwrap();
        let (content_type, body) = (content_type.to_string(), body.as_bytes().to_vec());
        let canned = move |_request: oauth2::HttpRequest| {
            let response = oauth2::http::Response::builder()
                .status(status)
                .header("content-type", content_type.clone())
                .body(body.clone())
                .map_err(HttpClientError::<reqwest::Error>::Http);
            std::future::ready(response)
        };
        let refresh_token = oauth2::RefreshToken::new("rt-in".into());
        let request = client
            .exchange_refresh_token(&refresh_token)
            .request_async(&canned);
        send_token_request(&settings, TokenCall::RefreshToken, request).await
    }

    #[tokio::test]
    async fn successful_response_becomes_a_token_set() {
        let before = chrono::Utc::now();
        let tokens = refresh_against(
            200,
            "application/json; charset=utf-8",
            r#"{"token_type":"Bearer","access_token":"at-1","refresh_token":"rt-2","expires_in":3599,"scope":"x"}"#,
        )
        .await
        .unwrap();
        use secrecy::ExposeSecret;
        assert_eq!(tokens.access_token.expose_secret(), "at-1");
        assert_eq!(
            tokens.refresh_token.as_ref().unwrap().expose_secret(),
            "rt-2"
        );
        assert!(tokens.expires_at >= before + chrono::Duration::seconds(3599));
    }

    #[tokio::test]
    async fn an_absurd_expires_in_does_not_panic() {
        // 9e12 s fits a chrono duration but not a date: `now + lifetime` would panic.
        let before = chrono::Utc::now();
        let tokens = refresh_against(
            200,
            "application/json",
            r#"{"token_type":"Bearer","access_token":"at-1","expires_in":9000000000000}"#,
        )
        .await
        .unwrap();
        let assumed = chrono::Duration::seconds(ASSUMED_LIFETIME_SECS as i64);
        assert!(tokens.expires_at >= before + assumed);
        assert!(tokens.expires_at <= chrono::Utc::now() + assumed);
    }

    #[tokio::test]
    async fn server_invalid_grant_maps_through_the_real_parser() {
        let error = refresh_against(
            400,
            "application/json",
            r#"{"error":"invalid_grant","error_description":"AADSTS70000: revoked","error_codes":[70000],"trace_id":"abc"}"#,
        )
        .await
        .unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotSignedIn);
        assert_eq!(error.message, SIGN_IN_EXPIRED);
    }

    #[tokio::test]
    async fn unreadable_response_does_not_echo_the_body() {
        let error = refresh_against(
            200,
            "application/json",
            r#"{"token_type":"Bearer","access_token":12345678,"refresh_token":"super-secret-rt"}"#,
        )
        .await
        .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Provider);
        let printed = format!("{error:?}");
        assert!(
            !printed.contains("super-secret-rt") && !printed.contains("12345678"),
            "{printed}"
        );
        assert!(
            printed.contains("access_token"),
            "the JSON path helps support: {printed}"
        );
    }

    #[tokio::test]
    async fn html_error_page_is_a_provider_error() {
        let error = refresh_against(500, "text/html", "<html>oops</html>")
            .await
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Provider);
    }
}
