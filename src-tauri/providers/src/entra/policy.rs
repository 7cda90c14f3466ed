//! Who may do what to whom, for Entra ID: pure functions over (action, operator, target).
//!
//! The rules are Microsoft's own tables (reference/graph.md §2), kept here as data so that a
//! reviewer can compare them cell by cell with the documentation:
//! - [`MATRIX`]: rows = the target's role category, columns = the operator's role. Each cell
//!   encodes both "Who can reset passwords" (§2.1, which also governs invalidating refresh
//!   tokens and, for the Authentication Administrator, managing authentication methods) and
//!   "Who can perform sensitive actions" (§2.2).
//! - [`COLUMNS`]: the header of that table, with each operator role's capabilities (§2.3):
//!   which actions the role can take at all, before the row limits apply.
//!
//! This check runs before a plan is shown and again before each step; the provider's own 403
//! is still handled downstream, since our check is a courtesy and a guard, not the only line.

use super::actions::ActionKind;
use super::actions::StepKind;
use resetdesk_core::model::{DirectoryUser, Operator};

/// The answer to "may this operator do this to this user?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// `reason` is shown to the operator as is: it names the role that would be needed.
    Denied {
        reason: String,
    },
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed)
    }

    /// The reason as an `Err`, for callers that want `?`.
    pub fn into_result(self) -> Result<(), String> {
        match self {
            Decision::Allowed => Ok(()),
            Decision::Denied { reason } => Err(reason),
        }
    }
}

/// Role template ids (reference/graph.md §1.5). Template ids are the same in every tenant.
pub mod role_ids {
    pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
    pub const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: &str =
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
    pub const AUTHENTICATION_ADMINISTRATOR: &str = "c4e39bd9-1100-46d3-8c65-fb160da0071f";
    pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    pub const PASSWORD_ADMINISTRATOR: &str = "966707d0-3269-4727-9be2-8c3a10f19b9d";
    pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
    pub const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";
    pub const DIRECTORY_READERS: &str = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
    pub const GROUPS_ADMINISTRATOR: &str = "fdd7a751-b60b-444a-984c-02652fe8fa1c";
    pub const GUEST_INVITER: &str = "95e79109-95c0-4d8e-aee3-d01accf2d47b";
    pub const MESSAGE_CENTER_READER: &str = "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b";
    pub const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";
    pub const USAGE_SUMMARY_REPORTS_READER: &str = "75934031-6c7e-415a-99d7-48dbd49e875e";
    /// Not in graph.md §1.5 (marked UNCERTAIN there); taken from Microsoft's role list as
    /// reproduced by several admin scripts (MicrosoftDocs "All roles" table).
    pub const USER_EXPERIENCE_SUCCESS_MANAGER: &str = "27460883-1df1-4691-b032-3b79643e5e63";
}

/// A row of the matrices: what the target is, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetCategory {
    AuthenticationAdministrator,
    DirectoryReaders,
    GlobalAdministrator,
    GroupsAdministrator,
    GuestInviter,
    HelpdeskAdministrator,
    MessageCenterReader,
    PasswordAdministrator,
    PrivilegedAuthenticationAdministrator,
    PrivilegedRoleAdministrator,
    ReportsReader,
    NoAdminRole,
    RoleAssignableGroupMember,
    /// Kept so the table matches the documentation. Providers do not report restricted
    /// management administrative units yet (such roles are not tenant-wide, so they do not
    /// show in a user's directory roles); Graph's own 403 covers that case.
    RestrictedManagementAdministrativeUnit,
    UserAdministrator,
    UserExperienceSuccessManager,
    UsageSummaryReportsReader,
    /// "All other built-in and custom roles": any role not named above, including roles
    /// whose template id we do not recognise.
    AllOtherRoles,
}

/// A column of the matrices: an operator role that can act on other users at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorRole {
    PasswordAdministrator,
    HelpdeskAdministrator,
    AuthenticationAdministrator,
    UserAdministrator,
    PrivilegedAuthenticationAdministrator,
    GlobalAdministrator,
}

/// What one operator role may do at all (§2.3), before the target's row limits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// `users/password/update`.
    pub reset_password: bool,
    /// `users/invalidateAllRefreshTokens`.
    pub revoke_sessions: bool,
    /// `users/authenticationMethods/create|basic/update|delete`.
    pub manage_auth_methods: bool,
    /// Hardware OATH tokens (the Authentication Administrator "Cannot manage Hardware OATH tokens").
    pub hardware_oath: bool,
    /// Has a column in "Who can perform sensitive actions" (§2.2).
    pub sensitive_actions: bool,
}

/// The table header: operator roles in the documentation's column order, with their
/// template id, display name and capabilities (§2.3).
#[rustfmt::skip]
pub const COLUMNS: [(OperatorRole, &str, &str, Capabilities); 6] = [
    (
        OperatorRole::PasswordAdministrator,
        role_ids::PASSWORD_ADMINISTRATOR,
        "Password Administrator",
        Capabilities { reset_password: true, revoke_sessions: false, manage_auth_methods: false, hardware_oath: false, sensitive_actions: false },
    ),
    (
        OperatorRole::HelpdeskAdministrator,
        role_ids::HELPDESK_ADMINISTRATOR,
        "Helpdesk Administrator",
        Capabilities { reset_password: true, revoke_sessions: true, manage_auth_methods: false, hardware_oath: false, sensitive_actions: false },
    ),
    (
        OperatorRole::AuthenticationAdministrator,
        role_ids::AUTHENTICATION_ADMINISTRATOR,
        "Authentication Administrator",
        Capabilities { reset_password: true, revoke_sessions: true, manage_auth_methods: true, hardware_oath: false, sensitive_actions: true },
    ),
    (
        OperatorRole::UserAdministrator,
        role_ids::USER_ADMINISTRATOR,
        "User Administrator",
        Capabilities { reset_password: true, revoke_sessions: true, manage_auth_methods: false, hardware_oath: false, sensitive_actions: true },
    ),
    (
        OperatorRole::PrivilegedAuthenticationAdministrator,
        role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        "Privileged Authentication Administrator",
        Capabilities { reset_password: true, revoke_sessions: true, manage_auth_methods: true, hardware_oath: true, sensitive_actions: true },
    ),
    (
        OperatorRole::GlobalAdministrator,
        role_ids::GLOBAL_ADMINISTRATOR,
        "Global Administrator",
        Capabilities { reset_password: true, revoke_sessions: true, manage_auth_methods: true, hardware_oath: true, sensitive_actions: true },
    ),
];

