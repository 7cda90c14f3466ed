//! Bulk "Reset all MFAs" benchmark (issue 4). Not a test: it measures and prints.
//!
//! Run: `.ci/bench-lighthouse.sh` (= `cargo bench -p resetdesk-providers --bench lighthouse`).
//! Environment knobs (defaults in brackets): `LH_TENANTS` [10], `LH_USERS_PER_TENANT` [100],
//! `LH_LATENCY_MS` [50], `LH_RATE` and `LH_BURST` [40 requests/s, burst 40, per tenant],
//! `LH_PER_TENANT` [4], `LH_GLOBAL` [64], `LH_BASELINE_USERS` [100: the one-at-a-time
//! baseline runs on that many users and is extrapolated per step; 0 = the whole job],
//! `LH_EMULATOR` [a process of its own; `in-process`: in the benchmark's, as before 2026-12-06].
//!
//! Why not criterion: one run takes seconds to minutes against a live emulator, and what
//! matters is a ratio against a baseline measured in the same run and the request count, as
//! in `benches/cache.rs`.
//!
//! Figures on the 2-core dev machine (2026-11-23, defaults: 10 tenants × 100 users, 3,500
//! deletions, 50 ms latency, 40 requests/s burst 40 per tenant, per_tenant 4):
//!   bulk engine 8.5–9.3 s, 3.50 requests/user (+0.08–0.11 answered 429), 30–38 tenant pauses;
//!   one-at-a-time measured on an equal job (`LH_BASELINE_USERS=0`) 186.9 s for 3,470 steps;
//!   speed-up 20.3× (23.1× in a run with the 100-user sampled baseline); 1.07–1.17× the lower
//!   bound of 7.9 s that the throttle and latency allow. Planning (live method reads): 2.4 s,
//!   1.00 request/user.
//!
//! What it does: starts the multi-tenant emulator (N customers, 3–4 MFA methods per user,
//! added latency per request, a token bucket per tenant) in a process of its own, so that this
//! process's memory is the engine's and the client's (support/lighthouse_emulator.rs); signs
//! the technician in; plans the reset for every user (live method reads); runs the job with
//! the bulk engine (journal on disk, audit log on disk); then runs the same kind of job one
//! step at a time (per_tenant = global = 1) on fresh users. Reports wall times, requests per
//! user, the speed-up and the lower bound that throttle + latency allow, and how far each
//! process's resident memory rose during each job (issue 18: flat in the number of users).
//!
//! Resident memory also counts what the allocator keeps after a free. For the live heap, run
//! `LH_BASELINE_USERS=5 cargo bench -p resetdesk-providers --bench lighthouse --features dhat-heap`:
//! dhat prints the bytes live at the peak and writes `dhat-heap.json` (allocation sites, for
//! dhat's viewer) in the crate's folder; every run is slower with it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use resetdesk_core::audit::AuditLog;
use resetdesk_core::bulk::{start_job, BulkOptions, Journal};
use resetdesk_core::model::DirectoryUser;
use resetdesk_core::secrets::{MemoryStore, SecretStore};
use resetdesk_providers::entra::http_client;
use resetdesk_providers::lighthouse::job::{reset_all_mfa_job, LighthouseSteps};
use resetdesk_providers::lighthouse::{
    plan_reset_all_mfa, CustomerAccess, LighthouseClient, LighthouseEndpoints, PartnerSession,
    ResetPlan,
};
use resetdesk_sandbox::lighthouse::{seed, LighthouseConfig, Throttle};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[path = "support/proc_status.rs"]
mod proc_status;

#[path = "support/lighthouse_emulator.rs"]
mod lighthouse_emulator;
use lighthouse_emulator::Emulator;

/// The process's resident memory now (VmRSS), in MiB.
fn rss_mib() -> f64 {
    proc_status::status_mib("VmRSS")
}

