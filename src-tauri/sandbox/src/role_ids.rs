//! Entra role template ids, as the emulators write them into tenants and check them on calls.
//!
//! Written here from Microsoft's "Microsoft Entra built-in roles" page (permissions-reference,
//! "All roles": <https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference>),
//! as reproduced in `reference/graph.md` §1.5 — never imported from the product, so that a wrong
//! id in the product shows up as a refusal from the emulator instead of agreeing with itself.
//! Template ids are the same in every tenant.

pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: &str = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
pub const AUTHENTICATION_ADMINISTRATOR: &str = "c4e39bd9-1100-46d3-8c65-fb160da0071f";
pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
pub const PASSWORD_ADMINISTRATOR: &str = "966707d0-3269-4727-9be2-8c3a10f19b9d";
pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
pub const DIRECTORY_READERS: &str = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
pub const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";
pub const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";

/// The roles that may read other users in a customer tenant: every role whose include page
/// grants `microsoft.directory/users/standard/read` (graph.md §2.3 and §1.1 — Directory
/// Readers and Global Reader read the directory; the administrators read the users they act
/// on).
pub const USER_READERS: &[&str] = &[
    DIRECTORY_READERS,
    GLOBAL_READER,
    USER_ADMINISTRATOR,
    HELPDESK_ADMINISTRATOR,
    PASSWORD_ADMINISTRATOR,
    AUTHENTICATION_ADMINISTRATOR,
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
];
