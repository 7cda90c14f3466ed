//! `Console` (the use cases behind the page's commands) end to end against the real sandbox
//! emulator: operators sign in through the real OAuth code with `SandboxBrowser`, and every
//! test checks the emulator's own state and the audit file, not only what the console returns.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use resetdesk_core::audit::AuditOutcome;
use resetdesk_core::auth::{BrowserLauncher, SandboxBrowser, REFRESH_TOKEN_SECRET};
use resetdesk_core::console::{Console, MAX_REASON_CHARS};
use resetdesk_core::model::StepStatus;
use resetdesk_core::seam::{SignInOutcome, SignInRequest};
use resetdesk_core::secrets::{ExposeSecret, MemoryStore, SecretStore};
use resetdesk_core::{AppError, ErrorKind};
use resetdesk_providers::entra::actions::ActionKind;
use resetdesk_providers::entra::planner::Plan;
use resetdesk_sandbox::{Faults, RecordedRequest, Sandbox};
use tempfile::TempDir;

use resetdesk_testkit as common;

use common::{ADELE, AUTH_ADMIN, HELPDESK, MEGAN, PRIV_AUTH_ADMIN};
use resetdesk_providers::EntraConsole;

const CONNECTION: &str = common::SANDBOX_ID;

struct Harness {
    sandbox: Sandbox,
    console: Console,
    secrets: Arc<MemoryStore>,
    audit_path: PathBuf,
    _dir: TempDir,
}

fn open_console(sandbox: &Sandbox, audit_path: &Path) -> Console {
    open_console_with(sandbox, audit_path, Arc::new(MemoryStore::new()))
}

fn open_console_with(sandbox: &Sandbox, audit_path: &Path, store: Arc<MemoryStore>) -> Console {
    common::open_console(sandbox, audit_path, store, common::safety_rules_off())
}

async fn harness() -> Harness {
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit").join("audit.jsonl");
    let secrets = Arc::new(MemoryStore::new());
    let console = open_console_with(&sandbox, &audit_path, Arc::clone(&secrets));
    Harness {
        sandbox,
        console,
        secrets,
        audit_path,
        _dir: dir,
    }
}

impl Harness {
    async fn sign_in(&self, upn: &str) {
        sign_in(&self.console, upn).await;
    }

    fn user_id(&self, upn: &str) -> String {
        self.sandbox.user_id_by_upn(upn).expect("seeded user")
    }

    /// The plan of `action` on `user_id` (an object id), which the test expects to be allowed.
    async fn plan(&self, user_id: &str, action: ActionKind) -> Plan {
        self.console
            .plan_action(CONNECTION, user_id, action)
            .await
            .unwrap_or_else(|e| panic!("{action:?} is planned: {e:?}"))
    }

    /// Graph requests that change something (token requests are not writes).
    fn graph_writes(&self) -> Vec<RecordedRequest> {
        graph_writes(&self.sandbox)
    }

    fn stored_refresh_token(&self) -> Option<String> {
        self.secrets
            .get(CONNECTION, REFRESH_TOKEN_SECRET)
            .unwrap()
            .map(|t| t.expose_secret().to_string())
    }

    fn audit_text(&self) -> String {
        std::fs::read_to_string(&self.audit_path).unwrap_or_default()
    }

    fn audit_lines(&self) -> Vec<serde_json::Value> {
        self.audit_text()
            .lines()
            .map(|line| serde_json::from_str(line).expect("an audit line is JSON"))
            .collect()
    }

    fn last_audit(&self) -> serde_json::Value {
        self.audit_lines()
            .pop()
            .expect("an audit entry was written")
    }
}

async fn sign_in(console: &Console, upn: &str) {
    common::sign_in(console, upn).await;
}

fn graph_writes(sandbox: &Sandbox) -> Vec<RecordedRequest> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| {
            r.method != "GET" && (r.path.starts_with("/v1.0") || r.path.starts_with("/beta"))
        })
        .collect()
}

fn expect_err<T: std::fmt::Debug>(result: Result<T, AppError>, kind: ErrorKind) -> AppError {
    match result {
        Err(e) if e.kind == kind => e,
        other => panic!("expected {kind:?}, got {other:?}"),
    }
}

