//! The bulk engine running "Reset all MFAs" against the multi-tenant emulator: a whole job,
//! a customer refusing mid-job, crash and resume, cancel and finish, a throttling storm.
//! The emulator counts every deletion per (tenant, user, method): "exactly once" is checked
//! there, not in the engine's own report.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use resetdesk_core::audit::AuditLog;
use resetdesk_core::bulk::{
    start_job, Attempt, BulkOptions, JobSpec, Journal, StepAudit, StepExecutor, StepResult,
    StepSpec, StepState,
};
use resetdesk_core::model::DirectoryUser;
use resetdesk_core::secrets::{MemoryStore, SecretStore};
use resetdesk_providers::lighthouse::job::{reset_all_mfa_job, LighthouseSteps};
use resetdesk_providers::lighthouse::{
    plan_reset_all_mfa, CustomerAccess, LighthouseClient, LighthouseEndpoints, PartnerSession,
};
use resetdesk_sandbox::lighthouse::{LighthouseConfig, LighthouseSandbox, Throttle};

const CONNECTION: &str = "lighthouse-bulk";
const RESETTABLE: [&str; 3] = ["Fabrikam", "Northwind Traders", "Woodgrove Bank"];

struct Fixture {
    sandbox: LighthouseSandbox,
    session: Arc<PartnerSession>,
    customers: Vec<CustomerAccess>,
    spec: JobSpec,
    journal: Arc<Journal>,
    journal_path: std::path::PathBuf,
    job_id: String,
    _dir: tempfile::TempDir,
}

/// Non-admin users only (no admin role, no role-assignable group): the Authentication
/// Administrator customers would refuse them.
async fn fixture(config: LighthouseConfig) -> Fixture {
    fixture_with(config, false).await
}

