//! Plans: making one (any provider's, with the options its form chose; Lighthouse's across
//! customers), running a confirmed one whatever its provider and kind, and the steps left to
//! finish by hand. Each only parses the page's input and calls the Console; every check is made
//! there.
use resetdesk_core::auth::BrowserLauncher;
use resetdesk_core::console::{
    BulkPlan, ByHandPage, ByHandSettled, ByHandSettlement, PasswordInput, PendingByHandStep,
    ProviderPlan, RunOutcome,
};
use resetdesk_core::AppError;
use tauri::{AppHandle, Runtime, State};

use crate::state::AppStart;
use crate::system_browser::SystemBrowser;

/// Plans an offered action on one user, whatever the provider, with the choices its option
/// form made (Entra's "also revoke sessions" and a pass's terms, Zoho's password rules); the
/// provider reads its own options. `replaces`: the summary this one re-plans for new choices,
/// whose caller verification and approval carry over where the request is the same.
#[tauri::command]
pub async fn plan_action(
    start: State<'_, AppStart>,
    connection_id: String,
    user_id: String,
    action: String,
    options: Option<serde_json::Value>,
    replaces: Option<String>,
) -> Result<ProviderPlan, AppError> {
    let state = start.ready().await?;
    let plan = state
        .console
        .plan_provider_action(&connection_id, &user_id, action, options)
        .await?;
    if let Some(replaced) = replaces {
        state.console.carry_over_confirmation(&replaced, &plan.id)?;
    }
    Ok(plan)
}

/// Plans an offered action on many users at once (`user_ids`: the ids the connection's rows
/// gave), run as a bulk job once confirmed: a Lighthouse partner's reset across customers.
#[tauri::command]
pub async fn plan_bulk_action(
    start: State<'_, AppStart>,
    connection_id: String,
    user_ids: Vec<String>,
    action: String,
) -> Result<BulkPlan, AppError> {
    let state = start.ready().await?;
    state
        .console
        .plan_many(&connection_id, &user_ids, &action)
        .await
}

/// Runs the plan the operator confirmed, with their reason, whatever its kind: a plan on one
/// user answers its steps, a bulk plan the job it started (the page polls `job_status`).
/// `password` only for a plan whose form asked for one (Zoho's reset with a password the
/// operator typed).
#[tauri::command]
pub async fn run_plan(
    start: State<'_, AppStart>,
    plan_id: String,
    reason: String,
    password: Option<PasswordInput>,
) -> Result<RunOutcome, AppError> {
    let state = start.ready().await?;
    state.console.run(&plan_id, &reason, password).await
}

/// Opens a by-hand step's admin page in the default browser (the sandbox has none to open).
#[tauri::command]
pub async fn open_by_hand_page<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    plan_id: String,
    step_index: usize,
) -> Result<ByHandPage, AppError> {
    let state = start.ready().await?;
    let connection_id = state.console.provider_plan_connection_id(&plan_id)?;
    let is_sandbox = state.console.connection_settings(&connection_id)?.sandbox;
    let browser = SystemBrowser::new(app);
    let browser = (!is_sandbox).then_some(&browser as &dyn BrowserLauncher);
    state
        .console
        .open_by_hand_page(&plan_id, step_index, browser)
        .await
}

/// Every by-hand step still waiting, from the audit log (it outlives a restart).
#[tauri::command]
pub async fn pending_by_hand_steps(
    start: State<'_, AppStart>,
) -> Result<Vec<PendingByHandStep>, AppError> {
    let state = start.ready().await?;
    state.console.pending_by_hand_steps()
}

/// Marks a waiting by-hand step done, or abandons it (from Activity, or Mark as done in the
/// result dialog); answers the steps still waiting and the plan's result while it is kept.
#[tauri::command]
pub async fn settle_by_hand_step(
    start: State<'_, AppStart>,
    plan_id: String,
    step_index: usize,
    settlement: ByHandSettlement,
) -> Result<ByHandSettled, AppError> {
    let state = start.ready().await?;
    state
        .console
        .settle_by_hand_step(&plan_id, step_index, settlement)
        .await
}
