//! The commands of the directories served through the provider seam (Zoho Directory,
//! Privilege Secure and any provider registered with `Console::with_provider`): sign in, trust a server's
//! certificate, find a user, open their page. Each only parses the page's input and calls the
//! Console; every check is made there. Planning and running go through `plan_provider_action`
//! and `run_provider_plan`, which every provider's plans share.
use resetdesk_core::console::ConnectionView;
use std::sync::Arc;

use resetdesk_core::seam::{SignInOutcome, SignInRequest, UserPage, UserSearch};
use resetdesk_core::AppError;
use secrecy::SecretString;
use tauri::{AppHandle, Runtime, State};

use super::connections::saved_view;
use crate::state::AppStart;
use crate::system_browser::SystemBrowser;

/// Signs in with what the connection's sign-in form asks for (a login, and a password and a
/// second factor's code where the provider needs them). The answer says whether it is done or
/// which step comes next (an untrusted certificate to show, a device code to enter). Sent
/// again with the device code shown, it waits for the operator's approval. A real connection's
/// sign-in page opens in the default browser; the sandbox's is answered by its demo sign-in.
/// A connection that moved (a Zoho account in another data centre) is saved so.
#[tauri::command]
pub async fn directory_sign_in<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    connection_id: String,
    account: String,
    password: Option<String>,
    code: Option<String>,
    device_code: Option<String>,
) -> Result<SignInOutcome, AppError> {
    let state = start.ready().await?;
    let is_sandbox = state.console.connection_settings(&connection_id)?.sandbox;
    let request = SignInRequest {
        account,
        password: password.map(SecretString::from),
        code,
        device_code,
        browser: (!is_sandbox).then(|| Arc::new(SystemBrowser::new(app.clone())) as _),
    };
    let before = state.console.saved_connections();
    let outcome = state.console.sign_in_with(&connection_id, request).await?;
    let after = state.console.saved_connections();
    if after != before {
        crate::startup::save_connections(&app, &after)?;
    }
    Ok(outcome)
}

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
