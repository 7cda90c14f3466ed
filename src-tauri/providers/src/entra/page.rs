//! An Entra user's page in the seam's terms (`seam::UserPage`): the properties Entra's own
//! user overview shows, as typed facts, and the actions of [`super::offers`] as offers, so the
//! page has one user page for every provider.

use super::offers::OfferedAction;
use super::rows::user_row;
use resetdesk_core::console::{ProviderOffer, RefusedFor};
use resetdesk_core::error::AppError;
use resetdesk_core::model::{AuthMethod, DirectoryUser};
use resetdesk_core::seam::{action_id, FactValue, UserFact, UserPage};

/// The page of a user read live with roles (`Directory::get_user`), their methods (or why
/// they could not be read), and the offers for this operator.
pub fn user_page(
    user: &DirectoryUser,
    methods: Vec<AuthMethod>,
    methods_error: Option<AppError>,
    offers: &[OfferedAction],
) -> UserPage {
    UserPage {
        user: user_row(user),
        facts: facts(user),
        offers: offers.iter().map(offer).collect(),
        fresh_sign_in: None,
        rate: None,
        methods: Some(methods),
        methods_error,
    }
}

/// The properties of the admin centre's user overview, in its order.
pub fn facts(user: &DirectoryUser) -> Vec<UserFact> {
    vec![
        UserFact::new("upn", "User principal name", &user.user_principal_name),
        UserFact::maybe("mail", "Mail", user.mail.as_deref()),
        UserFact::maybe("job-title", "Job title", user.job_title.as_deref()),
        UserFact::maybe("department", "Department", user.department.as_deref()),
        UserFact::maybe(
            "account-enabled",
            "Account enabled",
            user.account_enabled.map(yes_no),
        ),
        UserFact::maybe("user-type", "User type", user.user_type.as_deref()),
        UserFact::typed("admin-roles", "Admin roles", Some(admin_roles(user))),
        UserFact::new(
            "role-assignable-group",
            "Role-assignable group member",
            if user.role_assignable_group_known {
                yes_no(user.in_role_assignable_group)
            } else {
                NOT_READ
            },
        ),
        UserFact::time(
            "last-password-change",
            "Last password change",
            user.last_password_change.as_deref(),
        ),
        UserFact::time(
            "sessions-valid-from",
            "Sessions valid from",
            user.sign_in_sessions_valid_from.as_deref(),
        ),
    ]
}

/// A property this read did not ask for (a search result's roles, say): not the same as "No".
const NOT_READ: &str = "Not read";

fn yes_no(value: bool) -> &'static str {
    if value {
        "Yes"
    } else {
        "No"
    }
}

fn admin_roles(user: &DirectoryUser) -> FactValue {
    if !user.roles_known {
        return FactValue::Text(NOT_READ.into());
    }
    if user.admin_roles.is_empty() {
        return FactValue::Text("No admin roles".into());
    }
    FactValue::Badges(
        user.admin_roles
            .iter()
            .map(|role| role.display_name.clone())
            .collect(),
    )
}

/// One of Entra's offers in the seam's terms: the action's id is the one `plan_action` takes.
fn offer(offered: &OfferedAction) -> ProviderOffer {
    ProviderOffer {
        action: action_id(&offered.action),
        label: offered.label.clone(),
        allowed: offered.allowed,
        reason: offered.reason.clone(),
        warning: None,
        safety_class: offered.action.safety_class(),
        // Entra's policy refuses only on the operator's authority (roles, the target's
        // roles and groups); its plans audit the refusal themselves.
        refused_for: RefusedFor::Authority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::actions::ActionKind;
    use resetdesk_core::model::RoleRef;

    fn adele() -> DirectoryUser {
        DirectoryUser {
            connection_id: "c".into(),
            tenant_id: "t".into(),
            id: "u1".into(),
            user_principal_name: "adele@contoso.sandbox".into(),
            display_name: "Adele Vance".into(),
            mail: None,
            account_enabled: Some(true),
            job_title: Some("  ".into()),
            department: None,
            mobile_phone: None,
            user_type: Some("Member".into()),
            last_password_change: Some("2026-01-02T03:04:05Z".into()),
            sign_in_sessions_valid_from: None,
            admin_roles: Vec::new(),
            roles_known: true,
            in_role_assignable_group: false,
            role_assignable_group_known: false,
        }
    }

    fn value_of(facts: &[UserFact], key: &str) -> Option<FactValue> {
        facts
            .iter()
            .find(|fact| fact.key == key)
            .unwrap_or_else(|| panic!("no fact {key}"))
            .value
            .clone()
    }

    #[test]
    fn the_overview_facts_say_what_was_not_read_and_keep_times_typed() {
        let facts = facts(&adele());
        assert_eq!(value_of(&facts, "mail"), None);
        assert_eq!(value_of(&facts, "job-title"), None, "blank is no value");
        assert_eq!(
            value_of(&facts, "account-enabled"),
            Some(FactValue::Text("Yes".into()))
        );
        assert_eq!(
            value_of(&facts, "admin-roles"),
            Some(FactValue::Text("No admin roles".into()))
        );
        assert_eq!(
            value_of(&facts, "role-assignable-group"),
            Some(FactValue::Text("Not read".into()))
        );
        assert_eq!(
            value_of(&facts, "last-password-change"),
            Some(FactValue::Time("2026-01-02T03:04:05Z".into()))
        );
        assert_eq!(value_of(&facts, "sessions-valid-from"), None);

        let mut admin = adele();
        admin.admin_roles = vec![RoleRef {
            template_id: "r".into(),
            display_name: "Helpdesk Administrator".into(),
        }];
        admin.roles_known = true;
        assert_eq!(
            value_of(&super::facts(&admin), "admin-roles"),
            Some(FactValue::Badges(vec!["Helpdesk Administrator".into()]))
        );
        admin.roles_known = false;
        assert_eq!(
            value_of(&super::facts(&admin), "admin-roles"),
            Some(FactValue::Text("Not read".into()))
        );
    }

    #[test]
    fn offers_carry_the_action_id_plan_action_takes_and_its_safety_class() {
        let offered = OfferedAction {
            action: ActionKind::RequireReregisterMfa,
            label: ActionKind::RequireReregisterMfa.label().into(),
            allowed: false,
            reason: Some("why".into()),
        };
        let offer = offer(&offered);
        assert_eq!(offer.action, "requireReregisterMfa");
        let parsed: ActionKind = serde_json::from_value(serde_json::json!(offer.action)).unwrap();
        assert_eq!(parsed, ActionKind::RequireReregisterMfa);
        assert_eq!(
            offer.safety_class,
            ActionKind::RequireReregisterMfa.safety_class()
        );
        assert!(!offer.allowed);
        assert_eq!(offer.reason.as_deref(), Some("why"));
    }
}
