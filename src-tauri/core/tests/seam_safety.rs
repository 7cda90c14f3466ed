//! The operator-safety rules hold for every provider of the seam, as for Entra's plans: under
//! the organisation's default rules a reset waits for the caller's verification (recorded in
//! the confirmation, kept in Rust, audited with the run), a failed verification stops it, a
//! caller verified minutes ago for the same user is not asked again, and a reset that needs a
//! second person's approval — a privileged or VIP user, or one made privileged after the
//! summary (read again when it runs) — waits for one: someone else, signed in on the spot
//! through the provider's own sign-in, whom the provider offers the same action (refused, with
//! the reason, where the provider has no sign-in for an approver). The fake provider of the testkit shows
//! it needs no line of the Console: it only says what it knows (the user's phone, who is
//! privileged).
use std::sync::Arc;

use resetdesk_core::audit::AuditOutcome;
use resetdesk_core::console::Console;
use resetdesk_core::safety::verification::{VerificationEvidence, VerificationMethod};
use resetdesk_core::safety::SafetyPolicy;
use resetdesk_core::ErrorKind;
use resetdesk_testkit::fake_provider::{
    FakeDirectory, FAKE_ADMIN, FAKE_CONNECTION, FAKE_LEAD, FAKE_OWNER, FAKE_PASSWORD, FAKE_VIEWER,
    SIGN_OUT, UNLOCK,
};

const FAKE: &str = FAKE_CONNECTION;

struct Harness {
    console: Console,
    directory: Arc<FakeDirectory>,
    _data: tempfile::TempDir,
}

/// The organisation's rules as `settings` sets them (`{}`: the defaults), with the fake
/// directory's administrator signed in.
async fn signed_in(settings: serde_json::Value) -> Harness {
    let data = tempfile::tempdir().unwrap();
    let policy = SafetyPolicy::from_settings(Some(&settings)).unwrap();
    let (console, directory) = FakeDirectory::console(data.path(), policy);
    FakeDirectory::sign_in(&console, FAKE_ADMIN).await;
    Harness {
        console,
        directory,
        _data: data,
    }
}

fn ticket(ticket: &str) -> VerificationEvidence {
    VerificationEvidence::Ticket {
        ticket: ticket.to_string(),
    }
}

