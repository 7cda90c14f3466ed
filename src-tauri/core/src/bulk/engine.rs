//! Runs the unfinished steps of a journalled job. Starting and resuming are the same call:
//! the journal says what is left.
//!
//! What it keeps in memory: each unfinished user's step indices; a step is read from the
//! journal when it runs (the journal, not RAM, holds the plan). Concurrency: `per_tenant`
//! workers per tenant take its users one at a time (a user's steps run in order, by one
//! worker), each holding one of the job's `global` permits per user. Throttling: a 429/503
//! sets the tenant's gate to "paused until now + Retry-After" and every worker of that tenant
//! waits at the gate before its next request; other tenants go on. Cancel: no new step
//! starts; steps in flight finish and are recorded; the rest stay `pending` (resumable).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::journal::{Journal, StoredStep, UserQueue};
use super::{Attempt, JobProgress, JobReport, JobSpec, StepExecutor, StepResult, StepState};
use crate::audit::{AuditLog, AuditOutcome, AuditRecord};
use crate::error::{AppError, Result};
use crate::model::{Outcome, StepStatus};

#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Users worked on at once in one tenant.
    pub per_tenant: usize,
    /// Users worked on at once in the whole job.
    pub global: usize,
    /// Retry-After pauses one step may wait through before it is reported as throttled.
    pub max_throttle_waits: usize,
    /// Re-sends of a step whose outcome was unknown and whose method is still there.
    pub max_ambiguous_retries: usize,
    /// A throttled answer without Retry-After waits this long.
    pub default_retry_after: Duration,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            per_tenant: 4,
            global: 32,
            max_throttle_waits: 30,
            max_ambiguous_retries: 2,
            default_retry_after: Duration::from_secs(2),
        }
    }
}

/// Where each finished step is recorded (the audit log in the app; a list in tests).
pub trait StepAudit: Send + Sync {
    fn record(&self, job_id: &str, spec: &JobSpec, result: &StepResult) -> Result<()>;

    /// Several steps at once (steps finishing together are written with one flush).
    fn record_many(&self, job_id: &str, spec: &JobSpec, results: &[StepResult]) -> Result<()> {
        results
            .iter()
            .try_for_each(|result| self.record(job_id, spec, result))
    }
}

/// The audit entry of one finished step: the job id as plan id, the customer tenant as
/// `tenant_id`, the method removed (or why not).
pub fn step_audit_record(job_id: &str, spec: &JobSpec, result: &StepResult) -> AuditRecord {
    let step = &result.step;
    let (outcome, status) = match result.state {
        StepState::Done => (AuditOutcome::Succeeded, StepStatus::Succeeded),
        StepState::Refused => (AuditOutcome::Refused, StepStatus::Refused),
        _ => (AuditOutcome::Failed, StepStatus::Failed),
    };
    let verb = if step.method.kind == crate::model::AuthMethodKind::HardwareOath {
        "Deactivate"
    } else {
        "Remove"
    };
    let summary = format!(
        "{verb} {}{} of {} in {}",
        step.method.label,
        step.method
            .detail
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default(),
        step.user_principal_name,
        step.customer_name
    );
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    AuditRecord {
        operator: spec.operator.clone(),
        connection_id: spec.connection_id.clone(),
        tenant_id: step.tenant_id.clone(),
        target_id: step.user_id.clone(),
        target: step.user_principal_name.clone(),
        action: spec.action.clone(),
        plan_id: Some(job_id.to_string()),
        plan: vec![summary],
        reason: spec.reason.clone(),
        outcome,
        steps: vec![Outcome {
            step_index: result.index,
            status,
            message: result.message.clone().unwrap_or_else(|| "Removed.".into()),
            request_id: result.request_id.clone(),
            at,
        }],
        message: result.message.clone(),
        verification: None,
        approval: spec.approval.clone(),
        safety_class: spec.safety_class,
    }
}

impl StepAudit for AuditLog {
    fn record(&self, job_id: &str, spec: &JobSpec, result: &StepResult) -> Result<()> {
        self.append(step_audit_record(job_id, spec, result))
            .map(|_| ())
    }

    fn record_many(&self, job_id: &str, spec: &JobSpec, results: &[StepResult]) -> Result<()> {
        let records = results
            .iter()
            .map(|result| step_audit_record(job_id, spec, result))
            .collect();
        self.append_many(records).map(|_| ())
    }
}

/// How many finished steps one audit write takes at most.
const AUDIT_BATCH: usize = 256;

type AuditRequest = (StepResult, tokio::sync::oneshot::Sender<Result<()>>);

