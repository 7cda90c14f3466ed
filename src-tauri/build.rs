// Declaring every app command here makes Tauri's ACL govern them: a command is callable from a
// window only if a capability in tauri.conf.json grants its `allow-<command>` permission.
// Keep this list, `COMMAND_NAMES` and the `app_commands!` handlers in lib.rs in step (a test
// checks it).
pub const APP_COMMANDS: &[&str] = &[
    "list_connections",
    "sign_in",
    "sign_out",
    "add_connection",
    "remove_connection",
    "search_users",
    "get_user_details",
    "plan_action",
    "execute_plan",
    "search_cached_users",
    "cache_status",
    "refresh_cache",
    "list_audit",
    "verify_audit",
    "export_audit",
    "copy_to_clipboard",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(APP_COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