async fn fixture_with(config: LighthouseConfig, include_admins: bool) -> Fixture {
    let sandbox = LighthouseSandbox::start(config).await.unwrap();
    let endpoints = LighthouseEndpoints::new(
        &sandbox.base_url(),
        &sandbox.base_url(),
        &sandbox.client_id(),
        &sandbox.partner_tenant_id(),
    )
    .unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let session = PartnerSession::from_sign_in(
        reqwest::Client::new(),
        endpoints,
        CONNECTION,
        secrets,
        sandbox.sign_in_technician(),
    )
    .await
    .unwrap();
    let client = Arc::new(LighthouseClient::new(Arc::clone(&session)));
    let customers = client.list_customers().await.unwrap();
    let mut targets: Vec<DirectoryUser> = Vec::new();
    for name in RESETTABLE {
        let customer = customers.iter().find(|c| c.display_name == name).unwrap();
        let seeded = sandbox.customer_by_name(name).unwrap();
        let users = client
            .list_users(CONNECTION, &customer.tenant_id)
            .await
            .unwrap();
        targets.extend(users.into_iter().filter(|u| {
            include_admins
                || !seeded
                    .users
                    .iter()
                    .any(|s| s.id == u.id && (s.privileged || s.in_role_assignable_group))
        }));
    }
    let plan = plan_reset_all_mfa(client, &customers, &targets)
        .await
        .unwrap();
    let spec = reset_all_mfa_job(
        &plan,
        CONNECTION,
        "tech@contosopartners.sandbox",
        "INC-4242",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("jobs.sqlite");
    let journal = Journal::open(&journal_path).unwrap();
    let job_id = journal.create_job(&spec).unwrap();
    Fixture {
        sandbox,
        session,
        customers,
        spec,
        journal,
        journal_path,
        job_id,
        _dir: dir,
    }
}

/// Collects audit records in memory.
#[derive(Default)]
struct Recorded(Mutex<Vec<StepResult>>);

impl StepAudit for Recorded {
    fn record(
        &self,
        _job: &str,
        _spec: &JobSpec,
        result: &StepResult,
    ) -> resetdesk_core::error::Result<()> {
        self.0.lock().unwrap().push(result.clone());
        Ok(())
    }
}

fn tenant_of(sandbox: &LighthouseSandbox, name: &str) -> String {
    sandbox.customer_by_name(name).unwrap().tenant_id
}

/// Every planned method was deleted (a hardware OATH token deactivated) exactly once, and no
/// DELETE hit a method already gone.
fn assert_each_deleted_once(fixture: &Fixture, steps: &[&StepSpec]) {
    for step in steps {
        let (tenant, user, method) = (&step.tenant_id, &step.user_id, &step.method.id);
        let times = if step.method.kind == resetdesk_core::model::AuthMethodKind::HardwareOath {
            fixture.sandbox.deactivations_of(tenant, user, method)
        } else {
            fixture.sandbox.deletions_of(tenant, user, method)
        };
        assert_eq!(
            times, 1,
            "{} {}",
            step.user_principal_name, step.method.label
        );
    }
    assert_eq!(
        fixture.sandbox.deletions_of_missing_methods(),
        0,
        "a step was repeated"
    );
}

#[tokio::test]
async fn a_whole_job_removes_every_method_once_and_audits_each_step_with_its_customer() {
    let f = fixture(LighthouseConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = Arc::new(AuditLog::open(dir.path().join("audit.jsonl")).unwrap());
    let handle = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        audit.clone(),
        BulkOptions::default(),
    )
    .unwrap();
    let mut progress = handle.progress.clone();
    let report = handle.wait().await.unwrap();
    assert_eq!(report.progress.total, f.spec.steps.len());
    assert_eq!(report.progress.done, f.spec.steps.len());
    assert_eq!((report.progress.failed, report.progress.remaining), (0, 0));
    assert!(progress.borrow_and_update().finished);
    assert_each_deleted_once(&f, &f.spec.steps.iter().collect::<Vec<_>>());
    // 13 users (6 per customer less the admin, and less the role-assignable group member in
    // Fabrikam and Woodgrove), 3–4 methods each.
    assert_eq!(report.users.len(), 13);

    let entries = audit.list(10_000).unwrap();
    assert_eq!(entries.len(), f.spec.steps.len());
    for entry in &entries {
        assert_eq!(entry.record.action, "lighthouse.resetAllMfa");
        assert_eq!(entry.record.plan_id.as_deref(), Some(f.job_id.as_str()));
        assert_eq!(entry.record.reason, "INC-4242");
        let step = f
            .spec
            .steps
            .iter()
            .find(|s| s.user_id == entry.record.target_id)
            .unwrap();
        assert_eq!(
            entry.record.tenant_id, step.tenant_id,
            "the customer tenant"
        );
    }
    assert!(audit.verify().ok);
}

#[tokio::test]
async fn a_customer_refusing_mid_job_leaves_the_others_done_and_reports_the_refused() {
    let f = fixture(LighthouseConfig::default()).await;
    let northwind = tenant_of(&f.sandbox, "Northwind Traders");
    f.sandbox.refuse_after_deletions(&northwind, 5);
    let audit = Arc::new(Recorded::default());
    let handle = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        audit.clone(),
        BulkOptions::default(),
    )
    .unwrap();
    let report = handle.wait().await.unwrap();

    let (north, others): (Vec<&StepSpec>, Vec<&StepSpec>) =
        f.spec.steps.iter().partition(|s| s.tenant_id == northwind);
    assert_each_deleted_once(&f, &others);
    let results: Vec<&StepResult> = report.users.iter().flat_map(|u| &u.methods).collect();
    for result in &results {
        if result.step.tenant_id != northwind {
            assert_eq!(result.state, StepState::Done, "{result:?}");
        }
    }
    let north_done = results
        .iter()
        .filter(|r| r.step.tenant_id == northwind && r.state == StepState::Done)
        .count();
    let north_refused: Vec<&&StepResult> = results
        .iter()
        .filter(|r| r.step.tenant_id == northwind && r.state == StepState::Refused)
        .collect();
    assert_eq!(north_done, 5);
    assert_eq!(north_refused.len(), north.len() - 5);
    assert!(north_refused[0]
        .message
        .as_deref()
        .unwrap()
        .contains("insufficient privileges"));
    assert_eq!(report.progress.failed, north.len() - 5);
    assert_eq!(report.progress.remaining, 0);
    assert_eq!(
        audit.0.lock().unwrap().len(),
        f.spec.steps.len(),
        "every step audited"
    );
}

/// Sends like the real executor, but after `limit` deletions it deletes and then never
/// answers: the app "crashes" with steps applied but not confirmed in the journal.
struct CrashAfter {
    inner: Arc<LighthouseSteps>,
    deletions: AtomicUsize,
    limit: usize,
}

#[async_trait]
impl StepExecutor for CrashAfter {
    async fn run(&self, step: &StepSpec) -> Attempt {
        let attempt = self.inner.run(step).await;
        if self.deletions.fetch_add(1, Ordering::SeqCst) + 1 >= self.limit {
            std::future::pending::<()>().await;
        }
        attempt
    }
    async fn still_present(&self, step: &StepSpec) -> Result<bool, Attempt> {
        self.inner.still_present(step).await
    }
}

