//! Microsoft Entra's typed use cases, over the seam: Entra is served through the seam like
//! every provider (`entra::provider`); these answer in Entra's own types — the
//! operator with their roles, Graph's users, Entra's plan with its step kinds, a run's
//! outcomes with Graph's request ids — for the sandbox's demo, the page fixtures and the tests
//! that check Entra's rules step by step. Each one goes through the same checks, plan store
//! and audit as the page's commands.

use std::sync::Arc;

use crate::entra::actions::{ActionKind, ActionOptions};
use crate::entra::offers::available_actions;
use crate::entra::offers::OfferedAction;
use crate::entra::planner::Plan;
use crate::entra::provider::{EntraProvider, EntraSession, ENTRA_PROVIDER};
use async_trait::async_trait;
use resetdesk_core::audit::AuditOutcome;
use resetdesk_core::auth::BrowserLauncher;
use resetdesk_core::console::{require_id, Console, RunResult, SecretKind, SEARCH_LIMIT};
use resetdesk_core::error::{AppError, Result};
use resetdesk_core::http::RetryPolicy;
use resetdesk_core::model::{AuthMethod, DirectoryUser, Operator, Outcome};
use resetdesk_core::safety::RateStatus;
use resetdesk_core::seam::action_id;

/// Entra's read of a user's page: who they are, how they sign in, and which actions are
/// offered. The page gets it in the seam's terms (`Console::directory_user`).
#[derive(Debug, Clone)]
pub struct UserDetails {
    pub user: DirectoryUser,
    pub methods: Vec<AuthMethod>,
    /// Set when the methods could not be read (e.g. the operator's role may not read them).
    pub methods_error: Option<AppError>,
    pub actions: Vec<OfferedAction>,
    /// The operator's resets in the last hour against their cap, shown before they reach it
    /// (`None` if the audit log could not be read).
    pub rate: Option<RateStatus>,
}

/// What an Entra plan's run gives; the page sees it as a `RunResult` (`Console::run_plan`).
#[derive(Clone)]
pub struct ExecutionResult {
    pub plan_id: String,
    pub outcome: AuditOutcome,
    pub outcomes: Vec<Outcome>,
    /// Reset password only: the temporary password, returned this once for display. It is
    /// never stored or logged (not in the audit record, not in Debug output).
    pub temporary_password: Option<String>,
    /// Issue Temporary Access Pass only: the pass, returned this once for display, under the
    /// same rules as the temporary password.
    pub temporary_access_pass: Option<String>,
    /// The handle "Copy" passes to copy the password or pass shown (see `revealed`).
    pub copy_handle: Option<String>,
    /// The audit entry that records this run; `None` (with `audit_error`) if it could not be
    /// written after the steps had already run.
    pub audit_seq: Option<u64>,
    pub audit_error: Option<String>,
}

impl std::fmt::Debug for ExecutionResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutionResult")
            .field("plan_id", &self.plan_id)
            .field("outcome", &self.outcome)
            .field("outcomes", &self.outcomes)
            .field(
                "temporary_password",
                &self.temporary_password.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "temporary_access_pass",
                &self.temporary_access_pass.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "copy_handle",
                &self.copy_handle.as_ref().map(|_| "[handle]"),
            )
            .field("audit_seq", &self.audit_seq)
            .field("audit_error", &self.audit_error)
            .finish()
    }
}

/// Registers the Entra provider with `console` (Graph's default retries).
pub(crate) fn register(console: Console, token_http: reqwest::Client) -> Console {
    let provider = EntraProvider::new(
        console.secrets(),
        token_http,
        crate::entra::http_client(),
        None,
    );
    console.with_provider(Arc::new(provider))
}

/// Entra's use cases in its own types, on any Console the Entra provider is registered with.
#[async_trait]
pub trait EntraConsole {
    /// The retry policy of Graph requests (tests use short backoffs): the Entra provider is
    /// registered again with it.
    fn with_graph_retry_policy(self, policy: RetryPolicy) -> Self;

    /// Interactive sign-in (authorization code + PKCE on a loopback redirect) through
    /// `browser`, then reads the operator and their roles.
    async fn sign_in(&self, connection_id: &str, browser: &dyn BrowserLauncher)
        -> Result<Operator>;

    /// Graph's users matching `query` (the users list answers `directory_search`).
    async fn search_users(&self, connection_id: &str, query: &str) -> Result<Vec<DirectoryUser>>;

    /// The user's page in Entra's terms, read live: profile with roles, methods, and the
    /// actions offered to this operator (each with the reason when it is not), with the
    /// operator's resets this hour (the page's `directory_user`).
    async fn user_details(&self, connection_id: &str, user_id: &str) -> Result<UserDetails>;

    /// Builds the plan the confirmation shows, from the target's live state. A refused action
    /// is written to the audit log and returned as `Denied` with the reason.
    async fn plan_action(
        &self,
        connection_id: &str,
        user_id: &str,
        action: ActionKind,
    ) -> Result<Plan> {
        self.plan_action_with(connection_id, user_id, action, &ActionOptions::default())
            .await
    }

