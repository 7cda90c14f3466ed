//! What the desktop gives the page: the About box, and the clipboard for a one-time secret.
use std::time::Duration;

use resetdesk_core::secrets::ExposeSecret;
use resetdesk_core::AppError;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::desktop::LogInfo;
use crate::startup::SETTINGS_FILE;
use crate::state::AppStart;

/// What the About box shows: the version and where ResetDesk keeps its files. Paths only;
/// nothing here is secret.
#[derive(Debug, Serialize, ts_rs::TS)]
#[ts(export, rename = "AboutInfo")]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub product_name: String,
    pub version: String,
    pub identifier: String,
    pub tauri_version: String,
    pub os: String,
    /// Settings, audit log and the offline cache.
    pub data_dir: String,
    pub settings_file: String,
    pub audit_log: String,
    /// Logs (rotated daily) and crash reports.
    pub log_dir: String,
    /// The level in force, e.g. `info` or `debug (from RESETDESK_LOG)`; empty when the log
    /// file could not be opened.
    pub log_level: String,
    /// The window's remembered size and position.
    pub config_dir: String,
}

#[tauri::command]
pub fn about<R: Runtime>(app: AppHandle<R>) -> Result<About, AppError> {
    let path = |what: &str, p: tauri::Result<std::path::PathBuf>| {
        p.map_err(|e| {
            AppError::internal(format!("Could not find the {what} directory"))
                .with_detail(e.to_string())
        })
    };
    let data_dir = path("data", app.path().app_data_dir())?;
    let log_dir = path("log", app.path().app_log_dir())?;
    let config_dir = path("config", app.path().app_config_dir())?;
    let log_level = app
        .try_state::<LogInfo>()
        .map(|l| l.level.clone())
        .unwrap_or_default();
    let info = app.package_info();
    let show = |p: &std::path::Path| p.display().to_string();
    Ok(About {
        product_name: info.name.clone(),
        version: info.version.to_string(),
        identifier: app.config().identifier.clone(),
        tauri_version: tauri::VERSION.to_string(),
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        settings_file: show(&data_dir.join(SETTINGS_FILE)),
        audit_log: show(&crate::startup::audit_path(&data_dir)),
        data_dir: show(&data_dir),
        log_dir: show(&log_dir),
        log_level,
        config_dir: show(&config_dir),
    })
}

/// Longest time a copied value may stay on the clipboard.
const MAX_CLEAR_AFTER_SECONDS: u64 = 300;

/// Copies a one-time secret Rust has just set (a temporary password, a Temporary Access Pass,
/// a generated Zoho password), named by the handle its result carried, and clears the
/// clipboard after a while unless the operator copied something else meanwhile. The page
/// sends a handle, never text: only what Rust set can reach the clipboard. Done from Rust so
/// the page needs no clipboard permission of its own.
#[tauri::command]
pub async fn copy_to_clipboard<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    handle: String,
    clear_after_seconds: Option<u64>,
) -> Result<(), AppError> {
    let state = start.ready().await?;
    let text = state
        .console
        .revealed_secret(&handle)?
        .expose_secret()
        .to_string();
    let clear_after = clear_after_seconds
        .unwrap_or(30)
        .clamp(5, MAX_CLEAR_AFTER_SECONDS);
    app.clipboard().write_text(text.clone()).map_err(|e| {
        AppError::internal("Could not write to the clipboard").with_detail(e.to_string())
    })?;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(clear_after)).await;
        let clipboard = app.clipboard();
        if clipboard
            .read_text()
            .map(|current| current == text)
            .unwrap_or(false)
        {
            // Overwrite rather than leave the password for clipboard managers to keep.
            let _ = clipboard.write_text(String::new());
        }
    });
    Ok(())
}
