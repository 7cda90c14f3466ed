//! Offline cache benchmark (issue 3). Not a test: it measures and prints, it asserts nothing.
//!
//! Run: `.ci/bench-cache.sh` (= `cargo bench -p resetdesk-providers --bench cache`). Optional
//! argument: the directory size (default 100000), e.g. `cargo bench -p resetdesk-providers --bench cache -- 20000`.
//!
//! What it does, all in one process:
//! 1. starts the sandbox emulator with N users (the deterministic seed 42);
//! 2. full sync of the whole directory into a fresh encrypted cache through the real Entra
//!    client over HTTP (wall time, Graph requests, peak RSS = VmHWM of /proc/self/status);
//! 3. a delta of 100 changes (60 renames, 20 adds, 20 deletions);
//! 4. the cache's size on disk;
//! 5. search latency p50/p99 for 1-, 3- and 8-character queries drawn from the directory's
//!    own names, each against a baseline measured in the same run: a naive case-insensitive
//!    linear scan (substring match on name, UPN and mail) of the same rows held in memory.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use resetdesk_core::auth::AccessTokenSource;
use resetdesk_core::cache::{sync_cache, CacheStore, CachedUser, DirectorySync, SyncProgress};
use resetdesk_core::secrets::{MemoryStore, SecretString};
use resetdesk_providers::entra::{http_client, EntraDirectory};
use resetdesk_sandbox::{Faults, Sandbox, SandboxConfig};

/// A fixed access token issued by the emulator (the benchmark measures sync, not sign-in).
struct FixedToken(SecretString);

#[async_trait]
impl AccessTokenSource for FixedToken {
    async fn access_token(&self) -> resetdesk_core::error::Result<SecretString> {
        Ok(self.0.clone())
    }
    async fn invalidate(&self, _rejected: &SecretString) {}
}

#[path = "support/proc_status.rs"]
mod proc_status;

/// The most memory this process has held so far (VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    proc_status::status_mib("VmHWM")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// The naive baseline: lower-case substring test over every row, sort the hits by name.
struct Baseline {
    rows: Vec<(String, String, String, String)>, // (name_lc, upn_lc, mail_lc, display)
}

impl Baseline {
    fn new(users: &[CachedUser]) -> Self {
        Self {
            rows: users
                .iter()
                .map(|u| {
                    (
                        u.display_name.to_lowercase(),
                        u.user_principal_name.to_lowercase(),
                        u.mail.clone().unwrap_or_default().to_lowercase(),
                        u.display_name.clone(),
                    )
                })
                .collect(),
        }
    }

    fn search(&self, query: &str, limit: usize) -> Vec<String> {
        let q = query.to_lowercase();
        let mut hits: Vec<&(String, String, String, String)> = self
            .rows
            .iter()
            .filter(|(n, u, m, _)| n.contains(&q) || u.contains(&q) || m.contains(&q))
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0));
        hits.into_iter().take(limit).map(|r| r.3.clone()).collect()
    }
}

/// Queries of `length` characters cut from the directory's own display names (deterministic).
fn queries(users: &[CachedUser], length: usize, count: usize) -> Vec<String> {
    let step = (users.len() / count).max(1);
    users
        .iter()
        .step_by(step)
        .filter_map(|u| {
            let name = u.display_name.to_lowercase();
            (name.chars().count() >= length).then(|| name.chars().take(length).collect())
        })
        .take(count)
        .collect()
}

fn main() {
    let users: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(users));
}

