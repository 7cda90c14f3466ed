//! Reads across many customer users, a few at a time in each customer.
//!
//! Graph throttles per app and tenant, and a burst of thousands of reads at once is exactly
//! what it answers 429 to (https://learn.microsoft.com/graph/throttling: "reduce the number of
//! operations per request … reduce the frequency of calls"). Planning for up to 5,000 users
//! must not open 5,000 requests at once: each customer gets [`READS_PER_TENANT`] at a time.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;

/// How many reads run at once in one customer tenant.
pub const READS_PER_TENANT: usize = 4;

/// Runs `read` on every item, at most [`READS_PER_TENANT`] at once per tenant
/// (`tenant_of`), and returns the results in the items' order.
pub async fn per_tenant<T, R, Fut>(
    items: Vec<T>,
    tenant_of: impl Fn(&T) -> String,
    read: impl Fn(T) -> Fut,
) -> Vec<R>
where
    Fut: Future<Output = R>,
{
    let mut gates: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let reads = items.into_iter().map(|item| {
        let gate = gates
            .entry(tenant_of(&item).to_ascii_lowercase())
            .or_insert_with(|| Arc::new(Semaphore::new(READS_PER_TENANT)))
            .clone();
        // Not polled (so not sent) until a permit of its tenant is held.
        let read = read(item);
        async move {
            let _permit = gate.acquire_owned().await;
            read.await
        }
    });
    let reads: Vec<_> = reads.collect();
    futures_util::future::join_all(reads).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn at_most_a_few_reads_run_at_once_per_tenant_and_results_keep_their_order() {
        let running: HashMap<&str, Arc<AtomicUsize>> = [("a", 0), ("b", 0)]
            .into_iter()
            .map(|(t, _)| (t, Arc::new(AtomicUsize::new(0))))
            .collect();
        let peak: HashMap<&str, Arc<AtomicUsize>> = [("a", 0), ("b", 0)]
            .into_iter()
            .map(|(t, _)| (t, Arc::new(AtomicUsize::new(0))))
            .collect();
        let items: Vec<(usize, &str)> = (0..40)
            .map(|i| (i, if i % 3 == 0 { "b" } else { "A" }))
            .collect();
        let results = per_tenant(
            items,
            |(_, tenant)| tenant.to_string(),
            |(i, tenant)| {
                let key = if tenant == "b" { "b" } else { "a" };
                let (running, peak) = (running[key].clone(), peak[key].clone());
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    i
                }
            },
        )
        .await;
        assert_eq!(results, (0..40).collect::<Vec<_>>());
        for tenant in ["a", "b"] {
            let peak = peak[tenant].load(Ordering::SeqCst);
            assert!((1..=READS_PER_TENANT).contains(&peak), "{tenant}: {peak}");
        }
    }
}
