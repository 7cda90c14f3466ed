//! The Entra roles a GDAP relationship can give the technician in a customer tenant, and
//! which of them allow what (graph.md §2.3, §4.3). Role template ids are the same in every
//! tenant.

use super::CustomerAccess;
use crate::entra::actions::ActionKind;
use crate::entra::policy::{decide, role_ids, Decision};
use resetdesk_core::error::{AppError, Result};
use resetdesk_core::model::{DirectoryUser, Operator};

/// Why `person` may not reset the MFA of `user` of `customer` — Entra's rules with the roles
/// `person` holds in that customer through GDAP, against the user's own roles — or `None`
/// when they may. The technician's plans and pages and an approver's check all ask this.
pub fn mfa_reset_refusal(
    person: &Operator,
    customer: &CustomerAccess,
    user: &DirectoryUser,
) -> Option<String> {
    let in_customer = Operator {
        tenant_id: customer.tenant_id.clone(),
        roles: customer.roles.clone(),
        ..person.clone()
    };
    match decide(ActionKind::RequireReregisterMfa, &in_customer, user) {
        Decision::Allowed => None,
        Decision::Denied { reason } => Some(format!("in {}: {reason}", customer.display_name)),
    }
}

/// Approvers refused on the first few users are named; the rest are counted.
const REFUSALS_SHOWN: usize = 3;

/// Not in `policy::role_ids` (the single-tenant console never needed it).
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";

/// May delete other users' authentication methods ("Authentication Methods Writer" in
/// Lighthouse's words). An Authentication Administrator only for non-admins: the target rule
/// is checked per user at run time by the customer tenant.
pub const METHOD_WRITERS: &[&str] = &[
    role_ids::AUTHENTICATION_ADMINISTRATOR,
    role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    role_ids::GLOBAL_ADMINISTRATOR,
];

/// May deactivate hardware OATH tokens: the Authentication Administrator "Cannot manage
/// Hardware OATH tokens" (graph.md §2.3).
pub const HARDWARE_OATH_MANAGERS: &[&str] = &[
    role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    role_ids::GLOBAL_ADMINISTRATOR,
];

/// May list users ("Users reader or User Administrator"). Every role here includes reading
/// users; the method writers do too (they must find the user to act on them).
pub const USER_READERS: &[&str] = &[
    role_ids::DIRECTORY_READERS,
    GLOBAL_READER,
    role_ids::USER_ADMINISTRATOR,
    role_ids::HELPDESK_ADMINISTRATOR,
    role_ids::PASSWORD_ADMINISTRATOR,
    role_ids::AUTHENTICATION_ADMINISTRATOR,
    role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    role_ids::GLOBAL_ADMINISTRATOR,
];

/// The admin-centre name of a role template id (the id itself when unknown).
pub fn role_name(template_id: &str) -> String {
    let name = match template_id {
        role_ids::GLOBAL_ADMINISTRATOR => "Global Administrator",
        role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR => {
            "Privileged Authentication Administrator"
        }
        role_ids::AUTHENTICATION_ADMINISTRATOR => "Authentication Administrator",
        role_ids::HELPDESK_ADMINISTRATOR => "Helpdesk Administrator",
        role_ids::PASSWORD_ADMINISTRATOR => "Password Administrator",
        role_ids::USER_ADMINISTRATOR => "User Administrator",
        role_ids::DIRECTORY_READERS => "Directory Readers",
        GLOBAL_READER => "Global Reader",
        role_ids::PRIVILEGED_ROLE_ADMINISTRATOR => "Privileged Role Administrator",
        role_ids::GROUPS_ADMINISTRATOR => "Groups Administrator",
        other => return other.to_string(),
    };
    name.to_string()
}

pub fn holds_any(roles: &[String], wanted: &[&str]) -> bool {
    roles
        .iter()
        .any(|role| wanted.iter().any(|w| w.eq_ignore_ascii_case(role)))
}

