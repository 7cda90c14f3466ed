//! The Zoho Directory and Privilege Secure flows through the Console, as the page drives
//! them, against the two emulators over real HTTP(S): sign-in, the offered actions and their
//! reasons, the confirmation summary (API and by-hand steps), the run, the "finish by hand"
//! mechanism, and the audit log of each step.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use resetdesk_core::audit::AuditOutcome;
use resetdesk_core::auth::BrowserLauncher;
use resetdesk_core::connection::{
    Connection, ConnectionKind, NewConnection, NewPrivilegeSecureConnection, NewZohoConnection,
    ProviderSettings,
};
use resetdesk_core::console::{
    ByHandSettlement, ConnectionView, Console, KeychainStatus, PasswordInput, ProviderAction,
    StepPerformed, StepState,
};
use resetdesk_core::model::StepStatus;
use resetdesk_core::seam::{ProviderAccount, SignInOutcome, SignInRequest};
use resetdesk_core::secrets::{MemoryStore, SecretStore, SecretString};
use resetdesk_core::ErrorKind;
use resetdesk_providers::zoho::auth::CLIENT_SECRET_SECRET;
use resetdesk_providers::zoho::ResetPasswordOptions;
use resetdesk_providers::zoho::{DataCentre, ZohoSettings};
use resetdesk_providers::ZohoConsole;
use resetdesk_sandbox::privilege_secure::{
    PsEmulator, ADMIN_LOGIN, ADMIN_PASSWORD, LEAD_LOGIN, LEAD_PASSWORD, REVIEWER_LOGIN,
    REVIEWER_PASSWORD,
};
use resetdesk_sandbox::zoho::{ZohoSandbox, CONFIRMED_USER, PENDING_USER, SECOND_ADMIN};
use serde_json::json;
use tempfile::TempDir;

const ZOHO: &str = "zoho-test";
const NPS: &str = "nps-test";
const ADMIN: &str = "ada.admin@zylker.sandbox";
const MEMBER: &str = "mo.member@zylker.sandbox";
const SUPER_ADMIN: &str = "sam.super@zylker.sandbox";

struct Harness {
    console: Console,
    /// The keychain the Console keeps its secrets in.
    secrets: Arc<MemoryStore>,
    zoho: Arc<ZohoSandbox>,
    nps: PsEmulator,
    _dir: TempDir,
}

/// Records the pages it is asked to open instead of starting a browser.
#[derive(Default)]
struct RecordingBrowser(Mutex<Vec<String>>);

#[async_trait]
impl BrowserLauncher for RecordingBrowser {
    async fn open(&self, url: &reqwest::Url) -> Result<(), resetdesk_core::AppError> {
        self.0.lock().unwrap().push(url.to_string());
        Ok(())
    }
}

async fn harness_with(fresh_sign_in: Duration, pin_nps: bool) -> Harness {
    harness_capped(fresh_sign_in, pin_nps, 20).await
}

/// `resets_per_hour`: the operator-safety cap, which covers these resets too.
async fn harness_capped(fresh_sign_in: Duration, pin_nps: bool, resets_per_hour: u32) -> Harness {
    // Caller verification and approval are tested in seam_safety.rs; here they are off so
    // that each test exercises one thing (the hourly cap is one of them).
    let rules = serde_json::json!({
        "verification": {"required": false, "methods": []},
        "approval": {"privilegedTargets": false, "repeatMfaResetHours": 0},
        "rateLimits": {"resetsPerHour": resets_per_hour}
    });
    harness_under(fresh_sign_in, pin_nps, rules).await
}

/// The two sandboxes under the safety rules `rules` (the settings' `safety` object).
async fn harness_under(
    fresh_sign_in: Duration,
    pin_nps: bool,
    rules: serde_json::Value,
) -> Harness {
    let zoho = Arc::new(ZohoSandbox::start(0).await.unwrap());
    let nps = PsEmulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut nps_settings = nps.settings();
    if !pin_nps {
        nps_settings.trusted_certificate_sha256 = None;
    }
    let connections = vec![
        Connection {
            id: ZOHO.into(),
            display_name: "Zylker".into(),
            settings: ProviderSettings::Zoho(zoho.settings()),
            sandbox: true,
        },
        Connection {
            id: NPS.into(),
            display_name: "NPS".into(),
            settings: ProviderSettings::PrivilegeSecure(nps_settings),
            sandbox: true,
        },
    ];
    // The sandbox's client secret comes from its approver: nothing is stored beforehand.
    let secrets = Arc::new(MemoryStore::new());
    let console = resetdesk_providers::built_in_console(
        connections,
        secrets.clone(),
        KeychainStatus::Available,
        dir.path().join("audit.jsonl"),
    )
    .unwrap()
    .with_zoho_sandbox_approver(ZOHO, zoho.clone())
    .with_zoho_fresh_sign_in(fresh_sign_in)
    .with_cache_dir(dir.path())
    .with_safety_policy(resetdesk_core::safety::SafetyPolicy::from_settings(Some(&rules)).unwrap());
    Harness {
        console,
        secrets,
        zoho,
        nps,
        _dir: dir,
    }
}

async fn harness() -> Harness {
    harness_with(Duration::from_secs(300), true).await
}

impl Harness {
    async fn zoho_sign_in(&self, email: &str) {
        let account = zoho_sign_in_to(&self.console, email).await;
        assert_eq!(account.login, email);
    }

    async fn nps_sign_in(&self, login: &str, password: &str) {
        let outcome = self.nps_try_sign_in(login, password).await;
        assert!(matches!(outcome, SignInOutcome::Done { .. }), "{outcome:?}");
    }

    async fn nps_try_sign_in(&self, login: &str, password: &str) -> SignInOutcome {
        let code = self.nps.second_factor_code(login).unwrap();
        let request = SignInRequest {
            account: login.to_string(),
            password: Some(SecretString::from(password)),
            code: Some(code),
            ..Default::default()
        };
        self.console.sign_in_with(NPS, request).await.unwrap()
    }

    fn zuid(&self, email: &str) -> String {
        self.zoho.zuid_of(email).unwrap()
    }

    /// A new Console on the same connections and audit log, as after a restart: the plans kept
    /// in memory are gone, and nobody is signed in.
    fn restarted(&self) -> Console {
        let connections = vec![
            self.console.connection_settings(ZOHO).unwrap(),
            self.console.connection_settings(NPS).unwrap(),
        ];
        resetdesk_providers::built_in_console(
            connections,
            Arc::new(MemoryStore::new()),
            KeychainStatus::Available,
            self._dir.path().join("audit.jsonl"),
        )
        .unwrap()
        .with_zoho_sandbox_approver(ZOHO, self.zoho.clone())
        .with_safety_policy(self.console.safety_policy().clone())
    }

    async fn nps_sign_in_to(&self, console: &Console, login: &str, password: &str) {
        let request = SignInRequest {
            account: login.to_string(),
            password: Some(SecretString::from(password)),
            code: Some(self.nps.second_factor_code(login).unwrap()),
            ..Default::default()
        };
        let outcome = console.sign_in_with(NPS, request).await.unwrap();
        assert!(matches!(outcome, SignInOutcome::Done { .. }), "{outcome:?}");
    }

    fn nps_id(&self, sam: &str) -> String {
        self.nps.user_id(sam).unwrap()
    }

    fn audit(&self) -> Vec<resetdesk_core::audit::AuditEntry> {
        let mut entries = self.console.list_audit(100).unwrap();
        entries.sort_by_key(|e| e.seq);
        entries
    }
}

