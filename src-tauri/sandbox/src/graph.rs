//! Microsoft Graph under `/v1.0` and `/beta`: authentication of the bearer token and routing
//! by path segment (so unknown segments and wrong methods get Graph's own errors). The
//! resources themselves live in `users` and `methods`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Extension, Json, Router};
use serde_json::{Map, Value};

use super::errors::{GraphError, GraphResult, RequestIds};
use super::methods::{self, ApiVersion};
use super::policy::{self, Operation};
use super::state::State as Model;
use super::{delta, faults, tap, users, Shared};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1.0/{*rest}", any(graph_v1))
        .route("/beta/{*rest}", any(graph_beta))
        .fallback(unknown_version)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::graph_front_door,
        ))
        .with_state(shared)
}

/// One Graph request, authenticated, as the handlers see it.
pub struct Call<'a> {
    pub shared: &'a Shared,
    pub version: ApiVersion,
    pub method: Method,
    pub headers: &'a HeaderMap,
    pub query: Vec<(String, String)>,
    pub body: Bytes,
    /// Object id of the signed-in user.
    pub caller_id: String,
}

impl Call<'_> {
    /// A query option, with or without its `$` (Graph v1.0 accepts both).
    pub fn option(&self, name: &str) -> Option<&str> {
        let bare = name.trim_start_matches('$');
        self.query
            .iter()
            .find(|(key, _)| key == name || key == bare)
            .map(|(_, value)| value.as_str())
    }

    pub fn eventual_consistency(&self) -> bool {
        self.headers
            .get("consistencylevel")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.eq_ignore_ascii_case("eventual"))
    }

    pub fn count_requested(&self) -> bool {
        self.option("$count")
            .is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }

    /// `{base}/v1.0/$metadata#…`
    pub fn context(&self, fragment: &str) -> String {
        format!(
            "{}/{}/$metadata#{fragment}",
            self.shared.base_url,
            self.version.segment()
        )
    }

    /// The JSON object a PATCH/POST carries; Graph insists on `Content-Type: application/json`.
    pub fn json_body(&self) -> GraphResult<Map<String, Value>> {
        let bad = |message: &str| GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message);
        if self.body.is_empty() {
            return Err(bad("Empty Payload. JSON content expected."));
        }
        let declared_json = self
            .headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.to_ascii_lowercase().starts_with("application/json"));
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map)) if declared_json => Ok(map),
            _ => Err(bad(
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
            )),
        }
    }
}

/// Who a `/users/{id}` or `/me` path is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Me,
    User(String),
}

impl Subject {
    /// The user's index in the model, or Graph's 404.
    pub fn resolve(&self, model: &Model, caller_id: &str) -> GraphResult<usize> {
        let key = match self {
            Subject::Me => caller_id,
            Subject::User(id) => id.as_str(),
        };
        model
            .user_index(key)
            .ok_or_else(|| GraphError::user_not_found(key))
    }
}

/// Refuses an admin operation on `target` unless Entra would allow `caller` to do it.
/// Acting on yourself through the admin endpoints is refused too.
pub fn authorize(
    model: &Model,
    caller: usize,
    target: usize,
    operation: Operation,
) -> GraphResult<()> {
    if caller == target {
        return Err(GraphError::denied());
    }
    let target_user = &model.users[target];
    let in_privileged_group = target_user.groups.iter().any(|group_id| {
        model
            .groups
            .iter()
            .any(|group| &group.id == group_id && group.is_assignable_to_role)
    });
    if policy::allows(
        &model.users[caller],
        operation,
        target_user,
        in_privileged_group,
    ) {
        Ok(())
    } else {
        Err(GraphError::denied())
    }
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn ok_json(value: Value) -> Response {
    (StatusCode::OK, Json(value)).into_response()
}

/// Percent-decoding of one path segment (a UPN arrives as `adele.vance%40contoso.sandbox`).
pub(crate) fn decode_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            let hex = |byte: u8| (byte as char).to_digit(16);
            if let (Some(high), Some(low)) = (hex(bytes[index + 1]), hex(bytes[index + 2])) {
                decoded.push((high * 16 + low) as u8);
                index += 3;
                continue;
            }
        }
        decoded.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

