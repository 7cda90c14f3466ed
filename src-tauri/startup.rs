//! Everything the app sets up at start, on a thread of its own beside the window (commands wait
//! for it at `state::AppStart`): where its files live, whether the OS keychain works, the
//! sandbox emulators, the list of connections, and the console.
use std::path::Path;
use std::sync::Arc;

use resetdesk_core::audit_forward::{AuditForwarder, ForwardOptions, SyslogSettings};
use resetdesk_core::connection::Connection;
use resetdesk_core::console::KeychainStatus;
use resetdesk_core::safety::managed::{IgnoredSetting, ManagedState};
use resetdesk_core::safety::SafetyPolicy;
use resetdesk_core::secrets::{probe_keychain, KeyringStore, MemoryStore, SecretStore};
use resetdesk_core::AppError;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

use crate::state::{AppStart, AppState};
use resetdesk_providers::ZohoConsole;

/// The id of the built-in Entra sandbox connection; every built-in sandbox id starts with it,
/// so a saved connection with such an id is refused whether or not the sandbox is built in.
pub const SANDBOX_CONNECTION_ID: &str = "sandbox";
/// The settings file (tauri-plugin-store, in the app's data directory): non-secret settings only.
pub const SETTINGS_FILE: &str = "settings.json";
/// Key of the saved connections in the settings file.
const CONNECTIONS_KEY: &str = "connections";
/// Key of the optional syslog forwarding of the audit log (`SyslogSettings`, camelCase).
const SYSLOG_KEY: &str = "syslog";
/// Key of the operator-safety settings (`SafetyPolicy`, camelCase; absent → safe defaults).
const SAFETY_KEY: &str = "safety";
/// Key of the Zoho settings: `{"freshSignInMinutes": N}`, how recent the operator's Zoho
/// sign-in must be to confirm a reset (default 5).
const ZOHO_KEY: &str = "zoho";

/// Runs [`start`] beside the window and hands its result to the commands waiting at
/// [`AppStart`]. A start that fails is reported as before, when it ran before the window: a
/// crash report and a message for the operator; every command answers the same error, and
/// the app ends. A start that panics ends the same way (the panic hook has written the report
/// and shown the message), rather than leaving the page waiting for a state that never comes.
pub fn start_beside_window<R: Runtime>(app: AppHandle<R>) {
    let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| start(&app)));
    let gate = app.state::<AppStart>();
    match started {
        Ok(Ok(state)) => gate.finish(Ok(state)),
        Ok(Err(e)) => {
            let message = format!("ResetDesk could not start: {e}");
            tracing::error!("{message}");
            gate.finish(Err(AppError::internal(message.clone())));
            crate::desktop::report_crash(&message, "start-up", "start-up");
            app.exit(1);
        }
        Err(_) => {
            gate.finish(Err(AppError::internal(
                "ResetDesk could not start: it failed unexpectedly (the crash report says where).",
            )));
            app.exit(1);
        }
    }
}