async fn zoho_sign_in_to(console: &Console, email: &str) -> ProviderAccount {
    resetdesk_testkit::zoho_sign_in(console, ZOHO, email).await
}

fn generate() -> Option<PasswordInput> {
    Some(
        serde_json::from_value(serde_json::json!({"mode": "generate", "readAloud": true})).unwrap(),
    )
}

fn typed(password: &str) -> Option<PasswordInput> {
    Some(
        serde_json::from_value(serde_json::json!({"mode": "typed", "password": password})).unwrap(),
    )
}

// ---- Zoho Directory ----

#[tokio::test]
async fn zoho_reset_password_sends_its_options_through_the_api_and_leaves_only_the_email_by_hand() {
    let h = harness().await;
    h.zoho_sign_in(ADMIN).await;
    let connections = h.console.connections().await;
    let zoho = connections.iter().find(|c| c.id == ZOHO).unwrap();
    assert!(zoho.signed_in && zoho.account.as_ref().unwrap().role_label == "Admin");

    let found = h.console.directory_search(ZOHO, "annette").await.unwrap();
    assert_eq!(found.users.len(), 1);
    let zuid = h.zuid(CONFIRMED_USER);
    let details = h.console.directory_user(ZOHO, &zuid).await.unwrap();
    assert!(
        details.offers.iter().all(|a| a.allowed),
        "{:?}",
        details.offers
    );
    assert!(details.fresh_sign_in.unwrap().fresh);

    let options = ResetPasswordOptions {
        force_change_on_login: true,
        clear_mobile_sessions_and_api_tokens: false,
        email_new_password: true,
    };
    let plan = h
        .console
        .plan_provider_action(
            ZOHO,
            &zuid,
            ProviderAction::ZohoResetPassword,
            Some(serde_json::to_value(options).unwrap()),
        )
        .await
        .unwrap();
    // The summary shows before anything runs which steps are API and which by hand.
    let performed: Vec<bool> = plan
        .steps
        .iter()
        .map(|s| matches!(s.performed, StepPerformed::Api { .. }))
        .collect();
    // Password, web sessions and force change are one API call; the e-mail is by hand.
    assert_eq!(performed, vec![true, true, true, false], "{:?}", plan.steps);
    assert!(plan.needs_password && plan.confirmations_required == 1);
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("e-mail the new password")),
        "{:?}",
        plan.warnings
    );
    assert_eq!(
        h.zoho.password_resets(CONFIRMED_USER),
        0,
        "planning changes nothing"
    );

    let result = h
        .console
        .run_provider_plan(&plan.id, "INC-42 locked out", generate())
        .await
        .unwrap();
    let password = result
        .generated_password
        .clone()
        .expect("the generated password, once");
    assert!(h.zoho.password_is(CONFIRMED_USER, &password));
    assert_eq!(result.outcome, AuditOutcome::Pending);
    let states: Vec<StepState> = result.steps.iter().map(|s| s.state).collect();
    assert_eq!(
        states,
        vec![
            StepState::Done,
            StepState::Done,
            StepState::Done,
            StepState::ToDoByHand
        ]
    );
    let applied = h.zoho.last_reset(CONFIRMED_USER).unwrap();
    assert!(applied.one_time_password && !applied.reset_auth_token);
    let entry = h.audit().pop().unwrap();
    assert_eq!(entry.record.outcome, AuditOutcome::Pending);
    assert_eq!(entry.record.steps[3].status, StepStatus::WaitingForOperator);
    assert!(
        entry.record.plan[3].ends_with("(by hand)"),
        "{:?}",
        entry.record.plan
    );
    let json = serde_json::to_string(&entry).unwrap();
    assert!(
        !json.contains(&password),
        "the password never reaches the audit log"
    );

    // Finish by hand: open the admin page, mark each step done.
    let browser = RecordingBrowser::default();
    let page = h
        .console
        .open_by_hand_page(&plan.id, 3, Some(&browser))
        .await
        .unwrap();
    assert!(page.opened);
    assert_eq!(*browser.0.lock().unwrap(), vec![page.url.clone()]);
    assert!(page.url.starts_with(&h.zoho.base_url()), "{}", page.url);
    let error = h
        .console
        .open_by_hand_page(&plan.id, 0, Some(&browser))
        .await
        .unwrap_err();
    assert!(error.message.contains("API"), "{error:?}");

    let after = h.console.mark_by_hand_done(&plan.id, 3).await.unwrap();
    assert_eq!(after.steps[3].state, StepState::DoneByHand);
    assert_eq!(after.outcome, AuditOutcome::Succeeded);
    assert!(after.generated_password.is_none());
    let again = h.console.mark_by_hand_done(&plan.id, 3).await.unwrap_err();
    assert_eq!(again.kind, ErrorKind::InvalidInput);
    let entries = h.audit();
    let marks: Vec<_> = entries
        .iter()
        .filter(|e| {
            e.record
                .steps
                .iter()
                .any(|s| s.status == StepStatus::CompletedByHand)
        })
        .collect();
    assert_eq!(marks.len(), 1);
    assert!(marks
        .iter()
        .all(|e| e.record.plan_id.as_deref() == Some(plan.id.as_str())
            && e.record.reason == "INC-42 locked out"
            && e.record.operator == ADMIN));
    assert_eq!(marks[0].record.outcome, AuditOutcome::Succeeded);
    assert!(h.console.verify_audit().ok);
    // Activity's action filter finds the run and its mark by the page's action name.
    let filter = resetdesk_core::audit::AuditFilter {
        action: Some("zohoResetPassword".into()),
        ..Default::default()
    };
    assert_eq!(h.console.query_audit(&filter, 100).unwrap().len(), 2);

    // A used plan cannot run again.
    let rerun = h
        .console
        .run_provider_plan(&plan.id, "again", generate())
        .await
        .unwrap_err();
    assert!(rerun.message.contains("already run"), "{rerun:?}");
    assert_eq!(h.zoho.password_resets(CONFIRMED_USER), 1);
}

#[tokio::test]
async fn zoho_bad_input_changes_nothing_and_keeps_the_summary_ready() {
    let h = harness().await;
    h.zoho_sign_in(ADMIN).await;
    let zuid = h.zuid(CONFIRMED_USER);
    let plan = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetPassword, None)
        .await
        .unwrap();
    let no_kind = serde_json::from_value(serde_json::json!({
        "mode": "generate", "readAloud": false,
        "upper": false, "lower": false, "digits": false, "symbols": false
    }))
    .ok();
    for (password, why) in [
        (typed(""), "empty"),
        (typed("short1"), "too short"),
        (None, "none"),
        (no_kind, "no kind of character"),
    ] {
        let error = h
            .console
            .run_provider_plan(&plan.id, "INC-1", password)
            .await
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{why}: {error:?}");
    }
    let error = h
        .console
        .run_provider_plan(&plan.id, "  ", generate())
        .await
        .unwrap_err();
    assert!(error.message.contains("reason"), "{error:?}");
    assert_eq!(h.zoho.password_resets(CONFIRMED_USER), 0);

    // The same summary still runs once the input is right.
    let result = h
        .console
        .run_provider_plan(&plan.id, "INC-1", typed("Blue-Harbour-Lantern-2931"))
        .await
        .unwrap();
    assert!(
        result.generated_password.is_none(),
        "a typed password is not echoed back"
    );
    assert!(h
        .zoho
        .password_is(CONFIRMED_USER, "Blue-Harbour-Lantern-2931"));

    // An unconfirmed user is not offered, with Zoho's reason, and cannot be planned.
    let pending = h.zuid(PENDING_USER);
    let details = h.console.directory_user(ZOHO, &pending).await.unwrap();
    assert!(details
        .offers
        .iter()
        .all(|a| !a.allowed && a.reason.is_some()));
    let error = h
        .console
        .plan_provider_action(ZOHO, &pending, ProviderAction::ZohoResetPassword, None)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput, "{error:?}");
    assert!(
        error.message.to_lowercase().contains("confirm"),
        "{error:?}"
    );
}