/// One cell of [`MATRIX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// ✅ in §2.1 (reset passwords, invalidate refresh tokens) and ✅ in §2.2 (sensitive actions).
    Both,
    /// ✅ in §2.1 only: the Password and Helpdesk Administrator columns, which §2.2 does not have.
    ResetOnly,
    /// Empty in both tables.
    No,
}

use Cell::{Both as Y, No as N, ResetOnly as R};
use TargetCategory as T;

/// The combined §2.1 / §2.2 matrix. Columns in the order of [`COLUMNS`]:
/// Password Admin (Pw), Helpdesk Admin (Hd), Auth Admin (Au), User Admin (Us), Privileged Auth
/// Admin (PA), Global Admin (GA).
/// `Y` = allowed by both tables, `R` = password reset / session revocation only, `N` = neither.
#[rustfmt::skip]
pub const MATRIX: [(TargetCategory, &str, [Cell; 6]); 18] = [
    //                                                                                                    Pw Hd Au Us PA GA
    (T::AuthenticationAdministrator,            "an Authentication Administrator",                       [N, N, Y, N, Y, Y]),
    (T::DirectoryReaders,                       "a Directory Reader",                                    [R, R, Y, Y, Y, Y]),
    (T::GlobalAdministrator,                    "a Global Administrator",                                [N, N, N, N, Y, Y]),
    (T::GroupsAdministrator,                    "a Groups Administrator",                                [N, N, N, Y, Y, Y]),
    (T::GuestInviter,                           "a Guest Inviter",                                       [R, R, Y, Y, Y, Y]),
    (T::HelpdeskAdministrator,                  "a Helpdesk Administrator",                              [N, R, N, Y, Y, Y]),
    (T::MessageCenterReader,                    "a Message Center Reader",                               [N, R, Y, Y, Y, Y]),
    (T::PasswordAdministrator,                  "a Password Administrator",                              [R, R, Y, Y, Y, Y]),
    (T::PrivilegedAuthenticationAdministrator,  "a Privileged Authentication Administrator",             [N, N, N, N, Y, Y]),
    (T::PrivilegedRoleAdministrator,            "a Privileged Role Administrator",                       [N, N, N, N, Y, Y]),
    (T::ReportsReader,                          "a Reports Reader",                                      [N, R, Y, Y, Y, Y]),
    (T::NoAdminRole,                            "a user with no administrator role",                     [R, R, Y, Y, Y, Y]),
    (T::RoleAssignableGroupMember,              "a member or owner of a role-assignable group",          [N, N, N, N, Y, Y]),
    (T::RestrictedManagementAdministrativeUnit, "a user in a restricted management administrative unit", [N, N, N, N, Y, Y]),
    (T::UserAdministrator,                      "a User Administrator",                                  [N, N, N, Y, Y, Y]),
    (T::UserExperienceSuccessManager,           "a User Experience Success Manager",                     [N, R, Y, Y, Y, Y]),
    (T::UsageSummaryReportsReader,              "a Usage Summary Reports Reader",                        [N, R, Y, Y, Y, Y]),
    (T::AllOtherRoles,                          "a user holding another administrator or custom role",   [N, N, N, N, Y, Y]),
];

/// Which table, and which capability, an action is governed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    ResetPassword,
    RevokeSessions,
    ManageAuthMethods,
    /// Creating a Temporary Access Pass: a method write, so the same roles and rows as
    /// managing methods, with its own wording.
    IssueTemporaryAccessPass,
    SensitiveProperties,
}

impl Rule {
    fn for_action(action: ActionKind) -> Rule {
        match action {
            ActionKind::ResetPassword => Rule::ResetPassword,
            ActionKind::RevokeSessions => Rule::RevokeSessions,
            ActionKind::RequireReregisterMfa => Rule::ManageAuthMethods,
            ActionKind::IssueTemporaryAccessPass => Rule::IssueTemporaryAccessPass,
        }
    }

    fn capable(self, caps: Capabilities) -> bool {
        match self {
            Rule::ResetPassword => caps.reset_password,
            Rule::RevokeSessions => caps.revoke_sessions,
            Rule::ManageAuthMethods | Rule::IssueTemporaryAccessPass => caps.manage_auth_methods,
            Rule::SensitiveProperties => caps.sensitive_actions,
        }
    }

    /// Whether a cell permits this rule. Managing authentication methods follows the §2.1
    /// column (the Authentication Administrator's role text points at that table).
    fn permits(self, cell: Cell) -> bool {
        match self {
            Rule::ResetPassword
            | Rule::RevokeSessions
            | Rule::ManageAuthMethods
            | Rule::IssueTemporaryAccessPass => cell != Cell::No,
            Rule::SensitiveProperties => cell == Cell::Both,
        }
    }

    /// "… can {verb} {target}", e.g. "reset the password of".
    fn verb(self) -> &'static str {
        match self {
            Rule::ResetPassword => "reset the password of",
            Rule::RevokeSessions => "revoke the sessions of",
            Rule::ManageAuthMethods => "require re-registration of MFA for",
            Rule::IssueTemporaryAccessPass => "issue a Temporary Access Pass to",
            Rule::SensitiveProperties => "update sensitive properties of",
        }
    }

    /// The action, as the subject of "… needs …".
    fn noun(self) -> &'static str {
        match self {
            Rule::ResetPassword => "Resetting a password",
            Rule::RevokeSessions => "Revoking sessions",
            Rule::ManageAuthMethods => "Requiring re-registration of MFA",
            Rule::IssueTemporaryAccessPass => "Issuing a Temporary Access Pass",
            Rule::SensitiveProperties => "Updating sensitive properties",
        }
    }
}

