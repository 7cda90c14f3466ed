//! The commands of the Lighthouse (partner) screens: customers, users and methods across the
//! selected customers, the offered actions, the confirmation, and the bulk job. Each only
//! parses the page's input and calls the Console; every check is made there.
use resetdesk_core::console::{
    BulkJobView, LighthouseMethods, LighthousePlan, LighthouseUserDetails, LighthouseUsers,
    TargetRef,
};
use resetdesk_core::providers::lighthouse::{ActionOffer, CustomerAccess};
use resetdesk_core::AppError;
use tauri::State;

use crate::state::AppStart;

#[tauri::command]
pub async fn lighthouse_customers(
    start: State<'_, AppStart>,
    connection_id: String,
) -> Result<Vec<CustomerAccess>, AppError> {
    let state = start.ready().await?;
    state.console.lighthouse_customers(&connection_id).await
}

#[tauri::command]
pub async fn lighthouse_offered_actions(
    start: State<'_, AppStart>,
    connection_id: String,
    tenant_ids: Vec<String>,
) -> Result<Vec<ActionOffer>, AppError> {
    let state = start.ready().await?;
    state
        .console
        .lighthouse_offered_actions(&connection_id, &tenant_ids)
        .await
}

#[tauri::command]
pub async fn lighthouse_users(
    start: State<'_, AppStart>,
    connection_id: String,
    tenant_ids: Vec<String>,
    query: String,
) -> Result<LighthouseUsers, AppError> {
    let state = start.ready().await?;
    state
        .console
        .lighthouse_users(&connection_id, &tenant_ids, &query)
        .await
}

#[tauri::command]
pub async fn lighthouse_methods_list(
    start: State<'_, AppStart>,
    connection_id: String,
    tenant_ids: Vec<String>,
    query: String,
) -> Result<LighthouseMethods, AppError> {
    let state = start.ready().await?;
    state
        .console
        .lighthouse_methods_list(&connection_id, &tenant_ids, &query)
        .await
}

#[tauri::command]
pub async fn lighthouse_user_details(
    start: State<'_, AppStart>,
    connection_id: String,
    tenant_id: String,
    user_id: String,
) -> Result<LighthouseUserDetails, AppError> {
    let state = start.ready().await?;
    state
        .console
        .lighthouse_user_details(&connection_id, &tenant_id, &user_id)
        .await
}

#[tauri::command]
pub async fn lighthouse_plan_reset(
    start: State<'_, AppStart>,
    connection_id: String,
    targets: Vec<TargetRef>,
) -> Result<LighthousePlan, AppError> {
    let state = start.ready().await?;
    state
        .console
        .lighthouse_plan_reset(&connection_id, &targets)
        .await
}

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
