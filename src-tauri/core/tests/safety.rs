//! Operator safety (issue 5) through the Console, against the sandbox emulator over real
//! HTTP, with the organisation's default policy unless a test says otherwise: a reset needs a
//! verified caller; a privileged target needs a second operator who may act on it; an
//! operator's resets per hour are capped; a second MFA reset within a day needs approval.

use std::path::PathBuf;
use std::sync::Arc;

use resetdesk_core::audit::{AuditEntry, AuditOutcome};
use resetdesk_core::console::Console;
use resetdesk_core::safety::{SafetyPolicy, VerificationEvidence, VerificationMethod};
use resetdesk_core::secrets::MemoryStore;
use resetdesk_core::ErrorKind;
use resetdesk_providers::entra::actions::ActionKind;
use resetdesk_providers::entra::planner::Plan;
use resetdesk_sandbox::Sandbox;
use serde_json::json;
use tempfile::TempDir;

use resetdesk_testkit as common;

use common::{ADELE, AUTH_ADMIN, GLOBAL_ADMIN, HELPDESK, MEGAN, PRIV_AUTH_ADMIN};
use resetdesk_providers::EntraConsole;

const CONNECTION: &str = common::SANDBOX_ID;

struct Harness {
    sandbox: Sandbox,
    console: Console,
    _dir: TempDir,
    #[allow(dead_code)]
    audit_path: PathBuf,
}

async fn harness_with(policy: SafetyPolicy) -> Harness {
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let console = common::open_console(&sandbox, &audit_path, Arc::new(MemoryStore::new()), policy);
    Harness {
        sandbox,
        console,
        _dir: dir,
        audit_path,
    }
}

async fn harness() -> Harness {
    harness_with(SafetyPolicy::default()).await
}

fn policy(settings: serde_json::Value) -> SafetyPolicy {
    SafetyPolicy::from_settings(Some(&settings)).expect("a valid policy")
}

fn evidence(value: serde_json::Value) -> VerificationEvidence {
    serde_json::from_value(value).expect("evidence the page can send")
}

impl Harness {
    async fn sign_in(&self, upn: &str) {
        common::sign_in(&self.console, upn).await;
    }

    fn id(&self, upn: &str) -> String {
        self.sandbox.user_id_by_upn(upn).unwrap()
    }

    async fn plan(&self, upn: &str, action: ActionKind) -> Plan {
        self.console
            .plan_action(CONNECTION, &self.id(upn), action)
            .await
            .unwrap()
    }

    /// Records a ticket verification, unless the plan already reuses one from this call.
    fn verify_by_ticket(&self, plan: &Plan) {
        if plan.safety.verification.recorded.is_some() {
            return;
        }
        let record = self
            .console
            .record_verification(
                &plan.id,
                &evidence(json!({"method": "ticket", "ticket": "HR-1"})),
            )
            .unwrap();
        assert!(record.passed);
    }

    async fn approve_as(&self, plan: &Plan, upn: &str) -> resetdesk_core::error::Result<String> {
        self.console
            .approve_plan(&plan.id, common::demo_sign_in(upn))
            .await
            .map(|step| {
                step.approved()
                    .expect("an Entra approval is given at once")
                    .approver
            })
    }

    fn last_audit(&self) -> AuditEntry {
        self.console.list_audit(1).unwrap().remove(0)
    }
}

