//! Bulk jobs (Lighthouse's resets across customers): start one from a confirmed plan, follow
//! it, stop it, and finish the ones a restart interrupted. Each only parses the page's input
//! and calls the Console; every check is made there.
use resetdesk_core::console::BulkJobView;
use resetdesk_core::AppError;
use tauri::State;

use crate::state::AppStart;

/// Starts the confirmed reset as a bulk job; returns at once (the page polls `lighthouse_job`).
#[tauri::command]
pub async fn lighthouse_start_job(
    start: State<'_, AppStart>,
    plan_id: String,
    reason: String,
) -> Result<BulkJobView, AppError> {
    let state = start.ready().await?;
    state.console.lighthouse_start_job(&plan_id, &reason).await
}

#[tauri::command]
pub async fn lighthouse_job(
    start: State<'_, AppStart>,
    job_id: String,
) -> Result<BulkJobView, AppError> {
    let state = start.ready().await?;
    state.console.lighthouse_job(&job_id).await
}

#[tauri::command]
pub async fn lighthouse_cancel_job(
    start: State<'_, AppStart>,
    job_id: String,
) -> Result<BulkJobView, AppError> {
    let state = start.ready().await?;
    state.console.lighthouse_cancel_job(&job_id).await
}

/// Jobs the app did not finish (closed or crashed half-way, or cancelled).
#[tauri::command]
pub async fn lighthouse_unfinished_jobs(
    start: State<'_, AppStart>,
) -> Result<Vec<BulkJobView>, AppError> {
    let state = start.ready().await?;
    state.console.lighthouse_unfinished_jobs().await
}

#[tauri::command]
pub async fn lighthouse_resume_job(
    start: State<'_, AppStart>,
    job_id: String,
) -> Result<BulkJobView, AppError> {
    let state = start.ready().await?;
    state.console.lighthouse_resume_job(&job_id).await
}
