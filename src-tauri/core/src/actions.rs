//! The catalogue of actions an operator can take on a user, and which of them are offered
//! for a given (operator, target). The answer comes from [`crate::authz`]; an action that is
//! not allowed is still listed, disabled, with the reason the page shows.

use serde::{Deserialize, Serialize};

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
}

impl ActionKind {
    pub const ALL: [ActionKind; 3] =
        [ActionKind::ResetPassword, ActionKind::RequireReregisterMfa, ActionKind::RevokeSessions];

    /// The admin centre's own button text.
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::ResetPassword => "Reset password",
            ActionKind::RequireReregisterMfa => "Require re-register MFA",
            ActionKind::RevokeSessions => "Revoke sessions",
        }
    }
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