#[tokio::test]
async fn crash_half_way_then_resume_runs_no_step_twice_and_skips_none() {
    let f = fixture(LighthouseConfig::default()).await;
    let total = f.spec.steps.len();
    let crashing = Arc::new(CrashAfter {
        inner: LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        deletions: AtomicUsize::new(0),
        limit: total / 2,
    });
    let handle = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        crashing.clone(),
        Arc::new(Recorded::default()),
        BulkOptions::default(),
    )
    .unwrap();
    // Wait until the crash point was reached (every worker is then hung), then kill it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while crashing.deletions.load(Ordering::SeqCst) < total / 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the job never reached half-way"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    handle.abort();
    let _ = handle.wait().await;

    // On the next start (a journal opened anew): what was done and what is left.
    let journal = Journal::open(&f.journal_path).unwrap();
    let unfinished = journal.unfinished_jobs().unwrap();
    assert_eq!(unfinished.len(), 1);
    let before = &unfinished[0].progress;
    assert!(before.done > 0 && before.remaining > 0, "{before:?}");
    let started = journal
        .steps(&f.job_id)
        .unwrap()
        .iter()
        .filter(|s| s.state == StepState::Started)
        .count();
    assert!(started > 0, "some steps were applied but not confirmed");

    let handle = start_job(
        Arc::clone(&journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        Arc::new(Recorded::default()),
        BulkOptions::default(),
    )
    .unwrap();
    let report = handle.wait().await.unwrap();
    assert_eq!(report.progress.done, total);
    assert_eq!(report.progress.remaining, 0);
    assert_each_deleted_once(&f, &f.spec.steps.iter().collect::<Vec<_>>());
    let verified = report
        .users
        .iter()
        .flat_map(|u| &u.methods)
        .filter(|r| {
            r.message
                .as_deref()
                .is_some_and(|m| m.contains("not sent again"))
        })
        .count();
    assert_eq!(
        verified, started,
        "each unconfirmed step was checked, not re-sent"
    );
    assert!(journal.unfinished_jobs().unwrap().is_empty());
}

#[tokio::test]
async fn cancel_stops_new_steps_and_finishing_later_completes_the_rest() {
    let config = LighthouseConfig {
        latency: Duration::from_millis(20),
        ..LighthouseConfig::default()
    };
    let f = fixture(config).await;
    let options = BulkOptions {
        per_tenant: 1,
        ..BulkOptions::default()
    };
    let handle = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        Arc::new(Recorded::default()),
        options.clone(),
    )
    .unwrap();
    let mut progress = handle.progress.clone();
    progress.wait_for(|p| p.done >= 6).await.unwrap();
    handle.cancel();
    let report = handle.wait().await.unwrap();
    assert!(report.progress.cancelled);
    assert!(report.progress.remaining > 0, "{:?}", report.progress);
    assert_eq!(
        report.progress.done + report.progress.remaining,
        f.spec.steps.len()
    );

    let handle = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        Arc::new(Recorded::default()),
        options,
    )
    .unwrap();
    let report = handle.wait().await.unwrap();
    assert!(!report.progress.cancelled);
    assert_eq!(report.progress.done, f.spec.steps.len());
    assert_each_deleted_once(&f, &f.spec.steps.iter().collect::<Vec<_>>());
}

#[tokio::test]
async fn a_throttling_storm_finishes_correctly_and_every_retry_after_is_honoured() {
    let f = fixture(LighthouseConfig::default()).await;
    // A tiny bucket in every customer: most requests are answered 429 at first.
    f.sandbox.set_throttle(Some(Throttle::new(3, 6)));
    let options = BulkOptions {
        per_tenant: 5,
        ..BulkOptions::default()
    };
    let handle = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        Arc::new(Recorded::default()),
        options,
    )
    .unwrap();
    let report = handle.wait().await.unwrap();
    assert_eq!(
        report.progress.done,
        f.spec.steps.len(),
        "{:?}",
        report.progress
    );
    assert!(report.progress.throttle_pauses > 0);
    assert_each_deleted_once(&f, &f.spec.steps.iter().collect::<Vec<_>>());
    for name in RESETTABLE {
        let stats = f.sandbox.stats(&tenant_of(&f.sandbox, name));
        assert!(stats.throttled > 0, "{name}: {stats:?}");
        assert_eq!(
            stats.early_retries, 0,
            "{name} was retried before its Retry-After: {stats:?}"
        );
    }
}

/// Records when each step finished.
#[derive(Default)]
struct Timed(Mutex<Vec<(std::time::Instant, StepResult)>>);

impl StepAudit for Timed {
    fn record(
        &self,
        _job: &str,
        _spec: &JobSpec,
        result: &StepResult,
    ) -> resetdesk_core::error::Result<()> {
        self.0
            .lock()
            .unwrap()
            .push((std::time::Instant::now(), result.clone()));
        Ok(())
    }
}

