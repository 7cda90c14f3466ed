//! Audit entries written before plans recorded their safety class name their action by its
//! label only. They keep counting as they were counted then, by this table, so the hourly cap
//! and the repeat-MFA rule read an old log as before. It is frozen: every action since records
//! its class, which the rules read instead, so no label is ever added here. (The providers'
//! tests check that the labels they wrote then are here with the counting they had.)
//!
//! Here, too, the labels the rules give the resets they read from a tenant's own audit log
//! (`team`): the two kinds of reset an admin centre logs.

/// A password set (or a pass issued), as the tenant's audit log counts it.
pub const PASSWORD_RESET: &str = "Reset password";
/// Methods deleted, as the tenant's audit log counts them: one MFA reset.
pub const MFA_RESET: &str = "Require re-register MFA";

/// How an entry without a safety class was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CountedAs {
    /// Against its operator's hourly cap of resets.
    pub reset: bool,
    /// As an MFA reset of its user, for the rule on a second one within the window.
    pub mfa_reset: bool,
}

const fn counted(reset: bool, mfa_reset: bool) -> CountedAs {
    CountedAs { reset, mfa_reset }
}

/// Every label an action was audited under before safety classes, with how it counted. A label
/// not listed ("Revoke sessions", a refusal's) counted as neither.
const COUNTED_BY_LABEL: [(&str, CountedAs); 8] = [
    // Microsoft Entra.
    (PASSWORD_RESET, counted(true, false)),
    (MFA_RESET, counted(true, true)),
    ("Issue Temporary Access Pass", counted(true, false)),
    // Zoho Directory and Privilege Secure: every action was a reset; none counted as an MFA
    // reset then.
    ("Reset password (Zoho)", counted(true, false)),
    ("Reset MFA (Zoho)", counted(true, false)),
    (
        "Reset 2-Factor Token (Privilege Secure)",
        counted(true, false),
    ),
    (
        "Reset 2-Factor Token of the whole group (Privilege Secure)",
        counted(true, false),
    ),
    // A step of Microsoft 365 Lighthouse's bulk reset: an MFA reset of its user, never
    // counted by the operator's cap.
    (
        "Reset all multi-factor authentications",
        counted(false, true),
    ),
];

/// How an entry audited under `label` without a safety class counts.
pub fn counted_by_label(label: &str) -> CountedAs {
    COUNTED_BY_LABEL
        .iter()
        .find(|(known, _)| *known == label)
        .map(|(_, counted)| *counted)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::action::ProviderAction;

    #[test]
    fn zoho_and_privilege_secure_entries_without_a_class_count_as_resets_not_mfa_resets() {
        for action in ProviderAction::ALL {
            assert_eq!(
                counted_by_label(action.label()),
                counted(true, false),
                "{action:?}"
            );
        }
        assert_eq!(counted_by_label("Revoke sessions"), CountedAs::default());
    }
}
