//! Bulk jobs in the Console, whatever their provider (today Lighthouse's "Reset all
//! multi-factor authentications"): start one from a confirmed plan, watch it, cancel it, and
//! finish a job the app did not (closed or crashed half-way). The engine and its journal are in
//! `bulk`; the executor of a job's steps comes from its session (`seam::JobRunner`). This module
//! keeps the running jobs and shapes what the page shows.
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use super::{lock, Console};
use crate::audit::{AuditLog, AuditRecord};
use crate::audit_forward::AuditForwarder;
use crate::bulk::{
    self, step_audit_record, BulkOptions, JobHandle, JobReport, JobSpec, Journal, StepAudit,
    StepExecutor, StepResult, StepSpec, StepState,
};
use crate::error::{AppError, Result};
use crate::seam::JobRunner;

/// The journal file, in the app's data folder.
const JOURNAL_FILE: &str = "bulk-jobs.db";

/// How old a job may be and still be finished: what its technician confirmed (the users'
/// methods and roles, the customers' GDAP roles) was true when it started, and a day later
/// the operator should review it again rather than finish it blind.
pub const JOB_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

#[derive(Default)]
pub(super) struct BulkJobs {
    journal: Option<Arc<Journal>>,
    running: std::sync::Mutex<HashMap<String, JobHandle>>,
    options: Option<BulkOptions>,
    /// [`JOB_MAX_AGE`] unless a test sets another.
    max_age: Option<std::time::Duration>,
}

/// Each finished step goes to the audit log (and on to the syslog collector, when one is set).
struct JobAudit {
    log: Arc<AuditLog>,
    forwarder: Option<AuditForwarder>,
}

impl StepAudit for JobAudit {
    fn record(&self, job_id: &str, spec: &JobSpec, result: &StepResult) -> Result<()> {
        let record: AuditRecord = step_audit_record(job_id, spec, result);
        let entry = self.log.append(record)?;
        if let Some(forwarder) = &self.forwarder {
            forwarder.forward(&entry);
        }
        Ok(())
    }

