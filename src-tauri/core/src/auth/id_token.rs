//! What an OpenID Connect ID token says about a sign-in: the tenant (`tid`) and when the
//! person signed in (`auth_time`). The approver's sign-in asks for one and checks both: a
//! second person's approval must be a new sign-in, now, in the operator's tenant — not a
//! browser session the identity provider reused despite `prompt=login`, nor an account of
//! another tenant.
//!
//! The token comes straight from the token endpoint over TLS, in answer to our own code
//! exchange, so its issuer is the one we asked; OIDC Core §3.1.3.7 lets a client rely on that
//! TLS validation in place of checking the signature.

use base64::Engine;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{AppError, Result};

/// How far the clocks of this machine and the identity provider may differ.
pub const CLOCK_SKEW_SECS: i64 = 120;

/// The claims of a JWT (its middle part), without checking its signature: for tokens that came
/// straight from the server that issued them, over TLS (see the module's note). `None` if it
/// is not a JWT with a JSON object for claims.
pub fn jwt_claims(token: &SecretString) -> Option<serde_json::Map<String, serde_json::Value>> {
    let payload = token.expose_secret().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The tenant's id (a GUID) for `settings`, whose tenant may be a domain: the settings'
/// own when it is a GUID, else the `issuer` of the tenant's OpenID Connect discovery document
/// (`{login}/{tenant}/v2.0/.well-known/openid-configuration`, public: no permission needed;
/// https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc).
pub async fn tenant_guid(
    settings: &crate::model::connection::EntraSettings,
    http: &reqwest::Client,
) -> Result<String> {
    let tenant = settings.tenant.trim();
    if uuid::Uuid::parse_str(tenant).is_ok() {
        return Ok(tenant.to_ascii_lowercase());
    }
    let (authorize, _) = super::oauth_client::endpoints(settings)?;
    let mut url = authorize;
    url.set_path(&format!("/{tenant}/v2.0/.well-known/openid-configuration"));
    let unreadable = |detail: String| {
        AppError::new(
            crate::error::ErrorKind::Provider,
            format!("The sign-in service did not say which tenant \"{tenant}\" is."),
        )
        .with_detail(detail)
    };
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|e| unreadable(e.without_url().to_string()))?;
    let body = crate::reply_body::read(response)
        .await
        .map_err(|e| e.into_app_error(crate::reply_body::broke_off))?;
    let document: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| unreadable(e.to_string()))?;
    let issuer = document["issuer"].as_str().unwrap_or_default();
    // `https://login.microsoftonline.com/{tenant id}/v2.0`
    issuer
        .trim_end_matches('/')
        .trim_end_matches("/v2.0")
        .rsplit('/')
        .next()
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| unreadable(format!("issuer {issuer:?}")))
}

/// Refuses an approver's sign-in that is not a new one, made after `asked_at`, in tenant
/// `tenant_id` (a GUID).
pub fn check_fresh_sign_in(
    id_token: Option<&SecretString>,
    tenant_id: &str,
    asked_at: DateTime<Utc>,
) -> Result<()> {
    let refused = |why: String| AppError::denied(format!("Approval refused: {why}"));
    let claims = id_token.and_then(jwt_claims).ok_or_else(|| {
        refused(
            "the sign-in gave no readable ID token, so ResetDesk cannot tell that it was a new \
             sign-in in this tenant."
                .to_string(),
        )
    })?;
    let tid = claims
        .get("tid")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if !tid.eq_ignore_ascii_case(tenant_id.trim()) {
        return Err(refused(format!(
            "the approver signed in to another tenant ({}), not this one ({tenant_id}).",
            if tid.is_empty() { "none named" } else { tid }
        )));
    }
    let auth_time = claims
        .get("auth_time")
        .and_then(|v| v.as_i64())
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
        .ok_or_else(|| {
            // Entra adds `auth_time` to ID tokens only as an optional claim of the app
            // registration (https://learn.microsoft.com/entra/identity-platform/optional-claims-reference).
            refused(
                "the sign-in does not say when the approver signed in. Add the optional claim \
                 auth_time to the ID token of the app registration (Token configuration → Add \
                 optional claim → ID → auth_time), then ask for the approval again."
                    .to_string(),
            )
        })?;
    if auth_time < asked_at - chrono::Duration::seconds(CLOCK_SKEW_SECS) {
        return Err(refused(format!(
            "the approver did not sign in anew: the sign-in service reused a session from {} \
             (before the approval was asked for). The approver must sign in now; sign out of \
             that browser session and try again.",
            auth_time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: serde_json::Value) -> SecretString {
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        SecretString::from(format!("h.{}.", b64(claims.to_string().as_bytes())))
    }

    #[test]
    fn a_new_sign_in_in_this_tenant_passes_and_anything_else_is_refused() {
        let asked = Utc::now();
        let now = asked.timestamp();
        let tenant = "9b5c2a7e-3f41-4d8a-b6e2-5c1d7f0e8a42";
        let ok = token(serde_json::json!({"tid": tenant, "auth_time": now}));
        assert!(check_fresh_sign_in(Some(&ok), &tenant.to_uppercase(), asked).is_ok());
        let cases = [
            (None, "no readable ID token"),
            (
                Some(token(serde_json::json!({"tid": "other", "auth_time": now}))),
                "another tenant",
            ),
            (
                Some(token(serde_json::json!({"tid": tenant}))),
                "does not say when",
            ),
            (
                Some(token(
                    serde_json::json!({"tid": tenant, "auth_time": now - 3600}),
                )),
                "did not sign in anew",
            ),
            (
                Some(SecretString::from("opaque".to_string())),
                "no readable ID token",
            ),
        ];
        for (id_token, why) in cases {
            let error = check_fresh_sign_in(id_token.as_ref(), tenant, asked).unwrap_err();
            assert!(error.message.contains(why), "{why}: {error:?}");
            assert_eq!(error.kind, crate::error::ErrorKind::Denied);
        }
    }
}