struct Run {
    wall: Duration,
    /// How far resident memory rose above its level at the job's start (sampled every 20 ms):
    /// the engine's own growth, since the emulator's users and the plan are already in memory.
    rss_growth_mib: f64,
    /// The same, while steps remained (before the report is built).
    rss_growth_steps_mib: f64,
    /// How far the emulator's process's resident memory rose from the job's start to its end
    /// (NaN when the emulator runs in this process: its growth is in `rss_growth_mib`).
    emulator_rss_growth_mib: f64,
    /// With `--features dhat-heap`: how far the live heap rose while the steps ran (the
    /// report built after the last step is not counted: it is the job's result, per user).
    heap_growth_mib: Option<f64>,
    steps: usize,
    users: usize,
    requests: u64,
    throttled: u64,
    pauses: usize,
}

async fn execute(
    sandbox: &Emulator,
    session: &Arc<PartnerSession>,
    customers: &[CustomerAccess],
    plan: &ResetPlan,
    options: BulkOptions,
    dir: &std::path::Path,
    label: &str,
) -> Run {
    let spec = reset_all_mfa_job(plan, "bench", "tech@contosopartners.sandbox", "BENCH").unwrap();
    let journal = Journal::open(dir.join(format!("{label}-jobs.sqlite"))).unwrap();
    let audit = Arc::new(AuditLog::open(dir.join(format!("{label}-audit.jsonl"))).unwrap());
    let job_id = journal.create_job(&spec).unwrap();
    let (counts, emulator_rss_at_start) = sandbox.stats();
    let before = totals(&counts);
    let rss_at_start = rss_mib();
    let heap_at_start = live_heap_now();
    let started = Instant::now();
    let handle = start_job(
        journal,
        &job_id,
        LighthouseSteps::with_customer_check(Arc::clone(session), customers),
        audit,
        options,
    )
    .unwrap();
    // Resident memory, sampled every 20 ms: its peak while steps remain, and its peak until
    // the job's report (a result per user, built after the last step) has been handed over.
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = Arc::clone(&sampling);
        let progress = handle.progress.clone();
        tokio::spawn(async move {
            let (mut while_steps, mut with_report) = (rss_at_start, rss_at_start);
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                let now = rss_mib();
                with_report = with_report.max(now);
                if progress.borrow().remaining > 0 {
                    while_steps = while_steps.max(now);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (while_steps, with_report.max(rss_mib()))
        })
    };
    let heap_sampler = live_heap_peak_while_running(heap_at_start, handle.progress.clone());
    let report = handle.wait().await.unwrap();
    let wall = started.elapsed();
    let heap_growth_mib = heap_sampler
        .await
        .unwrap()
        .map(|(at_start, peak)| (peak.saturating_sub(at_start)) as f64 / 1_048_576.0);
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let (rss_peak_steps, rss_peak) = sampler.await.unwrap();
    let (counts, emulator_rss_at_end) = sandbox.stats();
    let after = totals(&counts);
    assert_eq!(
        report.progress.done,
        spec.steps.len(),
        "{label}: {:?}",
        report.progress
    );
    Run {
        wall,
        rss_growth_steps_mib: rss_peak_steps - rss_at_start,
        rss_growth_mib: rss_peak - rss_at_start,
        emulator_rss_growth_mib: emulator_rss_at_end - emulator_rss_at_start,
        heap_growth_mib,
        steps: spec.steps.len(),
        users: plan.users.len(),
        requests: after.0 - before.0,
        throttled: after.1 - before.1,
        pauses: report.progress.throttle_pauses,
    }
}

/// (admitted, throttled) requests across every tenant.
fn totals(
    counts: &std::collections::HashMap<String, lighthouse_emulator::TenantCount>,
) -> (u64, u64) {
    counts
        .values()
        .fold((0, 0), |acc, c| (acc.0 + c.requests, acc.1 + c.throttled))
}

