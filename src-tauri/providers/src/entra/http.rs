//! Sending Graph requests: headers, the 401 → refresh → retry-once path, the retry policy
//! (DESIGN.md "Retries"; graph.md §3.2), paging, and mapping failures to [`AppError`]
//! (graph.md §3.1: code against `error.code`, never against the message).
//!
//! A request is retried here only when that is safe without looking at live state:
//! reads on 429/503 (after `Retry-After`), other 5xx, timeouts and broken connections;
//! writes only on 429/503, which Graph answers before processing. Every other write failure
//! that may have been processed is reported as such ([`Failure::is_ambiguous_write`]) so the
//! caller can re-read state before deciding (see `mod.rs`).

use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use super::models::{GraphErrorEnvelope, Page};
use resetdesk_core::auth::AccessTokenSource;
use resetdesk_core::error::{AppError, ErrorKind};
use resetdesk_core::reply_body::{self, ReplyError};

pub use resetdesk_core::http::RetryPolicy;

/// Whether a request changes state: decides which failures may be retried blindly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// One Graph request, replayable for retries. The body is JSON text kept secret because a
/// password reset carries the temporary password.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    pub method: Method,
    pub url: Url,
    /// Sends `ConsistencyLevel: eventual` (advanced queries: `$search`, `$count`, some `$filter`).
    pub eventual_consistency: bool,
    pub body: Option<SecretString>,
}

impl GraphRequest {
    pub fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            eventual_consistency: false,
            body: None,
        }
    }
    pub fn advanced_get(url: Url) -> Self {
        Self {
            eventual_consistency: true,
            ..Self::get(url)
        }
    }
}

/// A successful (2xx) reply.
#[derive(Debug)]
pub struct GraphResponse {
    pub request_id: Option<String>,
    pub body: Vec<u8>,
}

/// A Graph error reply, with what is needed to report or retry it.
#[derive(Debug, Clone)]
pub struct StatusFailure {
    pub status: StatusCode,
    pub code: Option<String>,
    /// `innerError.code`, which refines some codes (e.g. `throttledRequest` under `TooManyRequests`).
    pub inner_code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
}

/// Why a request did not succeed.
#[derive(Debug, Clone)]
pub enum Failure {
    /// Graph answered with a non-2xx status.
    Status(StatusFailure),
    /// No connection could be made: the request was never sent.
    Connect,
    /// No (complete) answer in time: the request may or may not have been processed.
    Timeout,
    /// The connection broke after the request may have been sent.
    Transport,
    /// 401 again with a freshly obtained token.
    Unauthorized { request_id: Option<String> },
    /// Obtaining a token failed, or something local was wrong: reported as is.
    Local(AppError),
}

impl Failure {
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Failure::Status(s) => Some(s.status),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<String> {
        match self {
            Failure::Status(s) => s.request_id.clone(),
            Failure::Unauthorized { request_id } => request_id.clone(),
            _ => None,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status(s) => s.retry_after,
            _ => None,
        }
    }

    /// 429 and 503 mean "not processed, come back later" (graph.md §3.2).
    fn is_not_processed_yet(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE)
        )
    }

    fn is_retryable(&self, access: Access) -> bool {
        if self.is_not_processed_yet() {
            return true;
        }
        match access {
            Access::Write => false,
            Access::Read => match self {
                Failure::Status(s) => s.status.is_server_error(),
                Failure::Timeout | Failure::Transport | Failure::Connect => true,
                Failure::Unauthorized { .. } | Failure::Local(_) => false,
            },
        }
    }

    /// A write that failed in a way that does not tell whether it was applied: a timeout, a
    /// broken connection, or a 5xx other than 503.
    pub fn is_ambiguous_write(&self) -> bool {
        match self {
            Failure::Timeout | Failure::Transport => true,
            Failure::Status(s) => {
                s.status.is_server_error() && s.status != StatusCode::SERVICE_UNAVAILABLE
            }
            Failure::Connect | Failure::Unauthorized { .. } | Failure::Local(_) => false,
        }
    }

    /// "code=<code> request-id=<id>" for a support ticket.
    pub fn detail(&self) -> String {
        match self {
            Failure::Status(s) => {
                let detail = detail_of(s.code.as_deref(), s.request_id.as_deref());
                match &s.inner_code {
                    Some(inner) => format!("{detail} inner-code={inner}"),
                    None => detail,
                }
            }
            Failure::Unauthorized { request_id } => {
                detail_of(Some("InvalidAuthenticationToken"), request_id.as_deref())
            }
            Failure::Timeout => "timeout".into(),
            Failure::Connect => "connect-error".into(),
            Failure::Transport => "connection-broken".into(),
            Failure::Local(e) => e.detail.clone().unwrap_or_default(),
        }
    }
}

