//! A plan is what the confirmation dialog shows: the concrete steps an action will take on
//! one target, built from the target's live state. The page sees it in the seam's terms
//! (`summary`) and refers to it by id; the steps themselves are kept in Rust, so a forged
//! request cannot add one.

use serde::{Deserialize, Serialize};

use super::actions::{ActionKind, ActionOptions, StepKind};
use super::policy::{self, Decision};
use resetdesk_core::error::AppError;
use resetdesk_core::model::{
    AuthMethod, AuthMethodKind, DirectoryUser, Operator, RoleRef, TemporaryAccessPassPolicy,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetSummary {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub admin_roles: Vec<RoleRef>,
}

pub use resetdesk_core::model::TemporaryAccessPassTerms;

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
    /// Reset password / Require re-register MFA: whether a final "revoke sessions" step was
    /// asked for (`None` for actions that do not offer it).
    #[serde(default)]
    pub also_revoke_sessions: Option<bool>,
    /// Issue Temporary Access Pass: the pass's terms and the policy.
    #[serde(default)]
    pub temporary_access_pass: Option<TemporaryAccessPassTerms>,
    /// Caller verification, second-person approval and the rate limit (issue 5), filled by
    /// the console from the organisation's policy and the directory.
    #[serde(default)]
    pub safety: resetdesk_core::model::safety::PlanSafety,
}

/// Said wherever sessions are revoked: revocation is not instantaneous (graph.md §1.4).
const SESSION_REVOCATION_DELAY: &str = "Access tokens already issued stay valid until they expire (up to about an hour), and revocation can take a few minutes to reach every service.";

/// What a plan is built from besides the target's state: the operator's choices and, for a
/// Temporary Access Pass, the tenant's policy read live.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanInputs<'a> {
    pub options: Option<&'a ActionOptions>,
    pub tap_policy: Option<&'a TemporaryAccessPassPolicy>,
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
    build_plan_with(
        action,
        connection_id,
        operator,
        target,
        methods,
        PlanInputs::default(),
    )
}

/// [`build_plan`] with the operator's options: "also revoke sessions" adds a final
/// revoke step (blocked, with the reason, when the operator may not revoke), and a Temporary
/// Access Pass is checked against `inputs.tap_policy` before any step exists.
pub fn build_plan_with(
    action: ActionKind,
    connection_id: &str,
    operator: &Operator,
    target: &DirectoryUser,
    methods: &[AuthMethod],
    inputs: PlanInputs<'_>,
) -> Result<Plan, AppError> {
    if let Decision::Denied { reason } = policy::decide(action, operator, target) {
        return Err(AppError::denied(reason));
    }
    let default_options = ActionOptions::default();
    let options = inputs.options.unwrap_or(&default_options);
    let who = person(target);
    let mut warnings = Vec::new();
    let mut temporary_access_pass = None;
    let mut steps = match action {
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
            warnings.push(SESSION_REVOCATION_DELAY.to_string());
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
        ActionKind::IssueTemporaryAccessPass => {
            let policy = inputs.tap_policy.ok_or_else(|| {
                AppError::internal("The tenant's Temporary Access Pass policy was not read.")
            })?;
            let terms = tap_terms(policy, options)?;
            warnings.push(
                "The pass is shown once, after it is issued; ResetDesk does not store or log it. Give it to the user over a verified channel.".to_string(),
            );
            warnings.push(format!(
                "A Temporary Access Pass {} already has stops working: a user has one pass at a time.",
                display_name_or_upn(target)
            ));
            let step = Step {
                index: 0,
                kind: StepKind::IssueTemporaryAccessPass {
                    lifetime_minutes: terms.lifetime_minutes,
                    usable_once: terms.usable_once,
                },
                summary: format!(
                    "Issue a Temporary Access Pass to {who}: valid for {}, {}",
                    minutes_words(terms.lifetime_minutes),
                    if terms.usable_once {
                        "one-time use"
                    } else {
                        "usable more than once during its lifetime"
                    }
                ),
                blocked: None,
            };
            temporary_access_pass = Some(terms);
            vec![step]
        }
    };

    let also_revoke_sessions = action
        .offers_session_revocation()
        .then_some(options.also_revoke_sessions);
    if also_revoke_sessions == Some(true) {
        let blocked = policy::decide(ActionKind::RevokeSessions, operator, target)
            .into_result()
            .err();
        match &blocked {
            Some(reason) => warnings.push(format!("Sessions will not be revoked: {reason}")),
            None => warnings.push(SESSION_REVOCATION_DELAY.to_string()),
        }
        steps.push(Step {
            index: steps.len(),
            kind: StepKind::RevokeSessions,
            summary: format!("Revoke all sessions of {who}: refresh tokens and browser session cookies stop working"),
            blocked,
        });
    }

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
        also_revoke_sessions,
        temporary_access_pass,
        safety: resetdesk_core::model::safety::PlanSafety::not_applicable(),
    })
}

