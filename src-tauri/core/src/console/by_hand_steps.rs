//! By-hand steps that outlive their result dialog: every step still waiting for the operator,
//! read from the audit log (so it survives a restart, when the plans kept in memory are gone),
//! and its settling from the Activity screen — marked done, or abandoned.
//!
//! The audit log is the record: a run entry lists each by-hand step as `WaitingForOperator`;
//! a later entry of the same plan with that step `CompletedByHand` (marked done) or `Skipped`
//! (abandoned) settles it. Only the operator who ran the action, signed in again to its
//! connection, may settle its steps: the entry names them as the provider returned their
//! account (never as typed), with the tenant, and the current sign-in must be the same.
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::provider_actions::{PlanOwner, RunResult};
use super::Console;
use crate::audit::{AuditEntry, AuditOutcome, AuditRecord};
use crate::error::{AppError, Result};
use crate::model::{Outcome, StepStatus};

/// One by-hand step still to finish, as the Activity screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct PendingByHandStep {
    pub plan_id: String,
    pub step_index: usize,
    pub connection_id: String,
    pub operator: String,
    /// The user's id at the provider, for their page's own list of steps to finish.
    pub target_id: String,
    pub target: String,
    pub action: String,
    /// The step as the confirmation showed it.
    pub summary: String,
    /// When the action ran (the run entry's time).
    pub since: String,
}

/// What the operator says about a by-hand step.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(
    rename_all = "camelCase",
    tag = "settlement",
    rename_all_fields = "camelCase"
)]
pub enum ByHandSettlement {
    /// Finished in the admin page.
    Done,
    /// Will not be finished (the user no longer needs it, or it was done another way): why,
    /// in the operator's words, for the audit log.
    Abandoned { reason: String },
}

/// A by-hand step settled: the steps still waiting (Activity's list) and, while the plan is kept
/// in memory, its result as the result dialog shows it (that dialog's **Mark as done** settles
/// a step the same way).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ByHandSettled {
    pub pending: Vec<PendingByHandStep>,
    pub result: Option<RunResult>,
}

/// A waiting step, with the entry it came from.
struct Waiting {
    step: PendingByHandStep,
    run: AuditEntry,
}

impl Console {
    /// Every by-hand step still waiting, oldest first, whoever ran it.
    pub fn pending_by_hand_steps(&self) -> Result<Vec<PendingByHandStep>> {
        Ok(waiting_by_hand(&self.audit_oldest_first()?)
            .into_iter()
            .map(|w| w.step)
            .collect())
    }

    /// Marks a waiting by-hand step done, or abandons it, with its own audit entry under the
    /// plan's id; answers the steps still waiting, and the plan's result while it is kept.
    /// Works after a restart too. The one way a by-hand step is settled, from Activity or from
    /// the result dialog: one check of who may, one audit entry.
    pub async fn settle_by_hand_step(
        &self,
        plan_id: &str,
        step_index: usize,
        settlement: ByHandSettlement,
    ) -> Result<ByHandSettled> {
        self.audit.ensure_writable()?;
        // Why a step is abandoned is checked before anything else is asked.
        let abandoned_because = match &settlement {
            ByHandSettlement::Abandoned { reason } => Some(abandon_reason(reason)?),
            ByHandSettlement::Done => None,
        };
        // One settlement at a time: the check that the step still waits and its entry go
        // together, so a double click cannot record it twice.
        let _one_at_a_time = self.settling_by_hand.lock().await;
        // One read of the log serves both questions: does the step wait, and where does its
        // plan stand.
        let entries = self.audit_oldest_first()?;
        let waiting = waiting_by_hand(&entries)
            .into_iter()
            .find(|w| w.step.plan_id == plan_id && w.step.step_index == step_index)
            .ok_or_else(|| self.why_not_waiting(plan_id, step_index))?;
        let owner = self.signed_in_owner(&waiting.step.connection_id).await?;
        let run = &waiting.run.record;
        // The sandbox's emulators are made anew at each start, their addresses with them (the
        // tenant of a Privilege Secure sandbox is its URL): there the operator alone decides.
        let sandbox = self.connection(&waiting.step.connection_id)?.sandbox;
        let same_tenant = sandbox || owner.tenant_id == run.tenant_id;
        if owner.operator_label != run.operator || !same_tenant {
            return Err(AppError::denied(
                "Only the operator who ran this action can settle its by-hand steps. Sign in as \
                 them to this connection, or finish it under your own sign-in as a new action.",
            ));
        }
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let (status, message, note) = match abandoned_because {
            None => (
                StepStatus::CompletedByHand,
                format!("Marked as done by {} at {at}.", owner.operator_label),
                format!("Step {} completed by hand.", step_index + 1),
            ),
            Some(why) => (
                StepStatus::Skipped,
                format!("Abandoned by {} at {at}: {why}", owner.operator_label),
                format!(
                    "Step {} abandoned, not finished by hand: {why}",
                    step_index + 1
                ),
            ),
        };
        let settled = Outcome {
            step_index,
            status,
            message,
            request_id: None,
            at: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        };
        let mut steps_now = steps_of_plan(&entries, plan_id);
        if let Some(step) = steps_now.iter_mut().find(|s| s.step_index == step_index) {
            *step = settled.clone();
        }
        let entry = self.append_audit(AuditRecord {
            outcome: outcome_of_steps(&steps_now),
            steps: vec![settled.clone()],
            message: Some(note),
            verification: None,
            approval: None,
            ..run.clone()
        })?;
        // The result dialog, if still open, shows the same.
        let result = self.note_settled_in_memory(plan_id, &settled, &entry);
        Ok(ByHandSettled {
            pending: self.pending_by_hand_steps()?,
            result,
        })
    }

