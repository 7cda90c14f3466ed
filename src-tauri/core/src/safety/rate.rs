//! Rate limits (peers-and-security.md §5.2, 8), counted from the audit log, which already
//! holds every completed action and survives a restart: an operator's resets in the last hour,
//! and the last MFA reset of a user (a second one within the window needs approval).

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::in_flight::RunningReset;
use super::legacy_labels::counted_by_label;
use crate::audit::{AuditEntry, AuditOutcome};
pub use resetdesk_model::safety::RateStatus;

/// The window the hourly cap counts over.
pub const RATE_WINDOW: Duration = Duration::hours(1);

/// An attempt that changed something counts; a refused or wholly failed one does not.
fn changed_something(entry: &AuditEntry) -> bool {
    matches!(
        entry.record.outcome,
        // Pending: a Zoho or Privilege Secure reset whose by-hand steps are under way.
        AuditOutcome::Succeeded | AuditOutcome::Partial | AuditOutcome::Pending
    )
}

fn at(entry: &AuditEntry) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&entry.at)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A reset, by the safety class its plan declared; an entry written before classes were
/// recorded, by its action's label, as it was counted then.
fn is_reset_entry(entry: &AuditEntry) -> bool {
    match entry.record.safety_class {
        Some(class) => class.is_reset(),
        None => counted_by_label(&entry.record.action).reset,
    }
}

/// An MFA reset in the audit log, by the safety class its plan declared; an entry written
/// before classes were recorded, by its label, as it was counted then (Entra's "Require
/// re-register MFA", or a step of Lighthouse's "Reset all multi-factor authentications": one
/// entry per method removed).
fn is_mfa_reset_entry(entry: &AuditEntry) -> bool {
    match entry.record.safety_class {
        Some(class) => class.resets_mfa(),
        None => counted_by_label(&entry.record.action).mfa_reset,
    }
}

/// `operator_upn`'s resets among `entries` in the hour before `now`.
pub fn rate_status(
    entries: &[AuditEntry],
    operator_upn: &str,
    limit: u32,
    now: DateTime<Utc>,
) -> RateStatus {
    rate_status_with_running(entries, &[], operator_upn, limit, now)
}

/// As [`rate_status`], also counting `operator_upn`'s resets that are running now (allowed,
/// not yet in the audit log).
pub fn rate_status_with_running(
    entries: &[AuditEntry],
    running: &[RunningReset],
    operator_upn: &str,
    limit: u32,
    now: DateTime<Utc>,
) -> RateStatus {
    // A plan counts once, however many entries it has (a run, then its steps marked by hand).
    let mut plans_seen = std::collections::HashSet::new();
    let mut counted: Vec<DateTime<Utc>> = entries
        .iter()
        .filter(|e| e.record.operator.eq_ignore_ascii_case(operator_upn))
        .filter(|e| is_reset_entry(e))
        .filter(|e| changed_something(e))
        .filter(|e| match &e.record.plan_id {
            Some(plan_id) => plans_seen.insert(plan_id.clone()),
            None => true,
        })
        .filter_map(at)
        .filter(|t| *t > now - RATE_WINDOW && *t <= now)
        .collect();
    counted.extend(
        running
            .iter()
            .filter(|r| r.operator.eq_ignore_ascii_case(operator_upn))
            .map(|r| r.since.min(now)),
    );
    counted.sort();
    let used = u32::try_from(counted.len()).unwrap_or(u32::MAX);
    // With the cap reached, a slot frees when enough of the oldest resets leave the window.
    let next_allowed_at = (used >= limit).then(|| {
        let index = (used - limit) as usize;
        (counted[index] + RATE_WINDOW).to_rfc3339_opts(SecondsFormat::Secs, true)
    });
    RateStatus {
        used,
        limit,
        next_allowed_at,
        note: None,
    }
}

/// When `target_id`'s MFA was last reset (completed, by anyone) within `window_hours` of
/// `now`; `None` if not, or if the rule is off (0 hours).
pub fn previous_mfa_reset(
    entries: &[AuditEntry],
    target_id: &str,
    window_hours: u32,
    now: DateTime<Utc>,
) -> Option<String> {
    previous_mfa_reset_with_running(entries, &[], target_id, window_hours, now)
}

