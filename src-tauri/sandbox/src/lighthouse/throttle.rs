//! Per-tenant throttling as Graph does it (graph.md §3.3): a token bucket per tenant. An empty
//! bucket answers 429 with `Retry-After` in whole seconds (what Graph sends), and the tenant
//! stays throttled until that moment has passed, whatever the bucket holds by then.

use std::time::{Duration, Instant};

/// The bucket's size (the burst a tenant may send) and how fast it refills.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    pub capacity: f64,
    pub per_second: f64,
}

impl Throttle {
    pub fn new(capacity: u32, per_second: u32) -> Self {
        Self {
            capacity: f64::from(capacity.max(1)),
            per_second: f64::from(per_second.max(1)),
        }
    }
}

/// A request arriving this long after a 429 was sent, but before its Retry-After passed,
/// counts as a client that did not wait (requests already in flight get this grace).
const IN_FLIGHT_GRACE: Duration = Duration::from_millis(150);

#[derive(Debug)]
pub struct Bucket {
    throttle: Throttle,
    tokens: f64,
    refilled: Instant,
    /// Set by a 429: until when, and when it was announced.
    penalty: Option<(Instant, Instant)>,
}

pub enum Admission {
    Admitted,
    /// Throttled: the Retry-After to send, and whether the client came back too early.
    Throttled {
        retry_after_secs: u64,
        early: bool,
    },
}

impl Bucket {
    pub fn new(throttle: Throttle, now: Instant) -> Self {
        Self {
            throttle,
            tokens: throttle.capacity,
            refilled: now,
            penalty: None,
        }
    }

    pub fn throttle(&self) -> Throttle {
        self.throttle
    }

    pub fn admit(&mut self, now: Instant) -> Admission {
        if let Some((until, announced)) = self.penalty {
            if now < until {
                let early = now > announced + IN_FLIGHT_GRACE;
                let left = until.saturating_duration_since(now).as_secs_f64();
                return Admission::Throttled {
                    retry_after_secs: left.ceil().max(1.0) as u64,
                    early,
                };
            }
            self.penalty = None;
        }
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens =
            (self.tokens + elapsed * self.throttle.per_second).min(self.throttle.capacity);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Admission::Admitted;
        }
        let wait = ((1.0 - self.tokens) / self.throttle.per_second)
            .ceil()
            .max(1.0) as u64;
        self.penalty = Some((now + Duration::from_secs(wait), now));
        Admission::Throttled {
            retry_after_secs: wait,
            early: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_throttled_until_retry_after_passes() {
        let start = Instant::now();
        let mut bucket = Bucket::new(Throttle::new(2, 10), start);
        assert!(matches!(bucket.admit(start), Admission::Admitted));
        assert!(matches!(bucket.admit(start), Admission::Admitted));
        match bucket.admit(start) {
            Admission::Throttled {
                retry_after_secs,
                early,
            } => {
                assert_eq!(retry_after_secs, 1);
                assert!(!early);
            }
            Admission::Admitted => panic!("the third request of a 2-burst must be throttled"),
        }
        // Refilled by then, but still inside the announced pause: throttled, and early.
        let half = start + Duration::from_millis(500);
        assert!(matches!(
            bucket.admit(half),
            Admission::Throttled { early: true, .. }
        ));
        let after = start + Duration::from_millis(1001);
        assert!(matches!(bucket.admit(after), Admission::Admitted));
    }
}
