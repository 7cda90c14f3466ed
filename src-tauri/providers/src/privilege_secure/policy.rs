//! Who may do what in Privilege Secure: its two actions are an Administrator's only (the API
//! documents ResetMFA as "Auth roles: Admin"), and each says why not where it is refused.

use super::{PsAccess, PsOperator, PsUser};
use resetdesk_core::seam::{ProviderAction, ProviderOffer};

/// The two actions, offered to an Administrator only, each with its reason when not
/// offered. That the user has no token is about the user, not the operator's rights.
pub(super) fn offers(operator: &PsOperator, user: &PsUser) -> Vec<ProviderOffer> {
    let not_admin = (!operator.is_administrator).then(|| {
        format!(
            "{} is not a Privilege Secure Administrator: only administrators can reset a \
             2-factor token.",
            operator.login
        )
    });
    let no_token = |what: &str| match &user.access {
        PsAccess::None => Some(format!(
            "{} has no access to Privilege Secure, so there is no {what} to reset.",
            user.name
        )),
        PsAccess::Unknown => Some(
            "Only an administrator can see how this user gets access to Privilege Secure."
                .to_string(),
        ),
        _ => None,
    };
    let offer = |action: ProviderAction, label: &str, refusal: Option<String>| {
        let offer = ProviderOffer::new(action, label, refusal);
        if operator.is_administrator {
            offer.refused_for_target_state()
        } else {
            offer
        }
    };
    let own = not_admin.clone().or_else(|| no_token("token"));
    let mut offers = vec![offer(ProviderAction::PsResetToken, TOKEN_RESET, own)];
    // The group-wide reset exists only for a user who gets access through a group: for
    // anyone else it would be one more refusal to read, about a group they are not in.
    if let PsAccess::ViaGroup { group_name, .. } = &user.access {
        let mut group_offer = offer(
            ProviderAction::PsResetGroupToken,
            GROUP_TOKEN_RESET,
            not_admin,
        );
        group_offer.warning = Some(group_warning(group_name));
        offers.push(group_offer);
    }
    offers
}

/// The labels of its two actions, as its offers and its audit entries say them (the admin
/// console's own words, without the product's name the model's labels add).
const TOKEN_RESET: &str = "Reset 2-Factor Token";
const GROUP_TOKEN_RESET: &str = "Reset 2-Factor Token of the whole group";

/// Privilege Secure's actions, with those labels.
pub(super) const ACTIONS: [(ProviderAction, &str); 2] = [
    (ProviderAction::PsResetToken, TOKEN_RESET),
    (ProviderAction::PsResetGroupToken, GROUP_TOKEN_RESET),
];

/// The warning of a reset of a whole group's token, on its offer and its summary.
pub(super) fn group_warning(group_name: &str) -> String {
    format!(
        "This resets the token of EVERY member of '{group_name}': all of them must set up their \
         2-factor token again at their next sign-in. To reset one user, use Reset 2-Factor Token \
         instead."
    )
}