/// The pass's lifetime and one-time use, checked against the tenant's policy so that nothing
/// is sent that the service would refuse.
fn tap_terms(
    policy: &TemporaryAccessPassPolicy,
    options: &ActionOptions,
) -> Result<TemporaryAccessPassTerms, AppError> {
    if !policy.enabled {
        return Err(AppError::invalid_input(
            "Temporary Access Pass is turned off in this tenant's authentication methods policy. An Authentication Policy Administrator or Global Administrator can enable it (Entra admin centre > Authentication methods > Policies).",
        ));
    }
    let (min, max) = (
        policy.minimum_lifetime_minutes,
        policy.maximum_lifetime_minutes,
    );
    let lifetime_minutes = options
        .tap_lifetime_minutes
        .unwrap_or(policy.default_lifetime_minutes);
    if !(min..=max).contains(&lifetime_minutes) {
        return Err(AppError::invalid_input(format!(
            "The lifetime must be between {min} and {max} minutes (this tenant's Temporary Access Pass policy); {lifetime_minutes} was entered."
        )));
    }
    let usable_once = options.tap_usable_once.unwrap_or(true);
    if policy.is_usable_once && !usable_once {
        return Err(AppError::invalid_input(
            "This tenant's policy allows only one-time Temporary Access Passes. Keep \"One-time use\" ticked.",
        ));
    }
    Ok(TemporaryAccessPassTerms {
        lifetime_minutes,
        usable_once,
        policy: policy.clone(),
    })
}

