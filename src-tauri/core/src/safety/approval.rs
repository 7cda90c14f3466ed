//! Four eyes on the riskiest resets (peers-and-security.md §5.2, 3 and 8): a target who holds
//! an admin role or is on the VIP list, or a second MFA reset of the same user within a day,
//! needs a second operator. They sign in on the spot with their own account; who may approve
//! (someone else, not the user, offered the same action on that user) is checked for every
//! provider by the Console's `seam_approval`.

use super::policy::SafetyPolicy;
pub use resetdesk_model::safety::{ApprovalRecord, ApprovalRequirement};

/// Whom a reset is for, as the approval rules read them, from any provider.
pub struct Subject<'a> {
    pub id: &'a str,
    /// UPN, e-mail or login: what a VIP list names.
    pub login: &'a str,
    pub display_name: &'a str,
    /// Why the provider treats the user as privileged ("holds an admin role (…)."), if it does.
    pub privileged: Option<String>,
}

/// When a reset of `subject` needs approval under `policy`, for any provider.
/// `previous_mfa_reset` is the time of a completed MFA reset of this user within the
/// policy's window, when this reset is an MFA reset too.
pub fn requirement_for(
    policy: &SafetyPolicy,
    subject: &Subject<'_>,
    previous_mfa_reset: Option<&str>,
) -> ApprovalRequirement {
    let mut reasons = Vec::new();
    if policy.approval.privileged_targets {
        if let Some(why) = &subject.privileged {
            reasons.push(format!("{} {why}", subject.display_name));
        }
    }
    if policy.is_vip(subject.id, subject.login) {
        reasons.push(format!(
            "{} is on your organisation's VIP list.",
            subject.display_name
        ));
    }
    if let Some(at) = previous_mfa_reset {
        reasons.push(repeat_mfa_reset_reason(policy, at));
    }
    ApprovalRequirement {
        required: !reasons.is_empty(),
        reasons,
    }
}

/// Why a second MFA reset of a user needs a second person: the first was at `at`.
pub fn repeat_mfa_reset_reason(policy: &SafetyPolicy, at: &str) -> String {
    format!(
        "This user's MFA was already reset at {at}: a second reset within {} hours needs a second person.",
        policy.approval.repeat_mfa_reset_hours
    )
}

/// Per-user reasons a bulk job lists before it sums up the rest ("and 12 more users").
const BULK_REASONS_SHOWN: usize = 10;

/// When an MFA reset of several users needs approval: each user's own rules (as
/// [`requirement_for`], with their previous MFA reset, if any), and a job of more users than
/// the policy's `bulkUsersAbove` needs one for the whole job.
pub fn bulk_requirement(
    policy: &SafetyPolicy,
    targets: &[(Subject<'_>, Option<String>)],
) -> ApprovalRequirement {
    let mut reasons = Vec::new();
    let mut users_needing_it = 0usize;
    for (subject, previous_mfa_reset) in targets {
        let own = requirement_for(policy, subject, previous_mfa_reset.as_deref());
        if own.required {
            users_needing_it += 1;
            if users_needing_it <= BULK_REASONS_SHOWN {
                reasons.extend(own.reasons);
            }
        }
    }
    if users_needing_it > BULK_REASONS_SHOWN {
        reasons.push(format!(
            "And {} more users who need a second person.",
            users_needing_it - BULK_REASONS_SHOWN
        ));
    }
    let limit = policy.approval.bulk_users_above as usize;
    if targets.len() > limit {
        reasons.push(format!(
            "This job resets {} users, more than {limit}: a second person approves the whole job.",
            targets.len()
        ));
    }
    ApprovalRequirement {
        required: !reasons.is_empty(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(id: &'a str, display_name: &'a str, privileged: Option<&str>) -> Subject<'a> {
        Subject {
            id,
            login: id,
            display_name,
            privileged: privileged.map(str::to_string),
        }
    }

    #[test]
    fn a_bulk_job_needs_approval_for_its_users_own_rules_and_above_the_size_limit() {
        let policy = SafetyPolicy::default();
        let plain: Vec<(String, String)> = (0..25)
            .map(|n| (format!("u{n}"), format!("User {n}")))
            .collect();
        let targets = || -> Vec<(Subject<'_>, Option<String>)> {
            plain
                .iter()
                .map(|(id, name)| (subject(id, name, None), None))
                .collect()
        };
        assert!(!bulk_requirement(&policy, &targets()).required);

        // One more user than the limit: the whole job.
        let mut over = targets();
        over.push((subject("u25", "User 25", None), None));
        let requirement = bulk_requirement(&policy, &over);
        assert!(requirement.required);
        assert_eq!(
            requirement.reasons,
            vec!["This job resets 26 users, more than 25: a second person approves the whole job."]
        );

        // Small jobs: a privileged user (as Entra says it), a VIP, a repeated MFA reset, each
        // named.
        let admin = subject(
            "megan",
            "Megan Bowen",
            Some("holds an admin role (Global Administrator)."),
        );
        let mut vip_policy = SafetyPolicy::default();
        vip_policy.approval.vip_users = vec!["u1".into()];
        let repeated = (
            subject("u2", "User 2", None),
            Some("2026-12-05T10:00:00Z".to_string()),
        );
        let small = vec![
            (admin, None),
            (subject("u1", "User 1", None), None),
            repeated,
        ];
        let requirement = bulk_requirement(&vip_policy, &small);
        assert_eq!(requirement.reasons.len(), 3, "{:?}", requirement.reasons);
        assert!(requirement.reasons[0].contains("Megan Bowen holds an admin role"));
        assert!(requirement.reasons[1].contains("User 1 is on your organisation's VIP list"));
        assert!(requirement.reasons[2].contains("already reset at 2026-12-05T10:00:00Z"));

        // Many users needing it: ten named, the rest counted.
        let mut all_vip = SafetyPolicy::default();
        all_vip.approval.vip_users = plain.iter().map(|(id, _)| id.clone()).collect();
        let requirement = bulk_requirement(&all_vip, &targets());
        assert_eq!(requirement.reasons.len(), 11);
        assert_eq!(
            requirement.reasons[10],
            "And 15 more users who need a second person."
        );
    }
}
