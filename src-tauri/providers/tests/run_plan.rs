//! `Console::run_plan`, the one way the page runs a confirmed plan, on Entra's plans: the
//! result in the seam's terms (a report per step, the secret named by kind), with the same
//! checks and audit as Entra's own run, against the sandbox emulator with a real OAuth sign-in.
use std::sync::Arc;

use resetdesk_core::audit::AuditOutcome;
use resetdesk_core::console::{
    Console, PasswordInput, PlanChoices, SecretKind, StepPerformed, StepState,
};
use resetdesk_core::secrets::MemoryStore;
use resetdesk_core::ErrorKind;
use resetdesk_providers::entra::actions::{ActionKind, ActionOptions};
use resetdesk_sandbox::Sandbox;
use tempfile::TempDir;

use resetdesk_providers::EntraConsole;
use resetdesk_testkit as common;

const CONNECTION: &str = common::SANDBOX_ID;
use common::ADELE;

struct Harness {
    sandbox: Sandbox,
    console: Console,
    audit_path: std::path::PathBuf,
    _dir: TempDir,
}

async fn harness(operator: &str) -> Harness {
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let console = common::open_console(
        &sandbox,
        &audit_path,
        Arc::new(MemoryStore::new()),
        common::safety_rules_off(),
    );
    common::sign_in(&console, &format!("{operator}@contoso.sandbox")).await;
    Harness {
        sandbox,
        console,
        audit_path,
        _dir: dir,
    }
}

#[tokio::test]
async fn an_entra_reset_runs_through_run_plan_and_reports_each_step_as_the_seam_does() {
    let h = harness("pwdadmin").await;
    let adele = h.sandbox.user_id_by_upn(ADELE).unwrap();
    let options = ActionOptions {
        also_revoke_sessions: true,
        ..Default::default()
    };
    let plan = h
        .console
        .plan_action_with(CONNECTION, &adele, ActionKind::ResetPassword, &options)
        .await
        .unwrap();
    assert!(
        plan.steps[1].blocked.is_some(),
        "a Password Administrator cannot revoke"
    );

    let result = h.console.run_plan(&plan.id, "INC-31", None).await.unwrap();

    assert_eq!(result.plan_id, plan.id);
    assert_eq!(result.outcome, AuditOutcome::Partial);
    let states: Vec<StepState> = result.steps.iter().map(|s| s.state).collect();
    assert_eq!(states, [StepState::Done, StepState::Skipped]);
    let summaries: Vec<&str> = result.steps.iter().map(|s| s.summary.as_str()).collect();
    let planned: Vec<&str> = plan.steps.iter().map(|s| s.summary.as_str()).collect();
    assert_eq!(
        summaries, planned,
        "each report carries its planned step's summary"
    );
    let reset = &result.steps[0];
    assert_eq!(
        reset.performed,
        StepPerformed::Api {
            doc: "https://learn.microsoft.com/graph/api/user-update?view=graph-rest-1.0".into()
        }
    );
    assert!(
        reset.request_id.is_some(),
        "Graph's request id is kept: {reset:?}"
    );
    assert!(reset.at.is_some());
    assert!(result.steps[1]
        .message
        .as_deref()
        .unwrap()
        .contains("Password Administrators"));

    assert_eq!(result.secret_kind, Some(SecretKind::TemporaryPassword));
    let password = result.generated_password.clone().expect("shown once");
    assert!(result.copy_handle.is_some());
    assert!(
        !format!("{result:?}").contains(&password),
        "Debug redacts it"
    );
    let audit = std::fs::read_to_string(&h.audit_path).unwrap();
    assert!(audit.contains("INC-31"));
    assert!(
        !audit.contains(&password),
        "the password is not in the audit file"
    );
    assert_eq!(h.sandbox.password_reset_count(&adele), 1);

    // The same plan runs once, whichever entry point is asked.
    let again = h
        .console
        .run_plan(&plan.id, "INC-31", None)
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::InvalidInput);
    assert_eq!(h.sandbox.password_reset_count(&adele), 1);
}

#[tokio::test]
async fn an_entra_pass_is_named_as_a_temporary_access_pass() {
    let h = harness("authadmin").await;
    let adele = h.sandbox.user_id_by_upn(ADELE).unwrap();
    let plan = h
        .console
        .plan_action(CONNECTION, &adele, ActionKind::IssueTemporaryAccessPass)
        .await
        .unwrap();
    let result = h.console.run_plan(&plan.id, "INC-32", None).await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert_eq!(result.secret_kind, Some(SecretKind::TemporaryAccessPass));
    assert_eq!(result.generated_password.as_deref().map(str::len), Some(8));
    assert!(matches!(
        &result.steps[0].performed,
        StepPerformed::Api { doc } if doc.contains("authentication-post-temporaryaccesspassmethods")
    ));
}

