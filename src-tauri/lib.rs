//! The ResetDesk shell: builds the Tauri app around the core. Commands live in `commands/`
//! and are thin adapters; every decision is made in `resetdesk_core`.

mod commands;
mod startup;
mod state;
mod system_browser;

use tauri::{Manager, Runtime};

/// Every command the page may call, as declared in build.rs (a test keeps the two in step).
macro_rules! app_commands {
    () => {
        tauri::generate_handler![
            commands::connections::list_connections,
            commands::connections::sign_in,
            commands::connections::sign_out,
            commands::users::search_users,
            commands::users::get_user_details,
            commands::users::plan_action,
            commands::users::execute_plan,
            commands::audit::list_audit,
            commands::audit::verify_audit,
            commands::clipboard::copy_to_clipboard,
        ]
    };
}

/// The app's builder, generic over the runtime so tests can use Tauri's mock runtime.
pub fn builder<R: Runtime>() -> tauri::Builder<R> {
    tauri::Builder::<R>::new()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler(app_commands!())
        .setup(|app| {
            let state = startup::start(app.handle())?;
            app.manage(state);
            Ok(())
        })
}

pub fn run() {
    init_logging();
    if let Err(e) = builder::<tauri::Wry>().run(tauri::generate_context!()) {
        tracing::error!(error = %e, "ResetDesk could not start");
        eprintln!("ResetDesk could not start: {e}");
        std::process::exit(1);
    }
}

/// Logs go to stderr; the level comes from RESETDESK_LOG (default "info"). Nothing logged
/// anywhere in the app carries a secret: the core's types redact them.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RESETDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
