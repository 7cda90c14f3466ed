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

/// Who acted, in which connection and tenant, on whom: the parties of an audit record.
#[derive(Debug, Clone, Copy)]
pub struct AuditParties<'a> {
    /// The operator's sign-in name (an approver's, for a refused approval).
    pub operator: &'a str,
    pub connection_id: &'a str,
    pub tenant_id: &'a str,
    pub target_id: &'a str,
    /// The target as the log shows it (a sign-in name, or what a bulk job covers).
    pub target: &'a str,
}

impl AuditRecord {
    /// An action refused before anything was sent, with why in the words shown to the operator:
    /// no plan, no steps, no reason. Every provider's refusals are written through this one
    /// shape, so Activity and the hourly cap read them alike.
    pub fn refused(parties: AuditParties<'_>, action: &str, why: impl Into<String>) -> Self {
        Self {
            operator: parties.operator.to_string(),
            connection_id: parties.connection_id.to_string(),
            tenant_id: parties.tenant_id.to_string(),
            target_id: parties.target_id.to_string(),
            target: parties.target.to_string(),
            action: action.to_string(),
            plan_id: None,
            plan: Vec::new(),
            reason: String::new(),
            outcome: AuditOutcome::Refused,
            steps: Vec::new(),
            message: Some(why.into()),
            verification: None,
            approval: None,
            safety_class: None,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_records_who_on_whom_what_and_why_and_nothing_planned() {
        let parties = AuditParties {
            operator: "helpdesk@contoso.sandbox",
            connection_id: "sandbox",
            tenant_id: "t-1",
            target_id: "u-1",
            target: "megan@contoso.sandbox",
        };
        let record = AuditRecord::refused(
            parties,
            "Reset password",
            "Only a Global Administrator may.",
        );
        assert_eq!(record.outcome, AuditOutcome::Refused);
        assert_eq!(record.operator, "helpdesk@contoso.sandbox");
        assert_eq!(
            (record.connection_id.as_str(), record.tenant_id.as_str()),
            ("sandbox", "t-1")
        );
        assert_eq!(
            (record.target_id.as_str(), record.target.as_str()),
            ("u-1", "megan@contoso.sandbox")
        );
        assert_eq!(record.action, "Reset password");
        assert_eq!(
            record.message.as_deref(),
            Some("Only a Global Administrator may.")
        );
        assert!(record.plan_id.is_none() && record.plan.is_empty() && record.steps.is_empty());
        assert!(record.reason.is_empty());
        // The fields a refusal never had stay out of its JSON, so the hourly cap and the hash
        // chain read it as they read the refusals written before.
        let json = serde_json::to_value(&record).unwrap();
        for absent in ["verification", "approval", "safetyClass"] {
            assert!(json.get(absent).is_none(), "{absent}: {json}");
        }
    }
}
