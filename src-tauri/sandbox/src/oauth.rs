//! The Microsoft identity platform's v2 endpoints, as a public desktop client meets them:
//! `GET/POST /{tenant}/oauth2/v2.0/authorize` (an account picker instead of a password
//! prompt) and `POST /{tenant}/oauth2/v2.0/token` (authorization code with PKCE S256, refresh
//! with rotation). Errors have AAD's JSON shape: `{error, error_description: "AADSTS…",
//! error_codes, timestamp, trace_id, correlation_id}`.

// The `Err` of the validators is the HTTP answer itself, built at most once per request.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::state::{PendingCode, RefreshGrant, CODE_LIFETIME};
use super::{faults, seed, Shared, CLIENT_ID, TENANT_ID};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize_page).post(authorize_submit),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::login_latency,
        ))
        .with_state(shared)
}

/// An opaque, unguessable string for codes and tokens (never derived from the seed).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The tenant's OpenID Connect discovery document: its `issuer` names the tenant by id,
/// whichever name (domain or id) the URL used
/// (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri).
async fn openid_configuration(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(tenant): axum::extract::Path<String>,
) -> Response {
    if !tenant_is_ours(&tenant) {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    let base = &shared.base_url;
    Json(json!({
        "issuer": format!("https://login.microsoftonline.com/{TENANT_ID}/v2.0"),
        "authorization_endpoint": format!("{base}/{TENANT_ID}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/{TENANT_ID}/oauth2/v2.0/token"),
        "tenant_region_scope": "EU",
    }))
    .into_response()
}

fn tenant_is_ours(tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case(TENANT_ID) || tenant.eq_ignore_ascii_case(seed::DOMAIN)
}

/// AAD's error body for the token endpoint.
fn aad_error(status: StatusCode, error: &str, code: u32, description: &str) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let timestamp = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {description} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}"),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

fn invalid_grant(code: u32, description: &str) -> Response {
    aad_error(StatusCode::BAD_REQUEST, "invalid_grant", code, description)
}

fn missing_parameter(name: &str) -> Response {
    aad_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{name}'."),
    )
}

fn unknown_tenant(tenant: &str) -> Response {
    aad_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        90002,
        &format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
    )
}

fn unknown_client(client_id: &str) -> String {
    format!(
        "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant.",
        seed::DOMAIN
    )
}

