//! The eight safety rules, each written once: its settings key, how the window names it and
//! words its value, when it is weaker than ResetDesk's default, and how the managed policy's
//! floor and locks apply to it. `managed::apply_floor`, `ManagedPolicy::apply` and
//! `rules::describe` all read this table, so a ninth rule is one more entry here.

use super::policy::{SafetyPolicy, TenantAuditLog};

/// One safety rule.
pub(super) struct Rule {
    /// Its key in the settings (and in a managed policy's `locks`).
    pub key: &'static str,
    /// What the window calls it.
    pub label: &'static str,
    /// The value in force, in words.
    pub value: fn(&SafetyPolicy) -> String,
    /// Why `in_force`'s value is weaker than `defaults`', if it is.
    pub weaker_than_default: fn(in_force: &SafetyPolicy, defaults: &SafetyPolicy) -> Option<String>,
    /// The value as the settings write it (how an ignored user setting is shown).
    pub setting: fn(&SafetyPolicy) -> String,
    /// Writes the stricter of `floor`'s value and `user`'s into `applied`; returns
    /// `(theirs, kept)` when the user's was weaker and is ignored.
    pub floor: fn(
        floor: &SafetyPolicy,
        user: &SafetyPolicy,
        applied: &mut SafetyPolicy,
    ) -> Option<(String, String)>,
    /// Writes `floor`'s value into `applied`, whatever the user's (a lock).
    pub lock: fn(floor: &SafetyPolicy, applied: &mut SafetyPolicy),
}

