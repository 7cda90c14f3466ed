// Every app command is declared to tauri-build, so that a window may call one only if a
// capability in tauri.conf.json grants its `allow-<command>` permission.
include!("command_names.rs");

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES)),
    )
    .expect("failed to run tauri-build");
}