fn parse_form(bytes: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

/// A loopback redirect for a desktop app: `http://127.0.0.1[:port]/…` or `http://localhost…`.
fn is_loopback_redirect(redirect_uri: &str) -> bool {
    match url::Url::parse(redirect_uri) {
        Ok(url) => {
            url.scheme() == "http"
                && matches!(url.host_str(), Some("127.0.0.1") | Some("localhost"))
                && url.fragment().is_none()
        }
        Err(_) => false,
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Errors the identity platform shows on its own page (it cannot trust the redirect yet).
fn error_page(code: u32, description: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\
         <body><h1>Sorry, but we're having trouble signing you in.</h1><p>AADSTS{code}: {}</p></body></html>",
        escape_html(description)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// Errors the identity platform sends back to the app on its redirect URI.
fn redirect_error(
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    code: u32,
    description: &str,
) -> Response {
    let mut pairs = vec![
        ("error".to_string(), error.to_string()),
        (
            "error_description".to_string(),
            format!("AADSTS{code}: {description}"),
        ),
    ];
    if let Some(state) = state {
        pairs.push(("state".to_string(), state.to_string()));
    }
    redirect_with(redirect_uri, &pairs)
}

fn redirect_with(redirect_uri: &str, pairs: &[(String, String)]) -> Response {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(pairs);
            (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
        }
        Err(_) => error_page(50011, "The redirect URI is not valid."),
    }
}

/// The checks both the picker and its form submission make. `Err` is the page to answer.
fn validate_authorize(tenant: &str, params: &HashMap<String, String>) -> Result<(), Response> {
    if !tenant_is_ours(tenant) {
        return Err(error_page(90002, &format!("Tenant '{tenant}' not found.")));
    }
    let client_id = params
        .get("client_id")
        .map(String::as_str)
        .unwrap_or_default();
    if client_id.is_empty() {
        return Err(error_page(
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        ));
    }
    if client_id != CLIENT_ID {
        return Err(error_page(700016, &unknown_client(client_id)));
    }
    let redirect_uri = params
        .get("redirect_uri")
        .map(String::as_str)
        .unwrap_or_default();
    if !is_loopback_redirect(redirect_uri) {
        return Err(error_page(
            50011,
            &format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{CLIENT_ID}'. Use http://127.0.0.1:<port>/… or http://localhost:<port>/…"
            ),
        ));
    }
    let state = params.get("state").map(String::as_str);
    let fail = |error: &str, code: u32, description: &str| {
        Err(redirect_error(
            redirect_uri,
            state,
            error,
            code,
            description,
        ))
    };
    if params.get("response_type").map(String::as_str) != Some("code") {
        return fail("unsupported_response_type", 70005, "The provided value for the input parameter 'response_type' is not allowed for this request. Expected value: 'code'.");
    }
    if let Some(mode) = params.get("response_mode") {
        if mode != "query" {
            return fail(
                "invalid_request",
                900144,
                "The sandbox only supports response_mode=query.",
            );
        }
    }
    if params
        .get("scope")
        .is_none_or(|scope| scope.trim().is_empty())
    {
        return fail(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    }
    if params
        .get("code_challenge")
        .is_none_or(|challenge| challenge.is_empty())
    {
        return fail(
            "invalid_request",
            9002325,
            "Proof Key for Code Exchange is required for this application: send code_challenge and code_challenge_method=S256.",
        );
    }
    if params.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return fail(
            "invalid_request",
            501491,
            "The code_challenge_method must be 'S256'.",
        );
    }
    Ok(())
}

fn picker_page(
    shared: &Shared,
    path: &str,
    params: &HashMap<String, String>,
    problem: Option<&str>,
) -> Response {
    let hidden: String = params
        .iter()
        .filter(|(name, _)| name.as_str() != "login")
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape_html(name),
                escape_html(value)
            )
        })
        .collect();
    let state = shared.lock_state();
    let accounts: String = seed::OPERATORS
        .iter()
        .filter_map(|(local, _, role)| {
            let user = state.user(&format!("{local}@{}", seed::DOMAIN))?;
            let role = role.map(|role| role.display_name()).unwrap_or("No admin role");
            Some(format!(
                "<li><button type=\"submit\" name=\"login\" value=\"{upn}\"><strong>{name}</strong><br>{upn}<br><small>{role}</small></button></li>",
                upn = escape_html(&user.user_principal_name),
                name = escape_html(&user.display_name),
            ))
        })
        .collect();
    drop(state);
    let problem = problem
        .map(|text| {
            format!(
                "<p role=\"alert\" class=\"error\">{}</p>",
                escape_html(text)
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title>
<style>body{{font-family:Segoe UI,system-ui,sans-serif;max-width:30rem;margin:2rem auto}}ul{{list-style:none;padding:0}}
button{{width:100%;text-align:left;margin:.25rem 0;padding:.5rem;background:#fff;border:1px solid #ccc}}.error{{color:#a4262c}}</style></head>
<body><h1>Pick an account</h1><p>Sandbox tenant {domain} — no password needed.</p>{problem}
<form method="post" action="{action}">{hidden}<ul>{accounts}</ul></form>
<form method="post" action="{action}">{hidden}<label>Other account <input name="login" type="email" placeholder="someone@{domain}"></label> <button type="submit">Next</button></form>
</body></html>"#,
        domain = seed::DOMAIN,
        action = escape_html(path),
    );
    let status = if problem.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

async fn authorize_page(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = parse_form(query.unwrap_or_default().as_bytes());
    if let Err(page) = validate_authorize(&tenant, &params) {
        return page;
    }
    if params.get("prompt").map(String::as_str) == Some("none") {
        let redirect_uri = &params["redirect_uri"];
        return redirect_error(
            redirect_uri,
            params.get("state").map(String::as_str),
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        );
    }
    picker_page(
        &shared,
        &format!("/{tenant}/oauth2/v2.0/authorize"),
        &params,
        None,
    )
}

/// The picker's form: the original parameters plus `login=<upn>`.
async fn authorize_submit(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    // The form carries the parameters; a query string (if any) fills what it lacks.
    let mut params = parse_form(query.unwrap_or_default().as_bytes());
    params.extend(parse_form(&body));
    if let Err(page) = validate_authorize(&tenant, &params) {
        return page;
    }
    let path = format!("/{tenant}/oauth2/v2.0/authorize");
    let login = params
        .get("login")
        .map(|login| login.trim().to_string())
        .unwrap_or_default();
    if login.is_empty() {
        return picker_page(
            &shared,
            &path,
            &params,
            Some("Pick an account to sign in with."),
        );
    }
    let mut state = shared.lock_state();
    let user = match state.user(&login) {
        Some(user) => user,
        None => {
            drop(state);
            let problem = format!(
                "AADSTS50034: The user account {login} does not exist in the {} directory.",
                seed::DOMAIN
            );
            return picker_page(&shared, &path, &params, Some(&problem));
        }
    };
    if !user.account_enabled {
        drop(state);
        return picker_page(
            &shared,
            &path,
            &params,
            Some("AADSTS50057: The user account is disabled."),
        );
    }
    let code = random_token();
    let reused_age = shared.lock_faults().faults.reused_session_age_secs;
    let auth_time = chrono::Utc::now().timestamp() - i64::try_from(reused_age).unwrap_or(0);
    let pending = PendingCode {
        user_id: user.id.clone(),
        client_id: params["client_id"].clone(),
        redirect_uri: params["redirect_uri"].clone(),
        code_challenge: params["code_challenge"].clone(),
        scope: params["scope"].clone(),
        expires: Instant::now() + CODE_LIFETIME,
        auth_time,
    };
    let now = Instant::now();
    state.codes.retain(|_, pending| pending.expires > now);
    state.codes.insert(code.clone(), pending);
    drop(state);
    let mut pairs = vec![("code".to_string(), code)];
    if let Some(state_param) = params.get("state") {
        pairs.push(("state".to_string(), state_param.clone()));
    }
    redirect_with(&params["redirect_uri"], &pairs)
}

const RESERVED_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// Checks every resource scope names this Graph (or no resource at all). Returns the
/// granted resource scopes or the error to answer.
fn granted_scopes(shared: &Shared, scope: &str) -> Result<String, Response> {
    let mut granted = Vec::new();
    for item in scope.split_whitespace() {
        if RESERVED_SCOPES.contains(&item) {
            continue;
        }
        if let Some((resource, permission)) = item.rsplit_once('/') {
            let known = resource == shared.base_url || resource == "https://graph.microsoft.com";
            if !known || permission.is_empty() {
                return Err(aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    500011,
                    &format!("The resource principal named {resource} was not found in the tenant named {}.", seed::DOMAIN),
                ));
            }
        }
        granted.push(item.to_string());
    }
    if granted.is_empty() {
        granted.push(format!("{}/User.Read", shared.base_url));
    }
    Ok(granted.join(" "))
}

fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split_whitespace().any(|item| item == wanted)
}

/// A minimal unsigned ID token (only when `openid` was asked for), with the claims of
/// Microsoft's ID token reference (https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference):
/// `tid` the tenant, `oid` the user, and `auth_time` when they signed in (OIDC Core §2) —
/// an optional claim in Entra, which the sandbox's app registration has added
/// (https://learn.microsoft.com/entra/identity-platform/optional-claims-reference).
fn id_token(
    user_id: &str,
    upn: &str,
    name: &str,
    client_id: &str,
    auth_time: i64,
    tenant: &str,
) -> String {
    let now = chrono::Utc::now().timestamp();
    let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"none"}"#);
    let claims = json!({
        "aud": client_id, "iss": format!("https://login.microsoftonline.com/{tenant}/v2.0"),
        "iat": now, "nbf": now, "exp": now + 3600, "oid": user_id, "tid": tenant,
        "auth_time": auth_time,
        "preferred_username": upn, "name": name, "ver": "2.0",
    });
    format!("{header}.{}.", URL_SAFE_NO_PAD.encode(claims.to_string()))
}

fn token_response(
    shared: &Shared,
    user_id: &str,
    client_id: &str,
    scope: &str,
    auth_time: i64,
) -> Response {
    let id_token_tenant = shared
        .lock_faults()
        .faults
        .id_token_tenant
        .clone()
        .unwrap_or_else(|| TENANT_ID.to_string());
    let mut state = shared.lock_state();
    let (access_token, expires_in) = shared.issue_access_token(&mut state, user_id);
    let resource_scope = granted_scopes(shared, scope).unwrap_or_default();
    let mut body = json!({
        "token_type": "Bearer",
        "scope": resource_scope,
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": access_token,
    });
    if has_scope(scope, "offline_access") {
        let refresh_token = random_token();
        state.refresh_tokens.insert(
            refresh_token.clone(),
            RefreshGrant {
                user_id: user_id.to_string(),
                client_id: client_id.to_string(),
                scope: scope.to_string(),
                auth_time,
            },
        );
        body["refresh_token"] = json!(refresh_token);
    }
    if has_scope(scope, "openid") {
        if let Some(user) = state.user(user_id) {
            body["id_token"] = json!(id_token(
                user_id,
                &user.user_principal_name,
                &user.display_name,
                client_id,
                auth_time,
                &id_token_tenant,
            ));
        }
    }
    (
        StatusCode::OK,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    if !tenant_is_ours(&tenant) {
        return unknown_tenant(&tenant);
    }
    let form = parse_form(&body);
    let param = |name: &str| {
        form.get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    };
    let Some(client_id) = param("client_id") else {
        return missing_parameter("client_id");
    };
    if client_id != CLIENT_ID {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &unknown_client(client_id),
        );
    }
    if param("client_secret").is_some() {
        return aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        );
    }
    match param("grant_type") {
        None => missing_parameter("grant_type"),
        Some("authorization_code") => redeem_code(&shared, client_id, &param),
        Some("refresh_token") => redeem_refresh_token(&shared, client_id, &param),
        Some(other) => aad_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        ),
    }
}