fn method_types(sandbox: &Sandbox, user_id: &str) -> Vec<String> {
    sandbox
        .methods_of(user_id)
        .iter()
        .map(|m| m["@odata.type"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn reset_password_returns_a_complex_password_once_and_never_audits_it() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);
    let resets_before = h.sandbox.password_reset_count(&adele);

    let plan = h.plan(&adele, ActionKind::ResetPassword).await;
    assert_eq!(
        h.sandbox.password_reset_count(&adele),
        resets_before,
        "planning changes nothing"
    );
    let result = h
        .console
        .execute_plan(&plan.id, "INC-1001 locked out")
        .await
        .unwrap();

    assert_eq!(result.outcome, AuditOutcome::Succeeded, "{result:?}");
    let password = result
        .temporary_password
        .clone()
        .expect("the password is returned");
    assert_eq!(password.chars().count(), 16);
    assert!(password.chars().any(|c| c.is_ascii_uppercase()));
    assert!(password.chars().any(|c| c.is_ascii_lowercase()));
    assert!(password.chars().any(|c| c.is_ascii_digit()));
    assert!(password.chars().any(|c| !c.is_ascii_alphanumeric()));
    assert!(
        !format!("{result:?}").contains(&password),
        "Debug output redacts it"
    );
    assert_eq!(h.sandbox.password_reset_count(&adele), resets_before + 1);

    let audit = h.audit_text();
    assert!(
        !audit.contains(&password),
        "the password is not in the audit log"
    );
    let entry = h.last_audit();
    assert_eq!(entry["seq"].as_u64(), result.audit_seq);
    assert_eq!(entry["outcome"], "succeeded");
    assert_eq!(entry["action"], "Reset password");
    assert_eq!(entry["operator"], AUTH_ADMIN);
    assert_eq!(entry["target"], ADELE);
    assert_eq!(entry["reason"], "INC-1001 locked out");
    assert_eq!(entry["planId"], plan.id.as_str());

    // "Copy" names the password by handle: only what Rust set can reach the clipboard.
    let handle = result.copy_handle.as_deref().expect("a copy handle");
    assert_ne!(handle, password);
    let copied = h.console.revealed_secret(handle).unwrap();
    assert_eq!(copied.expose_secret(), password);
    let forged = h
        .console
        .revealed_secret("any text the page likes")
        .unwrap_err();
    assert_eq!(forged.kind, ErrorKind::InvalidInput);
    assert!(
        forged.message.contains("can no longer be copied"),
        "{forged:?}"
    );
}

#[tokio::test]
async fn revoke_sessions_and_user_details_as_authentication_administrator() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);

    let found = h.console.search_users(CONNECTION, "adele").await.unwrap();
    assert!(found.iter().any(|u| u.id == adele), "search finds Adele");

    let details = h.console.user_details(CONNECTION, &adele).await.unwrap();
    assert_eq!(details.user.user_principal_name, ADELE);
    assert!(
        details.methods_error.is_none(),
        "{:?}",
        details.methods_error
    );
    assert_eq!(
        details.methods.len(),
        h.sandbox.methods_of(&adele).len() + h.sandbox.hardware_oath_of(&adele).len(),
        "every method the emulator lists is shown"
    );
    assert_eq!(details.actions.len(), ActionKind::ALL.len());
    for offered in &details.actions {
        assert!(
            offered.allowed,
            "{offered:?} is offered to an Authentication Administrator on a plain user"
        );
    }

    let revoked_before = h.sandbox.sessions_revoked_count(&adele);
    let plan = h.plan(&adele, ActionKind::RevokeSessions).await;
    let result = h
        .console
        .execute_plan(&plan.id, "INC-1002 lost laptop")
        .await
        .unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded, "{result:?}");
    assert!(result.temporary_password.is_none());
    assert_eq!(h.sandbox.sessions_revoked_count(&adele), revoked_before + 1);
    let entry = h.last_audit();
    assert_eq!(entry["action"], "Revoke sessions");
    assert_eq!(entry["outcome"], "succeeded");
}

