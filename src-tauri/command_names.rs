// The commands the page may call, in one list shared by build.rs (`include!`d there: declaring
// them to tauri-build makes Tauri's ACL govern them) and lib.rs. tauri.conf.json grants each
// one as `allow-<command>` and `app_commands!` in lib.rs registers each handler; a test in
// lib.rs checks both against this list.
pub const COMMAND_NAMES: &[&str] = &[
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
    "audit_forwarding",
    "copy_to_clipboard",
    "send_verification_code",
    "record_verification",
    "approve_plan",
    "about",
];
