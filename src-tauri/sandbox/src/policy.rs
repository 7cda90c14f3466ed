//! The emulator's own copy of Entra's authorization rules (reference/graph.md §2.1 and §2.3).
//! It is written independently of the app's `authz` module on purpose: the client's checks are
//! tested against a server that refuses what real Entra refuses.

use super::state::{Role, User};

/// The six columns of "Who can reset passwords" (roles that can reset passwords and
/// invalidate refresh tokens).
// The names mirror the column headers of the documented table.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    PasswordAdmin,
    HelpdeskAdmin,
    AuthAdmin,
    UserAdmin,
    PrivilegedAuthAdmin,
    GlobalAdmin,
}

use Column::*;

const EVERYONE: &[Column] = &[
    PasswordAdmin,
    HelpdeskAdmin,
    AuthAdmin,
    UserAdmin,
    PrivilegedAuthAdmin,
    GlobalAdmin,
];
const PRIVILEGED_ONLY: &[Column] = &[PrivilegedAuthAdmin, GlobalAdmin];
const ALL_BUT_PASSWORD_ADMIN: &[Column] = &[
    HelpdeskAdmin,
    AuthAdmin,
    UserAdmin,
    PrivilegedAuthAdmin,
    GlobalAdmin,
];

/// One row of §2.1: which columns may act on a target holding `role`.
fn columns_for_target_role(role: Role) -> &'static [Column] {
    match role {
        Role::AuthAdmin => &[AuthAdmin, PrivilegedAuthAdmin, GlobalAdmin],
        Role::DirectoryReaders | Role::GuestInviter | Role::PasswordAdmin => EVERYONE,
        Role::GlobalAdmin | Role::PrivilegedAuthAdmin | Role::PrivilegedRoleAdmin => {
            PRIVILEGED_ONLY
        }
        Role::GroupsAdmin | Role::UserAdmin => &[UserAdmin, PrivilegedAuthAdmin, GlobalAdmin],
        Role::HelpdeskAdmin => &[HelpdeskAdmin, UserAdmin, PrivilegedAuthAdmin, GlobalAdmin],
        Role::MessageCenterReader | Role::ReportsReader => ALL_BUT_PASSWORD_ADMIN,
        // "All other built-in and custom roles"
        Role::GlobalReader | Role::SecurityAdmin | Role::AuthPolicyAdmin => PRIVILEGED_ONLY,
    }
}

fn column_of(role: Role) -> Option<Column> {
    Some(match role {
        Role::PasswordAdmin => PasswordAdmin,
        Role::HelpdeskAdmin => HelpdeskAdmin,
        Role::AuthAdmin => AuthAdmin,
        Role::UserAdmin => UserAdmin,
        Role::PrivilegedAuthAdmin => PrivilegedAuthAdmin,
        Role::GlobalAdmin => GlobalAdmin,
        _ => return None,
    })
}

/// Whether an operator holding `column` may act on `target` per §2.1: every role of the
/// target must allow the column; role-assignable group members need a privileged column.
fn table_allows(column: Column, target: &User, in_role_assignable_group: bool) -> bool {
    if in_role_assignable_group && !PRIVILEGED_ONLY.contains(&column) {
        return false;
    }
    target
        .roles
        .iter()
        .all(|role| columns_for_target_role(*role).contains(&column))
}

/// An admin operation the emulator guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    ResetPassword,
    RevokeSessions,
    ReadMethods,
    DeleteMethod,
    /// Hardware OATH: "Cannot manage Hardware OATH tokens" for Authentication Administrators.
    ManageHardwareOath,
    /// Changing a user's default method (beta signInPreferences).
    UpdateMethodPreferences,
    /// Creating a Temporary Access Pass: a method write like the others.
    CreateTemporaryAccessPass,
}

/// Which operator columns carry the directory action behind `operation` (§2.3).
fn capable_columns(operation: Operation) -> &'static [Column] {
    match operation {
        Operation::ResetPassword => EVERYONE,
        Operation::RevokeSessions => ALL_BUT_PASSWORD_ADMIN,
        Operation::ReadMethods
        | Operation::DeleteMethod
        | Operation::UpdateMethodPreferences
        | Operation::CreateTemporaryAccessPass => &[AuthAdmin, PrivilegedAuthAdmin, GlobalAdmin],
        Operation::ManageHardwareOath => PRIVILEGED_ONLY,
    }
}

/// May `actor` perform `operation` on another user `target`? (Acting on yourself through
/// the admin endpoints is refused by the caller before this is asked.)
pub fn allows(
    actor: &User,
    operation: Operation,
    target: &User,
    in_role_assignable_group: bool,
) -> bool {
    if operation == Operation::ReadMethods {
        // Reading is not limited by the reset table; Global Reader reads everything.
        return actor.roles.iter().any(|role| {
            *role == Role::GlobalReader
                || column_of(*role)
                    .is_some_and(|column| capable_columns(operation).contains(&column))
        });
    }
    actor
        .roles
        .iter()
        .filter_map(|role| column_of(*role))
        .any(|column| {
            capable_columns(operation).contains(&column)
                && table_allows(column, target, in_role_assignable_group)
        })
}