pub fn start<R: Runtime>(app: &AppHandle<R>) -> Result<AppState, Box<dyn std::error::Error>> {
    let data_dir = app.path().app_data_dir()?;
    std::fs::create_dir_all(&data_dir)?;
    tracing::info!(data_dir = %data_dir.display(), "starting");

    let (secrets, keychain) = open_secret_store();
    #[cfg(feature = "sandbox")]
    let sandbox = crate::sandbox_demo::SandboxDemo::start()?;
    #[cfg(feature = "sandbox")]
    let mut connections = sandbox.connections();
    #[cfg(not(feature = "sandbox"))]
    let mut connections = Vec::new();
    connections.extend(saved_connections(app));
    // Each connection's offline user cache lives in <data_dir>/cache/<connection-id>.db.
    let mut console = resetdesk_providers::built_in_console(
        connections,
        secrets,
        keychain,
        audit_path(&data_dir),
    )?
    .with_cache_dir(&data_dir)
    .with_job_journal_dir(&data_dir);
    #[cfg(feature = "sandbox")]
    {
        console = sandbox.wire(console);
    }
    if let Some(max_age) = zoho_fresh_sign_in(app) {
        console = console.with_zoho_fresh_sign_in(max_age);
    }
    let (policy_path, managed) = managed_policy();
    let locks = match &managed {
        ManagedState::Valid(policy) => policy.locks.clone(),
        _ => Vec::new(),
    };
    // The managed policy's collector, when it names one, replaces the user's: they cannot turn
    // forwarding off or send the trail elsewhere.
    let managed_forwarding = match &managed {
        ManagedState::Valid(policy) => Some((policy.syslog.clone(), policy.require_forwarding)),
        _ => None,
    };
    let managed_collector = managed_forwarding.as_ref().and_then(|(c, _)| c.as_ref());
    let syslog = syslog_in_force(managed_collector, setting(app, SYSLOG_KEY));
    match syslog.map(|settings| audit_forwarder(settings, &data_dir)) {
        Some(Ok(forwarder)) => console = console.with_audit_forwarder(forwarder),
        Some(Err(reason)) => console = console.with_forwarding_refused(reason),
        None => {}
    }
    if let Some((_, Some(required))) = managed_forwarding {
        console = console.with_required_forwarding(required.max_queued);
    }
    if let ManagedState::Valid(policy) = &managed {
        console = console.with_allowed_connections(policy.allowed_connections.clone());
    }
    console = match rules_in_force(safety_policy(app), managed) {
        Ok((rules, None)) => console.with_safety_policy(rules),
        Ok((rules, Some(ignored))) => {
            console
                .with_safety_policy(rules)
                .with_managed_policy(&policy_path, ignored, locks)
        }
        Err(reason) => {
            tracing::error!(%reason, "actions are stopped");
            console.with_safety_refused(reason)
        }
    };
    let console = Arc::new(console);

    // Sessions whose refresh token is in the keychain come back without a browser.
    let resuming = Arc::clone(&console);
    tauri::async_runtime::spawn(async move { resuming.resume_sessions().await });
    Ok(AppState {
        console,
        #[cfg(feature = "sandbox")]
        sandbox,
    })
}

pub fn audit_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("audit.jsonl")
}

/// The real OS keychain when it works; otherwise sign-ins last for this session only, and the
/// Connections screen says so. Never a plaintext file.
fn open_secret_store() -> (Arc<dyn SecretStore>, KeychainStatus) {
    match probe_keychain() {
        Ok(()) => (Arc::new(KeyringStore::new()), KeychainStatus::Available),
        Err(e) => {
            tracing::warn!(reason = %e.message, "OS keychain unavailable; sign-ins last for this session only");
            (
                Arc::new(MemoryStore::new()),
                KeychainStatus::SessionOnly { reason: e.message },
            )
        }
    }
}

/// A value of the settings file, if the file has it.
fn setting<R: Runtime>(app: &AppHandle<R>, key: &str) -> Option<serde_json::Value> {
    app.store(SETTINGS_FILE).ok()?.get(key)
}

/// `zoho.freshSignInMinutes` from the settings file (1 to 60), if set and valid.
fn zoho_fresh_sign_in<R: Runtime>(app: &AppHandle<R>) -> Option<std::time::Duration> {
    zoho_fresh_sign_in_from(setting(app, ZOHO_KEY).as_ref())
}

/// The `zoho` value's `freshSignInMinutes`: absent → Zoho's default applies; anything but a
/// whole number of minutes from 1 to 60 is logged and ignored.
fn zoho_fresh_sign_in_from(value: Option<&serde_json::Value>) -> Option<std::time::Duration> {
    let value = value?;
    match value.get("freshSignInMinutes").and_then(|m| m.as_u64()) {
        Some(minutes @ 1..=60) => Some(std::time::Duration::from_secs(minutes * 60)),
        _ => {
            tracing::warn!(
                "ignoring zoho.freshSignInMinutes: give a whole number of minutes from 1 to 60"
            );
            None
        }
    }
}

