//! Bulk jobs: many (customer, user, method) steps run against several tenants at once, and a
//! journal that lets a job survive the app closing or crashing half-way.
//!
//! - [`journal`]: SQLite: the job, and each step's state written before it is sent
//!   (`started`) and after its answer (`done`, `failed`, …). Resuming runs what is not
//!   finished; a `started` step is first re-checked against live state.
//! - [`engine`]: runs the unfinished steps of a job: bounded concurrency per tenant and in
//!   all, a tenant's Retry-After pauses that tenant only, progress on a watch channel,
//!   cancel, and one audit entry per step with the customer tenant.
//!
//! A provider's job gives the engine its [`StepExecutor`] (Lighthouse's "Reset all MFAs":
//! `resetdesk_providers::lighthouse::job`).
//!
//! Within one user, steps run one after another in plan order (Graph's default-method and
//! alternate-mobile rules make a user's deletions depend on each other, graph.md §1.3);
//! different users run in parallel.

pub mod engine;
pub mod journal;
pub mod plan;

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model::AuthMethod;

pub use engine::{start_job, step_audit_record, BulkOptions, JobHandle, StepAudit};
pub use journal::{JobSummary, Journal};

/// One step of a job: remove `method` from a user of a customer tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepSpec {
    pub tenant_id: String,
    pub customer_name: String,
    pub user_id: String,
    pub user_principal_name: String,
    /// The user's name as the plan showed it. Empty in a journal written before names were
    /// kept: the job then shows the sign-in name.
    #[serde(default)]
    pub display_name: String,
    pub method: AuthMethod,
}

/// What the operator confirmed: who, why, and the steps in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSpec {
    pub connection_id: String,
    pub operator: String,
    /// The audit log's action name, e.g. `lighthouse.resetAllMfa`.
    pub action: String,
    pub reason: String,
    pub steps: Vec<StepSpec>,
    /// The second person who approved the job, when the safety policy asked for one: kept
    /// with the job and written into each step's audit entry. (Absent in journals written
    /// before approvals of jobs existed.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<crate::safety::ApprovalRecord>,
    /// What the safety rules read of each step's audit entry. (Absent in journals written
    /// before classes were recorded: their entries are counted by label, as they were.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_class: Option<resetdesk_model::action::SafetyClass>,
}

/// A step's state in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepState {
    /// Not sent yet.
    Pending,
    /// Sent (or about to be) and not confirmed: re-checked before anything is sent again.
    Started,
    /// The method is gone (deleted now, or found already gone).
    Done,
    /// The customer refused (403): our roles or Entra's target rules do not allow it there.
    Refused,
    Failed,
}

impl StepState {
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Started => "started",
            StepState::Done => "done",
            StepState::Refused => "refused",
            StepState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<StepState> {
        Some(match text {
            "pending" => StepState::Pending,
            "started" => StepState::Started,
            "done" => StepState::Done,
            "refused" => StepState::Refused,
            "failed" => StepState::Failed,
            _ => return None,
        })
    }

    /// Still to run when the job is (re)started.
    pub fn is_unfinished(self) -> bool {
        matches!(self, StepState::Pending | StepState::Started)
    }
}

/// One answer from the provider to one attempt at a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Deleted {
        request_id: Option<String>,
    },
    /// Not there (404): someone, or an earlier attempt, already removed it.
    AlreadyGone {
        request_id: Option<String>,
    },
    /// 429/503: not processed; wait this long (the whole tenant waits).
    Throttled {
        retry_after: Duration,
    },
    /// 403 from the customer tenant.
    Refused {
        message: String,
        request_id: Option<String>,
    },
    /// A timeout, a broken connection or a 5xx: it may or may not have been applied.
    Ambiguous {
        message: String,
    },
    Failed {
        message: String,
        request_id: Option<String>,
    },
}

/// What the engine asks of a provider. Implemented for Lighthouse in
/// `resetdesk_providers::lighthouse::job`; tests wrap it to simulate a crash.
#[async_trait]
pub trait StepExecutor: Send + Sync {
    /// Sends the step once (no retries: the engine decides).
    async fn run(&self, step: &StepSpec) -> Attempt;
    /// Whether the step's method is still registered (live read), to settle a step whose
    /// outcome is unknown. `Err` carries the attempt to report (refused, throttled, …).
    async fn still_present(&self, step: &StepSpec) -> Result<bool, Attempt>;
}

/// One step's result, as the page and the audit log see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub index: usize,
    pub step: StepSpec,
    pub state: StepState,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

/// Live counts, sent on the job's watch channel after every step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    pub total: usize,
    pub done: usize,
    /// Failed or refused.
    pub failed: usize,
    pub remaining: usize,
    /// How many times a tenant was paused by a Retry-After.
    pub throttle_pauses: usize,
    pub finished: bool,
    pub cancelled: bool,
}

/// Per user, per method: the result of a job (or of what ran so far).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserResult {
    pub tenant_id: String,
    pub customer_name: String,
    pub user_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub methods: Vec<StepResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobReport {
    pub job_id: String,
    pub progress: JobProgress,
    pub users: Vec<UserResult>,
    /// Set when the job stopped because something local failed (journal, audit log).
    pub error: Option<crate::AppError>,
}

#[cfg(test)]
mod tests;
