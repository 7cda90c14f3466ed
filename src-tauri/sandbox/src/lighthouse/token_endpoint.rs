//! `POST /{tenant}/oauth2/v2.0/token` with `grant_type=refresh_token`. A refresh token is
//! bound to the user and client, not to a tenant (graph.md §4.1), so the technician's
//! partner refresh token redeemed at a customer's endpoint gives an access token for that
//! customer, provided an active GDAP relationship reaches it. Refresh tokens rotate: every
//! grant returns a new one for the same user (the old one stays valid, as Entra's do until
//! they expire), and the access token is that user's.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::json;

use super::{lock, seed, Shared, CLIENT_ID};

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .with_state(shared)
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// Which tenant a path segment names: the partner (its id, its domain, `organizations` or
/// `common`), or a customer (its id or domain).
enum Authority {
    Partner(String),
    Customer(String),
    Unknown,
}

fn resolve(msp: &seed::Msp, tenant: &str) -> Authority {
    let tenant = tenant.to_ascii_lowercase();
    if tenant == msp.partner_tenant_id
        || tenant == seed::PARTNER_DOMAIN
        || tenant == "organizations"
        || tenant == "common"
    {
        return Authority::Partner(msp.partner_tenant_id.clone());
    }
    msp.customers
        .iter()
        .find(|c| c.tenant_id == tenant || c.domain == tenant)
        .map(|c| Authority::Customer(c.tenant_id.clone()))
        .unwrap_or(Authority::Unknown)
}

async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let latency = lock(&shared.knobs).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return oauth_error(
            "unauthorized_client",
            "AADSTS700016: Application was not found in the directory.",
        );
    }
    if form.get("grant_type").map(String::as_str) != Some("refresh_token") {
        return oauth_error(
            "unsupported_grant_type",
            "AADSTS70003: This emulator's token endpoint only redeems refresh tokens.",
        );
    }
    let Some(user_id) = form
        .get("refresh_token")
        .and_then(|rt| shared.refresh_token_user(rt))
    else {
        return oauth_error(
            "invalid_grant",
            "AADSTS70000: The provided refresh token is invalid or has expired.",
        );
    };
    let tenant_id = {
        let msp = lock(&shared.msp);
        match resolve(&msp, &tenant) {
            Authority::Partner(id) => id,
            Authority::Customer(id) => {
                let reachable = msp
                    .customer(&id)
                    .is_some_and(|c| c.relationship_status == "active");
                if !reachable {
                    return oauth_error(
                        "invalid_grant",
                        "AADSTS50020: User account from the partner tenant does not exist in this tenant and has no active delegated admin relationship.",
                    );
                }
                id
            }
            Authority::Unknown => {
                return oauth_error(
                    "invalid_request",
                    "AADSTS90002: Tenant not found. Check the tenant id.",
                )
            }
        }
    };
    let (access_token, expires_in) = shared.issue_access_token(&tenant_id, &user_id);
    let refresh_token = shared.issue_refresh_token(&user_id);
    shared.count(&tenant_id, |stats| stats.token_grants += 1);
    Json(json!({
        "token_type": "Bearer",
        "scope": form.get("scope").cloned().unwrap_or_default(),
        "expires_in": expires_in,
        "access_token": access_token,
        "refresh_token": refresh_token,
    }))
    .into_response()
}