#[tokio::test]
async fn a_reset_runs_only_after_the_caller_is_verified_by_calling_back_a_directory_number() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.id(ADELE);
    let plan = h.plan(ADELE, ActionKind::ResetPassword).await;

    let verification = &plan.safety.verification;
    assert!(verification.required);
    let methods: Vec<_> = verification.options.iter().map(|o| o.method).collect();
    assert_eq!(methods, VerificationMethod::ACCEPTED.to_vec());
    let call_back = &verification.options[0];
    assert!(call_back.unavailable.is_none());
    // The numbers are the directory's (mobilePhone, businessPhones), read live.
    assert_eq!(call_back.phones[0].id, "mobilePhone");
    let manager = verification.options[1]
        .manager
        .as_ref()
        .expect("Adele has a manager");
    assert!(manager.user_principal_name.ends_with("@contoso.sandbox"));
    assert!(!plan.safety.approval.required);
    let rate = plan.safety.rate.as_ref().unwrap();
    assert_eq!((rate.used, rate.limit), (0, 20));

    // Confirming before verifying changes nothing and keeps the plan open.
    let early = h.console.execute_plan(&plan.id, "INC-7").await.unwrap_err();
    assert_eq!(early.kind, ErrorKind::Denied);
    assert!(
        early.message.contains("Verify the caller first"),
        "{}",
        early.message
    );
    assert_eq!(h.sandbox.password_reset_count(&adele), 0);

    // A number the caller gives is not one of the directory's.
    let caller_number = h
        .console
        .record_verification(
            &plan.id,
            &evidence(json!({"method": "callBack", "phoneId": "+1 555 0100", "confirmed": true})),
        )
        .unwrap_err();
    assert_eq!(caller_number.kind, ErrorKind::InvalidInput);
    // Knowledge questions are refused and record nothing.
    let knowledge = h
        .console
        .record_verification(&plan.id, &evidence(json!({"method": "knowledgeQuestions"})))
        .unwrap_err();
    assert!(knowledge.message.contains("never verify"));

    let recorded = h
        .console
        .record_verification(
            &plan.id,
            &evidence(json!({"method": "callBack", "phoneId": "mobilePhone", "confirmed": true})),
        )
        .unwrap();
    assert!(recorded.passed);
    let result = h.console.execute_plan(&plan.id, "INC-7").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert_eq!(h.sandbox.password_reset_count(&adele), 1);

    let entry = h.last_audit();
    let audited = entry
        .record
        .verification
        .expect("the verification is in the audit entry");
    assert_eq!(audited.method, VerificationMethod::CallBack);
    assert!(audited.passed);
    assert!(audited.detail.contains("mobilePhone in the directory"));
    assert!(h.console.verify_audit().ok);
}

#[tokio::test]
async fn a_failed_verification_stops_the_plan_and_is_audited() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let plan = h.plan(ADELE, ActionKind::RequireReregisterMfa).await;
    let record = h
        .console
        .record_verification(
            &plan.id,
            &evidence(json!({"method": "managerConfirmation", "confirmed": false})),
        )
        .unwrap();
    assert!(!record.passed);
    let entry = h.last_audit();
    assert_eq!(entry.record.outcome, AuditOutcome::Refused);
    assert!(entry
        .record
        .message
        .unwrap()
        .starts_with("The caller could not be verified"));
    assert!(!entry.record.verification.unwrap().passed);

    let error = h.console.execute_plan(&plan.id, "INC-8").await.unwrap_err();
    assert!(
        error.message.contains("stopped before it changed anything"),
        "{}",
        error.message
    );
    assert!(
        h.sandbox.methods_of(&h.id(ADELE)).len() > 1,
        "nothing was deleted"
    );
}

#[tokio::test]
async fn a_one_time_code_goes_to_a_registered_method_and_must_be_read_back() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let plan = h.plan(ADELE, ActionKind::IssueTemporaryAccessPass).await;
    let option = &plan.safety.verification.options[2];
    assert_eq!(option.method, VerificationMethod::OneTimeCode);
    let destination = option
        .destinations
        .iter()
        .find(|d| d.label.starts_with("Phone number"))
        .expect("Adele's registered phone is offered");

    let code_needed = h
        .console
        .record_verification(
            &plan.id,
            &evidence(json!({"method": "oneTimeCode", "code": "123456"})),
        )
        .unwrap_err();
    assert!(code_needed.message.contains("Send a code first"));
    let sent = h
        .console
        .send_verification_code(&plan.id, &destination.id)
        .unwrap();
    assert_eq!(sent.destination, destination.label);
    let wrong = if sent.code == "000000" {
        "111111"
    } else {
        "000000"
    };
    let error = h
        .console
        .record_verification(
            &plan.id,
            &evidence(json!({"method": "oneTimeCode", "code": wrong})),
        )
        .unwrap_err();
    assert!(error.message.contains("attempt(s) left"));
    let record = h
        .console
        .record_verification(
            &plan.id,
            &evidence(json!({"method": "oneTimeCode", "code": sent.code})),
        )
        .unwrap();
    assert!(record.passed);
    let result = h.console.execute_plan(&plan.id, "INC-9").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    let line = std::fs::read_to_string(&h.audit_path).unwrap();
    assert!(
        !line.contains(&sent.code),
        "the code never reaches the audit log"
    );
}

