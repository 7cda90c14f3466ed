//! The ResetDesk shell: builds the Tauri app around the core. Commands live in `commands/`
//! and are thin adapters; every decision is made in `resetdesk_core`.

mod commands;
mod desktop;
mod logging;
#[cfg(all(test, feature = "sandbox"))]
mod page_fixtures;
#[cfg(feature = "sandbox")]
mod sandbox_demo;
mod startup;
mod state;
mod system_browser;

use tauri::{Manager, Runtime};

include!("command_names.rs");

macro_rules! app_commands {
    () => {
        tauri::generate_handler![
            commands::connections::list_connections,
            commands::connections::sign_in,
            commands::connections::sign_out,
            commands::connections::add_connection,
            commands::connections::remove_connection,
            commands::plans::plan_action,
            commands::cache::search_cached_users,
            commands::cache::cache_status,
            commands::cache::refresh_cache,
            commands::audit::list_audit,
            commands::audit::verify_audit,
            commands::audit::export_audit,
            commands::audit::audit_forwarding,
            commands::desktop::copy_to_clipboard,
            commands::safety::send_verification_code,
            commands::safety::record_verification,
            commands::safety::approve_plan,
            commands::safety::safety_rules,
            commands::desktop::about,
            commands::connections::trust_certificate,
            commands::directory::directory_search,
            commands::directory::directory_user,
            commands::plans::run_plan,
            commands::plans::open_by_hand_page,
            commands::plans::pending_by_hand_steps,
            commands::plans::settle_by_hand_step,
            commands::directory::directory_tenants,
            commands::directory::directory_tenant_users,
            commands::directory::directory_tenant_methods,
            commands::plans::plan_bulk_action,
            commands::jobs::job_status,
            commands::jobs::cancel_job,
            commands::jobs::unfinished_jobs,
            commands::jobs::resume_job,
            commands::connections::sandbox_simulate_outage,
            commands::connections::sandbox_second_desktop_reset,
        ]
    };
}

/// The app's builder, generic over the runtime so tests can use Tauri's mock runtime.
pub fn builder<R: Runtime>() -> tauri::Builder<R> {
    tauri::Builder::<R>::new()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(app_commands!())
        .setup(|app| {
            desktop::setup(app.handle())?;
            // The window is already built when `setup` runs, but it shows and loads the page
            // only once the main thread is free: the set-up (keychain probe, emulators,
            // Console: 50-70 ms) runs on a thread of its own, and commands wait at `AppStart`.
            app.manage(state::AppStart::default());
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("start-up".into())
                .spawn(move || startup::start_beside_window(handle))?;
            Ok(())
        })
}

pub fn run() {
    logging::init();
    desktop::install_panic_hook();
    let app = desktop::with_desktop_plugins(builder::<tauri::Wry>());
    if let Err(e) = app.run(tauri::generate_context!()) {
        // Reported like a panic: a file, and a message on screen, not a silent exit.
        tracing::error!(error = %e, "ResetDesk could not start");
        panic!("ResetDesk could not start: {e}");
    }
}

