//! The ResetDesk shell: builds the Tauri app around the core. Commands live in `commands/`
//! and are thin adapters; every decision is made in `resetdesk_core`.

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .run(tauri::generate_context!())
        .expect("error while running ResetDesk");
}
