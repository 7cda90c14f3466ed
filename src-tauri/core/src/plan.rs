//! A plan is what the confirmation dialog shows: the concrete steps an action will take on
//! one target, built from the target's live state. The page only ever sees it and refers
//! to it by id; the steps themselves are kept in Rust, so a forged request cannot add one.

use serde::{Deserialize, Serialize};

use crate::actions::ActionKind;
use crate::authz::{self, Decision};
use crate::error::AppError;
use crate::model::{AuthMethod, AuthMethodKind, DirectoryUser, Operator, RoleRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetSummary {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub admin_roles: Vec<RoleRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum StepKind {
    ResetPassword,
    DeactivateHardwareOath {
        method_id: String,
    },
    DeleteMethod {
        method_id: String,
        method_kind: AuthMethodKind,
        phone_type: Option<String>,
    },
    RevokeSessions,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub index: usize,
    pub kind: StepKind,
    /// One line for the summary, e.g. "Delete phone number +1 555 0100 (mobile, default method, last)".
    pub summary: String,
    /// Set when this step will not run because the operator lacks a role for it
    /// (e.g. hardware OATH needs a Privileged Authentication Administrator).
    pub blocked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub id: String,
    pub connection_id: String,
    pub tenant_id: String,
    pub action: ActionKind,
    pub operator_upn: String,
    pub target: TargetSummary,
    pub steps: Vec<Step>,
    pub warnings: Vec<String>,
    pub created_at: String,
}

/// Turns an allowed action on one target into the steps the confirmation dialog shows.
///
/// `target` must be read live with its roles, and `methods` listed live (with `is_default`),
/// just before; the authorization check runs here first, so a plan exists only for an
/// allowed action. For Require re-register MFA the order is one the service accepts: hardware
/// OATH tokens are deactivated first, then every non-default method is deleted (the alternate
/// mobile phone before the mobile one), and the default method last (graph.md §1.3: the
/// service refuses to delete the default method while others remain).
pub fn build_plan(
    action: ActionKind,
    connection_id: &str,
    operator: &Operator,
    target: &DirectoryUser,
    methods: &[AuthMethod],
) -> Result<Plan, AppError> {
    if let Decision::Denied { reason } = authz::decide(action, operator, target) {
        return Err(AppError::denied(reason));
    }
    let who = person(target);
    let mut warnings = Vec::new();
    let steps = match action {
        ActionKind::ResetPassword => {
            warnings.push(
                "The temporary password is shown once, after the reset; ResetDesk does not store or log it.".to_string(),
            );
            vec![Step {
                index: 0,
                kind: StepKind::ResetPassword,
                summary: format!(
                    "Set a temporary password for {who}; they must change it at next sign-in"
                ),
                blocked: None,
            }]
        }
        ActionKind::RevokeSessions => {
            warnings.push(
                "Access tokens already issued stay valid until they expire (up to about an hour), and revocation can take a few minutes to reach every service."
                    .to_string(),
            );
            vec![Step {
                index: 0,
                kind: StepKind::RevokeSessions,
                summary: format!("Revoke all sessions of {who}: refresh tokens and browser session cookies stop working"),
                blocked: None,
            }]
        }
        ActionKind::RequireReregisterMfa => {
            reregister_mfa_steps(operator, target, methods, &mut warnings)?
        }
    };

    Ok(Plan {
        id: uuid::Uuid::new_v4().to_string(),
        connection_id: connection_id.to_string(),
        tenant_id: if target.tenant_id.is_empty() {
            operator.tenant_id.clone()
        } else {
            target.tenant_id.clone()
        },
        action,
        operator_upn: operator.user_principal_name.clone(),
        target: TargetSummary {
            id: target.id.clone(),
            user_principal_name: target.user_principal_name.clone(),
            display_name: target.display_name.clone(),
            admin_roles: target.admin_roles.clone(),
        },
        steps,
        warnings,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })
}

/// "Adele Vance (adele.vance@contoso.sandbox)", or whichever of the two is known.
fn person(target: &DirectoryUser) -> String {
    match (
        target.display_name.is_empty(),
        target.user_principal_name.is_empty(),
    ) {
        (false, false) => format!("{} ({})", target.display_name, target.user_principal_name),
        (false, true) => target.display_name.clone(),
        (true, false) => target.user_principal_name.clone(),
        (true, true) => format!("user {}", target.id),
    }
}

fn display_name_or_upn(target: &DirectoryUser) -> &str {
    if target.display_name.is_empty() {
        &target.user_principal_name
    } else {
        &target.display_name
    }
}

/// Methods that "Require re-register MFA" deletes (the admin centre's behaviour).
fn is_deleted_for_reregistration(kind: AuthMethodKind) -> bool {
    matches!(
        kind,
        AuthMethodKind::Phone
            | AuthMethodKind::MicrosoftAuthenticator
            | AuthMethodKind::SoftwareOath
    )
}

fn is_activated_hardware_token(method: &AuthMethod) -> bool {
    method.kind == AuthMethodKind::HardwareOath
        && method
            .status
            .as_deref()
            .is_some_and(|status| status.eq_ignore_ascii_case("activated"))
}

fn phone_type_is(method: &AuthMethod, phone_type: &str) -> bool {
    method.kind == AuthMethodKind::Phone
        && method
            .phone_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(phone_type))
}

/// Order among the non-default methods. Only `alternateMobile` before `mobile` matters to the
/// service ("a user can't have an alternateMobile number without a mobile number"); the rest
/// is a stable, readable order.
fn deletion_rank(method: &AuthMethod) -> u8 {
    match method.kind {
        AuthMethodKind::MicrosoftAuthenticator => 0,
        AuthMethodKind::SoftwareOath => 1,
        AuthMethodKind::Phone if phone_type_is(method, "office") => 2,
        AuthMethodKind::Phone if phone_type_is(method, "alternateMobile") => 3,
        AuthMethodKind::Phone if phone_type_is(method, "mobile") => 4,
        _ => 5,
    }
}

/// How a method is named in a step: the kind in words plus the provider's detail.
fn method_words(method: &AuthMethod) -> String {
    let detail = method.detail.as_deref().filter(|d| !d.trim().is_empty());
    match method.kind {
        AuthMethodKind::Phone => {
            let number = detail.unwrap_or("(number not shown)");
            match method.phone_type.as_deref() {
                // The Entra provider's detail already says "+1 555 0100 (Mobile)".
                Some(t)
                    if !number
                        .to_ascii_lowercase()
                        .contains(&t.to_ascii_lowercase()) =>
                {
                    format!("phone number {number} ({t})")
                }
                _ => format!("phone number {number}"),
            }
        }
        AuthMethodKind::MicrosoftAuthenticator => with_detail("Microsoft Authenticator", detail),
        AuthMethodKind::SoftwareOath => with_detail("software OATH token", detail),
        AuthMethodKind::HardwareOath => with_detail("hardware OATH token", detail),
        _ => with_detail(&method.label, detail),
    }
}

fn with_detail(noun: &str, detail: Option<&str>) -> String {
    match detail {
        Some(detail) => format!("{noun} ({detail})"),
        None => noun.to_string(),
    }
}

fn reregister_mfa_steps(
    operator: &Operator,
    target: &DirectoryUser,
    methods: &[AuthMethod],
    warnings: &mut Vec<String>,
) -> Result<Vec<Step>, AppError> {
    let name = display_name_or_upn(target);
    let mut steps = Vec::new();

    let hardware_block = authz::can_manage_hardware_oath(operator).err();
    let hardware: Vec<&AuthMethod> = methods
        .iter()
        .filter(|m| is_activated_hardware_token(m))
        .collect();
    for token in &hardware {
        steps.push(Step {
            index: steps.len(),
            kind: StepKind::DeactivateHardwareOath {
                method_id: token.id.clone(),
            },
            summary: format!(
                "Deactivate {} (it stays assigned to {name})",
                method_words(token)
            ),
            blocked: hardware_block.clone(),
        });
    }
    if let (Some(reason), false) = (&hardware_block, hardware.is_empty()) {
        warnings.push(format!(
            "{} hardware OATH token(s) will not be deactivated: {reason} While a token stays active, the service may also refuse to remove the default method.",
            hardware.len()
        ));
    }

    let mut to_delete: Vec<&AuthMethod> = methods
        .iter()
        .filter(|m| is_deleted_for_reregistration(m.kind))
        .collect();
    // Stable sort: non-default methods by rank, then the default method last.
    to_delete.sort_by_key(|m| (m.is_default, deletion_rank(m)));
    for method in &to_delete {
        let mut summary = format!("Delete {}", method_words(method));
        if method.is_default {
            summary.push_str(" — default method, removed last");
        }
        steps.push(Step {
            index: steps.len(),
            kind: StepKind::DeleteMethod {
                method_id: method.id.clone(),
                method_kind: method.kind,
                phone_type: method.phone_type.clone(),
            },
            summary,
            blocked: None,
        });
    }

    let default_alternate = to_delete
        .iter()
        .any(|m| m.is_default && phone_type_is(m, "alternateMobile"));
    let has_mobile = to_delete.iter().any(|m| phone_type_is(m, "mobile"));
    if default_alternate && has_mobile {
        // The two service rules conflict here: the default goes last, yet the alternate
        // mobile number must go before the mobile one.
        warnings.push(format!(
            "The default method of {name} is the alternate mobile phone; the service may refuse to remove both phone numbers. If a step fails, ask {name} to choose another default method in Security info (https://aka.ms/mysecurityinfo), then run this again."
        ));
    }

    if steps.is_empty() {
        return Err(AppError::invalid_input(format!(
            "{name} has no phone, Authenticator or OATH methods to remove"
        )));
    }
    if to_delete.is_empty() {
        warnings.push(format!(
            "{name} has no phone, Authenticator or software OATH methods to delete; only hardware OATH tokens are deactivated."
        ));
    }
    if let Some(reason) = steps
        .iter()
        .all(|s| s.blocked.is_some())
        .then(|| hardware_block.clone())
        .flatten()
    {
        // Nothing would run: refuse now rather than show a confirmation that does nothing.
        return Err(AppError::denied(reason));
    }

    let stays: Vec<String> = methods
        .iter()
        .filter(|m| !is_deleted_for_reregistration(m.kind) && !is_activated_hardware_token(m))
        .map(|m| match (m.kind, m.status.as_deref()) {
            (AuthMethodKind::HardwareOath, Some(status)) => {
                format!("{} — {status}", method_words(m))
            }
            _ => method_words(m),
        })
        .collect();
    if !stays.is_empty() {
        warnings.push(format!(
            "Not touched, these stay registered: {}. Require re-register MFA does not remove passkeys (FIDO2), Windows Hello for Business, email, Temporary Access Pass or the password.",
            stays.join("; ")
        ));
    }
    warnings.push(format!(
        "{name} will be asked to register MFA again at next sign-in. MFA remembered on their devices is not revoked (Microsoft Graph has no call for it); revoke sessions as well if needed."
    ));
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::role_ids;
    use crate::error::ErrorKind;

    fn operator(role: &str) -> Operator {
        Operator {
            connection_id: "conn".into(),
            tenant_id: "tenant".into(),
            id: "operator".into(),
            user_principal_name: "authadmin@contoso.sandbox".into(),
            display_name: "Auth Admin".into(),
            roles: vec![RoleRef {
                template_id: role.into(),
                display_name: "role".into(),
            }],
        }
    }

    fn adele() -> DirectoryUser {
        DirectoryUser {
            tenant_id: "tenant".into(),
            id: "adele".into(),
            user_principal_name: "adele.vance@contoso.sandbox".into(),
            display_name: "Adele Vance".into(),
            roles_known: true,
            ..Default::default()
        }
    }

    pub(crate) fn method(id: &str, kind: AuthMethodKind, detail: &str) -> AuthMethod {
        AuthMethod {
            id: id.into(),
            kind,
            label: format!("{kind:?}"),
            detail: Some(detail.into()),
            phone_type: None,
            is_default: false,
            status: None,
            created: None,
        }
    }

    pub(crate) fn phone(id: &str, phone_type: &str, number: &str, is_default: bool) -> AuthMethod {
        AuthMethod {
            phone_type: Some(phone_type.into()),
            is_default,
            ..method(id, AuthMethodKind::Phone, number)
        }
    }

    pub(crate) fn hardware(id: &str, status: &str) -> AuthMethod {
        AuthMethod {
            status: Some(status.into()),
            ..method(id, AuthMethodKind::HardwareOath, &format!("Serial {id}"))
        }
    }

    /// Adele's methods as the sandbox seeds them, in the order Graph might list them.
    pub(crate) fn adele_methods() -> Vec<AuthMethod> {
        vec![
            method("pwd", AuthMethodKind::Password, ""),
            phone("mobile", "mobile", "+1 555 0100", true),
            method("fido", AuthMethodKind::Fido2, "YubiKey 5 NFC"),
            phone("alt", "alternateMobile", "+1 555 0101", false),
            method(
                "app",
                AuthMethodKind::MicrosoftAuthenticator,
                "Adele's iPhone",
            ),
            hardware("hw-on", "activated"),
            hardware("hw-off", "deactivated"),
            method("soft", AuthMethodKind::SoftwareOath, "Authy"),
            method("mail", AuthMethodKind::Email, "adele@home.example"),
        ]
    }

    fn ids(plan: &Plan) -> Vec<&str> {
        plan.steps
            .iter()
            .map(|s| match &s.kind {
                StepKind::DeactivateHardwareOath { method_id }
                | StepKind::DeleteMethod { method_id, .. } => method_id.as_str(),
                StepKind::ResetPassword => "reset",
                StepKind::RevokeSessions => "revoke",
            })
            .collect()
    }

    #[test]
    fn reregister_mfa_orders_hardware_first_then_non_defaults_alternate_before_mobile_default_last()
    {
        let plan = build_plan(
            ActionKind::RequireReregisterMfa,
            "conn",
            &operator(role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR),
            &adele(),
            &adele_methods(),
        )
        .unwrap();
        assert_eq!(ids(&plan), vec!["hw-on", "app", "soft", "alt", "mobile"]);
        assert!(plan
            .steps
            .iter()
            .enumerate()
            .all(|(i, s)| s.index == i && s.blocked.is_none()));
        assert_eq!(
            plan.steps[4].summary,
            "Delete phone number +1 555 0100 (mobile) — default method, removed last"
        );
        assert_eq!(
            plan.steps[3].summary,
            "Delete phone number +1 555 0101 (alternateMobile)"
        );
        assert_eq!(
            plan.steps[1].summary,
            "Delete Microsoft Authenticator (Adele's iPhone)"
        );
        assert_eq!(
            plan.steps[0].summary,
            "Deactivate hardware OATH token (Serial hw-on) (it stays assigned to Adele Vance)"
        );
        let stays = plan
            .warnings
            .iter()
            .find(|w| w.starts_with("Not touched"))
            .expect("a warning lists what stays");
        for kept in [
            "Password",
            "YubiKey 5 NFC",
            "adele@home.example",
            "Serial hw-off",
        ] {
            assert!(stays.contains(kept), "{kept} missing from {stays}");
        }
        assert!(!stays.contains("Authy") && !stays.contains("+1 555"));
        assert_eq!(plan.action, ActionKind::RequireReregisterMfa);
        assert_eq!(plan.operator_upn, "authadmin@contoso.sandbox");
        assert_eq!(
            plan.target.user_principal_name,
            "adele.vance@contoso.sandbox"
        );
        assert!(uuid::Uuid::parse_str(&plan.id).is_ok_and(|u| u.get_version_num() == 4));
        assert!(chrono::DateTime::parse_from_rfc3339(&plan.created_at).is_ok());
    }

    #[test]
    fn a_default_authenticator_goes_last_even_after_the_phones() {
        let mut methods = adele_methods();
        for m in &mut methods {
            m.is_default = m.id == "app";
        }
        let plan = build_plan(
            ActionKind::RequireReregisterMfa,
            "conn",
            &operator(role_ids::GLOBAL_ADMINISTRATOR),
            &adele(),
            &methods,
        )
        .unwrap();
        assert_eq!(ids(&plan), vec!["hw-on", "soft", "alt", "mobile", "app"]);
        assert!(plan.steps[4]
            .summary
            .ends_with("— default method, removed last"));
    }

    #[test]
    fn an_authentication_administrator_gets_the_hardware_step_blocked_and_the_rest_runs() {
        let plan = build_plan(
            ActionKind::RequireReregisterMfa,
            "conn",
            &operator(role_ids::AUTHENTICATION_ADMINISTRATOR),
            &adele(),
            &adele_methods(),
        )
        .unwrap();
        let blocked: Vec<_> = plan.steps.iter().filter(|s| s.blocked.is_some()).collect();
        assert_eq!(blocked.len(), 1);
        assert!(matches!(
            blocked[0].kind,
            StepKind::DeactivateHardwareOath { .. }
        ));
        assert!(blocked[0]
            .blocked
            .as_deref()
            .unwrap()
            .contains("Privileged Authentication Administrator"));
        assert_eq!(plan.steps.iter().filter(|s| s.blocked.is_none()).count(), 4);
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.contains("will not be deactivated")));
    }

    #[test]
    fn only_a_blocked_hardware_token_is_denied_rather_than_an_empty_confirmation() {
        let err = build_plan(
            ActionKind::RequireReregisterMfa,
            "conn",
            &operator(role_ids::AUTHENTICATION_ADMINISTRATOR),
            &adele(),
            &[hardware("hw", "activated")],
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Denied);
        let plan = build_plan(
            ActionKind::RequireReregisterMfa,
            "conn",
            &operator(role_ids::GLOBAL_ADMINISTRATOR),
            &adele(),
            &[hardware("hw", "activated")],
        )
        .unwrap();
        assert_eq!(plan.steps.len(), 1);
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.contains("no phone, Authenticator or software OATH methods to delete")));
    }

    #[test]
    fn no_mfa_method_to_remove_is_invalid_input() {
        let methods = vec![
            method("pwd", AuthMethodKind::Password, ""),
            method("fido", AuthMethodKind::Fido2, "key"),
            hardware("hw-off", "deactivated"),
        ];
        let err = build_plan(
            ActionKind::RequireReregisterMfa,
            "conn",
            &operator(role_ids::GLOBAL_ADMINISTRATOR),
            &adele(),
            &methods,
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert_eq!(
            err.message,
            "Adele Vance has no phone, Authenticator or OATH methods to remove"
        );
    }

    #[test]
    fn a_default_alternate_mobile_with_a_mobile_number_is_warned_about() {
        let methods = vec![
            phone("mobile", "mobile", "+1 555 0100", false),
            phone("alt", "alternateMobile", "+1 555 0101", true),
        ];
        let plan = build_plan(
            ActionKind::RequireReregisterMfa,
            "conn",
            &operator(role_ids::GLOBAL_ADMINISTRATOR),
            &adele(),
            &methods,
        )
        .unwrap();
        assert_eq!(ids(&plan), vec!["mobile", "alt"]);
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.contains("alternate mobile phone")));
    }

    #[test]
    fn phone_type_is_not_repeated_when_the_detail_already_names_it() {
        let m = phone("mobile", "mobile", "+1 2065555555 (Mobile)", false);
        assert_eq!(method_words(&m), "phone number +1 2065555555 (Mobile)");
    }

    #[test]
    fn reset_password_and_revoke_sessions_are_one_step_each() {
        let op = operator(role_ids::HELPDESK_ADMINISTRATOR);
        let reset = build_plan(ActionKind::ResetPassword, "conn", &op, &adele(), &[]).unwrap();
        assert_eq!(ids(&reset), vec!["reset"]);
        assert_eq!(
            reset.steps[0].summary,
            "Set a temporary password for Adele Vance (adele.vance@contoso.sandbox); they must change it at next sign-in"
        );
        let revoke = build_plan(
            ActionKind::RevokeSessions,
            "conn",
            &op,
            &adele(),
            &adele_methods(),
        )
        .unwrap();
        assert_eq!(ids(&revoke), vec!["revoke"]);
        assert_ne!(reset.id, revoke.id);
    }

    #[test]
    fn a_denied_action_is_an_app_error_with_the_reason() {
        let err = build_plan(
            ActionKind::RequireReregisterMfa,
            "conn",
            &operator(role_ids::HELPDESK_ADMINISTRATOR),
            &adele(),
            &adele_methods(),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Denied);
        assert_eq!(err.message, "Helpdesk Administrators cannot manage authentication methods. Ask an Authentication Administrator.");
    }
}