    /// [`EntraConsole::plan_action`] with the operator's choices ("also revoke sessions", a
    /// pass's lifetime and one-time use): the page's `plan_action`, answered as Entra's plan,
    /// under the summary's id and with its safety checks.
    async fn plan_action_with(
        &self,
        connection_id: &str,
        user_id: &str,
        action: ActionKind,
        options: &ActionOptions,
    ) -> Result<Plan>;

    /// Runs a reviewed plan once (the page's `run_plan`), answered with each step's outcome as
    /// the audit log records it.
    async fn execute_plan(&self, plan_id: &str, reason: &str) -> Result<ExecutionResult>;
}

/// The Entra provider registered with `console`.
fn entra_provider(console: &Console) -> Result<Arc<EntraProvider>> {
    crate::registered(console, ENTRA_PROVIDER)
}

/// The Entra session of a connection, as Entra's own type.
async fn entra_session(console: &Console, connection_id: &str) -> Result<Arc<EntraSession>> {
    console.connection(connection_id)?.entra()?;
    crate::signed_in(console, connection_id, ENTRA_PROVIDER).await
}

#[async_trait]
impl EntraConsole for Console {
    fn with_graph_retry_policy(self, policy: RetryPolicy) -> Self {
        crate::reregistered(self, ENTRA_PROVIDER, |entra: &EntraProvider| {
            entra.with_retry_policy(policy)
        })
    }

    async fn sign_in(
        &self,
        connection_id: &str,
        browser: &dyn BrowserLauncher,
    ) -> Result<Operator> {
        let connection = self.connection(connection_id)?;
        self.connection_allowed(&connection)?;
        let session = entra_provider(self)?
            .sign_in_through(&connection, browser)
            .await?;
        let operator = session.operator().clone();
        self.keep_session(connection_id, session).await;
        tracing::info!(connection = %connection_id, operator = %operator.user_principal_name, "signed in");
        Ok(operator)
    }

    async fn search_users(&self, connection_id: &str, query: &str) -> Result<Vec<DirectoryUser>> {
        let query = query.trim();
        resetdesk_core::console::check_query_length(query, "name, UPN or mail")?;
        let session = entra_session(self, connection_id).await?;
        let found = session.directory().search_users(query, SEARCH_LIMIT).await;
        if let Err(error) = &found {
            self.note_live_failure(connection_id, session.clone(), error);
        }
        found
    }

    async fn user_details(&self, connection_id: &str, user_id: &str) -> Result<UserDetails> {
        let user_id = require_id(user_id)?;
        let session = entra_session(self, connection_id).await?;
        let page = self.directory_user(connection_id, user_id).await?;
        let user = session.directory().get_user(user_id).await?;
        let actions = available_actions(session.operator(), &user);
        Ok(UserDetails {
            user,
            methods: page.methods.unwrap_or_default(),
            methods_error: page.methods_error,
            actions,
            rate: page.rate,
        })
    }

    async fn plan_action_with(
        &self,
        connection_id: &str,
        user_id: &str,
        action: ActionKind,
        options: &ActionOptions,
    ) -> Result<Plan> {
        let options = serde_json::to_value(options).map_err(|e| {
            AppError::internal("The choices could not be sent.").with_detail(e.to_string())
        })?;
        let summary = self
            .plan_provider_action(connection_id, user_id, action_id(&action), Some(options))
            .await?;
        let kept = self.provider_plan_run_options(&summary.id)?;
        let mut plan: Plan = kept
            .and_then(|kept| serde_json::from_value(kept).ok())
            .ok_or_else(|| AppError::internal("The summary kept no Entra plan."))?;
        plan.id = summary.id;
        plan.safety = summary.safety;
        Ok(plan)
    }

    async fn execute_plan(&self, plan_id: &str, reason: &str) -> Result<ExecutionResult> {
        let result = self.run_provider_plan(plan_id, reason, None).await?;
        Ok(execution_result(result))
    }
}

/// A run's result in Entra's terms.
fn execution_result(result: RunResult) -> ExecutionResult {
    let outcomes = result
        .steps
        .iter()
        .map(|step| Outcome {
            step_index: step.index,
            status: step.state.audit_status(),
            message: step.message.clone().unwrap_or_default(),
            request_id: step.request_id.clone(),
            at: step.at.clone().unwrap_or_default(),
        })
        .collect();
    let (temporary_password, temporary_access_pass) = match result.secret_kind {
        Some(SecretKind::TemporaryAccessPass) => (None, result.generated_password),
        _ => (result.generated_password, None),
    };
    ExecutionResult {
        plan_id: result.plan_id,
        outcome: result.outcome,
        outcomes,
        temporary_password,
        temporary_access_pass,
        copy_handle: result.copy_handle,
        audit_seq: result.audit_seq,
        audit_error: result.audit_error,
    }
}