#[tokio::test]
async fn zoho_an_old_sign_in_must_be_renewed_before_the_reset_runs() {
    let h = harness_with(Duration::from_secs(1), true).await;
    h.zoho_sign_in(ADMIN).await;
    let zuid = h.zuid(CONFIRMED_USER);
    let plan = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetMfa, None)
        .await
        .unwrap();
    assert_eq!(plan.confirmations_required, 2);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let error = h
        .console
        .run_provider_plan(&plan.id, "INC-7", None)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert!(h
        .console
        .connections()
        .await
        .iter()
        .any(|c| c.id == ZOHO && c.signed_in));

    h.zoho_sign_in(ADMIN).await;
    let result = h
        .console
        .run_provider_plan(&plan.id, "INC-7", None)
        .await
        .unwrap();
    // Reset MFA has no documented API: the whole action is finished by hand.
    assert_eq!(result.outcome, AuditOutcome::Pending);
    assert_eq!(result.steps.len(), 1);
    assert_eq!(result.steps[0].state, StepState::ToDoByHand);
    match &result.steps[0].performed {
        StepPerformed::ByHand { instructions, .. } => {
            assert!(instructions.contains("Reset MFA") && instructions.contains(CONFIRMED_USER))
        }
        other => panic!("expected by hand, got {other:?}"),
    }
    let page = h
        .console
        .open_by_hand_page(&plan.id, 0, None)
        .await
        .unwrap();
    assert!(
        !page.opened && page.note.is_some(),
        "the sandbox opens nothing"
    );
    let done = h.console.mark_by_hand_done(&plan.id, 0).await.unwrap();
    assert_eq!(done.outcome, AuditOutcome::Succeeded);
}

#[tokio::test]
async fn zoho_an_operator_without_the_permissions_is_not_offered_and_is_refused() {
    let h = harness().await;
    h.zoho_sign_in(MEMBER).await;
    let zuid = h.zuid(CONFIRMED_USER);
    // Zoho's organisation API answers admins only: the member is told why, in Zoho's terms.
    let error = h
        .console
        .directory_search(ZOHO, "annette")
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    assert!(
        error.message.contains("Member") && error.message.contains("admin"),
        "{error:?}"
    );
    let error = h.console.directory_user(ZOHO, &zuid).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    let error = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetPassword, None)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    let entry = h.audit().pop().unwrap();
    assert_eq!(entry.record.outcome, AuditOutcome::Refused);
    assert_eq!(entry.record.operator, MEMBER);

    // An admin may not reset another admin: only the super admin may.
    h.zoho_sign_in(ADMIN).await;
    let other_admin = h.zuid(SECOND_ADMIN);
    let details = h.console.directory_user(ZOHO, &other_admin).await.unwrap();
    assert!(details.offers.iter().all(|a| !a.allowed));
}

#[tokio::test]
async fn only_the_operator_who_ran_the_action_marks_its_steps_done() {
    let h = harness().await;
    h.zoho_sign_in(ADMIN).await;
    let zuid = h.zuid(CONFIRMED_USER);
    let plan = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetMfa, None)
        .await
        .unwrap();
    let early = h.console.mark_by_hand_done(&plan.id, 0).await.unwrap_err();
    assert!(early.message.contains("not run yet"), "{early:?}");
    h.console
        .run_provider_plan(&plan.id, "INC-9", None)
        .await
        .unwrap();
    h.zoho_sign_in("sam.super@zylker.sandbox").await;
    let error = h.console.mark_by_hand_done(&plan.id, 0).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied, "{error:?}");
}

/// When Zoho cannot be reached, the seam's search answers from the offline cache, marked so,
/// each row as the live list shows it; a user's page and actions still need Zoho.
#[tokio::test]
async fn zoho_unreachable_the_search_answers_from_the_cache_marked_and_actions_wait() {
    let h = harness().await;
    h.zoho_sign_in(ADMIN).await;
    let views = h.console.connections().await;
    let view = |id: &str| views.iter().find(|c| c.id == id).unwrap().clone();
    assert!(
        view(ZOHO).offline_cache,
        "the Zoho list shows the cache's status"
    );
    assert!(!view(NPS).offline_cache, "Privilege Secure keeps no cache");
    let live = h.console.directory_search(ZOHO, "annette").await.unwrap();
    assert!(live.from_cache.is_none(), "{live:?}");
    for _ in 0..100 {
        let status = h.console.cache_status(ZOHO).await.unwrap();
        if status.users > 0 && !status.syncing {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    h.zoho.set_network_down(true);
    let cached = h.console.directory_search(ZOHO, "annette").await.unwrap();
    let from_cache = cached
        .from_cache
        .as_ref()
        .expect("marked as from the cache");
    assert!(from_cache.synced_at.is_some(), "{cached:?}");
    assert_eq!(
        cached.users, live.users,
        "a cached row reads as the live one"
    );
    assert!(h.console.cache_status(ZOHO).await.unwrap().offline);
    let pending = h
        .console
        .directory_search(ZOHO, "pat.pending")
        .await
        .unwrap();
    assert!(
        pending.users[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("Pending"),
        "{pending:?}"
    );
    let page = h
        .console
        .directory_user(ZOHO, &h.zuid(CONFIRMED_USER))
        .await
        .unwrap_err();
    assert_eq!(page.kind, ErrorKind::Offline, "{page:?}");
    // Nothing cached matches: Zoho's error says what is wrong.
    let none = h
        .console
        .directory_search(ZOHO, "nobody-like-this")
        .await
        .unwrap_err();
    assert_eq!(none.kind, ErrorKind::Offline, "{none:?}");

    h.zoho.set_network_down(false);
    let back = h.console.directory_search(ZOHO, "annette").await.unwrap();
    assert!(back.from_cache.is_none(), "{back:?}");
}

/// The one users list's search refuses a text too long in the same words for Zoho as for Entra.
#[tokio::test]
async fn a_search_text_too_long_is_refused_for_zoho_as_for_every_provider() {
    let h = harness().await;
    h.zoho_sign_in(ADMIN).await;
    let refused = h
        .console
        .directory_search(ZOHO, &"a".repeat(257))
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");
    assert!(
        refused
            .message
            .ends_with("Search by name, login or e-mail."),
        "{}",
        refused.message
    );
}

#[tokio::test]
async fn zoho_users_feed_the_offline_cache_which_answers_after_sign_out() {
    let h = harness().await;
    h.zoho_sign_in(ADMIN).await;
    let mut status = h.console.cache_status(ZOHO).await.unwrap();
    for _ in 0..100 {
        if status.users > 0 && !status.syncing {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = h.console.cache_status(ZOHO).await.unwrap();
    }
    assert!(
        status.users >= 5 && status.last_full_sync.is_some(),
        "{status:?}"
    );
    assert_eq!(status.error, None);

    h.console.sign_out(ZOHO).await.unwrap();
    let cached = h
        .console
        .search_cached_users(ZOHO, "annette")
        .await
        .unwrap();
    assert_eq!(cached.users.len(), 1, "{cached:?}");
    let user = &cached.users[0];
    assert_eq!(user.login, CONFIRMED_USER);
    assert_eq!(
        user.id,
        h.zuid(CONFIRMED_USER),
        "the id the user's page needs"
    );
    assert!(
        cached.stale,
        "signed out: the page says the results may be old"
    );
    let pending = h
        .console
        .search_cached_users(ZOHO, "pat.pending")
        .await
        .unwrap();
    // Before sign-in too, each row reads as Zoho's live list reads it (the provider's own row).
    let detail = pending.users[0].detail.clone().unwrap_or_default();
    assert!(
        detail.contains("Pending"),
        "only confirmed users show as resettable: {detail}"
    );
}

#[tokio::test]
async fn zoho_a_member_made_an_admin_after_the_summary_needs_a_second_person_when_it_runs() {
    let rules = serde_json::json!({
        "verification": {"required": false, "methods": []},
        "approval": {"privilegedTargets": true}
    });
    let h = harness_under(Duration::from_secs(300), true, rules).await;
    h.zoho_sign_in(ADMIN).await;
    let zuid = h.zuid(CONFIRMED_USER);
    let plan = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetPassword, None)
        .await
        .unwrap();
    assert!(!plan.safety.approval.required, "a member: {plan:?}");

    // A super admin makes them an admin in Zoho's admin panel before the operator confirms.
    h.zoho.set_role(CONFIRMED_USER, "admin");
    let refused = h
        .console
        .run_provider_plan(&plan.id, "INC-12", generate())
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(
        refused
            .message
            .contains("is a Zoho organisation admin. Start the action again: a second person must approve it now."),
        "{refused:?}"
    );
    assert_eq!(
        h.zoho.password_resets(CONFIRMED_USER),
        0,
        "nothing was reset"
    );
    assert_eq!(
        h.audit().pop().unwrap().record.outcome,
        AuditOutcome::Refused
    );
}

#[tokio::test]
async fn the_hourly_cap_counts_zoho_and_privilege_secure_resets_once_each() {
    let h = harness_capped(Duration::from_secs(300), true, 2).await;
    h.zoho_sign_in(ADMIN).await;
    let zuid = h.zuid(CONFIRMED_USER);
    let plan = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetMfa, None)
        .await
        .unwrap();
    h.console
        .run_provider_plan(&plan.id, "INC-1", None)
        .await
        .unwrap();
    // Marking its step done is the same reset, not a second one.
    h.console.mark_by_hand_done(&plan.id, 0).await.unwrap();
    let second = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetPassword, None)
        .await
        .unwrap();
    h.console
        .run_provider_plan(&second.id, "INC-2", generate())
        .await
        .unwrap();
    let error = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetMfa, None)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied, "{error:?}");
    assert!(error.message.contains("2"), "{error:?}");
    assert_eq!(
        h.audit().pop().unwrap().record.outcome,
        AuditOutcome::Refused
    );
}

