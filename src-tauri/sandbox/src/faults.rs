//! Fault injection for the Graph routes: latency, hangs, throttling, server errors, and the
//! "processed, then failed" write. A request answered with a 429/5xx fault is never passed to
//! the handler, so a client retrying it after `Retry-After` does no harm; only
//! `fail_after_processing_next` answers 500 after the change was made (the ambiguous write).

use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::errors::{GraphError, RequestIds};
use super::{RecordedRequest, Shared};

/// The knobs. `Default` gives a healthy service (and `Retry-After: 1` when a fault is set).
#[derive(Debug, Clone)]
pub struct Faults {
    /// Added to every reply (OAuth included).
    pub latency_ms: u64,
    /// The next N Graph requests answer 429 + Retry-After.
    pub throttle_next: u32,
    /// A share (0..1) of Graph requests answer 429 (deterministic RNG seeded from the config).
    pub throttle_ratio: f64,
    /// Value of Retry-After on 429/503 (0 allowed for fast tests).
    pub retry_after_secs: u64,
    /// When set, Retry-After is sent as this text instead, e.g. `"2.128"` (decimal seconds, as
    /// in the sample of <https://learn.microsoft.com/graph/throttling>).
    pub retry_after_text: Option<String>,
    /// The next N Graph requests answer 500 (or 503 if `unavailable`).
    pub server_error_next: u32,
    pub unavailable: bool,
    /// The next N Graph requests sleep `hang_ms` before being handled (to test timeouts).
    pub hang_next: u32,
    pub hang_ms: u64,
    /// Access token lifetime for tokens issued from now on (0 = default 3600).
    pub token_lifetime_secs: u64,
    /// The next N Graph writes (POST/PATCH/PUT/DELETE) are carried out, then answered 500.
    pub fail_after_processing_next: u32,
    /// The sign-in page reuses a browser session this many seconds old instead of a new
    /// sign-in (as an identity provider that ignores `prompt=login` would): the ID token's
    /// `auth_time` says so.
    pub reused_session_age_secs: u64,
    /// ID tokens name this tenant instead of the sandbox's (a guest's home tenant, say).
    pub id_token_tenant: Option<String>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            throttle_next: 0,
            throttle_ratio: 0.0,
            retry_after_secs: 1,
            retry_after_text: None,
            server_error_next: 0,
            unavailable: false,
            hang_next: 0,
            hang_ms: 0,
            token_lifetime_secs: 0,
            fail_after_processing_next: 0,
            reused_session_age_secs: 0,
            id_token_tenant: None,
        }
    }
}

impl Faults {
    pub fn token_lifetime(&self) -> Duration {
        Duration::from_secs(if self.token_lifetime_secs == 0 {
            3600
        } else {
            self.token_lifetime_secs
        })
    }
}

/// The knobs plus the RNG that makes `throttle_ratio` reproducible, and the throttle window.
pub struct FaultState {
    pub faults: Faults,
    rng: StdRng,
    /// Graph asks a throttled client to wait as long as `Retry-After` says: "If you continue to
    /// make requests while throttled, ... wait the number of seconds specified in the
    /// Retry-After header" (<https://learn.microsoft.com/graph/throttling>). A request that
    /// comes back sooner is throttled again, for the time left.
    throttled_until: Option<Instant>,
    /// How many requests were answered 429 or 503, the window's included.
    refused_with_retry_after: u64,
}

/// What to do with one Graph request before it reaches its handler.
struct Decision {
    delay: Duration,
    refuse: Option<GraphError>,
    fail_after_processing: bool,
}

impl FaultState {
    pub fn new(seed: u64) -> Self {
        Self {
            faults: Faults::default(),
            rng: StdRng::seed_from_u64(seed ^ 0x5eed_fa17),
            throttled_until: None,
            refused_with_retry_after: 0,
        }
    }

    pub fn reconfigure(&mut self, faults: Faults) {
        self.faults = faults;
        self.throttled_until = None;
    }

    /// How many Graph requests were answered 429 or 503 with a Retry-After so far.
    pub fn refused_with_retry_after(&self) -> u64 {
        self.refused_with_retry_after
    }