/// The syslog forwarder of the audit log, to the collector `settings` name; the reason when
/// they are refused (logged, and shown on the Activity screen): forwarding stays off, and the
/// local log still records everything.
fn audit_forwarder(
    settings: SyslogSettings,
    data_dir: &Path,
) -> std::result::Result<AuditForwarder, String> {
    let options = ForwardOptions {
        // The forwarder's place in the audit log: what an exit leaves undelivered goes next start.
        delivered_file: Some(data_dir.join("syslog-delivered.json")),
        ..ForwardOptions::default()
    };
    // The delivery task runs on the app's async runtime.
    tauri::async_runtime::block_on(async { AuditForwarder::start_with(settings, options) }).map_err(
        |e| {
            tracing::warn!(reason = %e.message, "audit forwarding is off");
            e.message
        },
    )
}

/// The collector entries go to: the managed policy's when it names one (the user's `syslog`
/// setting is then ignored, and the log says so), else the user's.
fn syslog_in_force(
    managed: Option<&SyslogSettings>,
    user: Option<serde_json::Value>,
) -> Option<SyslogSettings> {
    match managed {
        Some(collector) => {
            if user.is_some() {
                tracing::warn!(
                    "the user's syslog setting is ignored: the managed policy names the collector"
                );
            }
            Some(collector.clone())
        }
        None => syslog_settings_from(user),
    }
}

/// The `syslog` value: absent → no forwarding; malformed → logged, no forwarding.
fn syslog_settings_from(value: Option<serde_json::Value>) -> Option<SyslogSettings> {
    match serde_json::from_value::<SyslogSettings>(value?) {
        Ok(settings) => Some(settings),
        Err(e) => {
            tracing::warn!(error = %e, "ignoring malformed syslog settings; audit forwarding is off");
            None
        }
    }
}

/// The organisation's safety settings. Settings that are not valid never weaken anything: the
/// safe defaults apply, and the log says what to fix.
fn safety_policy<R: Runtime>(app: &AppHandle<R>) -> SafetyPolicy {
    safety_policy_from(setting(app, SAFETY_KEY).as_ref())
}

fn safety_policy_from(value: Option<&serde_json::Value>) -> SafetyPolicy {
    SafetyPolicy::from_settings(value).unwrap_or_else(|e| {
        tracing::warn!(reason = %e.message, "using the default safety settings");
        SafetyPolicy::default()
    })
}

