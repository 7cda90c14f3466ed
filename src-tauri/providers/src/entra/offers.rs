//! Which of Entra's actions a user's page offers for a given (operator, target). The answer
//! comes from [`super::policy`]; an action that is not allowed is still listed, disabled, with
//! the reason the page shows.

use serde::{Deserialize, Serialize};

use super::actions::ActionKind;
use super::policy::{self, Decision};
use resetdesk_core::model::{DirectoryUser, Operator};

/// One button of the user's page: offered (enabled) or not, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferedAction {
    pub action: ActionKind,
    pub label: String,
    pub allowed: bool,
    pub reason: Option<String>,
}

/// The buttons of the user's page, each enabled or disabled with the reason, as
/// [`policy::decide`] answers for this operator and this target (read live, with roles).
/// Require re-register MFA stays offered to an Authentication Administrator even when the
/// user has hardware OATH tokens: the plan marks that one step blocked and runs the rest.
pub fn available_actions(operator: &Operator, target: &DirectoryUser) -> Vec<OfferedAction> {
    ActionKind::ALL
        .iter()
        .map(|&action| {
            let (allowed, reason) = match policy::decide(action, operator, target) {
                Decision::Allowed => (true, None),
                Decision::Denied { reason } => (false, Some(reason)),
            };
            OfferedAction {
                action,
                label: action.label().to_string(),
                allowed,
                reason,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::policy::role_ids;
    use resetdesk_core::model::RoleRef;

    fn operator(role: &str) -> Operator {
        Operator {
            connection_id: "c".into(),
            tenant_id: "t".into(),
            id: "op".into(),
            user_principal_name: "op@contoso.sandbox".into(),
            display_name: "Op".into(),
            roles: vec![RoleRef {
                template_id: role.into(),
                display_name: "role".into(),
            }],
        }
    }

    fn user() -> DirectoryUser {
        DirectoryUser {
            id: "adele".into(),
            display_name: "Adele Vance".into(),
            roles_known: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_helpdesk_administrator_is_offered_reset_and_revoke_but_not_mfa() {
        let offered = available_actions(&operator(role_ids::HELPDESK_ADMINISTRATOR), &user());
        let by_kind = |kind| offered.iter().find(|o| o.action == kind).unwrap();
        assert_eq!(offered.len(), 4);
        assert!(by_kind(ActionKind::ResetPassword).allowed);
        assert!(!by_kind(ActionKind::IssueTemporaryAccessPass).allowed);
        assert_eq!(
            by_kind(ActionKind::IssueTemporaryAccessPass).label,
            "Issue Temporary Access Pass"
        );
        assert!(by_kind(ActionKind::RevokeSessions).allowed);
        let mfa = by_kind(ActionKind::RequireReregisterMfa);
        assert!(!mfa.allowed);
        assert_eq!(mfa.label, "Require re-register MFA");
        assert_eq!(
            mfa.reason.as_deref(),
            Some("Helpdesk Administrators cannot manage authentication methods. Ask an Authentication Administrator.")
        );
        assert!(by_kind(ActionKind::ResetPassword).reason.is_none());
    }

    #[test]
    fn an_authentication_administrator_is_offered_all_four_on_a_plain_user_and_none_on_a_global_admin(
    ) {
        let auth = operator(role_ids::AUTHENTICATION_ADMINISTRATOR);
        assert!(available_actions(&auth, &user())
            .iter()
            .all(|o| o.allowed && o.reason.is_none()));
        let mut megan = user();
        megan.admin_roles = vec![RoleRef {
            template_id: role_ids::GLOBAL_ADMINISTRATOR.into(),
            display_name: "GA".into(),
        }];
        let offered = available_actions(&auth, &megan);
        assert!(offered.iter().all(|o| !o.allowed
            && o.reason
                .as_deref()
                .unwrap()
                .contains("Global Administrator")));
    }
}