/// The categories (rows) a target falls in. A user with no role is one row; each role maps to
/// its row, an unrecognised one to "All other built-in and custom roles"; membership of a
/// role-assignable group adds that row.
pub fn target_categories(target: &DirectoryUser) -> Vec<TargetCategory> {
    let mut categories: Vec<TargetCategory> = Vec::new();
    if target.admin_roles.is_empty() && !target.in_role_assignable_group {
        categories.push(T::NoAdminRole);
    }
    for role in &target.admin_roles {
        let category = category_of_role(&role.template_id);
        if !categories.contains(&category) {
            categories.push(category);
        }
    }
    if target.in_role_assignable_group {
        categories.push(T::RoleAssignableGroupMember);
    }
    categories
}

fn category_of_role(template_id: &str) -> TargetCategory {
    use role_ids::*;
    match template_id.to_ascii_lowercase().as_str() {
        AUTHENTICATION_ADMINISTRATOR => T::AuthenticationAdministrator,
        DIRECTORY_READERS => T::DirectoryReaders,
        GLOBAL_ADMINISTRATOR => T::GlobalAdministrator,
        GROUPS_ADMINISTRATOR => T::GroupsAdministrator,
        GUEST_INVITER => T::GuestInviter,
        HELPDESK_ADMINISTRATOR => T::HelpdeskAdministrator,
        MESSAGE_CENTER_READER => T::MessageCenterReader,
        PASSWORD_ADMINISTRATOR => T::PasswordAdministrator,
        PRIVILEGED_AUTHENTICATION_ADMINISTRATOR => T::PrivilegedAuthenticationAdministrator,
        PRIVILEGED_ROLE_ADMINISTRATOR => T::PrivilegedRoleAdministrator,
        REPORTS_READER => T::ReportsReader,
        USER_ADMINISTRATOR => T::UserAdministrator,
        USER_EXPERIENCE_SUCCESS_MANAGER => T::UserExperienceSuccessManager,
        USAGE_SUMMARY_REPORTS_READER => T::UsageSummaryReportsReader,
        _ => T::AllOtherRoles,
    }
}

/// The matrix columns the operator holds, in table order. Other roles (Global Reader,
/// Security Administrator, custom roles) give no column: they cannot act on users here.
pub fn operator_columns(operator: &Operator) -> Vec<usize> {
    (0..COLUMNS.len())
        .filter(|&column| {
            let template_id = COLUMNS[column].1;
            operator
                .roles
                .iter()
                .any(|role| role.template_id.eq_ignore_ascii_case(template_id))
        })
        .collect()
}

fn cell(category: TargetCategory, column: usize) -> Cell {
    MATRIX
        .iter()
        .find(|(row, _, _)| *row == category)
        .map(|(_, _, cells)| cells[column])
        // Every category has a row (a unit test walks them all); `No` is the safe answer.
        .unwrap_or(Cell::No)
}

fn describe(category: TargetCategory) -> &'static str {
    MATRIX
        .iter()
        .find(|(row, _, _)| *row == category)
        .map(|(_, text, _)| *text)
        .unwrap_or("this user")
}

/// Whether one column permits the rule on every one of the target's categories. Entra checks
/// each of the operator's roles on its own: a Password Administrator may reset a Directory
/// Reader, but not a Directory Reader who is also a Groups Administrator.
fn column_permits_all(rule: Rule, column: usize, categories: &[TargetCategory]) -> bool {
    rule.capable(COLUMNS[column].3)
        && categories
            .iter()
            .all(|&category| rule.permits(cell(category, column)))
}

/// "A, B or C".
fn join_or(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => (*only).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// The English article for a role name. No 'U' here: every role name starting with U
/// ("User …", "Usage …") is said with a "you" sound.
fn article(name: &str) -> &'static str {
    if name.starts_with(['A', 'E', 'I', 'O']) {
        "an"
    } else {
        "a"
    }
}

/// "a Helpdesk Administrator, a User Administrator or a Global Administrator".
fn roles_with_articles(columns: &[usize]) -> String {
    let named: Vec<String> = columns
        .iter()
        .map(|&c| format!("{} {}", article(COLUMNS[c].2), COLUMNS[c].2))
        .collect();
    let refs: Vec<&str> = named.iter().map(String::as_str).collect();
    join_or(&refs)
}

/// The same account, by object id or (should an id be missing) by UPN.
fn is_self(operator: &Operator, target: &DirectoryUser) -> bool {
    let same_id = !operator.id.is_empty() && operator.id == target.id;
    let same_upn = !operator.user_principal_name.is_empty()
        && operator
            .user_principal_name
            .eq_ignore_ascii_case(&target.user_principal_name);
    same_id || same_upn
}

fn decide_rule(rule: Rule, operator: &Operator, target: &DirectoryUser) -> Decision {
    if is_self(operator, target) {
        return Decision::Denied {
            reason: "Use Security info (https://aka.ms/mysecurityinfo) or self-service password reset for your own account."
                .to_string(),
        };
    }
    // What the operator's roles can do at all does not depend on the target: say so first,
    // even when the target's roles are unknown (e.g. a user picked from search results).
    let held = operator_columns(operator);
    let capable: Vec<usize> = held
        .iter()
        .copied()
        .filter(|&c| rule.capable(COLUMNS[c].3))
        .collect();
    let categories = if target.roles_known {
        target_categories(target)
    } else {
        Vec::new()
    };
    if capable.is_empty() {
        return Decision::Denied {
            reason: lacking_capability_reason(rule, &held, &categories),
        };
    }
    if !target.roles_known {
        return Decision::Denied {
            reason: "The user's roles could not be read; refresh the user.".to_string(),
        };
    }
    if capable
        .iter()
        .any(|&c| column_permits_all(rule, c, &categories))
    {
        return Decision::Allowed;
    }

    // Name the rows that stop the operator, and the roles that could do it instead.
    let blocking: Vec<TargetCategory> = categories
        .iter()
        .copied()
        .filter(|&category| capable.iter().any(|&c| !rule.permits(cell(category, c))))
        .collect();
    let able: Vec<usize> = (0..COLUMNS.len())
        .filter(|&c| column_permits_all(rule, c, &categories))
        .collect();
    let whom = match blocking.as_slice() {
        [one] => describe(*one).to_string(),
        several => {
            let parts: Vec<&str> = several.iter().map(|&c| describe(c)).collect();
            format!("a user who is {}", join_and(&parts))
        }
    };
    Decision::Denied {
        reason: format!(
            "Only {} can {} {}.",
            roles_with_articles(&able),
            rule.verb(),
            whom
        ),
    }
}

