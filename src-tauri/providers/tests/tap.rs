//! Temporary Access Pass and "also revoke sessions" through the `Console`, against the sandbox
//! emulator with real OAuth sign-in: the emulator's own state and the audit file are checked,
//! not only what the console returns.

use std::path::PathBuf;
use std::sync::Arc;

use resetdesk_core::audit::AuditOutcome;
use resetdesk_core::auth::AccessTokenSource;
use resetdesk_core::console::Console;
use resetdesk_core::model::StepStatus;
use resetdesk_core::secrets::{ExposeSecret, MemoryStore, SecretString};
use resetdesk_core::ErrorKind;
use resetdesk_providers::entra::actions::StepKind;
use resetdesk_providers::entra::actions::{ActionKind, ActionOptions};
use resetdesk_providers::entra::directory::Directory;
use resetdesk_providers::entra::planner::Plan;
use resetdesk_providers::entra::{http_client, EntraDirectory};
use resetdesk_sandbox::{RecordedRequest, Sandbox, TemporaryAccessPassPolicy};
use tempfile::TempDir;

use resetdesk_providers::EntraConsole;
use resetdesk_testkit as common;

const CONNECTION: &str = common::SANDBOX_ID;
use common::{ADELE, MEGAN};
const TAP_TYPE: &str = "#microsoft.graph.temporaryAccessPassAuthenticationMethod";

struct Harness {
    sandbox: Sandbox,
    console: Console,
    audit_path: PathBuf,
    _dir: TempDir,
}

async fn harness() -> Harness {
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let console = common::open_console(
        &sandbox,
        &audit_path,
        Arc::new(MemoryStore::new()),
        common::safety_rules_off(),
    );
    Harness {
        sandbox,
        console,
        audit_path,
        _dir: dir,
    }
}

impl Harness {
    async fn sign_in(&self, local: &str) {
        common::sign_in(&self.console, &format!("{local}@contoso.sandbox")).await;
    }

    fn user_id(&self, upn: &str) -> String {
        self.sandbox.user_id_by_upn(upn).expect("seeded user")
    }

    /// Plans a Temporary Access Pass for `user_id` with the confirmation's `options`.
    async fn plan_pass(
        &self,
        user_id: &str,
        options: &ActionOptions,
    ) -> resetdesk_core::error::Result<Plan> {
        self.console
            .plan_action_with(
                CONNECTION,
                user_id,
                ActionKind::IssueTemporaryAccessPass,
                options,
            )
            .await
    }

    fn graph_writes(&self) -> Vec<RecordedRequest> {
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET" && r.path.starts_with("/v1.0"))
            .collect()
    }

    fn taps_of(&self, user_id: &str) -> Vec<serde_json::Value> {
        self.sandbox
            .methods_of(user_id)
            .into_iter()
            .filter(|m| m["@odata.type"] == TAP_TYPE)
            .collect()
    }

    fn audit_text(&self) -> String {
        std::fs::read_to_string(&self.audit_path).unwrap_or_default()
    }
}

fn tap_options(lifetime: Option<u32>, once: Option<bool>) -> ActionOptions {
    ActionOptions {
        tap_lifetime_minutes: lifetime,
        tap_usable_once: once,
        ..Default::default()
    }
}

