//! A Privilege Secure plan's steps, each with the API page that documents it, or by hand
//! where no documented call does it (the token of a whole group).

use super::policy::group_warning;
use super::{PsAccess, PsUser};
use resetdesk_core::error::{AppError, Result};
use resetdesk_core::seam::{ProviderAction, ProviderStep, StepPerformed};

/// Where the reset call is documented.
const RESET_MFA_DOC: &str = "https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/ResetMfaAsync.md";
const ADD_DOC: &str =
    "https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/PostAsync.md";
const REMOVE_DOC: &str =
    "https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/DeleteAsync.md";

/// The planned steps of `action` on `user`, and the warnings of the summary; a by-hand step
/// opens `admin_page` (the server's own console).
pub(super) fn steps(
    admin_page: &str,
    user: &PsUser,
    action: ProviderAction,
) -> Result<(Vec<ProviderStep>, Vec<String>)> {
    let api = |summary: String, doc: &str| {
        ProviderStep::new(
            summary,
            StepPerformed::Api {
                doc: doc.to_string(),
            },
        )
    };
    match (action, &user.access) {
        (ProviderAction::PsResetToken, PsAccess::Individual { .. }) => Ok((
            vec![api(
                format!("Reset the 2-factor token of {}", user.name),
                RESET_MFA_DOC,
            )],
            vec![format!(
                "{} must set up their 2-factor token again at their next Privilege Secure sign-in.",
                user.name
            )],
        )),
        (ProviderAction::PsResetToken, PsAccess::ViaGroup { group_name, .. }) => Ok((
            vec![
                api(
                    format!("Add {} individually to Users & Groups", user.name),
                    ADD_DOC,
                ),
                api(
                    format!(
                        "Reset the 2-factor token of {} (their own entry only)",
                        user.name
                    ),
                    RESET_MFA_DOC,
                ),
                api(
                    format!(
                        "Remove the individual entry again: {} keeps access through '{group_name}' as before",
                        user.name
                    ),
                    REMOVE_DOC,
                ),
            ],
            vec![
                format!(
                    "{} inherits access through the group '{group_name}'. The group itself is \
                     not touched: resetting it would make every member enrol again.",
                    user.name
                ),
                "If the reset fails, ResetDesk removes the individual entry again and says so."
                    .to_string(),
            ],
        )),
        (ProviderAction::PsResetGroupToken, PsAccess::ViaGroup { group_name, .. }) => Ok((
            vec![ProviderStep::new(
                format!("Reset the 2-factor token of the whole group '{group_name}'"),
                StepPerformed::ByHand {
                    page_url: admin_page.to_string(),
                    instructions: format!(
                        "In Privilege Secure: Users & Groups → open the group '{group_name}' → \
                         Reset 2-Factor Token → confirm."
                    ),
                    why: "The Privilege Secure API documents ResetMFA for one NPS user only; \
                          no documented call resets the token of a group."
                        .to_string(),
                },
            )],
            vec![group_warning(group_name)],
        )),
        _ => Err(AppError::invalid_input(format!(
            "{} has no 2-factor token this action can reset.",
            user.name
        ))),
    }
}