#[tokio::test]
async fn a_new_zoho_connection_keeps_its_client_secret_in_the_keychain_only() {
    let h = harness().await;
    let id = h
        .console
        .add_zoho_connection(NewZohoConnection {
            display_name: "Zylker EU".into(),
            data_centre: resetdesk_providers::zoho::DataCentre::Eu,
            client_id: "1000.NEWAPP".into(),
            client_secret: "very-secret".into(),
            organization_id: "123456".into(),
        })
        .await
        .unwrap();
    let saved = serde_json::to_string(&h.console.saved_connections()).unwrap();
    assert!(
        saved.contains(&id) && !saved.contains("very-secret"),
        "{saved}"
    );
    let kept = |name: &str| h.secrets.get(&id, name).unwrap().is_some();
    assert!(kept(CLIENT_SECRET_SECRET));
    h.console.remove_connection(&id).await.unwrap();
    assert!(!serde_json::to_string(&h.console.saved_connections())
        .unwrap()
        .contains(&id));
    // Its provider forgets the secret it kept, with the connection.
    assert!(!kept(CLIENT_SECRET_SECRET));
}

/// The Add connection dialog's one call: each provider's form, tagged as the page sends it,
/// checked by that provider's rules; a refused form adds nothing and says what to correct.
#[tokio::test]
async fn one_add_connection_takes_every_providers_form_as_the_page_sends_it() {
    let h = harness().await;
    let before = h.console.connections().await.len();
    let forms = [
        (
            json!({"provider": "entra", "displayName": "Fabrikam", "tenant": "fabrikam.onmicrosoft.com",
                   "clientId": "11111111-2222-3333-4444-555555555555", "cloud": "public"}),
            ConnectionKind::EntraTenant,
            "Microsoft Entra tenant",
        ),
        (
            json!({"provider": "lighthouse", "displayName": "Partners", "partnerTenant": "partners.onmicrosoft.com",
                   "clientId": "11111111-2222-3333-4444-555555555555", "cloud": "public"}),
            ConnectionKind::LighthousePartner,
            "Microsoft 365 Lighthouse partner",
        ),
        (
            json!({"provider": "zoho", "displayName": "Zylker EU", "dataCentre": "EU", "clientId": "1000.NEWAPP",
                   "clientSecret": "very-secret", "organizationId": "123456"}),
            ConnectionKind::ZohoDirectory,
            "Zoho Directory",
        ),
        (
            json!({"provider": "privilegeSecure", "displayName": "NPS", "baseUrl": "https://nps.example.com"}),
            ConnectionKind::PrivilegeSecure,
            "Netwrix Privilege Secure",
        ),
    ];
    for (form, kind, kind_line) in forms {
        let new: NewConnection = serde_json::from_value(form.clone()).unwrap();
        let id = h.console.add_new_connection(new).await.unwrap();
        let added = h.console.connections().await;
        let view = added
            .iter()
            .find(|c| c.id == id)
            .expect("the new connection is listed");
        assert_eq!(view.kind, kind, "{form}");
        assert_eq!(view.display_name, form["displayName"]);
        // Its card says what it is in its provider's words.
        assert_eq!(view.kind_line, kind_line, "{form}");
    }
    let saved = serde_json::to_string(&h.console.saved_connections()).unwrap();
    assert!(
        !saved.contains("very-secret"),
        "the client secret is in the keychain only"
    );

    // Each form is checked by its provider's rules.
    let refused: NewConnection = serde_json::from_value(json!({
        "provider": "privilegeSecure", "displayName": "NPS", "baseUrl": "http://nps.example.com"
    }))
    .unwrap();
    let error = h.console.add_new_connection(refused).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput, "{error:?}");
    assert!(error.message.contains("https"), "{error:?}");
    assert_eq!(h.console.connections().await.len(), before + 4);
    // A form without its provider, or naming none we know, is not read at all.
    for form in [
        json!({"displayName": "NPS", "baseUrl": "https://nps.example.com"}),
        json!({"provider": "okta", "displayName": "Okta"}),
    ] {
        assert!(serde_json::from_value::<NewConnection>(form).is_err());
    }
}

/// Each card says what its connection is in its provider's words: the built-in sandbox's as the
/// emulator of what it stands for (an added connection as the product it connects to: the test
/// of the Add connection forms above).
#[tokio::test]
async fn a_sandbox_card_says_which_emulator_it_is_in_its_providers_words() {
    let h = harness().await;
    let line = |views: &[ConnectionView], id: &str| {
        views
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.kind_line.clone())
            .unwrap()
    };
    let views = h.console.connections().await;
    assert_eq!(
        line(&views, ZOHO),
        "Built-in sandbox (Zoho Directory emulator)"
    );
    assert_eq!(
        line(&views, NPS),
        "Built-in sandbox (Privilege Secure emulator)"
    );
}

