//! Finding users and reading their pages: one search for every provider but Lighthouse
//! (`directory_search`: Microsoft Entra, Zoho Directory, Privilege Secure and any provider
//! registered with `Console::with_provider`), Lighthouse's reads across the selected customers,
//! and one user page for every provider (`directory_user`). Each only parses the page's input
//! and calls the Console; every check is made there.
use resetdesk_core::console::{LighthouseMethods, LighthouseUsers};
use resetdesk_core::providers::lighthouse::CustomerAccess;
use resetdesk_core::seam::{UserPage, UserSearch};
use resetdesk_core::AppError;
use tauri::State;

use crate::state::AppStart;

#[tauri::command]
pub async fn directory_search(
    start: State<'_, AppStart>,
    connection_id: String,
    query: String,
) -> Result<UserSearch, AppError> {
    let state = start.ready().await?;
    state.console.directory_search(&connection_id, &query).await
}

/// A user's page, whichever provider's, by the id its users list gave the row.
#[tauri::command]
pub async fn directory_user(
    start: State<'_, AppStart>,
    connection_id: String,
    user_id: String,
) -> Result<UserPage, AppError> {
    let state = start.ready().await?;
    state.console.directory_user(&connection_id, &user_id).await
}

#[tauri::command]
pub async fn lighthouse_customers(
    start: State<'_, AppStart>,
    connection_id: String,
) -> Result<Vec<CustomerAccess>, AppError> {
    let state = start.ready().await?;
    state.console.lighthouse_customers(&connection_id).await
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
