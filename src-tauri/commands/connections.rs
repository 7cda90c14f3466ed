//! Connections: list them, add and remove one, sign in (any provider, with what its form asks
//! for) and out, trust a server's certificate for one connection, and the sandbox's demos.
//! Each only parses the page's input and calls the Console; every check is made there.
use resetdesk_core::connection::NewConnection;
use resetdesk_core::console::ConnectionView;
use resetdesk_core::seam::{SignInOutcome, SignInRequest};
use resetdesk_core::AppError;
use secrecy::SecretString;
use std::sync::Arc;
use tauri::{AppHandle, Runtime, State};

use crate::state::{AppStart, AppState};
use crate::system_browser::SystemBrowser;

#[tauri::command]
pub async fn list_connections(start: State<'_, AppStart>) -> Result<Vec<ConnectionView>, AppError> {
    let state = start.ready().await?;
    Ok(state.console.connections().await)
}

/// Signs in to a connection of any provider with what its sign-in form asks for: the demo
/// account for a sandbox; a login, a password and a second factor's code where the provider
/// needs them. The answer says whether it is done or which step comes next (an untrusted
/// certificate to show, a device code to enter); sent again with the device code shown, it
/// waits for the operator's approval. A real connection's sign-in page opens in the default
/// browser; a sandbox's is answered by its demo sign-in. A connection that moved (a Zoho
/// account in another data centre) is saved so.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    connection_id: String,
    account: Option<String>,
    password: Option<String>,
    code: Option<String>,
    device_code: Option<String>,
) -> Result<SignInOutcome, AppError> {
    let state = start.ready().await?;
    let request = SignInRequest {
        password: password.map(SecretString::from),
        code,
        device_code,
        ..sign_in_form(&app, state, &connection_id, account)?
    };
    let before = state.console.saved_connections();
    let outcome = state.console.sign_in_with(&connection_id, request).await?;
    let after = state.console.saved_connections();
    if after != before {
        crate::startup::save_connections(&app, &after)?;
    }
    Ok(outcome)
}

/// A sign-in form's account and who shows the provider's sign-in page: the system browser
/// for a real connection, none for a sandbox (whose page ResetDesk answers as the demo
/// `account`), so the sandbox never opens the operator's browser.
pub fn sign_in_form<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    connection_id: &str,
    account: Option<String>,
) -> Result<SignInRequest, AppError> {
    let is_sandbox = state.console.connection_settings(connection_id)?.sandbox;
    Ok(SignInRequest {
        account: account.unwrap_or_default(),
        browser: (!is_sandbox).then(|| Arc::new(SystemBrowser::new(app.clone())) as _),
        ..Default::default()
    })
}

#[tauri::command]
pub async fn sign_out(start: State<'_, AppStart>, connection_id: String) -> Result<(), AppError> {
    let state = start.ready().await?;
    state.console.sign_out(&connection_id).await
}

/// Adds a connection of any provider (its form checked in Rust) and saves the list of
/// connections.
#[tauri::command]
pub async fn add_connection<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    connection: NewConnection,
) -> Result<ConnectionView, AppError> {
    let state = start.ready().await?;
    let id = state.console.add_new_connection(connection).await?;
    saved_view(&app, state, &id).await
}

/// Saves the connection list (after an add or a change) and returns the view of `id`.
pub async fn saved_view<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    id: &str,
) -> Result<ConnectionView, AppError> {
    crate::startup::save_connections(app, &state.console.saved_connections())?;
    state
        .console
        .connections()
        .await
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| AppError::internal("The connection was not kept."))
}

/// Removes a tenant: signs out, deletes its refresh token from the keychain, saves the list.
#[tauri::command]
pub async fn remove_connection<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    connection_id: String,
) -> Result<(), AppError> {
    let state = start.ready().await?;
    state.console.remove_connection(&connection_id).await?;
    crate::startup::save_connections(&app, &state.console.saved_connections())
}

/// The sandbox's outage demo: with `down`, the built-in connection (Contoso on Entra, Zylker
/// on Zoho) becomes unreachable (or reachable again), so the page shows offline mode; without
/// it, nothing changes. Answers whether the outage is on. It touches only the in-app emulator;
/// another connection, or a build without the sandbox, is refused.
#[tauri::command]
pub async fn sandbox_simulate_outage(
    start: State<'_, AppStart>,
    connection_id: String,
    down: Option<bool>,
) -> Result<bool, AppError> {
    let state = start.ready().await?;
    #[cfg(feature = "sandbox")]
    {
        let no_demo = || {
            AppError::invalid_input(
                "Only the built-in Contoso and Zylker sandboxes can simulate an outage.",
            )
        };
        if let Some(down) = down {
            state
                .sandbox
                .set_network_down(&connection_id, down)
                .ok_or_else(no_demo)?;
        }
        state
            .sandbox
            .network_down(&connection_id)
            .ok_or_else(no_demo)
    }
    #[cfg(not(feature = "sandbox"))]
    {
        let _ = (state, connection_id, down);
        Err(AppError::invalid_input(
            "This build of ResetDesk has no sandbox.",
        ))
    }
}

/// The sandbox's demo of team-wide counting: a second "desktop" (its own data directory, under
/// this one's as `second-desktop/`, over the same Contoso tenant) resets `user_id`'s password as
/// the operator signed in here. The count of this operator's resets then reads it from the
/// tenant's audit log. Only the Contoso sandbox has it.
#[tauri::command]
pub async fn sandbox_second_desktop_reset<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    start: State<'_, AppStart>,
    user_id: String,
) -> Result<String, AppError> {
    let state = start.ready().await?;
    #[cfg(feature = "sandbox")]
    {
        use tauri::Manager;
        let operator = state
            .console
            .connections()
            .await
            .into_iter()
            .find(|c| c.id == crate::startup::SANDBOX_CONNECTION_ID)
            .and_then(|c| c.operator)
            .ok_or_else(|| {
                AppError::new(
                    resetdesk_core::ErrorKind::NotSignedIn,
                    "Sign in to the Contoso sandbox first: the second desktop acts as the same operator.",
                )
            })?;
        let dir = app
            .path()
            .app_data_dir()
            .map_err(|e| AppError::internal("No data directory").with_detail(e.to_string()))?
            .join("second-desktop");
        state
            .sandbox
            .reset_from_second_desktop(&dir, &operator.user_principal_name, &user_id)
            .await
    }
    #[cfg(not(feature = "sandbox"))]
    {
        let _ = (app, state, user_id);
        Err(AppError::invalid_input(
            "This build of ResetDesk has no sandbox.",
        ))
    }
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
