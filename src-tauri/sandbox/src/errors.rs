//! Microsoft Graph's error responses, byte-compatible with the real service
//! (reference/graph.md §3.1): `{"error":{"code","message","innerError":{date, request-id,
//! client-request-id}}}`. Handlers return a [`GraphError`]; the front door renders it with the
//! request's ids, so every error carries the same ids as the response headers.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The two ids Graph puts on every response (headers and `innerError`).
#[derive(Debug, Clone)]
pub struct RequestIds {
    pub request_id: String,
    pub client_request_id: String,
}

impl RequestIds {
    /// Echoes the caller's `client-request-id` (Graph does), or makes one up.
    pub fn for_request(client_request_id: Option<&str>) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = client_request_id
            .filter(|value| !value.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| request_id.clone());
        Self {
            request_id,
            client_request_id,
        }
    }

    pub fn stamp(&self, response: &mut Response) {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&self.request_id) {
            headers.insert("request-id", value);
        }
        if let Ok(value) = HeaderValue::from_str(&self.client_request_id) {
            headers.insert("client-request-id", value);
        }
    }
}

/// One Graph error, not yet tied to a request.
#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Graph's nested `innerError.code` (e.g. `throttledRequest`), when it sends one.
    pub inner_code: Option<&'static str>,
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(&'static str, String)>,
}

pub const INSUFFICIENT_PRIVILEGES: &str = "Insufficient privileges to complete the operation.";

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            inner_code: None,
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            INSUFFICIENT_PRIVILEGES,
        )
    }

    pub fn user_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    /// The authentication-methods service uses its own lower-camel codes.
    pub fn method_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "itemNotFound",
            format!("The requested authentication method with id '{id}' was not found."),
        )
    }

    pub fn method_bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "badRequest", message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    pub fn unsupported_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    /// The `transitiveMemberOf` page: "The ConsistencyLevel header set to eventual and
    /// $count=true are required when using the $search, $filter, $orderby, or OData cast query
    /// parameters" (<https://learn.microsoft.com/graph/api/user-list-transitivememberof>).
    pub fn cast_needs_advanced_query() -> Self {
        Self::unsupported_query(
            "An OData cast on transitiveMemberOf is an advanced query: send the header \
             'ConsistencyLevel: eventual' and $count=true.",
        )
    }

    /// What the OData layer answers for a path segment it does not know.
    pub fn unknown_segment(segment: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    pub fn invalid_token(message: &str, base_url: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message).with_header(
            "WWW-Authenticate",
            format!(
                "Bearer realm=\"\", authorization_uri=\"{base_url}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\""
            ),
        )
    }

    pub fn throttled(retry_after_secs: u64) -> Self {
        Self::throttled_for(retry_after_secs.to_string())
    }

    /// A 429 whose `Retry-After` is `retry_after` as written: whole or decimal seconds
    /// (Microsoft's throttling page shows `Retry-After: 2.128`).
    pub fn throttled_for(retry_after: String) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests.",
        )
        .with_header("Retry-After", retry_after);
        error.inner_code = Some("throttledRequest");
        error
    }

    pub fn unavailable(retry_after: String) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceNotAvailable",
            "The service is temporarily unavailable.",
        )
        .with_header("Retry-After", retry_after)
    }

    /// Whether this reply tells the client how long to wait (429, 503).
    pub fn has_retry_after(&self) -> bool {
        self.headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("Retry-After"))
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UnknownError",
            "An internal server error occurred.",
        )
    }

    pub fn render(&self, ids: &RequestIds) -> Response {
        let mut inner = json!({
            "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": ids.request_id,
            "client-request-id": ids.client_request_id,
        });
        if let Some(code) = self.inner_code {
            inner["code"] = json!(code);
        }
        let body =
            json!({ "error": { "code": self.code, "message": self.message, "innerError": inner } });
        let mut response = (self.status, axum::Json(body)).into_response();
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.headers_mut().insert(*name, value);
            }
        }
        ids.stamp(&mut response);
        response
    }
}

pub type GraphResult<T = Response> = Result<T, GraphError>;
