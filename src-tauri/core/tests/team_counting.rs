//! Team-wide counting (issue 15) against the emulator's directory audit log: the hourly cap and
//! the repeat-MFA rule count the resets another desktop made (a second Console, its own data
//! directory, over the same tenant) and those made straight against the API (as the admin
//! centre would), never one reset twice — not this desktop's own, not a late event — and an
//! operator who may not read the log is counted from this desktop's log with a note, or
//! refused when the organisation requires the tenant's count.
use std::sync::Arc;
use std::time::Duration;

use resetdesk_core::console::Console;
use resetdesk_core::safety::SafetyPolicy;
use resetdesk_core::secrets::MemoryStore;
use resetdesk_core::ErrorKind;
use resetdesk_providers::entra::actions::ActionKind;
use resetdesk_providers::EntraConsole;
use resetdesk_sandbox::Sandbox;
use resetdesk_testkit as common;
use resetdesk_testkit::{ADELE, GLOBAL_ADMIN, HELPDESK, SANDBOX_ID};

const LEE: &str = "lee.gu@contoso.sandbox";

/// A desktop: its own data directory and audit log, over the shared tenant.
struct Desktop {
    console: Console,
    _data: tempfile::TempDir,
}

async fn desktop(sandbox: &Sandbox, operator: &str, rules: serde_json::Value) -> Desktop {
    let data = tempfile::tempdir().unwrap();
    let console = common::open_console(
        sandbox,
        &data.path().join("audit.jsonl"),
        Arc::new(MemoryStore::new()),
        SafetyPolicy::from_settings(Some(&rules)).unwrap(),
    );
    common::sign_in(&console, operator).await;
    Desktop {
        console,
        _data: data,
    }
}

/// Rules with only the cap (and what `extra` adds) in force, so each test exercises one thing.
fn cap(resets_per_hour: u32, extra: serde_json::Value) -> serde_json::Value {
    let mut rules = serde_json::json!({
        "verification": {"required": false, "methods": []},
        "approval": {"privilegedTargets": false, "repeatMfaResetHours": 0},
        "rateLimits": {"resetsPerHour": resets_per_hour}
    });
    for (key, value) in extra.as_object().unwrap() {
        rules[key]
            .as_object_mut()
            .unwrap()
            .extend(value.as_object().unwrap().clone());
    }
    rules
}

async fn reset_password(desktop: &Desktop, user_id: &str) {
    let plan = desktop
        .console
        .plan_action(SANDBOX_ID, user_id, ActionKind::ResetPassword)
        .await
        .unwrap();
    desktop
        .console
        .execute_plan(&plan.id, "INC-77 locked out")
        .await
        .unwrap();
}

async fn used(desktop: &Desktop, user_id: &str) -> (u32, Option<String>) {
    let rate = desktop
        .console
        .user_details(SANDBOX_ID, user_id)
        .await
        .unwrap()
        .rate
        .expect("the operator's count");
    (rate.used, rate.note)
}

#[tokio::test]
async fn resets_from_another_desktop_and_the_admin_centre_count_once_against_the_cap() {
    let sandbox = common::small_sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let lee = sandbox.user_id_by_upn(LEE).unwrap();
    let here = desktop(&sandbox, GLOBAL_ADMIN, cap(3, serde_json::json!({}))).await;
    let there = desktop(&sandbox, GLOBAL_ADMIN, cap(3, serde_json::json!({}))).await;
    assert_eq!(used(&here, &adele).await, (0, None));

    // The same operator resets Adele's password from the other desktop: it counts here.
    reset_password(&there, &adele).await;
    assert_eq!(used(&here, &adele).await, (1, None));

    // And straight against the API, as the admin centre would.
    let token = sandbox.issue_access_token(GLOBAL_ADMIN).unwrap();
    let reply = reqwest::Client::new()
        .patch(format!("{}/v1.0/users/{lee}", sandbox.base_url()))
        .bearer_auth(token)
        .json(&serde_json::json!({"passwordProfile": {"password": "Admin-Centre-9!", "forceChangePasswordNextSignIn": true}}))
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "{reply:?}");
    assert_eq!(used(&here, &adele).await.0, 2);

    // This desktop's own reset is in both logs: it counts once.
    reset_password(&here, &lee).await;
    assert_eq!(used(&here, &adele).await.0, 3);
    assert_eq!(
        used(&there, &adele).await.0,
        3,
        "the other desktop sees the same three"
    );

    // The cap is reached across the team: a fourth is refused on either desktop.
    let refused = here
        .console
        .plan_action(SANDBOX_ID, &adele, ActionKind::ResetPassword)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    let refused = there
        .console
        .plan_action(SANDBOX_ID, &adele, ActionKind::ResetPassword)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
}

