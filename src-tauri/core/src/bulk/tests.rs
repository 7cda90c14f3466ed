//! The engine with a scripted executor (no HTTP): the journal says `started` before a step
//! is sent, uncertain answers are settled by a live re-check, and bad input is refused.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::*;
use crate::model::{AuthMethod, AuthMethodKind};

fn method(id: &str) -> AuthMethod {
    AuthMethod {
        id: id.into(),
        kind: AuthMethodKind::SoftwareOath,
        label: "Software OATH token".into(),
        detail: None,
        phone_type: None,
        is_default: false,
        status: None,
        created: None,
    }
}

fn spec(methods: &[&str]) -> JobSpec {
    JobSpec {
        connection_id: "c".into(),
        operator: "op".into(),
        action: "test".into(),
        reason: "INC-1".into(),
        steps: methods
            .iter()
            .map(|id| StepSpec {
                tenant_id: "t1".into(),
                customer_name: "T1".into(),
                user_id: "u1".into(),
                user_principal_name: "u1@t1".into(),
                display_name: "User One".into(),
                method: method(id),
            })
            .collect(),
        approval: None,
        safety_class: None,
    }
}

/// Answers from a script per method id; records the journal state seen at each send.
struct Scripted {
    journal: Arc<Journal>,
    job_id: Mutex<String>,
    script: Mutex<HashMap<String, VecDeque<Attempt>>>,
    present: Mutex<HashMap<String, bool>>,
    sends: Mutex<Vec<(String, StepState)>>,
}

#[async_trait]
impl StepExecutor for Scripted {
    async fn run(&self, step: &StepSpec) -> Attempt {
        let job_id = self.job_id.lock().unwrap().clone();
        let state = self
            .journal
            .steps(&job_id)
            .unwrap()
            .into_iter()
            .find(|s| s.step.method.id == step.method.id)
            .unwrap()
            .state;
        self.sends
            .lock()
            .unwrap()
            .push((step.method.id.clone(), state));
        self.script
            .lock()
            .unwrap()
            .get_mut(&step.method.id)
            .and_then(VecDeque::pop_front)
            .unwrap_or(Attempt::Deleted { request_id: None })
    }
    async fn still_present(&self, step: &StepSpec) -> Result<bool, Attempt> {
        Ok(*self
            .present
            .lock()
            .unwrap()
            .get(&step.method.id)
            .unwrap_or(&true))
    }
}

struct NoAudit;
impl StepAudit for NoAudit {
    fn record(&self, _: &str, _: &JobSpec, _: &StepResult) -> crate::error::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn uncertain_answers_are_settled_by_a_live_check_and_started_is_journalled_first() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path().join("j.sqlite")).unwrap();
    let job_id = journal
        .create_job(&spec(&["gone", "still-there", "plain"]))
        .unwrap();
    let ambiguous = || Attempt::Ambiguous {
        message: "timeout".into(),
    };
    let executor = Arc::new(Scripted {
        journal: Arc::clone(&journal),
        job_id: Mutex::new(job_id.clone()),
        script: Mutex::new(HashMap::from([
            ("gone".to_string(), VecDeque::from([ambiguous()])),
            ("still-there".to_string(), VecDeque::from([ambiguous()])),
        ])),
        present: Mutex::new(HashMap::from([
            ("gone".to_string(), false),
            ("still-there".to_string(), true),
        ])),
        sends: Mutex::new(Vec::new()),
    });
    let report = start_job(
        Arc::clone(&journal),
        &job_id,
        executor.clone(),
        Arc::new(NoAudit),
        BulkOptions::default(),
    )
    .unwrap()
    .wait()
    .await
    .unwrap();
    assert_eq!(report.progress.done, 3);
    let sends = executor.sends.lock().unwrap().clone();
    // Every send happened with the step already journalled as started.
    assert!(sends.iter().all(|(_, state)| *state == StepState::Started));
    let count = |id: &str| sends.iter().filter(|(m, _)| m == id).count();
    assert_eq!(count("gone"), 1, "verified gone: not sent again");
    assert_eq!(count("still-there"), 2, "verified still there: sent again");
    assert_eq!(count("plain"), 1);
    let gone = &report.users[0].methods[0];
    assert!(gone
        .message
        .as_deref()
        .unwrap()
        .contains("Verified removed"));
}

