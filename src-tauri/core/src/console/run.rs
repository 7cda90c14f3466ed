//! Running a confirmed plan, whatever its provider: one entry point and one result, so the
//! page has one run command and one result view.
//!
//! Entra's plans still run through their own executor (`Console::execute_plan`, kept in their
//! own plan store until Entra joins the seam); their result is told here in the seam's terms —
//! a report per step with its state, the Graph page that documents the call, Graph's request
//! id and when it ended, and the generated secret named by kind.

use super::provider_actions::{
    PasswordInput, RunResult, SecretKind, StepPerformed, StepReport, StepState,
};
use super::{Console, ExecutionResult};
use crate::error::{AppError, Result};
use crate::model::Outcome;
use crate::providers::entra::planner::Step;

impl Console {
    /// Runs the confirmed plan `plan_id` with the operator's reason. `password` is for a plan
    /// whose provider asks for one (Zoho's reset with a password typed by the operator); an
    /// Entra plan takes none. Every check and the audit entry are those of the plan's own
    /// run: `execute_plan` for Entra, `run_provider_plan` for the seam's providers.
    pub async fn run_plan(
        &self,
        plan_id: &str,
        reason: &str,
        password: Option<PasswordInput>,
    ) -> Result<RunResult> {
        let Some(steps) = self.plans.with_if_kept(plan_id, |r| r.plan.steps.clone())? else {
            return self.run_provider_plan(plan_id, reason, password).await;
        };
        if password.is_some() {
            return Err(AppError::invalid_input(
                "This action takes no password: ResetDesk makes a Microsoft Entra reset's \
                 temporary password itself. Confirm it without one.",
            ));
        }
        let result = self.execute_plan(plan_id, reason).await?;
        Ok(entra_run_result(&steps, result))
    }
}

/// An Entra run's result in the seam's terms. The secret moves across as it is: shown this
/// once, never kept.
fn entra_run_result(steps: &[Step], result: ExecutionResult) -> RunResult {
    let (generated_password, secret_kind) =
        match (result.temporary_password, result.temporary_access_pass) {
            (Some(password), _) => (Some(password), Some(SecretKind::TemporaryPassword)),
            (None, Some(pass)) => (Some(pass), Some(SecretKind::TemporaryAccessPass)),
            (None, None) => (None, None),
        };
    RunResult {
        plan_id: result.plan_id,
        outcome: result.outcome,
        steps: result
            .outcomes
            .iter()
            .map(|outcome| step_report(steps, outcome))
            .collect(),
        generated_password,
        secret_kind,
        copy_handle: result.copy_handle,
        audit_seq: result.audit_seq,
        audit_error: result.audit_error,
    }
}

fn step_report(steps: &[Step], outcome: &Outcome) -> StepReport {
    let step = steps.iter().find(|step| step.index == outcome.step_index);
    StepReport {
        index: outcome.step_index,
        summary: step.map_or_else(
            || format!("Step {}", outcome.step_index + 1),
            |step| step.summary.clone(),
        ),
        state: StepState::of_audit_status(outcome.status),
        message: Some(outcome.message.clone()),
        performed: StepPerformed::Api {
            doc: step
                .map(|step| step.kind.documented_at())
                .unwrap_or_default()
                .to_string(),
        },
        request_id: outcome.request_id.clone(),
        at: Some(outcome.at.clone()),
    }
}