#[tokio::test]
async fn require_reregister_mfa_as_privileged_authentication_administrator_keeps_what_entra_keeps()
{
    let h = harness().await;
    h.sign_in(PRIV_AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);

    let plan = h.plan(&adele, ActionKind::RequireReregisterMfa).await;
    assert!(plan.steps.iter().all(|s| s.blocked.is_none()), "{plan:?}");
    let result = h
        .console
        .execute_plan(&plan.id, "INC-1003 new phone")
        .await
        .unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded, "{result:?}");
    assert_eq!(result.outcomes.len(), plan.steps.len());
    assert!(result
        .outcomes
        .iter()
        .all(|o| o.status == StepStatus::Succeeded));

    let left = method_types(&h.sandbox, &adele);
    for gone in [
        "#microsoft.graph.phoneAuthenticationMethod",
        "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
        "#microsoft.graph.softwareOathAuthenticationMethod",
    ] {
        assert!(!left.iter().any(|t| t == gone), "{gone} is left: {left:?}");
    }
    for kept in [
        "#microsoft.graph.fido2AuthenticationMethod",
        "#microsoft.graph.emailAuthenticationMethod",
        "#microsoft.graph.passwordAuthenticationMethod",
    ] {
        assert!(left.iter().any(|t| t == kept), "{kept} is kept: {left:?}");
    }
    let hardware = h.sandbox.hardware_oath_of(&adele);
    assert!(
        !hardware.is_empty(),
        "hardware OATH tokens are deactivated, not deleted"
    );
    for token in &hardware {
        assert_eq!(token["device"]["status"], "deactivated", "{token}");
    }

    let entry = h.last_audit();
    assert_eq!(entry["outcome"], "succeeded");
    assert_eq!(entry["action"], "Require re-register MFA");
    let steps = entry["steps"].as_array().unwrap();
    assert_eq!(steps.len(), plan.steps.len());
    for step in steps {
        assert_eq!(step["status"], "succeeded");
        assert!(
            step["requestId"].as_str().is_some_and(|id| !id.is_empty()),
            "each step has its request id: {step}"
        );
    }
    assert_eq!(entry["plan"].as_array().unwrap().len(), plan.steps.len());
}

/// Under the stricter reading of "Cannot delete default method with other methods configured"
/// (Microsoft's tooling: the default goes only when it is the last method), the kept FIDO2 key
/// and e-mail block the default's deletion. The plan said so before anything ran, and the run
/// reports that one step failed with the service's reason, everything else done.
#[tokio::test]
async fn require_reregister_mfa_says_beforehand_that_the_default_may_stay_and_why() {
    let h = harness().await;
    h.sandbox
        .set_default_method_rule(resetdesk_sandbox::DefaultMethodRule::AnyOtherMethod);
    h.sign_in(PRIV_AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);

    let plan = h.plan(&adele, ActionKind::RequireReregisterMfa).await;
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("default method") && w.contains("may refuse")),
        "{:?}",
        plan.warnings
    );
    let result = h
        .console
        .execute_plan(&plan.id, "INC-1004 new phone")
        .await
        .unwrap();
    assert_eq!(result.outcome, AuditOutcome::Partial, "{result:?}");
    let failed: Vec<_> = result
        .outcomes
        .iter()
        .filter(|o| o.status != StepStatus::Succeeded)
        .collect();
    assert_eq!(failed.len(), 1, "{result:?}");
    assert!(
        plan.steps[failed[0].step_index]
            .summary
            .contains("default method"),
        "the default method's step, which is last: {:?}",
        plan.steps[failed[0].step_index]
    );
    assert!(
        failed[0].message.contains("default method"),
        "{:?}",
        failed[0]
    );
}

/// Signing out of a tenant whose session was never resumed in this run (the keychain held its
/// refresh token, the app had not used it yet) still removes that token.
#[tokio::test]
async fn sign_out_removes_the_stored_sign_in_even_when_no_session_was_resumed() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    assert!(h
        .secrets
        .get(CONNECTION, "refresh_token")
        .unwrap()
        .is_some());

    let restarted = open_console_with(&h.sandbox, &h.audit_path, Arc::clone(&h.secrets));
    restarted.sign_out(CONNECTION).await.unwrap();
    assert!(
        h.secrets
            .get(CONNECTION, "refresh_token")
            .unwrap()
            .is_none(),
        "no credential is left"
    );
}

