//! The operator's role in the Zoho Mail organisation → what ResetDesk offers them.
//!
//! Zoho Directory's own permissions ("Reset password", "Manage MFA") cannot be read through
//! any documented API (see `options.rs`: reading them is a by-hand step). The only documented
//! permission signal is the `role` of the operator's own account in the Mail organisation
//! (`member`, `admin`, `super_admin`: https://www.zoho.com/mail/help/api/get-org-users-details.html
//! and https://zoho.com/mail/help/api/put-change-user-role.html), and the Mail organisation
//! API answers only an organisation admin ("when requested by the organization's admin").
//! So: an admin or super admin may reset passwords (the Mail API will do it for them) and may
//! manage MFA (by hand, in the admin panel); a member may do neither. Zoho's own 403 is still
//! handled: this table is a courtesy and a guard, not the only line. The offers of Reset password
//! and Reset MFA, each with Zoho's reason when refused, are read from it.
use serde::{Deserialize, Serialize};

use super::{ZohoOperator, ZohoUser};
use resetdesk_core::error::{AppError, Result};
use resetdesk_core::seam::{ProviderAction, ProviderOffer};

/// A user's role in the Zoho Mail organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailRole {
    Member,
    Admin,
    SuperAdmin,
}

impl MailRole {
    /// The API's value; an unknown one is treated as the least privileged.
    pub fn parse(value: &str) -> MailRole {
        match value.trim().to_ascii_lowercase().as_str() {
            "super_admin" | "superadmin" => MailRole::SuperAdmin,
            "admin" => MailRole::Admin,
            _ => MailRole::Member,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MailRole::Member => "Member",
            MailRole::Admin => "Admin",
            MailRole::SuperAdmin => "Super Admin",
        }
    }
}

/// What the operator may do, with the reason shown when an action is not offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorPermissions {
    pub role: MailRole,
    pub may_reset_password: bool,
    pub may_manage_mfa: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The one table: role → (reset password, manage MFA).
pub const ROLE_PERMISSIONS: &[(MailRole, bool, bool)] = &[
    (MailRole::SuperAdmin, true, true),
    (MailRole::Admin, true, true),
    (MailRole::Member, false, false),
];

pub fn permissions_for(role: MailRole) -> OperatorPermissions {
    let (may_reset_password, may_manage_mfa) = ROLE_PERMISSIONS
        .iter()
        .find(|(r, _, _)| *r == role)
        .map(|(_, reset, mfa)| (*reset, *mfa))
        .unwrap_or((false, false));
    let reason = (!may_reset_password).then(|| {
        format!(
            "Your Zoho account is a {} of the organisation; resetting passwords and MFA needs \
             an organisation admin or super admin.",
            role.label()
        )
    });
    OperatorPermissions {
        role,
        may_reset_password,
        may_manage_mfa,
        reason,
    }
}

/// Our guard on the target: an admin may act on members only; only a super admin may act on
/// another admin or the super admin (the Mail admin console reserves admin changes to the
/// super admin, https://zoho.com/mail/help/api/put-change-user-role.html ⚠️ by analogy: the
/// reset page itself states no rule). `None` when allowed, else the reason.
pub fn target_guard(operator: MailRole, target: MailRole) -> Option<String> {
    match (operator, target) {
        (MailRole::SuperAdmin, _) => None,
        (MailRole::Admin, MailRole::Member) => None,
        (MailRole::Admin, _) => Some(format!(
            "This user is a {} of the organisation; only the super admin may reset their \
             password or MFA.",
            target.label()
        )),
        (MailRole::Member, _) => {
            Some("Resetting passwords and MFA needs an organisation admin or super admin.".into())
        }
    }
}

/// An organisation admin is privileged, as an Entra admin role is: the organisation's approval
/// rule for privileged targets reads this.
pub(super) fn privileged(user: &ZohoUser) -> Option<String> {
    (user.role != MailRole::Member).then(|| {
        format!(
            "is a Zoho organisation {}.",
            user.role.label().to_lowercase()
        )
    })
}

/// A member may neither reset passwords nor manage MFA, and Zoho's organisation API would
/// refuse to even list users: say why, in Zoho's terms, rather than pass on a 403.
pub(super) fn require_some_permission(operator: &ZohoOperator) -> Result<()> {
    let permissions = &operator.permissions;
    if permissions.may_reset_password || permissions.may_manage_mfa {
        return Ok(());
    }
    Err(AppError::denied(permissions.reason.clone().unwrap_or_else(
        || "Your Zoho role may neither reset passwords nor manage MFA.".to_string(),
    )))
}

/// Reset password and Reset MFA, each offered or not, with Zoho's reasons. A user Zoho cannot
/// reset (not confirmed) is a matter of their state, not of the operator's authority.
pub(super) fn offers(operator: &ZohoOperator, user: &ZohoUser) -> Vec<ProviderOffer> {
    let target_refusal = || -> Option<String> {
        if let Some(reason) = &user.not_resettable_reason {
            return Some(reason.clone());
        }
        if user.zuid == operator.zuid {
            return Some(
                "You cannot reset your own password or MFA here; use your Zoho account's own \
                 security settings."
                    .to_string(),
            );
        }
        target_guard(operator.permissions.role, user.role)
    };
    let permission_refusal = operator
        .permissions
        .reason
        .clone()
        .unwrap_or_else(|| "Your Zoho role does not carry this permission.".to_string());
    let reset_password = if operator.permissions.may_reset_password {
        target_refusal()
    } else {
        Some(permission_refusal.clone())
    };
    let manage_mfa = if operator.permissions.may_manage_mfa {
        target_refusal()
    } else {
        Some(permission_refusal)
    };
    // The buttons' words; the audit log names the actions as `ProviderAction::label` does.
    [
        (
            ProviderAction::ZohoResetPassword,
            "Reset password",
            reset_password,
        ),
        (ProviderAction::ZohoResetMfa, "Reset MFA", manage_mfa),
    ]
    .into_iter()
    .map(|(action, label, refusal)| {
        let offer = ProviderOffer::new(action, label, refusal);
        if user.not_resettable_reason.is_some() {
            offer.refused_for_target_state()
        } else {
            offer
        }
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_table() {
        for (role, reset, mfa) in [
            (MailRole::SuperAdmin, true, true),
            (MailRole::Admin, true, true),
            (MailRole::Member, false, false),
        ] {
            let permissions = permissions_for(role);
            assert_eq!(permissions.may_reset_password, reset, "{role:?}");
            assert_eq!(permissions.may_manage_mfa, mfa, "{role:?}");
            assert_eq!(permissions.reason.is_some(), !reset, "{role:?}");
        }
        assert_eq!(MailRole::parse("super_admin"), MailRole::SuperAdmin);
        assert_eq!(MailRole::parse("ADMIN"), MailRole::Admin);
        assert_eq!(MailRole::parse("something-new"), MailRole::Member);
    }

    #[test]
    fn admins_act_on_members_only() {
        assert!(target_guard(MailRole::Admin, MailRole::Member).is_none());
        assert!(target_guard(MailRole::Admin, MailRole::Admin).is_some());
        assert!(target_guard(MailRole::Admin, MailRole::SuperAdmin).is_some());
        assert!(target_guard(MailRole::SuperAdmin, MailRole::Admin).is_none());
        assert!(target_guard(MailRole::Member, MailRole::Member).is_some());
    }
}