/// As [`previous_mfa_reset`]; an MFA reset of `target_id` running now counts as the latest.
pub fn previous_mfa_reset_with_running(
    entries: &[AuditEntry],
    running: &[RunningReset],
    target_id: &str,
    window_hours: u32,
    now: DateTime<Utc>,
) -> Option<String> {
    if window_hours == 0 {
        return None;
    }
    if let Some(running) = running
        .iter()
        .filter(|r| r.mfa_reset && r.target_id == target_id)
        .max_by_key(|r| r.since)
    {
        return Some(running.since.to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    let window = Duration::hours(i64::from(window_hours));
    entries
        .iter()
        .filter(|e| e.record.target_id == target_id)
        .filter(|e| is_mfa_reset_entry(e))
        .filter(|e| changed_something(e))
        .filter_map(|e| at(e).map(|t| (t, e)))
        .filter(|(t, _)| *t > now - window && *t <= now)
        .max_by_key(|(t, _)| *t)
        .map(|(_, e)| e.at.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditRecord;

    /// The labels entries were audited under before safety classes (see `legacy_labels`).
    #[derive(Clone, Copy)]
    enum Label {
        ResetPassword,
        RequireReregisterMfa,
        IssueTemporaryAccessPass,
        RevokeSessions,
    }
    use Label::*;

    impl Label {
        fn label(self) -> &'static str {
            match self {
                ResetPassword => "Reset password",
                RequireReregisterMfa => "Require re-register MFA",
                IssueTemporaryAccessPass => "Issue Temporary Access Pass",
                RevokeSessions => "Revoke sessions",
            }
        }
    }

    fn entry(minutes_ago: i64, operator: &str, action: Label, outcome: AuditOutcome) -> AuditEntry {
        let now = now();
        AuditEntry {
            seq: 1,
            at: (now - Duration::minutes(minutes_ago)).to_rfc3339_opts(SecondsFormat::Millis, true),
            record: AuditRecord {
                operator: operator.into(),
                connection_id: "c".into(),
                tenant_id: "t".into(),
                target_id: "adele".into(),
                target: "adele@contoso.sandbox".into(),
                action: action.label().into(),
                plan_id: None,
                plan: vec![],
                reason: "r".into(),
                outcome,
                steps: vec![],
                message: None,
                verification: None,
                approval: None,
                safety_class: None,
            },
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn running(operator: &str, target_id: &str, mfa_reset: bool) -> RunningReset {
        RunningReset {
            operator: operator.into(),
            target_id: target_id.into(),
            mfa_reset,
            since: now(),
        }
    }

    #[test]
    fn a_running_reset_counts_against_its_operators_cap_and_as_the_latest_mfa_reset() {
        let entries = vec![entry(10, "op@x", ResetPassword, AuditOutcome::Succeeded)];
        let running = [
            running("OP@x", "megan", false),
            running("other@x", "adele", true),
        ];
        let status = rate_status_with_running(&entries, &running, "op@x", 2, now());
        assert_eq!(status.used, 2);
        assert!(status.reached());
        let status = rate_status_with_running(&entries, &running, "other@x", 2, now());
        assert_eq!(status.used, 1);

        assert!(previous_mfa_reset_with_running(&entries, &running, "adele", 24, now()).is_some());
        assert!(previous_mfa_reset_with_running(&entries, &running, "megan", 24, now()).is_none());
        assert!(previous_mfa_reset_with_running(&entries, &running, "adele", 0, now()).is_none());
    }

    #[test]
    fn a_lighthouse_bulk_step_is_an_mfa_reset_of_its_user() {
        let mut step = entry(30, "tech@x", ResetPassword, AuditOutcome::Succeeded);
        step.record.action = "Reset all multi-factor authentications".into();
        let entries = vec![step];
        assert_eq!(
            previous_mfa_reset(&entries, "adele", 24, now()).as_deref(),
            Some(entries[0].at.as_str())
        );
        let mut refused = entries.clone();
        refused[0].record.outcome = AuditOutcome::Refused;
        assert!(previous_mfa_reset(&refused, "adele", 24, now()).is_none());
    }

    #[test]
    fn only_the_operators_completed_resets_of_the_last_hour_count() {
        use AuditOutcome::*;
        let entries = vec![
            entry(5, "a@x", ResetPassword, Succeeded),
            entry(10, "A@X", RequireReregisterMfa, Partial),
            entry(20, "a@x", IssueTemporaryAccessPass, Succeeded),
            entry(25, "a@x", RevokeSessions, Succeeded), // not a reset
            entry(30, "a@x", ResetPassword, Refused),    // changed nothing
            entry(35, "a@x", ResetPassword, Failed),
            entry(40, "b@x", ResetPassword, Succeeded), // someone else
            entry(61, "a@x", ResetPassword, Succeeded), // outside the hour
        ];
        let status = rate_status(&entries, "a@x", 5, now());
        assert_eq!(status.used, 3);
        assert!(!status.reached());
        assert_eq!(status.next_allowed_at, None);

        let capped = rate_status(&entries, "a@x", 2, now());
        assert!(capped.reached());
        // Used 3 of 2: the two oldest must leave; the second oldest (10 min ago) frees a slot
        // at 12:50.
        assert_eq!(
            capped.next_allowed_at.as_deref(),
            Some("2026-11-23T12:50:00Z")
        );
        assert!(capped.refusal().contains("12:50"));
        let at_cap = rate_status(&entries, "a@x", 3, now());
        // At the cap exactly, the oldest (20 min ago) frees the next slot.
        assert_eq!(
            at_cap.next_allowed_at.as_deref(),
            Some("2026-11-23T12:40:00Z")
        );
    }

    #[test]
    fn a_completed_mfa_reset_of_the_user_within_the_window_is_found() {
        use AuditOutcome::*;
        let entries = vec![
            entry(60 * 25, "a@x", RequireReregisterMfa, Succeeded),
            entry(60 * 3, "b@x", RequireReregisterMfa, Failed),
            entry(60 * 2, "b@x", ResetPassword, Succeeded),
        ];
        assert_eq!(previous_mfa_reset(&entries, "adele", 24, now()), None);
        let mut with_recent = entries.clone();
        with_recent.push(entry(60 * 5, "b@x", RequireReregisterMfa, Partial));
        assert_eq!(
            previous_mfa_reset(&with_recent, "adele", 24, now()).as_deref(),
            Some("2026-11-23T07:00:00.000Z")
        );
        assert_eq!(previous_mfa_reset(&with_recent, "other", 24, now()), None);
        assert_eq!(previous_mfa_reset(&with_recent, "adele", 0, now()), None);
    }

    #[test]
    fn the_safety_class_an_entry_declares_decides_what_it_counts_as_not_its_label() {
        use resetdesk_model::action::SafetyClass;
        let with_class = |label: &str, class: SafetyClass| {
            let mut e = entry(30, "a@x", ResetPassword, AuditOutcome::Succeeded);
            e.record.action = label.into();
            e.record.safety_class = Some(class);
            e
        };
        // A provider's own label ResetDesk never knew: counted by its class.
        let token = [with_class(
            "Reset 2-Factor Token of a new kind",
            SafetyClass::MfaReset,
        )];
        assert!(previous_mfa_reset(&token, "adele", 24, now()).is_some());
        assert_eq!(rate_status(&token, "a@x", 5, now()).used, 1);
        // An Entra MFA label under another class is not an MFA reset; a bulk step is not
        // counted by the operator's cap but is one of its user's MFA resets.
        let password = [with_class(RequireReregisterMfa.label(), SafetyClass::Reset)];
        assert!(previous_mfa_reset(&password, "adele", 24, now()).is_none());
        assert_eq!(rate_status(&password, "a@x", 5, now()).used, 1);
        let bulk = [with_class("lighthouse.resetAllMfa", SafetyClass::Bulk)];
        assert!(previous_mfa_reset(&bulk, "adele", 24, now()).is_some());
        assert_eq!(rate_status(&bulk, "a@x", 5, now()).used, 0);
        let sessions = [with_class(ResetPassword.label(), SafetyClass::SessionsOnly)];
        assert_eq!(rate_status(&sessions, "a@x", 5, now()).used, 0);
        assert!(previous_mfa_reset(&sessions, "adele", 24, now()).is_none());
    }
}
