//! Append-only, hash-chained audit log of every attempted action: allowed, refused, failed or
//! succeeded. One JSON object per line; each entry carries the hash of the one before, so an
//! edited, removed or reordered line breaks the chain and `verify` names the first broken one.
//! Never a password or a token: the types below have no field that could hold one.
//! (being written: AuditLog::open / append / list / verify)

use serde::{Deserialize, Serialize};

use crate::execute::Outcome;

/// Overall result of one attempted action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuditOutcome {
    Succeeded,
    /// Some steps succeeded, some did not.
    Partial,
    Failed,
    /// Refused by our authorization check (or the provider's 403) before any change.
    Refused,
}

/// What the caller supplies; `append` adds seq, time and the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub seq: u64,
    pub at: String,
    #[serde(flatten)]
    pub record: AuditRecord,
    /// Hex SHA-256 of the previous entry's `hash` ("" … "0"*64 for the first).
    pub prev_hash: String,
    /// Hex SHA-256 over this entry's canonical JSON without `hash`.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditVerification {
    pub ok: bool,
    pub entries: u64,
    /// Sequence number (1-based line) of the first entry that does not chain.
    pub first_broken: Option<u64>,
    pub message: String,
}