#[tokio::test]
async fn a_plan_runs_once_and_bad_plan_ids_or_reasons_are_refused_without_a_write() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);
    let plan = h.plan(&adele, ActionKind::RevokeSessions).await;

    // Bad reasons first: the plan stays usable and nothing is sent.
    h.sandbox.clear_requests();
    for reason in ["", "   \n\t "] {
        let error = expect_err(
            h.console.execute_plan(&plan.id, reason).await,
            ErrorKind::InvalidInput,
        );
        assert!(error.message.contains("reason"), "{error:?}");
    }
    let too_long = "x".repeat(MAX_REASON_CHARS + 1);
    assert_eq!(too_long.chars().count(), 501);
    let error = expect_err(
        h.console.execute_plan(&plan.id, &too_long).await,
        ErrorKind::InvalidInput,
    );
    assert!(error.message.contains("500"), "{error:?}");
    assert!(
        h.sandbox.requests().is_empty(),
        "nothing was sent for a bad reason"
    );
    assert!(h.audit_lines().is_empty());

    h.console.execute_plan(&plan.id, "INC-1004").await.unwrap();
    assert_eq!(h.sandbox.sessions_revoked_count(&adele), 1);
    let entries = h.audit_lines().len();

    h.sandbox.clear_requests();
    let error = expect_err(
        h.console.execute_plan(&plan.id, "INC-1004 again").await,
        ErrorKind::InvalidInput,
    );
    assert!(error.message.contains("already run"), "{error:?}");
    assert!(
        h.graph_writes().is_empty(),
        "{:?}",
        h.graph_writes().iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert_eq!(h.sandbox.sessions_revoked_count(&adele), 1);

    let error = expect_err(
        h.console
            .execute_plan("7d6f3f0e-0000-4000-8000-000000000000", "INC-1005")
            .await,
        ErrorKind::InvalidInput,
    );
    assert!(error.message.contains("unknown"), "{error:?}");
    assert!(h.graph_writes().is_empty());
    assert_eq!(
        h.audit_lines().len(),
        entries,
        "rejected input is not an action"
    );
}

#[tokio::test]
async fn an_action_the_role_does_not_allow_is_refused_audited_and_not_sent() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let megan = h.user_id(MEGAN);
    let methods_before = h.sandbox.methods_of(&megan);
    h.sandbox.clear_requests();

    let error = expect_err(
        h.console
            .plan_action(CONNECTION, &megan, ActionKind::RequireReregisterMfa)
            .await,
        ErrorKind::Denied,
    );
    assert!(
        error
            .message
            .contains("Privileged Authentication Administrator"),
        "{error:?}"
    );
    assert!(h.graph_writes().is_empty());
    assert_eq!(h.sandbox.methods_of(&megan), methods_before);
    let entry = h.last_audit();
    assert_eq!(entry["outcome"], "refused");
    assert_eq!(entry["target"], MEGAN);
    assert_eq!(entry["operator"], AUTH_ADMIN);
    assert_eq!(entry["message"], error.message.as_str());

    // A Helpdesk Administrator may not touch MFA methods at all, even on a plain user.
    h.console.sign_out(CONNECTION).await.unwrap();
    h.sign_in(HELPDESK).await;
    let adele = h.user_id(ADELE);
    expect_err(
        h.console
            .plan_action(CONNECTION, &adele, ActionKind::RequireReregisterMfa)
            .await,
        ErrorKind::Denied,
    );
    assert!(h.graph_writes().is_empty());
    let entry = h.last_audit();
    assert_eq!(entry["outcome"], "refused");
    assert_eq!(entry["operator"], HELPDESK);
    assert_eq!(h.audit_lines().len(), 2);
}