fn print_run(label: &str, run: &Run) {
    let heap = run
        .heap_growth_mib
        .map(|mib| format!(", live heap +{mib:.1} MiB while the steps ran"))
        .unwrap_or_default();
    let emulator = if run.emulator_rss_growth_mib.is_nan() {
        " (the emulator's included: it runs in this process)".to_string()
    } else {
        format!(
            " (this process: engine and client); the emulator's process +{:.1} MiB",
            run.emulator_rss_growth_mib
        )
    };
    println!(
        "{label:<28} {:>9.2} s  {:>5} users {:>5} steps  {:>6.2} requests/user (+{:.2} answered 429)  {:>4} tenant pauses  memory +{:.1} MiB while the steps ran, +{:.1} MiB with the report{emulator}{heap}",
        run.wall.as_secs_f64(),
        run.users,
        run.steps,
        run.requests as f64 / run.users as f64,
        run.throttled as f64 / run.users as f64,
        run.pauses,
        run.rss_growth_steps_mib,
        run.rss_growth_mib
    );
}

/// With `--features dhat-heap`: the bytes live on the heap now; `None` without the feature.
fn live_heap_now() -> Option<u64> {
    #[cfg(feature = "dhat-heap")]
    return Some(dhat::HeapStats::get().curr_bytes as u64);
    #[cfg(not(feature = "dhat-heap"))]
    None
}

