//! The commands of the directories served through the provider seam (Zoho Directory,
//! Privilege Secure and any provider registered with `Console::with_provider`): trust a
//! server's certificate, find a user, open their page (every connection signs in with
//! `sign_in`). Each only parses the page's input and calls the Console; every check is made
//! there. Planning goes through `plan_provider_action`, running through `run_plan`,
//! which every provider's plans share.
use resetdesk_core::console::ConnectionView;
use resetdesk_core::seam::{UserPage, UserSearch};
use resetdesk_core::AppError;
use tauri::{AppHandle, Runtime, State};

use super::connections::saved_view;
use crate::state::AppStart;

/// Trusts the certificate the operator was shown, for this connection only, and saves it.
#[tauri::command]
pub async fn trust_certificate<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    connection_id: String,
    sha256: String,
) -> Result<ConnectionView, AppError> {
    let state = start.ready().await?;
    state
        .console
        .trust_certificate(&connection_id, &sha256)
        .await?;
    saved_view(&app, state, &connection_id).await
}

#[tauri::command]
pub async fn directory_search(
    start: State<'_, AppStart>,
    connection_id: String,
    query: String,
) -> Result<UserSearch, AppError> {
    let state = start.ready().await?;
    state.console.directory_search(&connection_id, &query).await
}

#[tauri::command]
pub async fn directory_user(
    start: State<'_, AppStart>,
    connection_id: String,
    user_id: String,
) -> Result<UserPage, AppError> {
    let state = start.ready().await?;
    state.console.directory_user(&connection_id, &user_id).await
}
