//! The Entra roles a GDAP relationship can give the technician in a customer tenant, and
//! which of them allow what (graph.md §2.3, §4.3). Role template ids are the same in every
//! tenant.

use crate::providers::entra::policy::role_ids;

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