#[tokio::test]
async fn a_plan_made_by_one_operator_cannot_be_run_by_another() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);
    let plan = h.plan(&adele, ActionKind::ResetPassword).await;
    h.console.sign_out(CONNECTION).await.unwrap();
    h.sign_in(PRIV_AUTH_ADMIN).await;
    h.sandbox.clear_requests();

    let error = expect_err(
        h.console.execute_plan(&plan.id, "INC-1006").await,
        ErrorKind::Denied,
    );
    assert!(error.message.contains("another operator"), "{error:?}");
    assert!(h.graph_writes().is_empty());
    assert_eq!(h.sandbox.password_reset_count(&adele), 0);
    let entry = h.last_audit();
    assert_eq!(entry["outcome"], "refused");
    assert_eq!(entry["planId"], plan.id.as_str());

    // The stopped plan stays used, and says it changed nothing (not that it "already ran").
    let again = expect_err(
        h.console.execute_plan(&plan.id, "INC-1006").await,
        ErrorKind::InvalidInput,
    );
    assert!(
        again.message.contains("stopped before it changed anything"),
        "{again:?}"
    );
    assert!(h.graph_writes().is_empty());
}

#[tokio::test]
async fn without_a_sign_in_the_console_says_to_sign_in() {
    let h = harness().await;
    let adele = h.user_id(ADELE);
    let error = expect_err(
        h.console.search_users(CONNECTION, "adele").await,
        ErrorKind::NotSignedIn,
    );
    assert!(error.message.contains("Sign in"), "{error:?}");
    let error = expect_err(
        h.console
            .plan_action(CONNECTION, &adele, ActionKind::ResetPassword)
            .await,
        ErrorKind::NotSignedIn,
    );
    assert!(error.message.contains("Sign in"), "{error:?}");
    assert!(
        h.sandbox.requests().is_empty(),
        "nothing is sent without a sign-in"
    );
}

#[tokio::test]
async fn throttling_during_execute_is_retried_and_a_persistent_server_error_fails_clearly() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);

    let plan = h.plan(&adele, ActionKind::RevokeSessions).await;
    h.sandbox.set_faults(Faults {
        throttle_next: 2,
        retry_after_secs: 0,
        ..Faults::default()
    });
    let result = h.console.execute_plan(&plan.id, "INC-1007").await.unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded, "{result:?}");
    assert_eq!(h.sandbox.sessions_revoked_count(&adele), 1);
    assert_eq!(
        h.sandbox.faults().throttle_next,
        0,
        "both 429s were answered"
    );

    let plan = h.plan(&adele, ActionKind::RevokeSessions).await;
    h.sandbox.set_faults(Faults {
        server_error_next: 1000,
        unavailable: false,
        retry_after_secs: 0,
        ..Faults::default()
    });
    h.sandbox.clear_requests();
    // Faults count Graph requests from now on, so the live re-read of operator and target
    // (before any step) meets the 500s first: reads retry, then give up; the write is never sent.
    let error = expect_err(
        h.console.execute_plan(&plan.id, "INC-1008").await,
        ErrorKind::Provider,
    );
    h.sandbox.set_faults(Faults::default());
    assert!(h.graph_writes().is_empty(), "the write was never sent");
    let message = error.message.clone();
    assert!(
        message.contains("HTTP 500") && message.contains("Try again"),
        "{error:?}"
    );
    assert_eq!(
        h.sandbox.sessions_revoked_count(&adele),
        1,
        "nothing more was revoked"
    );
    let entry = h.last_audit();
    assert_eq!(entry["outcome"], "failed");
    assert_eq!(entry["planId"], plan.id.as_str());
    let audited = serde_json::to_string(&entry).unwrap();
    assert!(
        audited.contains(&message),
        "the audit entry says why: {audited}"
    );
}