/// The live heap at the job's start and its peak until no step is left (sampled every 5 ms;
/// it ends early if the job's task is gone); `None` without the feature.
fn live_heap_peak_while_running(
    at_start: Option<u64>,
    progress: tokio::sync::watch::Receiver<resetdesk_core::bulk::JobProgress>,
) -> tokio::task::JoinHandle<Option<(u64, u64)>> {
    tokio::spawn(async move {
        let at_start = at_start?;
        let mut peak = at_start;
        while progress.borrow().remaining > 0 && progress.has_changed().is_ok() {
            peak = peak.max(live_heap_now().unwrap_or(0));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Some((at_start, peak))
    })
}

/// With `--features dhat-heap`, every allocation is counted (see the header).
#[cfg(feature = "dhat-heap")]
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let tenants = env("LH_TENANTS", 10) as usize;
    let users_per_tenant = env("LH_USERS_PER_TENANT", 100) as usize;
    let latency = Duration::from_millis(env("LH_LATENCY_MS", 50));
    let rate = env("LH_RATE", 40) as u32;
    let burst = env("LH_BURST", 40) as u32;
    let per_tenant = env("LH_PER_TENANT", 4) as usize;
    let global = env("LH_GLOBAL", 64) as usize;
    let baseline_users = env("LH_BASELINE_USERS", 100) as usize;

    // Baseline users live in the same tenants, after the bulk job's users; one more per tenant,
    // since each tenant's first user is a Global Administrator that neither job may reset.
    let extra = if baseline_users == 0 {
        users_per_tenant
    } else {
        baseline_users.div_ceil(tenants)
    } + 1;
    let config = LighthouseConfig {
        customers: seed::uniform_customers(tenants, users_per_tenant + extra),
        latency,
        throttle: Some(Throttle::new(burst, rate)),
        ..LighthouseConfig::default()
    };
    if std::env::var_os(lighthouse_emulator::CHILD).is_some() {
        // This is the emulator's process (see support/lighthouse_emulator.rs).
        lighthouse_emulator::serve_as_child(config, rss_mib).await;
        return;
    }
    #[cfg(feature = "dhat-heap")]
    let _profiler = dhat::Profiler::new_heap();
    let in_process = std::env::var("LH_EMULATOR").is_ok_and(|v| v == "in-process");
    let sandbox = Emulator::start(config, in_process).await;
    let endpoints = LighthouseEndpoints::new(
        &sandbox.base_url(),
        &sandbox.base_url(),
        &sandbox.client_id(),
        &sandbox.partner_tenant_id(),
    )
    .unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let session = PartnerSession::from_sign_in(
        http_client(),
        endpoints,
        "bench",
        secrets,
        sandbox.sign_in_technician(),
    )
    .await
    .unwrap();
    let client = Arc::new(LighthouseClient::new(Arc::clone(&session)));
    let customers = client.list_customers().await.unwrap();

    // Every user but the first of each tenant (a Global Administrator the Authentication
    // Administrator may not reset) is split: bulk first, baseline after.
    let mut bulk_users: Vec<DirectoryUser> = Vec::new();
    let mut baseline_pool: Vec<DirectoryUser> = Vec::new();
    for customer in &customers {
        let privileged = sandbox.privileged_ids(&customer.display_name);
        let users = client
            .list_users("bench", &customer.tenant_id)
            .await
            .unwrap();
        let plain: Vec<DirectoryUser> = users
            .into_iter()
            .filter(|u| !privileged.contains(&u.id))
            .collect();
        let split = users_per_tenant.min(plain.len());
        bulk_users.extend(plain[..split].iter().cloned());
        baseline_pool.extend(plain[split..].iter().cloned());
    }
    let planning_requests_before = sandbox.total_requests();
    let planned = Instant::now();
    let plan = plan_reset_all_mfa(Arc::clone(&client), &customers, &bulk_users)
        .await
        .unwrap();
    let planning = planned.elapsed();
    let planning_requests = sandbox.total_requests() - planning_requests_before;

    let baseline_targets: Vec<DirectoryUser> = if baseline_users == 0 {
        baseline_pool
    } else {
        baseline_pool.into_iter().take(baseline_users).collect()
    };
    let baseline_plan = plan_reset_all_mfa(Arc::clone(&client), &customers, &baseline_targets)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    // Let every bucket refill after planning.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let bulk = execute(
        &sandbox,
        &session,
        &customers,
        &plan,
        BulkOptions {
            per_tenant,
            global,
            ..BulkOptions::default()
        },
        dir.path(),
        "bulk",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let one = execute(
        &sandbox,
        &session,
        &customers,
        &baseline_plan,
        BulkOptions {
            per_tenant: 1,
            global: 1,
            ..BulkOptions::default()
        },
        dir.path(),
        "one-at-a-time",
    )
    .await;

    // What throttle + latency allow, per tenant: the burst goes at once, the rest at `rate`;
    // and a user's steps are sequential, so never less than the longest user chain.
    let mut per_tenant_steps: std::collections::HashMap<&str, usize> = Default::default();
    for user in &plan.users {
        *per_tenant_steps.entry(user.tenant_id.as_str()).or_default() += user.remove.len();
    }
    let longest_chain = plan.users.iter().map(|u| u.remove.len()).max().unwrap_or(0) as f64;
    let throttle_bound = per_tenant_steps
        .values()
        .map(|&n| (n as f64 - f64::from(burst)).max(0.0) / f64::from(rate))
        .fold(0.0, f64::max);
    let bound = throttle_bound.max(longest_chain * latency.as_secs_f64()) + latency.as_secs_f64();
    // The engine's own cap: at most `global` requests in flight, each taking the latency.
    let global_bound = bulk.steps as f64 * latency.as_secs_f64() / global as f64;
    let one_per_step = one.wall.as_secs_f64() / one.steps as f64;
    let one_extrapolated = one_per_step * bulk.steps as f64;

    println!("Lighthouse bulk reset: {tenants} tenants × {users_per_tenant} users, {} ms latency, throttle {rate}/s burst {burst} per tenant", latency.as_millis());
    println!("bulk options: per_tenant {per_tenant}, global {global}");
    println!(
        "planning (live method reads)  {:>9.2} s  {:>6.2} requests/user",
        planning.as_secs_f64(),
        planning_requests as f64 / plan.users.len() as f64
    );
    print_run("bulk engine", &bulk);
    print_run("one-at-a-time (measured)", &one);
    println!(
        "one-at-a-time for {} steps   {:>9.2} s  ({}extrapolated at {:.1} ms/step)",
        bulk.steps,
        one_extrapolated,
        if baseline_users == 0 {
            "measured on an equal job, "
        } else {
            ""
        },
        one_per_step * 1000.0
    );
    println!(
        "speed-up                      {:>9.1}×",
        one_extrapolated / bulk.wall.as_secs_f64()
    );
    println!(
        "lower bound (throttle+latency) {:>8.2} s  → bulk is {:.2}× the bound",
        bound,
        bulk.wall.as_secs_f64() / bound
    );
    println!(
        "the global cap of {global} in flight allows {:.2} s  → bulk is {:.2}× the larger bound",
        global_bound,
        bulk.wall.as_secs_f64() / bound.max(global_bound)
    );
}