    /// The Retry-After text of the next refusal, and the wait it asks for.
    fn retry_after(&self) -> (String, Duration) {
        match &self.faults.retry_after_text {
            Some(text) => (text.clone(), seconds(text)),
            None => (
                self.faults.retry_after_secs.to_string(),
                Duration::from_secs(self.faults.retry_after_secs),
            ),
        }
    }

    /// Consumes the one-shot counters this request uses.
    fn decide(&mut self, is_write: bool) -> Decision {
        let faults = &mut self.faults;
        let mut delay = Duration::from_millis(faults.latency_ms);
        if faults.hang_next > 0 {
            faults.hang_next -= 1;
            delay += Duration::from_millis(faults.hang_ms);
        }
        let now = Instant::now();
        if let Some(until) = self.throttled_until.filter(|until| now < *until) {
            // Back before the wait Graph asked for: throttled again, for the time left.
            self.refused_with_retry_after += 1;
            let left = until - now;
            return Decision {
                delay,
                refuse: Some(GraphError::throttled_for(format!(
                    "{:.3}",
                    left.as_secs_f64()
                ))),
                fail_after_processing: false,
            };
        }
        let (retry_after, wait) = self.retry_after();
        let faults = &mut self.faults;
        let refuse = if faults.throttle_next > 0 {
            faults.throttle_next -= 1;
            Some(GraphError::throttled_for(retry_after))
        } else if faults.server_error_next > 0 {
            faults.server_error_next -= 1;
            Some(if faults.unavailable {
                GraphError::unavailable(retry_after)
            } else {
                GraphError::internal()
            })
        } else if faults.throttle_ratio > 0.0
            && self.rng.gen_bool(faults.throttle_ratio.clamp(0.0, 1.0))
        {
            Some(GraphError::throttled_for(retry_after))
        } else {
            None
        };
        let faults = &mut self.faults;
        if refuse.as_ref().is_some_and(GraphError::has_retry_after) {
            self.refused_with_retry_after += 1;
            self.throttled_until = Some(now + wait);
        }
        let fail_after_processing =
            refuse.is_none() && is_write && faults.fail_after_processing_next > 0;
        if fail_after_processing {
            faults.fail_after_processing_next -= 1;
        }
        Decision {
            delay,
            refuse,
            fail_after_processing,
        }
    }
}

/// Decimal seconds as the emulator writes them in Retry-After ("2.128"); anything else waits
/// nothing (the emulator only parses what it was told to send).
fn seconds(text: &str) -> Duration {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or_default()
}

const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The front door of every Graph request: ids, recording, faults; then the handler.
pub async fn graph_front_door(
    State(shared): State<std::sync::Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let ids = RequestIds::for_request(
        request
            .headers()
            .get("client-request-id")
            .and_then(|value| value.to_str().ok()),
    );
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return GraphError::bad_request("The request body is too large or could not be read.")
                .render(&ids)
        }
    };
    shared.record(RecordedRequest::from_parts(&parts, &bytes));

    let is_write = !matches!(parts.method.as_str(), "GET" | "HEAD" | "OPTIONS");
    let decision = shared.lock_faults().decide(is_write);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    if let Some(error) = decision.refuse {
        return error.render(&ids);
    }

    let (method, path, headers) = (
        parts.method.clone(),
        parts.uri.path().to_string(),
        parts.headers.clone(),
    );
    // Bytes are shared, not copied: the audit log reads what a reset sent.
    let sent_body = bytes.clone();
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(ids.clone());
    let mut response = next.run(request).await;
    if response.status().is_success() && is_write {
        // A reset that went through lands in the tenant's directory audit log, whoever made it.
        let version_less = path
            .trim_start_matches('/')
            .split_once('/')
            .map_or("", |(_, rest)| rest);
        let mut state = shared.lock_state();
        let delay = state.audit_delay;
        crate::audits::record_if_reset(
            &mut state,
            delay,
            (&method, version_less, &sent_body),
            &headers,
            &ids.request_id,
        );
    }
    if decision.fail_after_processing {
        return GraphError::internal().render(&ids);
    }
    ids.stamp(&mut response);
    response
}

/// The identity platform only gets the latency knob (its faults are not Graph's).
pub async fn login_latency(
    State(shared): State<std::sync::Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let latency = shared.lock_faults().faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    next.run(request).await
}