#[tokio::test]
async fn a_privileged_target_needs_a_second_operator_who_may_act_on_them() {
    let h = harness().await;
    h.sign_in(PRIV_AUTH_ADMIN).await;
    let megan = h.id(MEGAN);
    let plan = h.plan(MEGAN, ActionKind::ResetPassword).await;
    assert!(plan.safety.approval.required);
    assert!(plan.safety.approval.reasons[0].contains("Global Administrator"));
    h.verify_by_ticket(&plan);

    let unapproved = h
        .console
        .execute_plan(&plan.id, "INC-10")
        .await
        .unwrap_err();
    assert!(unapproved.message.contains("A second person must approve"));

    // In the sandbox, the approver is a demo account the form names: none named, none asked.
    let audited = h.console.list_audit(1000).unwrap().len();
    let unnamed = h.approve_as(&plan, " ").await.unwrap_err();
    assert_eq!(unnamed.kind, ErrorKind::InvalidInput, "{unnamed:?}");
    assert!(
        unnamed.message.contains("Choose a demo account"),
        "{unnamed:?}"
    );
    assert_eq!(
        h.console.list_audit(1000).unwrap().len(),
        audited,
        "nobody signed in, nothing to audit"
    );

    // The operator cannot approve their own request.
    let own = h.approve_as(&plan, PRIV_AUTH_ADMIN).await.unwrap_err();
    assert!(own.message.contains("second person"));
    // A Helpdesk Administrator may not reset a Global Administrator, so may not approve it.
    let lacking = h.approve_as(&plan, HELPDESK).await.unwrap_err();
    assert_eq!(lacking.kind, ErrorKind::Denied);
    assert!(lacking
        .message
        .starts_with("helpdesk@contoso.sandbox cannot approve this"));
    let refused = h.last_audit();
    assert_eq!(refused.record.outcome, AuditOutcome::Refused);
    assert_eq!(refused.record.operator, HELPDESK);
    assert_eq!(h.sandbox.password_reset_count(&megan), 0);

    assert_eq!(
        h.approve_as(&plan, GLOBAL_ADMIN).await.unwrap(),
        GLOBAL_ADMIN
    );
    let result = h.console.execute_plan(&plan.id, "INC-10").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert_eq!(h.sandbox.password_reset_count(&megan), 1);
    let entry = h.last_audit();
    assert_eq!(entry.record.operator, PRIV_AUTH_ADMIN);
    let approval = entry
        .record
        .approval
        .expect("the approver is in the audit entry");
    assert_eq!(approval.approver, GLOBAL_ADMIN);
    assert!(approval
        .approver_roles
        .iter()
        .any(|r| r == "Global Administrator"));
    // The operator is still who is signed in: the approver's sign-in was not kept.
    let views = h.console.connections().await;
    assert_eq!(
        views[0].operator.as_ref().unwrap().user_principal_name,
        PRIV_AUTH_ADMIN
    );
}

#[tokio::test]
async fn a_vip_needs_approval_and_a_plain_user_does_not_when_approval_is_configured_off() {
    let h = harness_with(policy(json!({
        "approval": {"privilegedTargets": false, "vipUsers": [ADELE]}
    })))
    .await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.plan(ADELE, ActionKind::ResetPassword).await;
    assert!(adele.safety.approval.required);
    assert!(adele.safety.approval.reasons[0].contains("VIP"));
    h.sign_in(PRIV_AUTH_ADMIN).await;
    let megan = h.plan(MEGAN, ActionKind::ResetPassword).await;
    assert!(
        !megan.safety.approval.required,
        "privileged targets turned off"
    );
}