#[tokio::test]
async fn a_broken_audit_log_stops_actions_before_anything_is_sent() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);
    for ticket in ["INC-1009", "INC-1010"] {
        let plan = h.plan(&adele, ActionKind::RevokeSessions).await;
        h.console.execute_plan(&plan.id, ticket).await.unwrap();
    }
    assert!(h.console.verify_audit().ok);

    // Someone edits the second entry's reason; a fresh console (an app restart) opens it.
    let text = h.audit_text();
    assert!(text.contains("INC-1010"));
    std::fs::write(&h.audit_path, text.replace("INC-1010", "INC-9999")).unwrap();
    let console = open_console(&h.sandbox, &h.audit_path);
    sign_in(&console, AUTH_ADMIN).await;
    let plan = console
        .plan_action(CONNECTION, &adele, ActionKind::RevokeSessions)
        .await
        .unwrap();
    h.sandbox.clear_requests();

    let error = expect_err(
        console.execute_plan(&plan.id, "INC-1011").await,
        ErrorKind::Internal,
    );
    assert!(error.message.contains("audit log"), "{error:?}");
    assert!(h.sandbox.requests().is_empty(), "nothing was sent");
    assert_eq!(h.sandbox.sessions_revoked_count(&adele), 2);
    assert_eq!(h.audit_lines().len(), 2, "nothing was appended");

    let verification = console.verify_audit();
    assert!(!verification.ok);
    assert_eq!(verification.first_broken, Some(2), "{verification:?}");
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_transparently() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);
    let refresh_before = h
        .stored_refresh_token()
        .expect("sign-in stored a refresh token");
    h.sandbox.expire_access_tokens();

    let found = h.console.search_users(CONNECTION, "adele").await.unwrap();
    assert!(found.iter().any(|u| u.id == adele));
    // The emulator rotates refresh tokens: a new one in the store proves a refresh happened.
    let refresh_after = h.stored_refresh_token().expect("still signed in");
    assert_ne!(
        refresh_before, refresh_after,
        "the refresh token was redeemed"
    );

    let plan = h.plan(&adele, ActionKind::RevokeSessions).await;
    h.console.execute_plan(&plan.id, "INC-1012").await.unwrap();
    assert_eq!(h.sandbox.sessions_revoked_count(&adele), 1);
}

#[tokio::test]
async fn the_audit_chain_verifies_after_allowed_refused_and_failed_actions() {
    let h = harness().await;
    h.sign_in(AUTH_ADMIN).await;
    let adele = h.user_id(ADELE);
    let megan = h.user_id(MEGAN);

    let plan = h.plan(&adele, ActionKind::ResetPassword).await;
    h.console.execute_plan(&plan.id, "INC-1013").await.unwrap();
    let _ = h
        .console
        .plan_action(CONNECTION, &megan, ActionKind::RequireReregisterMfa)
        .await
        .unwrap_err();
    let plan = h.plan(&adele, ActionKind::RevokeSessions).await;
    h.sandbox.set_faults(Faults {
        server_error_next: 1000,
        retry_after_secs: 0,
        ..Faults::default()
    });
    let _ = h.console.execute_plan(&plan.id, "INC-1014").await;
    h.sandbox.set_faults(Faults::default());

    let outcomes: Vec<String> = h
        .audit_lines()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(outcomes, ["succeeded", "refused", "failed"]);
    let verification = h.console.verify_audit();
    assert!(verification.ok, "{verification:?}");
    assert_eq!(verification.entries, 3);
    assert_eq!(verification.first_broken, None);
    let listed = h.console.list_audit(10).unwrap();
    assert_eq!(listed.len(), 3);
}