#[tokio::test]
async fn a_password_sent_with_an_entra_plan_is_refused_and_the_plan_stays_ready() {
    let h = harness("pwdadmin").await;
    let adele = h.sandbox.user_id_by_upn(ADELE).unwrap();
    let plan = h
        .console
        .plan_action(CONNECTION, &adele, ActionKind::ResetPassword)
        .await
        .unwrap();
    let typed: PasswordInput = serde_json::from_value(serde_json::json!({
        "mode": "typed", "password": "Correct-Horse-9"
    }))
    .unwrap();

    let error = h
        .console
        .run_plan(&plan.id, "INC-33", Some(typed))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(
        error.message.contains("takes no password"),
        "{}",
        error.message
    );
    assert_eq!(
        h.sandbox.password_reset_count(&adele),
        0,
        "nothing was sent"
    );
    assert!(
        h.console.list_audit(10).unwrap().is_empty(),
        "nothing was attempted"
    );

    let result = h.console.run_plan(&plan.id, "INC-33", None).await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert_eq!(h.sandbox.password_reset_count(&adele), 1);
}

/// The page's one plan command, on Entra: the offer's id and its form's choices in, the seam's
/// summary out (the kind and why a step will not run, the choices), and the same plan runs.
#[tokio::test]
async fn an_entra_action_is_planned_by_its_offers_id_and_choices_and_runs_as_planned() {
    let h = harness("pwdadmin").await;
    let adele = h.sandbox.user_id_by_upn(ADELE).unwrap();

    let plan = h
        .console
        .plan_provider_action(
            CONNECTION,
            &adele,
            "resetPassword",
            Some(serde_json::json!({ "alsoRevokeSessions": true })),
        )
        .await
        .unwrap();

    assert_eq!(plan.operator, "pwdadmin@contoso.sandbox");
    assert_eq!(plan.target.detail, ADELE);
    let kinds: Vec<_> = plan.steps.iter().map(|s| s.kind.as_deref()).collect();
    assert_eq!(kinds, [Some("resetPassword"), Some("revokeSessions")]);
    assert!(
        plan.steps[1].blocked.is_some(),
        "a Password Administrator cannot revoke: {:?}",
        plan.steps[1]
    );
    assert!(matches!(
        plan.choices,
        Some(PlanChoices::Entra {
            also_revoke_sessions: Some(true),
            temporary_access_pass: None
        })
    ));
    let result = h.console.run_plan(&plan.id, "INC-34", None).await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Partial);
    assert_eq!(h.sandbox.password_reset_count(&adele), 1);
}

#[tokio::test]
async fn an_entra_plan_for_an_unknown_action_or_a_forged_choice_is_refused_with_what_to_do() {
    let h = harness("pwdadmin").await;
    let adele = h.sandbox.user_id_by_upn(ADELE).unwrap();

    let unknown = h
        .console
        .plan_offered(CONNECTION, &adele, "deleteUser")
        .await
        .unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::InvalidInput);
    assert!(
        unknown.message.contains("\"deleteUser\" is not an action")
            && unknown.message.contains("user's page"),
        "{}",
        unknown.message
    );
    let forged = h
        .console
        .plan_provider_action(
            CONNECTION,
            &adele,
            "issueTemporaryAccessPass",
            Some(serde_json::json!({ "tapLifetimeMinutes": 60, "extraStep": "deleteUser" })),
        )
        .await
        .unwrap_err();
    assert_eq!(forged.kind, ErrorKind::InvalidInput);
    assert!(forged.message.contains("extraStep"), "{}", forged.message);
    assert!(
        h.console.list_audit(10).unwrap().is_empty(),
        "bad input is no attempt"
    );

    // An action the operator's role does not allow is refused with the reason, and audited,
    // through the one command as through Entra's own.
    let refused = h
        .console
        .plan_offered(CONNECTION, &adele, "requireReregisterMfa")
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied);
    let audit = h.console.list_audit(10).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].record.outcome, AuditOutcome::Refused);
}

#[tokio::test]
async fn an_operator_who_lost_their_role_since_signing_in_is_refused_when_planning_and_audited() {
    let h = harness("pwdadmin").await;
    let adele = h.sandbox.user_id_by_upn(ADELE).unwrap();
    // The user's page still offers the reset: it reads the roles the operator signed in with.
    let page = h.console.directory_user(CONNECTION, &adele).await.unwrap();
    let offer = page
        .offers
        .iter()
        .find(|offer| offer.action == "resetPassword")
        .unwrap();
    assert!(offer.allowed, "{offer:?}");

    // Their Password Administrator role is removed (an expired PIM activation).
    assert!(h.sandbox.remove_directory_roles("pwdadmin@contoso.sandbox"));
    let refused = h
        .console
        .plan_offered(CONNECTION, &adele, "resetPassword")
        .await
        .unwrap_err();

    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert_eq!(h.sandbox.password_reset_count(&adele), 0);
    let entry = h.console.list_audit(1).unwrap().remove(0);
    assert_eq!(entry.record.outcome, AuditOutcome::Refused);
    assert_eq!(entry.record.operator, "pwdadmin@contoso.sandbox");
    assert_eq!(entry.record.target, ADELE);
    assert_eq!(entry.record.action, ActionKind::ResetPassword.label());
    assert_eq!(
        entry.record.message.as_deref(),
        Some(refused.message.as_str())
    );
}
