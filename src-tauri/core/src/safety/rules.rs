//! The safety rules in force, as the window lists them (issue 15): each rule's value, whether
//! the machine's managed policy sets its floor, whether it raised a weaker user setting, and
//! whether it is weaker than ResetDesk's safe default — so that a loosened rule is seen, not
//! only logged.
use serde::Serialize;

use super::managed::IgnoredSetting;
use super::policy::SafetyPolicy;
use super::rule_table::RULES;

/// Where the machine's managed policy stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(
    rename_all = "camelCase",
    tag = "state",
    rename_all_fields = "camelCase"
)]
pub enum ManagedPolicyView {
    /// No managed policy: the operator's own settings apply.
    None,
    /// The policy at `path` sets the floor of every rule.
    InForce { path: String },
    /// The policy cannot be applied: actions are stopped, with this message.
    Refused { message: String },
}

/// One safety rule as it applies now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct SafetyRuleView {
    /// The rule's key in the settings (`rateLimits.resetsPerHour`): stable, for tests and keys.
    pub key: String,
    pub label: String,
    /// The value in force, in words.
    pub value: String,
    /// The managed policy sets this rule's floor: a user setting cannot make it weaker.
    pub managed: bool,
    /// The managed policy locks it: no user setting changes it, not even to stricter.
    pub locked: bool,
    /// The user's own setting, ignored because it was weaker than the managed policy's.
    pub raised_from: Option<String>,
    /// Why the value in force is weaker than ResetDesk's default, if it is.
    pub weaker_than_default: Option<String>,
}

/// The rules in force, and the managed policy behind them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct SafetyRulesView {
    pub managed_policy: ManagedPolicyView,
    pub rules: Vec<SafetyRuleView>,
}

/// Describes `in_force` for the window: `ignored` are the user settings the managed policy
/// overrode (see [`super::managed::apply_floor`]); `required_forwarding`, the most entries
/// that may wait for the collector when the policy requires forwarding.
pub fn describe(
    in_force: &SafetyPolicy,
    managed_policy: ManagedPolicyView,
    ignored: &[IgnoredSetting],
    locks: &[String],
    required_forwarding: Option<usize>,
) -> SafetyRulesView {
    let defaults = SafetyPolicy::default();
    let managed = matches!(managed_policy, ManagedPolicyView::InForce { .. });
    let rule =
        |key: &'static str, label: &str, value: String, weaker: Option<String>| SafetyRuleView {
            key: key.to_string(),
            label: label.to_string(),
            value,
            managed,
            locked: managed && locks.iter().any(|l| l == key),
            raised_from: ignored
                .iter()
                .find(|i| i.rule == key)
                .map(|i| i.theirs.clone()),
            weaker_than_default: weaker,
        };
    let mut rules: Vec<SafetyRuleView> = RULES
        .iter()
        .map(|r| {
            rule(
                r.key,
                r.label,
                (r.value)(in_force),
                (r.weaker_than_default)(in_force, &defaults),
            )
        })
        .collect();
    rules.push(rule(
        "requireForwarding",
        "Every action reaches the syslog collector",
        match required_forwarding {
            Some(max) => format!("Required: resets wait while more than {max} entries wait"),
            None => "Not required".to_string(),
        },
        // Only a managed policy can require it; ResetDesk's default leaves it to the user.
        None,
    ));
    SafetyRulesView {
        managed_policy,
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safety::managed::apply_floor;
    use serde_json::json;

    fn policy(value: serde_json::Value) -> SafetyPolicy {
        SafetyPolicy::from_settings(Some(&value)).unwrap()
    }

    fn required_locked(view: &SafetyRulesView) -> bool {
        find(view, "verification.required").locked
    }

    fn find<'a>(view: &'a SafetyRulesView, key: &str) -> &'a SafetyRuleView {
        view.rules.iter().find(|r| r.key == key).unwrap()
    }

    #[test]
    fn the_defaults_are_shown_unmanaged_and_none_is_weaker() {
        let view = describe(
            &SafetyPolicy::default(),
            ManagedPolicyView::None,
            &[],
            &[],
            None,
        );
        assert_eq!(view.rules.len(), 9);
        assert!(view
            .rules
            .iter()
            .all(|r| !r.managed && r.raised_from.is_none() && r.weaker_than_default.is_none()));
        assert_eq!(find(&view, "rateLimits.resetsPerHour").value, "20");
        assert_eq!(find(&view, "verification.required").value, "Required");
    }

    #[test]
    fn a_loosened_rule_is_marked_and_one_the_policy_raised_says_from_what() {
        let user = policy(json!({
            "verification": {"required": false},
            "approval": {"repeatMfaResetHours": 0, "bulkUsersAbove": 100},
            "rateLimits": {"resetsPerHour": 500}
        }));
        // Without a managed policy, the operator's loosened rules apply, each marked.
        let view = describe(&user, ManagedPolicyView::None, &[], &[], None);
        let weaker: Vec<&str> = view
            .rules
            .iter()
            .filter(|r| r.weaker_than_default.is_some())
            .map(|r| r.key.as_str())
            .collect();
        assert_eq!(
            weaker,
            [
                "verification.required",
                "approval.repeatMfaResetHours",
                "approval.bulkUsersAbove",
                "rateLimits.resetsPerHour"
            ]
        );
        assert_eq!(find(&view, "approval.repeatMfaResetHours").value, "Off");

        // A managed policy's floor: the rate it sets applies, the user's 500 is shown as raised.
        let floor = policy(json!({"rateLimits": {"resetsPerHour": 10}}));
        let (in_force, ignored) = apply_floor(&floor, &user);
        let managed = ManagedPolicyView::InForce {
            path: "/etc/resetdesk/policy.json".into(),
        };
        let view = describe(
            &in_force,
            managed,
            &ignored,
            &["rateLimits.resetsPerHour".to_string()],
            Some(50),
        );
        assert_eq!(
            find(&view, "requireForwarding").value,
            "Required: resets wait while more than 50 entries wait"
        );
        let rate = find(&view, "rateLimits.resetsPerHour");
        assert_eq!(rate.value, "10");
        assert!(rate.managed);
        assert!(rate.locked);
        assert!(!required_locked(&view));
        assert_eq!(rate.raised_from.as_deref(), Some("500"));
        assert_eq!(rate.weaker_than_default, None);
        let required = find(&view, "verification.required");
        assert_eq!(required.value, "Required", "the floor's default applies");
        assert_eq!(required.raised_from.as_deref(), Some("false"));
        assert!(view.rules.iter().all(|r| r.weaker_than_default.is_none()));
    }
}