pub fn detail_of(code: Option<&str>, request_id: Option<&str>) -> String {
    format!(
        "code={} request-id={}",
        code.unwrap_or("none"),
        request_id.unwrap_or("none")
    )
}

/// "2 seconds", "1 minute 30 seconds": how long Graph asked to wait, for the operator.
fn wait_words(wait: Duration) -> String {
    let seconds = wait.as_secs_f64().ceil() as u64;
    let (minutes, seconds) = (seconds / 60, seconds % 60);
    let unit = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (minutes, seconds) {
        (0, s) => unit(s, "second"),
        (m, 0) => unit(m, "minute"),
        (m, s) => format!("{} {}", unit(m, "minute"), unit(s, "second")),
    }
}

/// Reads `Retry-After`. Garbage gives `None`, which falls back to exponential backoff.
pub fn parse_retry_after(value: Option<&HeaderValue>) -> Option<Duration> {
    retry_after_at(value?.to_str().ok()?, chrono::Utc::now())
}

/// `Retry-After` as seconds — whole or decimal: Microsoft's throttling page shows
/// `Retry-After: 2.128` (<https://learn.microsoft.com/graph/throttling>) — or as an HTTP date
/// (RFC 9110 §10.2.3), counted from `now` (a date already past waits nothing).
fn retry_after_at(text: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        // A day is far beyond any wait Graph asks for; anything larger is not a wait.
        return (seconds.is_finite() && (0.0..=86_400.0).contains(&seconds))
            .then(|| Duration::from_secs_f64(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or_default(),
    )
}

/// Builds a [`StatusFailure`] from a Graph error reply (the body may be empty or not JSON,
/// e.g. from a proxy).
pub fn status_failure(
    status: StatusCode,
    header_request_id: Option<String>,
    retry_after: Option<Duration>,
    body: &[u8],
) -> StatusFailure {
    let envelope = serde_json::from_slice::<GraphErrorEnvelope>(body).ok();
    let error = envelope.map(|e| e.error);
    let inner = error.as_ref().and_then(|e| e.inner_error.clone());
    let inner_request_id = inner.as_ref().and_then(|i| i.request_id.clone());
    StatusFailure {
        status,
        code: error.as_ref().and_then(|e| e.code.clone()),
        inner_code: inner.and_then(|i| i.code).filter(|c| !c.is_empty()),
        message: error
            .and_then(|e| e.message)
            .filter(|m| !m.trim().is_empty()),
        request_id: header_request_id.or(inner_request_id),
        retry_after,
    }
}

/// Maps a failure to the error the page sees. `service` names where it happened for the
/// "cannot reach" messages; `connection` names the sign-in to renew.
pub fn to_app_error(failure: Failure, host: &str, connection: &str) -> AppError {
    let detail = failure.detail();
    let error = match failure {
        Failure::Local(error) => return error,
        Failure::Unauthorized { .. } => {
            AppError::not_signed_in(format!("Your sign-in to {connection} has expired. Sign in again."))
        }
        Failure::Connect => AppError::new(
            ErrorKind::Offline,
            format!("Cannot reach Microsoft Graph at {host}. Check the network connection (and any proxy or firewall), then try again."),
        ),
        Failure::Timeout => AppError::new(
            ErrorKind::Offline,
            format!("Microsoft Graph at {host} did not answer in time. Check the network connection, then try again."),
        ),
        Failure::Transport => AppError::new(
            ErrorKind::Offline,
            format!("The connection to Microsoft Graph at {host} broke off. Check the network connection, then try again."),
        ),
        Failure::Status(s) => status_error(&s, connection),
    };
    error.with_detail(detail)
}

fn status_error(s: &StatusFailure, connection: &str) -> AppError {
    let graph_message = s.message.clone();
    match s.status {
        StatusCode::BAD_REQUEST => AppError::new(
            ErrorKind::Provider,
            // Verbatim: the executor recognises some of these (e.g. the default-method rule).
            graph_message.unwrap_or_else(|| "Microsoft Graph rejected the request as invalid (HTTP 400).".into()),
        ),
        StatusCode::UNAUTHORIZED => {
            AppError::not_signed_in(format!("Your sign-in to {connection} has expired. Sign in again."))
        }
        StatusCode::FORBIDDEN => AppError::new(
            ErrorKind::Forbidden,
            "Microsoft Entra refused: insufficient privileges to complete the operation. Your admin role (or the \
             app's consented permissions) does not allow this for this user."
                .to_string(),
        ),
        StatusCode::NOT_FOUND => AppError::new(
            ErrorKind::NotFound,
            "Microsoft Entra could not find this user or method. It may have been deleted or moved; refresh and try again.",
        ),
        StatusCode::TOO_MANY_REQUESTS => AppError::new(
            ErrorKind::Throttled,
            match s.retry_after {
                Some(asked) if !asked.is_zero() => format!(
                    "Microsoft Graph is throttling requests and asks to wait {} before trying again. Try again then.",
                    wait_words(asked)
                ),
                _ => "Microsoft Graph is throttling requests and still was after waiting as asked. Wait a minute, then try again.".to_string(),
            },
        ),
        StatusCode::SERVICE_UNAVAILABLE => AppError::new(
            ErrorKind::Provider,
            "Microsoft Graph is temporarily unavailable (HTTP 503). Try again in a few minutes.",
        ),
        status if status.is_server_error() => AppError::new(
            ErrorKind::Provider,
            format!(
                "Microsoft Graph failed with HTTP {}. Try again in a few minutes; if it keeps failing, quote the request id to Microsoft support.",
                status.as_u16()
            ),
        ),
        status => AppError::new(
            ErrorKind::Provider,
            match graph_message {
                Some(message) => format!("Microsoft Graph refused the request (HTTP {}): {message}", status.as_u16()),
                None => format!("Microsoft Graph refused the request (HTTP {}).", status.as_u16()),
            },
        ),
    }
}

/// The transport: one shared `reqwest::Client`, the token source and the retry policy.
pub struct GraphHttp {
    client: reqwest::Client,
    tokens: Arc<dyn AccessTokenSource>,
    policy: RetryPolicy,
    /// Scheme + host + port of the Graph base URL: paging links must stay on it, since they
    /// receive the bearer token.
    origin: Option<url::Origin>,
}

impl GraphHttp {
    pub fn new(
        client: reqwest::Client,
        tokens: Arc<dyn AccessTokenSource>,
        graph_base: Option<&Url>,
    ) -> Self {
        Self {
            client,
            tokens,
            policy: RetryPolicy::default(),
            origin: graph_base.map(Url::origin),
        }
    }

    pub fn set_policy(&mut self, policy: RetryPolicy) {
        self.policy = policy;
    }

    /// Sends with retries per [`Access`]; a 401 is answered by refreshing the token once.
    pub async fn send(
        &self,
        request: &GraphRequest,
        access: Access,
    ) -> Result<GraphResponse, Failure> {
        let backoff = ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(self.policy.min_backoff)
            .with_max_delay(self.policy.max_backoff)
            .with_max_times(self.policy.max_retries);
        let budget = self.policy.max_retry_after;
        // Read and written by the retry loop only; an atomic keeps the future `Send`.
        let waited_ms = std::sync::atomic::AtomicU64::new(0);
        // One id for every attempt of this request: Microsoft support correlates them by it
        // (https://learn.microsoft.com/graph/best-practices-concept#reliability-and-support).
        let client_request_id = uuid::Uuid::new_v4().to_string();
        (|| self.send_authorized(request, &client_request_id))
            .retry(backoff)
            .when(|failure: &Failure| failure.is_retryable(access))
            // Honour Retry-After in full when the service gave one, within the request's total
            // budget; one past it ends the request (the error says how long Graph asked). Keep
            // the backoff's `None` (attempts exhausted) as is.
            .adjust(|failure: &Failure, next: Option<Duration>| {
                let wait = match (next, failure.retry_after()) {
                    (None, _) => return None,
                    (Some(_), Some(asked)) => asked,
                    (Some(backoff), None) => backoff,
                };
                let waited =
                    Duration::from_millis(waited_ms.load(std::sync::atomic::Ordering::Relaxed));
                let total = waited + wait;
                if total > budget {
                    return None;
                }
                waited_ms.store(
                    u64::try_from(total.as_millis()).unwrap_or(u64::MAX),
                    std::sync::atomic::Ordering::Relaxed,
                );
                Some(wait)
            })
            .notify(|failure: &Failure, wait: Duration| {
                tracing::warn!(
                    method = %request.method,
                    path = request.url.path(),
                    failure = %failure.detail(),
                    status = failure.status().map(|s| s.as_u16()),
                    wait_ms = wait.as_millis() as u64,
                    "Graph request failed; retrying"
                );
            })
            .await
    }

    async fn send_authorized(
        &self,
        request: &GraphRequest,
        client_request_id: &str,
    ) -> Result<GraphResponse, Failure> {
        let token = self.tokens.access_token().await.map_err(Failure::Local)?;
        match self.send_once(request, &token, client_request_id).await {
            Err(Failure::Status(s)) if s.status == StatusCode::UNAUTHORIZED => {
                // The token was rejected (expired or revoked early): forget it and retry
                // once with a fresh one. Graph rejects before processing, so this is safe
                // for writes too.
                tracing::info!(
                    path = request.url.path(),
                    "Graph answered 401; refreshing the access token once"
                );
                self.tokens.invalidate(&token).await;
                let fresh = self.tokens.access_token().await.map_err(Failure::Local)?;
                match self.send_once(request, &fresh, client_request_id).await {
                    Err(Failure::Status(s)) if s.status == StatusCode::UNAUTHORIZED => {
                        self.tokens.invalidate(&fresh).await;
                        Err(Failure::Unauthorized {
                            request_id: s.request_id,
                        })
                    }
                    other => other,
                }
            }
            other => other,
        }
    }

    async fn send_once(
        &self,
        request: &GraphRequest,
        token: &SecretString,
        client_request_id: &str,
    ) -> Result<GraphResponse, Failure> {
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| {
                Failure::Local(AppError::internal(
                    "The access token contains characters that cannot be sent in a header.",
                ))
            })?;
        authorization.set_sensitive(true);
        let mut builder = self
            .client
            .request(request.method.clone(), request.url.clone())
            .header(AUTHORIZATION, authorization)
            .header(ACCEPT, "application/json")
            .header("client-request-id", client_request_id);
        if request.eventual_consistency {
            builder = builder.header("ConsistencyLevel", "eventual");
        }
        match &request.body {
            Some(body) => {
                builder = builder
                    .header(CONTENT_TYPE, "application/json")
                    // Each attempt's copy of the body (it may hold a password) is wiped
                    // when reqwest is done with it.
                    .body(resetdesk_core::secret_body::wiped_on_drop(
                        zeroize::Zeroizing::new(body.expose_secret().as_bytes().to_vec()),
                    ));
            }
            // An explicit empty body gives `Content-Length: 0`, which Graph expects on a
            // body-less POST (revokeSignInSessions, deactivate).
            None if request.method == Method::POST => builder = builder.body(Vec::new()),
            None => {}
        }
        let response = builder.send().await.map_err(classify_transport_error)?;
        let status = response.status();
        let request_id = response
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = parse_retry_after(response.headers().get(RETRY_AFTER));
        let body = reply_body::read(response).await.map_err(|e| match e {
            ReplyError::Transport(e) => classify_transport_error(e),
            too_large => Failure::Local(too_large.into_app_error(reply_body::broke_off)),
        })?;
        tracing::debug!(
            method = %request.method,
            path = request.url.path(),
            status = status.as_u16(),
            request_id = request_id.as_deref().unwrap_or(""),
            client_request_id,
            "Graph request"
        );
        if status.is_success() {
            Ok(GraphResponse { request_id, body })
        } else {
            Err(Failure::Status(status_failure(
                status,
                request_id,
                retry_after,
                &body,
            )))
        }
    }

    /// Reads every page of a collection (following `@odata.nextLink` verbatim, with the same
    /// headers) until there is no next page or `limit` items were read.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        first: GraphRequest,
        limit: Option<usize>,
    ) -> Result<Vec<T>, Failure> {
        // A guard against a service that keeps answering with a next link.
        const MAX_PAGES: usize = 1000;
        let mut items = Vec::new();
        let mut request = first;
        for _ in 0..MAX_PAGES {
            let response = self.send(&request, Access::Read).await?;
            let page: Page<T> = decode(&response)?;
            items.extend(page.value);
            if limit.is_some_and(|limit| items.len() >= limit) {
                break;
            }
            let Some(next) = page.next_link else { break };
            request = GraphRequest {
                url: self.checked_next_link(&next)?,
                ..request
            };
        }
        if let Some(limit) = limit {
            items.truncate(limit);
        }
        Ok(items)
    }

    /// A next link is used verbatim, but only on the Graph host this connection talks to:
    /// it will carry the operator's bearer token.
    pub fn checked_next_link(&self, next: &str) -> Result<Url, Failure> {
        let url = Url::parse(next).map_err(|_| {
            Failure::Local(AppError::new(
                ErrorKind::Provider,
                "Microsoft Graph sent a paging link that is not a valid URL.",
            ))
        })?;
        match &self.origin {
            Some(origin) if *origin == url.origin() => Ok(url),
            _ => Err(Failure::Local(AppError::new(
                ErrorKind::Provider,
                "Microsoft Graph sent a paging link to another host; ResetDesk does not send your sign-in there.",
            ))),
        }
    }
}