#[tokio::test]
async fn a_reset_waits_for_the_callers_verification_which_the_audit_entry_keeps() {
    let h = signed_in(serde_json::json!({})).await;
    let plan = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    let verification = &plan.safety.verification;
    assert!(verification.required);
    let methods: Vec<VerificationMethod> = verification.options.iter().map(|o| o.method).collect();
    assert_eq!(methods, VerificationMethod::ACCEPTED.to_vec());
    // What the provider gave: Ada's phone on record, to call back or to send a code to.
    let call_back = &verification.options[0];
    assert_eq!(call_back.unavailable, None, "{call_back:?}");
    assert_eq!(call_back.phones[0].number, "+1 555 0100");
    let manager = &verification.options[1];
    assert!(manager.unavailable.is_some(), "no manager on record");
    assert_eq!(
        plan.safety.rate.as_ref().map(|r| r.used),
        Some(0),
        "the operator's resets this hour are shown"
    );

    let refused = h
        .console
        .run_provider_plan(&plan.id, "INC-1", None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(
        refused.message.contains("Verify the caller first"),
        "{refused:?}"
    );
    assert!(h.directory.is_locked("ada"), "nothing ran");

    let recorded = h
        .console
        .record_verification(&plan.id, &ticket("HR-77"))
        .unwrap();
    assert!(recorded.passed);
    let result = h
        .console
        .run_provider_plan(&plan.id, "INC-1", None)
        .await
        .unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert!(!h.directory.is_locked("ada"));
    let entry = h.console.list_audit(1).unwrap().remove(0);
    let kept = entry
        .record
        .verification
        .expect("the verification is audited");
    assert_eq!(kept.method, VerificationMethod::Ticket);
    assert!(kept.detail.contains("HR-77"), "{kept:?}");

    // Minutes later, the same operator on the same user: the caller is not asked again.
    h.directory.lock("ada");
    let follow_up = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    let reused = follow_up
        .safety
        .verification
        .recorded
        .clone()
        .expect("reused");
    assert!(reused.detail.contains("HR-77"), "{reused:?}");
    h.console
        .run_provider_plan(&follow_up.id, "INC-1", None)
        .await
        .unwrap();
    assert!(!h.directory.is_locked("ada"));
    let sign_out = h.console.plan_offered(FAKE, "ada", SIGN_OUT).await.unwrap();
    assert!(
        !sign_out.safety.verification.required,
        "signing out is no reset"
    );
}

#[tokio::test]
async fn a_one_time_code_read_back_verifies_the_caller_and_a_failed_call_back_stops_the_plan() {
    let h = signed_in(serde_json::json!({})).await;
    let plan = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    let sent = h
        .console
        .send_verification_code(&plan.id, "phone-method")
        .unwrap();
    assert_eq!(sent.destination, "Phone +1 555 0100");
    let wrong = h
        .console
        .record_verification(
            &plan.id,
            &VerificationEvidence::OneTimeCode {
                code: if sent.code == "000000" {
                    "111111"
                } else {
                    "000000"
                }
                .to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(
        wrong.kind,
        ErrorKind::InvalidInput,
        "a wrong code is input to correct: {wrong:?}"
    );
    let recorded = h
        .console
        .record_verification(
            &plan.id,
            &VerificationEvidence::OneTimeCode { code: sent.code },
        )
        .unwrap();
    assert!(recorded.passed, "{recorded:?}");

    // Bob: the call back reached someone who did not confirm. The plan stops, audited.
    let h = signed_in(serde_json::json!({"approval": {"privilegedTargets": false}})).await;
    let plan = h.console.plan_offered(FAKE, "bob", UNLOCK).await.unwrap();
    let call_back = &plan.safety.verification.options[0];
    assert!(
        call_back.unavailable.is_some(),
        "Bob has no phone on record: {call_back:?}"
    );
    let plan = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    let failed = h
        .console
        .record_verification(
            &plan.id,
            &VerificationEvidence::CallBack {
                phone_id: "phone".to_string(),
                confirmed: false,
            },
        )
        .unwrap();
    assert!(!failed.passed);
    let entry = h.console.list_audit(1).unwrap().remove(0);
    assert_eq!(entry.record.outcome, AuditOutcome::Refused);
    assert_eq!(entry.record.plan_id.as_deref(), Some(plan.id.as_str()));
    assert!(
        entry
            .record
            .message
            .as_deref()
            .is_some_and(|m| m.contains("could not be verified")),
        "{entry:?}"
    );
    let stopped = h
        .console
        .run_provider_plan(&plan.id, "INC-2", None)
        .await
        .unwrap_err();
    assert_eq!(stopped.kind, ErrorKind::InvalidInput, "{stopped:?}");
    assert!(h.directory.is_locked("ada"), "nothing ran");
}

#[tokio::test]
async fn a_reset_of_a_privileged_or_vip_user_waits_for_a_second_persons_approval() {
    let h = signed_in(serde_json::json!({"approval": {"vipUsers": ["ADA@fake.test"]}})).await;
    for (user, why) in [
        ("bob", "Bob Locked is an owner of the fake directory."),
        ("ada", "Ada Locked is on your organisation's VIP list."),
    ] {
        let plan = h.console.plan_offered(FAKE, user, UNLOCK).await.unwrap();
        assert!(plan.safety.approval.required, "{plan:?}");
        assert_eq!(plan.safety.approval.reasons, [why]);
        h.console
            .record_verification(&plan.id, &ticket("HR-5"))
            .unwrap();
        let unapproved = h
            .console
            .run_provider_plan(&plan.id, "INC-5", None)
            .await
            .unwrap_err();
        assert_eq!(unapproved.kind, ErrorKind::Denied, "{unapproved:?}");
        assert!(
            unapproved.message.contains("A second person must approve"),
            "{unapproved:?}"
        );
        assert!(h.directory.is_locked(user), "nothing ran");

        // Not the operator, not someone the directory would not let do it, not the user: each
        // refusal is audited under who tried, and the plan waits for another approver.
        let mut refusals = vec![
            (FAKE_ADMIN, "second person"),
            (
                FAKE_VIEWER,
                "cannot approve this: Only an administrator of the fake directory may do this.",
            ),
        ];
        if user == "bob" {
            refusals.push((FAKE_OWNER, "The user this action is for cannot approve it."));
        }
        for (approver, refusal) in refusals {
            let refused = h
                .console
                .approve_plan(&plan.id, approver_sign_in(approver))
                .await
                .unwrap_err();
            assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
            assert!(refused.message.contains(refusal), "{refused:?}");
            let entry = h.console.list_audit(1).unwrap().remove(0);
            assert_eq!(entry.record.outcome, AuditOutcome::Refused);
            assert_eq!(entry.record.operator, approver);
            assert_eq!(entry.record.plan_id.as_deref(), Some(plan.id.as_str()));
        }

        let approved = h
            .console
            .approve_plan(&plan.id, approver_sign_in(FAKE_LEAD))
            .await
            .unwrap()
            .approved()
            .expect("the fake directory signs in at once");
        assert_eq!(approved.approver, FAKE_LEAD);
        assert_eq!(approved.approver_roles, ["Administrator"]);
        let again = h
            .console
            .approve_plan(&plan.id, approver_sign_in(FAKE_LEAD))
            .await
            .unwrap_err();
        assert!(again.message.contains("already approved"), "{again:?}");

        h.console
            .run_provider_plan(&plan.id, "INC-5", None)
            .await
            .unwrap();
        assert!(!h.directory.is_locked(user));
        let entry = h.console.list_audit(1).unwrap().remove(0);
        assert_eq!(entry.record.outcome, AuditOutcome::Succeeded);
        assert_eq!(entry.record.operator, FAKE_ADMIN);
        assert_eq!(
            entry.record.approval.map(|a| a.approver).as_deref(),
            Some(FAKE_LEAD),
            "the run's audit entry names the approver"
        );
    }
    // Signing out is no reset: no approval, no verification.
    let sign_out = h.console.plan_offered(FAKE, "bob", SIGN_OUT).await.unwrap();
    assert!(!sign_out.safety.approval.required);
    assert!(!sign_out.safety.verification.required);

    // With the rule off, the owner's reset is planned (and waits for the caller's verification);
    // there is no approval to give it.
    let h = signed_in(serde_json::json!({"approval": {"privilegedTargets": false}})).await;
    let plan = h.console.plan_offered(FAKE, "bob", UNLOCK).await.unwrap();
    assert!(plan.safety.verification.required);
    let no_approval = h
        .console
        .approve_plan(&plan.id, approver_sign_in(FAKE_LEAD))
        .await
        .unwrap_err();
    assert_eq!(no_approval.kind, ErrorKind::InvalidInput, "{no_approval:?}");
    assert!(
        no_approval.message.contains("does not need"),
        "{no_approval:?}"
    );
}

#[tokio::test]
async fn a_reset_that_needs_a_second_person_is_refused_with_why_where_the_provider_takes_no_approver(
) {
    let h = signed_in(serde_json::json!({"approval": {"vipUsers": ["ADA@fake.test"]}})).await;
    h.directory.refuse_approvals();
    for (user, why) in [
        ("bob", "Bob Locked is an owner of the fake directory."),
        ("ada", "Ada Locked is on your organisation's VIP list."),
    ] {
        let refused = h
            .console
            .plan_offered(FAKE, user, UNLOCK)
            .await
            .unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
        assert!(refused.message.starts_with(why), "{refused:?}");
        assert!(
            refused
                .message
                .contains("a second administrator can make the change"),
            "says what to do instead: {refused:?}"
        );
        let entry = h.console.list_audit(1).unwrap().remove(0);
        assert_eq!(entry.record.outcome, AuditOutcome::Refused);
        assert_eq!(entry.record.target_id, user);
        assert!(h.directory.is_locked(user));
    }
}

/// What an approver types on the fake directory's sign-in form.
fn approver_sign_in(login: &str) -> resetdesk_core::seam::SignInRequest {
    resetdesk_core::seam::SignInRequest {
        account: login.to_string(),
        password: Some(secrecy::SecretString::from(FAKE_PASSWORD)),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_users_page_shows_the_operators_resets_this_hour_against_the_cap() {
    let h = signed_in(serde_json::json!({
        "verification": {"required": false, "methods": []},
        "rateLimits": {"resetsPerHour": 5}
    }))
    .await;
    let rate = h
        .console
        .directory_user(FAKE, "ada")
        .await
        .unwrap()
        .rate
        .expect("a page that offers a reset shows the count");
    assert_eq!((rate.used, rate.limit), (0, 5));
    assert!(
        rate.note
            .as_deref()
            .is_some_and(|n| n.contains("this desktop's log only")),
        "{rate:?}"
    );
    let plan = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    h.console
        .run_provider_plan(&plan.id, "INC-1", None)
        .await
        .unwrap();
    let after = h.console.directory_user(FAKE, "cy").await.unwrap();
    assert_eq!(after.rate.map(|r| r.used), Some(1));
}

#[tokio::test]
async fn a_user_made_an_owner_after_the_summary_needs_a_second_person_when_it_runs() {
    let h =
        signed_in(serde_json::json!({"verification": {"required": false, "methods": []}})).await;
    let plan = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    assert!(!plan.safety.approval.required, "Ada is no owner yet");

    // Made an owner in the directory before the operator confirms: read again at the run.
    h.directory.make_owner("ada");
    let refused = h
        .console
        .run_plan(&plan.id, "INC-11", None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied);
    assert_eq!(
        refused.message,
        "Ada Locked is an owner of the fake directory. Start the action again: a second \
         person must approve it now."
    );
    assert!(h.directory.is_locked("ada"), "nothing ran");
    let audit = h.console.list_audit(10).unwrap();
    assert_eq!(audit[0].record.outcome, AuditOutcome::Refused, "audited");

    let again = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    assert!(
        again.safety.approval.required,
        "the new summary asks for them"
    );
}
