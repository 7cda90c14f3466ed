//! Bulk jobs (today Lighthouse's resets across customers, `SafetyClass::Bulk`): follow one (a
//! confirmed bulk plan starts its job through `run_plan`, as any plan runs), stop it, and finish
//! the ones a restart interrupted. Each only parses the page's input and calls the Console;
//! every check is made there.
use resetdesk_core::console::BulkJobView;
use resetdesk_core::AppError;
use tauri::State;

use crate::state::AppStart;

/// Where a job stands: its counts, and a result per user and per method.
#[tauri::command]
pub async fn job_status(
    start: State<'_, AppStart>,
    job_id: String,
) -> Result<BulkJobView, AppError> {
    let state = start.ready().await?;
    state.console.job_status(&job_id).await
}

#[tauri::command]
pub async fn cancel_job(
    start: State<'_, AppStart>,
    job_id: String,
) -> Result<BulkJobView, AppError> {
    let state = start.ready().await?;
    state.console.cancel_job(&job_id).await
}

/// Jobs the app did not finish (closed or crashed half-way, or cancelled).
#[tauri::command]
pub async fn unfinished_jobs(start: State<'_, AppStart>) -> Result<Vec<BulkJobView>, AppError> {
    let state = start.ready().await?;
    state.console.unfinished_jobs().await
}

#[tauri::command]
pub async fn resume_job(
    start: State<'_, AppStart>,
    job_id: String,
) -> Result<BulkJobView, AppError> {
    let state = start.ready().await?;
    state.console.resume_job(&job_id).await
}
