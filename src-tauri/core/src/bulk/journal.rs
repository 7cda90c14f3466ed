//! The job journal: SQLite (WAL). A job's spec and each step's state, written before a step
//! is sent (`started`) and after its answer, each in its own committed transaction.
//!
//! Why this is enough never to repeat nor skip a step after a crash: a step is `pending`
//! (never sent: run it), `started` (maybe sent: re-read live state and send only if the
//! method is still there) or finished (never touched again). `synchronous=NORMAL` in WAL mode
//! survives the app crashing or being killed (the commit reached the OS); on a power loss the
//! last commits may be lost, which at worst turns a `done` step back into `started`/`pending`,
//! and then the re-check (or Graph's 404 on a second DELETE) still removes nothing twice.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{JobProgress, JobReport, JobSpec, StepResult, StepSpec, StepState, UserResult};
use crate::error::{AppError, Result};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS bulk_jobs (
    id          TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    spec        TEXT NOT NULL,
    cancelled   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS bulk_steps (
    job_id      TEXT NOT NULL REFERENCES bulk_jobs(id),
    idx         INTEGER NOT NULL,
    spec        TEXT NOT NULL,
    state       TEXT NOT NULL,
    message     TEXT,
    request_id  TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (job_id, idx)
);
";

/// A job as listed on start: what was done, and whether anything is left to finish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub job_id: String,
    pub created_at: String,
    pub action: String,
    pub operator: String,
    pub reason: String,
    pub progress: JobProgress,
    pub customers: Vec<String>,
}

/// One stored step, as the engine reads it to (re)run a job.
#[derive(Debug, Clone)]
pub struct StoredStep {
    pub index: usize,
    pub spec: StepSpec,
    pub state: StepState,
}

/// A user's unfinished steps, by their index in the job: what a runner keeps of a job in
/// memory. The steps themselves stay in the journal until each is run ([`Journal::stored_step`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQueue {
    /// The customer tenant, lower-cased: the key of its permits and its throttle gate.
    pub tenant: String,
    pub steps: Vec<usize>,
}

pub struct Journal {
    connection: Mutex<Connection>,
    /// Jobs being run by this process: a job is run by one runner at a time.
    running: Mutex<HashSet<String>>,
}

/// Held while a job runs; releases the job when dropped (finished, failed or aborted).
pub struct RunClaim {
    journal: Arc<Journal>,
    job_id: String,
}

impl Drop for RunClaim {
    fn drop(&mut self) {
        self.journal
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.job_id);
    }
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").finish_non_exhaustive()
    }
}

fn db_error(what: &str, error: rusqlite::Error) -> AppError {
    AppError::internal(format!("The job journal could not {what}.")).with_detail(error.to_string())
}

fn no_such_job(job_id: &str) -> AppError {
    AppError::new(
        crate::ErrorKind::NotFound,
        format!("No bulk job with id {job_id}."),
    )
}

