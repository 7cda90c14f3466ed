//! What became of each step of a run, for every provider: what the result view shows and the
//! audit log records.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum StepStatus {
    Succeeded,
    Failed,
    /// Not run: blocked in the plan, refused by the re-check, or an earlier step failed in a
    /// way that makes this one unsafe.
    Skipped,
    /// Our own authorization re-check refused it just before it would have run.
    Refused,
    /// A step with no API, waiting for the operator to finish it in the admin page.
    WaitingForOperator,
    /// The operator finished it in the admin page and marked it done.
    CompletedByHand,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub step_index: usize,
    pub status: StepStatus,
    pub message: String,
    pub request_id: Option<String>,
    pub at: String,
}
