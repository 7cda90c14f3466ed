//! The actions of the providers whose flows share the confirmation summary, the run and the
//! finish-by-hand mechanism (Zoho Directory, Privilege Secure).

use serde::{Deserialize, Serialize};

/// The actions of the Zoho and Privilege Secure screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum ProviderAction {
    ZohoResetPassword,
    ZohoResetMfa,
    /// The user's own token: directly, or through the three steps for a group-inherited user.
    PsResetToken,
    /// The token of the whole group: every member enrols again. Separate, with its warning.
    PsResetGroupToken,
}

impl ProviderAction {
    pub const ALL: [ProviderAction; 4] = [
        ProviderAction::ZohoResetPassword,
        ProviderAction::ZohoResetMfa,
        ProviderAction::PsResetToken,
        ProviderAction::PsResetGroupToken,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ProviderAction::ZohoResetPassword => "Reset password (Zoho)",
            ProviderAction::ZohoResetMfa => "Reset MFA (Zoho)",
            ProviderAction::PsResetToken => "Reset 2-Factor Token (Privilege Secure)",
            ProviderAction::PsResetGroupToken => {
                "Reset 2-Factor Token of the whole group (Privilege Secure)"
            }
        }
    }

    pub fn provider(self) -> crate::connection::ConnectionKind {
        match self {
            ProviderAction::ZohoResetPassword | ProviderAction::ZohoResetMfa => {
                crate::connection::ConnectionKind::ZohoDirectory
            }
            ProviderAction::PsResetToken | ProviderAction::PsResetGroupToken => {
                crate::connection::ConnectionKind::PrivilegeSecure
            }
        }
    }
}
