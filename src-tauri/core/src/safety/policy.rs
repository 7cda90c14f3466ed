//! The organisation's safety settings: the `safety` key of the settings file. Every field is
//! optional and the defaults are the safe ones (verification required with every method,
//! approval for privileged targets, 20 resets per operator per hour).

use serde::{Deserialize, Serialize};

use super::verification::{VerificationMethod, KNOWLEDGE_QUESTIONS_NEVER_PASS};
use crate::error::{AppError, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SafetyPolicy {
    pub verification: VerificationPolicy,
    pub approval: ApprovalPolicy,
    pub rate_limits: RateLimitPolicy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct VerificationPolicy {
    /// `false` makes recording a verification optional (the default is required).
    pub required: bool,
    /// The methods operators may use, in the order the confirmation offers them.
    pub methods: Vec<VerificationMethod>,
}

impl Default for VerificationPolicy {
    fn default() -> Self {
        Self {
            required: true,
            methods: VerificationMethod::ACCEPTED.to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ApprovalPolicy {
    /// A target who holds an admin role (or is in a role-assignable group) needs a second
    /// operator's approval.
    pub privileged_targets: bool,
    /// Users who always need approval, by UPN or object id (case does not matter).
    pub vip_users: Vec<String>,
    /// A second "Require re-register MFA" of the same user within this many hours needs
    /// approval; 0 turns the rule off.
    pub repeat_mfa_reset_hours: u32,
    /// A bulk reset of more users than this needs a second operator's approval of the whole
    /// job (each user's own rules apply besides).
    pub bulk_users_above: u32,
}

impl ApprovalPolicy {
    /// Whether `entry` (a UPN or object id) is on the VIP list (case does not matter).
    pub fn is_vip_listed(&self, entry: &str) -> bool {
        self.vip_users
            .iter()
            .any(|v| v.trim().eq_ignore_ascii_case(entry.trim()))
    }
}

/// The largest bulk reset one operator may run alone (issue 14: "above a configured number
/// of users, default 25").
pub const DEFAULT_BULK_USERS_ABOVE: u32 = 25;

impl Default for ApprovalPolicy {
    fn default() -> Self {
        Self {
            privileged_targets: true,
            vip_users: Vec::new(),
            repeat_mfa_reset_hours: 24,
            bulk_users_above: DEFAULT_BULK_USERS_ABOVE,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RateLimitPolicy {
    /// Most resets (password, MFA, Temporary Access Pass) one operator may complete in any
    /// sliding hour.
    pub resets_per_hour: u32,
    /// Whether the cap and the repeat-MFA rule may fall back to this desktop's log when the
    /// tenant's audit log cannot be read (see `safety::team`).
    pub tenant_audit_log: TenantAuditLog,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        Self {
            resets_per_hour: 20,
            tenant_audit_log: TenantAuditLog::default(),
        }
    }
}

/// Reading the tenant's audit log, which counts every desktop's resets (and the admin
/// centre's): where the provider keeps one, it is always read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TenantAuditLog {
    /// When it cannot be read (no Reports Reader role, say), count this desktop's resets only,
    /// and say so on screen.
    #[default]
    WhenReadable,
    /// When it cannot be read, refuse the reset: the cap must hold across the team.
    Required,
}

/// The most VIP entries kept (a list that long is a directory group, not a VIP list).
const MAX_VIP_USERS: usize = 10_000;

impl SafetyPolicy {
    /// Reads the `safety` value of the settings file (absent → the defaults). A value that is
    /// not valid is refused with what to fix: the caller keeps the safe defaults and says so.
    pub fn from_settings(value: Option<&serde_json::Value>) -> Result<Self> {
        let Some(value) = value else {
            return Ok(Self::default());
        };
        let policy: SafetyPolicy = serde_json::from_value(value.clone()).map_err(|e| {
            AppError::invalid_input(format!(
                "The \"safety\" settings are not valid ({e}). Fix them in settings.json; the safe defaults apply until then."
            ))
        })?;
        policy.validate()?;
        Ok(policy)
    }

    pub fn validate(&self) -> Result<()> {
        let methods = &self.verification.methods;
        if methods.contains(&VerificationMethod::KnowledgeQuestions) {
            return Err(AppError::invalid_input(format!(
                "\"knowledgeQuestions\" cannot be enabled as a verification method: {KNOWLEDGE_QUESTIONS_NEVER_PASS}"
            )));
        }
        if self.verification.required && methods.is_empty() {
            return Err(AppError::invalid_input(
                "Caller verification is required but no method is enabled: list at least one of callBack, managerConfirmation, oneTimeCode, ticket.",
            ));
        }
        let mut seen = Vec::new();
        for method in methods {
            if seen.contains(method) {
                return Err(AppError::invalid_input(format!(
                    "The verification method \"{}\" is listed twice.",
                    method.key()
                )));
            }
            seen.push(*method);
        }
        if self.rate_limits.resets_per_hour == 0 {
            return Err(AppError::invalid_input(
                "resetsPerHour must be at least 1 (a cap of 0 would stop every reset).",
            ));
        }
        if self.approval.vip_users.len() > MAX_VIP_USERS {
            return Err(AppError::invalid_input(format!(
                "The VIP list has more than {MAX_VIP_USERS} entries; use an admin role or a smaller list."
            )));
        }
        if self.approval.vip_users.iter().any(|v| v.trim().is_empty()) {
            return Err(AppError::invalid_input(
                "The VIP list has an empty entry; list UPNs or object ids.",
            ));
        }
        Ok(())
    }

    /// Whether `upn` or `id` is on the VIP list.
    pub fn is_vip(&self, id: &str, upn: &str) -> bool {
        self.approval
            .vip_users
            .iter()
            .map(|v| v.trim())
            .any(|v| v.eq_ignore_ascii_case(id) || v.eq_ignore_ascii_case(upn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_settings_give_the_safe_defaults() {
        let policy = SafetyPolicy::from_settings(None).unwrap();
        assert!(policy.verification.required);
        assert_eq!(policy.verification.methods.len(), 4);
        assert!(policy.approval.privileged_targets);
        assert_eq!(policy.approval.repeat_mfa_reset_hours, 24);
        assert_eq!(policy.rate_limits.resets_per_hour, 20);
        assert_eq!(
            SafetyPolicy::from_settings(Some(&json!({}))).unwrap(),
            policy
        );
    }

    #[test]
    fn a_partial_setting_keeps_the_other_defaults() {
        let policy = SafetyPolicy::from_settings(Some(&json!({
            "verification": {"methods": ["ticket", "callBack"]},
            "approval": {"vipUsers": ["CEO@contoso.com"]},
            "rateLimits": {"resetsPerHour": 5}
        })))
        .unwrap();
        assert!(policy.verification.required);
        assert_eq!(
            policy.verification.methods,
            vec![VerificationMethod::Ticket, VerificationMethod::CallBack]
        );
        assert!(policy.approval.privileged_targets);
        assert!(policy.is_vip("x", "ceo@contoso.com"));
        assert!(!policy.is_vip("x", "cfo@contoso.com"));
        assert_eq!(policy.rate_limits.resets_per_hour, 5);
    }

    #[test]
    fn invalid_settings_are_refused_with_what_to_fix() {
        let cases = [
            (
                json!({"verification": {"methods": ["knowledgeQuestions"]}}),
                "knowledgeQuestions",
            ),
            (
                json!({"verification": {"methods": []}}),
                "no method is enabled",
            ),
            (
                json!({"verification": {"methods": ["ticket", "ticket"]}}),
                "listed twice",
            ),
            (
                json!({"verification": {"methods": ["smokeSignals"]}}),
                "not valid",
            ),
            (json!({"rateLimits": {"resetsPerHour": 0}}), "at least 1"),
            (json!({"approval": {"vipUsers": [" "]}}), "empty entry"),
            (json!({"approvals": {}}), "not valid"),
        ];
        for (value, expected) in cases {
            let error = SafetyPolicy::from_settings(Some(&value)).unwrap_err();
            assert!(
                error.message.contains(expected),
                "{value}: {}",
                error.message
            );
        }
    }

    #[test]
    fn verification_may_be_made_optional_with_no_method() {
        let policy = SafetyPolicy::from_settings(Some(&json!({
            "verification": {"required": false, "methods": []}
        })))
        .unwrap();
        assert!(!policy.verification.required);
    }
}
