use resetdesk_core::AppError;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};

use crate::desktop::LogInfo;
use crate::startup::SETTINGS_FILE;

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
