//! Four eyes on the riskiest resets (peers-and-security.md §5.2, 3 and 8): a target who holds
//! an admin role or is on the VIP list, or a second MFA reset of the same user within a day,
//! needs a second operator. They sign in on the spot with their own account; who may approve
//! (someone else, not the user, offered the same action on that user) is checked for every
//! provider by the Console's `seam_approval`.

use super::policy::SafetyPolicy;
use crate::model::DirectoryUser;
use crate::providers::entra::actions::ActionKind;
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

/// When `action` on an Entra `target` needs approval under `policy`. `previous_mfa_reset` is
/// the time of a completed "Require re-register MFA" of this user within the policy's
/// window, if any.
pub fn requirement(
    policy: &SafetyPolicy,
    action: ActionKind,
    target: &DirectoryUser,
    previous_mfa_reset: Option<&str>,
) -> ApprovalRequirement {
    let privileged = crate::providers::entra::session::privileged_reason(target);
    let subject = Subject {
        id: &target.id,
        login: &target.user_principal_name,
        display_name: &target.display_name,
        privileged,
    };
    let previous_mfa_reset =
        previous_mfa_reset.filter(|_| action == ActionKind::RequireReregisterMfa);
    requirement_for(policy, &subject, previous_mfa_reset)
}

/// Per-user reasons a bulk job lists before it sums up the rest ("and 12 more users").
const BULK_REASONS_SHOWN: usize = 10;

/// When a reset of several users needs approval: each user's own rules (as
/// [`requirement`], with their previous MFA reset, if any), and a job of more users than the
/// policy's `bulkUsersAbove` needs one for the whole job.
pub fn bulk_requirement(
    policy: &SafetyPolicy,
    action: ActionKind,
    targets: &[(&DirectoryUser, Option<String>)],
) -> ApprovalRequirement {
    let mut reasons = Vec::new();
    let mut users_needing_it = 0usize;
    for (target, previous_mfa_reset) in targets {
        let own = requirement(policy, action, target, previous_mfa_reset.as_deref());
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
    use crate::model::RoleRef;
    use crate::providers::entra::policy::role_ids;

    fn user(roles: Vec<RoleRef>) -> DirectoryUser {
        DirectoryUser {
            id: "megan".into(),
            user_principal_name: "megan.bowen@contoso.sandbox".into(),
            display_name: "Megan Bowen".into(),
            admin_roles: roles,
            roles_known: true,
            ..Default::default()
        }
    }

    fn global_admin() -> Vec<RoleRef> {
        vec![RoleRef {
            template_id: role_ids::GLOBAL_ADMINISTRATOR.into(),
            display_name: "Global Administrator".into(),
        }]
    }

    #[test]
    fn privileged_vip_and_repeated_mfa_resets_need_approval_each_with_its_reason() {
        let policy = SafetyPolicy::default();
        let plain = requirement(&policy, ActionKind::ResetPassword, &user(vec![]), None);
        assert!(!plain.required);
        let admin = requirement(
            &policy,
            ActionKind::ResetPassword,
            &user(global_admin()),
            None,
        );
        assert!(admin.required);
        assert_eq!(
            admin.reasons,
            vec!["Megan Bowen holds an admin role (Global Administrator)."]
        );
        let mut in_group = user(vec![]);
        in_group.in_role_assignable_group = true;
        assert!(requirement(&policy, ActionKind::ResetPassword, &in_group, None).required);

        let mut vip_policy = SafetyPolicy::default();
        vip_policy.approval.vip_users = vec!["MEGAN.BOWEN@contoso.sandbox".into()];
        let vip = requirement(&vip_policy, ActionKind::ResetPassword, &user(vec![]), None);
        assert!(vip.reasons[0].contains("VIP"));

        let again = requirement(
            &policy,
            ActionKind::RequireReregisterMfa,
            &user(vec![]),
            Some("2026-11-23T08:00:00Z"),
        );
        assert!(again.required);
        assert!(again.reasons[0].contains("within 24 hours"));
        // The repeat rule is about MFA resets only.
        assert!(
            !requirement(
                &policy,
                ActionKind::ResetPassword,
                &user(vec![]),
                Some("2026-11-23T08:00:00Z")
            )
            .required
        );

        let mut off = SafetyPolicy::default();
        off.approval.privileged_targets = false;
        assert!(
            !requirement(&off, ActionKind::ResetPassword, &user(global_admin()), None).required
        );
    }

    #[test]
    fn a_bulk_job_needs_approval_for_its_users_own_rules_and_above_the_size_limit() {
        let policy = SafetyPolicy::default();
        let plain: Vec<DirectoryUser> = (0..25)
            .map(|n| DirectoryUser {
                id: format!("u{n}"),
                display_name: format!("User {n}"),
                ..Default::default()
            })
            .collect();
        let targets: Vec<(&DirectoryUser, Option<String>)> =
            plain.iter().map(|u| (u, None)).collect();
        let action = ActionKind::RequireReregisterMfa;
        assert!(!bulk_requirement(&policy, action, &targets).required);

        // One more user than the limit: the whole job.
        let one_more = DirectoryUser {
            id: "u25".into(),
            display_name: "User 25".into(),
            ..Default::default()
        };
        let mut over = targets.clone();
        over.push((&one_more, None));
        let requirement = bulk_requirement(&policy, action, &over);
        assert!(requirement.required);
        assert_eq!(
            requirement.reasons,
            vec!["This job resets 26 users, more than 25: a second person approves the whole job."]
        );

        // Small jobs: a privileged user, a VIP, a repeated MFA reset, each named.
        let admin = user(global_admin());
        let mut vip_policy = SafetyPolicy::default();
        vip_policy.approval.vip_users = vec!["u1".into()];
        let repeated = (&plain[2], Some("2026-12-05T10:00:00Z".to_string()));
        let small = vec![(&admin, None), (&plain[1], None), repeated];
        let requirement = bulk_requirement(&vip_policy, action, &small);
        assert_eq!(requirement.reasons.len(), 3, "{:?}", requirement.reasons);
        assert!(requirement.reasons[0].contains("Megan Bowen holds an admin role"));
        assert!(requirement.reasons[1].contains("User 1 is on your organisation's VIP list"));
        assert!(requirement.reasons[2].contains("already reset at 2026-12-05T10:00:00Z"));

        // Many users needing it: ten named, the rest counted.
        let mut all_vip = SafetyPolicy::default();
        all_vip.approval.vip_users = plain.iter().map(|u| u.id.clone()).collect();
        let requirement = bulk_requirement(&all_vip, action, &targets);
        assert_eq!(requirement.reasons.len(), 11);
        assert_eq!(
            requirement.reasons[10],
            "And 15 more users who need a second person."
        );
    }
}