// ---- Privilege Secure ----

#[tokio::test]
async fn nps_an_individually_configured_user_is_reset_in_one_api_step() {
    let h = harness().await;
    h.nps_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let users = h.console.directory_search(NPS, "").await.unwrap();
    assert!(users.users.len() >= 4);
    let alice = h.nps_id("alice");
    let details = h.console.directory_user(NPS, &alice).await.unwrap();
    assert_eq!(
        details.user.detail.as_deref(),
        Some("Individually configured")
    );
    let own = &details.offers[0];
    assert!(own.allowed && own.action == ProviderAction::PsResetToken);
    assert_eq!(
        details.offers.len(),
        1,
        "no group-wide reset (nor its refusal) for an individually configured user"
    );

    let plan = h
        .console
        .plan_provider_action(NPS, &alice, ProviderAction::PsResetToken, None)
        .await
        .unwrap();
    assert_eq!(plan.steps.len(), 1);
    let result = h
        .console
        .run_provider_plan(&plan.id, "INC-5", None)
        .await
        .unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert_eq!(h.nps.mfa_reset_count("alice"), 1);
}

#[tokio::test]
async fn nps_a_group_member_is_reset_through_an_individual_entry_that_is_removed_again() {
    let h = harness().await;
    h.nps_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let bob = h.nps_id("bob");
    let plan = h
        .console
        .plan_provider_action(NPS, &bob, ProviderAction::PsResetToken, None)
        .await
        .unwrap();
    assert_eq!(plan.steps.len(), 3, "{:?}", plan.steps);
    assert!(plan.steps[0].summary.starts_with("Add"));
    assert!(plan.steps[2].summary.starts_with("Remove"));
    assert!(plan.warnings.iter().any(|w| w.contains("not touched")));

    let result = h
        .console
        .run_provider_plan(&plan.id, "INC-6", None)
        .await
        .unwrap();
    assert_eq!(
        result.outcome,
        AuditOutcome::Succeeded,
        "{:?}",
        result.steps
    );
    assert!(result.steps.iter().all(|s| s.state == StepState::Done));
    assert_eq!(h.nps.mfa_reset_count("bob"), 1);
    assert_eq!(
        h.nps.mfa_reset_count("carol"),
        0,
        "the other group member is untouched"
    );
    assert!(
        h.nps.individual_entry("bob").is_none(),
        "the configuration is as it was"
    );
    let entry = h.audit().pop().unwrap();
    assert_eq!(entry.record.steps.len(), 3);
    assert_eq!(entry.record.tenant_id, h.nps.base_url() + "/");
}

#[tokio::test]
async fn nps_a_failure_in_the_middle_step_removes_the_added_entry_and_says_so() {
    let h = harness().await;
    h.nps_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let carol = h.nps_id("carol");
    let plan = h
        .console
        .plan_provider_action(NPS, &carol, ProviderAction::PsResetToken, None)
        .await
        .unwrap();
    h.nps.fail_next_reset_mfa(5);
    let result = h
        .console
        .run_provider_plan(&plan.id, "INC-8", None)
        .await
        .unwrap();
    let states: Vec<StepState> = result.steps.iter().map(|s| s.state).collect();
    assert_eq!(
        states,
        vec![StepState::Done, StepState::Failed, StepState::Done]
    );
    assert_eq!(result.outcome, AuditOutcome::Partial);
    assert!(
        result.steps[2]
            .message
            .as_deref()
            .unwrap()
            .contains("NOT reset"),
        "{:?}",
        result.steps[2]
    );
    assert!(h.nps.individual_entry("carol").is_none());
    let entry = h.audit().pop().unwrap();
    let statuses: Vec<StepStatus> = entry.record.steps.iter().map(|s| s.status).collect();
    assert_eq!(
        statuses,
        vec![
            StepStatus::Succeeded,
            StepStatus::Failed,
            StepStatus::Succeeded
        ]
    );
}

#[tokio::test]
async fn nps_the_group_reset_is_separate_warned_and_finished_by_hand() {
    let h = harness().await;
    h.nps_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let bob = h.nps_id("bob");
    let details = h.console.directory_user(NPS, &bob).await.unwrap();
    let group = details
        .offers
        .iter()
        .find(|a| a.action == ProviderAction::PsResetGroupToken)
        .unwrap();
    assert!(group.allowed);
    assert!(group.warning.as_deref().unwrap().contains("EVERY member"));
    let plan = h
        .console
        .plan_provider_action(NPS, &bob, ProviderAction::PsResetGroupToken, None)
        .await
        .unwrap();
    assert!(matches!(
        plan.steps[0].performed,
        StepPerformed::ByHand { .. }
    ));
    let result = h
        .console
        .run_provider_plan(&plan.id, "INC-10", None)
        .await
        .unwrap();
    assert_eq!(result.outcome, AuditOutcome::Pending);
    assert_eq!(
        h.nps.mfa_reset_count("bob"),
        0,
        "nothing is reset through the API"
    );
    assert_eq!(h.nps.mfa_reset_count("carol"), 0);

    // The operator who ran it marks the by-hand step done (their id is the server's, not the
    // login they typed).
    let marked = h.console.mark_by_hand_done(&plan.id, 0).await.unwrap();
    assert_eq!(marked.steps[0].state, StepState::DoneByHand);
    assert_eq!(marked.outcome, AuditOutcome::Succeeded);
}

#[tokio::test]
async fn nps_an_administrator_trying_a_reset_on_a_user_without_access_is_told_why_and_nothing_is_audited(
) {
    let h = harness().await;
    h.nps_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let dave = h.nps_id("dave");
    let page = h.console.directory_user(NPS, &dave).await.unwrap();
    let own = &page.offers[0];
    assert!(!own.allowed);
    assert!(
        own.reason.as_deref().unwrap().contains("no access"),
        "{own:?}"
    );
    let audited_before = h.audit().len();
    let error = h
        .console
        .plan_provider_action(NPS, &dave, ProviderAction::PsResetToken, None)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput, "{error:?}");
    assert!(error.message.contains("no access"), "{error:?}");
    assert_eq!(
        h.audit().len(),
        audited_before,
        "a user's state is not an operator's refused attempt"
    );
}

