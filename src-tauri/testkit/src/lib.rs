//! What the integration tests share: the sandbox emulator, its connection, a Console over it
//! with an audit log in a temporary folder, and signing a demo operator in. Test files import
//! it as `use resetdesk_testkit as common;`. [`fake_provider`] is a fifth provider that exists
//! only here, for the tests of the provider seam.

pub mod fake_provider;

use std::path::Path;
use std::sync::Arc;

use resetdesk_core::auth::SandboxBrowser;
use resetdesk_core::connection::{Connection, ProviderSettings};
use resetdesk_core::console::{Console, KeychainStatus};
use resetdesk_core::model::Operator;
use resetdesk_core::safety::SafetyPolicy;
use resetdesk_core::secrets::SecretStore;
use resetdesk_providers::EntraConsole;
use resetdesk_sandbox::{Sandbox, SandboxConfig};

/// The id of the sandbox connection in every test Console.
pub const SANDBOX_ID: &str = "sandbox";

/// The sandbox's demo operators (see the table in docs/entra.md) and well-known users.
pub const AUTH_ADMIN: &str = "authadmin@contoso.sandbox";
pub const PRIV_AUTH_ADMIN: &str = "privauthadmin@contoso.sandbox";
pub const GLOBAL_ADMIN: &str = "globaladmin@contoso.sandbox";
pub const HELPDESK: &str = "helpdesk@contoso.sandbox";
/// Many methods, no admin role.
pub const ADELE: &str = "adele.vance@contoso.sandbox";
/// Global Administrator.
pub const MEGAN: &str = "megan.bowen@contoso.sandbox";

/// An emulator with few generated users: the well-known demo users are always seeded, and
/// seeding is instant.
pub async fn small_sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: 42,
        users: 40,
    })
    .await
    .expect("the emulator starts")
}

pub fn sandbox_connection(sandbox: &Sandbox) -> Connection {
    Connection {
        id: SANDBOX_ID.to_string(),
        display_name: "Sandbox — Contoso (demo)".to_string(),
        settings: ProviderSettings::Entra(sandbox.entra_settings()),
        sandbox: true,
    }
}

/// A Console over the sandbox connection, with its audit log at `audit_path`.
pub fn open_console(
    sandbox: &Sandbox,
    audit_path: &Path,
    secrets: Arc<dyn SecretStore>,
    policy: SafetyPolicy,
) -> Console {
    resetdesk_providers::built_in_console(
        vec![sandbox_connection(sandbox)],
        secrets,
        KeychainStatus::Available,
        audit_path.to_path_buf(),
    )
    .expect("the console opens")
    .with_safety_policy(policy)
}

/// The operator-safety rules (caller verification, approval, rate limit) are tested in
/// tests/safety.rs; elsewhere they are turned off so that each test exercises one thing.
pub fn safety_rules_off() -> SafetyPolicy {
    SafetyPolicy::from_settings(Some(&serde_json::json!({
        "verification": {"required": false, "methods": []},
        "approval": {"privilegedTargets": false, "repeatMfaResetHours": 0},
        "rateLimits": {"resetsPerHour": 100000}
    })))
    .expect("a valid policy")
}

/// What the page's sign-in form sends for a sandbox connection: the demo account chosen (an
/// operator signing in, or a second person approving), and no browser.
pub fn demo_sign_in(account: &str) -> resetdesk_core::seam::SignInRequest {
    resetdesk_core::seam::SignInRequest {
        account: account.to_string(),
        ..Default::default()
    }
}

/// Signs the demo operator `upn` in to the sandbox connection (the emulator's sign-in page is
/// answered on their behalf; the OAuth code is the real one).
pub async fn sign_in(console: &Console, upn: &str) -> Operator {
    let browser = SandboxBrowser::new(upn).unwrap();
    let operator = console
        .sign_in(SANDBOX_ID, &browser)
        .await
        .unwrap_or_else(|e| panic!("{upn} signs in: {e:?}"));
    assert_eq!(operator.user_principal_name, upn);
    operator
}

/// Signs the demo operator `email` in to a Zoho Directory connection through the seam, as the
/// page does: the first call shows the device code (approved by the sandbox's demo sign-in as
/// `email`), the second, naming it, waits for the approval.
pub async fn zoho_sign_in(
    console: &Console,
    connection_id: &str,
    email: &str,
) -> resetdesk_core::seam::ProviderAccount {
    use resetdesk_core::seam::{SignInOutcome, SignInRequest};
    let request = |device_code: Option<String>| SignInRequest {
        account: email.to_string(),
        device_code,
        ..Default::default()
    };
    let SignInOutcome::DeviceCode { prompt } = console
        .sign_in_with(connection_id, request(None))
        .await
        .unwrap()
    else {
        panic!("Zoho signs in with a device code")
    };
    assert!(!prompt.user_code.is_empty());
    match console
        .sign_in_with(connection_id, request(Some(prompt.user_code)))
        .await
        .unwrap()
    {
        SignInOutcome::Done { account } => account,
        other => panic!("{email} signs in to Zoho: {other:?}"),
    }
}

/// A local server that only counts the connections made to it: the place a secret must not go
/// when a connection's settings are edited to point there. Its address, and the count.
pub async fn counting_listener() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    (url, connections)
}
