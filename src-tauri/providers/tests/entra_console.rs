//! Entra's plans through the Console: a plan is run only under the sign-in that made it.

use std::sync::Arc;

use resetdesk_core::audit::AuditOutcome;
use resetdesk_core::auth::SandboxBrowser;
use resetdesk_core::console::{Console, KeychainStatus};
use resetdesk_core::error::ErrorKind;
use resetdesk_core::secrets::MemoryStore;
use resetdesk_model::connection::Connection;
use resetdesk_providers::entra::actions::ActionKind;
use resetdesk_providers::EntraConsole;
use resetdesk_sandbox::{Sandbox, SandboxConfig};

async fn sign_in_as(console: &Console, upn: &str) {
    let browser = SandboxBrowser::new(upn).unwrap();
    console.sign_in("sandbox", &browser).await.unwrap();
}

#[tokio::test]
async fn a_plan_run_under_another_sign_in_is_refused_and_audited_under_that_operator() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let connection = Connection::built_in_sandbox("sandbox", "Sandbox", sandbox.entra_settings());
    let console = resetdesk_providers::built_in_console(
        vec![connection],
        Arc::new(MemoryStore::new()),
        KeychainStatus::Available,
        data.path().join("audit.jsonl"),
    )
    .unwrap();
    let adele = sandbox
        .user_id_by_upn("adele.vance@contoso.sandbox")
        .unwrap();

    sign_in_as(&console, "privauthadmin@contoso.sandbox").await;
    let plan = console
        .plan_action("sandbox", &adele, ActionKind::RevokeSessions)
        .await
        .unwrap();
    sign_in_as(&console, "authadmin@contoso.sandbox").await;
    let error = console.execute_plan(&plan.id, "INC-1").await.unwrap_err();

    assert_eq!(error.kind, ErrorKind::Denied, "{error:?}");
    assert_eq!(sandbox.sessions_revoked_count(&adele), 0);
    let entry = console.list_audit(1).unwrap().remove(0);
    assert_eq!(entry.record.plan_id.as_deref(), Some(plan.id.as_str()));
    assert_eq!(entry.record.outcome, AuditOutcome::Refused);
    assert_eq!(entry.record.operator, "authadmin@contoso.sandbox");
}