/// `resetdesk crash-report FILE` (started by the panic hook): shows the report's message.
pub use desktop::show_crash_report;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, MockRuntime};
    use tauri::webview::InvokeRequest;

    #[test]
    fn build_rs_and_the_capability_use_the_one_command_list() {
        let mut ours: Vec<String> = COMMAND_NAMES.iter().map(|s| s.to_string()).collect();
        ours.sort();
        let build_rs = include_str!("build.rs");
        assert!(
            build_rs.contains("include!(\"command_names.rs\")")
                && build_rs.contains(".commands(COMMAND_NAMES)"),
            "build.rs must declare exactly COMMAND_NAMES to tauri-build"
        );

        let conf: Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let caps = conf["app"]["security"]["capabilities"].as_array().unwrap();
        assert_eq!(caps.len(), 1, "one capability, for the main window");
        let granted: Vec<&str> = caps[0]["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut app_granted: Vec<String> = granted
            .iter()
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        app_granted.sort();
        assert_eq!(
            app_granted, ours,
            "the capability must grant exactly the app's commands"
        );
        assert_eq!(
            granted.len(),
            ours.len(),
            "the page gets the app's commands and nothing else (no core or plugin permissions): {granted:?}"
        );
        for plugin in [
            "core:",
            "store:",
            "fs:",
            "shell:",
            "http:",
            "opener:",
            "clipboard-manager:",
            "dialog:",
        ] {
            assert!(
                !granted.iter().any(|p| p.starts_with(plugin)),
                "the page must not get {plugin} permissions"
            );
        }
    }

    /// Start-up runs beside the window: a command that arrives before it has finished waits
    /// for its state (here the answer comes from the sandbox the start-up built, handed over
    /// a moment after the call was made), and a start that failed is every command's answer.
    #[cfg(feature = "sandbox")]
    #[test]
    fn commands_wait_for_the_start_up_and_answer_its_failure() {
        use resetdesk_core::console::KeychainStatus;
        use resetdesk_core::secrets::MemoryStore;
        use std::sync::Arc;

        let data = tempfile::tempdir().unwrap();
        let app = builder::<MockRuntime>()
            .build(tauri::generate_context!())
            .expect("app builds");
        // As `setup` does: the gate is managed at once, its state handed over later.
        app.manage(state::AppStart::default());
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        let handle = app.handle().clone();
        let audit_path = data.path().join("audit.jsonl");
        let starting = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            let sandbox = sandbox_demo::SandboxDemo::start().expect("sandbox");
            let console = resetdesk_providers::built_in_console(
                sandbox.connections(),
                Arc::new(MemoryStore::new()),
                KeychainStatus::Available,
                audit_path,
            )
            .expect("console");
            let console = sandbox.wire(console);
            handle
                .state::<state::AppStart>()
                .finish(Ok(state::AppState {
                    console: Arc::new(console),
                    sandbox,
                }));
        });
        let connections = invoke(&webview, "list_connections", json!({}))
            .expect("list_connections waits for the start-up");
        assert_eq!(connections[0]["id"], "sandbox", "{connections}");
        starting.join().unwrap();

        let failed = builder::<MockRuntime>()
            .build(tauri::generate_context!())
            .expect("app builds");
        let gate = state::AppStart::default();
        gate.finish(Err(resetdesk_core::AppError::internal(
            "ResetDesk could not start: the data directory is read-only",
        )));
        failed.manage(gate);
        let webview = tauri::WebviewWindowBuilder::new(&failed, "main", Default::default())
            .build()
            .unwrap();
        for cmd in ["list_connections", "safety_rules", "verify_audit"] {
            let error = invoke(&webview, cmd, json!({})).unwrap_err();
            assert_eq!(
                error["message"], "ResetDesk could not start: the data directory is read-only",
                "{cmd}: {error}"
            );
        }
    }

    fn invoke(
        webview: &tauri::WebviewWindow<MockRuntime>,
        cmd: &str,
        body: Value,
    ) -> Result<Value, Value> {
        get_ipc_response(
            webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: webview.app_handle().invoke_key().to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }

    /// The real builder (setup, state, plugins, handlers, capabilities from tauri.conf.json)
    /// on Tauri's mock runtime: what the page can and cannot call, without a window.
    #[test]
    fn the_page_reaches_exactly_the_app_commands_and_decisions_stay_in_rust() {
        let data = tempfile::tempdir().unwrap();
        // Keep the app's files (settings, audit log) out of the real home directory.
        std::env::set_var("XDG_DATA_HOME", data.path());
        let app = builder::<MockRuntime>()
            .build(tauri::generate_context!())
            .expect("app builds");
        // The mock runtime never reaches the event loop's Ready, where `setup` runs: do its work.
        let start = state::AppStart::default();
        start.finish(Ok(startup::start(app.handle()).expect("start-up")));
        app.manage(start);
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();

        let connections =
            invoke(&webview, "list_connections", json!({})).expect("list_connections");
        let sandbox = &connections.as_array().unwrap()[0];
        assert_eq!(sandbox["id"], "sandbox");
        assert_eq!(sandbox["signedIn"], false);
        assert!(sandbox["demoAccounts"].as_array().unwrap().len() >= 4);
        assert!(
            sandbox.get("entra").is_none(),
            "settings (URLs, client id) stay in Rust"
        );

        // Registered: every declared command answers (here with its own error, not "not found").
        for cmd in COMMAND_NAMES {
            if let Err(e) = invoke(&webview, cmd, json!({})) {
                let text = e.to_string();
                assert!(
                    !text.contains("not found"),
                    "{cmd} is not registered: {text}"
                );
                assert!(
                    !text.contains("not allowed"),
                    "{cmd} is not granted: {text}"
                );
            }
        }
        // A forged call that skips the UI is still judged in Rust.
        let forged = invoke(
            &webview,
            "plan_action",
            json!({"connectionId": "sandbox", "userId": "x", "action": "resetPassword"}),
        )
        .unwrap_err();
        assert_eq!(forged["kind"], "NotSignedIn", "{forged}");
        let bad_action = invoke(
            &webview,
            "plan_action",
            json!({"connectionId": "sandbox", "userId": "x", "action": "deleteUser"}),
        )
        .unwrap_err();
        assert!(
            bad_action.to_string().contains("deleteUser"),
            "{bad_action}"
        );
        // Options are a closed, typed object: a forged extra field is refused, not ignored.
        let forged_option = invoke(
            &webview,
            "plan_action",
            json!({"connectionId": "sandbox", "userId": "x", "action": "issueTemporaryAccessPass",
                   "options": {"tapLifetimeMinutes": 60, "extraStep": "deleteUser"}}),
        )
        .unwrap_err();
        assert!(
            forged_option.to_string().contains("extraStep"),
            "{forged_option}"
        );
        // Well-formed options reach Rust's own checks (here: not signed in).
        let with_options = invoke(
            &webview,
            "plan_action",
            json!({"connectionId": "sandbox", "userId": "x", "action": "resetPassword",
                   "options": {"alsoRevokeSessions": true}}),
        )
        .unwrap_err();
        assert_eq!(with_options["kind"], "NotSignedIn", "{with_options}");
        // A forged settlement of a by-hand step: the settlement is a closed set, and a step
        // that is not waiting is refused in Rust.
        let bad_settlement = invoke(
            &webview,
            "settle_by_hand_step",
            json!({"planId": "x", "stepIndex": 0, "settlement": {"settlement": "deleteUser"}}),
        )
        .unwrap_err();
        assert!(
            bad_settlement.to_string().contains("deleteUser"),
            "{bad_settlement}"
        );
        let not_waiting = invoke(
            &webview,
            "settle_by_hand_step",
            json!({"planId": "forged", "stepIndex": 0, "settlement": {"settlement": "done"}}),
        )
        .unwrap_err();
        assert_eq!(not_waiting["kind"], "InvalidInput", "{not_waiting}");
        // One sign-in for every provider: a sandbox sign-in without its demo account is
        // refused in Rust (no browser opens), and so is one to a connection that does not exist.
        let no_demo_account = invoke(
            &webview,
            "sign_in",
            json!({"connectionId": "sandbox", "password": null, "code": null}),
        )
        .unwrap_err();
        assert_eq!(no_demo_account["kind"], "InvalidInput", "{no_demo_account}");
        assert!(
            no_demo_account
                .to_string()
                .contains("Choose a demo account"),
            "{no_demo_account}"
        );
        let unknown = invoke(
            &webview,
            "sign_in",
            json!({"connectionId": "forged", "account": "x"}),
        )
        .unwrap_err();
        assert_eq!(unknown["kind"], "InvalidInput", "{unknown}");
        assert!(unknown.to_string().contains("no connection"), "{unknown}");
        // Plugins the page was not granted are refused by the ACL.
        let store = invoke(
            &webview,
            "plugin:store|load",
            json!({"path": "settings.json"}),
        )
        .unwrap_err();
        assert!(store.to_string().contains("not allowed"), "{store}");
        // The Save dialog of an export is opened by Rust; the page cannot open one itself.
        let dialog = invoke(&webview, "plugin:dialog|save", json!({"options": {}})).unwrap_err();
        assert!(dialog.to_string().contains("not allowed"), "{dialog}");

        // The Activity filters arrive in Rust as `AuditFilter` and are checked there; a bad
        // one is refused before an export asks the operator anything.
        let filtered = invoke(
            &webview,
            "list_audit",
            json!({"limit": 5, "filter": {"operator": "helpdesk", "outcome": "refused"}}),
        )
        .expect("list_audit with a filter");
        assert!(filtered.is_array(), "{filtered}");
        let bad_date = json!({"from": "yesterday"});
        let listed = invoke(
            &webview,
            "list_audit",
            json!({"limit": 5, "filter": bad_date}),
        )
        .unwrap_err();
        assert_eq!(listed["kind"], "InvalidInput", "{listed}");
        let exported = invoke(
            &webview,
            "export_audit",
            json!({"format": "csv", "filter": {"from": "2026-11-23", "to": "2026-11-01"}}),
        )
        .unwrap_err();
        assert_eq!(exported["kind"], "InvalidInput", "{exported}");
        let bad_format = invoke(&webview, "export_audit", json!({"format": "xlsx"})).unwrap_err();
        assert!(bad_format.to_string().contains("xlsx"), "{bad_format}");
        let unknown = invoke(&webview, "delete_all_users", json!({})).unwrap_err();
        assert!(unknown.to_string().contains("not found"), "{unknown}");
    }
}