#[tokio::test]
async fn the_hourly_cap_is_shown_before_it_is_reached_and_then_refuses() {
    let h = harness_with(policy(json!({"rateLimits": {"resetsPerHour": 2}}))).await;
    h.sign_in(AUTH_ADMIN).await;
    // A plan reviewed while under the cap...
    let late = h.plan(ADELE, ActionKind::RevokeSessions).await;
    assert!(
        late.safety.rate.is_none(),
        "revoking sessions is not a reset"
    );
    let waiting = h.plan(ADELE, ActionKind::ResetPassword).await;
    h.verify_by_ticket(&waiting);
    for used in 0..2 {
        let plan = h.plan(ADELE, ActionKind::ResetPassword).await;
        assert_eq!(plan.safety.rate.as_ref().unwrap().used, used);
        h.verify_by_ticket(&plan);
        h.console.execute_plan(&plan.id, "INC-11").await.unwrap();
    }
    let details = h
        .console
        .user_details(CONNECTION, &h.id(ADELE))
        .await
        .unwrap();
    let rate = details.rate.unwrap();
    assert_eq!((rate.used, rate.limit), (2, 2));
    assert!(rate.next_allowed_at.is_some());

    let refused = h
        .console
        .plan_action(CONNECTION, &h.id(ADELE), ActionKind::ResetPassword)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied);
    assert!(
        refused.message.contains("2 resets in the last hour"),
        "{}",
        refused.message
    );
    // ...is refused at run time too, and audited.
    let at_run = h
        .console
        .execute_plan(&waiting.id, "INC-12")
        .await
        .unwrap_err();
    assert_eq!(at_run.kind, ErrorKind::Denied);
    assert_eq!(h.last_audit().record.outcome, AuditOutcome::Refused);
    // Revoking sessions is never capped.
    h.console.execute_plan(&late.id, "INC-13").await.unwrap();
}

#[tokio::test]
async fn a_second_mfa_reset_of_the_same_user_within_a_day_needs_approval() {
    let h = harness().await;
    // An Authentication Administrator may not touch Adele's hardware OATH token: it stays,
    // so a second reset still has something to do.
    h.sign_in(AUTH_ADMIN).await;
    let first = h.plan(ADELE, ActionKind::RequireReregisterMfa).await;
    assert!(!first.safety.approval.required);
    h.verify_by_ticket(&first);
    let result = h.console.execute_plan(&first.id, "INC-14").await.unwrap();
    assert_ne!(result.outcome, AuditOutcome::Failed);
    // The rule reads the safety class the entry keeps, not its label.
    assert_eq!(
        h.last_audit().record.safety_class,
        Some(resetdesk_core::seam::SafetyClass::MfaReset)
    );

    let second = h.plan(ADELE, ActionKind::RequireReregisterMfa).await;
    assert!(second.safety.approval.required);
    assert!(second.safety.approval.reasons[0].contains("already reset"));
    // Resetting the password is not a second MFA reset.
    let password = h.plan(ADELE, ActionKind::ResetPassword).await;
    assert!(!password.safety.approval.required);
}

#[tokio::test]
async fn verification_can_be_made_optional_by_the_organisation() {
    let h = harness_with(policy(json!({"verification": {"required": false}}))).await;
    h.sign_in(AUTH_ADMIN).await;
    let plan = h.plan(ADELE, ActionKind::ResetPassword).await;
    assert!(!plan.safety.verification.required);
    assert_eq!(plan.safety.verification.options.len(), 4, "still offered");
    let result = h.console.execute_plan(&plan.id, "INC-15").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert!(h.last_audit().record.verification.is_none());
}

#[tokio::test]
async fn changing_an_option_keeps_the_verification_and_retires_the_old_plan() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.id(ADELE);
    let first = h.plan(ADELE, ActionKind::ResetPassword).await;
    h.verify_by_ticket(&first);
    let options = resetdesk_providers::entra::actions::ActionOptions {
        also_revoke_sessions: true,
        ..Default::default()
    };
    let second = h
        .console
        .plan_action_with(CONNECTION, &adele, ActionKind::ResetPassword, &options)
        .await
        .unwrap();
    h.console
        .carry_over_confirmation(&first.id, &second.id)
        .unwrap();
    let old = h
        .console
        .execute_plan(&first.id, "INC-16")
        .await
        .unwrap_err();
    assert!(old.message.contains("stopped before it changed anything"));
    let result = h.console.execute_plan(&second.id, "INC-16").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert_eq!(result.outcomes.len(), 2, "reset, then revoke sessions");

    // Nothing carries to another user's plan.
    let third = h.plan(ADELE, ActionKind::ResetPassword).await;
    h.verify_by_ticket(&third);
    let other_plan = h
        .console
        .plan_action(
            CONNECTION,
            &h.id("nobody@contoso.sandbox"),
            ActionKind::RevokeSessions,
        )
        .await
        .unwrap();
    h.console
        .carry_over_confirmation(&third.id, &other_plan.id)
        .unwrap();
    let still = h.console.execute_plan(&third.id, "INC-17").await.unwrap();
    assert_eq!(still.outcome, AuditOutcome::Succeeded);
}

