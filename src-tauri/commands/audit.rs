use resetdesk_core::audit::{AuditEntry, AuditVerification};
use resetdesk_core::AppError;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn list_audit(
    state: State<'_, AppState>,
    limit: Option<usize>,
) -> Result<Vec<AuditEntry>, AppError> {
    let console = state.console.clone();
    tauri::async_runtime::spawn_blocking(move || console.list_audit(limit.unwrap_or(200)))
        .await
        .map_err(|e| {
            AppError::internal("Reading the audit log stopped unexpectedly")
                .with_detail(e.to_string())
        })?
}

#[tauri::command]
pub async fn verify_audit(state: State<'_, AppState>) -> Result<AuditVerification, AppError> {
    let console = state.console.clone();
    tauri::async_runtime::spawn_blocking(move || console.verify_audit())
        .await
        .map_err(|e| {
            AppError::internal("Verifying the audit log stopped unexpectedly")
                .with_detail(e.to_string())
        })
}