/// Parses a 2xx reply body.
pub fn decode<T: DeserializeOwned>(response: &GraphResponse) -> Result<T, Failure> {
    serde_json::from_slice(&response.body).map_err(|error| {
        Failure::Local(
            AppError::new(
                ErrorKind::Provider,
                "Microsoft Graph sent a reply ResetDesk could not read.",
            )
            .with_detail(format!(
                "{} request-id={}",
                error,
                response.request_id.as_deref().unwrap_or("none")
            )),
        )
    })
}

fn classify_transport_error(error: reqwest::Error) -> Failure {
    if error.is_connect() {
        Failure::Connect
    } else if error.is_timeout() {
        Failure::Timeout
    } else if error.is_builder() {
        Failure::Local(AppError::internal(
            "ResetDesk built an invalid Graph request.",
        ))
    } else {
        Failure::Transport
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    #[test]
    fn retry_after_reads_decimal_seconds_and_http_dates() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
        // The sample of https://learn.microsoft.com/graph/throttling.
        assert_eq!(
            retry_after_at("2.128", now),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(retry_after_at(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after_at("Sat, 05 Dec 2026 12:00:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after_at("Sat, 05 Dec 2026 11:59:00 GMT", now),
            Some(Duration::ZERO),
            "a date already past waits nothing"
        );
        for garbage in ["", "soon", "-1", "NaN", "inf", "1e300"] {
            assert_eq!(retry_after_at(garbage, now), None, "{garbage}");
        }
    }

    use super::*;

    fn failure(status: u16, body: &str) -> Failure {
        Failure::Status(status_failure(
            StatusCode::from_u16(status).unwrap(),
            Some("hdr-req".into()),
            None,
            body.as_bytes(),
        ))
    }

    fn app_error(status: u16, body: &str) -> AppError {
        to_app_error(failure(status, body), "graph.microsoft.com", "Contoso")
    }

    #[test]
    fn forbidden_maps_to_forbidden_with_code_and_request_id() {
        let e = app_error(
            403,
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"inner-req"}}}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(
            e.message
                .starts_with("Microsoft Entra refused: insufficient privileges"),
            "{}",
            e.message
        );
        // The response header wins over the copy in innerError (they are equal in practice).
        assert_eq!(
            e.detail.as_deref(),
            Some("code=Authorization_RequestDenied request-id=hdr-req")
        );
    }

    #[test]
    fn bad_request_keeps_graph_message_verbatim_for_the_default_method_rule() {
        let text = "Cannot delete default method with other methods configured. Please change default method before deletion.";
        let e = app_error(
            400,
            &format!(r#"{{"error":{{"code":"badRequest","message":"{text}"}}}}"#),
        );
        assert_eq!(e.kind, ErrorKind::Provider);
        assert_eq!(e.message, text);
        assert_eq!(
            e.detail.as_deref(),
            Some("code=badRequest request-id=hdr-req")
        );
    }

    #[test]
    fn not_found_throttled_and_server_errors_map_to_their_kinds() {
        let body = r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist."}}"#;
        assert_eq!(app_error(404, body).kind, ErrorKind::NotFound);
        let throttled = app_error(
            429,
            r#"{"error":{"code":"TooManyRequests","message":"slow down","innerError":{"code":"throttledRequest"}}}"#,
        );
        assert_eq!(throttled.kind, ErrorKind::Throttled);
        assert_eq!(
            throttled.detail.as_deref(),
            Some("code=TooManyRequests request-id=hdr-req inner-code=throttledRequest")
        );
        let e = app_error(500, r#"{"error":{"code":"UnknownError","message":""}}"#);
        assert_eq!(e.kind, ErrorKind::Provider);
        assert!(e.message.contains("HTTP 500"));
        assert_eq!(
            e.detail.as_deref(),
            Some("code=UnknownError request-id=hdr-req")
        );
        assert_eq!(app_error(503, "").kind, ErrorKind::Provider);
        let conflict = app_error(
            409,
            r#"{"error":{"code":"conflict","message":"Already exists"}}"#,
        );
        assert_eq!(
            (conflict.kind, conflict.message.as_str()),
            (
                ErrorKind::Provider,
                "Microsoft Graph refused the request (HTTP 409): Already exists"
            )
        );
    }

    #[test]
    fn non_json_error_body_still_maps_by_status() {
        let e = app_error(502, "<html>Bad gateway</html>");
        assert_eq!(e.kind, ErrorKind::Provider);
        assert_eq!(e.detail.as_deref(), Some("code=none request-id=hdr-req"));
        let e = to_app_error(
            Failure::Status(status_failure(StatusCode::BAD_REQUEST, None, None, b"")),
            "h",
            "c",
        );
        assert_eq!(
            e.message,
            "Microsoft Graph rejected the request as invalid (HTTP 400)."
        );
        assert_eq!(e.detail.as_deref(), Some("code=none request-id=none"));
    }

    #[test]
    fn transport_failures_map_to_offline_naming_the_host() {
        let e = to_app_error(Failure::Connect, "graph.microsoft.us", "Gov tenant");
        assert_eq!(e.kind, ErrorKind::Offline);
        assert!(e
            .message
            .starts_with("Cannot reach Microsoft Graph at graph.microsoft.us. Check the network"));
        assert_eq!(
            to_app_error(Failure::Timeout, "h", "c").kind,
            ErrorKind::Offline
        );
        let e = to_app_error(
            Failure::Unauthorized {
                request_id: Some("r".into()),
            },
            "h",
            "Contoso",
        );
        assert_eq!(e.kind, ErrorKind::NotSignedIn);
        assert_eq!(
            e.message,
            "Your sign-in to Contoso has expired. Sign in again."
        );
    }

    #[test]
    fn reads_retry_on_throttling_server_errors_and_transport_but_not_on_client_errors() {
        for status in [429, 503, 500, 502, 504] {
            assert!(failure(status, "").is_retryable(Access::Read), "{status}");
        }
        for status in [400, 403, 404, 409] {
            assert!(!failure(status, "").is_retryable(Access::Read), "{status}");
        }
        assert!(Failure::Timeout.is_retryable(Access::Read));
        assert!(Failure::Transport.is_retryable(Access::Read));
        assert!(!Failure::Unauthorized { request_id: None }.is_retryable(Access::Read));
    }

    #[test]
    fn writes_retry_only_when_graph_did_not_process_them() {
        assert!(failure(429, "").is_retryable(Access::Write));
        assert!(failure(503, "").is_retryable(Access::Write));
        for status in [500, 502, 504, 400, 404] {
            assert!(!failure(status, "").is_retryable(Access::Write), "{status}");
        }
        assert!(!Failure::Timeout.is_retryable(Access::Write));
        // ...and the ones that may have been processed are flagged for verification.
        assert!(failure(500, "").is_ambiguous_write());
        assert!(failure(504, "").is_ambiguous_write());
        assert!(Failure::Timeout.is_ambiguous_write());
        assert!(Failure::Transport.is_ambiguous_write());
        assert!(!failure(503, "").is_ambiguous_write());
        assert!(!failure(429, "").is_ambiguous_write());
        assert!(!failure(400, "").is_ambiguous_write());
        assert!(!Failure::Connect.is_ambiguous_write());
    }

    #[test]
    fn retry_after_reads_a_header_value() {
        let header = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(
            parse_retry_after(Some(&header("7"))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after(Some(&header(" 0 "))),
            Some(Duration::ZERO)
        );
        // An HTTP date is a wait until then (RFC 9110 §10.2.3); this one is long past.
        assert_eq!(
            parse_retry_after(Some(&header("Wed, 21 Oct 2015 07:28:00 GMT"))),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after(Some(&header("2.128"))),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(parse_retry_after(None), None);
    }
}

/// Whatever Graph (or a proxy before it) sends: a value or an error, never a panic (issue 14).
#[cfg(test)]
mod reply_properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_retry_after_is_a_bounded_wait_or_none(text in ".{0,60}", seconds in any::<f64>()) {
            let now = chrono::Utc::now();
            for value in [text.clone(), seconds.to_string(), format!("{seconds:e}")] {
                if let Some(wait) = retry_after_at(&value, now) {
                    // An HTTP date may be far ahead; seconds are capped at a day.
                    if value.trim().parse::<f64>().is_ok() {
                        prop_assert!(wait <= Duration::from_secs(86_400));
                    }
                }
            }
        }

        #[test]
        fn any_error_body_becomes_a_status_failure(
            body in prop::collection::vec(any::<u8>(), 0..256),
            json in crate::test_inputs::json_value(),
            status in 100u16..600,
        ) {
            let status = StatusCode::from_u16(status).unwrap();
            let _ = status_failure(status, None, None, &body);
            let _ = status_failure(status, Some("id".into()), None, json.to_string().as_bytes());
            let wrapped = serde_json::json!({ "error": json });
            let _ = status_failure(status, None, None, wrapped.to_string().as_bytes());
        }
    }
}