#[tokio::test]
async fn nps_a_non_administrator_is_not_offered_and_is_refused() {
    let h = harness().await;
    h.nps_sign_in(REVIEWER_LOGIN, REVIEWER_PASSWORD).await;
    let alice = h.nps_id("alice");
    let details = h.console.directory_user(NPS, &alice).await.unwrap();
    assert!(details.offers.iter().all(|a| !a.allowed));
    assert!(details.offers[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("not a Privilege Secure Administrator"));
    let error = h
        .console
        .plan_provider_action(NPS, &alice, ProviderAction::PsResetToken, None)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    assert_eq!(
        h.audit().pop().unwrap().record.outcome,
        AuditOutcome::Refused
    );
    assert_eq!(h.nps.mfa_reset_count("alice"), 0);
}

#[tokio::test]
async fn nps_an_untrusted_certificate_is_trusted_only_explicitly_and_only_as_shown() {
    let h = harness_with(Duration::from_secs(300), false).await;
    let outcome = h.nps_try_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let SignInOutcome::UntrustedCertificate { sha256: shown } = outcome else {
        panic!("the fingerprint to show, not {outcome:?}");
    };
    assert_eq!(
        shown.replace(':', "").to_lowercase(),
        h.nps.certificate_sha256().replace(':', "").to_lowercase()
    );
    let wrong = "00".repeat(32);
    assert!(h.console.trust_certificate(NPS, &wrong).await.is_err());
    h.console.trust_certificate(NPS, &shown).await.unwrap();
    let saved = h.console.connection_settings(NPS).unwrap();
    assert!(saved
        .privilege_secure()
        .unwrap()
        .trusted_certificate_sha256
        .is_some());
    h.nps_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn a_new_privilege_secure_connection_needs_an_https_url() {
    let h = harness().await;
    let bad = NewPrivilegeSecureConnection {
        display_name: "NPS".into(),
        base_url: "http://nps.example.com".into(),
    };
    assert_eq!(
        bad.into_connection().unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    let good = NewPrivilegeSecureConnection {
        display_name: "NPS".into(),
        base_url: "https://nps.example.com".into(),
    }
    .into_connection()
    .unwrap();
    h.console.add_connection(good).unwrap();
}

#[tokio::test]
async fn a_privilege_secure_operator_is_one_operator_whatever_form_of_their_login_they_type() {
    let h = harness_capped(Duration::from_secs(300), true, 2).await;
    let (alice, bob, carol) = (h.nps_id("alice"), h.nps_id("bob"), h.nps_id("carol"));
    h.nps_sign_in("nps.admin", ADMIN_PASSWORD).await;
    let account = h.console.connections().await;
    let shown = account.iter().find(|c| c.id == NPS).unwrap();
    assert!(
        shown.served_through_seam,
        "the page shows the seam's screens for it"
    );
    assert!(
        account
            .iter()
            .find(|c| c.id == ZOHO)
            .unwrap()
            .served_through_seam,
        "Zoho Directory is served through the seam too"
    );
    assert_eq!(
        shown.account.as_ref().unwrap().login,
        ADMIN_LOGIN,
        "the name the server returns, not the one typed"
    );
    let first = h
        .console
        .plan_provider_action(NPS, &alice, ProviderAction::PsResetToken, None)
        .await
        .unwrap();
    h.console
        .run_provider_plan(&first.id, "INC-30", None)
        .await
        .unwrap();

    // Prepared under one spelling, confirmed after signing in with another: the same operator.
    let second = h
        .console
        .plan_provider_action(NPS, &carol, ProviderAction::PsResetToken, None)
        .await
        .unwrap();
    h.nps_sign_in("nps.admin@corp.sandbox", ADMIN_PASSWORD)
        .await;
    h.console
        .run_provider_plan(&second.id, "INC-31", None)
        .await
        .unwrap();

    // And one hourly cap: a third reset is refused, whatever the spelling.
    h.nps_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let capped = h
        .console
        .plan_provider_action(NPS, &bob, ProviderAction::PsResetGroupToken, None)
        .await
        .unwrap_err();
    assert_eq!(capped.kind, ErrorKind::Denied, "{capped:?}");
    let operators: std::collections::HashSet<String> =
        h.audit().into_iter().map(|e| e.record.operator).collect();
    assert_eq!(operators.len(), 1, "{operators:?}");
    assert!(operators.contains(ADMIN_LOGIN));
}

#[tokio::test]
async fn a_by_hand_step_waits_in_activity_across_a_restart_and_only_its_operator_settles_it() {
    let h = harness().await;
    h.nps_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let bob = h.nps_id("bob");
    let group = h
        .console
        .plan_provider_action(NPS, &bob, ProviderAction::PsResetGroupToken, None)
        .await
        .unwrap();
    let ran = h
        .console
        .run_provider_plan(&group.id, "INC-70", None)
        .await
        .unwrap();
    assert_eq!(ran.outcome, AuditOutcome::Pending);
    let waiting = h.console.pending_by_hand_steps().unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(
        (waiting[0].plan_id.as_str(), waiting[0].step_index),
        (group.id.as_str(), 0)
    );
    assert_eq!(waiting[0].target_id, bob, "the user's page lists it too");
    assert!(waiting[0].summary.contains("whole group"), "{waiting:?}");

    // After a restart the step still waits; it is settled under the same operator's sign-in.
    let restarted = h.restarted();
    assert_eq!(restarted.pending_by_hand_steps().unwrap(), waiting);
    let not_signed_in = restarted
        .settle_by_hand_step(&group.id, 0, ByHandSettlement::Done)
        .await
        .unwrap_err();
    assert_eq!(
        not_signed_in.kind,
        ErrorKind::NotSignedIn,
        "{not_signed_in:?}"
    );
    h.nps_sign_in_to(&restarted, REVIEWER_LOGIN, REVIEWER_PASSWORD)
        .await;
    let someone_else = restarted
        .settle_by_hand_step(&group.id, 0, ByHandSettlement::Done)
        .await
        .unwrap_err();
    assert_eq!(someone_else.kind, ErrorKind::Denied, "{someone_else:?}");
    h.nps_sign_in_to(&restarted, ADMIN_LOGIN, ADMIN_PASSWORD)
        .await;
    let settled = restarted
        .settle_by_hand_step(&group.id, 0, ByHandSettlement::Done)
        .await
        .unwrap();
    assert!(settled.pending.is_empty(), "{settled:?}");
    assert!(
        settled.result.is_none(),
        "the plan ran before the restart: no result dialog shows it"
    );
    let mark = h.audit().pop().unwrap();
    assert_eq!(mark.record.plan_id.as_deref(), Some(group.id.as_str()));
    assert_eq!(mark.record.steps[0].status, StepStatus::CompletedByHand);
    assert_eq!(mark.record.outcome, AuditOutcome::Succeeded);
    assert_eq!(mark.record.reason, "INC-70");
    let again = restarted
        .settle_by_hand_step(&group.id, 0, ByHandSettlement::Done)
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::InvalidInput, "settled once only");

    // Abandoned: recorded as not finished, and no longer waiting in either Console.
    let second = restarted
        .plan_provider_action(NPS, &bob, ProviderAction::PsResetGroupToken, None)
        .await
        .unwrap();
    restarted
        .run_provider_plan(&second.id, "INC-71", None)
        .await
        .unwrap();
    assert_eq!(h.console.pending_by_hand_steps().unwrap().len(), 1);
    let no_reason = restarted
        .settle_by_hand_step(
            &second.id,
            0,
            ByHandSettlement::Abandoned {
                reason: "  ".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        no_reason.kind,
        ErrorKind::InvalidInput,
        "an abandon says why"
    );
    let left = restarted
        .settle_by_hand_step(
            &second.id,
            0,
            ByHandSettlement::Abandoned {
                reason: "INC-71 group re-enrols next week instead".into(),
            },
        )
        .await
        .unwrap();
    assert!(left.pending.is_empty(), "{left:?}");
    // This plan ran in this Console: its result dialog shows the step abandoned.
    let shown = left.result.expect("the plan is kept");
    assert_eq!(shown.steps[0].state, StepState::Skipped);
    assert!(
        shown.steps[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("Abandoned by"),
        "{shown:?}"
    );
    let abandoned = h.audit().pop().unwrap();
    assert_eq!(abandoned.record.steps[0].status, StepStatus::Skipped);
    assert_eq!(
        shown.outcome, abandoned.record.outcome,
        "the dialog says of the plan what the audit log says"
    );
    let message = abandoned.record.message.as_deref().unwrap();
    assert!(
        message.contains("abandoned") && message.contains("re-enrols next week"),
        "{message}"
    );
    assert!(h.console.pending_by_hand_steps().unwrap().is_empty());
    // The result dialog of the Console that ran it cannot mark it done any more.
    let late = restarted
        .mark_by_hand_done(&second.id, 0)
        .await
        .unwrap_err();
    assert_eq!(late.kind, ErrorKind::InvalidInput, "{late:?}");
    assert!(restarted.verify_audit().ok);
}

/// Zoho's multi-DC page for non-browser apps: an account in another data centre answers the
/// poll with `other_dc` and its location; polling goes on there, and the connection moves
/// there — its servers, its secrets bound to them, and the next start.
#[tokio::test]
async fn a_zoho_account_in_another_data_centre_moves_the_connection_there_and_stays_after_a_restart(
) {
    let zoho = Arc::new(ZohoSandbox::start(0).await.unwrap());
    assert!(zoho.set_organisation_data_centre(DataCentre::Eu));
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::new());
    let console_over = |settings: ZohoSettings| {
        resetdesk_providers::built_in_console(
            vec![Connection {
                id: ZOHO.into(),
                display_name: "Zylker".into(),
                settings: ProviderSettings::Zoho(settings),
                sandbox: true,
            }],
            secrets.clone(),
            KeychainStatus::Available,
            dir.path().join("audit.jsonl"),
        )
        .unwrap()
        .with_zoho_sandbox_approver(ZOHO, zoho.clone())
    };
    let console = console_over(zoho.settings());
    let account = zoho_sign_in_to(&console, ADMIN).await;
    assert_eq!(account.login, ADMIN);
    assert_eq!(zoho.other_dc_answers(), 1, "US answered other_dc once");

    let ProviderSettings::Zoho(moved) = console.connection_settings(ZOHO).unwrap().settings else {
        panic!("not a Zoho connection")
    };
    assert_eq!(moved.data_centre, DataCentre::Eu);
    assert!(
        moved.mail_url().unwrap().as_str().ends_with("/eu"),
        "{moved:?}"
    );
    assert_eq!(
        console.saved_connections().len(),
        0,
        "a sandbox connection is not saved; a real one is (the shell saves the list)"
    );
    // The organisation's users come from the EU Mail API.
    let users = console.directory_search(ZOHO, "").await.unwrap();
    assert!(!users.users.is_empty());

    // The next start, with the moved settings and the same keychain: the session resumes at
    // the EU accounts server (the refresh token and client secret are bound to it).
    let restarted = console_over(moved);
    restarted.resume_sessions().await;
    assert!(restarted.directory_search(ZOHO, "").await.is_ok());
}

#[tokio::test]
async fn zoho_resets_follow_the_organisations_safety_rules_as_entras_do() {
    let mut h = harness().await;
    h.console = h
        .console
        .with_safety_policy(resetdesk_core::safety::SafetyPolicy::default());
    h.zoho_sign_in(SUPER_ADMIN).await;

    // An organisation admin is privileged: the super admin's reset needs a second person. An
    // admin may not approve it, since Zoho lets only the super admin reset an admin: refused
    // with why, and audited.
    let other_admin = h.zuid(SECOND_ADMIN);
    let plan = h
        .console
        .plan_provider_action(ZOHO, &other_admin, ProviderAction::ZohoResetMfa, None)
        .await
        .unwrap();
    assert!(plan.safety.approval.required, "{plan:?}");
    assert!(
        plan.safety.approval.reasons[0].contains("is a Zoho organisation admin."),
        "{plan:?}"
    );
    let refused = zoho_approve(&h.console, &plan.id, ADMIN).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(
        refused.message.contains("only the super admin may reset"),
        "{refused:?}"
    );
    let entry = h.audit().pop().unwrap();
    assert_eq!(entry.record.outcome, AuditOutcome::Refused);
    assert_eq!(entry.record.target_id, other_admin);
    assert_eq!(entry.record.operator, ADMIN);

    // A member's reset waits for the caller's verification; Zoho gives ResetDesk no phone or
    // manager, so the ticket is the method left, and the others say why they are not.
    let zuid = h.zuid(CONFIRMED_USER);
    let plan = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetMfa, None)
        .await
        .unwrap();
    let verification = &plan.safety.verification;
    assert!(verification.required);
    let usable: Vec<_> = verification
        .options
        .iter()
        .filter(|o| o.unavailable.is_none())
        .map(|o| o.method)
        .collect();
    assert_eq!(
        usable,
        [resetdesk_core::safety::verification::VerificationMethod::Ticket]
    );
    let refused = h
        .console
        .run_provider_plan(&plan.id, "INC-9", None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    h.console
        .record_verification(
            &plan.id,
            &resetdesk_core::safety::verification::VerificationEvidence::Ticket {
                ticket: "HR-9".to_string(),
            },
        )
        .unwrap();
    let ran = h
        .console
        .run_provider_plan(&plan.id, "INC-9", None)
        .await
        .unwrap();
    assert_eq!(
        ran.outcome,
        AuditOutcome::Pending,
        "MFA is reset by hand in Zoho"
    );
    let entry = h.audit().pop().unwrap();
    assert!(entry.record.verification.is_some_and(|v| v.passed));
}

/// The approver `email` signs in to the sandbox's Zoho connection to approve `plan_id`: the
/// device code first, then the call naming it, which waits for its approval.
async fn zoho_approve(
    console: &Console,
    plan_id: &str,
    email: &str,
) -> resetdesk_core::error::Result<resetdesk_core::safety::ApprovalRecord> {
    use resetdesk_core::seam::ApprovalStep;
    let request = |device_code: Option<String>| SignInRequest {
        account: email.to_string(),
        device_code,
        ..Default::default()
    };
    let ApprovalStep::DeviceCode { prompt } = console.approve_plan(plan_id, request(None)).await?
    else {
        panic!("a Zoho approver signs in with a device code")
    };
    match console
        .approve_plan(plan_id, request(Some(prompt.user_code)))
        .await?
    {
        ApprovalStep::Approved { record } => Ok(record),
        other => panic!("{email} approves: {other:?}"),
    }
}

#[tokio::test]
async fn a_second_zoho_admin_approves_on_the_spot_and_the_operators_sign_in_is_kept() {
    let secrets = Arc::new(MemoryStore::new());
    let mut h = harness().await;
    h.console = resetdesk_providers::built_in_console(
        vec![h.console.connection_settings(ZOHO).unwrap()],
        secrets.clone(),
        KeychainStatus::Available,
        h._dir.path().join("audit.jsonl"),
    )
    .unwrap()
    .with_zoho_sandbox_approver(ZOHO, h.zoho.clone())
    .with_safety_policy(
        resetdesk_core::safety::SafetyPolicy::from_settings(Some(&json!({
            "verification": {"required": false, "methods": []},
            "approval": {"vipUsers": [CONFIRMED_USER]}
        })))
        .unwrap(),
    );
    h.zoho_sign_in(ADMIN).await;
    let zuid = h.zuid(CONFIRMED_USER);
    let plan = h
        .console
        .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetMfa, None)
        .await
        .unwrap();
    assert_eq!(
        plan.safety.approval.reasons,
        ["Annette Charbonneau is on your organisation's VIP list."]
    );

    // A member may not: Zoho's organisation API answers admins only.
    let refused = zoho_approve(&h.console, &plan.id, MEMBER)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(
        refused
            .message
            .starts_with(&format!("{MEMBER} cannot approve this:")),
        "{refused:?}"
    );
    let approved = zoho_approve(&h.console, &plan.id, SUPER_ADMIN)
        .await
        .unwrap();
    assert_eq!(approved.approver, SUPER_ADMIN);
    assert_eq!(approved.approver_roles, ["Super Admin"]);
    // The approvers' sign-ins asked for online access: Zoho issued them no refresh token.
    assert_eq!(h.zoho.refresh_tokens_of(SUPER_ADMIN), 0);
    assert_eq!(h.zoho.refresh_tokens_of(MEMBER), 0);
    assert_eq!(h.zoho.refresh_tokens_of(ADMIN), 1, "the operator's own");

    // The operator is still the one signed in: the card, the run (refused under anyone
    // else's sign-in), the audit entry, and the sign-in the next start resumes.
    let card = h.console.connections().await.remove(0);
    assert_eq!(card.account.map(|a| a.login).as_deref(), Some(ADMIN));
    let ran = h
        .console
        .run_provider_plan(&plan.id, "INC-12", None)
        .await
        .unwrap();
    assert_eq!(
        ran.outcome,
        AuditOutcome::Pending,
        "MFA is reset by hand in Zoho"
    );
    let entry = h.audit().pop().unwrap();
    assert_eq!(entry.record.operator, ADMIN);
    assert_eq!(
        entry.record.approval.map(|a| a.approver).as_deref(),
        Some(SUPER_ADMIN)
    );
    let restarted = resetdesk_providers::built_in_console(
        vec![h.console.connection_settings(ZOHO).unwrap()],
        secrets,
        KeychainStatus::Available,
        h._dir.path().join("audit.jsonl"),
    )
    .unwrap()
    .with_zoho_sandbox_approver(ZOHO, h.zoho.clone());
    restarted.resume_sessions().await;
    let card = restarted.connections().await.remove(0);
    assert_eq!(card.account.map(|a| a.login).as_deref(), Some(ADMIN));
}

#[tokio::test]
async fn nps_a_second_administrator_approves_with_their_own_login_password_and_code() {
    let mut h = harness().await;
    h.console = h.console.with_safety_policy(
        resetdesk_core::safety::SafetyPolicy::from_settings(Some(&json!({
            "verification": {"required": false, "methods": []},
            "approval": {"vipUsers": ["alice@corp.sandbox"]}
        })))
        .unwrap(),
    );
    h.nps_sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    // The page asks the approver for what the connection's sign-in takes: Privilege Secure's a
    // login, password and code; Zoho's none of them (a device code).
    let cards = h.console.connections().await;
    let asks = |id: &str| cards.iter().find(|c| c.id == id).unwrap().asks_for_password;
    assert!(asks(NPS));
    assert!(!asks(ZOHO));
    let alice = h.nps_id("alice");
    let plan = h
        .console
        .plan_provider_action(NPS, &alice, ProviderAction::PsResetToken, None)
        .await
        .unwrap();
    assert!(plan.safety.approval.required, "{plan:?}");
    let approve = |login: &str, password: &str, code: Option<String>| SignInRequest {
        account: login.to_string(),
        password: Some(SecretString::from(password)),
        code,
        ..Default::default()
    };

    // A wrong code signs nobody in; the reviewer may not reset tokens; the operator is not a
    // second person. Nothing is approved, and the reset does not run.
    let wrong = h
        .console
        .approve_plan(
            &plan.id,
            approve(LEAD_LOGIN, LEAD_PASSWORD, Some("000000".into())),
        )
        .await
        .unwrap_err();
    assert_ne!(wrong.kind, ErrorKind::Internal, "{wrong:?}");
    let code = |login: &str| h.nps.second_factor_code(login);
    let reviewer = h
        .console
        .approve_plan(
            &plan.id,
            approve(REVIEWER_LOGIN, REVIEWER_PASSWORD, code(REVIEWER_LOGIN)),
        )
        .await
        .unwrap_err();
    assert_eq!(reviewer.kind, ErrorKind::Denied, "{reviewer:?}");
    assert!(
        reviewer
            .message
            .starts_with(&format!("{REVIEWER_LOGIN} cannot approve this:")),
        "{reviewer:?}"
    );
    let own = h
        .console
        .approve_plan(
            &plan.id,
            approve(ADMIN_LOGIN, ADMIN_PASSWORD, code(ADMIN_LOGIN)),
        )
        .await
        .unwrap_err();
    assert!(own.message.contains("second person"), "{own:?}");
    let unapproved = h
        .console
        .run_provider_plan(&plan.id, "INC-31", None)
        .await
        .unwrap_err();
    assert!(
        unapproved.message.contains("A second person must approve"),
        "{unapproved:?}"
    );
    assert_eq!(h.nps.mfa_reset_count("alice"), 0);

    let approved = h
        .console
        .approve_plan(
            &plan.id,
            approve(LEAD_LOGIN, LEAD_PASSWORD, code(LEAD_LOGIN)),
        )
        .await
        .unwrap()
        .approved()
        .expect("Privilege Secure signs in at once");
    assert_eq!(approved.approver, LEAD_LOGIN);
    let result = h
        .console
        .run_provider_plan(&plan.id, "INC-31", None)
        .await
        .unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded);
    assert_eq!(h.nps.mfa_reset_count("alice"), 1);
    let entry = h.audit().pop().unwrap();
    assert_eq!(entry.record.operator, ADMIN_LOGIN);
    assert_eq!(
        entry.record.approval.map(|a| a.approver).as_deref(),
        Some(LEAD_LOGIN)
    );
}

#[tokio::test]
async fn a_second_zoho_mfa_reset_of_a_user_within_the_window_needs_a_second_person() {
    let mut h = harness().await;
    h.console = h.console.with_safety_policy(
        resetdesk_core::safety::SafetyPolicy::from_settings(Some(&json!({
            "verification": {"required": false, "methods": []},
            "approval": {"privilegedTargets": false, "repeatMfaResetHours": 24}
        })))
        .unwrap(),
    );
    h.zoho_sign_in(ADMIN).await;
    let zuid = h.zuid(CONFIRMED_USER);
    let plan_mfa_reset = || {
        h.console
            .plan_provider_action(ZOHO, &zuid, ProviderAction::ZohoResetMfa, None)
    };
    let first = plan_mfa_reset().await.unwrap();
    let planned_before = plan_mfa_reset().await.unwrap();
    assert!(!first.safety.approval.required, "{first:?}");
    let ran = h
        .console
        .run_provider_plan(&first.id, "INC-40", None)
        .await
        .unwrap();
    assert_eq!(
        ran.outcome,
        AuditOutcome::Pending,
        "MFA is reset by hand in Zoho"
    );
    let entry = h.audit().pop().unwrap();
    assert_eq!(
        entry.record.safety_class,
        Some(resetdesk_core::seam::SafetyClass::MfaReset),
        "the rule reads the class the entry keeps"
    );

    // Planned before the first ran, it holds no approval: refused when confirmed, and audited.
    let refused = h
        .console
        .run_provider_plan(&planned_before.id, "INC-41", None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(
        refused
            .message
            .starts_with("This user's MFA was already reset at")
            && refused
                .message
                .contains("a second person must approve it now"),
        "{refused:?}"
    );
    let entry = h.audit().pop().unwrap();
    assert_eq!(entry.record.outcome, AuditOutcome::Refused);

    // Planned now, it asks for a second person, who approves it; then it runs.
    let second = plan_mfa_reset().await.unwrap();
    assert!(second.safety.approval.required, "{second:?}");
    assert!(
        second.safety.approval.reasons[0].starts_with("This user's MFA was already reset at"),
        "{second:?}"
    );
    zoho_approve(&h.console, &second.id, SUPER_ADMIN)
        .await
        .unwrap();
    let ran = h
        .console
        .run_provider_plan(&second.id, "INC-42", None)
        .await
        .unwrap();
    assert_eq!(ran.outcome, AuditOutcome::Pending);
}
