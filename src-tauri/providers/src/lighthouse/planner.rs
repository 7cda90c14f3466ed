//! The confirmation of "Reset all multi-factor authentications": for each selected user, in
//! which customer, the methods that will be removed, read live. Entra's "Require re-register
//! MFA" semantics (graph.md §1.3): phone numbers, Microsoft Authenticator apps and software
//! OATH tokens are deleted; passwords, passkeys, Windows Hello, email and Temporary Access
//! Passes are kept. Hardware OATH tokens are deactivated (on beta), first, where the
//! technician's GDAP roles in the customer allow it (Privileged Authentication Administrator,
//! Global Administrator); where they do not (an Authentication Administrator "Cannot manage
//! Hardware OATH tokens"), the token is listed as kept, with a warning that says why.

use std::collections::HashMap;
use std::sync::Arc;

use super::client::{CustomerAccess, LighthouseClient};
use super::offers::LighthouseAction;
pub use resetdesk_core::bulk::plan::{CustomerSummary, ResetPlan, UserPlan};
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::model::{AuthMethod, AuthMethodKind, DirectoryUser};
use resetdesk_core::seam::action_id;

/// Deletion order: apps and tokens first, then phones with the alternate mobile before the
/// mobile (Graph refuses to leave an alternate without a mobile), the default method last
/// (Graph refuses to delete the default while others remain).
fn order_key(method: &AuthMethod) -> (bool, u8) {
    let rank = match (method.kind, method.phone_type.as_deref()) {
        // Deactivated first, as Entra's "Require re-register MFA" does (it is not deleted, so
        // it never is the last method standing).
        (AuthMethodKind::HardwareOath, _) => 0,
        (AuthMethodKind::MicrosoftAuthenticator, _) => 1,
        (AuthMethodKind::SoftwareOath, _) => 2,
        (AuthMethodKind::Phone, Some("office")) => 3,
        (AuthMethodKind::Phone, Some("alternateMobile")) => 4,
        (AuthMethodKind::Phone, _) => 5,
        _ => 6,
    };
    (method.is_default, rank)
}

/// Whether a method is a hardware OATH token that is active now (one already deactivated has
/// nothing left to take away).
fn is_active_hardware_token(method: &AuthMethod) -> bool {
    method.kind == AuthMethodKind::HardwareOath
        && !method
            .status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("deactivated"))
}

/// The methods "Reset all MFAs" takes away from `methods`, in order (pure): deleted, or for
/// an active hardware OATH token deactivated, when `may_deactivate_hardware_oath`.
pub fn methods_to_remove(
    methods: &[AuthMethod],
    may_deactivate_hardware_oath: bool,
) -> Vec<AuthMethod> {
    let mut remove: Vec<AuthMethod> = methods
        .iter()
        .filter(|m| {
            matches!(
                m.kind,
                AuthMethodKind::Phone
                    | AuthMethodKind::MicrosoftAuthenticator
                    | AuthMethodKind::SoftwareOath
            ) || (may_deactivate_hardware_oath && is_active_hardware_token(m))
        })
        .cloned()
        .collect();
    remove.sort_by_key(order_key);
    remove
}

/// Reads every target's methods (live) and builds the confirmation. Refused with `Denied`
/// if a target's customer is not in `customers` or does not allow the action: the page's
/// selection is checked here again, whatever it sent.
pub async fn plan_reset_all_mfa(
    client: Arc<LighthouseClient>,
    customers: &[CustomerAccess],
    targets: &[DirectoryUser],
) -> Result<ResetPlan> {
    let action = LighthouseAction::ResetAllMfa;
    if targets.is_empty() {
        return Err(AppError::invalid_input("Select at least one user."));
    }
    let by_tenant: HashMap<String, &CustomerAccess> = customers
        .iter()
        .map(|c| (c.tenant_id.to_ascii_lowercase(), c))
        .collect();
    for target in targets {
        let customer = by_tenant
            .get(&target.tenant_id.to_ascii_lowercase())
            .ok_or_else(|| {
                AppError::denied(format!(
                    "{} is in tenant {}, which is not one of your Lighthouse customers.",
                    target.user_principal_name, target.tenant_id
                ))
            })?;
        if let Some(reason) = action.refusal(customer) {
            return Err(AppError::denied(reason));
        }
    }

    let read = super::reads::per_tenant(
        targets.iter().collect(),
        |target| target.tenant_id.clone(),
        |target| {
            let client = Arc::clone(&client);
            async move { client.list_methods(&target.tenant_id, &target.id).await }
        },
    )
    .await;

    let mut warnings = Vec::new();
    let mut users = Vec::with_capacity(targets.len());
    for (target, methods) in targets.iter().zip(read) {
        let customer = by_tenant[&target.tenant_id.to_ascii_lowercase()];
        let mut plan = UserPlan {
            tenant_id: customer.tenant_id.clone(),
            customer_name: customer.display_name.clone(),
            user_id: target.id.clone(),
            user_principal_name: target.user_principal_name.clone(),
            display_name: target.display_name.clone(),
            remove: Vec::new(),
            keep: Vec::new(),
            error: None,
        };
        match methods {
            Ok(methods) => {
                let may_deactivate = super::policy::holds_any(
                    &customer.role_ids(),
                    super::policy::HARDWARE_OATH_MANAGERS,
                );
                plan.remove = methods_to_remove(&methods, may_deactivate);
                plan.keep = methods
                    .iter()
                    .filter(|m| !plan.remove.iter().any(|r| r.id == m.id))
                    .map(|m| m.label.clone())
                    .collect();
                if !may_deactivate && methods.iter().any(is_active_hardware_token) {
                    warnings.push(format!(
                        "{} has a hardware OATH token that stays active: your roles in {} do not \
                         include Privileged Authentication Administrator or Global Administrator, \
                         who may deactivate it. Ask someone who holds one to deactivate it.",
                        plan.user_principal_name, customer.display_name
                    ));
                }
                if plan.remove.is_empty() {
                    warnings.push(format!(
                        "{} has no multi-factor method to remove.",
                        plan.user_principal_name
                    ));
                }
            }
            Err(error) => {
                let forbidden = error.kind == ErrorKind::Forbidden;
                warnings.push(format!(
                    "{}: {}{}",
                    plan.user_principal_name,
                    error.message,
                    if forbidden {
                        " Nothing is planned for this user."
                    } else {
                        ""
                    }
                ));
                plan.error = Some(error);
            }
        }
        users.push(plan);
    }
    Ok(ResetPlan::of(action_id(&action), users, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(id: &str, kind: AuthMethodKind, status: Option<&str>) -> AuthMethod {
        AuthMethod {
            id: id.into(),
            kind,
            label: id.into(),
            detail: None,
            phone_type: None,
            is_default: false,
            status: status.map(str::to_string),
            created: None,
        }
    }

    #[test]
    fn an_active_hardware_token_is_deactivated_first_only_where_the_roles_allow() {
        let methods = vec![
            method("password", AuthMethodKind::Password, None),
            method("phone", AuthMethodKind::Phone, None),
            method("app", AuthMethodKind::MicrosoftAuthenticator, None),
            method("token", AuthMethodKind::HardwareOath, Some("activated")),
            method(
                "old-token",
                AuthMethodKind::HardwareOath,
                Some("deactivated"),
            ),
        ];
        let ids = |list: Vec<AuthMethod>| list.into_iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(
            ids(methods_to_remove(&methods, true)),
            vec!["token", "app", "phone"]
        );
        assert_eq!(
            ids(methods_to_remove(&methods, false)),
            vec!["app", "phone"]
        );
    }
}