/// Writes audit entries for all workers: whatever has queued up while the previous write
/// was flushing goes in the next write, so the audit log's flush to disk per write is shared
/// by the steps that finished together instead of serialising every step behind its own.
fn spawn_audit_writer(
    audit: Arc<dyn StepAudit>,
    job_id: String,
    spec: JobSpec,
) -> tokio::sync::mpsc::UnboundedSender<AuditRequest> {
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<AuditRequest>();
    let spec = Arc::new(spec);
    tokio::spawn(async move {
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            while batch.len() < AUDIT_BATCH {
                match receiver.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            let (results, acks): (Vec<StepResult>, Vec<_>) = batch.into_iter().unzip();
            let (audit, job_id, spec) = (Arc::clone(&audit), job_id.clone(), Arc::clone(&spec));
            let written =
                tokio::task::spawn_blocking(move || audit.record_many(&job_id, &spec, &results))
                    .await
                    .unwrap_or_else(|_| {
                        Err(AppError::internal(
                            "Writing the audit log stopped unexpectedly.",
                        ))
                    });
            for ack in acks {
                let _ = ack.send(written.clone());
            }
        }
    });
    sender
}

/// A running job: watch its progress, cancel it, or wait for its report.
pub struct JobHandle {
    pub job_id: String,
    pub progress: watch::Receiver<JobProgress>,
    cancel: Arc<AtomicBool>,
    task: JoinHandle<Result<JobReport>>,
}

impl std::fmt::Debug for JobHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobHandle")
            .field("job_id", &self.job_id)
            .finish_non_exhaustive()
    }
}

impl JobHandle {
    /// Whether the job's task is still working (a cancelled job stops with steps left).
    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }

    /// No new step starts; the ones in flight finish and are recorded.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Stops the job's task at once, as a crash would (tests; nothing is recorded after).
    pub fn abort(&self) {
        self.task.abort();
    }

    pub async fn wait(self) -> Result<JobReport> {
        match self.task.await {
            Ok(report) => report,
            Err(_) => Err(AppError::internal("The bulk job stopped unexpectedly.")),
        }
    }
}

/// A tenant's Retry-After, shared by all its workers.
#[derive(Default)]
struct TenantGate {
    paused_until: Mutex<Option<Instant>>,
}