fn redeem_code<'a>(
    shared: &Shared,
    client_id: &str,
    param: &dyn Fn(&str) -> Option<&'a str>,
) -> Response {
    let Some(code) = param("code") else {
        return missing_parameter("code");
    };
    let Some(redirect_uri) = param("redirect_uri") else {
        return missing_parameter("redirect_uri");
    };
    let Some(verifier) = param("code_verifier") else {
        return missing_parameter("code_verifier");
    };

    let mut state = shared.lock_state();
    let Some(pending) = state.codes.get(code) else {
        return invalid_grant(70000, "The provided value for the 'code' parameter is not valid. The code may have been used already.");
    };
    if pending.expires <= Instant::now() {
        state.codes.remove(code);
        return invalid_grant(70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.");
    }
    if pending.client_id != client_id {
        return invalid_grant(
            700005,
            "Provided Authorization Code is intended to use against other tenant or application.",
        );
    }
    if pending.redirect_uri != redirect_uri {
        return invalid_grant(500117, "The reply uri specified in the request isn't the one used to obtain the authorization code.");
    }
    if !(43..=128).contains(&verifier.len()) || !pkce_matches(verifier, &pending.code_challenge) {
        return invalid_grant(501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
    }
    // Single use: gone as soon as it has been redeemed.
    let Some(pending) = state.codes.remove(code) else {
        return invalid_grant(
            70000,
            "The provided value for the 'code' parameter is not valid.",
        );
    };
    drop(state);
    if let Err(response) = granted_scopes(shared, &pending.scope) {
        return response;
    }
    token_response(
        shared,
        &pending.user_id,
        client_id,
        &pending.scope,
        pending.auth_time,
    )
}

fn redeem_refresh_token<'a>(
    shared: &Shared,
    client_id: &str,
    param: &dyn Fn(&str) -> Option<&'a str>,
) -> Response {
    let Some(refresh_token) = param("refresh_token") else {
        return missing_parameter("refresh_token");
    };
    let mut state = shared.lock_state();
    let Some(grant) = state.refresh_tokens.get(refresh_token) else {
        return invalid_grant(
            70000,
            "The provided value for the 'refresh_token' parameter is not valid: it was already used, revoked or never issued. Sign in again.",
        );
    };
    if grant.client_id != client_id {
        return invalid_grant(
            700005,
            "The refresh token was issued to a different client.",
        );
    }
    if !state
        .user(&grant.user_id)
        .is_some_and(|user| user.account_enabled)
    {
        return invalid_grant(50057, "The user account is disabled.");
    }
    // Rotation: each refresh token is good for one use; the answer carries the next one.
    let Some(grant) = state.refresh_tokens.remove(refresh_token) else {
        return invalid_grant(
            70000,
            "The provided value for the 'refresh_token' parameter is not valid.",
        );
    };
    drop(state);
    let scope = match param("scope") {
        Some(requested) => {
            if let Err(response) = granted_scopes(shared, requested) {
                return response;
            }
            // A refresh keeps offline access even when the new request forgets to ask.
            if has_scope(requested, "offline_access") {
                requested.to_string()
            } else {
                format!("{requested} offline_access")
            }
        }
        None => grant.scope.clone(),
    };
    token_response(shared, &grant.user_id, client_id, &scope, grant.auth_time)
}
