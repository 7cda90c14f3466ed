//! The proof of the provider seam: a fifth provider that exists only in the testkit (a fake
//! directory with two actions) goes through the Console end to end — sign-in, search, offers,
//! plan, run, audit, the hourly cap, plan expiry, sign-out — without a line of the Console or
//! the commands naming it.
use std::sync::Arc;
use std::time::Duration;

use resetdesk_core::audit::{AuditFilter, AuditOutcome};
use resetdesk_core::console::{Console, KeychainStatus};
use resetdesk_core::model::action::SafetyClass;
use resetdesk_core::model::connection::ConnectionKind;
use resetdesk_core::safety::team::TenantReset;
use resetdesk_core::safety::SafetyPolicy;
use resetdesk_core::seam::{SignInRequest, StepState};
use resetdesk_core::secrets::MemoryStore;
use resetdesk_core::ErrorKind;
use resetdesk_testkit::fake_provider::{
    FakeDirectory, FAKE_ADMIN, FAKE_CONNECTION, FAKE_VIEWER, SIGN_OUT, UNLOCK,
};
use secrecy::SecretString;

const FAKE: &str = FAKE_CONNECTION;

struct Harness {
    console: Console,
    directory: Arc<FakeDirectory>,
    _data: tempfile::TempDir,
}

fn harness(resets_per_hour: u32) -> Harness {
    let data = tempfile::tempdir().unwrap();
    let policy = SafetyPolicy::from_settings(Some(&serde_json::json!({
        "verification": {"required": false, "methods": []},
        "approval": {"privilegedTargets": false, "repeatMfaResetHours": 0},
        "rateLimits": {"resetsPerHour": resets_per_hour}
    })))
    .unwrap();
    let (console, directory) = FakeDirectory::console(data.path(), policy);
    Harness {
        console,
        directory,
        _data: data,
    }
}

async fn sign_in(console: &Console, account: &str) {
    FakeDirectory::sign_in(console, account).await;
}

#[tokio::test]
async fn a_fifth_providers_actions_reach_the_activity_filter_by_their_id() {
    let h = harness(100);
    let card = h.console.connections().await.remove(0);
    let offered: Vec<(&str, &str)> = card
        .actions
        .iter()
        .map(|a| (a.id.as_str(), a.label.as_str()))
        .collect();
    assert_eq!(
        offered,
        [
            (UNLOCK, "Unlock account"),
            (SIGN_OUT, "Sign out everywhere")
        ],
        "the card carries the provider's actions, for Activity's filter"
    );

    sign_in(&h.console, FAKE_ADMIN).await;
    let plan = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    h.console.run_plan(&plan.id, "INC-7", None).await.unwrap();
    let by_id = AuditFilter {
        action: Some(UNLOCK.to_string()),
        ..Default::default()
    };
    let found = h.console.query_audit(&by_id, 10).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].record.action, "Unlock account");
    let other = AuditFilter {
        action: Some(SIGN_OUT.to_string()),
        ..Default::default()
    };
    assert!(h.console.query_audit(&other, 10).unwrap().is_empty());
}

#[tokio::test]
async fn a_fifth_provider_signs_in_searches_plans_runs_and_is_audited_through_the_console() {
    let h = harness(100);
    let card = h.console.connections().await.remove(0);
    assert_eq!(card.kind, ConnectionKind::Custom);
    assert_eq!(card.summary.as_deref(), Some("Fake directory · Fake Org"));
    // What the connection is, in its provider's words (not a built-in provider's).
    assert_eq!(card.kind_line, "Fake directory service");
    assert!(!card.signed_in);

    sign_in(&h.console, FAKE_ADMIN).await;
    let card = h.console.connections().await.remove(0);
    assert!(card.signed_in);
    assert_eq!(card.account.unwrap().role_label, "Administrator");

    let found = h.console.directory_search(FAKE, "locked").await.unwrap();
    let ids: Vec<&str> = found.users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["ada", "bob"]);

    let page = h.console.directory_user(FAKE, "ada").await.unwrap();
    let unlock = page.offers.iter().find(|o| o.action == UNLOCK).unwrap();
    assert!(unlock.allowed, "{unlock:?}");
    assert_eq!(unlock.safety_class, SafetyClass::Reset);

    let plan = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    assert_eq!(plan.steps[0].summary, "Unlock Ada Locked's account");
    assert_eq!(plan.safety_class, SafetyClass::Reset);
    assert!(h.directory.is_locked("ada"), "planning changes nothing");

    let result = h.console.run_plan(&plan.id, "INC-5", None).await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert_eq!(result.steps[0].state, StepState::Done);
    assert!(!h.directory.is_locked("ada"));

    let entry = h.console.list_audit(1).unwrap().remove(0);
    assert_eq!(entry.record.operator, FAKE_ADMIN);
    assert_eq!(entry.record.action, "Unlock account");
    assert_eq!(entry.record.target, "ada@fake.test");
    assert_eq!(entry.record.reason, "INC-5");
    assert_eq!(entry.record.outcome, AuditOutcome::Succeeded);
    assert_eq!(entry.record.safety_class, Some(SafetyClass::Reset));
    assert!(h.console.verify_audit().ok);

    // A plan runs once.
    let again = h
        .console
        .run_plan(&plan.id, "INC-5", None)
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::InvalidInput, "{again:?}");
    assert_eq!(h.directory.changes(UNLOCK, "ada"), 1);
}