/// Every file below `dir`, recursively.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_below(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Without a keychain, sign-ins last for the session only: the connection says so, the
/// sign-in and a reset work, the cache syncs, and no file ResetDesk writes (the audit log, the
/// offline cache, the job journal) holds a token the sign-in service issued or the temporary
/// password; the next start is signed out.
#[tokio::test]
async fn without_a_keychain_a_sign_in_lasts_the_session_and_no_file_holds_a_token() {
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let session_only = resetdesk_core::console::KeychainStatus::SessionOnly {
        reason: "No Secret Service is running.".into(),
    };
    let start = || {
        resetdesk_providers::built_in_console(
            vec![common::sandbox_connection(&sandbox)],
            // What start-up falls back to without a keychain: memory only.
            Arc::new(MemoryStore::new()),
            session_only.clone(),
            dir.path().join("audit.jsonl"),
        )
        .unwrap()
        .with_safety_policy(common::safety_rules_off())
        .with_cache_dir(dir.path())
        .with_job_journal_dir(dir.path())
    };
    let console = start();
    let view = console.connections().await.remove(0);
    assert_eq!(view.keychain, session_only);
    sign_in(&console, AUTH_ADMIN).await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let plan = console
        .plan_action(CONNECTION, &adele, ActionKind::ResetPassword)
        .await
        .unwrap();
    let result = console
        .execute_plan(&plan.id, "INC-1009 no keychain here")
        .await
        .unwrap();
    assert_eq!(result.outcome, AuditOutcome::Succeeded, "{result:?}");
    let password = result.temporary_password.clone().unwrap();
    console.refresh_cache(CONNECTION).await.unwrap();
    // The sync runs in the background: the files are read once it has finished (while it
    // runs, SQLite's side files come and go, and one listed could be gone when it is read).
    let mut synced = None;
    for _ in 0..1000 {
        let status = console.cache_status(CONNECTION).await.unwrap();
        if !status.syncing && status.last_full_sync.is_some() {
            synced = Some(status);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let synced = synced.expect("the offline cache synced (a hang guard, not a timing assertion)");
    assert!(synced.users > 0, "{synced:?}");

    let tokens = sandbox.issued_tokens();
    assert!(
        tokens.len() >= 2,
        "an access and a refresh token were issued"
    );
    let files = files_below(dir.path());
    assert!(
        files.iter().any(|f| f.ends_with("audit.jsonl")),
        "{files:?}"
    );
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
        assert!(
            !text.contains(&password),
            "{} holds the password",
            file.display()
        );
        for token in &tokens {
            assert!(
                !text.contains(token.as_str()),
                "{} holds a token",
                file.display()
            );
        }
    }
    drop(console);

    // The next start: nothing to resume.
    let next = start();
    next.resume_sessions().await;
    let view = next.connections().await.remove(0);
    assert!(view.operator.is_none(), "{view:?}");
}

/// What the page sends to sign in (the one `sign_in` command for every provider).
fn sign_in_request(account: &str, browser: Option<Arc<dyn BrowserLauncher>>) -> SignInRequest {
    SignInRequest {
        account: account.to_string(),
        browser,
        ..Default::default()
    }
}

#[tokio::test]
async fn the_one_sign_in_signs_an_entra_sandbox_in_as_the_demo_account_and_needs_one() {
    let h = harness().await;
    let refused = expect_err(
        h.console
            .sign_in_with(CONNECTION, sign_in_request("  ", None))
            .await,
        ErrorKind::InvalidInput,
    );
    assert!(
        refused.message.contains("Choose a demo account"),
        "{refused:?}"
    );
    assert!(
        h.sandbox.requests().is_empty(),
        "nothing was asked of Entra"
    );

    let outcome = h
        .console
        .sign_in_with(CONNECTION, sign_in_request(HELPDESK, None))
        .await
        .unwrap();
    let SignInOutcome::Done { account } = outcome else {
        panic!("an OAuth sign-in is done in one step: {outcome:?}");
    };
    assert_eq!(account.login, HELPDESK);
    assert_eq!(account.role_label, "Helpdesk Administrator");
    // The session is the Console's: the operator can search.
    assert!(!h
        .console
        .search_users(CONNECTION, "adele")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_one_sign_in_opens_a_real_tenants_page_in_the_browser_it_is_given_and_in_no_other() {
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let real = resetdesk_core::connection::Connection {
        sandbox: false,
        ..common::sandbox_connection(&sandbox)
    };
    let console = resetdesk_providers::built_in_console(
        vec![real],
        Arc::new(MemoryStore::new()),
        resetdesk_core::console::KeychainStatus::Available,
        dir.path().join("audit.jsonl"),
    )
    .unwrap()
    .with_safety_policy(common::safety_rules_off());

    // The account typed is not a demo account to answer as: without a browser, nothing signs in.
    let refused = console
        .sign_in_with(CONNECTION, sign_in_request(AUTH_ADMIN, None))
        .await
        .unwrap_err();
    assert!(refused.message.contains("browser"), "{refused:?}");

    // The browser given (here the sandbox's, playing the person at the sign-in page) is used.
    let browser: Arc<dyn BrowserLauncher> = Arc::new(SandboxBrowser::new(AUTH_ADMIN).unwrap());
    let outcome = console
        .sign_in_with(CONNECTION, sign_in_request("", Some(browser)))
        .await
        .unwrap();
    assert!(
        matches!(&outcome, SignInOutcome::Done { account } if account.login == AUTH_ADMIN),
        "{outcome:?}"
    );
}