/// An Authentication Administrator sees phone numbers masked unless another role of theirs
/// reads them in full.
pub fn sees_masked_phones(actor: &User) -> bool {
    let full_readers = [
        Role::GlobalAdmin,
        Role::PrivilegedAuthAdmin,
        Role::GlobalReader,
    ];
    actor.roles.contains(&Role::AuthAdmin)
        && !actor.roles.iter().any(|role| full_readers.contains(role))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role]) -> User {
        let mut state = super::super::seed::build(1, 0);
        let mut user = state.users.swap_remove(0);
        user.roles = roles.to_vec();
        user
    }

    /// Cells of reference/graph.md §2.1 and §2.3, read off the documented tables.
    #[test]
    fn reset_table_cells() {
        use Operation::*;
        let cases: &[(Role, Operation, &[Role], bool)] = &[
            (Role::PasswordAdmin, ResetPassword, &[], true),
            (
                Role::PasswordAdmin,
                ResetPassword,
                &[Role::PasswordAdmin],
                true,
            ),
            (
                Role::PasswordAdmin,
                ResetPassword,
                &[Role::HelpdeskAdmin],
                false,
            ),
            (Role::PasswordAdmin, RevokeSessions, &[], false),
            (
                Role::HelpdeskAdmin,
                ResetPassword,
                &[Role::HelpdeskAdmin],
                true,
            ),
            (
                Role::HelpdeskAdmin,
                ResetPassword,
                &[Role::UserAdmin],
                false,
            ),
            (Role::HelpdeskAdmin, DeleteMethod, &[], false),
            (Role::HelpdeskAdmin, ReadMethods, &[], false),
            (Role::AuthAdmin, ResetPassword, &[Role::AuthAdmin], true),
            (
                Role::AuthAdmin,
                ResetPassword,
                &[Role::HelpdeskAdmin],
                false,
            ),
            (Role::AuthAdmin, DeleteMethod, &[Role::ReportsReader], true),
            (Role::AuthAdmin, DeleteMethod, &[Role::GlobalAdmin], false),
            (Role::AuthAdmin, ReadMethods, &[Role::GlobalAdmin], true),
            (Role::AuthAdmin, ManageHardwareOath, &[], false),
            (Role::UserAdmin, ResetPassword, &[Role::GroupsAdmin], true),
            (
                Role::UserAdmin,
                ResetPassword,
                &[Role::SecurityAdmin],
                false,
            ),
            (
                Role::PrivilegedAuthAdmin,
                DeleteMethod,
                &[Role::GlobalAdmin],
                true,
            ),
            (Role::PrivilegedAuthAdmin, ManageHardwareOath, &[], true),
            (Role::GlobalAdmin, ResetPassword, &[Role::GlobalAdmin], true),
            (Role::GlobalReader, ReadMethods, &[Role::GlobalAdmin], true),
            (Role::GlobalReader, ResetPassword, &[], false),
            (Role::SecurityAdmin, ResetPassword, &[], false),
        ];
        for (actor, operation, target_roles, expected) in cases {
            let allowed = allows(&user(&[*actor]), *operation, &user(target_roles), false);
            assert_eq!(
                allowed, *expected,
                "{actor:?} {operation:?} on {target_roles:?}"
            );
        }
    }

    #[test]
    fn role_assignable_group_members_need_a_privileged_role() {
        let member = user(&[]);
        assert!(!allows(
            &user(&[Role::HelpdeskAdmin]),
            Operation::ResetPassword,
            &member,
            true
        ));
        assert!(!allows(
            &user(&[Role::AuthAdmin]),
            Operation::DeleteMethod,
            &member,
            true
        ));
        assert!(allows(
            &user(&[Role::PrivilegedAuthAdmin]),
            Operation::ResetPassword,
            &member,
            true
        ));
        // An operator with several roles gets the union.
        assert!(allows(
            &user(&[Role::HelpdeskAdmin, Role::GlobalAdmin]),
            Operation::RevokeSessions,
            &member,
            true
        ));
    }

    #[test]
    fn only_auth_admins_without_a_full_reader_role_see_masked_phones() {
        assert!(sees_masked_phones(&user(&[Role::AuthAdmin])));
        assert!(!sees_masked_phones(&user(&[
            Role::AuthAdmin,
            Role::GlobalReader
        ])));
        assert!(!sees_masked_phones(&user(&[Role::PrivilegedAuthAdmin])));
    }
}