#[tokio::test]
async fn a_follow_up_request_in_the_same_call_reuses_the_verification_but_not_for_another_user() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let first = h.plan(ADELE, ActionKind::RequireReregisterMfa).await;
    assert!(first.safety.verification.recorded.is_none());
    h.verify_by_ticket(&first);
    h.console.execute_plan(&first.id, "INC-18").await.unwrap();

    // The pass offered after the MFA reset: the caller was verified moments ago.
    let pass = h.plan(ADELE, ActionKind::IssueTemporaryAccessPass).await;
    let reused = pass.safety.verification.recorded.clone().expect("reused");
    assert!(reused.passed);
    assert!(reused.detail.contains("HR-1"));
    assert!(reused.detail.contains("in this call"));
    let result = h.console.execute_plan(&pass.id, "INC-18").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert!(h
        .last_audit()
        .record
        .verification
        .unwrap()
        .detail
        .contains("in this call"));

    // Another user is another caller.
    let other = h
        .plan("nobody@contoso.sandbox", ActionKind::ResetPassword)
        .await;
    assert!(other.safety.verification.recorded.is_none());
    // Another operator did not verify anyone.
    h.sign_in(PRIV_AUTH_ADMIN).await;
    let theirs = h.plan(ADELE, ActionKind::ResetPassword).await;
    assert!(theirs.safety.verification.recorded.is_none());
}

#[tokio::test]
async fn a_user_who_became_privileged_after_the_review_needs_approval_at_run_time() {
    let h = harness().await;
    h.sign_in(PRIV_AUTH_ADMIN).await;
    let plan = h.plan(ADELE, ActionKind::ResetPassword).await;
    assert!(!plan.safety.approval.required);
    h.verify_by_ticket(&plan);
    assert!(h.sandbox.make_global_administrator(ADELE));

    let error = h
        .console
        .execute_plan(&plan.id, "INC-19")
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    assert!(
        error.message.contains("holds an admin role"),
        "{}",
        error.message
    );
    assert_eq!(h.sandbox.password_reset_count(&h.id(ADELE)), 0);
    assert_eq!(h.last_audit().record.outcome, AuditOutcome::Refused);
}

/// Plans `action` on `upn` again with `options`, as the page does when an option changes, and
/// carries the confirmation over from `from`.
async fn replan(
    h: &Harness,
    from: &Plan,
    upn: &str,
    action: ActionKind,
    options: resetdesk_providers::entra::actions::ActionOptions,
) -> Plan {
    let plan = h
        .console
        .plan_action_with(CONNECTION, &h.id(upn), action, &options)
        .await
        .unwrap();
    h.console
        .carry_over_confirmation(&from.id, &plan.id)
        .unwrap();
    plan
}