#[tokio::test]
async fn a_user_page_names_a_customer_tenant_only_where_the_connection_has_them() {
    let h = harness(100);
    sign_in(&h.console, FAKE_ADMIN).await;
    let refused = h
        .console
        .directory_user_in(FAKE, Some("customer-1"), "ada")
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");
    assert!(
        refused.message.contains("has no customer tenants"),
        "{}",
        refused.message
    );
    let page = h
        .console
        .directory_user_in(FAKE, None, "ada")
        .await
        .unwrap();
    assert_eq!(page.user.id, "ada");
    assert!(page.methods.is_none(), "the fake provider lists no methods");
}

/// A connection whose users live in one organisation has no tenants to list: its card says
/// so, and the lists across tenants refuse it by what it is, pointing to its users list.
#[tokio::test]
async fn the_lists_across_tenants_refuse_a_connection_of_one_organisation() {
    let h = harness(100);
    sign_in(&h.console, FAKE_ADMIN).await;
    assert!(!h.console.connections().await[0].lists_tenants);
    let tenant = vec!["customer-1".to_string()];
    let refusals = [
        h.console.directory_tenants(FAKE).await.unwrap_err(),
        h.console
            .directory_tenant_users(FAKE, &tenant, "")
            .await
            .unwrap_err(),
        h.console
            .directory_tenant_methods(FAKE, &tenant, "")
            .await
            .unwrap_err(),
    ];
    for refused in refusals {
        assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");
        assert!(
            refused.message.contains("one organisation") && refused.message.contains("users list"),
            "{}",
            refused.message
        );
    }
}

