//! Keeps one connection's requests within Zoho Mail's request limit: at most N in any window
//! (a sliding window, as the limit is stated: "N requests per minute"), so that a full sync of
//! a large organisation is paced instead of answered 429 and locked out.
//!
//! Why not a token bucket (the `governor` crate): a bucket of N refilled one every window/N lets
//! a burst of N be followed by more within the same minute, which the stated limit forbids; a
//! bucket of one makes every interactive search wait. A window of the last N requests allows
//! exactly what Zoho allows: a search's few pages go at once, a sync's thirtieth waits.
//!
//! Zoho counts a request when it arrives, which is after it was let through here, by however
//! long the token, the network and a busy machine took. So each request counts from when its
//! answer came back ([`RequestPacer::answered`]), the latest it can have arrived: the request
//! that waits for it then arrives at Zoho a whole window after it, whatever the delay was.
//! (Counted from when it was let through, a request delayed on its way put its
//! window-later successor into the same window at Zoho, and the emulator answered 429.)
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
    /// The last `limit.requests` requests, oldest first: each from when it was let through,
    /// then from when its answer came back.
    sent: VecDeque<(u64, Instant)>,
    /// Numbers the requests, for [`RequestPacer::answered`].
    next: u64,
    /// Zoho said 429: nothing goes before this.
    held_until: Option<Instant>,
}

/// One request let through; hand it back to [`RequestPacer::answered`] when its answer came.
#[must_use]
#[derive(Debug)]
pub struct Sent(u64);

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
    pub async fn until_ready(&self, max_hold: Duration) -> Result<Sent, Duration> {
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
                .is_some_and(|(_, at)| now.duration_since(*at) >= window)
            {
                state.sent.pop_front();
            }
            if state.sent.len() < self.limit.requests as usize {
                let number = state.next;
                state.next += 1;
                state.sent.push_back((number, now));
                return Ok(Sent(number));
            }
            let (_, oldest) = *state.sent.front().expect("the window is full");
            tokio::time::sleep_until(oldest + window).await;
        }
    }

    /// The answer to `sent` came back (or it failed): from now on it counts from now, the
    /// latest moment Zoho can have counted it.
    pub async fn answered(&self, sent: Sent) {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        if let Some(entry) = state.sent.iter_mut().find(|(number, _)| *number == sent.0) {
            entry.1 = now;
        }
        // Answers come back in any order: keep the oldest first.
        state.sent.make_contiguous().sort_by_key(|(_, at)| *at);
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
            let ticket = pacer.until_ready(Duration::ZERO).await.unwrap();
            pacer.answered(ticket).await;
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
        let ticket = pacer
            .until_ready(Duration::from_secs(61))
            .await
            .expect("waited out");
        pacer.answered(ticket).await;
        assert!(start.elapsed() >= Duration::from_secs(60));
        let again = Instant::now();
        pacer.hold(Some(Duration::from_secs(2))).await;
        let ticket = pacer.until_ready(max).await.unwrap();
        pacer.answered(ticket).await;
        assert!(again.elapsed() >= Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_counts_from_when_its_answer_came_so_a_slow_one_is_not_overtaken() {
        let pacer = RequestPacer::new(RequestLimit {
            requests: 2,
            window_millis: 1_000,
        });
        let start = Instant::now();
        // The first request is slow on its way (a busy machine, a slow network): its answer
        // comes 400 ms after it was let through; the second is quick.
        let slow = pacer.until_ready(Duration::ZERO).await.unwrap();
        let quick = pacer.until_ready(Duration::ZERO).await.unwrap();
        pacer.answered(quick).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        pacer.answered(slow).await;
        // The third waits a whole window after the quick one's answer, then the fourth a whole
        // window after the slow one's answer (not after it was let through).
        let third = pacer.until_ready(Duration::ZERO).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(1_000));
        pacer.answered(third).await;
        let fourth = pacer.until_ready(Duration::ZERO).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(1_400));
        pacer.answered(fourth).await;
    }
}
