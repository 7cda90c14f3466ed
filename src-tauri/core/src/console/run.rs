//! Running a confirmed plan, whatever its provider and kind: one entry point, so the page has one
//! run command. A plan on one user runs its steps now and answers them; a bulk plan (a reset
//! across customers) starts its job, which runs on from its journal, and answers the job.

use serde::Serialize;

use super::bulk_jobs::BulkJobView;
use super::provider_actions::{PasswordInput, RunResult};
use super::Console;
use crate::error::{AppError, Result};

/// What running a confirmed plan gave. Sent as the variant's own shape (a run result has
/// `steps`, a job `users`): the page tells them apart by those fields.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(untagged)]
pub enum RunOutcome {
    /// A plan on one user ran: a report per step (some may wait to be finished by hand).
    Finished(RunResult),
    /// A bulk plan's job started; the page follows it with `job_status`.
    Job(BulkJobView),
}

impl Console {
    /// Runs the confirmed plan `plan_id` with the operator's reason, whatever its kind (see
    /// [`RunOutcome`]). `password` is for a plan whose provider asks for one (Zoho's reset with a
    /// password typed by the operator); a plan that takes none refuses one before it is used
    /// up. Every check and the audit entry are the kind's own: `run_plan`, `start_job`.
    pub async fn run(
        &self,
        plan_id: &str,
        reason: &str,
        password: Option<PasswordInput>,
    ) -> Result<RunOutcome> {
        if self.is_bulk_plan(plan_id)? {
            if password.is_some() {
                return Err(AppError::invalid_input(
                    "This job takes no password: it removes authentication methods. Confirm it without one.",
                ));
            }
            return Ok(RunOutcome::Job(self.start_job(plan_id, reason).await?));
        }
        Ok(RunOutcome::Finished(
            self.run_plan(plan_id, reason, password).await?,
        ))
    }

    /// Runs the confirmed plan on one user `plan_id` with the operator's reason. A provider
    /// that makes its own password (Entra's temporary password) refuses one before the plan is
    /// used up. Every check and the audit entry are `run_provider_plan`'s.
    pub async fn run_plan(
        &self,
        plan_id: &str,
        reason: &str,
        password: Option<PasswordInput>,
    ) -> Result<RunResult> {
        self.run_provider_plan(plan_id, reason, password).await
    }
}
