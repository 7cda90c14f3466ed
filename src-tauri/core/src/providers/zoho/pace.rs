//! Keeps one connection's requests within Zoho Mail's request limit: at most N in any window
//! (a sliding window, as the limit is stated: "N requests per minute"), so that a full sync of
//! a large organisation is paced instead of answered 429 and locked out.
//!
//! Why not a token bucket (the `governor` crate): a bucket of N refilled one every window/N lets
//! a burst of N be followed by more within the same minute, which the stated limit forbids; a
//! bucket of one makes every interactive search wait. A window of the last N send times allows
//! exactly what Zoho allows: a search's few pages go at once, a sync's thirtieth waits.
use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use resetdesk_model::connection::RequestLimit;

pub struct RequestPacer {
    limit: RequestLimit,
    state: Mutex<PacerState>,
}

#[derive(Default)]
struct PacerState {
    /// When each of the last `limit.requests` requests was let through, oldest first.
    sent: VecDeque<Instant>,
    /// Zoho said 429: nothing goes before this.
    held_until: Option<Instant>,
}

impl RequestPacer {
    pub fn new(limit: RequestLimit) -> Self {
        Self {
            limit: RequestLimit {
                requests: limit.requests.max(1),
                window_millis: limit.window_millis,
            },
            state: Mutex::new(PacerState::default()),
        }
    }

    /// Waits until one more request keeps the window within the limit, and counts it.
    /// Callers wait in turn (the lock is held while waiting), so none overtakes another.
    /// `Err(left)`: Zoho asked for a pause longer than `max_hold`; nothing was counted.
    pub async fn until_ready(&self, max_hold: Duration) -> Result<(), Duration> {
        let mut state = self.state.lock().await;
        let window = self.limit.window();
        loop {
            let now = Instant::now();
            if let Some(until) = state.held_until.filter(|until| *until > now) {
                if until - now > max_hold {
                    return Err(until - now);
                }
                tokio::time::sleep_until(until).await;
                continue;
            }
            while state
                .sent
                .front()
                .is_some_and(|at| now.duration_since(*at) >= window)
            {
                state.sent.pop_front();
            }
            if state.sent.len() < self.limit.requests as usize {
                state.sent.push_back(now);
                return Ok(());
            }
            let oldest = *state.sent.front().expect("the window is full");
            tokio::time::sleep_until(oldest + window).await;
        }
    }

    /// Zoho answered 429 anyway (another app of the same account, a lower limit for this
    /// API): hold every request for `wait`, or a whole window when Zoho did not say.
    pub async fn hold(&self, wait: Option<Duration>) -> Duration {
        let wait = wait.unwrap_or(self.limit.window());
        let mut state = self.state.lock().await;
        let until = Instant::now() + wait;
        state.held_until = Some(state.held_until.map_or(until, |held| held.max(until)));
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn no_window_holds_more_than_the_limit_and_a_burst_under_it_does_not_wait() {
        let pacer = RequestPacer::new(RequestLimit {
            requests: 3,
            window_millis: 1_000,
        });
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..7 {
            pacer.until_ready(Duration::ZERO).await.unwrap();
            sent.push(start.elapsed());
        }
        assert_eq!(
            &sent[..3],
            &[Duration::ZERO; 3],
            "the first three go at once"
        );
        for (i, at) in sent.iter().enumerate().skip(3) {
            assert!(
                *at >= sent[i - 3] + Duration::from_secs(1),
                "request {i} at {at:?} would be the fourth in one window: {sent:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_holds_every_request_for_what_zoho_asked_or_a_whole_window() {
        let pacer = RequestPacer::new(RequestLimit {
            requests: 30,
            window_millis: 60_000,
        });
        let start = Instant::now();
        assert_eq!(pacer.hold(None).await, Duration::from_secs(60));
        let max = Duration::from_secs(30);
        let left = pacer.until_ready(max).await.unwrap_err();
        assert!(
            left > max,
            "a longer pause than we wait is said, not slept: {left:?}"
        );
        pacer
            .until_ready(Duration::from_secs(61))
            .await
            .expect("waited out");
        assert!(start.elapsed() >= Duration::from_secs(60));
        let again = Instant::now();
        pacer.hold(Some(Duration::from_secs(2))).await;
        pacer.until_ready(max).await.unwrap();
        assert!(again.elapsed() >= Duration::from_secs(2));
    }
}