/// "60 minutes", "8 hours", "1 hour 30 minutes".
fn minutes_words(minutes: u32) -> String {
    let plural = |n: u32, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match (minutes / 60, minutes % 60) {
        (0, m) => plural(m, "minute"),
        (h, 0) => plural(h, "hour"),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
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
pub(crate) fn method_words(method: &AuthMethod) -> String {
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

    let hardware_block = policy::can_manage_hardware_oath(operator).err();
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

    // Graph refuses "Cannot delete default method with other methods configured"; whether the
    // methods this action keeps (FIDO2, e-mail, …) count as "other" is not documented, and
    // Microsoft's own tooling says the default "can only be deleted when it is the only (last)
    // auth method". signInPreferences cannot make a kept method the default (its values are
    // push, oath, sms and voice methods only), so the plan says so before anything runs.
    let kept: Vec<&AuthMethod> = methods
        .iter()
        .filter(|m| {
            !is_deleted_for_reregistration(m.kind)
                && m.kind != AuthMethodKind::Password
                && m.kind != AuthMethodKind::HardwareOath
        })
        .collect();
    if let (Some(default), false) = (to_delete.iter().find(|m| m.is_default), kept.is_empty()) {
        warnings.push(format!(
            "{}'s default method ({}) is removed last, but {} kept ({}): Microsoft Graph may refuse to remove the default while other methods remain. If that step fails, the other methods are already gone; ask {name} to sign in and choose another default method in Security info (https://aka.ms/mysecurityinfo), or remove it in the admin centre.",
            name,
            method_words(default),
            if kept.len() == 1 { "one method is" } else { "other methods are" },
            kept.iter()
                .map(|m| method_words(m))
                .collect::<Vec<_>>()
                .join(", ")
        ));
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
pub(crate) mod tests {
    use super::*;
    use crate::entra::policy::role_ids;
    use resetdesk_core::error::ErrorKind;

    pub(crate) fn operator(role: &str) -> Operator {
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

    pub(crate) fn adele() -> DirectoryUser {
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
                StepKind::IssueTemporaryAccessPass { .. } => "tap",
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

    fn policy() -> TemporaryAccessPassPolicy {
        TemporaryAccessPassPolicy {
            enabled: true,
            default_lifetime_minutes: 60,
            minimum_lifetime_minutes: 60,
            maximum_lifetime_minutes: 480,
            default_length: 8,
            is_usable_once: false,
        }
    }

    fn tap_plan(
        role: &str,
        options: &ActionOptions,
        policy: &TemporaryAccessPassPolicy,
    ) -> Result<Plan, AppError> {
        build_plan_with(
            ActionKind::IssueTemporaryAccessPass,
            "conn",
            &operator(role),
            &adele(),
            &[],
            PlanInputs {
                options: Some(options),
                tap_policy: Some(policy),
            },
        )
    }

    #[test]
    fn a_temporary_access_pass_plan_shows_lifetime_and_one_time_use_within_the_policy() {
        let plan = tap_plan(
            role_ids::AUTHENTICATION_ADMINISTRATOR,
            &ActionOptions::default(),
            &policy(),
        )
        .unwrap();
        assert_eq!(ids(&plan), vec!["tap"]);
        assert_eq!(
            plan.steps[0].summary,
            "Issue a Temporary Access Pass to Adele Vance (adele.vance@contoso.sandbox): valid for 1 hour, one-time use"
        );
        let terms = plan.temporary_access_pass.as_ref().unwrap();
        assert_eq!((terms.lifetime_minutes, terms.usable_once), (60, true));
        assert_eq!(terms.policy, policy());
        assert_eq!(plan.also_revoke_sessions, None);
        assert!(plan.warnings.iter().any(|w| w.contains("shown once")));

        let multi = tap_plan(
            role_ids::GLOBAL_ADMINISTRATOR,
            &ActionOptions {
                tap_lifetime_minutes: Some(90),
                tap_usable_once: Some(false),
                ..Default::default()
            },
            &policy(),
        )
        .unwrap();
        assert_eq!(
            multi.steps[0].kind,
            StepKind::IssueTemporaryAccessPass {
                lifetime_minutes: 90,
                usable_once: false
            }
        );
        assert!(multi.steps[0]
            .summary
            .ends_with("valid for 1 hour 30 minutes, usable more than once during its lifetime"));
    }

    #[test]
    fn a_temporary_access_pass_outside_the_policy_is_refused_with_the_range() {
        let options = |minutes| ActionOptions {
            tap_lifetime_minutes: Some(minutes),
            ..Default::default()
        };
        for minutes in [0, 59, 481, 43_200] {
            let err =
                tap_plan(role_ids::GLOBAL_ADMINISTRATOR, &options(minutes), &policy()).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput);
            assert!(
                err.message
                    .starts_with("The lifetime must be between 60 and 480 minutes"),
                "{}",
                err.message
            );
        }
        let once_only = TemporaryAccessPassPolicy {
            is_usable_once: true,
            ..policy()
        };
        let multi = ActionOptions {
            tap_usable_once: Some(false),
            ..Default::default()
        };
        let err = tap_plan(role_ids::GLOBAL_ADMINISTRATOR, &multi, &once_only).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains("only one-time"));
        let disabled = TemporaryAccessPassPolicy {
            enabled: false,
            ..policy()
        };
        let err = tap_plan(
            role_ids::GLOBAL_ADMINISTRATOR,
            &ActionOptions::default(),
            &disabled,
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains("turned off"));
        // Without the policy there is no plan.
        let err = build_plan(
            ActionKind::IssueTemporaryAccessPass,
            "conn",
            &operator(role_ids::GLOBAL_ADMINISTRATOR),
            &adele(),
            &[],
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Internal);
        // A role that may not issue one is refused first.
        let err = tap_plan(
            role_ids::HELPDESK_ADMINISTRATOR,
            &ActionOptions::default(),
            &policy(),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Denied);
    }

    #[test]
    fn also_revoke_adds_a_final_step_blocked_for_a_password_administrator() {
        let options = ActionOptions {
            also_revoke_sessions: true,
            ..Default::default()
        };
        let inputs = PlanInputs {
            options: Some(&options),
            tap_policy: None,
        };
        let helpdesk = operator(role_ids::HELPDESK_ADMINISTRATOR);
        let reset = build_plan_with(
            ActionKind::ResetPassword,
            "conn",
            &helpdesk,
            &adele(),
            &[],
            inputs,
        )
        .unwrap();
        assert_eq!(ids(&reset), vec!["reset", "revoke"]);
        assert_eq!(reset.steps[1].index, 1);
        assert!(reset.steps[1].blocked.is_none());
        assert_eq!(reset.also_revoke_sessions, Some(true));
        assert!(reset
            .warnings
            .iter()
            .any(|w| w.starts_with("Access tokens already issued stay valid")));

        let password_admin = operator(role_ids::PASSWORD_ADMINISTRATOR);
        let reset = build_plan_with(
            ActionKind::ResetPassword,
            "conn",
            &password_admin,
            &adele(),
            &[],
            inputs,
        )
        .unwrap();
        assert_eq!(ids(&reset), vec!["reset", "revoke"]);
        let reason = reset.steps[1].blocked.as_deref().unwrap();
        assert!(
            reason.contains("Password Administrators cannot revoke sessions"),
            "{reason}"
        );
        assert!(reset
            .warnings
            .iter()
            .any(|w| w.starts_with("Sessions will not be revoked")));

        let mfa = build_plan_with(
            ActionKind::RequireReregisterMfa,
            "conn",
            &operator(role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR),
            &adele(),
            &adele_methods(),
            inputs,
        )
        .unwrap();
        assert_eq!(ids(&mfa).last(), Some(&"revoke"));
        assert_eq!(mfa.steps.len(), 6);

        // Not asked for: the action alone, and the plan says the option was off.
        let alone =
            build_plan(ActionKind::ResetPassword, "conn", &helpdesk, &adele(), &[]).unwrap();
        assert_eq!(ids(&alone), vec!["reset"]);
        assert_eq!(alone.also_revoke_sessions, Some(false));
        // Revoke sessions itself does not offer the option.
        let revoke = build_plan_with(
            ActionKind::RevokeSessions,
            "conn",
            &helpdesk,
            &adele(),
            &[],
            inputs,
        )
        .unwrap();
        assert_eq!(ids(&revoke), vec!["revoke"]);
        assert_eq!(revoke.also_revoke_sessions, None);
    }
}