#[tokio::test]
async fn a_throttled_tenant_pauses_only_itself() {
    let f = fixture(LighthouseConfig::default()).await;
    let fabrikam = tenant_of(&f.sandbox, "Fabrikam");
    f.sandbox
        .set_tenant_throttle(&fabrikam, Some(Throttle::new(4, 4)));
    let audit = Arc::new(Timed::default());
    let started = std::time::Instant::now();
    let handle = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        audit.clone(),
        BulkOptions::default(),
    )
    .unwrap();
    let report = handle.wait().await.unwrap();
    assert_eq!(report.progress.done, f.spec.steps.len());
    let finished = audit.0.lock().unwrap();
    let last = |in_fabrikam: bool| {
        finished
            .iter()
            .filter(|(_, r)| (r.step.tenant_id == fabrikam) == in_fabrikam)
            .map(|(at, _)| at.duration_since(started))
            .max()
            .unwrap()
    };
    // Fabrikam waits out Retry-After pauses (1 s each); the others never wait for it and
    // finish long before (relative, so a loaded machine does not make it flaky).
    let (fabrikam_last, others_last) = (last(true), last(false));
    assert!(fabrikam_last >= Duration::from_secs(1), "{fabrikam_last:?}");
    assert!(
        others_last * 2 < fabrikam_last,
        "{others_last:?} vs {fabrikam_last:?}"
    );
    assert!(f.sandbox.stats(&fabrikam).throttled > 0);
    assert_eq!(f.sandbox.stats(&fabrikam).early_retries, 0);
    for other in ["Northwind Traders", "Woodgrove Bank"] {
        assert_eq!(f.sandbox.stats(&tenant_of(&f.sandbox, other)).throttled, 0);
    }
}

#[tokio::test]
async fn entra_target_rules_apply_in_each_customer() {
    // Each customer's first user is a Global Administrator, and Fabrikam's and Woodgrove's
    // second is in a role-assignable group. In Fabrikam and Northwind the technician is an
    // Authentication Administrator (refused for both kinds); in Woodgrove a Privileged
    // Authentication Administrator (allowed).
    let f = fixture_with(LighthouseConfig::default(), true).await;
    let handle = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        Arc::new(Recorded::default()),
        BulkOptions::default(),
    )
    .unwrap();
    let report = handle.wait().await.unwrap();
    let mut protected_seen = 0;
    for name in RESETTABLE {
        let seeded = f.sandbox.customer_by_name(name).unwrap();
        let protected: Vec<&str> = seeded
            .users
            .iter()
            .filter(|u| u.privileged || u.in_role_assignable_group)
            .map(|u| u.id.as_str())
            .collect();
        protected_seen += protected.len();
        let expected = if name == "Woodgrove Bank" {
            StepState::Done
        } else {
            StepState::Refused
        };
        for user in report
            .users
            .iter()
            .filter(|u| u.tenant_id == seeded.tenant_id)
        {
            let state = if protected.contains(&user.user_id.as_str()) {
                expected
            } else {
                StepState::Done
            };
            assert!(
                user.methods.iter().all(|m| m.state == state),
                "{name}: {user:?}"
            );
        }
    }
    assert_eq!(
        protected_seen, 5,
        "three admins, two role-assignable group members"
    );
}

#[tokio::test]
async fn a_job_runs_once_at_a_time_and_forged_steps_are_refused_before_sending() {
    let mut f = fixture(LighthouseConfig::default()).await;
    let handle = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        Arc::new(Recorded::default()),
        BulkOptions::default(),
    )
    .unwrap();
    let second = start_job(
        Arc::clone(&f.journal),
        &f.job_id,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        Arc::new(Recorded::default()),
        BulkOptions::default(),
    );
    assert!(second.is_err(), "the same job must not run twice at once");
    handle.wait().await.unwrap();

    // A job naming a user of Tailspin Toys (Helpdesk Administrator only), as a forged
    // request could: refused by our own check, nothing sent to the customer.
    let tailspin = f.sandbox.customer_by_name("Tailspin Toys").unwrap();
    let victim = &tailspin.users[1];
    let mut forged = f.spec.steps[0].clone();
    forged.tenant_id = tailspin.tenant_id.clone();
    forged.user_id = victim.id.clone();
    f.spec.steps = vec![forged];
    let job = f.journal.create_job(&f.spec).unwrap();
    let requests_before = f.sandbox.stats(&tailspin.tenant_id).requests;
    let report = start_job(
        Arc::clone(&f.journal),
        &job,
        LighthouseSteps::with_customer_check(Arc::clone(&f.session), &f.customers),
        Arc::new(Recorded::default()),
        BulkOptions::default(),
    )
    .unwrap()
    .wait()
    .await
    .unwrap();
    let result = &report.users[0].methods[0];
    assert_eq!(result.state, StepState::Refused);
    assert!(result.message.as_deref().unwrap().starts_with("Not sent"));
    assert_eq!(
        f.sandbox.stats(&tailspin.tenant_id).requests,
        requests_before
    );
}
