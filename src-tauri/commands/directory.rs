//! Finding users and reading their pages, for any provider of the seam: one search
//! (`directory_search`) for a connection whose users live in one organisation; the tenants,
//! and the users or methods of those selected, for one whose users live in several (a
//! Lighthouse partner's customers: `directory_tenants`, `directory_tenant_users`,
//! `directory_tenant_methods`); one user page (`directory_user`). Each only parses the page's
//! input and calls the Console; every check is made there.
use resetdesk_core::model::tenants::{TenantAccess, TenantMethods, TenantUsers};
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

/// The tenants a connection's sign-in reaches (a Lighthouse partner's customers), with the
/// operator's roles in each.
#[tauri::command]
pub async fn directory_tenants(
    start: State<'_, AppStart>,
    connection_id: String,
) -> Result<Vec<TenantAccess>, AppError> {
    let state = start.ready().await?;
    state.console.directory_tenants(&connection_id).await
}

/// The users of the selected tenants, with the actions the selection allows.
#[tauri::command]
pub async fn directory_tenant_users(
    start: State<'_, AppStart>,
    connection_id: String,
    tenant_ids: Vec<String>,
    query: String,
) -> Result<TenantUsers, AppError> {
    let state = start.ready().await?;
    state
        .console
        .directory_tenant_users(&connection_id, &tenant_ids, &query)
        .await
}

/// The same users with their sign-in methods (the Authentication methods list).
#[tauri::command]
pub async fn directory_tenant_methods(
    start: State<'_, AppStart>,
    connection_id: String,
    tenant_ids: Vec<String>,
    query: String,
) -> Result<TenantMethods, AppError> {
    let state = start.ready().await?;
    state
        .console
        .directory_tenant_methods(&connection_id, &tenant_ids, &query)
        .await
}