#[tokio::test]
async fn an_approval_carries_over_only_to_a_plan_that_does_exactly_what_was_approved() {
    use resetdesk_providers::entra::actions::ActionOptions;
    let h = harness_with(policy(json!({"approval": {"vipUsers": [ADELE]}}))).await;
    h.sign_in(AUTH_ADMIN).await;
    let sixty_minutes = ActionOptions {
        tap_lifetime_minutes: Some(60),
        ..Default::default()
    };
    let pass = ActionKind::IssueTemporaryAccessPass;
    let approved = replan(
        &h,
        &h.plan(ADELE, pass).await,
        ADELE,
        pass,
        sixty_minutes.clone(),
    )
    .await;
    assert!(approved.safety.approval.required, "a VIP");
    h.verify_by_ticket(&approved);
    h.approve_as(&approved, GLOBAL_ADMIN).await.unwrap();

    // A longer pass than the one approved: the approval stays behind, the verification comes.
    let longer = replan(
        &h,
        &approved,
        ADELE,
        pass,
        ActionOptions {
            tap_lifetime_minutes: Some(480),
            ..Default::default()
        },
    )
    .await;
    let refused = h
        .console
        .execute_plan(&longer.id, "INC-20")
        .await
        .unwrap_err();
    assert!(
        refused.message.contains("A second person must approve"),
        "{}",
        refused.message
    );
    assert!(h
        .sandbox
        .requests()
        .iter()
        .all(|r| r.method != "POST" || !r.path.contains("temporaryAccessPassMethods")));

    // Approved again, then planned again with the very same options: the approval comes too.
    h.approve_as(&longer, GLOBAL_ADMIN).await.unwrap();
    let same = replan(
        &h,
        &longer,
        ADELE,
        pass,
        ActionOptions {
            tap_lifetime_minutes: Some(480),
            ..Default::default()
        },
    )
    .await;
    let result = h.console.execute_plan(&same.id, "INC-20").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    let entry = h.last_audit();
    assert_eq!(entry.record.approval.unwrap().approver, GLOBAL_ADMIN);
    assert!(entry.record.verification.unwrap().passed);
}

#[tokio::test]
async fn a_carried_over_confirmation_expires_with_the_first_plan_however_often_it_is_replanned() {
    use resetdesk_providers::entra::actions::ActionOptions;
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let validity = std::time::Duration::from_secs(2);
    let h = Harness {
        console: common::open_console(
            &sandbox,
            &dir.path().join("audit.jsonl"),
            Arc::new(MemoryStore::new()),
            SafetyPolicy::default(),
        )
        .with_plan_validity(validity),
        sandbox,
        audit_path: dir.path().join("audit.jsonl"),
        _dir: dir,
    };
    h.sign_in(AUTH_ADMIN).await;
    let first = h.plan(ADELE, ActionKind::ResetPassword).await;
    h.verify_by_ticket(&first);
    let mut latest = first;
    // Planned again every 0.8 s: each new plan alone is younger than the validity, the
    // request is not.
    for revoke in [true, false, true] {
        tokio::time::sleep(validity * 2 / 5).await;
        let options = ActionOptions {
            also_revoke_sessions: revoke,
            ..Default::default()
        };
        latest = replan(&h, &latest, ADELE, ActionKind::ResetPassword, options).await;
    }
    // 2.4 s after the first plan: the verification recorded on it has gone with it (it is no
    // longer carried), or the latest plan, which kept the first one's time, is too old.
    let expired = h
        .console
        .execute_plan(&latest.id, "INC-21")
        .await
        .unwrap_err();
    assert!(
        expired.message.contains("This summary is too old")
            || expired.message.starts_with("Verify the caller first"),
        "{}",
        expired.message
    );
    assert_eq!(h.sandbox.password_reset_count(&h.id(ADELE)), 0);
}

#[tokio::test]
async fn two_mfa_resets_of_one_user_prepared_together_need_approval_for_the_second_at_run_time() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let first = h.plan(ADELE, ActionKind::RequireReregisterMfa).await;
    let second = h.plan(ADELE, ActionKind::RequireReregisterMfa).await;
    assert!(!first.safety.approval.required && !second.safety.approval.required);
    h.verify_by_ticket(&first);
    h.verify_by_ticket(&second);
    let ran = h.console.execute_plan(&first.id, "INC-22").await.unwrap();
    assert_ne!(ran.outcome, AuditOutcome::Failed);

    let refused = h
        .console
        .execute_plan(&second.id, "INC-22")
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied);
    assert!(
        refused.message.contains("already reset"),
        "{}",
        refused.message
    );
    assert!(refused.message.contains("second person must approve"));
    assert_eq!(h.last_audit().record.outcome, AuditOutcome::Refused);
}

