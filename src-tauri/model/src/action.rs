//! What every offered action and plan declares for the safety rules ([`SafetyClass`]), and the
//! actions of the providers whose flows share the confirmation summary, the run and the
//! finish-by-hand mechanism (Zoho Directory, Privilege Secure, and any provider of the seam).

use serde::{Deserialize, Serialize};

/// Which operator-safety rules apply to an action: the rules read this, never the action's
/// label (the audit log keeps it with each entry). A reset changes how the user signs in, so it
/// could hand an account to a caller who is not its owner (the hourly cap counts it, the caller
/// is verified); an MFA reset takes away how the user proves it is them, so a second one of the
/// same user within the repeat window needs a second person; revoking sessions only ends
/// sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum SafetyClass {
    /// Password or Temporary Access Pass.
    Reset,
    /// The user's second factor: their MFA methods, or a 2-factor token.
    MfaReset,
    /// Ends sign-ins only; never slowed down.
    SessionsOnly,
    /// Many users' MFA at once (a Lighthouse job, one audit entry per method removed): not
    /// counted by the operator's hourly cap, whose place the job's own approval rules take, but
    /// each entry is an MFA reset of its user to the repeat rule.
    Bulk,
}

impl SafetyClass {
    /// Changes how one user signs in: the caller is verified, and the hourly cap counts it.
    pub fn is_reset(self) -> bool {
        matches!(self, SafetyClass::Reset | SafetyClass::MfaReset)
    }

    /// Resets its user's MFA, for the rule on a second MFA reset within the window.
    pub fn resets_mfa(self) -> bool {
        matches!(self, SafetyClass::MfaReset | SafetyClass::Bulk)
    }
}

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

    /// The id the page and the plans use (the serialised name).
    pub fn id(self) -> &'static str {
        match self {
            ProviderAction::ZohoResetPassword => "zohoResetPassword",
            ProviderAction::ZohoResetMfa => "zohoResetMfa",
            ProviderAction::PsResetToken => "psResetToken",
            ProviderAction::PsResetGroupToken => "psResetGroupToken",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }

    /// Every one of them changes how users sign in; all but the password reset take away the
    /// second factor.
    pub fn safety_class(self) -> SafetyClass {
        match self {
            ProviderAction::ZohoResetPassword => SafetyClass::Reset,
            ProviderAction::ZohoResetMfa
            | ProviderAction::PsResetToken
            | ProviderAction::PsResetGroupToken => SafetyClass::MfaReset,
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

/// Plans are asked for by action id; a built-in action is its id.
impl AsRef<str> for ProviderAction {
    fn as_ref(&self) -> &str {
        self.id()
    }
}

/// An offer or plan names its action by id: it compares equal to the action it names.
impl PartialEq<ProviderAction> for String {
    fn eq(&self, action: &ProviderAction) -> bool {
        self == action.id()
    }
}

impl PartialEq<ProviderAction> for &str {
    fn eq(&self, action: &ProviderAction) -> bool {
        *self == action.id()
    }
}

/// One action a provider has, as the page names it (its id, e.g. `resetPassword`) and as its
/// audit entries say it (its label, "Reset password"): the Activity screen's filter by action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ActionName {
    pub id: String,
    pub label: String,
}

/// The operator's password choice for a reset whose provider takes one (Zoho's: typed, or
/// generated to rules), sent with the run (never with the plan, so it is held only for the
/// moment the reset takes). No `Debug`: it may hold a password.
#[derive(Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(
    tag = "mode",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PasswordInput {
    Typed {
        password: String,
    },
    Generate {
        read_aloud: bool,
        /// The random style's rules; absent ones keep the default (16 characters, every kind).
        #[ts(optional)]
        length: Option<usize>,
        #[ts(optional)]
        upper: Option<bool>,
        #[ts(optional)]
        lower: Option<bool>,
        #[ts(optional)]
        digits: Option<bool>,
        #[ts(optional)]
        symbols: Option<bool>,
    },
}

/// A provider's option form shown in the summary: the choices the plan was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(
    tag = "form",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PlanChoices {
    /// Microsoft Entra: "Also revoke the user's sessions" after a password or MFA reset
    /// (`None` for an action that does not offer it), and a Temporary Access Pass's terms.
    Entra {
        also_revoke_sessions: Option<bool>,
        temporary_access_pass: Option<crate::user::TemporaryAccessPassTerms>,
    },
}