/// The rules, in the order the window lists them. `verification.methods` comes after
/// `verification.required`: its floor reads whether verification is required by then.
pub(super) const RULES: [Rule; 8] = [
    Rule {
        key: "verification.required",
        label: "Verify the caller before a reset",
        value: |p| {
            if p.verification.required {
                "Required"
            } else {
                "Optional"
            }
            .to_string()
        },
        weaker_than_default: |p, d| {
            (!p.verification.required && d.verification.required)
                .then(|| "ResetDesk requires it by default.".to_string())
        },
        setting: |p| format!("{:?}", p.verification.required),
        floor: |floor, user, applied| {
            (floor.verification.required && !user.verification.required).then(|| {
                applied.verification.required = true;
                ("false".to_string(), "true".to_string())
            })
        },
        lock: |floor, applied| applied.verification.required = floor.verification.required,
    },
    Rule {
        key: "verification.methods",
        label: "Ways to verify the caller",
        value: |p| {
            let methods: Vec<&str> = p.verification.methods.iter().map(|m| m.label()).collect();
            if methods.is_empty() {
                "None".to_string()
            } else {
                methods.join(", ")
            }
        },
        // Fewer ways is stricter; knowledge questions are never accepted.
        weaker_than_default: |_, _| None,
        setting: |p| format!("{:?}", p.verification.methods),
        // Fewer methods is stricter: only those the policy allows, in the user's order (the
        // policy's own when none of the user's is allowed and verification is required).
        floor: |floor, user, applied| {
            let (allowed, not_allowed): (Vec<_>, Vec<_>) = user
                .verification
                .methods
                .iter()
                .copied()
                .partition(|m| floor.verification.methods.contains(m));
            applied.verification.methods = if allowed.is_empty() && applied.verification.required {
                floor.verification.methods.clone()
            } else {
                allowed
            };
            (!not_allowed.is_empty()).then(|| {
                let theirs: Vec<&str> = not_allowed.iter().map(|m| m.key()).collect();
                let kept: Vec<&str> = floor.verification.methods.iter().map(|m| m.key()).collect();
                (theirs.join(", "), format!("list ({})", kept.join(", ")))
            })
        },
        lock: |floor, applied| {
            applied.verification.methods = floor.verification.methods.clone();
        },
    },
    Rule {
        key: "approval.privilegedTargets",
        label: "A second person for users with admin roles",
        value: |p| on_off(p.approval.privileged_targets),
        weaker_than_default: |p, d| {
            (!p.approval.privileged_targets && d.approval.privileged_targets)
                .then(|| "ResetDesk asks for a second person by default.".to_string())
        },
        setting: |p| format!("{:?}", p.approval.privileged_targets),
        floor: |floor, user, applied| {
            (floor.approval.privileged_targets && !user.approval.privileged_targets).then(|| {
                applied.approval.privileged_targets = true;
                ("false".to_string(), "true".to_string())
            })
        },
        lock: |floor, applied| {
            applied.approval.privileged_targets = floor.approval.privileged_targets;
        },
    },
    Rule {
        key: "approval.vipUsers",
        label: "A second person for users on the VIP list",
        value: |p| match p.approval.vip_users.len() {
            0 => "No VIP list".to_string(),
            1 => "1 user".to_string(),
            n => format!("{n} users"),
        },
        weaker_than_default: |_, _| None,
        setting: |p| format!("{:?}", p.approval.vip_users),
        // A longer list is stricter: the policy's VIPs are added to the user's, never removed.
        floor: |floor, _user, applied| {
            for vip in &floor.approval.vip_users {
                if !applied.approval.is_vip_listed(vip) {
                    applied.approval.vip_users.push(vip.clone());
                }
            }
            None
        },
        lock: |floor, applied| applied.approval.vip_users = floor.approval.vip_users.clone(),
    },
    Rule {
        key: "approval.repeatMfaResetHours",
        label: "A second person for a user's second MFA reset within",
        value: |p| match p.approval.repeat_mfa_reset_hours {
            0 => "Off".to_string(),
            hours => format!("{hours} hours"),
        },
        weaker_than_default: |p, d| {
            (p.approval.repeat_mfa_reset_hours < d.approval.repeat_mfa_reset_hours).then(|| {
                format!(
                    "ResetDesk's default is {} hours.",
                    d.approval.repeat_mfa_reset_hours
                )
            })
        },
        setting: |p| p.approval.repeat_mfa_reset_hours.to_string(),
        // A longer window is stricter.
        floor: |floor, user, applied| {
            at_least(
                &mut applied.approval.repeat_mfa_reset_hours,
                user.approval.repeat_mfa_reset_hours,
                floor.approval.repeat_mfa_reset_hours,
            )
        },
        lock: |floor, applied| {
            applied.approval.repeat_mfa_reset_hours = floor.approval.repeat_mfa_reset_hours;
        },
    },
    Rule {
        key: "approval.bulkUsersAbove",
        label: "Largest bulk reset without a second person",
        value: |p| format!("{} users", p.approval.bulk_users_above),
        weaker_than_default: |p, d| {
            (p.approval.bulk_users_above > d.approval.bulk_users_above).then(|| {
                format!(
                    "ResetDesk's default is {} users.",
                    d.approval.bulk_users_above
                )
            })
        },
        setting: |p| p.approval.bulk_users_above.to_string(),
        // A smaller threshold is stricter.
        floor: |floor, user, applied| {
            at_most(
                &mut applied.approval.bulk_users_above,
                user.approval.bulk_users_above,
                floor.approval.bulk_users_above,
            )
        },
        lock: |floor, applied| {
            applied.approval.bulk_users_above = floor.approval.bulk_users_above;
        },
    },
    Rule {
        key: "rateLimits.resetsPerHour",
        label: "Resets per operator per hour",
        value: |p| p.rate_limits.resets_per_hour.to_string(),
        weaker_than_default: |p, d| {
            (p.rate_limits.resets_per_hour > d.rate_limits.resets_per_hour)
                .then(|| format!("ResetDesk's default is {}.", d.rate_limits.resets_per_hour))
        },
        setting: |p| p.rate_limits.resets_per_hour.to_string(),
        // A smaller cap is stricter.
        floor: |floor, user, applied| {
            at_most(
                &mut applied.rate_limits.resets_per_hour,
                user.rate_limits.resets_per_hour,
                floor.rate_limits.resets_per_hour,
            )
        },
        lock: |floor, applied| {
            applied.rate_limits.resets_per_hour = floor.rate_limits.resets_per_hour;
        },
    },
    Rule {
        key: "rateLimits.tenantAuditLog",
        label: "Count every desktop's resets from the tenant's audit log",
        value: |p| match p.rate_limits.tenant_audit_log {
            TenantAuditLog::WhenReadable => {
                "When it can be read (else this desktop's only, said on screen)".to_string()
            }
            TenantAuditLog::Required => {
                "Required (a reset is refused when it cannot be read)".to_string()
            }
        },
        weaker_than_default: |_, _| None,
        setting: |p| format!("{:?}", p.rate_limits.tenant_audit_log),
        floor: |floor, user, applied| {
            (floor.rate_limits.tenant_audit_log == TenantAuditLog::Required
                && user.rate_limits.tenant_audit_log != TenantAuditLog::Required)
                .then(|| {
                    applied.rate_limits.tenant_audit_log = TenantAuditLog::Required;
                    ("whenReadable".to_string(), "required".to_string())
                })
        },
        lock: |floor, applied| {
            applied.rate_limits.tenant_audit_log = floor.rate_limits.tenant_audit_log;
        },
    },
];

/// The rule whose settings key is `key`.
pub(super) fn find(key: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.key == key)
}

/// Every rule's key, in order.
pub fn keys() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|rule| rule.key)
}

fn on_off(on: bool) -> String {
    if on { "On" } else { "Off" }.to_string()
}

/// A number for which higher is stricter: `theirs`, raised to `floor` when lower.
fn at_least(applied: &mut u32, theirs: u32, floor: u32) -> Option<(String, String)> {
    *applied = theirs.max(floor);
    (theirs < floor).then(|| (theirs.to_string(), floor.to_string()))
}

/// A number for which lower is stricter: `theirs`, lowered to `floor` when higher.
fn at_most(applied: &mut u32, theirs: u32, floor: u32) -> Option<(String, String)> {
    *applied = theirs.min(floor);
    (theirs > floor).then(|| (theirs.to_string(), floor.to_string()))
}