/// The machine's managed policy and where it was read: Linux `/etc/resetdesk/policy.json`,
/// macOS the managed preferences of `app.resetdesk.desktop`, Windows
/// `HKLM\\SOFTWARE\\Policies\\ResetDesk` (see `safety::managed`).
fn managed_policy() -> (String, ManagedState) {
    #[cfg(target_os = "linux")]
    {
        use resetdesk_core::safety::managed::{read_managed_policy, LINUX_POLICY_PATH};
        // A debug build (the WebDriver tests) may read a policy elsewhere; a release build
        // never: any root-owned file — the example the package ships, say — could otherwise
        // stand in for the organisation's policy. The file's own checks apply either way.
        #[cfg(debug_assertions)]
        let path = std::env::var("RESETDESK_DEBUG_MANAGED_POLICY")
            .unwrap_or_else(|_| LINUX_POLICY_PATH.to_string());
        #[cfg(not(debug_assertions))]
        let path = LINUX_POLICY_PATH.to_string();
        let state = read_managed_policy(Path::new(&path));
        (path, state)
    }
    #[cfg(target_os = "macos")]
    {
        use resetdesk_core::safety::managed::{read_managed_plist, MACOS_POLICY_PATH};
        let state = read_managed_plist(Path::new(MACOS_POLICY_PATH));
        (MACOS_POLICY_PATH.to_string(), state)
    }
    #[cfg(windows)]
    {
        use resetdesk_core::safety::managed::{read_windows_policy, WINDOWS_POLICY_KEY};
        (WINDOWS_POLICY_KEY.to_string(), read_windows_policy())
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    {
        (String::new(), ManagedState::Absent)
    }
}

/// The user's safety settings under the managed policy's floor: each rule the stricter of the
/// two, a weaker user setting ignored (logged, and returned for the window; `None`: no managed
/// policy); a policy that cannot be applied stops actions (the reason).
fn rules_in_force(
    user: SafetyPolicy,
    managed: ManagedState,
) -> Result<(SafetyPolicy, Option<Vec<IgnoredSetting>>), String> {
    match managed {
        ManagedState::Absent => Ok((user, None)),
        ManagedState::Valid(policy) => {
            let (rules, ignored) = policy.apply(&user);
            for setting in &ignored {
                tracing::warn!(%setting, "a user safety setting weaker than the managed policy is ignored");
            }
            Ok((rules, Some(ignored)))
        }
        ManagedState::Refused(reason) => Err(reason),
    }
}

/// Connections saved in the settings file. A malformed entry is skipped with a warning
/// (the rest still load); it is never fatal.
fn saved_connections<R: Runtime>(app: &AppHandle<R>) -> Vec<Connection> {
    let store = match app.store(SETTINGS_FILE) {
        Ok(store) => store,
        Err(e) => {
            tracing::warn!(error = %e, "could not open the settings file; starting with the sandbox only");
            return Vec::new();
        }
    };
    let Some(serde_json::Value::Array(saved)) = store.get(CONNECTIONS_KEY) else {
        return Vec::new();
    };
    saved
        .into_iter()
        .filter_map(|value| match serde_json::from_value::<Connection>(value) {
            Ok(c) if c.id.starts_with(SANDBOX_CONNECTION_ID) || c.sandbox => {
                tracing::warn!(id = %c.id, "ignoring a saved connection that claims to be the sandbox");
                None
            }
            Ok(c) => match c.check_saved() {
                Ok(()) => Some(c),
                Err(e) => {
                    tracing::warn!(id = %c.id, reason = %e.message, "ignoring a saved connection with unsafe endpoints");
                    None
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "ignoring a malformed saved connection");
                None
            }
        })
        .collect()
}

/// Saves the operator's connections (non-secret settings only) to the settings file.
pub fn save_connections<R: Runtime>(
    app: &AppHandle<R>,
    connections: &[Connection],
) -> Result<(), AppError> {
    let failed = |e: &dyn std::fmt::Display| {
        AppError::internal("Could not save the connections to the settings file.")
            .with_detail(e.to_string())
    };
    let store = app.store(SETTINGS_FILE).map_err(|e| failed(&e))?;
    let value = serde_json::to_value(connections).map_err(|e| failed(&e))?;
    store.set(CONNECTIONS_KEY, value);
    store.save().map_err(|e| failed(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn zoho_fresh_sign_in_minutes_are_read_when_valid_and_ignored_otherwise() {
        assert_eq!(
            zoho_fresh_sign_in_from(None),
            None,
            "absent: Zoho's default"
        );
        assert_eq!(
            zoho_fresh_sign_in_from(Some(&json!({"freshSignInMinutes": 10}))),
            Some(std::time::Duration::from_secs(600))
        );
        for wrong in [
            json!({}),
            json!({"freshSignInMinutes": 0}),
            json!({"freshSignInMinutes": 61}),
            json!({"freshSignInMinutes": "5"}),
            json!({"freshSignInMinutes": -1}),
            json!({"freshSignInMinutes": 2.5}),
        ] {
            assert_eq!(zoho_fresh_sign_in_from(Some(&wrong)), None, "{wrong}");
        }
    }

    #[test]
    fn syslog_forwarding_is_on_only_for_well_formed_settings() {
        assert_eq!(syslog_settings_from(None), None, "absent: no forwarding");
        let on = syslog_settings_from(Some(
            json!({"host": "siem.example", "port": 6514, "tls": true}),
        ))
        .unwrap();
        assert_eq!(
            (on.host.as_str(), on.port, on.tls),
            ("siem.example", 6514, true)
        );
        for wrong in [
            json!({"host": "siem.example"}),
            json!({"host": "x", "port": 70000}),
            json!("siem:514"),
        ] {
            assert_eq!(syslog_settings_from(Some(wrong.clone())), None, "{wrong}");
        }
    }

    #[test]
    fn safety_settings_apply_when_valid_and_the_safe_defaults_otherwise() {
        assert_eq!(
            safety_policy_from(None),
            SafetyPolicy::default(),
            "absent: the defaults"
        );
        let stricter = safety_policy_from(Some(&json!({"rateLimits": {"resetsPerHour": 5}})));
        assert_eq!(stricter.rate_limits.resets_per_hour, 5);
        // Not valid: never weaker than the defaults, whatever else the value says.
        for wrong in [
            json!({"rateLimits": {"resetsPerHour": 0}}),
            json!({"verification": {"methods": ["knowledgeQuestions"]}}),
            json!({"approval": {"privilegedTargets": false}, "unknown": true}),
            json!("off"),
        ] {
            assert_eq!(
                safety_policy_from(Some(&wrong)),
                SafetyPolicy::default(),
                "{wrong}"
            );
        }
    }

    #[test]
    fn the_managed_policys_collector_replaces_the_users_who_cannot_turn_forwarding_off() {
        let siem: SyslogSettings =
            serde_json::from_value(json!({"host": "siem.contoso.com", "port": 6514})).unwrap();
        let own = json!({"host": "127.0.0.1", "port": 5514, "tls": false});
        assert_eq!(
            syslog_in_force(Some(&siem), Some(own.clone())),
            Some(siem.clone())
        );
        assert_eq!(
            syslog_in_force(Some(&siem), None),
            Some(siem),
            "not off either"
        );
        assert_eq!(
            syslog_in_force(None, Some(own)).map(|s| s.port),
            Some(5514),
            "without a policy, the user's"
        );
        assert_eq!(syslog_in_force(None, None), None);
    }

    #[test]
    fn the_managed_policy_is_a_floor_and_one_that_cannot_be_applied_stops_actions() {
        use resetdesk_core::safety::managed::ManagedPolicy;
        let user = SafetyPolicy::from_settings(Some(&json!({
            "rateLimits": {"resetsPerHour": 4294967295u32},
            "verification": {"required": false, "methods": []}
        })))
        .unwrap();
        assert_eq!(
            rules_in_force(user.clone(), ManagedState::Absent).unwrap(),
            (user.clone(), None),
            "no managed policy: the user's settings as they are"
        );
        let floor = ManagedPolicy {
            safety: SafetyPolicy::from_settings(Some(
                &json!({"rateLimits": {"resetsPerHour": 10}}),
            ))
            .unwrap(),
            ..Default::default()
        };
        let (rules, ignored) =
            rules_in_force(user.clone(), ManagedState::Valid(Box::new(floor))).unwrap();
        assert_eq!(rules.rate_limits.resets_per_hour, 10);
        let ignored: Vec<&str> = ignored.unwrap().iter().map(|i| i.rule).collect();
        assert_eq!(
            ignored,
            ["verification.required", "rateLimits.resetsPerHour"],
            "the window is told which settings the policy raised"
        );
        assert!(
            rules.verification.required,
            "the policy's default floor: required"
        );
        assert!(!rules.verification.methods.is_empty());
        assert_eq!(
            rules_in_force(user, ManagedState::Refused("fix it".into())),
            Err("fix it".to_string())
        );
    }
}