#[tokio::test]
async fn resets_run_at_the_same_moment_cannot_go_over_the_hourly_cap_together() {
    let h = harness_with(policy(json!({
        "rateLimits": {"resetsPerHour": 1},
        "verification": {"required": false}
    })))
    .await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.plan(ADELE, ActionKind::ResetPassword).await;
    let other = h
        .plan("nobody@contoso.sandbox", ActionKind::ResetPassword)
        .await;
    assert!(!adele.safety.rate.as_ref().unwrap().reached());
    assert!(!other.safety.rate.as_ref().unwrap().reached());

    // Every reply slowed down, so that both runs are between their check and their audit
    // entry at the same time.
    h.sandbox.set_faults(resetdesk_sandbox::Faults {
        latency_ms: 150,
        ..Default::default()
    });
    let (a, b) = tokio::join!(
        h.console.execute_plan(&adele.id, "INC-23"),
        h.console.execute_plan(&other.id, "INC-23")
    );
    let succeeded = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Ok(result) if result.outcome == AuditOutcome::Succeeded))
        .count();
    assert_eq!(succeeded, 1, "one reset within a cap of one: {a:?} / {b:?}");
    let refusal = [a, b]
        .into_iter()
        .find_map(|r| r.err())
        .expect("one refused");
    assert_eq!(refusal.kind, ErrorKind::Denied);
    assert!(refusal.message.contains("limit"), "{}", refusal.message);
    let resets = h.sandbox.password_reset_count(&h.id(ADELE))
        + h.sandbox
            .password_reset_count(&h.id("nobody@contoso.sandbox"));
    assert_eq!(resets, 1);
}

#[tokio::test]
async fn an_approval_must_be_a_new_sign_in_in_this_tenant() {
    let h = harness().await;
    h.sign_in(PRIV_AUTH_ADMIN).await;
    let plan = h.plan(MEGAN, ActionKind::ResetPassword).await;
    assert!(plan.safety.approval.required);
    h.verify_by_ticket(&plan);

    // The sign-in service reuses an hour-old browser session despite prompt=login.
    h.sandbox.set_faults(resetdesk_sandbox::Faults {
        reused_session_age_secs: 3600,
        ..Default::default()
    });
    let stale = h.approve_as(&plan, GLOBAL_ADMIN).await.unwrap_err();
    assert_eq!(stale.kind, ErrorKind::Denied);
    assert!(stale.message.contains("did not sign in anew"), "{stale:?}");
    let audited = h.last_audit();
    assert_eq!(audited.record.outcome, AuditOutcome::Refused);
    assert_eq!(audited.record.operator, GLOBAL_ADMIN);

    // An account of another tenant.
    h.sandbox.set_faults(resetdesk_sandbox::Faults {
        id_token_tenant: Some("00000000-0000-0000-0000-0000000000aa".into()),
        ..Default::default()
    });
    let elsewhere = h.approve_as(&plan, GLOBAL_ADMIN).await.unwrap_err();
    assert!(
        elsewhere.message.contains("another tenant"),
        "{elsewhere:?}"
    );

    // A new sign-in in this tenant approves; the plan runs.
    h.sandbox.set_faults(resetdesk_sandbox::Faults::default());
    assert_eq!(
        h.approve_as(&plan, GLOBAL_ADMIN).await.unwrap(),
        GLOBAL_ADMIN
    );
    let result = h.console.execute_plan(&plan.id, "INC-24").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
}

/// Issue 15: a managed policy that cannot be applied stops actions, not the app — falling back
/// to the defaults could loosen what the organisation set. Finding users still works.
#[tokio::test]
async fn a_managed_policy_that_cannot_be_applied_stops_actions_and_says_why() {
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let reason = "The managed policy /etc/resetdesk/policy.json cannot be applied: group or other \
                  users can write it. Actions are stopped until an administrator fixes it; finding \
                  and reading users still work.";
    let console = common::open_console(
        &sandbox,
        &dir.path().join("audit.jsonl"),
        Arc::new(MemoryStore::new()),
        SafetyPolicy::default(),
    )
    .with_safety_refused(reason.to_string());
    common::sign_in(&console, AUTH_ADMIN).await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let found = console.search_users(CONNECTION, "adele").await.unwrap();
    assert!(
        found.iter().any(|u| u.id == adele),
        "finding users still works"
    );
    for action in [
        ActionKind::ResetPassword,
        ActionKind::RequireReregisterMfa,
        ActionKind::RevokeSessions,
    ] {
        let refused = console
            .plan_action(CONNECTION, &adele, action)
            .await
            .unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Denied, "{action:?}");
        assert_eq!(refused.message, reason);
    }
    assert_eq!(sandbox.password_reset_count(&adele), 0);
}
