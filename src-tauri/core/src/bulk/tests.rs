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
                method: method(id),
            })
            .collect(),
        approval: None,
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