async fn graph_v1(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&shared, ApiVersion::V1, method, &uri, &headers, body)
        .unwrap_or_else(|error| error.render(&ids))
}

async fn graph_beta(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&shared, ApiVersion::Beta, method, &uri, &headers, body)
        .unwrap_or_else(|error| error.render(&ids))
}

async fn unknown_version(Extension(ids): Extension<RequestIds>, uri: Uri) -> Response {
    let version = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("Invalid version: {version}. Use /v1.0 or /beta."),
    )
    .render(&ids)
}

/// Checks the bearer token and returns the caller's object id.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> GraphResult<String> {
    let header = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let token = match header.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            token.trim()
        }
        _ => {
            return Err(GraphError::invalid_token(
                "Access token is empty.",
                &shared.base_url,
            ))
        }
    };
    let model = shared.lock_state();
    if !model.access_tokens.contains_key(token) {
        return Err(GraphError::invalid_token(
            "IDX14100: JWT is not well formed, there are no dots (.).",
            &shared.base_url,
        ));
    }
    match model.token_user(token, Instant::now()) {
        Some(index) => Ok(model.users[index].id.clone()),
        None => Err(GraphError::invalid_token(
            "Lifetime validation failed, the token is expired.",
            &shared.base_url,
        )),
    }
}

fn serve(
    shared: &Shared,
    version: ApiVersion,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> GraphResult {
    let caller_id = authenticate(shared, headers)?;
    let segments: Vec<String> = uri
        .path()
        .split('/')
        .skip(2)
        .filter(|segment| !segment.is_empty())
        .map(decode_segment)
        .collect();
    let query = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let call = Call {
        shared,
        version,
        method,
        headers,
        query,
        body,
        caller_id,
    };

    let segment_refs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (subject, rest): (Subject, &[&str]) = match segment_refs.as_slice() {
        ["users"] => {
            return match call.method {
                Method::GET => users::list_users(&call),
                _ => Err(GraphError::method_not_allowed()),
            }
        }
        ["users", "delta"] => {
            return match call.method {
                Method::GET => delta::users_delta(&call),
                _ => Err(GraphError::method_not_allowed()),
            }
        }
        ["users", "$count"] => {
            return match call.method {
                Method::GET => users::count_users(&call),
                _ => Err(GraphError::method_not_allowed()),
            }
        }
        ["policies", rest @ ..] => return tap::serve_policies(&call, rest),
        ["auditLogs", "directoryAudits"] => return crate::audits::list(&call),
        ["me", rest @ ..] => (Subject::Me, rest),
        ["users", id, rest @ ..] => (Subject::User(id.to_string()), rest),
        [first, ..] => return Err(GraphError::unknown_segment(first)),
        [] => return Err(GraphError::unknown_segment(version.segment())),
    };
    match (rest, call.method.clone()) {
        ([], Method::GET) => users::get_user(&call, &subject),
        ([], Method::PATCH) => users::update_user(&call, &subject),
        ([], _) => Err(GraphError::method_not_allowed()),
        (["revokeSignInSessions"], Method::POST) => users::revoke_sessions(&call, &subject),
        (["revokeSignInSessions"], _) => Err(GraphError::method_not_allowed()),
        (["transitiveMemberOf", rest @ ..], Method::GET) => {
            users::transitive_member_of(&call, &subject, rest)
        }
        (["transitiveMemberOf", ..], _) => Err(GraphError::method_not_allowed()),
        (["authentication", rest @ ..], _) => methods::serve(&call, &subject, rest),
        ([unknown, ..], _) => Err(GraphError::unknown_segment(unknown)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_decoded() {
        assert_eq!(
            decode_segment("adele.vance%40contoso.sandbox"),
            "adele.vance@contoso.sandbox"
        );
        assert_eq!(decode_segment("100%"), "100%");
    }
}