#[tokio::test]
async fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path().join("j.sqlite")).unwrap();
    let empty = journal.create_job(&spec(&[])).unwrap_err();
    assert_eq!(empty.kind, crate::ErrorKind::InvalidInput);
    let mut no_reason = spec(&["m"]);
    no_reason.reason = "  ".into();
    assert_eq!(
        journal.create_job(&no_reason).unwrap_err().kind,
        crate::ErrorKind::InvalidInput
    );
    let unknown = start_job(
        Arc::clone(&journal),
        "no-such-job",
        Arc::new(Scripted {
            journal: Arc::clone(&journal),
            job_id: Mutex::new(String::new()),
            script: Mutex::new(HashMap::new()),
            present: Mutex::new(HashMap::new()),
            sends: Mutex::new(Vec::new()),
        }),
        Arc::new(NoAudit),
        BulkOptions::default(),
    )
    .unwrap_err();
    assert_eq!(unknown.kind, crate::ErrorKind::NotFound);
    let job = journal.create_job(&spec(&["m"])).unwrap();
    let zero = BulkOptions {
        per_tenant: 0,
        ..BulkOptions::default()
    };
    let refused = start_job(
        Arc::clone(&journal),
        &job,
        Arc::new(Scripted {
            journal: Arc::clone(&journal),
            job_id: Mutex::new(job.clone()),
            script: Mutex::new(HashMap::new()),
            present: Mutex::new(HashMap::new()),
            sends: Mutex::new(Vec::new()),
        }),
        Arc::new(NoAudit),
        zero,
    )
    .unwrap_err();
    assert_eq!(refused.kind, crate::ErrorKind::InvalidInput);
}

/// The journal names customers' users: its file and SQLite's -wal/-shm beside it are the
/// operator's only.
#[cfg(unix)]
#[test]
fn the_journal_files_are_private_to_the_operator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs").join("journal.sqlite");
    let journal = Journal::open(&path).unwrap();
    drop(journal);
    crate::private_file::assert_every_file_private(path.parent().unwrap(), &path);
}

/// Holds every step until the test opens the gate, and keeps the most steps seen in flight:
/// in all, per tenant and per user.
struct Gated {
    gate: tokio::sync::Semaphore,
    in_flight: Mutex<Flight>,
}

#[derive(Default)]
struct Flight {
    now: usize,
    most: usize,
    per_tenant: HashMap<String, usize>,
    most_per_tenant: HashMap<String, usize>,
    per_user: HashMap<String, usize>,
    most_per_user: usize,
    order: Vec<String>,
}

#[async_trait]
impl StepExecutor for Gated {
    async fn run(&self, step: &StepSpec) -> Attempt {
        {
            let mut f = self.in_flight.lock().unwrap();
            f.now += 1;
            f.most = f.most.max(f.now);
            let tenant = f.per_tenant.entry(step.tenant_id.clone()).or_default();
            *tenant += 1;
            let tenant_now = *tenant;
            let most = f.most_per_tenant.entry(step.tenant_id.clone()).or_default();
            *most = (*most).max(tenant_now);
            let user = f.per_user.entry(step.user_id.clone()).or_default();
            *user += 1;
            let user_now = *user;
            f.most_per_user = f.most_per_user.max(user_now);
            f.order.push(step.method.id.clone());
        }
        self.gate.acquire().await.unwrap().forget();
        let mut f = self.in_flight.lock().unwrap();
        f.now -= 1;
        *f.per_tenant.get_mut(&step.tenant_id).unwrap() -= 1;
        *f.per_user.get_mut(&step.user_id).unwrap() -= 1;
        Attempt::Deleted { request_id: None }
    }
    async fn still_present(&self, _: &StepSpec) -> Result<bool, Attempt> {
        Ok(true)
    }
}