fn also_revoke() -> ActionOptions {
    ActionOptions {
        also_revoke_sessions: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_pass_within_the_policy_is_issued_shown_once_and_never_audited() {
    let h = harness().await;
    h.sign_in("authadmin").await;
    let adele = h.user_id(ADELE);

    let plan = h
        .plan_pass(&adele, &tap_options(Some(120), Some(true)))
        .await
        .unwrap();
    let terms = plan.temporary_access_pass.clone().unwrap();
    assert_eq!((terms.lifetime_minutes, terms.usable_once), (120, true));
    assert_eq!(
        (
            terms.policy.minimum_lifetime_minutes,
            terms.policy.maximum_lifetime_minutes
        ),
        (60, 480)
    );
    assert!(plan.steps[0]
        .summary
        .contains("valid for 2 hours, one-time use"));
    assert!(
        h.graph_writes().is_empty(),
        "planning sends nothing that changes state"
    );

    let result = h.console.execute_plan(&plan.id, "INC-4242").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert_eq!(result.outcomes[0].status, StepStatus::Succeeded);
    assert!(result.temporary_password.is_none());
    let pass = result
        .temporary_access_pass
        .clone()
        .expect("the pass is shown");
    assert_eq!(pass.len(), 8);
    assert!(!format!("{result:?}").contains(&pass), "Debug redacts it");

    // The emulator holds one pass with the reviewed terms, and never shows the pass again.
    let taps = h.taps_of(&adele);
    assert_eq!(taps.len(), 1);
    assert_eq!(taps[0]["lifetimeInMinutes"], 120);
    assert_eq!(taps[0]["isUsableOnce"], true);
    assert!(taps[0]["temporaryAccessPass"].is_null());
    let details = h.console.directory_user(CONNECTION, &adele).await.unwrap();
    assert!(!serde_json::to_string(&details).unwrap().contains(&pass));

    let audit = h.audit_text();
    assert!(audit.contains("Issue Temporary Access Pass"));
    assert!(audit.contains("INC-4242"));
    assert!(!audit.contains(&pass), "the pass is not in the audit file");

    // The plan is single use: no second pass from the same confirmation.
    let again = h.console.execute_plan(&plan.id, "INC-4242").await;
    assert_eq!(again.unwrap_err().kind, ErrorKind::InvalidInput);
    assert_eq!(h.taps_of(&adele)[0]["id"], taps[0]["id"]);
}

#[tokio::test]
async fn a_lifetime_outside_the_policy_is_refused_before_anything_is_sent() {
    let h = harness().await;
    h.sign_in("privauthadmin").await;
    let adele = h.user_id(ADELE);
    h.sandbox.clear_requests();

    for lifetime in [30, 481] {
        let error = h
            .plan_pass(&adele, &tap_options(Some(lifetime), None))
            .await
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput);
        assert!(
            error.message.contains("between 60 and 480 minutes"),
            "{}",
            error.message
        );
    }
    // The policy was read live: a tightened policy is what the plan checks against.
    h.sandbox.set_tap_policy(TemporaryAccessPassPolicy {
        maximum_lifetime_minutes: 90,
        is_usable_once: true,
        ..Default::default()
    });
    let error = h
        .plan_pass(&adele, &tap_options(Some(120), None))
        .await
        .unwrap_err();
    assert!(error.message.contains("between 60 and 90 minutes"));
    let error = h
        .plan_pass(&adele, &tap_options(None, Some(false)))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    h.sandbox.set_tap_policy(TemporaryAccessPassPolicy {
        enabled: false,
        ..Default::default()
    });
    let error = h
        .plan_pass(&adele, &ActionOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(error.message.contains("turned off"));

    assert!(h.graph_writes().is_empty(), "{:?}", h.graph_writes());
    assert!(h.taps_of(&adele).is_empty());
}

#[tokio::test]
async fn an_authentication_administrator_cannot_issue_a_pass_to_a_global_administrator() {
    let h = harness().await;
    h.sign_in("authadmin").await;
    let megan = h.user_id(MEGAN);
    let error = h
        .plan_pass(&megan, &ActionOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    assert!(
        error
            .message
            .contains("can issue a Temporary Access Pass to a Global Administrator"),
        "{}",
        error.message
    );
    assert!(h.graph_writes().is_empty());
    assert!(h.taps_of(&megan).is_empty());
    let refusal = h.console.list_audit(1).unwrap().remove(0);
    assert_eq!(refusal.record.outcome, AuditOutcome::Refused);
    assert_eq!(refusal.record.action, "Issue Temporary Access Pass");
}

#[tokio::test]
async fn reset_password_with_also_revoke_runs_both_steps() {
    let h = harness().await;
    h.sign_in("helpdesk").await;
    let adele = h.user_id(ADELE);
    let revoked_before = h.sandbox.sessions_revoked_count(&adele);
    let resets_before = h.sandbox.password_reset_count(&adele);

    let plan = h
        .console
        .plan_action_with(
            CONNECTION,
            &adele,
            ActionKind::ResetPassword,
            &also_revoke(),
        )
        .await
        .unwrap();
    assert_eq!(plan.also_revoke_sessions, Some(true));
    assert_eq!(plan.steps.len(), 2);
    assert_eq!(plan.steps[1].kind, StepKind::RevokeSessions);
    assert!(plan.steps.iter().all(|s| s.blocked.is_none()));

    let result = h.console.execute_plan(&plan.id, "INC-7").await.unwrap();
    assert_eq!(result.outcomes.len(), 2);
    assert!(result
        .outcomes
        .iter()
        .all(|o| o.status == StepStatus::Succeeded));
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    let password = result.temporary_password.expect("the password is shown");
    assert_eq!(h.sandbox.password_reset_count(&adele), resets_before + 1);
    assert_eq!(h.sandbox.sessions_revoked_count(&adele), revoked_before + 1);
    assert!(!h.audit_text().contains(&password));
}

#[tokio::test]
async fn a_password_administrator_gets_the_revoke_step_blocked_and_the_reset_runs() {
    let h = harness().await;
    h.sign_in("pwdadmin").await;
    let adele = h.user_id(ADELE);

    let plan = h
        .console
        .plan_action_with(
            CONNECTION,
            &adele,
            ActionKind::ResetPassword,
            &also_revoke(),
        )
        .await
        .unwrap();
    assert_eq!(plan.steps.len(), 2);
    let blocked = plan.steps[1].blocked.as_deref().expect("revoke is blocked");
    assert!(
        blocked.contains("Password Administrators cannot revoke sessions"),
        "{blocked}"
    );

    let result = h.console.execute_plan(&plan.id, "INC-8").await.unwrap();
    assert_eq!(result.outcomes[0].status, StepStatus::Succeeded);
    assert_eq!(result.outcomes[1].status, StepStatus::Skipped);
    assert_eq!(result.outcome, AuditOutcome::Partial);
    assert!(result.temporary_password.is_some());
    assert_eq!(h.sandbox.password_reset_count(&adele), 1);
    assert_eq!(h.sandbox.sessions_revoked_count(&adele), 0);
    assert!(
        !h.graph_writes()
            .iter()
            .any(|r| r.path.ends_with("revokeSignInSessions")),
        "nothing was sent for the blocked step"
    );
}

#[tokio::test]
async fn require_reregister_mfa_then_a_pass_lets_the_user_register_again() {
    let h = harness().await;
    h.sign_in("privauthadmin").await;
    let adele = h.user_id(ADELE);
    let plan = h
        .console
        .plan_action_with(
            CONNECTION,
            &adele,
            ActionKind::RequireReregisterMfa,
            &also_revoke(),
        )
        .await
        .unwrap();
    assert_eq!(plan.steps.last().unwrap().kind, StepKind::RevokeSessions);
    let result = h.console.execute_plan(&plan.id, "INC-9").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded, "{result:?}");
    assert_eq!(h.sandbox.sessions_revoked_count(&adele), 1);

    let tap = h
        .plan_pass(&adele, &ActionOptions::default())
        .await
        .unwrap();
    let issued = h.console.execute_plan(&tap.id, "INC-9").await.unwrap();
    assert!(issued.temporary_access_pass.is_some());
    assert_eq!(h.taps_of(&adele).len(), 1);
}

/// A fixed token issued by the emulator for one operator (the client, without the console).
struct FixedToken(String);

#[async_trait::async_trait]
impl AccessTokenSource for FixedToken {
    async fn access_token(&self) -> resetdesk_core::error::Result<SecretString> {
        Ok(SecretString::from(self.0.clone()))
    }
    async fn invalidate(&self, _rejected: &SecretString) {}
}

fn client_as(sandbox: &Sandbox, local: &str) -> EntraDirectory {
    let token = sandbox
        .issue_access_token(&format!("{local}@contoso.sandbox"))
        .expect("seeded operator");
    EntraDirectory::new(
        CONNECTION,
        &sandbox.entra_settings(),
        Arc::new(FixedToken(token)),
        http_client(),
    )
}

#[tokio::test]
async fn the_client_reads_the_policy_and_maps_the_services_refusals() {
    let h = harness().await;
    let adele = h.user_id(ADELE);
    let auth_admin = client_as(&h.sandbox, "authadmin");
    let policy = auth_admin.tap_policy().await.unwrap();
    assert!(policy.enabled);
    assert_eq!(
        (
            policy.default_lifetime_minutes,
            policy.minimum_lifetime_minutes,
            policy.maximum_lifetime_minutes,
            policy.default_length,
            policy.is_usable_once
        ),
        (60, 60, 480, 8, false)
    );

    let issued = auth_admin
        .create_temporary_access_pass(&adele, 90, false)
        .await
        .unwrap();
    assert_eq!((issued.lifetime_minutes, issued.usable_once), (90, false));
    let pass = issued.pass.expose_secret().to_string();
    assert!(
        !format!("{issued:?}").contains(&pass),
        "Debug redacts the pass"
    );
    assert!(issued.receipt.request_id.is_some());

    // The service's own range check, reached without the plan's (as a stale policy would).
    let out_of_range = auth_admin
        .create_temporary_access_pass(&adele, 500, true)
        .await
        .unwrap_err();
    assert_eq!(out_of_range.kind, ErrorKind::Provider);
    assert!(
        out_of_range
            .message
            .contains("The valid range between 60 and 480"),
        "{out_of_range:?}"
    );
    // A role that may not write methods, and one that may not read the policy.
    let helpdesk = client_as(&h.sandbox, "helpdesk");
    let refused = helpdesk
        .create_temporary_access_pass(&adele, 60, true)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Forbidden);
    assert_eq!(
        helpdesk.tap_policy().await.unwrap_err().kind,
        ErrorKind::Forbidden
    );
    h.sandbox.set_tap_policy(TemporaryAccessPassPolicy {
        enabled: false,
        ..Default::default()
    });
    assert!(!auth_admin.tap_policy().await.unwrap().enabled);
}
