//! A customer's user, read through Lighthouse, as the one user page shows every provider's
//! (`seam::UserPage`): the customer and the technician's roles there, then the same overview
//! as an Entra user's (the customer's tenant is an Entra tenant), the methods, and the actions
//! the customer's roles and the user's own roles allow, each refused with the reason.

use super::client::CustomerAccess;
use super::offers::ActionOffer;
use resetdesk_core::console::{ProviderOffer, RefusedFor};
use resetdesk_core::error::AppError;
use resetdesk_core::model::{AuthMethod, DirectoryUser};
use resetdesk_core::seam::{action_id, FactValue, UserFact, UserPage, UserRow};
use resetdesk_model::action::SafetyClass;

/// The page of `user` in `customer`, with their methods (or why they could not be read) and
/// the offers for this user in this customer.
pub fn user_page(
    user: &DirectoryUser,
    customer: &CustomerAccess,
    methods: Vec<AuthMethod>,
    methods_error: Option<AppError>,
    offers: &[ActionOffer],
) -> UserPage {
    let mut facts = vec![
        UserFact::new("customer", "Customer", &customer.display_name),
        UserFact::typed(
            "gdap-roles",
            "Your roles in this customer",
            Some(roles(customer)),
        ),
    ];
    facts.extend(crate::entra::page::facts(user));
    UserPage {
        user: UserRow {
            id: user.id.clone(),
            display_name: user.display_name.clone(),
            login: user.user_principal_name.clone(),
            detail: Some(customer.display_name.clone()),
        },
        facts,
        offers: offers.iter().map(offer).collect(),
        fresh_sign_in: None,
        rate: None,
        methods: Some(methods),
        methods_error,
    }
}

/// The GDAP roles the technician holds in the customer, as badges.
fn roles(customer: &CustomerAccess) -> FactValue {
    if customer.roles.is_empty() {
        return FactValue::Text("None".into());
    }
    FactValue::Badges(
        customer
            .roles
            .iter()
            .map(|role| role.display_name.clone())
            .collect(),
    )
}

/// Lighthouse's offer in the seam's terms: refused with each customer's reason, named.
fn offer(offered: &ActionOffer) -> ProviderOffer {
    let reason = (!offered.offered).then(|| {
        if offered.refusals.is_empty() {
            "Not available for this customer.".to_string()
        } else {
            offered
                .refusals
                .iter()
                .map(|refusal| format!("{}: {}", refusal.display_name, refusal.reason))
                .collect::<Vec<_>>()
                .join(" ")
        }
    });
    ProviderOffer {
        action: action_id(&offered.action),
        label: offered.label.clone(),
        allowed: offered.offered,
        reason,
        warning: None,
        // One user's MFA reset: the hourly cap, caller verification and the approval rules of
        // an MFA reset apply, as for an Entra user.
        safety_class: SafetyClass::MfaReset,
        refused_for: RefusedFor::Authority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lighthouse::LighthouseAction;
    use resetdesk_core::model::tenants::TenantRefusal;
    use resetdesk_core::model::RoleRef;

    fn customer(roles: &[&str]) -> CustomerAccess {
        CustomerAccess {
            tenant_id: "t-1".into(),
            display_name: "Tailspin Toys".into(),
            relationship_id: "r-1".into(),
            relationship_status: "active".into(),
            roles: roles
                .iter()
                .map(|name| RoleRef {
                    template_id: format!("id-{name}"),
                    display_name: name.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_refused_offer_names_each_customer_with_its_reason_and_the_page_names_the_customer() {
        let refused = ActionOffer {
            action: LighthouseAction::ResetAllMfa,
            label: LighthouseAction::ResetAllMfa.label().into(),
            offered: false,
            refusals: vec![TenantRefusal {
                tenant_id: "t-1".into(),
                display_name: "Tailspin Toys".into(),
                reason: "Your roles there do not allow it.".into(),
            }],
        };
        let offer = offer(&refused);
        assert_eq!(offer.action, "resetAllMfa");
        assert!(!offer.allowed);
        assert_eq!(
            offer.reason.as_deref(),
            Some("Tailspin Toys: Your roles there do not allow it.")
        );

        let allowed = ActionOffer {
            offered: true,
            refusals: Vec::new(),
            ..refused
        };
        assert_eq!(super::offer(&allowed).reason, None);

        assert_eq!(roles(&customer(&[])), FactValue::Text("None".into()));
        assert_eq!(
            roles(&customer(&["Helpdesk Administrator"])),
            FactValue::Badges(vec!["Helpdesk Administrator".into()])
        );
    }
}
