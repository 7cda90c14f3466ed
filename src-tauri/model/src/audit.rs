//! What the audit log records of every attempted action: the record, the entry with its place
//! in the hash chain, and the verdict of a chain check. The log itself (append, verify, export)
//! is the core's.

use serde::{Deserialize, Serialize};

use crate::action::SafetyClass;
use crate::safety::{ApprovalRecord, VerificationRecord};
use crate::step::Outcome;

/// Overall result of one attempted action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum AuditOutcome {
    Succeeded,
    /// Some steps succeeded, some did not.
    Partial,
    Failed,
    /// Refused by our authorization check (or the provider's 403) before any change.
    Refused,
    /// The API steps ran; steps to finish by hand in the provider's admin page remain.
    Pending,
}

/// What the caller supplies; `append` adds seq, time and the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub operator: String,
    pub connection_id: String,
    pub tenant_id: String,
    pub target_id: String,
    pub target: String,
    pub action: String,
    pub plan_id: Option<String>,
    /// The plan's step summaries, as shown in the confirmation.
    pub plan: Vec<String>,
    pub reason: String,
    pub outcome: AuditOutcome,
    pub steps: Vec<Outcome>,
    /// Why it was refused or failed, in the words shown to the operator.
    pub message: Option<String>,
    /// How the caller was verified (issue 5), when a verification was recorded. Absent in
    /// entries written before it existed, so their hashes still verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationRecord>,
    /// Who approved, when a second person had to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalRecord>,
    /// The safety class the plan declared. Absent in entries written before it existed (the
    /// hourly cap counts those by their action's label, as it did then), so their hashes still
    /// verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_class: Option<SafetyClass>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub seq: u64,
    pub at: String,
    #[serde(flatten)]
    pub record: AuditRecord,
    /// The previous entry's `hash` (64 zeros for the first entry).
    pub prev_hash: String,
    /// Hex SHA-256 over this entry's canonical JSON without `hash`.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct AuditVerification {
    pub ok: bool,
    pub entries: u64,
    /// Sequence number (1-based line) of the first entry that does not chain.
    pub first_broken: Option<u64>,
    pub message: String,
}