fn damaged_step(job_id: &str, index: i64) -> AppError {
    AppError::internal(format!(
        "Step {index} of job {job_id} is damaged in the journal."
    ))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Journal {
    /// Opens (creating it if needed) the journal at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Arc<Journal>> {
        let path = path.as_ref();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                AppError::internal("The job journal's folder could not be created.")
                    .with_detail(e.to_string())
            })?;
        }
        // The journal names customers' users: private to the operator's account.
        crate::private_file::ensure_private(path, "job journal")?;
        let connection = Connection::open(path).map_err(|e| db_error("be opened", e))?;
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .and_then(|()| connection.execute_batch(SCHEMA))
            .map_err(|e| db_error("be prepared", e))?;
        Ok(Arc::new(Journal {
            connection: Mutex::new(connection),
            running: Mutex::new(HashSet::new()),
        }))
    }

    /// Claims `job_id` for one runner; refused while another runner has it (a second
    /// "finish" click, or a forged one, must not run the same steps twice at once).
    pub fn claim(self: &Arc<Self>, job_id: &str) -> Result<RunClaim> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if !running.insert(job_id.to_string()) {
            return Err(AppError::invalid_input(
                "This job is already running; wait for it to finish or cancel it first.",
            ));
        }
        Ok(RunClaim {
            journal: Arc::clone(self),
            job_id: job_id.to_string(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a confirmed job with every step `pending`; returns its id.
    pub fn create_job(&self, spec: &JobSpec) -> Result<String> {
        if spec.steps.is_empty() {
            return Err(AppError::invalid_input("A job needs at least one step."));
        }
        if spec.reason.trim().is_empty() {
            return Err(AppError::invalid_input(
                "Give a reason or ticket number for this action.",
            ));
        }
        let job_id = uuid::Uuid::new_v4().to_string();
        let spec_json = serde_json::to_string(spec).map_err(|e| {
            AppError::internal("A job could not be written.").with_detail(e.to_string())
        })?;
        let mut connection = self.lock();
        let tx = connection
            .transaction()
            .map_err(|e| db_error("start a write", e))?;
        let at = now();
        tx.execute(
            "INSERT INTO bulk_jobs (id, created_at, spec) VALUES (?1, ?2, ?3)",
            params![job_id, at, spec_json],
        )
        .map_err(|e| db_error("record the job", e))?;
        {
            let mut insert = tx
                .prepare("INSERT INTO bulk_steps (job_id, idx, spec, state, updated_at) VALUES (?1, ?2, ?3, 'pending', ?4)")
                .map_err(|e| db_error("record the steps", e))?;
            for (index, step) in spec.steps.iter().enumerate() {
                let step_json = serde_json::to_string(step).map_err(|e| {
                    AppError::internal("A step could not be written.").with_detail(e.to_string())
                })?;
                insert
                    .execute(params![job_id, index as i64, step_json, at])
                    .map_err(|e| db_error("record the steps", e))?;
            }
        }
        tx.commit().map_err(|e| db_error("commit the job", e))?;
        Ok(job_id)
    }

    pub fn job_spec(&self, job_id: &str) -> Result<JobSpec> {
        self.stored_spec(job_id)
    }

    /// The job's stored spec, read as `T`.
    fn stored_spec<T: serde::de::DeserializeOwned>(&self, job_id: &str) -> Result<T> {
        let spec: Option<String> = self
            .lock()
            .query_row("SELECT spec FROM bulk_jobs WHERE id = ?1", [job_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| db_error("read the job", e))?;
        let spec = spec.ok_or_else(|| no_such_job(job_id))?;
        serde_json::from_str(&spec)
            .map_err(|e| AppError::internal("A stored job is damaged.").with_detail(e.to_string()))
    }

    /// The job's who and why, without its list of steps (which the journal keeps per step).
    pub fn job_header(&self, job_id: &str) -> Result<JobSpec> {
        /// The stored spec's fields but the steps, which are parsed past without being built.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Header {
            connection_id: String,
            operator: String,
            action: String,
            reason: String,
            #[serde(default)]
            approval: Option<crate::safety::ApprovalRecord>,
            #[serde(default)]
            safety_class: Option<resetdesk_model::action::SafetyClass>,
        }
        let header: Header = self.stored_spec(job_id)?;
        Ok(JobSpec {
            connection_id: header.connection_id,
            operator: header.operator,
            action: header.action,
            reason: header.reason,
            steps: Vec::new(),
            approval: header.approval,
            safety_class: header.safety_class,
        })
    }

    /// The unfinished steps of a job by user (tenant and user id): users in the order of their
    /// first step, each user's steps in plan order. Only indices: a 10,000-user job is a few
    /// hundred kilobytes here, not its whole plan.
    pub fn unfinished_by_user(&self, job_id: &str) -> Result<Vec<UserQueue>> {
        let connection = self.lock();
        let mut query = connection
            .prepare(
                "SELECT idx, json_extract(spec, '$.tenantId'), json_extract(spec, '$.userId')
                 FROM bulk_steps WHERE job_id = ?1 AND state IN (?2, ?3) ORDER BY idx",
            )
            .map_err(|e| db_error("read the steps", e))?;
        let rows = query
            .query_map(
                params![
                    job_id,
                    StepState::Pending.as_str(),
                    StepState::Started.as_str()
                ],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .map_err(|e| db_error("read the steps", e))?;
        let mut users: Vec<UserQueue> = Vec::new();
        let mut queue_of: HashMap<(String, String), usize> = HashMap::new();
        for row in rows {
            let (index, tenant, user) = row.map_err(|e| db_error("read a step", e))?;
            let damaged = || damaged_step(job_id, index);
            let index = usize::try_from(index).map_err(|_| damaged())?;
            let (Some(tenant), Some(user)) = (tenant, user) else {
                return Err(damaged());
            };
            let tenant = tenant.to_ascii_lowercase();
            match queue_of.entry((tenant, user)) {
                Entry::Occupied(queue) => users[*queue.get()].steps.push(index),
                Entry::Vacant(slot) => {
                    users.push(UserQueue {
                        tenant: slot.key().0.clone(),
                        steps: vec![index],
                    });
                    slot.insert(users.len() - 1);
                }
            }
        }
        Ok(users)
    }

    /// One step of a job as stored, to run it.
    pub fn stored_step(&self, job_id: &str, index: usize) -> Result<StoredStep> {
        let row: Option<(String, String)> = self
            .lock()
            .query_row(
                "SELECT spec, state FROM bulk_steps WHERE job_id = ?1 AND idx = ?2",
                params![job_id, index as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| db_error("read a step", e))?;
        let damaged = || damaged_step(job_id, index as i64);
        let (spec, state) = row.ok_or_else(damaged)?;
        Ok(StoredStep {
            index,
            spec: serde_json::from_str(&spec).map_err(|_| damaged())?,
            state: StepState::parse(&state).ok_or_else(damaged)?,
        })
    }

    /// Every step of a job with its state, in order.
    pub fn steps(&self, job_id: &str) -> Result<Vec<StepResult>> {
        let connection = self.lock();
        let mut query = connection
            .prepare("SELECT idx, spec, state, message, request_id FROM bulk_steps WHERE job_id = ?1 ORDER BY idx")
            .map_err(|e| db_error("read the steps", e))?;
        let rows = query
            .query_map([job_id], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(|e| db_error("read the steps", e))?;
        let mut steps = Vec::new();
        for row in rows {
            let (index, spec, state, message, request_id) =
                row.map_err(|e| db_error("read a step", e))?;
            let damaged = || damaged_step(job_id, index);
            steps.push(StepResult {
                index: usize::try_from(index).map_err(|_| damaged())?,
                step: serde_json::from_str(&spec).map_err(|_| damaged())?,
                state: StepState::parse(&state).ok_or_else(damaged)?,
                message,
                request_id,
            });
        }
        Ok(steps)
    }

    /// Written BEFORE the step is sent.
    pub fn mark_started(&self, job_id: &str, index: usize) -> Result<()> {
        self.set_state(job_id, index, StepState::Started, None, None)
    }

    /// Written AFTER the answer.
    pub fn finish(&self, result: &StepResult, job_id: &str) -> Result<()> {
        self.set_state(
            job_id,
            result.index,
            result.state,
            result.message.as_deref(),
            result.request_id.as_deref(),
        )
    }

    fn set_state(
        &self,
        job_id: &str,
        index: usize,
        state: StepState,
        message: Option<&str>,
        request_id: Option<&str>,
    ) -> Result<()> {
        let changed = self
            .lock()
            .execute(
                "UPDATE bulk_steps SET state = ?3, message = ?4, request_id = ?5, updated_at = ?6 WHERE job_id = ?1 AND idx = ?2",
                params![job_id, index as i64, state.as_str(), message, request_id, now()],
            )
            .map_err(|e| db_error("record a step", e))?;
        if changed == 1 {
            Ok(())
        } else {
            Err(AppError::internal(format!(
                "Step {index} of job {job_id} is not in the journal."
            )))
        }
    }

    pub fn set_cancelled(&self, job_id: &str, cancelled: bool) -> Result<()> {
        self.lock()
            .execute(
                "UPDATE bulk_jobs SET cancelled = ?2 WHERE id = ?1",
                params![job_id, cancelled as i64],
            )
            .map_err(|e| db_error("record the cancel", e))?;
        Ok(())
    }

    fn is_cancelled(&self, job_id: &str) -> Result<bool> {
        let cancelled: Option<i64> = self
            .lock()
            .query_row(
                "SELECT cancelled FROM bulk_jobs WHERE id = ?1",
                [job_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| db_error("read the job", e))?;
        Ok(cancelled.unwrap_or(0) != 0)
    }

    /// Counts of a job's steps by state, counted by SQLite (no step is read into memory).
    pub fn progress(&self, job_id: &str) -> Result<JobProgress> {
        let counts: Vec<(String, i64)> = {
            let connection = self.lock();
            let mut query = connection
                .prepare("SELECT state, count(*) FROM bulk_steps WHERE job_id = ?1 GROUP BY state")
                .map_err(|e| db_error("count the steps", e))?;
            let rows = query
                .query_map([job_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| db_error("count the steps", e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| db_error("count the steps", e))?
        };
        let mut progress = JobProgress {
            total: 0,
            done: 0,
            failed: 0,
            remaining: 0,
            throttle_pauses: 0,
            finished: false,
            cancelled: self.is_cancelled(job_id)?,
        };
        for (state, count) in counts {
            let state = StepState::parse(&state).ok_or_else(|| {
                AppError::internal(format!(
                    "A step of job {job_id} has an unknown state \"{state}\" in the journal."
                ))
            })?;
            let count = usize::try_from(count).unwrap_or(0);
            progress.total += count;
            match state {
                StepState::Done => progress.done += count,
                StepState::Failed | StepState::Refused => progress.failed += count,
                StepState::Pending | StepState::Started => progress.remaining += count,
            }
        }
        progress.finished = progress.remaining == 0;
        Ok(progress)
    }

    /// The result per user and per method, from the journal.
    pub fn report(&self, job_id: &str) -> Result<JobReport> {
        let progress = self.progress(job_id)?;
        let steps = self.steps(job_id)?;
        let mut users: Vec<UserResult> = Vec::new();
        for step in steps {
            let same_user = users.last().is_some_and(|u: &UserResult| {
                u.tenant_id == step.step.tenant_id && u.user_id == step.step.user_id
            });
            if !same_user {
                users.push(UserResult {
                    tenant_id: step.step.tenant_id.clone(),
                    customer_name: step.step.customer_name.clone(),
                    user_id: step.step.user_id.clone(),
                    user_principal_name: step.step.user_principal_name.clone(),
                    display_name: step.step.display_name.clone(),
                    methods: Vec::new(),
                });
            }
            if let Some(user) = users.last_mut() {
                user.methods.push(step);
            }
        }
        Ok(JobReport {
            job_id: job_id.to_string(),
            progress,
            users,
            error: None,
        })
    }

    /// Every job, newest first, with its counts: on start the page shows those with
    /// `remaining > 0` and offers to finish them.
    pub fn jobs(&self) -> Result<Vec<JobSummary>> {
        let ids: Vec<(String, String)> = {
            let connection = self.lock();
            let mut query = connection
                .prepare("SELECT id, created_at FROM bulk_jobs ORDER BY created_at DESC")
                .map_err(|e| db_error("list the jobs", e))?;
            let rows = query
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| db_error("list the jobs", e))?;
            rows.collect::<std::result::Result<_, _>>()
                .map_err(|e| db_error("list the jobs", e))?
        };
        let mut jobs = Vec::new();
        for (job_id, created_at) in ids {
            let spec = self.job_spec(&job_id)?;
            let mut customers: Vec<String> =
                spec.steps.iter().map(|s| s.customer_name.clone()).collect();
            customers.sort();
            customers.dedup();
            jobs.push(JobSummary {
                progress: self.progress(&job_id)?,
                job_id,
                created_at,
                action: spec.action,
                operator: spec.operator,
                reason: spec.reason,
                customers,
            });
        }
        Ok(jobs)
    }

    /// Jobs with steps left to run (the app closed or crashed, or the job was cancelled).
    pub fn unfinished_jobs(&self) -> Result<Vec<JobSummary>> {
        Ok(self
            .jobs()?
            .into_iter()
            .filter(|j| j.progress.remaining > 0)
            .collect())
    }

    /// The steps still to run, in order.
    pub fn unfinished_steps(&self, job_id: &str) -> Result<Vec<StoredStep>> {
        Ok(self
            .steps(job_id)?
            .into_iter()
            .filter(|s| s.state.is_unfinished())
            .map(StoredStep::from)
            .collect())
    }
}

impl From<StepResult> for StoredStep {
    fn from(step: StepResult) -> Self {
        StoredStep {
            index: step.index,
            spec: step.step,
            state: step.state,
        }
    }
}
