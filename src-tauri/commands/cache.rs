//! The offline user cache: search it (offline and before sign-in too), read its status line,
//! refresh it in the background.
use resetdesk_core::console::{CacheStatus, CachedSearch};
use resetdesk_core::AppError;
use tauri::State;

use crate::state::AppStart;

#[tauri::command]
pub async fn search_cached_users(
    start: State<'_, AppStart>,
    connection_id: String,
    query: String,
) -> Result<CachedSearch, AppError> {
    let state = start.ready().await?;
    state
        .console
        .search_cached_users(&connection_id, &query)
        .await
}

#[tauri::command]
pub async fn cache_status(
    start: State<'_, AppStart>,
    connection_id: String,
) -> Result<CacheStatus, AppError> {
    let state = start.ready().await?;
    state.console.cache_status(&connection_id).await
}

/// Returns at once; the sync runs in the background and `cache_status` shows its progress.
#[tauri::command]
pub async fn refresh_cache(
    start: State<'_, AppStart>,
    connection_id: String,
) -> Result<(), AppError> {
    let state = start.ready().await?;
    state.console.refresh_cache(&connection_id).await
}