#[tokio::test]
async fn a_refused_offer_is_shown_with_its_reason_and_a_plan_of_it_is_refused_and_audited() {
    let h = harness(100);
    sign_in(&h.console, FAKE_VIEWER).await;
    let page = h.console.directory_user(FAKE, "ada").await.unwrap();
    let unlock = page.offers.iter().find(|o| o.action == UNLOCK).unwrap();
    assert!(!unlock.allowed);
    assert_eq!(
        unlock.reason.as_deref(),
        Some("Only an administrator of the fake directory may do this.")
    );

    let error = h
        .console
        .plan_offered(FAKE, "ada", UNLOCK)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    let entry = h.console.list_audit(1).unwrap().remove(0);
    assert_eq!(entry.record.outcome, AuditOutcome::Refused);
    assert_eq!(entry.record.operator, FAKE_VIEWER);
    assert_eq!(h.directory.changes(UNLOCK, "ada"), 0);

    let unknown = h
        .console
        .plan_offered(FAKE, "ada", "deleteEverything")
        .await
        .unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn the_hourly_cap_counts_the_fifth_providers_resets_by_their_class() {
    let h = harness(1);
    sign_in(&h.console, FAKE_ADMIN).await;
    let first = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    h.console.run_plan(&first.id, "INC-6", None).await.unwrap();

    let capped = h
        .console
        .plan_offered(FAKE, "bob", UNLOCK)
        .await
        .unwrap_err();
    assert_eq!(capped.kind, ErrorKind::Denied);
    assert!(
        capped.message.contains("resets in the last hour"),
        "{capped:?}"
    );
    assert_eq!(h.directory.changes(UNLOCK, "bob"), 0);

    // Signing a user out is not a reset: the cap does not slow it down.
    let sign_out = h.console.plan_offered(FAKE, "bob", SIGN_OUT).await.unwrap();
    assert_eq!(sign_out.safety_class, SafetyClass::SessionsOnly);
    h.console
        .run_plan(&sign_out.id, "INC-7", None)
        .await
        .unwrap();
    assert_eq!(h.directory.changes(SIGN_OUT, "bob"), 1);
}

/// A reset of `target` by the fake directory's administrator, `minutes_ago`, that its own
/// audit log holds (made from another desktop or the directory's console).
fn reset_elsewhere(minutes_ago: i64, target: &str) -> TenantReset {
    TenantReset {
        at: chrono::Utc::now() - chrono::Duration::minutes(minutes_ago),
        initiator: FAKE_ADMIN.to_string(),
        target_id: target.to_string(),
        target: format!("{target}@fake.test"),
        mfa: false,
        correlation_id: None,
    }
}

#[tokio::test]
async fn resets_the_fifth_providers_audit_log_holds_count_in_the_hourly_cap_as_the_teams() {
    let h = harness(2);
    sign_in(&h.console, FAKE_ADMIN).await;
    // A directory that keeps no audit log: this desktop's resets alone, and the count says so.
    let alone = h.console.directory_user(FAKE, "ada").await.unwrap();
    let alone = alone.rate.unwrap();
    assert_eq!(alone.used, 0);
    assert!(
        alone
            .note
            .as_deref()
            .is_some_and(|note| note.contains("this desktop's log only")),
        "{alone:?}"
    );

    // One reset elsewhere in the last hour, one before it.
    h.directory
        .keep_audit_log(vec![reset_elsewhere(20, "cy"), reset_elsewhere(90, "cy")]);
    let page = h.console.directory_user(FAKE, "ada").await.unwrap();
    let rate = page.rate.unwrap();
    assert_eq!((rate.used, rate.limit), (1, 2), "the one in the last hour");
    assert_eq!(rate.note, None, "counted across the team: nothing to say");
    let ada = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    assert_eq!(ada.safety.rate.as_ref().map(|r| r.used), Some(1));

    // Another desktop resets someone before this summary is confirmed: the cap holds at run
    // time, from the log read then, and nothing is changed.
    let mut log = vec![reset_elsewhere(20, "cy"), reset_elsewhere(1, "bob")];
    h.directory.keep_audit_log(log.clone());
    let refused = h
        .console
        .run_plan(&ada.id, "INC-10", None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied);
    assert!(
        refused.message.contains("resets in the last hour"),
        "{refused:?}"
    );
    assert_eq!(h.directory.changes(UNLOCK, "ada"), 0);
    let audit = h.console.list_audit(10).unwrap();
    assert_eq!(audit[0].record.outcome, AuditOutcome::Refused, "audited");

    // Planned again once the older of the two is out of the hour: the cap is met when the
    // summary is made, from the log as it is then.
    log.remove(0);
    h.directory.keep_audit_log(log);
    let planned = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    h.console
        .run_plan(&planned.id, "INC-10", None)
        .await
        .unwrap();
    assert_eq!(h.directory.changes(UNLOCK, "ada"), 1);
    let capped = h
        .console
        .plan_offered(FAKE, "bob", UNLOCK)
        .await
        .unwrap_err();
    assert_eq!(capped.kind, ErrorKind::Denied, "{capped:?}");
}

#[tokio::test]
async fn two_resets_run_at_the_same_moment_cannot_go_over_the_hourly_cap_together() {
    let h = harness(1);
    sign_in(&h.console, FAKE_ADMIN).await;
    let ada = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    let bob = h.console.plan_offered(FAKE, "bob", UNLOCK).await.unwrap();
    // Both runs are between their check and their audit entry at the same time.
    h.directory.set_run_delay(Duration::from_millis(100));
    let (a, b) = tokio::join!(
        h.console.run_plan(&ada.id, "INC-8", None),
        h.console.run_plan(&bob.id, "INC-8", None)
    );
    assert_eq!(
        [&a, &b].iter().filter(|r| r.is_ok()).count(),
        1,
        "one reset within a cap of one: {a:?} / {b:?}"
    );
    let refusal = [a, b].into_iter().find_map(|r| r.err()).unwrap();
    assert_eq!(refusal.kind, ErrorKind::Denied);
    assert!(
        refusal.message.contains("resets in the last hour"),
        "{refusal:?}"
    );
    assert_eq!(
        h.directory.changes(UNLOCK, "ada") + h.directory.changes(UNLOCK, "bob"),
        1
    );
}

#[tokio::test]
async fn a_summary_older_than_the_plan_validity_is_refused_and_changes_nothing() {
    let validity = Duration::from_millis(50);
    let mut h = harness(100);
    h.console = h.console.with_plan_validity(validity);
    sign_in(&h.console, FAKE_ADMIN).await;
    let plan = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();
    // Past the validity for certain: elapsed time only grows.
    tokio::time::sleep(validity * 3).await;
    let error = h
        .console
        .run_plan(&plan.id, "INC-8", None)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(error.message.contains("too old"), "{error:?}");
    assert!(h.directory.is_locked("ada"));
}

#[tokio::test]
async fn after_sign_out_the_fifth_provider_answers_not_signed_in() {
    let h = harness(100);
    sign_in(&h.console, FAKE_ADMIN).await;
    h.console.sign_out(FAKE).await.unwrap();
    assert!(!h.console.connections().await.remove(0).signed_in);
    let error = h.console.directory_search(FAKE, "ada").await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn);

    let refused = h
        .console
        .sign_in_with(
            FAKE,
            SignInRequest {
                account: FAKE_ADMIN.to_string(),
                password: Some(SecretString::from("wrong")),
                code: None,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied);
}

/// A provider pins its own connections only: settings of another kind from
/// `Provider::trust_certificate` are refused and nothing is saved; a provider without
/// certificates says so.
#[tokio::test]
async fn trusting_a_certificate_keeps_the_connection_of_its_provider() {
    use async_trait::async_trait;
    use resetdesk_core::model::connection::{Connection, CustomSettings, ProviderSettings};
    use resetdesk_core::seam::{Provider, SignInStep};

    struct TurnsIntoAnother;
    #[async_trait]
    impl Provider for TurnsIntoAnother {
        fn name(&self) -> &str {
            "turns-into-another"
        }
        async fn sign_in(
            &self,
            _: &Connection,
            _: SignInRequest,
        ) -> resetdesk_core::error::Result<SignInStep> {
            Err(resetdesk_core::AppError::invalid_input("no sign-in here"))
        }
        async fn trust_certificate(
            &self,
            _: &Connection,
            _: &str,
        ) -> resetdesk_core::error::Result<ProviderSettings> {
            Ok(ProviderSettings::Custom(CustomSettings {
                provider: "someone-else".into(),
                options: serde_json::Value::Null,
                demo_accounts: Vec::new(),
            }))
        }
    }

    let data = tempfile::tempdir().unwrap();
    let rogue = Connection {
        id: "rogue".into(),
        display_name: "Rogue".into(),
        settings: ProviderSettings::Custom(CustomSettings {
            provider: "turns-into-another".into(),
            options: serde_json::Value::Null,
            demo_accounts: Vec::new(),
        }),
        sandbox: false,
    };
    let console = Console::new(
        vec![rogue.clone(), FakeDirectory::connection(FAKE)],
        Arc::new(MemoryStore::new()),
        KeychainStatus::Available,
        data.path().join("audit.jsonl"),
    )
    .unwrap()
    .with_provider(Arc::new(TurnsIntoAnother))
    .with_provider(FakeDirectory::new());
    let error = console
        .trust_certificate("rogue", &"00".repeat(32))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Internal, "{error:?}");
    assert_eq!(console.connection_settings("rogue").unwrap(), rogue);
    let none = console
        .trust_certificate(FAKE, &"00".repeat(32))
        .await
        .unwrap_err();
    assert_eq!(none.kind, ErrorKind::InvalidInput, "{none:?}");
}