async fn run(user_count: usize) {
    println!("# Offline cache benchmark: {user_count} users");
    let started = Instant::now();
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 42,
        users: user_count,
    })
    .await
    .expect("the emulator starts");
    println!(
        "emulator seeded and listening: {:.2} s (peak RSS so far {:.0} MiB)",
        started.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
    sandbox.set_faults(Faults {
        token_lifetime_secs: 24 * 3600,
        ..Faults::default()
    });
    let token = sandbox
        .issue_access_token("helpdesk@contoso.sandbox")
        .expect("operator token");
    let entra = EntraDirectory::new(
        "bench",
        &sandbox.entra_settings(),
        Arc::new(FixedToken(SecretString::from(token))),
        http_client(),
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = MemoryStore::new();
    let store = Arc::new(
        CacheStore::open(dir.path(), "bench", &secrets)
            .expect("cache opens")
            .store,
    );

    // Full sync.
    sandbox.clear_requests();
    let rss_before = peak_rss_mib();
    let progress = SyncProgress::default();
    let started = Instant::now();
    let report = sync_cache(&store, &entra, &progress)
        .await
        .expect("full sync");
    let full_time = started.elapsed();
    println!(
        "full sync: {} users in {:.2} s, {} Graph requests (emulator log: {}), peak RSS {:.0} MiB (before sync {:.0} MiB; emulator included)",
        report.users,
        full_time.as_secs_f64(),
        report.requests,
        sandbox.requests().len(),
        peak_rss_mib(),
        rss_before
    );

    // Delta of 100 changes.
    let upns = sandbox.user_principal_names();
    for (i, upn) in upns.iter().skip(50).step_by(997).take(60).enumerate() {
        sandbox.update_user_display_name(upn, &format!("Renamed Person {i}"));
    }
    for i in 0..20 {
        sandbox.add_user(
            &format!("Bench Newcomer {i}"),
            &format!("bench.newcomer{i}@contoso.sandbox"),
        );
    }
    for upn in upns.iter().skip(70).step_by(1499).take(20) {
        sandbox.delete_user(upn);
    }
    sandbox.clear_requests();
    let started = Instant::now();
    let delta = sync_cache(&store, &entra, &progress)
        .await
        .expect("delta sync");
    println!(
        "delta sync: {:?} of {} changes in {:.1} ms, {} Graph requests; {} users cached",
        delta.kind,
        delta.changes,
        started.elapsed().as_secs_f64() * 1e3,
        delta.requests,
        delta.users
    );

    // Size on disk (after a checkpoint, so the WAL is folded in).
    let path = store.path().to_path_buf();
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
    println!(
        "size on disk: {:.1} MiB database + {:.1} MiB write-ahead log",
        size(&path) as f64 / 1048576.0,
        size(&wal) as f64 / 1048576.0
    );
    for (object, bytes) in store
        .space_by_object()
        .expect("the cache's space by object")
    {
        println!("  {object}: {:.1} MiB", bytes as f64 / 1048576.0);
    }

    // Search latency against the baseline, on the same rows.
    // Read the directory again (it is the baseline's data), timing the Graph reads alone and
    // then the database write alone, to show where a full sync spends its time.
    let started = Instant::now();
    let reread = entra
        .full_user_sync(&SyncProgress::default())
        .await
        .expect("rows for the baseline");
    let read_time = started.elapsed();
    let scratch = tempfile::tempdir().expect("temp dir");
    let scratch_store = CacheStore::open(scratch.path(), "scratch", &secrets)
        .expect("scratch cache opens")
        .store;
    let started = Instant::now();
    scratch_store
        .replace_all(&reread.users, reread.delta_link.as_deref(), "now")
        .expect("write");
    println!(
        "full sync split: reading {} users over HTTP {:.2} s; writing them into an empty encrypted cache {:.2} s",
        reread.users.len(),
        read_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let rows = reread.users;
    let baseline = Baseline::new(&rows);
    println!();
    println!("| query length | queries | cache p50 | cache p99 | naive scan p50 | naive scan p99 | p50 ratio | p99 ratio |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut slowest_by_length = Vec::new();
    for length in [1usize, 3, 8] {
        let qs = queries(&rows, length, 300);
        // Warm up both (page cache, prepared statements).
        for q in qs.iter().take(20) {
            let _ = store.search(q, 50);
            let _ = baseline.search(q, 50);
        }
        let mut cache_times = Vec::with_capacity(qs.len());
        let mut scan_times = Vec::with_capacity(qs.len());
        let mut slowest: Vec<(Duration, &str)> = Vec::with_capacity(qs.len());
        for q in &qs {
            let t = Instant::now();
            let hits = store.search(q, 50).expect("search");
            cache_times.push(t.elapsed());
            slowest.push((t.elapsed(), q.as_str()));
            std::hint::black_box(hits);
            let t = Instant::now();
            let hits = baseline.search(q, 50);
            scan_times.push(t.elapsed());
            std::hint::black_box(hits);
        }
        cache_times.sort();
        scan_times.sort();
        let (c50, c99) = (
            percentile(&cache_times, 0.5),
            percentile(&cache_times, 0.99),
        );
        let (s50, s99) = (percentile(&scan_times, 0.5), percentile(&scan_times, 0.99));
        println!(
            "| {length} | {} | {:.0} µs | {:.0} µs | {:.0} µs | {:.0} µs | {:.2} | {:.2} |",
            qs.len(),
            micros(c50),
            micros(c99),
            micros(s50),
            micros(s99),
            micros(c50) / micros(s50),
            micros(c99) / micros(s99),
        );
        slowest.sort_by_key(|entry| std::cmp::Reverse(entry.0));
        slowest_by_length.push((
            length,
            slowest
                .iter()
                .take(3)
                .map(|(d, q)| format!("{q:?} {:.0} µs", micros(*d)))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    // Where the p99 comes from: the slowest queries of each length.
    println!();
    for (length, queries) in slowest_by_length {
        println!("slowest {length}-character queries: {queries}");
    }
}