#[tokio::test]
async fn at_most_per_tenant_users_of_a_tenant_and_global_in_all_run_at_once_each_user_in_order() {
    // 3 tenants × 4 users × 2 methods, in plan order tenant by tenant.
    let mut job = spec(&[]);
    for tenant in ["t1", "t2", "t3"] {
        for user in 1..=4 {
            for method_no in 1..=2 {
                job.steps.push(StepSpec {
                    tenant_id: tenant.into(),
                    customer_name: tenant.to_uppercase(),
                    user_id: format!("{tenant}-u{user}"),
                    user_principal_name: format!("u{user}@{tenant}"),
                    display_name: format!("User {user} of {tenant}"),
                    method: method(&format!("{tenant}-u{user}-m{method_no}")),
                });
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path().join("j.sqlite")).unwrap();
    let job_id = journal.create_job(&job).unwrap();
    let executor = Arc::new(Gated {
        gate: tokio::sync::Semaphore::new(0),
        in_flight: Mutex::default(),
    });
    let options = BulkOptions {
        per_tenant: 2,
        global: 5,
        ..BulkOptions::default()
    };
    let handle = start_job(
        Arc::clone(&journal),
        &job_id,
        executor.clone(),
        Arc::new(NoAudit),
        options,
    )
    .unwrap();
    // Nothing finishes until the gate opens: the engine fills every slot it may, and no more.
    let in_flight = || executor.in_flight.lock().unwrap().now;
    let waited = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while in_flight() < 5 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "5 steps in flight (global cap) were never reached: {}",
        in_flight()
    );
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        in_flight(),
        5,
        "the global cap holds while every step waits"
    );
    executor.gate.add_permits(1000);
    let report = handle.wait().await.unwrap();
    assert_eq!(report.progress.done, 24);
    let flight = executor.in_flight.lock().unwrap();
    assert_eq!(flight.most, 5, "never more than `global` in flight");
    for tenant in ["t1", "t2", "t3"] {
        assert!(
            flight.most_per_tenant[tenant] <= 2,
            "{tenant}: {} users at once, more than per_tenant",
            flight.most_per_tenant[tenant]
        );
    }
    assert_eq!(flight.most_per_user, 1, "a user's steps one after another");
    for tenant in ["t1", "t2", "t3"] {
        for user in 1..=4 {
            let at = |m: u8| {
                let id = format!("{tenant}-u{user}-m{m}");
                flight.order.iter().position(|o| *o == id).unwrap()
            };
            assert!(at(1) < at(2), "{tenant}-u{user}: plan order within a user");
        }
    }
}

#[test]
fn the_journal_groups_unfinished_steps_by_user_and_counts_states_without_reading_steps() {
    // Interleaved users, the same tenant written in two cases: one queue per user.
    let mut job = spec(&["a1", "b1", "a2"]);
    job.steps[1].user_id = "u2".into();
    job.steps[2].tenant_id = "T1".into();
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path().join("j.sqlite")).unwrap();
    let job_id = journal.create_job(&job).unwrap();
    let queues = |journal: &Journal| {
        journal
            .unfinished_by_user(&job_id)
            .unwrap()
            .into_iter()
            .map(|q| (q.tenant, q.steps))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        queues(&journal),
        vec![("t1".to_string(), vec![0, 2]), ("t1".to_string(), vec![1])]
    );
    let first = journal.stored_step(&job_id, 0).unwrap();
    assert_eq!(
        (first.spec.method.id.as_str(), first.state),
        ("a1", StepState::Pending)
    );
    journal.mark_started(&job_id, 2).unwrap();
    journal
        .finish(
            &StepResult {
                index: 0,
                step: first.spec,
                state: StepState::Done,
                message: None,
                request_id: None,
            },
            &job_id,
        )
        .unwrap();
    assert_eq!(
        queues(&journal),
        vec![("t1".to_string(), vec![1]), ("t1".to_string(), vec![2])],
        "users by their first step left; a started step is still to run (re-checked first)"
    );
    assert_eq!(
        journal.stored_step(&job_id, 2).unwrap().state,
        StepState::Started
    );
    let counted = journal.progress(&job_id).unwrap();
    assert_eq!(
        (
            counted.total,
            counted.done,
            counted.failed,
            counted.remaining
        ),
        (3, 1, 0, 2)
    );
    assert!(!counted.finished && !counted.cancelled);
    assert_eq!(journal.report(&job_id).unwrap().progress, counted);
    assert!(journal.stored_step(&job_id, 3).is_err(), "no such step");
    assert!(journal.job_header("no-such-job").is_err());
    assert!(journal.job_header(&job_id).unwrap().steps.is_empty());
}

#[test]
fn the_report_names_each_user_as_the_plan_did_and_an_older_journals_steps_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path().join("j.sqlite")).unwrap();
    let job_id = journal.create_job(&spec(&["a1", "a2"])).unwrap();
    let report = journal.report(&job_id).unwrap();
    assert_eq!(report.users.len(), 1);
    assert_eq!(report.users[0].display_name, "User One");
    assert_eq!(report.users[0].user_principal_name, "u1@t1");

    // A step as a journal written before names were kept stored it: no displayName.
    let mut older = serde_json::to_value(&spec(&["a1"]).steps[0]).unwrap();
    older.as_object_mut().unwrap().remove("displayName");
    let read: StepSpec = serde_json::from_value(older).unwrap();
    assert_eq!(read.display_name, "");
    assert_eq!(read.user_principal_name, "u1@t1");
}