    /// Steps finishing together are written with one flush (the bulk job's pace depends on it).
    fn record_many(&self, job_id: &str, spec: &JobSpec, results: &[StepResult]) -> Result<()> {
        let records = results
            .iter()
            .map(|result| step_audit_record(job_id, spec, result))
            .collect();
        let entries = self.log.append_many(records)?;
        if let Some(forwarder) = &self.forwarder {
            for entry in &entries {
                forwarder.forward(entry);
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum BulkJobState {
    Running,
    Finished,
    Cancelled,
    /// The app stopped during the job: what is left can be finished.
    Interrupted,
}

/// One method of one user in a job, as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum BulkStepState {
    /// Not sent yet (a step not run because the job was cancelled stays pending too).
    Pending,
    /// Removed, or found already gone when an uncertain answer was re-checked.
    Deleted,
    /// A hardware OATH token deactivated (it stays assigned to the user), or found inactive.
    Deactivated,
    Refused,
    Failed,
}

/// One user of a job, from the states of their methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum BulkUserState {
    /// Every method removed.
    Done,
    /// Some methods not sent yet.
    Pending,
    /// Some methods not sent, and the job was cancelled.
    Cancelled,
    /// Every method refused.
    Refused,
    /// Some removed, some not.
    Partial,
    Failed,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct BulkMethodResult {
    pub method_id: String,
    pub label: String,
    pub state: BulkStepState,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct BulkUserResult {
    pub tenant_id: String,
    pub customer_name: String,
    pub user_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub state: BulkUserState,
    pub methods: Vec<BulkMethodResult>,
}

/// A job as the page shows it: counts, and a result per user and per method.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct BulkJobView {
    pub id: String,
    /// The action, as its plan and the audit log name it.
    pub label: String,
    pub reason: String,
    pub created_at: String,
    pub state: BulkJobState,
    pub done: usize,
    pub failed: usize,
    pub remaining: usize,
    pub users: Vec<BulkUserResult>,
    pub error: Option<AppError>,
}

impl Console {
    /// Keeps the bulk jobs' journal in `data_dir` (without it, jobs are refused).
    pub fn with_job_journal_dir(mut self, data_dir: impl AsRef<Path>) -> Self {
        match Journal::open(data_dir.as_ref().join(JOURNAL_FILE)) {
            Ok(journal) => self.bulk_jobs.journal = Some(journal),
            Err(e) => tracing::error!(error = %e, "the bulk job journal could not be opened"),
        }
        self
    }

    /// Concurrency and retry limits of bulk jobs (tests and the benchmark).
    pub fn with_bulk_options(mut self, options: BulkOptions) -> Self {
        self.bulk_jobs.options = Some(options);
        self
    }

    /// How old a job may be and still be finished ([`JOB_MAX_AGE`] unless set).
    pub fn with_job_max_age(mut self, age: std::time::Duration) -> Self {
        self.bulk_jobs.max_age = Some(age);
        self
    }

    fn journal(&self) -> Result<Arc<Journal>> {
        self.bulk_jobs.journal.clone().ok_or_else(|| {
            AppError::internal(
                "The bulk job journal is not available, so no job can start (it could not be \
                 opened: see the log).",
            )
        })
    }

    /// What a job's start and resume need first: the managed policy applied, the audit log
    /// writable, its required forwarding keeping up (every job resets MFA), and the journal.
    pub(super) fn job_may_run(&self) -> Result<Arc<Journal>> {
        // No action while the managed policy cannot be applied (see `with_safety_refused`).
        self.safety()?;
        self.audit.ensure_writable()?;
        self.forwarding_keeps_up()?;
        self.journal()
    }

    /// Journals the confirmed job `spec` and starts it on `runner`, the session of the
    /// technician who confirmed it; returns at once. Every step is journalled before it is
    /// sent, so a close or crash half-way loses nothing.
    pub(super) async fn launch_job(
        &self,
        spec: &JobSpec,
        runner: &dyn JobRunner,
    ) -> Result<BulkJobView> {
        let journal = self.journal()?;
        let job_id = journal.create_job(spec)?;
        // A job that could not start (its checks could not be read) is listed as unfinished.
        let executor = runner.executor(&[]).await?;
        self.run_job(&journal, &job_id, executor)?;
        self.job_view_of(&job_id)
    }

    /// Runs a journalled job with `executor`, which checks each step when it is sent.
    fn run_job(
        &self,
        journal: &Arc<Journal>,
        job_id: &str,
        executor: Arc<dyn StepExecutor>,
    ) -> Result<()> {
        let audit = Arc::new(JobAudit {
            log: Arc::clone(&self.audit),
            forwarder: self.forwarder.clone(),
        });
        // The engine's start, which journals each step before it is sent.
        let handle = bulk::start_job(
            Arc::clone(journal),
            job_id,
            executor,
            audit,
            self.bulk_jobs.options.clone().unwrap_or_default(),
        )?;
        lock(&self.bulk_jobs.running)?.insert(job_id.to_string(), handle);
        tracing::info!(job = %job_id, "bulk job started");
        Ok(())
    }

    /// The job as it stands, without checking who asks (for this module's own answers).
    fn job_view_of(&self, job_id: &str) -> Result<BulkJobView> {
        let journal = self.journal()?;
        let spec = journal.job_spec(job_id)?;
        let report = journal.report(job_id)?;
        let running = lock(&self.bulk_jobs.running)?
            .get(job_id)
            .is_some_and(JobHandle::is_running);
        let created_at = journal
            .jobs()?
            .into_iter()
            .find(|j| j.job_id == job_id)
            .map(|j| j.created_at)
            .unwrap_or_default();
        Ok(job_view(job_id, &spec, &report, created_at, running))
    }

    /// What runs the job on the signed-in session of the technician who started it: a job
    /// (its users, their methods) is shown, cancelled and finished by them only.
    async fn job_owner_session(&self, spec: &JobSpec) -> Result<Arc<dyn JobRunner>> {
        self.job_runner_signed_in_as(&spec.connection_id, &spec.operator, || {
            AppError::denied(format!(
                "This job was started by {}; only they can see, cancel or finish it.",
                spec.operator
            ))
        })
        .await
    }

    /// What runs jobs on `connection_id`'s session, signed in as `operator` (the audit log's
    /// name of them); under another sign-in, `not_theirs`.
    pub(super) async fn job_runner_signed_in_as(
        &self,
        connection_id: &str,
        operator: &str,
        not_theirs: impl FnOnce() -> AppError,
    ) -> Result<Arc<dyn JobRunner>> {
        let session = self.seam_session(connection_id).await?;
        if !session
            .owner()
            .operator_label
            .eq_ignore_ascii_case(operator)
        {
            return Err(not_theirs());
        }
        session.job_runner().ok_or_else(|| {
            AppError::internal("This connection is served by a provider that runs no jobs.")
        })
    }

    /// The job as it stands (the page polls this while it runs), for the technician who
    /// started it.
    pub async fn job_status(&self, job_id: &str) -> Result<BulkJobView> {
        let spec = self.journal()?.job_spec(job_id)?;
        self.job_owner_session(&spec).await?;
        self.job_view_of(job_id)
    }

    /// No new step starts; the steps in flight finish and are recorded. The rest can be
    /// finished later (it is listed as unfinished). Only by the technician who started it.
    pub async fn cancel_job(&self, job_id: &str) -> Result<BulkJobView> {
        let journal = self.journal()?;
        let spec = journal.job_spec(job_id)?;
        self.job_owner_session(&spec).await?;
        if let Some(handle) = lock(&self.bulk_jobs.running)?.get(job_id) {
            handle.cancel();
        }
        journal.set_cancelled(job_id, true)?;
        self.job_view_of(job_id)
    }

    /// The signed-in technicians' jobs with steps left that are not running now: after a
    /// close or crash (or a cancel). Another technician's jobs are not listed.
    pub async fn unfinished_jobs(&self) -> Result<Vec<BulkJobView>> {
        let journal = self.journal()?;
        let mut views = Vec::new();
        for summary in journal.unfinished_jobs()? {
            let spec = journal.job_spec(&summary.job_id)?;
            if self.job_owner_session(&spec).await.is_err() {
                continue;
            }
            let view = self.job_view_of(&summary.job_id)?;
            if view.state != BulkJobState::Running {
                views.push(view);
            }
        }
        Ok(views)
    }

    /// Finishes what a job left: its pending steps, and the ones sent but not confirmed
    /// (re-checked against the user's live methods first, so nothing runs twice). Only the
    /// technician who started it, within [`JOB_MAX_AGE`], and with each user's authorization
    /// derived again from their roles now: the journal is a record, not a permission.
    pub async fn resume_job(&self, job_id: &str) -> Result<BulkJobView> {
        let journal = self.job_may_run()?;
        let spec = journal.job_spec(job_id)?;
        let runner = self.job_owner_session(&spec).await?;
        let view = self.job_view_of(job_id)?;
        if view.state == BulkJobState::Running {
            return Err(AppError::invalid_input("This job is running already."));
        }
        let max_age = self.bulk_jobs.max_age.unwrap_or(JOB_MAX_AGE);
        let started = chrono::DateTime::parse_from_rfc3339(&view.created_at)
            .map_err(|_| AppError::internal("The job's start time could not be read."))?;
        let age = chrono::Utc::now().signed_duration_since(started);
        if age.to_std().unwrap_or_default() > max_age {
            return Err(AppError::invalid_input(format!(
                "This job started at {}, more than {} hours ago: what was confirmed then (the \
                 users' methods and roles) may no longer hold. Start the action again to review \
                 the users as they are now.",
                view.created_at,
                max_age.as_secs() / 3600
            )));
        }
        let left: Vec<StepSpec> = journal
            .unfinished_steps(job_id)?
            .into_iter()
            .map(|step| step.spec)
            .collect();
        let executor = runner.executor(&left).await?;
        self.run_job(&journal, job_id, executor)?;
        self.job_view_of(job_id)
    }
}

fn method_state(state: StepState, kind: crate::model::AuthMethodKind) -> BulkStepState {
    match state {
        StepState::Pending | StepState::Started => BulkStepState::Pending,
        StepState::Done if kind == crate::model::AuthMethodKind::HardwareOath => {
            BulkStepState::Deactivated
        }
        StepState::Done => BulkStepState::Deleted,
        StepState::Refused => BulkStepState::Refused,
        StepState::Failed => BulkStepState::Failed,
    }
}

fn job_view(
    job_id: &str,
    spec: &JobSpec,
    report: &JobReport,
    created_at: String,
    running: bool,
) -> BulkJobView {
    let progress = &report.progress;
    let state = if running {
        BulkJobState::Running
    } else if progress.remaining == 0 {
        BulkJobState::Finished
    } else if progress.cancelled {
        BulkJobState::Cancelled
    } else {
        BulkJobState::Interrupted
    };
    let users = report
        .users
        .iter()
        .map(|user| {
            let states: Vec<StepState> = user.methods.iter().map(|m| m.state).collect();
            let all = |s: StepState| states.iter().all(|x| *x == s);
            let user_state = if all(StepState::Done) {
                BulkUserState::Done
            } else if states.iter().any(|s| s.is_unfinished()) {
                if state == BulkJobState::Cancelled {
                    BulkUserState::Cancelled
                } else {
                    BulkUserState::Pending
                }
            } else if all(StepState::Refused) {
                BulkUserState::Refused
            } else if states.contains(&StepState::Done) {
                BulkUserState::Partial
            } else {
                BulkUserState::Failed
            };
            BulkUserResult {
                tenant_id: user.tenant_id.clone(),
                customer_name: user.customer_name.clone(),
                user_id: user.user_id.clone(),
                user_principal_name: user.user_principal_name.clone(),
                // A journal from before names were kept has none: the sign-in name, then.
                display_name: if user.display_name.is_empty() {
                    user.user_principal_name.clone()
                } else {
                    user.display_name.clone()
                },
                state: user_state,
                methods: user
                    .methods
                    .iter()
                    .map(|m| BulkMethodResult {
                        method_id: m.step.method.id.clone(),
                        label: m.step.method.label.clone(),
                        state: method_state(m.state, m.step.method.kind),
                        message: m.message.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    BulkJobView {
        id: job_id.to_string(),
        label: spec.action.clone(),
        reason: spec.reason.clone(),
        created_at,
        state,
        done: progress.done,
        failed: progress.failed,
        remaining: progress.remaining,
        users,
        error: report.error.clone(),
    }
}
