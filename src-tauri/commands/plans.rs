//! Running a confirmed plan, whatever its provider. Parses the page's input and calls the
//! Console; every check is made there.
use resetdesk_core::console::{PasswordInput, RunResult};
use resetdesk_core::AppError;
use tauri::State;

use crate::state::AppStart;

/// Runs the plan the operator confirmed, with their reason; `password` only for a plan whose
/// form asked for one (Zoho's reset with a password the operator typed).
#[tauri::command]
pub async fn run_plan(
    start: State<'_, AppStart>,
    plan_id: String,
    reason: String,
    password: Option<PasswordInput>,
) -> Result<RunResult, AppError> {
    let state = start.ready().await?;
    state.console.run_plan(&plan_id, &reason, password).await
}
