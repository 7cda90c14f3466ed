//! Team-wide counting (issue 15): the hourly cap and the repeat-MFA rule count this desktop's
//! audit log only, so resets from another desktop — or from the admin centre — would be
//! invisible. Where the provider keeps an audit log (Entra's directory audits; a provider of
//! the seam through `Session::tenant_resets_since`), its resets are counted too: each becomes
//! one more entry for the rules to read, never written to the local log, and never one this
//! desktop already holds.
//!
//! One reset, one entry: an event whose correlation id is the request id of one of this
//! desktop's own steps is already counted; the method deletions of one initiator on one user
//! within [`SAME_RESET`] of each other are one MFA reset (it deletes each method in turn, each
//! its own event), while each password set is a reset of its own. A late event (audit events arrive minutes after the change) changes nothing once
//! its reset is counted locally, and counts when it is another desktop's.

use std::collections::HashSet;

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::legacy_labels::{MFA_RESET, PASSWORD_RESET};
use crate::audit::{AuditEntry, AuditOutcome, AuditRecord};
use crate::model::action::SafetyClass;

/// Events of one initiator on one user this close together are one reset.
pub const SAME_RESET: Duration = Duration::minutes(5);

/// One reset event of the tenant's audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantReset {
    pub at: DateTime<Utc>,
    /// Who made it (UPN), as the audit log names them.
    pub initiator: String,
    pub target_id: String,
    pub target: String,
    /// A method deleted (part of an MFA reset) rather than a password set or a pass issued.
    pub mfa: bool,
    /// The request id of the write, when the log gives it.
    pub correlation_id: Option<String>,
}

/// The resets of `tenant` that `local` (this desktop's recent entries) does not hold, as
/// entries the rate and repeat rules count like their own.
pub fn others_resets(tenant: &[TenantReset], local: &[AuditEntry]) -> Vec<AuditEntry> {
    let own_requests: HashSet<&str> = local
        .iter()
        .flat_map(|e| e.record.steps.iter())
        .filter_map(|step| step.request_id.as_deref())
        .collect();
    let mut others: Vec<&TenantReset> = tenant
        .iter()
        .filter(|event| {
            event
                .correlation_id
                .as_deref()
                .is_none_or(|id| !own_requests.contains(id))
        })
        .collect();
    others.sort_by_key(|event| event.at);
    // (initiator, target, mfa) → the last event of the reset being grouped.
    let mut grouped: Vec<(&TenantReset, DateTime<Utc>)> = Vec::new();
    for event in others {
        // A password is set once per reset; an MFA reset deletes each method in turn.
        let same = grouped.iter_mut().rev().find(|(first, last)| {
            event.mfa
                && first.mfa
                && first.initiator.eq_ignore_ascii_case(&event.initiator)
                && first.target_id == event.target_id
                && event.at - *last <= SAME_RESET
        });
        match same {
            Some((_, last)) => *last = event.at,
            None => grouped.push((event, event.at)),
        }
    }
    grouped
        .into_iter()
        .map(|(first, _)| entry_of(first))
        .collect()
}

fn entry_of(event: &TenantReset) -> AuditEntry {
    // The rules read the class; the label names the kind of reset for whoever reads the entry.
    let (action, class) = if event.mfa {
        (MFA_RESET, SafetyClass::MfaReset)
    } else {
        (PASSWORD_RESET, SafetyClass::Reset)
    };
    AuditEntry {
        seq: 0,
        at: event.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        record: AuditRecord {
            operator: event.initiator.clone(),
            connection_id: String::new(),
            tenant_id: String::new(),
            target_id: event.target_id.clone(),
            target: event.target.clone(),
            action: action.to_string(),
            // A plan counts once however many entries it has: an event without a request id
            // is a reset of its own, not one plan with every other such event.
            plan_id: event
                .correlation_id
                .as_deref()
                .map(|id| format!("tenant-audit:{id}")),
            plan: Vec::new(),
            reason: String::new(),
            outcome: AuditOutcome::Succeeded,
            steps: Vec::new(),
            message: Some("From the tenant's directory audit log".to_string()),
            verification: None,
            approval: None,
            safety_class: Some(class),
        },
        prev_hash: String::new(),
        hash: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Outcome, StepStatus};

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(minute)
    }

    fn event(minute: i64, initiator: &str, target: &str, mfa: bool, id: &str) -> TenantReset {
        TenantReset {
            at: at(minute),
            initiator: initiator.into(),
            target_id: target.into(),
            target: format!("{target}@contoso.com"),
            mfa,
            correlation_id: Some(id.into()),
        }
    }

    fn local_with_request(id: &str) -> AuditEntry {
        let mut entry = entry_of(&event(0, "me@contoso.com", "adele", false, "x"));
        entry.record.steps = vec![Outcome {
            step_index: 0,
            status: StepStatus::Succeeded,
            message: String::new(),
            request_id: Some(id.into()),
            at: String::new(),
        }];
        entry
    }

    #[test]
    fn an_mfa_reset_of_several_deletions_counts_once_and_this_desktops_own_not_at_all() {
        let tenant = vec![
            // Another desktop's MFA reset of Lee: three methods deleted within a minute.
            event(1, "Other@contoso.com", "lee", true, "r1"),
            event(1, "other@contoso.com", "lee", true, "r2"),
            event(2, "other@contoso.com", "lee", true, "r3"),
            // The same operator's password resets of Lee are other resets, each its own.
            event(2, "other@contoso.com", "lee", false, "r4"),
            event(3, "other@contoso.com", "lee", false, "r6"),
            // An hour later, again: a new reset.
            event(70, "other@contoso.com", "lee", true, "r5"),
            // This desktop's own reset, already in its log (a late event of it).
            event(3, "me@contoso.com", "adele", false, "mine"),
        ];
        let others = others_resets(&tenant, &[local_with_request("mine")]);
        let summary: Vec<(&str, &str, &str)> = others
            .iter()
            .map(|e| {
                (
                    e.record.operator.as_str(),
                    e.record.target_id.as_str(),
                    e.record.action.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("Other@contoso.com", "lee", "Require re-register MFA"),
                ("other@contoso.com", "lee", "Reset password"),
                ("other@contoso.com", "lee", "Reset password"),
                ("other@contoso.com", "lee", "Require re-register MFA"),
            ]
        );
        assert!(others
            .iter()
            .all(|e| e.record.outcome == AuditOutcome::Succeeded));
    }

    #[test]
    fn resets_a_log_gives_no_request_id_for_each_count_on_their_own() {
        let without_id = |minute| TenantReset {
            correlation_id: None,
            ..event(minute, "other@contoso.com", "lee", false, "")
        };
        let others = others_resets(&[without_id(1), without_id(2)], &[]);
        let rate = crate::safety::rate::rate_status(&others, "other@contoso.com", 10, at(3));
        assert_eq!(rate.used, 2, "two password resets, not one plan");
    }
}
