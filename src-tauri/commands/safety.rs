//! The confirmation's safety steps (issue 5): a one-time code to send, the caller's
//! verification, and a second operator's approval. Each is decided and kept in the core; the
//! page only sends what the operator did.
use resetdesk_core::safety::rules::SafetyRulesView;
use resetdesk_core::safety::{CodeToSend, VerificationEvidence, VerificationRecord};
use resetdesk_core::seam::{ApprovalStep, SignInRequest};
use resetdesk_core::AppError;
use secrecy::SecretString;
use tauri::{AppHandle, Runtime, State};

use crate::commands::connections::sign_in_form;
use crate::state::AppStart;

#[tauri::command]
pub async fn send_verification_code(
    start: State<'_, AppStart>,
    plan_id: String,
    destination_id: String,
) -> Result<CodeToSend, AppError> {
    let state = start.ready().await?;
    state
        .console
        .send_verification_code(&plan_id, &destination_id)
}

#[tauri::command]
pub async fn record_verification(
    start: State<'_, AppStart>,
    plan_id: String,
    evidence: VerificationEvidence,
) -> Result<VerificationRecord, AppError> {
    let state = start.ready().await?;
    state.console.record_verification(&plan_id, &evidence)
}

/// A second operator signs in on the spot to approve, with what the provider's sign-in asks
/// for: for the sandbox the demo `account` they choose; for a real Entra tenant or Lighthouse
/// partner the system browser (a fresh sign-in is asked for); a login, password and code where
/// the provider's own sign-in takes them. A device sign-in answers with the code to show first;
/// asked again with that `device_code`, it waits for its approval. Nothing of the approver's
/// sign-in is kept.
#[tauri::command]
pub async fn approve_plan<R: Runtime>(
    app: AppHandle<R>,
    start: State<'_, AppStart>,
    plan_id: String,
    account: Option<String>,
    password: Option<String>,
    code: Option<String>,
    device_code: Option<String>,
) -> Result<ApprovalStep, AppError> {
    let state = start.ready().await?;
    // The sign-in goes to the plan's own connection, whatever the page believes it is.
    let connection_id = state.console.plan_connection_id(&plan_id)?;
    let request = SignInRequest {
        password: password.map(SecretString::from),
        code,
        device_code,
        ..sign_in_form(&app, state, &connection_id, account)?
    };
    state.console.approve_plan(&plan_id, request).await
}

/// The safety rules in force (Activity lists them): each value, which the machine's managed
/// policy sets, which it raised from a weaker user setting, and which are weaker than the
/// defaults.
#[tauri::command]
pub async fn safety_rules(start: State<'_, AppStart>) -> Result<SafetyRulesView, AppError> {
    let state = start.ready().await?;
    Ok(state.console.safety_rules())
}