    /// Every entry of the audit log, oldest first.
    fn audit_oldest_first(&self) -> Result<Vec<AuditEntry>> {
        let mut entries = self.audit.list(usize::MAX)?;
        entries.reverse();
        Ok(entries)
    }

    /// Who is signed in to the connection now, as plans and the audit log name them (the
    /// one place by-hand steps ask it, from the result dialog or from Activity).
    pub(super) async fn signed_in_owner(&self, connection_id: &str) -> Result<PlanOwner> {
        let connection = self.connection(connection_id)?;
        if !self.serves_through_seam(&connection) {
            return Err(AppError::invalid_input(format!(
                "\"{}\" has no by-hand steps.",
                connection.display_name
            )));
        }
        Ok(self.seam_session(connection_id).await?.owner())
    }
}

/// Waiting steps from the audit log: each run entry's `WaitingForOperator` steps, less
/// those a later entry of the same plan settled.
fn waiting_by_hand(entries: &[AuditEntry]) -> Vec<Waiting> {
    let mut waiting: Vec<Waiting> = Vec::new();
    for entry in entries {
        let Some(plan_id) = entry.record.plan_id.clone() else {
            continue;
        };
        for outcome in &entry.record.steps {
            match outcome.status {
                StepStatus::WaitingForOperator => {
                    let already = waiting.iter().any(|w| {
                        w.step.plan_id == plan_id && w.step.step_index == outcome.step_index
                    });
                    if already {
                        continue;
                    }
                    let summary = entry
                        .record
                        .plan
                        .get(outcome.step_index)
                        .cloned()
                        .unwrap_or_else(|| format!("Step {}", outcome.step_index + 1));
                    waiting.push(Waiting {
                        step: PendingByHandStep {
                            plan_id: plan_id.clone(),
                            step_index: outcome.step_index,
                            connection_id: entry.record.connection_id.clone(),
                            operator: entry.record.operator.clone(),
                            target_id: entry.record.target_id.clone(),
                            target: entry.record.target.clone(),
                            action: entry.record.action.clone(),
                            summary,
                            since: entry.at.clone(),
                        },
                        run: entry.clone(),
                    });
                }
                StepStatus::CompletedByHand | StepStatus::Skipped => waiting.retain(|w| {
                    !(w.step.plan_id == plan_id && w.step.step_index == outcome.step_index)
                }),
                _ => {}
            }
        }
    }
    waiting
}

/// Every step of a plan as the audit log last recorded it (the run, then each settlement).
fn steps_of_plan(entries: &[AuditEntry], plan_id: &str) -> Vec<Outcome> {
    let mut steps: Vec<Outcome> = Vec::new();
    for entry in entries
        .iter()
        .filter(|e| e.record.plan_id.as_deref() == Some(plan_id))
    {
        for outcome in entry.record.steps.iter().cloned() {
            match steps
                .iter_mut()
                .find(|s| s.step_index == outcome.step_index)
            {
                Some(known) => *known = outcome,
                None => steps.push(outcome),
            }
        }
    }
    steps
}

/// Why a step is abandoned: required, as a confirmation's reason is.
fn abandon_reason(reason: &str) -> Result<String> {
    if reason.trim().is_empty() {
        return Err(AppError::invalid_input(
            "Say why this step will not be finished (a ticket number or a few words), then \
             abandon it.",
        ));
    }
    super::validate_reason(reason)
}

/// The plan's outcome once a step is settled: still `Pending` while another waits; an
/// abandoned step leaves the action `Partial` (something of it was not done).
fn outcome_of_steps(steps: &[Outcome]) -> AuditOutcome {
    let has = |status: StepStatus| steps.iter().any(|s| s.status == status);
    let done = has(StepStatus::Succeeded) || has(StepStatus::CompletedByHand);
    if has(StepStatus::WaitingForOperator) {
        AuditOutcome::Pending
    } else if has(StepStatus::Failed) || has(StepStatus::Skipped) {
        if done {
            AuditOutcome::Partial
        } else {
            AuditOutcome::Failed
        }
    } else {
        AuditOutcome::Succeeded
    }
}