#[tokio::test]
async fn a_plan_run_under_another_sign_in_is_refused_and_audited_under_who_is_signed_in_now() {
    let h = harness(100);
    sign_in(&h.console, FAKE_ADMIN).await;
    let plan = h.console.plan_offered(FAKE, "ada", UNLOCK).await.unwrap();

    // Another administrator signs in to the same connection before the summary is confirmed.
    sign_in(&h.console, resetdesk_testkit::fake_provider::FAKE_LEAD).await;
    let refused = h
        .console
        .run_plan(&plan.id, "INC-8", None)
        .await
        .unwrap_err();

    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(h.directory.is_locked("ada"), "nothing ran");
    let entry = h.console.list_audit(1).unwrap().remove(0);
    assert_eq!(entry.record.plan_id.as_deref(), Some(plan.id.as_str()));
    assert_eq!(entry.record.outcome, AuditOutcome::Refused);
    // The attempt is the signed-in administrator's, not the planner's.
    assert_eq!(
        entry.record.operator,
        resetdesk_testkit::fake_provider::FAKE_LEAD
    );
}

#[tokio::test]
async fn a_provider_may_leave_steps_to_finish_by_hand_unless_it_says_it_never_does() {
    let h = harness(100);
    let card = h.console.connections().await.remove(0);
    // The fifth provider keeps the seam's default: its users' pages list the steps waiting.
    assert!(card.served_through_seam);
    assert!(card.steps_by_hand);
}