#[tokio::test]
async fn a_late_audit_event_of_this_desktops_own_reset_is_not_counted_twice() {
    let sandbox = common::small_sandbox().await;
    sandbox.set_audit_delay(Duration::from_millis(300));
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let here = desktop(&sandbox, GLOBAL_ADMIN, cap(20, serde_json::json!({}))).await;
    reset_password(&here, &adele).await;
    assert_eq!(used(&here, &adele).await.0, 1, "before the event is listed");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        sandbox.directory_audit_activities().len(),
        1,
        "the event is there now"
    );
    assert_eq!(used(&here, &adele).await.0, 1, "after: still one reset");
}

#[tokio::test]
async fn a_method_deleted_in_the_admin_centre_makes_an_mfa_reset_need_a_second_person() {
    let sandbox = common::small_sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let rules = serde_json::json!({
        "verification": {"required": false, "methods": []},
        "approval": {"privilegedTargets": false, "repeatMfaResetHours": 24}
    });
    let here = desktop(&sandbox, GLOBAL_ADMIN, rules).await;
    let plan = here
        .console
        .plan_action(SANDBOX_ID, &adele, ActionKind::RequireReregisterMfa)
        .await
        .unwrap();
    assert!(!plan.safety.approval.required, "{:?}", plan.safety.approval);

    // An administrator deletes one of Adele's methods (not her default) in the admin centre.
    let default = sandbox.default_method_of(&adele);
    let (segment, method_id) = sandbox
        .methods_of(&adele)
        .into_iter()
        .filter(|m| m["id"].as_str() != default.as_deref())
        .find_map(|m| {
            let segment = match m["@odata.type"].as_str()? {
                "#microsoft.graph.phoneAuthenticationMethod" => "phoneMethods",
                "#microsoft.graph.emailAuthenticationMethod" => "emailMethods",
                "#microsoft.graph.softwareOathAuthenticationMethod" => "softwareOathMethods",
                _ => return None,
            };
            Some((segment, m["id"].as_str()?.to_string()))
        })
        .expect("Adele has a method besides her default");
    let token = sandbox.issue_access_token(GLOBAL_ADMIN).unwrap();
    let reply = reqwest::Client::new()
        .delete(format!(
            "{}/v1.0/users/{adele}/authentication/{segment}/{method_id}",
            sandbox.base_url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "{reply:?}");

    let plan = here
        .console
        .plan_action(SANDBOX_ID, &adele, ActionKind::RequireReregisterMfa)
        .await
        .unwrap();
    assert!(plan.safety.approval.required, "{:?}", plan.safety.approval);
    assert!(
        plan.safety.approval.reasons[0].contains("already reset"),
        "{:?}",
        plan.safety.approval.reasons
    );
}

#[tokio::test]
async fn an_operator_who_may_not_read_the_log_is_counted_here_with_a_note_or_refused_when_required()
{
    let sandbox = common::small_sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    // The Helpdesk Administrator holds no role that may read audit logs.
    let here = desktop(&sandbox, HELPDESK, cap(20, serde_json::json!({}))).await;
    let (count, note) = used(&here, &adele).await;
    assert_eq!(count, 0);
    let note = note.expect("the count says what it is");
    assert!(
        note.contains("this desktop's log only") && note.contains("Reports Reader"),
        "{note}"
    );
    reset_password(&here, &adele).await;

    let strict = desktop(
        &sandbox,
        HELPDESK,
        cap(
            20,
            serde_json::json!({"rateLimits": {"tenantAuditLog": "required"}}),
        ),
    )
    .await;
    let refused = strict
        .console
        .plan_action(SANDBOX_ID, &adele, ActionKind::ResetPassword)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(
        refused.message.contains("tenant's audit log"),
        "{refused:?}"
    );
}