impl TenantGate {
    async fn wait_ready(&self) {
        loop {
            let until = *self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }

    /// Returns whether this started a new pause (for the counter).
    fn pause(&self, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        let mut paused = self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        match *paused {
            Some(current) if current >= until => false,
            Some(current) if current > Instant::now() => {
                *paused = Some(until);
                false
            }
            _ => {
                *paused = Some(until);
                true
            }
        }
    }
}

struct Shared {
    job_id: String,
    journal: Arc<Journal>,
    executor: Arc<dyn StepExecutor>,
    audit: tokio::sync::mpsc::UnboundedSender<AuditRequest>,
    options: BulkOptions,
    gates: HashMap<String, Arc<TenantGate>>,
    cancel: Arc<AtomicBool>,
    progress: watch::Sender<JobProgress>,
    throttle_pauses: AtomicUsize,
    /// The first local failure (journal or audit): stops the job.
    local_error: Mutex<Option<AppError>>,
}

/// Starts (or resumes) `job_id`: runs its `pending` and `started` steps.
pub fn start_job(
    journal: Arc<Journal>,
    job_id: &str,
    executor: Arc<dyn StepExecutor>,
    audit: Arc<dyn StepAudit>,
    options: BulkOptions,
) -> Result<JobHandle> {
    if options.per_tenant == 0 || options.global == 0 {
        return Err(AppError::invalid_input(
            "Bulk concurrency limits must be at least 1.",
        ));
    }
    let spec = journal.job_header(job_id)?;
    let claim = journal.claim(job_id)?;
    journal.set_cancelled(job_id, false)?;
    let (progress_tx, progress_rx) = watch::channel(journal.progress(job_id)?);
    // Only the indices of the steps left, by user (two workers must never share a user): each
    // step is read from the journal when it runs.
    let users = journal.unfinished_by_user(job_id)?;
    let mut gates = HashMap::new();
    for user in &users {
        gates
            .entry(user.tenant.clone())
            .or_insert_with(|| Arc::new(TenantGate::default()));
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let shared = Arc::new(Shared {
        job_id: job_id.to_string(),
        journal,
        executor,
        // Each audit entry names the job's operator, reason and approval: the header is enough.
        audit: spawn_audit_writer(audit, job_id.to_string(), spec),
        options,
        gates,
        cancel: Arc::clone(&cancel),
        progress: progress_tx,
        throttle_pauses: AtomicUsize::new(0),
        local_error: Mutex::new(None),
    });
    let task = tokio::spawn(async move {
        // Released when the run ends or its task is aborted.
        let _claim = claim;
        run(shared, users).await
    });
    Ok(JobHandle {
        job_id: job_id.to_string(),
        progress: progress_rx,
        cancel,
        task,
    })
}

async fn run(shared: Arc<Shared>, users: Vec<UserQueue>) -> Result<JobReport> {
    // Each tenant's users wait in its queue, in plan order, and `per_tenant` workers take them
    // one at a time: at most that many of a tenant's users at once, and as many tasks as that,
    // not one per user. A worker holds one of the job's `global` permits per user; it takes it
    // after the user, so a tenant with nothing to do holds none that another could use.
    let mut queues: Vec<(String, VecDeque<Vec<usize>>)> = Vec::new();
    let mut queue_of: HashMap<String, usize> = HashMap::new();
    for user in users {
        let at = *queue_of.entry(user.tenant.clone()).or_insert_with(|| {
            queues.push((user.tenant.clone(), VecDeque::new()));
            queues.len() - 1
        });
        queues[at].1.push_back(user.steps);
    }
    let global = Arc::new(Semaphore::new(shared.options.global));
    let mut workers = tokio::task::JoinSet::new();
    for (tenant, queue) in queues {
        let workers_here = shared.options.per_tenant.min(queue.len());
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..workers_here {
            let (queue, global, shared) =
                (Arc::clone(&queue), Arc::clone(&global), Arc::clone(&shared));
            let tenant = tenant.clone();
            workers.spawn(async move {
                loop {
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                    let Some(steps) = next else {
                        return;
                    };
                    let Ok(_global) = global.acquire().await else {
                        return;
                    };
                    work_user(&shared, &tenant, steps).await;
                }
            });
        }
    }
    while workers.join_next().await.is_some() {}

    let cancelled = shared.cancel.load(Ordering::SeqCst);
    if cancelled {
        shared.journal.set_cancelled(&shared.job_id, true)?;
    }
    let mut report = shared.journal.report(&shared.job_id)?;
    report.progress.throttle_pauses = shared.throttle_pauses.load(Ordering::SeqCst);
    report.progress.cancelled = cancelled;
    report.error = shared
        .local_error
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    shared.progress.send_replace(report.progress.clone());
    Ok(report)
}

fn stopped(shared: &Shared) -> bool {
    shared.cancel.load(Ordering::SeqCst)
        || shared
            .local_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
}

/// Stops the job on a local failure: a step that cannot be journalled or audited must not
/// be followed by more changes.
fn fail_locally(shared: &Shared, error: AppError) {
    tracing::error!(job = %shared.job_id, error = %error, "bulk job stopped");
    let mut slot = shared.local_error.lock().unwrap_or_else(|p| p.into_inner());
    slot.get_or_insert(error);
}

/// Runs one user's steps in order, reading each from the journal as it comes.
async fn work_user(shared: &Shared, tenant: &str, steps: Vec<usize>) {
    for index in steps {
        if stopped(shared) {
            return;
        }
        let journal = Arc::clone(&shared.journal);
        let job_id = shared.job_id.clone();
        let read = tokio::task::spawn_blocking(move || journal.stored_step(&job_id, index))
            .await
            .unwrap_or_else(|_| Err(AppError::internal("Reading a step stopped unexpectedly.")));
        let step = match read {
            Ok(step) => step,
            Err(error) => {
                fail_locally(shared, error);
                return;
            }
        };
        let Some(result) = run_step(shared, tenant, &step).await else {
            return;
        };
        let state = result.state;
        // The audit entry first, then the journal's final state: a crash in between leaves
        // the step `started`, so the resume re-checks it and audits what it finds; the other
        // order could leave a finished step with no audit entry.
        let (ack, acked) = tokio::sync::oneshot::channel();
        let audited = match shared.audit.send((result.clone(), ack)) {
            Ok(()) => acked.await.unwrap_or_else(|_| {
                Err(AppError::internal("The audit writer stopped unexpectedly."))
            }),
            Err(_) => Err(AppError::internal("The audit writer stopped unexpectedly.")),
        };
        if let Err(error) = audited {
            fail_locally(shared, error);
            return;
        }
        let journal = Arc::clone(&shared.journal);
        let job_id = shared.job_id.clone();
        // SQLite is synchronous: off the async workers.
        let recorded = tokio::task::spawn_blocking(move || journal.finish(&result, &job_id))
            .await
            .unwrap_or_else(|_| Err(AppError::internal("Recording a step stopped unexpectedly.")));
        if let Err(error) = recorded {
            fail_locally(shared, error);
            return;
        }
        let pauses = shared.throttle_pauses.load(Ordering::SeqCst);
        shared.progress.send_modify(|progress| {
            progress.remaining = progress.remaining.saturating_sub(1);
            if state == StepState::Done {
                progress.done += 1;
            } else {
                progress.failed += 1;
            }
            progress.throttle_pauses = pauses;
        });
    }
}

/// What to do after a non-final answer.
enum Next {
    Retry,
    Finish(StepState, Option<String>, Option<String>),
}

/// Throttled: pause the whole tenant and retry (bounded); anything else ends the step.
fn after_setback(
    shared: &Shared,
    gate: &TenantGate,
    attempt: Attempt,
    throttle_waits: &mut usize,
) -> Next {
    match attempt {
        Attempt::Throttled { retry_after } => {
            *throttle_waits += 1;
            if *throttle_waits > shared.options.max_throttle_waits {
                return Next::Finish(
                    StepState::Failed,
                    Some("Still throttled by the customer tenant after waiting as asked; run the job again later.".into()),
                    None,
                );
            }
            let wait = if retry_after.is_zero() {
                shared.options.default_retry_after
            } else {
                retry_after
            };
            if gate.pause(wait) {
                shared.throttle_pauses.fetch_add(1, Ordering::SeqCst);
            }
            Next::Retry
        }
        Attempt::Refused {
            message,
            request_id,
        } => Next::Finish(StepState::Refused, Some(message), request_id),
        Attempt::Failed {
            message,
            request_id,
        } => Next::Finish(StepState::Failed, Some(message), request_id),
        Attempt::Ambiguous { message } => Next::Finish(StepState::Failed, Some(message), None),
        Attempt::Deleted { request_id } => Next::Finish(StepState::Done, None, request_id),
        Attempt::AlreadyGone { request_id } => {
            Next::Finish(StepState::Done, Some("Already removed.".into()), request_id)
        }
    }
}

/// One step: journal `started`, then send until a final answer. `None`: not run because the
/// journal could not record the start (the job stops).
async fn run_step(shared: &Shared, tenant: &str, stored: &StoredStep) -> Option<StepResult> {
    let step = &stored.spec;
    let gate = Arc::clone(&shared.gates[tenant]);
    // A step found `started` may have been applied before the app stopped: look first.
    let mut verify_first = stored.state == StepState::Started;
    let resumed = verify_first;
    let journal = Arc::clone(&shared.journal);
    let (job_id, index) = (shared.job_id.clone(), stored.index);
    let marked = tokio::task::spawn_blocking(move || journal.mark_started(&job_id, index))
        .await
        .unwrap_or_else(|_| Err(AppError::internal("Recording a step stopped unexpectedly.")));
    if let Err(error) = marked {
        fail_locally(shared, error);
        return None;
    }
    let finish = |state, message, request_id| StepResult {
        index: stored.index,
        step: step.clone(),
        state,
        message,
        request_id,
    };
    let mut throttle_waits = 0;
    let mut ambiguous = 0;
    loop {
        gate.wait_ready().await;
        if verify_first {
            match shared.executor.still_present(step).await {
                Ok(false) => {
                    let note = if resumed {
                        "Found already removed when the job resumed; not sent again."
                    } else {
                        "Verified removed after an uncertain answer."
                    };
                    return Some(finish(StepState::Done, Some(note.into()), None));
                }
                Ok(true) => verify_first = false,
                Err(attempt) => match after_setback(shared, &gate, attempt, &mut throttle_waits) {
                    Next::Retry => continue,
                    Next::Finish(state, message, request_id) => {
                        // Could not look: never report it done without knowing.
                        let state = if state == StepState::Done {
                            StepState::Failed
                        } else {
                            state
                        };
                        return Some(finish(state, message, request_id));
                    }
                },
            }
        }
        match shared.executor.run(step).await {
            Attempt::Ambiguous { message } => {
                ambiguous += 1;
                if ambiguous > shared.options.max_ambiguous_retries {
                    return Some(finish(StepState::Failed, Some(message), None));
                }
                verify_first = true;
            }
            attempt => match after_setback(shared, &gate, attempt, &mut throttle_waits) {
                Next::Retry => {}
                Next::Finish(state, message, request_id) => {
                    return Some(finish(state, message, request_id))
                }
            },
        }
    }
}
