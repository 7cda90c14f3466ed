use resetdesk_core::console::UserDetails;
use resetdesk_core::model::DirectoryUser;
use resetdesk_core::providers::entra::actions::{ActionKind, ActionOptions};
use resetdesk_core::providers::entra::planner::Plan;
use resetdesk_core::AppError;
use tauri::State;

use crate::state::AppStart;

#[tauri::command]
pub async fn search_users(
    start: State<'_, AppStart>,
    connection_id: String,
    query: String,
) -> Result<Vec<DirectoryUser>, AppError> {
    let state = start.ready().await?;
    state.console.search_users(&connection_id, &query).await
}

#[tauri::command]
pub async fn get_user_details(
    start: State<'_, AppStart>,
    connection_id: String,
    user_id: String,
) -> Result<UserDetails, AppError> {
    let state = start.ready().await?;
    state.console.user_details(&connection_id, &user_id).await
}

#[tauri::command]
pub async fn plan_action(
    start: State<'_, AppStart>,
    connection_id: String,
    user_id: String,
    action: ActionKind,
    options: Option<ActionOptions>,
    replaces: Option<String>,
) -> Result<Plan, AppError> {
    let state = start.ready().await?;
    // No options (an older page, or an action without any) plans the action alone.
    let options = options.unwrap_or_default();
    let plan = state
        .console
        .plan_action_with(&connection_id, &user_id, action, &options)
        .await?;
    // Re-planned for new options: keep what the confirmation recorded on the plan it replaces.
    if let Some(replaced) = replaces {
        state.console.carry_over_confirmation(&replaced, &plan.id)?;
    }
    Ok(plan)
}
