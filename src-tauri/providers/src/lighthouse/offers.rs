//! Which actions a selection of customers allows. Lighthouse: "When multiple customers are
//! selected … only options that apply to all selected customers display." An action is
//! offered when every selected customer allows it; otherwise the page is told, per customer,
//! why not. Pure: decided from the roles read from GDAP, checked again before each step.

use serde::{Deserialize, Serialize};

use super::client::CustomerAccess;
use super::policy::{holds_any, METHOD_WRITERS, USER_READERS};
use resetdesk_core::error::{AppError, Result};
use resetdesk_core::model::tenants::{TenantOffer, TenantRefusal};
use resetdesk_core::seam::action_id;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum LighthouseAction {
    /// Delete the phone numbers, Microsoft Authenticator apps and software OATH tokens of the
    /// selected users, so they register MFA anew at next sign-in.
    ResetAllMfa,
}

impl LighthouseAction {
    pub const ALL: [LighthouseAction; 1] = [LighthouseAction::ResetAllMfa];

    pub fn label(self) -> &'static str {
        match self {
            LighthouseAction::ResetAllMfa => "Reset all multi-factor authentications",
        }
    }

    /// Why `customer` does not allow this action (`None`: it does).
    pub fn refusal(self, customer: &CustomerAccess) -> Option<String> {
        if !customer.is_active() {
            return Some(format!(
                "The delegated admin relationship with {} is {}, not active.",
                customer.display_name, customer.relationship_status
            ));
        }
        let roles = customer.role_ids();
        match self {
            LighthouseAction::ResetAllMfa => {
                if !holds_any(&roles, USER_READERS) {
                    Some(format!(
                        "In {} your GDAP roles do not include reading users (Directory Readers, Global Reader or User Administrator).",
                        customer.display_name
                    ))
                } else if !holds_any(&roles, METHOD_WRITERS) {
                    Some(format!(
                        "In {} your GDAP roles do not allow resetting authentication methods (needs Authentication Administrator or Privileged Authentication Administrator).",
                        customer.display_name
                    ))
                } else {
                    None
                }
            }
        }
    }
}

/// One action for the selection: offered, or not with every customer's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionOffer {
    pub action: LighthouseAction,
    pub label: String,
    pub offered: bool,
    /// Empty when offered.
    pub refusals: Vec<TenantRefusal>,
}

/// The actions for `selection` (the customers ticked in the customer selector): each is
/// offered only if every selected customer allows it. An empty selection is an input error.
pub fn offered_actions(selection: &[CustomerAccess]) -> Result<Vec<ActionOffer>> {
    if selection.is_empty() {
        return Err(AppError::invalid_input(
            "Select at least one customer in the customer selector.",
        ));
    }
    Ok(LighthouseAction::ALL
        .iter()
        .map(|&action| {
            let refusals: Vec<TenantRefusal> = selection
                .iter()
                .filter_map(|customer| {
                    action.refusal(customer).map(|reason| TenantRefusal {
                        tenant_id: customer.tenant_id.clone(),
                        display_name: customer.display_name.clone(),
                        reason,
                    })
                })
                .collect();
            ActionOffer {
                action,
                label: action.label().to_string(),
                offered: refusals.is_empty(),
                refusals,
            }
        })
        .collect())
}

impl ActionOffer {
    /// The offer as the seam's lists show it, the action named by its id.
    pub fn for_tenants(&self) -> TenantOffer {
        TenantOffer {
            action: action_id(&self.action),
            label: self.label.clone(),
            offered: self.offered,
            refusals: self.refusals.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::policy::role_ids;
    use crate::lighthouse::policy::GLOBAL_READER;
    use resetdesk_core::model::RoleRef;

    fn customer(name: &str, status: &str, roles: &[&str]) -> CustomerAccess {
        CustomerAccess {
            tenant_id: format!("tenant-{name}"),
            display_name: name.into(),
            relationship_id: format!("rel-{name}"),
            relationship_status: status.into(),
            roles: roles
                .iter()
                .map(|r| RoleRef {
                    template_id: r.to_string(),
                    display_name: String::new(),
                })
                .collect(),
        }
    }

    fn reset(selection: &[CustomerAccess]) -> ActionOffer {
        offered_actions(selection)
            .unwrap()
            .into_iter()
            .find(|o| o.action == LighthouseAction::ResetAllMfa)
            .unwrap()
    }

    #[test]
    fn offered_when_every_customer_allows_it() {
        let offer = reset(&[
            customer(
                "A",
                "active",
                &[
                    role_ids::AUTHENTICATION_ADMINISTRATOR,
                    role_ids::DIRECTORY_READERS,
                ],
            ),
            customer(
                "B",
                "active",
                &[
                    role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
                    GLOBAL_READER,
                ],
            ),
        ]);
        assert!(offer.offered);
        assert!(offer.refusals.is_empty());
    }

    #[test]
    fn one_customer_without_a_method_writer_role_removes_it_with_the_reason() {
        let offer = reset(&[
            customer("A", "active", &[role_ids::AUTHENTICATION_ADMINISTRATOR]),
            customer(
                "Helpdesk",
                "active",
                &[
                    role_ids::HELPDESK_ADMINISTRATOR,
                    role_ids::DIRECTORY_READERS,
                ],
            ),
        ]);
        assert!(!offer.offered);
        assert_eq!(offer.refusals.len(), 1);
        assert_eq!(offer.refusals[0].display_name, "Helpdesk");
        assert!(offer.refusals[0]
            .reason
            .contains("Authentication Administrator"));
    }

    #[test]
    fn every_refusing_customer_is_named_including_inactive_relationships() {
        let offer = reset(&[
            customer(
                "Expired",
                "expired",
                &[role_ids::AUTHENTICATION_ADMINISTRATOR],
            ),
            customer("NoRoles", "active", &[]),
            customer("Fine", "active", &[role_ids::AUTHENTICATION_ADMINISTRATOR]),
        ]);
        assert!(!offer.offered);
        let names: Vec<&str> = offer
            .refusals
            .iter()
            .map(|r| r.display_name.as_str())
            .collect();
        assert_eq!(names, ["Expired", "NoRoles"]);
        assert!(offer.refusals[0].reason.contains("expired"));
    }

    #[test]
    fn single_customer_selection_and_empty_selection() {
        assert!(reset(&[customer("A", "active", &[role_ids::GLOBAL_ADMINISTRATOR])]).offered);
        assert!(!reset(&[customer("H", "active", &[role_ids::HELPDESK_ADMINISTRATOR])]).offered);
        let error = offered_actions(&[]).unwrap_err();
        assert_eq!(error.kind, resetdesk_core::ErrorKind::InvalidInput);
    }

    /// A bulk step written before plans recorded their class is one MFA reset of its user,
    /// never counted by the operator's cap (`safety::legacy_labels`), as its class says now.
    #[test]
    fn a_step_written_before_safety_classes_counts_as_a_bulk_step() {
        let counted = resetdesk_core::safety::legacy_labels::counted_by_label(
            LighthouseAction::ResetAllMfa.label(),
        );
        let class = resetdesk_core::model::action::SafetyClass::Bulk;
        assert_eq!(counted.reset, class.is_reset());
        assert_eq!(counted.mfa_reset, class.resets_mfa());
    }
}