/// Whether `approver` may approve the reset of `targets` that the technician `technician_id`
/// prepared: a different person whose own roles in each target's customer allow the reset of
/// that user (Entra's rules, as for the technician). Pure: the caller read everything.
pub fn check_approver(
    technician_id: &str,
    approver: &Operator,
    customers: &[CustomerAccess],
    targets: &[DirectoryUser],
) -> Result<()> {
    if approver.id.eq_ignore_ascii_case(technician_id) {
        return Err(AppError::denied(
            "The approver must be a second person: you cannot approve your own request. Ask a colleague to sign in.",
        ));
    }
    let mut refusals = Vec::new();
    for target in targets {
        let customer = customers
            .iter()
            .find(|c| c.tenant_id.eq_ignore_ascii_case(&target.tenant_id) && c.is_active());
        let why = match customer {
            None => Some(format!(
                "{} has no active delegated access to the customer of {}.",
                approver.user_principal_name, target.user_principal_name
            )),
            Some(customer) => mfa_reset_refusal(approver, customer, target),
        };
        if let Some(why) = why {
            refusals.push(why);
        }
    }
    if refusals.is_empty() {
        return Ok(());
    }
    let more = refusals.len().saturating_sub(REFUSALS_SHOWN);
    refusals.truncate(REFUSALS_SHOWN);
    let mut message = format!(
        "{} cannot approve this: {}",
        approver.user_principal_name,
        refusals.join(" ")
    );
    if more > 0 {
        message.push_str(&format!(" (and {more} more users they may not reset)"));
    }
    message.push_str(" Ask a technician whose roles cover every user of the job.");
    Err(AppError::denied(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::policy::role_ids;
    use resetdesk_core::error::ErrorKind;
    use resetdesk_core::model::RoleRef;

    fn person(id: &str) -> Operator {
        Operator {
            connection_id: "lh".into(),
            tenant_id: "partner".into(),
            id: id.into(),
            user_principal_name: format!("{id}@partner.sandbox"),
            display_name: id.into(),
            roles: Vec::new(),
        }
    }

    fn customer(tenant: &str, status: &str, role: &str) -> CustomerAccess {
        CustomerAccess {
            tenant_id: tenant.into(),
            display_name: format!("Customer {tenant}"),
            relationship_id: "r".into(),
            relationship_status: status.into(),
            roles: vec![RoleRef {
                template_id: role.into(),
                display_name: "role".into(),
            }],
        }
    }

    fn target(tenant: &str, id: &str, admin: bool) -> DirectoryUser {
        DirectoryUser {
            tenant_id: tenant.into(),
            id: id.into(),
            user_principal_name: format!("{id}@{tenant}.sandbox"),
            display_name: id.into(),
            admin_roles: if admin {
                vec![RoleRef {
                    template_id: role_ids::GLOBAL_ADMINISTRATOR.into(),
                    display_name: "Global Administrator".into(),
                }]
            } else {
                Vec::new()
            },
            roles_known: true,
            role_assignable_group_known: true,
            ..Default::default()
        }
    }

    #[test]
    fn an_approver_must_be_someone_else_allowed_to_reset_every_user_of_the_job() {
        let technician = person("tech");
        let lead = person("lead");
        let auth_admin = role_ids::AUTHENTICATION_ADMINISTRATOR;
        let privileged = role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR;
        let users = vec![target("a", "ada", false), target("b", "ben", true)];

        // Themselves.
        let own = check_approver(
            &technician.id,
            &person("TECH"),
            &[customer("a", "active", privileged)],
            &users,
        )
        .unwrap_err();
        assert!(own.message.contains("second person"), "{own:?}");

        // Roles that cover both users: allowed.
        let both = [
            customer("a", "active", auth_admin),
            customer("b", "active", privileged),
        ];
        check_approver(&technician.id, &lead, &both, &users).unwrap();

        // An Authentication Administrator in b may not reset b's administrator.
        let weak = [
            customer("a", "active", auth_admin),
            customer("b", "active", auth_admin),
        ];
        let refused = check_approver(&technician.id, &lead, &weak, &users).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Denied);
        assert!(refused.message.contains("in Customer b"), "{refused:?}");
        assert!(!refused.message.contains("in Customer a"), "{refused:?}");

        // No active relationship with a's customer.
        let expired = [
            customer("a", "expired", privileged),
            customer("b", "active", privileged),
        ];
        let refused = check_approver(&technician.id, &lead, &expired, &users).unwrap_err();
        assert!(
            refused.message.contains("no active delegated access"),
            "{refused:?}"
        );
    }
}