/// "A, B and C".
fn join_and(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => (*only).to_string(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

fn lacking_capability_reason(rule: Rule, held: &[usize], categories: &[TargetCategory]) -> String {
    let able: Vec<usize> = (0..COLUMNS.len())
        .filter(|&c| rule.capable(COLUMNS[c].3))
        .collect();
    if let Some(&first) = held.first() {
        // The operator has an admin role, just not one that can do this. Point at the least
        // privileged role (table order) that could do it for this very user.
        let role = COLUMNS[first].2;
        let what = match rule {
            Rule::ManageAuthMethods | Rule::IssueTemporaryAccessPass => {
                "cannot manage authentication methods"
            }
            Rule::RevokeSessions => "cannot revoke sessions",
            Rule::ResetPassword => "cannot reset passwords",
            Rule::SensitiveProperties => "cannot update sensitive properties",
        };
        match (0..COLUMNS.len()).find(|&c| column_permits_all(rule, c, categories)) {
            Some(helper) => format!(
                "{role}s {what}. Ask {} {}.",
                article(COLUMNS[helper].2),
                COLUMNS[helper].2
            ),
            None => format!("{role}s {what}."),
        }
    } else {
        let names: Vec<&str> = able.iter().map(|&c| COLUMNS[c].2).collect();
        format!(
            "{} needs the {} role, and you have none of them.",
            rule.noun(),
            join_or(&names)
        )
    }
}

/// May `operator` take `action` on `target`? Pure; the same answer before the plan and
/// before each step, given the same inputs.
pub fn decide(action: ActionKind, operator: &Operator, target: &DirectoryUser) -> Decision {
    decide_rule(Rule::for_action(action), operator, target)
}

/// May `operator` update `target`'s sensitive properties (accountEnabled, businessPhones,
/// mobilePhone, otherMails, passwordProfile, userPrincipalName, …; §2.2)?
pub fn decide_sensitive_update(operator: &Operator, target: &DirectoryUser) -> Decision {
    decide_rule(Rule::SensitiveProperties, operator, target)
}

/// Hardware OATH tokens: only a Privileged Authentication Administrator or Global
/// Administrator (the Authentication Administrator "Cannot manage Hardware OATH tokens").
/// They may act on every user, so the target does not matter.
pub fn can_manage_hardware_oath(operator: &Operator) -> Result<(), String> {
    let held = operator_columns(operator);
    if held.iter().any(|&c| COLUMNS[c].3.hardware_oath) {
        return Ok(());
    }
    let able: Vec<usize> = (0..COLUMNS.len())
        .filter(|&c| COLUMNS[c].3.hardware_oath)
        .collect();
    let prefix = match held.last() {
        Some(&c) => format!("{}s cannot manage hardware OATH tokens. ", COLUMNS[c].2),
        None => String::new(),
    };
    Err(format!(
        "{prefix}Only {} can deactivate hardware OATH tokens.",
        roles_with_articles(&able)
    ))
}

/// The re-check run just before one step of a plan: the action's rule, plus the hardware
/// OATH rule for a deactivation step. A "revoke sessions" step added to a password or MFA
/// reset is governed by the revoke rule alone (a Password Administrator may reset the
/// password but not revoke). `operator` and `target` must be read live.
pub fn authorize_step(
    action: ActionKind,
    operator: &Operator,
    target: &DirectoryUser,
    step: &StepKind,
) -> Result<(), String> {
    let governing = match step {
        StepKind::RevokeSessions => ActionKind::RevokeSessions,
        _ => action,
    };
    decide(governing, operator, target).into_result()?;
    if let StepKind::DeactivateHardwareOath { .. } = step {
        can_manage_hardware_oath(operator)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use resetdesk_core::model::RoleRef;

    /// §2.1, copied verbatim from reference/graph.md (the expected values of the matrix test).
    const WHO_CAN_RESET_PASSWORDS: &str = "
| Role that password can be reset | Password Admin | Helpdesk Admin | Auth Admin | User Admin | Privileged Auth Admin | Global Admin |
|---|---|---|---|---|---|---|
| Auth Admin | | | ✅ | | ✅ | ✅ |
| Directory Readers | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ |
| Global Admin | | | | | ✅ | ✅\\* |
| Groups Admin | | | | ✅ | ✅ | ✅ |
| Guest Inviter | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ |
| Helpdesk Admin | | ✅ | | ✅ | ✅ | ✅ |
| Message Center Reader | | ✅ | ✅ | ✅ | ✅ | ✅ |
| Password Admin | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ |
| Privileged Auth Admin | | | | | ✅ | ✅ |
| Privileged Role Admin | | | | | ✅ | ✅ |
| Reports Reader | | ✅ | ✅ | ✅ | ✅ | ✅ |
| User (no admin role) | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ |
| User (no admin role, but member or owner of a role-assignable group) | | | | | ✅ | ✅ |
| User with a role scoped to a restricted management administrative unit | | | | | ✅ | ✅ |
| User Admin | | | | ✅ | ✅ | ✅ |
| User Experience Success Manager | | ✅ | ✅ | ✅ | ✅ | ✅ |
| Usage Summary Reports Reader | | ✅ | ✅ | ✅ | ✅ | ✅ |
| All other built-in and custom roles | | | | | ✅ | ✅ |
";

    /// §2.2, copied verbatim from reference/graph.md.
    const WHO_CAN_PERFORM_SENSITIVE_ACTIONS: &str = "
| Role that sensitive action can be performed upon | Auth Admin | User Admin | Privileged Auth Admin | Global Admin |
|---|---|---|---|---|
| Auth Admin | ✅ | | ✅ | ✅ |
| Directory Readers | ✅ | ✅ | ✅ | ✅ |
| Global Admin | | | ✅ | ✅ |
| Groups Admin | | ✅ | ✅ | ✅ |
| Guest Inviter | ✅ | ✅ | ✅ | ✅ |
| Helpdesk Admin | | ✅ | ✅ | ✅ |
| Message Center Reader | ✅ | ✅ | ✅ | ✅ |
| Password Admin | ✅ | ✅ | ✅ | ✅ |
| Privileged Auth Admin | | | ✅ | ✅ |
| Privileged Role Admin | | | ✅ | ✅ |
| Reports Reader | ✅ | ✅ | ✅ | ✅ |
| User (no admin role) | ✅ | ✅ | ✅ | ✅ |
| User (no admin role, but member or owner of a role-assignable group) | | | ✅ | ✅ |
| User with a role scoped to a restricted management administrative unit | | | ✅ | ✅ |
| User Admin | | ✅ | ✅ | ✅ |
| User Experience Success Manager | ✅ | ✅ | ✅ | ✅ |
| Usage Summary Reports Reader | ✅ | ✅ | ✅ | ✅ |
| All other built-in and custom roles | | | ✅ | ✅ |
";

    /// A custom role id that is no built-in role: must fall in "All other".
    const CUSTOM_ROLE: &str = "0b1a7c5e-0000-4000-8000-00000000c0de";
    const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";

    fn role(template_id: &str) -> RoleRef {
        RoleRef {
            template_id: template_id.to_string(),
            display_name: format!("role {template_id}"),
        }
    }

    fn operator_with(template_ids: &[&str]) -> Operator {
        Operator {
            connection_id: "c1".into(),
            tenant_id: "t1".into(),
            id: "operator-id".into(),
            user_principal_name: "op@contoso.sandbox".into(),
            display_name: "Operator".into(),
            roles: template_ids.iter().map(|id| role(id)).collect(),
        }
    }

    fn target_with(template_ids: &[&str]) -> DirectoryUser {
        DirectoryUser {
            id: "target-id".into(),
            user_principal_name: "target@contoso.sandbox".into(),
            display_name: "Target".into(),
            admin_roles: template_ids.iter().map(|id| role(id)).collect(),
            roles_known: true,
            ..Default::default()
        }
    }

    fn column_for_header(header: &str) -> &'static str {
        match header {
            "Password Admin" => role_ids::PASSWORD_ADMINISTRATOR,
            "Helpdesk Admin" => role_ids::HELPDESK_ADMINISTRATOR,
            "Auth Admin" => role_ids::AUTHENTICATION_ADMINISTRATOR,
            "User Admin" => role_ids::USER_ADMINISTRATOR,
            "Privileged Auth Admin" => role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
            "Global Admin" => role_ids::GLOBAL_ADMINISTRATOR,
            other => panic!("unknown column {other}"),
        }
    }

    /// A user who falls in exactly the documented row. `None` for the restricted-management
    /// AU row, which no provider reports; that row is checked on the table itself.
    fn target_for_row(label: &str) -> Option<DirectoryUser> {
        let by_role = |id: &str| Some(target_with(&[id]));
        match label {
            "Auth Admin" => by_role(role_ids::AUTHENTICATION_ADMINISTRATOR),
            "Directory Readers" => by_role(role_ids::DIRECTORY_READERS),
            "Global Admin" => by_role(role_ids::GLOBAL_ADMINISTRATOR),
            "Groups Admin" => by_role(role_ids::GROUPS_ADMINISTRATOR),
            "Guest Inviter" => by_role(role_ids::GUEST_INVITER),
            "Helpdesk Admin" => by_role(role_ids::HELPDESK_ADMINISTRATOR),
            "Message Center Reader" => by_role(role_ids::MESSAGE_CENTER_READER),
            "Password Admin" => by_role(role_ids::PASSWORD_ADMINISTRATOR),
            "Privileged Auth Admin" => by_role(role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR),
            "Privileged Role Admin" => by_role(role_ids::PRIVILEGED_ROLE_ADMINISTRATOR),
            "Reports Reader" => by_role(role_ids::REPORTS_READER),
            "User (no admin role)" => Some(target_with(&[])),
            "User (no admin role, but member or owner of a role-assignable group)" => {
                let mut user = target_with(&[]);
                user.in_role_assignable_group = true;
                Some(user)
            }
            "User with a role scoped to a restricted management administrative unit" => None,
            "User Admin" => by_role(role_ids::USER_ADMINISTRATOR),
            "User Experience Success Manager" => by_role(role_ids::USER_EXPERIENCE_SUCCESS_MANAGER),
            "Usage Summary Reports Reader" => by_role(role_ids::USAGE_SUMMARY_REPORTS_READER),
            "All other built-in and custom roles" => by_role(CUSTOM_ROLE),
            other => panic!("unknown row {other}"),
        }
    }

    /// (column headers, [(row label, cells as ✅ booleans)]) of a markdown table.
    fn parse_table(markdown: &str) -> (Vec<String>, Vec<(String, Vec<bool>)>) {
        let mut lines = markdown.lines().filter(|line| line.starts_with('|'));
        let split = |line: &str| -> Vec<String> {
            line.trim()
                .trim_start_matches('|')
                .trim_end_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        };
        let headers = split(lines.next().unwrap())[1..].to_vec();
        lines.next(); // the |---| separator
        let rows = lines
            .map(|line| {
                let cells = split(line);
                (
                    cells[0].clone(),
                    cells[1..].iter().map(|c| c.contains('✅')).collect(),
                )
            })
            .collect();
        (headers, rows)
    }

    fn assert_decision(expected: bool, decision: &Decision, context: &str) {
        assert_eq!(
            decision.is_allowed(),
            expected,
            "{context}: got {decision:?}"
        );
        if let Decision::Denied { reason } = decision {
            assert!(
                reason.ends_with('.') && reason.len() > 20,
                "{context}: reason too thin: {reason}"
            );
        }
    }

    #[test]
    fn reset_password_revoke_and_mfa_follow_every_cell_of_who_can_reset_passwords() {
        let (headers, rows) = parse_table(WHO_CAN_RESET_PASSWORDS);
        assert_eq!(headers.len(), 6);
        assert_eq!(
            rows.len(),
            MATRIX.len(),
            "every documented row is in the matrix"
        );
        let mut checked = 0;
        for (label, cells) in &rows {
            for (header, &documented) in headers.iter().zip(cells) {
                let operator = operator_with(&[column_for_header(header)]);
                let context = format!("row '{label}', column '{header}'");
                let Some(target) = target_for_row(label) else {
                    let column = COLUMNS
                        .iter()
                        .position(|c| c.1 == column_for_header(header))
                        .unwrap();
                    let cell = cell(T::RestrictedManagementAdministrativeUnit, column);
                    assert_eq!(cell != Cell::No, documented, "{context}");
                    continue;
                };
                assert_decision(
                    documented,
                    &decide(ActionKind::ResetPassword, &operator, &target),
                    &context,
                );
                let revoke = documented && header != "Password Admin";
                assert_decision(
                    revoke,
                    &decide(ActionKind::RevokeSessions, &operator, &target),
                    &context,
                );
                let manages_methods = ["Auth Admin", "Privileged Auth Admin", "Global Admin"]
                    .contains(&header.as_str());
                let mfa = documented && manages_methods;
                assert_decision(
                    mfa,
                    &decide(ActionKind::RequireReregisterMfa, &operator, &target),
                    &context,
                );
                // A Temporary Access Pass is a method write: the same cells as MFA.
                assert_decision(
                    mfa,
                    &decide(ActionKind::IssueTemporaryAccessPass, &operator, &target),
                    &context,
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 17 * 6);
    }

    #[test]
    fn sensitive_updates_follow_every_cell_of_who_can_perform_sensitive_actions() {
        let (headers, rows) = parse_table(WHO_CAN_PERFORM_SENSITIVE_ACTIONS);
        assert_eq!(headers.len(), 4);
        assert_eq!(rows.len(), MATRIX.len());
        for (label, cells) in &rows {
            for (header, &documented) in headers.iter().zip(cells) {
                let operator = operator_with(&[column_for_header(header)]);
                let context = format!("row '{label}', column '{header}'");
                match target_for_row(label) {
                    Some(target) => assert_decision(
                        documented,
                        &decide_sensitive_update(&operator, &target),
                        &context,
                    ),
                    None => {
                        let column = COLUMNS
                            .iter()
                            .position(|c| c.1 == column_for_header(header))
                            .unwrap();
                        assert_eq!(
                            cell(T::RestrictedManagementAdministrativeUnit, column) == Cell::Both,
                            documented
                        );
                    }
                }
            }
        }
        // The two columns §2.2 does not have can never perform sensitive actions.
        for id in [
            role_ids::PASSWORD_ADMINISTRATOR,
            role_ids::HELPDESK_ADMINISTRATOR,
        ] {
            for (label, _) in &rows {
                if let Some(target) = target_for_row(label) {
                    assert!(
                        !decide_sensitive_update(&operator_with(&[id]), &target).is_allowed(),
                        "{id} on {label}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_category_has_exactly_one_row() {
        for (category, _, _) in MATRIX {
            assert_eq!(
                MATRIX.iter().filter(|(row, _, _)| *row == category).count(),
                1,
                "{category:?}"
            );
        }
    }

    #[test]
    fn a_multi_role_target_must_be_allowed_for_every_role_by_one_operator_role() {
        // Password Admin may reset a Directory Reader, not a Directory Reader who is a Groups Admin.
        let target = target_with(&[role_ids::DIRECTORY_READERS, role_ids::GROUPS_ADMINISTRATOR]);
        let pwd = operator_with(&[role_ids::PASSWORD_ADMINISTRATOR]);
        assert_eq!(
            decide(ActionKind::ResetPassword, &pwd, &target),
            Decision::Denied {
                reason: "Only a User Administrator, a Privileged Authentication Administrator or a Global Administrator can reset the password of a Groups Administrator.".into()
            }
        );
        assert!(decide(
            ActionKind::ResetPassword,
            &operator_with(&[role_ids::USER_ADMINISTRATOR]),
            &target
        )
        .is_allowed());

        // Helpdesk + Auth Admin on a Helpdesk Admin who is also an Auth Admin: each operator
        // role covers one target role, neither covers both.
        let both = target_with(&[
            role_ids::HELPDESK_ADMINISTRATOR,
            role_ids::AUTHENTICATION_ADMINISTRATOR,
        ]);
        let op = operator_with(&[
            role_ids::HELPDESK_ADMINISTRATOR,
            role_ids::AUTHENTICATION_ADMINISTRATOR,
        ]);
        match decide(ActionKind::ResetPassword, &op, &both) {
            Decision::Denied { reason } => {
                assert!(
                    reason.starts_with(
                        "Only a Privileged Authentication Administrator or a Global Administrator"
                    ),
                    "{reason}"
                );
                assert!(
                    reason.contains("a Helpdesk Administrator and an Authentication Administrator"),
                    "{reason}"
                );
            }
            Decision::Allowed => panic!("no single operator role covers both target roles"),
        }
        // A role the operator cannot handle anywhere in the list decides.
        let reader_and_ga =
            target_with(&[role_ids::REPORTS_READER, role_ids::GLOBAL_ADMINISTRATOR]);
        let auth = operator_with(&[role_ids::AUTHENTICATION_ADMINISTRATOR]);
        assert!(!decide(ActionKind::RequireReregisterMfa, &auth, &reader_and_ga).is_allowed());
        let pra = operator_with(&[role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR]);
        assert!(decide(ActionKind::RequireReregisterMfa, &pra, &reader_and_ga).is_allowed());
    }

    #[test]
    fn an_operator_with_several_roles_uses_the_strongest() {
        let op = operator_with(&[
            role_ids::HELPDESK_ADMINISTRATOR,
            role_ids::AUTHENTICATION_ADMINISTRATOR,
        ]);
        let user = target_with(&[]);
        for action in ActionKind::ALL {
            assert!(decide(action, &op, &user).is_allowed(), "{action:?}");
        }
    }

    #[test]
    fn acting_on_yourself_is_refused_with_a_pointer_to_security_info() {
        let op = operator_with(&[role_ids::GLOBAL_ADMINISTRATOR]);
        let mut me = target_with(&[role_ids::GLOBAL_ADMINISTRATOR]);
        me.id = op.id.clone();
        let mut me_by_upn = target_with(&[]);
        me_by_upn.id = String::new();
        me_by_upn.user_principal_name = op.user_principal_name.to_uppercase();
        for action in ActionKind::ALL {
            assert!(!decide(action, &op, &me_by_upn).is_allowed());
            let Decision::Denied { reason } = decide(action, &op, &me) else {
                panic!("self allowed for {action:?}")
            };
            assert!(reason.contains("https://aka.ms/mysecurityinfo"), "{reason}");
        }
    }

    #[test]
    fn a_member_of_a_role_assignable_group_needs_a_privileged_authentication_administrator() {
        let mut diego = target_with(&[]);
        diego.in_role_assignable_group = true;
        let expected = "Only a Privileged Authentication Administrator or a Global Administrator can reset the password of a member or owner of a role-assignable group.";
        for id in [
            role_ids::PASSWORD_ADMINISTRATOR,
            role_ids::HELPDESK_ADMINISTRATOR,
            role_ids::AUTHENTICATION_ADMINISTRATOR,
            role_ids::USER_ADMINISTRATOR,
        ] {
            assert_eq!(
                decide(ActionKind::ResetPassword, &operator_with(&[id]), &diego),
                Decision::Denied {
                    reason: expected.into()
                }
            );
        }
        // Having a harmless role does not lift the group restriction.
        let mut reader_in_group = target_with(&[role_ids::DIRECTORY_READERS]);
        reader_in_group.in_role_assignable_group = true;
        assert!(!decide(
            ActionKind::ResetPassword,
            &operator_with(&[role_ids::HELPDESK_ADMINISTRATOR]),
            &reader_in_group
        )
        .is_allowed());
        for id in [
            role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
            role_ids::GLOBAL_ADMINISTRATOR,
        ] {
            for action in ActionKind::ALL {
                assert!(decide(action, &operator_with(&[id]), &diego).is_allowed());
            }
        }
    }

    #[test]
    fn an_operator_without_an_admin_role_is_refused_with_the_roles_needed() {
        for roles in [
            vec![],
            vec![role_ids::DIRECTORY_READERS],
            vec!["f2ef992c-3afb-46b9-b7cf-a126ee74c451"],
        ] {
            let nobody = operator_with(&roles);
            let user = target_with(&[]);
            let Decision::Denied { reason } = decide(ActionKind::ResetPassword, &nobody, &user)
            else {
                panic!()
            };
            assert_eq!(reason, "Resetting a password needs the Password Administrator, Helpdesk Administrator, Authentication Administrator, User Administrator, Privileged Authentication Administrator or Global Administrator role, and you have none of them.");
            let Decision::Denied { reason } =
                decide(ActionKind::RequireReregisterMfa, &nobody, &user)
            else {
                panic!()
            };
            assert_eq!(reason, "Requiring re-registration of MFA needs the Authentication Administrator, Privileged Authentication Administrator or Global Administrator role, and you have none of them.");
            assert!(can_manage_hardware_oath(&nobody).is_err());
        }
    }

    #[test]
    fn helpdesk_password_and_user_administrators_cannot_manage_authentication_methods() {
        let user = target_with(&[]);
        let cases = [
            (role_ids::HELPDESK_ADMINISTRATOR, "Helpdesk Administrators cannot manage authentication methods. Ask an Authentication Administrator."),
            (role_ids::PASSWORD_ADMINISTRATOR, "Password Administrators cannot manage authentication methods. Ask an Authentication Administrator."),
            (role_ids::USER_ADMINISTRATOR, "User Administrators cannot manage authentication methods. Ask an Authentication Administrator."),
        ];
        for (id, expected) in cases {
            assert_eq!(
                decide(
                    ActionKind::RequireReregisterMfa,
                    &operator_with(&[id]),
                    &user
                ),
                Decision::Denied {
                    reason: expected.into()
                }
            );
        }
        assert_eq!(
            decide(
                ActionKind::RevokeSessions,
                &operator_with(&[role_ids::PASSWORD_ADMINISTRATOR]),
                &user
            ),
            Decision::Denied {
                reason:
                    "Password Administrators cannot revoke sessions. Ask a Helpdesk Administrator."
                        .into()
            }
        );
    }

    #[test]
    fn mfa_on_a_global_administrator_names_the_roles_that_can() {
        let ga = target_with(&[role_ids::GLOBAL_ADMINISTRATOR]);
        assert_eq!(
            decide(ActionKind::RequireReregisterMfa, &operator_with(&[role_ids::AUTHENTICATION_ADMINISTRATOR]), &ga),
            Decision::Denied {
                reason: "Only a Privileged Authentication Administrator or a Global Administrator can require re-registration of MFA for a Global Administrator.".into()
            }
        );
    }

    #[test]
    fn unknown_target_roles_are_refused_until_refreshed() {
        let mut user = target_with(&[]);
        user.roles_known = false;
        for id in [
            role_ids::GLOBAL_ADMINISTRATOR,
            role_ids::AUTHENTICATION_ADMINISTRATOR,
        ] {
            for action in ActionKind::ALL {
                assert_eq!(
                    decide(action, &operator_with(&[id]), &user),
                    Decision::Denied {
                        reason: "The user's roles could not be read; refresh the user.".into()
                    }
                );
            }
        }
        // A role that cannot take the action at all says so, whatever the target's roles.
        assert_eq!(
            decide(ActionKind::RequireReregisterMfa, &operator_with(&[role_ids::HELPDESK_ADMINISTRATOR]), &user),
            Decision::Denied {
                reason: "Helpdesk Administrators cannot manage authentication methods. Ask an Authentication Administrator.".into()
            }
        );
        assert!(!decide(
            ActionKind::ResetPassword,
            &operator_with(&[role_ids::HELPDESK_ADMINISTRATOR]),
            &user
        )
        .is_allowed());
    }

    #[test]
    fn unknown_and_custom_target_roles_fall_in_all_other_roles() {
        for id in [CUSTOM_ROLE, SECURITY_ADMINISTRATOR] {
            let target = target_with(&[id]);
            assert_eq!(target_categories(&target), vec![T::AllOtherRoles]);
            assert!(!decide(
                ActionKind::ResetPassword,
                &operator_with(&[role_ids::USER_ADMINISTRATOR]),
                &target
            )
            .is_allowed());
            assert!(decide(
                ActionKind::ResetPassword,
                &operator_with(&[role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR]),
                &target
            )
            .is_allowed());
        }
        // Template ids compare case-insensitively (Graph returns lower case, but be safe).
        let upper = target_with(&[&role_ids::DIRECTORY_READERS.to_uppercase()]);
        assert_eq!(target_categories(&upper), vec![T::DirectoryReaders]);
    }

    #[test]
    fn hardware_oath_needs_a_privileged_authentication_administrator_or_global_administrator() {
        assert!(can_manage_hardware_oath(&operator_with(&[
            role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR
        ]))
        .is_ok());
        assert!(
            can_manage_hardware_oath(&operator_with(&[role_ids::GLOBAL_ADMINISTRATOR])).is_ok()
        );
        assert_eq!(
            can_manage_hardware_oath(&operator_with(&[role_ids::AUTHENTICATION_ADMINISTRATOR])),
            Err("Authentication Administrators cannot manage hardware OATH tokens. Only a Privileged Authentication Administrator or a Global Administrator can deactivate hardware OATH tokens.".into())
        );
        for id in [
            role_ids::HELPDESK_ADMINISTRATOR,
            role_ids::PASSWORD_ADMINISTRATOR,
            role_ids::USER_ADMINISTRATOR,
        ] {
            assert!(can_manage_hardware_oath(&operator_with(&[id])).is_err());
        }
    }

    #[test]
    fn authorize_step_adds_the_hardware_rule_to_the_action_rule() {
        let auth = operator_with(&[role_ids::AUTHENTICATION_ADMINISTRATOR]);
        let user = target_with(&[]);
        let delete = StepKind::DeleteMethod {
            method_id: "m".into(),
            method_kind: resetdesk_core::model::AuthMethodKind::Phone,
            phone_type: Some("mobile".into()),
        };
        let deactivate = StepKind::DeactivateHardwareOath {
            method_id: "h".into(),
        };
        assert!(authorize_step(ActionKind::RequireReregisterMfa, &auth, &user, &delete).is_ok());
        assert!(
            authorize_step(ActionKind::RequireReregisterMfa, &auth, &user, &deactivate).is_err()
        );
        let pra = operator_with(&[role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR]);
        assert!(authorize_step(ActionKind::RequireReregisterMfa, &pra, &user, &deactivate).is_ok());
        let ga_target = target_with(&[role_ids::GLOBAL_ADMINISTRATOR]);
        assert!(
            authorize_step(ActionKind::RequireReregisterMfa, &auth, &ga_target, &delete).is_err()
        );
    }

    #[test]
    fn a_revoke_step_in_a_password_reset_follows_the_revoke_rule() {
        let password_admin = operator_with(&[role_ids::PASSWORD_ADMINISTRATOR]);
        let helpdesk = operator_with(&[role_ids::HELPDESK_ADMINISTRATOR]);
        let user = target_with(&[]);
        let reset = StepKind::ResetPassword;
        let revoke = StepKind::RevokeSessions;
        assert!(authorize_step(ActionKind::ResetPassword, &password_admin, &user, &reset).is_ok());
        let refused =
            authorize_step(ActionKind::ResetPassword, &password_admin, &user, &revoke).unwrap_err();
        assert!(refused.contains("cannot revoke sessions"), "{refused}");
        assert!(authorize_step(ActionKind::ResetPassword, &helpdesk, &user, &revoke).is_ok());
    }

    #[test]
    fn issuing_a_temporary_access_pass_names_itself_in_refusals() {
        let auth = operator_with(&[role_ids::AUTHENTICATION_ADMINISTRATOR]);
        let ga_target = target_with(&[role_ids::GLOBAL_ADMINISTRATOR]);
        assert_eq!(
            decide(ActionKind::IssueTemporaryAccessPass, &auth, &ga_target),
            Decision::Denied {
                reason: "Only a Privileged Authentication Administrator or a Global Administrator can issue a Temporary Access Pass to a Global Administrator.".into()
            }
        );
        let helpdesk = operator_with(&[role_ids::HELPDESK_ADMINISTRATOR]);
        let reason = decide(
            ActionKind::IssueTemporaryAccessPass,
            &helpdesk,
            &target_with(&[]),
        )
        .into_result()
        .unwrap_err();
        assert_eq!(reason, "Helpdesk Administrators cannot manage authentication methods. Ask an Authentication Administrator.");
    }
}
