use std::fs::{File, OpenOptions};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use resetdesk_core::audit::{AuditEntry, AuditFilter, AuditVerification, ExportFormat};
use resetdesk_core::audit_forward::ForwardingStatus;
use resetdesk_core::AppError;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::state::AppStart;

/// The newest `limit` (default 200) entries, newest first; with `filter`, only those that
/// match it. `list_audit({limit})` without a filter is what the page called before filters.
#[tauri::command]
pub async fn list_audit(
    start: State<'_, AppStart>,
    limit: Option<usize>,
    filter: Option<AuditFilter>,
) -> Result<Vec<AuditEntry>, AppError> {
    let state = start.ready().await?;
    let console = state.console.clone();
    let filter = filter.unwrap_or_default();
    tauri::async_runtime::spawn_blocking(move || console.query_audit(&filter, limit.unwrap_or(200)))
        .await
        .map_err(|e| {
            AppError::internal("Reading the audit log stopped unexpectedly")
                .with_detail(e.to_string())
        })?
}

/// Whether the audit log is forwarded to a syslog collector, where, and how delivery goes.
#[tauri::command]
pub async fn audit_forwarding(start: State<'_, AppStart>) -> Result<ForwardingStatus, AppError> {
    let state = start.ready().await?;
    Ok(state.console.forwarding_status())
}

#[tauri::command]
pub async fn verify_audit(start: State<'_, AppStart>) -> Result<AuditVerification, AppError> {
    let state = start.ready().await?;
    let console = state.console.clone();
    tauri::async_runtime::spawn_blocking(move || console.verify_audit())
        .await
        .map_err(|e| {
            AppError::internal("Verifying the audit log stopped unexpectedly")
                .with_detail(e.to_string())
        })
}

#[derive(Debug, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub path: String,
    pub entries: usize,
}

/// Exports the entries that match `filter` (all of them by default) to a file the operator
/// picks in a native Save dialog, opened from Rust: the page never gets file system or dialog
/// access, and never learns anything but the chosen path. `None` when the operator cancels.
#[tauri::command]
pub async fn export_audit<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    format: ExportFormat,
    filter: Option<AuditFilter>,
) -> Result<Option<ExportResult>, AppError> {
    let state = start.ready().await?;
    let filter = filter.unwrap_or_default();
    // A bad date is reported before the operator is asked where to save.
    filter.check()?;

    let (chosen_tx, chosen_rx) = tokio::sync::oneshot::channel();
    let (filter_name, extensions): (&str, &[&str]) = match format {
        ExportFormat::Csv => ("CSV", &["csv"]),
        ExportFormat::Jsonl => ("JSON Lines", &["jsonl"]),
    };
    app.dialog()
        .file()
        .set_title("Export the audit log")
        .set_file_name(format.suggested_file_name())
        .add_filter(filter_name, extensions)
        .save_file(move |chosen| {
            let _ = chosen_tx.send(chosen);
        });
    let chosen = chosen_rx.await.map_err(|_| {
        AppError::internal("The Save dialog closed without an answer; try the export again.")
    })?;
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|e| {
        AppError::invalid_input("The chosen location is not a file on this computer.")
            .with_detail(e.to_string())
    })?;

    let console = state.console.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let file = create_private(&path)?;
        let written = console.export_audit(format, &filter, BufWriter::new(&file));
        let synced = written.and_then(|count| {
            file.sync_all().map(|()| count).map_err(|e| {
                AppError::internal(format!("Could not finish writing {}", path.display()))
                    .with_detail(e.to_string())
            })
        });
        match synced {
            Ok(entries) => Ok(Some(ExportResult {
                path: path.display().to_string(),
                entries,
            })),
            Err(e) => {
                // A half-written export must not pass for a complete one.
                let _ = std::fs::remove_file(&path);
                Err(e)
            }
        }
    })
    .await
    .map_err(|e| {
        AppError::internal("Exporting the audit log stopped unexpectedly")
            .with_detail(e.to_string())
    })?
}

/// Creates (or truncates) the export file, readable by its owner only like the log itself:
/// it names operators, users and their tickets.
fn create_private(path: &Path) -> Result<File, AppError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| {
        AppError::internal(format!(
            "Could not create {}",
            PathBuf::from(path).display()
        ))
        .with_detail(e.to_string())
    })
}
