//! The catalogue of actions an operator can take on a user, and which of them are offered
//! for a given (operator, target). The answer comes from [`crate::authz`]; an action that is
//! not allowed is still listed, disabled, with the reason the page shows.

use serde::{Deserialize, Serialize};

use crate::authz::{self, Decision};
use crate::model::{DirectoryUser, Operator};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActionKind {
    /// Temporary password, must be changed at next sign-in.
    ResetPassword,
    /// Deactivate hardware OATH tokens; delete phone numbers, Authenticator apps and
    /// software OATH tokens.
    RequireReregisterMfa,
    /// Invalidate refresh tokens and session cookies.
    RevokeSessions,
    /// A time-limited pass the user signs in with to register new methods (Entra). Lifetime
    /// and one-time use come in [`ActionOptions`], checked against the tenant's policy.
    IssueTemporaryAccessPass,
}

impl ActionKind {
    pub const ALL: [ActionKind; 4] = [
        ActionKind::ResetPassword,
        ActionKind::RequireReregisterMfa,
        ActionKind::RevokeSessions,
        ActionKind::IssueTemporaryAccessPass,
    ];

    /// The admin centre's own button text.
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::ResetPassword => "Reset password",
            ActionKind::RequireReregisterMfa => "Require re-register MFA",
            ActionKind::RevokeSessions => "Revoke sessions",
            ActionKind::IssueTemporaryAccessPass => "Issue Temporary Access Pass",
        }
    }

    /// Actions whose confirmation offers "Also revoke the user's sessions".
    pub fn offers_session_revocation(self) -> bool {
        matches!(
            self,
            ActionKind::ResetPassword | ActionKind::RequireReregisterMfa
        )
    }
}

/// What the operator chose in the confirmation, sent with `plan_action`. Every field is
/// optional on the wire; an unknown one is refused rather than silently ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ActionOptions {
    /// Reset password / Require re-register MFA: add a final "revoke sessions" step. The page
    /// ticks it by default; a caller that sends no options gets the action alone.
    pub also_revoke_sessions: bool,
    /// Issue Temporary Access Pass: minutes the pass is valid; the policy's default if absent.
    pub tap_lifetime_minutes: Option<u32>,
    /// Issue Temporary Access Pass: one-time use; `true` if absent.
    pub tap_usable_once: Option<bool>,
}

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
/// [`authz::decide`] answers for this operator and this target (read live, with roles).
/// Require re-register MFA stays offered to an Authentication Administrator even when the
/// user has hardware OATH tokens: the plan marks that one step blocked and runs the rest.
pub fn available_actions(operator: &Operator, target: &DirectoryUser) -> Vec<OfferedAction> {
    ActionKind::ALL
        .iter()
        .map(|&action| {
            let (allowed, reason) = match authz::decide(action, operator, target) {
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
    use crate::authz::role_ids;
    use crate::model::RoleRef;

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

#[cfg(test)]
mod option_tests {
    use super::*;

    #[test]
    fn options_are_optional_camel_case_and_unknown_fields_are_refused() {
        let none: ActionOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(none, ActionOptions::default());
        let tap: ActionOptions = serde_json::from_str(
            r#"{"tapLifetimeMinutes":120,"tapUsableOnce":false,"alsoRevokeSessions":true}"#,
        )
        .unwrap();
        assert_eq!(tap.tap_lifetime_minutes, Some(120));
        assert_eq!(tap.tap_usable_once, Some(false));
        assert!(tap.also_revoke_sessions);
        assert!(serde_json::from_str::<ActionOptions>(r#"{"extraStep":"x"}"#).is_err());
    }
}
