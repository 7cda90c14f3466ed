//! The managed policy's allowed connections, through the Console: a directory it does not
//! name cannot be added or signed in to, and the built-in sandbox only while it is not turned
//! off; one it names works as before.
use std::sync::Arc;

use resetdesk_core::connection::Connection;
use resetdesk_core::safety::managed::ManagedPolicy;
use resetdesk_core::secrets::MemoryStore;
use resetdesk_core::ErrorKind;
use resetdesk_providers::EntraConsole;
use resetdesk_testkit as common;

fn entra(id: &str, tenant: &str) -> Connection {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "displayName": format!("Tenant {tenant}"),
        "sandbox": false,
        "entra": {
            "tenant": tenant,
            "clientId": "00000000-0000-0000-0000-000000000001",
            "loginBaseUrl": "https://login.microsoftonline.com",
            "graphBaseUrl": "https://graph.microsoft.com"
        }
    }))
    .unwrap()
}

fn allowed(policy: serde_json::Value) -> resetdesk_core::safety::managed::AllowedConnections {
    serde_json::from_value::<ManagedPolicy>(policy)
        .unwrap()
        .allowed_connections
}

#[tokio::test]
async fn only_the_connections_the_policy_allows_are_added_and_signed_in_to() {
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let console = common::open_console(
        &sandbox,
        &dir.path().join("audit.jsonl"),
        Arc::new(MemoryStore::new()),
        common::safety_rules_off(),
    )
    .with_allowed_connections(allowed(serde_json::json!({
        "allowedConnections": {"entraTenants": ["contoso.onmicrosoft.com"]}
    })));

    let refused = console
        .add_connection(entra("fabrikam", "fabrikam.onmicrosoft.com"))
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(
        refused.message.contains("Tenant fabrikam.onmicrosoft.com")
            && refused
                .message
                .contains("not among the allowed connections"),
        "{refused:?}"
    );
    assert!(
        console.connection_settings("fabrikam").is_err(),
        "not added"
    );
    console
        .add_connection(entra("contoso", "Contoso.onmicrosoft.com"))
        .expect("the tenant the policy names");

    // The sandbox is allowed: its demo operator signs in as before.
    common::sign_in(&console, "helpdesk@contoso.sandbox").await;

    // Turned off by the policy: the sandbox's sign-in is refused with why.
    let console = common::open_console(
        &sandbox,
        &dir.path().join("audit-2.jsonl"),
        Arc::new(MemoryStore::new()),
        common::safety_rules_off(),
    )
    .with_allowed_connections(allowed(serde_json::json!({
        "allowedConnections": {"sandbox": false}
    })));
    let browser = resetdesk_core::auth::SandboxBrowser::new("helpdesk@contoso.sandbox").unwrap();
    let refused = console
        .sign_in(common::SANDBOX_ID, &browser)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(
        refused
            .message
            .contains("the built-in sandbox is turned off"),
        "{refused:?}"
    );
}

/// A Zoho organisation in a data centre the policy does not allow is refused before its client
/// secret is kept: nothing of it is left in the keychain.
#[tokio::test]
async fn a_refused_connection_leaves_no_secret_behind() {
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::new());
    let console = common::open_console(
        &sandbox,
        &dir.path().join("audit.jsonl"),
        secrets.clone(),
        common::safety_rules_off(),
    )
    .with_allowed_connections(allowed(serde_json::json!({
        "allowedConnections": {"zohoDataCentres": ["US"]}
    })));
    let zoho: resetdesk_core::connection::NewConnection = serde_json::from_value(serde_json::json!({
        "provider": "zoho", "displayName": "Zylker", "dataCentre": "EU", "clientId": "1000.NEWAPP",
        "clientSecret": "very-secret", "organizationId": "123456"
    }))
    .unwrap();
    let refused = console.add_new_connection(zoho).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(refused.message.contains("Zylker"), "{refused:?}");
    // The store's Debug lists the names of the secrets it holds (never their values).
    let held = format!("{secrets:?}");
    assert!(!held.contains("zoho-"), "{held}");
}
