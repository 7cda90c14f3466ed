//! The catalogue of Entra's actions an operator can take on a user, their options, and the
//! kinds of step a plan of them is made of. A leaf: who may take them is the policy's
//! (`policy`), which of them a user's page offers is `offers`'.

use serde::{Deserialize, Serialize};

use resetdesk_core::model::AuthMethodKind;
use resetdesk_model::action::SafetyClass;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
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

    /// Which safety rules apply to it (see [`SafetyClass`]).
    pub fn safety_class(self) -> SafetyClass {
        match self {
            ActionKind::ResetPassword | ActionKind::IssueTemporaryAccessPass => SafetyClass::Reset,
            ActionKind::RequireReregisterMfa => SafetyClass::MfaReset,
            ActionKind::RevokeSessions => SafetyClass::SessionsOnly,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, optional_fields)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ActionOptions {
    /// Reset password / Require re-register MFA: add a final "revoke sessions" step. The page
    /// ticks it by default; a caller that sends no options gets the action alone.
    #[ts(as = "Option<bool>", optional)]
    pub also_revoke_sessions: bool,
    /// Issue Temporary Access Pass: minutes the pass is valid; the policy's default if absent.
    pub tap_lifetime_minutes: Option<u32>,
    /// Issue Temporary Access Pass: one-time use; `true` if absent.
    pub tap_usable_once: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "type"
)]
pub enum StepKind {
    ResetPassword,
    DeactivateHardwareOath {
        method_id: String,
    },
    DeleteMethod {
        method_id: String,
        method_kind: AuthMethodKind,
        phone_type: Option<String>,
    },
    RevokeSessions,
    IssueTemporaryAccessPass {
        lifetime_minutes: u32,
        usable_once: bool,
    },
}

impl StepKind {
    /// The Graph page that documents the call the step makes (the provider reference, graph.md,
    /// cites each), shown with the step in the result view.
    pub fn documented_at(&self) -> &'static str {
        match self {
            // The reset sets `passwordProfile` (graph.md §1.2 (A)).
            StepKind::ResetPassword => {
                "https://learn.microsoft.com/graph/api/user-update?view=graph-rest-1.0"
            }
            StepKind::DeactivateHardwareOath { .. } => {
                "https://learn.microsoft.com/graph/api/hardwareoathauthenticationmethod-deactivate?view=graph-rest-beta"
            }
            StepKind::DeleteMethod { method_kind, .. } => delete_documented_at(*method_kind),
            StepKind::RevokeSessions => {
                "https://learn.microsoft.com/graph/api/user-revokesigninsessions?view=graph-rest-1.0"
            }
            StepKind::IssueTemporaryAccessPass { .. } => {
                "https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods?view=graph-rest-1.0"
            }
        }
    }
}

/// Each method type's delete page (`DELETE /users/{id}/authentication/{collection}/{id}`);
/// the overview for a type ResetDesk never deletes.
fn delete_documented_at(kind: AuthMethodKind) -> &'static str {
    match kind {
        AuthMethodKind::Phone => {
            "https://learn.microsoft.com/graph/api/phoneauthenticationmethod-delete?view=graph-rest-1.0"
        }
        AuthMethodKind::MicrosoftAuthenticator => {
            "https://learn.microsoft.com/graph/api/microsoftauthenticatorauthenticationmethod-delete?view=graph-rest-1.0"
        }
        AuthMethodKind::SoftwareOath => {
            "https://learn.microsoft.com/graph/api/softwareoathauthenticationmethod-delete?view=graph-rest-1.0"
        }
        AuthMethodKind::Fido2 => {
            "https://learn.microsoft.com/graph/api/fido2authenticationmethod-delete?view=graph-rest-1.0"
        }
        AuthMethodKind::Email => {
            "https://learn.microsoft.com/graph/api/emailauthenticationmethod-delete?view=graph-rest-1.0"
        }
        AuthMethodKind::TemporaryAccessPass => {
            "https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethod-delete?view=graph-rest-1.0"
        }
        AuthMethodKind::WindowsHelloForBusiness => {
            "https://learn.microsoft.com/graph/api/windowshelloforbusinessauthenticationmethod-delete?view=graph-rest-1.0"
        }
        AuthMethodKind::Password
        | AuthMethodKind::HardwareOath
        | AuthMethodKind::PlatformCredential
        | AuthMethodKind::Other => {
            "https://learn.microsoft.com/graph/api/resources/authenticationmethods-overview?view=graph-rest-1.0"
        }
    }
}

#[cfg(test)]
mod tests {
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

    /// An entry Entra wrote before plans recorded their class counts as its action's class
    /// says (the safety rules read old entries by label: `safety::legacy_labels`).
    #[test]
    fn entries_written_before_safety_classes_count_as_each_actions_class() {
        use resetdesk_core::safety::legacy_labels::counted_by_label;
        for action in ActionKind::ALL {
            let counted = counted_by_label(action.label());
            assert_eq!(
                counted.reset,
                action.safety_class().is_reset(),
                "{action:?}"
            );
            assert_eq!(
                counted.mfa_reset,
                action.safety_class().resets_mfa(),
                "{action:?}"
            );
        }
    }
}
