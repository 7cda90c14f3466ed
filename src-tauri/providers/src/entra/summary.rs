//! An Entra plan in the seam's terms (`ProviderPlan`), so the page has one confirmation for
//! every provider: the steps with the Graph page that documents each call, a step the
//! operator's roles will not let run marked with why, the target's admin roles, and Entra's
//! option form (also revoke sessions, a Temporary Access Pass's terms) as the plan's choices.
//!
//! The session (`super::provider`) keeps the plan itself beside the summary, for the run.

use super::planner::{Plan, Step};
use resetdesk_core::console::{PlanChoices, PlanTarget, ProviderPlan, ProviderStep, StepPerformed};
use resetdesk_core::seam::action_id;

pub fn provider_plan(plan: &Plan) -> ProviderPlan {
    let choices = (plan.also_revoke_sessions.is_some() || plan.temporary_access_pass.is_some())
        .then(|| PlanChoices::Entra {
            also_revoke_sessions: plan.also_revoke_sessions,
            temporary_access_pass: plan.temporary_access_pass.clone(),
        });
    ProviderPlan {
        id: plan.id.clone(),
        connection_id: plan.connection_id.clone(),
        action: action_id(&plan.action),
        safety_class: plan.action.safety_class(),
        action_label: plan.action.label().to_string(),
        target: PlanTarget {
            roles: Some(
                plan.target
                    .admin_roles
                    .iter()
                    .map(|role| role.display_name.clone())
                    .collect(),
            ),
            ..PlanTarget::new(
                plan.target.id.clone(),
                plan.target.display_name.clone(),
                plan.target.user_principal_name.clone(),
            )
        },
        operator: plan.operator_upn.clone(),
        admin_centre: "Microsoft Entra".to_string(),
        steps: plan.steps.iter().map(step).collect(),
        warnings: plan.warnings.clone(),
        // Entra's admin centre confirms once, and makes a reset's temporary password itself.
        confirmations_required: 1,
        needs_password: false,
        fresh_sign_in: None,
        safety: plan.safety.clone(),
        choices,
    }
}

fn step(step: &Step) -> ProviderStep {
    ProviderStep {
        blocked: step.blocked.clone(),
        kind: step_type(step),
        ..ProviderStep::new(
            step.summary.clone(),
            StepPerformed::Api {
                doc: step.kind.documented_at().to_string(),
            },
        )
    }
}

/// The step kind's serde tag (`deleteMethod`), as Entra's own summary typed it.
fn step_type(step: &Step) -> Option<String> {
    match serde_json::to_value(&step.kind) {
        Ok(serde_json::Value::Object(fields)) => fields
            .get("type")
            .and_then(|tag| tag.as_str())
            .map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::actions::{ActionKind, ActionOptions};
    use crate::entra::planner::tests::{adele, hardware, operator, phone};
    use crate::entra::planner::{build_plan_with, PlanInputs};
    use crate::entra::policy::role_ids;

    /// An Authentication Administrator's plan of `action` on Adele, who has a mobile phone
    /// (her default method) and a hardware token.
    fn plan_of(action: ActionKind, options: &ActionOptions) -> Plan {
        let operator = operator(role_ids::AUTHENTICATION_ADMINISTRATOR);
        let methods = [
            phone("mobile", "mobile", "+1 555 0100", true),
            hardware("hw", "activated"),
        ];
        let inputs = PlanInputs {
            options: Some(options),
            tap_policy: None,
        };
        build_plan_with(action, "conn", &operator, &adele(), &methods, inputs).unwrap()
    }

    #[test]
    fn an_mfa_reset_reads_as_the_seams_summary_with_each_steps_kind_and_why_one_will_not_run() {
        let options = ActionOptions {
            also_revoke_sessions: true,
            ..Default::default()
        };
        let plan = plan_of(ActionKind::RequireReregisterMfa, &options);
        let summary = provider_plan(&plan);

        assert_eq!(summary.id, plan.id, "the summary keeps the plan's id");
        assert_eq!(summary.action, "requireReregisterMfa");
        assert_eq!(
            summary.action_label,
            ActionKind::RequireReregisterMfa.label()
        );
        assert_eq!(
            summary.safety_class,
            ActionKind::RequireReregisterMfa.safety_class()
        );
        assert_eq!(summary.operator, "authadmin@contoso.sandbox");
        assert_eq!(summary.target.detail, "adele.vance@contoso.sandbox");
        assert_eq!(
            summary.target.roles,
            Some(Vec::new()),
            "Entra shows roles, here none"
        );
        let kinds: Vec<_> = summary.steps.iter().map(|s| s.kind.as_deref()).collect();
        assert_eq!(
            kinds,
            vec![
                Some("deactivateHardwareOath"),
                Some("deleteMethod"),
                Some("revokeSessions")
            ]
        );
        let hardware = &summary.steps[0];
        assert!(
            hardware
                .blocked
                .as_deref()
                .is_some_and(|why| why.contains("Privileged Authentication Administrator")),
            "{hardware:?}"
        );
        assert!(summary.steps[1].blocked.is_none());
        for step in &summary.steps {
            assert!(
                matches!(&step.performed, StepPerformed::Api { doc } if doc.starts_with("https://learn.microsoft.com/")),
                "{step:?}"
            );
        }
        assert_eq!(
            summary.choices,
            Some(PlanChoices::Entra {
                also_revoke_sessions: Some(true),
                temporary_access_pass: None,
            })
        );
        assert_eq!(
            (summary.confirmations_required, summary.needs_password),
            (1, false)
        );
    }

    #[test]
    fn revoking_sessions_offers_no_choices() {
        let plan = plan_of(ActionKind::RevokeSessions, &ActionOptions::default());
        assert_eq!(provider_plan(&plan).choices, None);
    }
}
