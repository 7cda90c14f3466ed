use std::time::Duration;

use resetdesk_core::secrets::ExposeSecret;
use resetdesk_core::AppError;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::state::AppStart;

/// Longest time a copied value may stay on the clipboard.
const MAX_CLEAR_AFTER_SECONDS: u64 = 300;

/// Copies a one-time secret Rust has just set (a temporary password, a Temporary Access Pass,
/// a generated Zoho password), named by the handle its result carried, and clears the
/// clipboard after a while unless the operator copied something else meanwhile. The page
/// sends a handle, never text: only what Rust set can reach the clipboard. Done from Rust so
/// the page needs no clipboard permission of its own.
#[tauri::command]
pub async fn copy_to_clipboard<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    handle: String,
    clear_after_seconds: Option<u64>,
) -> Result<(), AppError> {
    let state = start.ready().await?;
    let text = state
        .console
        .revealed_secret(&handle)?
        .expose_secret()
        .to_string();
    let clear_after = clear_after_seconds
        .unwrap_or(30)
        .clamp(5, MAX_CLEAR_AFTER_SECONDS);
    app.clipboard().write_text(text.clone()).map_err(|e| {
        AppError::internal("Could not write to the clipboard").with_detail(e.to_string())
    })?;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(clear_after)).await;
        let clipboard = app.clipboard();
        if clipboard
            .read_text()
            .map(|current| current == text)
            .unwrap_or(false)
        {
            // Overwrite rather than leave the password for clipboard managers to keep.
            let _ = clipboard.write_text(String::new());
        }
    });
    Ok(())
}
