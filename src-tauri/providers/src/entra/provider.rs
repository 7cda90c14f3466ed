//! Microsoft Entra on the provider seam: the provider signs an operator in through the tenant's
//! OAuth page (the sandbox's answered by ResetDesk as the chosen demo account), keeps the
//! refresh token in the keychain and resumes it at start-up; the session searches, reads a
//! user's page, plans with Entra's own planner and runs with its executor, which checks the
//! operator's roles again before each step.
//!
//! What every provider shares — the session map, the plan store with claim and expiry, the
//! hourly cap, the caller's verification, the second person's approval, the audit — is the
//! Console's (`console::seam_sessions`, `console::provider_actions`).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use secrecy::SecretString;

use super::actions::{ActionKind, ActionOptions};
use super::offers::available_actions;
use super::planner::{build_plan_with, Plan, PlanInputs};
use super::{execute, page, policy, rows, summary, EntraDirectory, RetryPolicy};
use crate::entra::directory::Directory;
use resetdesk_core::auth::{self, AccessTokenSource, SignInOptions, TokenManager, TokenSet};
use resetdesk_core::cache::{CachedUser, DirectorySync};
use resetdesk_core::error::{AppError, Result};
use resetdesk_core::model::connection::{Connection, EntraSettings};
use resetdesk_core::model::{DirectoryUser, Operator, StepStatus};
use resetdesk_core::password::generate_temporary_password;
use resetdesk_core::safety::team::TenantReset;
use resetdesk_core::seam::{
    action_id, action_of_id, CacheFeed, DeclaredAction, PlanDraft, PlanOwner, Provider,
    ProviderAccount, ProviderOffer, ProviderPlan, RunInput, SecretKind, Session, SignInRequest,
    SignInStep, StepPerformed, StepReport, StepState, StepsRun, UserPage, UserRow,
    VerificationSources,
};
use resetdesk_core::secrets::SecretStore;
use resetdesk_core::sign_in_page::sign_in_page;

/// The name Entra connections use on the seam (`Connection::provider_name`).
pub const ENTRA_PROVIDER: &str = "entra";

/// Serves every Microsoft Entra tenant connection.
pub struct EntraProvider {
    secrets: Arc<dyn SecretStore>,
    /// Token requests: no redirects (a refresh token must not be sent elsewhere).
    token_http: reqwest::Client,
    /// Graph requests.
    graph_http: reqwest::Client,
    /// Graph's retries (tests shorten the backoff).
    retry_policy: Option<RetryPolicy>,
}

impl EntraProvider {
    pub fn new(
        secrets: Arc<dyn SecretStore>,
        token_http: reqwest::Client,
        graph_http: reqwest::Client,
        retry_policy: Option<RetryPolicy>,
    ) -> Self {
        Self {
            secrets,
            token_http,
            graph_http,
            retry_policy,
        }
    }

    /// This provider with Graph's retries set to `policy`.
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Self {
        Self {
            secrets: Arc::clone(&self.secrets),
            token_http: self.token_http.clone(),
            graph_http: self.graph_http.clone(),
            retry_policy: Some(policy),
        }
    }

    /// Signs in through `page` (the tenant's OAuth page in a browser, or the sandbox's answered
    /// by ResetDesk) and reads the operator with their roles.
    pub async fn sign_in_through(
        &self,
        connection: &Connection,
        page: &dyn auth::BrowserLauncher,
    ) -> Result<Arc<EntraSession>> {
        let entra = connection.entra()?;
        let tokens = auth::sign_in(entra, page, &self.token_http).await?;
        let manager = TokenManager::from_sign_in(
            connection.id.clone(),
            entra.clone(),
            Arc::clone(&self.secrets),
            self.token_http.clone(),
            tokens,
        )
        .await?;
        self.start(connection, Arc::new(manager)).await
    }

    async fn start(
        &self,
        connection: &Connection,
        tokens: Arc<TokenManager>,
    ) -> Result<Arc<EntraSession>> {
        let token_source: Arc<dyn AccessTokenSource> = tokens.clone();
        let directory = self.directory(connection, connection.entra()?, token_source);
        let operator = directory.me().await?;
        Ok(Arc::new(EntraSession {
            operator,
            directory,
            tokens: Some(tokens),
            approval_refusal: None,
        }))
    }

    fn directory(
        &self,
        connection: &Connection,
        entra: &EntraSettings,
        tokens: Arc<dyn AccessTokenSource>,
    ) -> Arc<EntraDirectory> {
        let mut directory = EntraDirectory::new(
            connection.id.clone(),
            entra,
            tokens,
            self.graph_http.clone(),
        );
        if let Some(policy) = &self.retry_policy {
            directory = directory.with_retry_policy(policy.clone());
        }
        Arc::new(directory)
    }
}

#[async_trait]
impl Provider for EntraProvider {
    fn name(&self) -> &str {
        ENTRA_PROVIDER
    }

    fn actions(&self) -> Vec<DeclaredAction> {
        ActionKind::ALL
            .iter()
            .map(|kind| DeclaredAction::new(action_id(kind), kind.label(), kind.safety_class()))
            .collect()
    }

    fn admin_centre(&self) -> &str {
        "Microsoft Entra"
    }

    fn product(&self) -> &str {
        "Microsoft Entra tenant"
    }

    fn keeps_offline_cache(&self) -> bool {
        true
    }

    /// Every step of an Entra plan is a Graph call.
    fn leaves_steps_by_hand(&self) -> bool {
        false
    }

    /// The tenant's own page asks who signs in (in the sandbox, the demo account chosen on the
    /// card, which the sign-in page asks for itself when none is).
    fn asks_for_account(&self, _connection: &Connection) -> bool {
        false
    }

    fn row_from_cache(&self, user: &CachedUser) -> UserRow {
        rows::cached_row(user)
    }

    fn check_request(&self, action: &str, options: Option<&serde_json::Value>) -> Result<()> {
        let action = action_named(action)?;
        match options {
            Some(options) => options_of(action, options.clone()).map(|_| ()),
            None => Ok(()),
        }
    }

    async fn sign_in(&self, connection: &Connection, request: SignInRequest) -> Result<SignInStep> {
        let page = sign_in_page(connection, &request)?;
        let session = self.sign_in_through(connection, page.as_ref()).await?;
        Ok(SignInStep::Done(session))
    }

    /// A refresh token kept in the keychain, without a browser.
    async fn resume(&self, connection: &Connection) -> Result<Option<Arc<dyn Session>>> {
        let resumed = TokenManager::resume(
            connection.id.clone(),
            connection.entra()?.clone(),
            Arc::clone(&self.secrets),
            self.token_http.clone(),
        )
        .await?;
        match resumed {
            Some(manager) => {
                let session: Arc<dyn Session> = self.start(connection, Arc::new(manager)).await?;
                Ok(Some(session))
            }
            None => Ok(None),
        }
    }

    /// A second person's sign-in at the tenant's page: always a fresh one (`prompt=login`,
    /// never a remembered session), whose ID token must show a sign-in after this moment, in
    /// this tenant. Their refresh token is never kept: one read of who they are, and the
    /// approval's check of what they may do.
    async fn approver_sign_in(
        &self,
        connection: &Connection,
        request: SignInRequest,
    ) -> Result<SignInStep> {
        let entra = connection.entra()?;
        let asked_at = Utc::now();
        let tenant = auth::id_token::tenant_guid(entra, &self.token_http).await?;
        let page = sign_in_page(connection, &request)?;
        let tokens = approver_sign_in(entra, page.as_ref(), &self.token_http).await?;
        let fresh =
            auth::id_token::check_fresh_sign_in(tokens.id_token.as_ref(), &tenant, asked_at);
        let directory = self.directory(
            connection,
            entra,
            Arc::new(OneReadToken(tokens.access_token.clone())),
        );
        drop(tokens);
        // Who signed in is read either way: a sign-in that may not approve is refused, audited
        // under them.
        let operator = directory.me().await?;
        Ok(SignInStep::Done(Arc::new(EntraSession {
            operator,
            directory,
            tokens: None,
            approval_refusal: fresh.err(),
        })))
    }

    fn takes_approvals(&self) -> bool {
        true
    }
}

/// A second person's sign-in to approve, at an Entra tenant's (or a Lighthouse partner's)
/// sign-in page: always a fresh one (`prompt=login`, never a remembered session), with the ID
/// token whose sign-in time and tenant the caller checks.
pub async fn approver_sign_in(
    entra: &EntraSettings,
    page: &dyn auth::BrowserLauncher,
    token_http: &reqwest::Client,
) -> Result<TokenSet> {
    let options = SignInOptions {
        prompt: Some("login".into()),
        openid: true,
        ..Default::default()
    };
    auth::sign_in_with(entra, page, token_http, &options)
        .await
        .map_err(|e| AppError {
            message: format!("The approver's sign-in did not complete: {}", e.message),
            ..e
        })
}

/// The approver's access token, used for the approval's reads and then dropped. Their refresh
/// token is never kept: an approval is not a session.
struct OneReadToken(SecretString);

#[async_trait]
impl AccessTokenSource for OneReadToken {
    async fn access_token(&self) -> Result<SecretString> {
        Ok(self.0.clone())
    }
    async fn invalidate(&self, _rejected: &SecretString) {}
}

/// One signed-in Entra tenant (or an approver's one-off sign-in, which keeps no tokens).
pub struct EntraSession {
    /// The operator as they signed in: the user page's offers read their roles (a plan and
    /// each step read them again live).
    operator: Operator,
    directory: Arc<EntraDirectory>,
    /// `None` for an approver's sign-in: nothing to refresh, nothing to sign out.
    tokens: Option<Arc<TokenManager>>,
    /// For an approver's sign-in: why it may not approve (not a new sign-in in this tenant).
    approval_refusal: Option<AppError>,
}

impl EntraSession {
    /// The operator as they signed in.
    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    /// Graph, under this sign-in.
    pub fn directory(&self) -> &dyn Directory {
        self.directory.as_ref()
    }

    /// The plan of `action` on `user_id`, from live state: the operator's roles read again
    /// (PIM, a removal since sign-in), the user with theirs, and what the action needs (the
    /// methods an MFA reset deletes, the tenant's Temporary Access Pass policy). The decision
    /// comes before the methods are read: a role that may not act often may not read them
    /// either, and must get the refusal's reason rather than Graph's 403 on the listing.
    async fn plan_entra(
        &self,
        user_id: &str,
        action: ActionKind,
        options: &ActionOptions,
    ) -> Result<(Plan, DirectoryUser)> {
        let operator = self.directory.me().await?;
        let target = self.directory.get_user(user_id).await?;
        if let policy::Decision::Denied { reason } = policy::decide(action, &operator, &target) {
            return Err(AppError::denied(reason));
        }
        let methods = match action {
            ActionKind::RequireReregisterMfa => self.directory.list_methods(user_id).await?,
            ActionKind::ResetPassword
            | ActionKind::RevokeSessions
            | ActionKind::IssueTemporaryAccessPass => Vec::new(),
        };
        let tap_policy = match action {
            ActionKind::IssueTemporaryAccessPass => {
                Some(self.directory.tap_policy().await.map_err(|e| {
                    let message = format!(
                        "The tenant's Temporary Access Pass policy could not be read: {}",
                        e.message
                    );
                    AppError { message, ..e }
                })?)
            }
            _ => None,
        };
        let inputs = PlanInputs {
            options: Some(options),
            tap_policy: tap_policy.as_ref(),
        };
        let plan = build_plan_with(
            action,
            &self.operator.connection_id,
            &operator,
            &target,
            &methods,
            inputs,
        )?;
        Ok((plan, target))
    }
}

/// Who signed in, as the connection's card shows them (an Entra tenant's, a Lighthouse
/// partner's OAuth sign-in).
pub fn account_of(operator: &Operator) -> ProviderAccount {
    let roles: Vec<&str> = operator
        .roles
        .iter()
        .map(|role| role.display_name.as_str())
        .collect();
    ProviderAccount {
        name: operator.display_name.clone(),
        login: operator.user_principal_name.clone(),
        role_label: if roles.is_empty() {
            "No directory role".to_string()
        } else {
            roles.join("; ")
        },
        signed_in_at: None,
    }
}

/// Why Entra treats `target` as privileged, if it does: an admin role, or a role-assignable
/// group (the approval rules then ask for a second person).
pub fn privileged_reason(target: &DirectoryUser) -> Option<String> {
    if !target.admin_roles.is_empty() {
        let roles: Vec<&str> = target
            .admin_roles
            .iter()
            .map(|r| r.display_name.as_str())
            .collect();
        Some(format!("holds an admin role ({}).", roles.join(", ")))
    } else if target.in_role_assignable_group {
        Some("is in a role-assignable group (treated as privileged).".to_string())
    } else {
        None
    }
}

/// An Entra user as the provider-neutral approval rules read them: privileged as
/// [`privileged_reason`] says, on the VIP list by id or UPN.
pub fn approval_subject(target: &DirectoryUser) -> resetdesk_core::safety::approval::Subject<'_> {
    resetdesk_core::safety::approval::Subject {
        id: &target.id,
        login: &target.user_principal_name,
        display_name: &target.display_name,
        privileged: privileged_reason(target),
    }
}

/// The option form's choices for `action` ("also revoke sessions", a pass's lifetime and
/// one-time use); a choice the form does not have is refused with what to do.
fn options_of(action: ActionKind, options: serde_json::Value) -> Result<ActionOptions> {
    match options {
        serde_json::Value::Null => Ok(ActionOptions::default()),
        options => serde_json::from_value(options).map_err(|e| {
            AppError::invalid_input(format!(
                "The choices sent with \"{}\" could not be read ({e}); open the action again \
                 from the user's page.",
                action.label()
            ))
        }),
    }
}

/// The action an offer's id names, or what to do when it names none of Entra's.
fn action_named(id: &str) -> Result<ActionKind> {
    action_of_id(id).ok_or_else(|| {
        AppError::invalid_input(format!(
            "\"{id}\" is not an action of this directory; pick one on the user's page."
        ))
    })
}

/// The Entra plan a summary was made from, kept with it for the run (`PlanDraft::run_options`).
fn kept_plan(options: Option<&serde_json::Value>) -> Result<Plan> {
    options
        .cloned()
        .and_then(|kept| serde_json::from_value(kept).ok())
        .ok_or_else(|| {
            AppError::internal(
                "This summary lost its steps; start the action again from the user's page.",
            )
        })
}

#[async_trait]
impl Session for EntraSession {
    fn account(&self) -> ProviderAccount {
        account_of(&self.operator)
    }

    fn owner(&self) -> PlanOwner {
        PlanOwner::of(&self.operator)
    }

    async fn search(&self, query: &str, limit: usize) -> Result<Vec<UserRow>> {
        let users = self.directory.search_users(query, limit).await?;
        Ok(users.iter().map(rows::user_row).collect())
    }

    /// The user with their roles and methods, read live, and the actions offered to the
    /// operator as they signed in (a plan decides again from their roles read live).
    async fn user_page(&self, user_id: &str) -> Result<UserPage> {
        let (user, methods) = tokio::join!(
            self.directory.get_user(user_id),
            self.directory.list_methods(user_id)
        );
        let user = user?;
        let (methods, methods_error) = match methods {
            Ok(methods) => (methods, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let offers = available_actions(&self.operator, &user);
        Ok(page::user_page(&user, methods, methods_error, &offers))
    }

    async fn plan(&self, user_id: &str, offer: &ProviderOffer) -> Result<PlanDraft> {
        self.plan_with_options(user_id, offer, serde_json::Value::Null)
            .await
    }

    /// `options`: the option form's choices ("also revoke sessions", a pass's lifetime and
    /// one-time use), as `ActionOptions`.
    async fn plan_with_options(
        &self,
        user_id: &str,
        offer: &ProviderOffer,
        options: serde_json::Value,
    ) -> Result<PlanDraft> {
        let action = action_named(&offer.action)?;
        let options = options_of(action, options)?;
        let (plan, target) = self.plan_entra(user_id, action, &options).await?;
        let summary = summary::provider_plan(&plan);
        let kept = serde_json::to_value(&plan).map_err(|e| {
            AppError::internal("The summary could not be kept.").with_detail(e.to_string())
        })?;
        Ok(PlanDraft {
            choices: summary.choices,
            run_options: Some(kept),
            privileged: privileged_reason(&target),
            ..PlanDraft::new(summary.target, summary.steps, summary.warnings)
        })
    }

    fn approval_sign_in_refusal(&self) -> Option<AppError> {
        self.approval_refusal.clone()
    }

    fn operator(&self) -> Option<Operator> {
        Some(self.operator.clone())
    }

    /// Entra makes a reset's temporary password itself: a password sent with the run is a
    /// mistake of the caller, refused before the plan is used up.
    async fn preflight(&self, _plan: &ProviderPlan, input: &RunInput) -> Result<()> {
        if input.password.is_some() {
            return Err(AppError::invalid_input(
                "This action takes no password: ResetDesk makes a Microsoft Entra reset's \
                 temporary password itself. Confirm it without one.",
            ));
        }
        Ok(())
    }

    async fn run(&self, plan: &ProviderPlan) -> Result<StepsRun> {
        self.run_with(plan, RunInput::default()).await
    }

    /// Runs the kept plan's steps. Who acts and on whom is read again first; each step is
    /// authorized again just before it runs, against the operator and the user as they are
    /// now.
    async fn run_with(&self, summary: &ProviderPlan, input: RunInput) -> Result<StepsRun> {
        let plan = kept_plan(input.options.as_ref())?;
        if plan.target.id != summary.target.id || action_id(&plan.action) != summary.action {
            return Err(AppError::internal(
                "This summary's steps are another action's; start the action again from the \
                 user's page.",
            ));
        }
        let operator = self.directory.me().await?;
        if operator.id != self.operator.id {
            return Err(AppError::denied(
                "This summary was prepared for another operator. Start the action again under your own sign-in.",
            ));
        }
        let target = self.directory.get_user(&plan.target.id).await?;
        let temporary_password = match plan.action {
            ActionKind::ResetPassword => Some(generate_temporary_password()),
            _ => None,
        };
        let recheck = |step: &super::planner::Step| {
            policy::authorize_step(plan.action, &operator, &target, &step.kind)
        };
        let execute::Execution {
            outcomes,
            temporary_access_pass,
        } = execute::run_plan(
            &plan,
            self.directory.as_ref(),
            recheck,
            temporary_password.as_ref(),
        )
        .await;
        // The password is shown only if the reset itself (always the first step) went through.
        let reset_done = outcomes
            .iter()
            .any(|o| o.step_index == 0 && o.status == StepStatus::Succeeded);
        let generated = match (
            temporary_password.filter(|_| reset_done),
            temporary_access_pass,
        ) {
            (Some(password), _) => Some((password, SecretKind::TemporaryPassword)),
            (None, Some(pass)) => Some((pass, SecretKind::TemporaryAccessPass)),
            (None, None) => None,
        };
        let steps = outcomes
            .iter()
            .map(|outcome| {
                let step = plan.steps.iter().find(|s| s.index == outcome.step_index);
                StepReport {
                    index: outcome.step_index,
                    summary: step.map_or_else(
                        || format!("Step {}", outcome.step_index + 1),
                        |step| step.summary.clone(),
                    ),
                    state: StepState::of_audit_status(outcome.status),
                    message: Some(outcome.message.clone()),
                    performed: StepPerformed::Api {
                        doc: step
                            .map(|step| step.kind.documented_at())
                            .unwrap_or_default()
                            .to_string(),
                    },
                    request_id: outcome.request_id.clone(),
                    at: Some(outcome.at.clone()),
                }
            })
            .collect();
        let (generated_password, secret_kind) = match generated {
            Some((secret, kind)) => (Some(secret), Some(kind)),
            None => (None, None),
        };
        Ok(StepsRun {
            steps,
            generated_password,
            secret_kind,
        })
    }

    fn cache_feed(self: Arc<Self>) -> Option<Arc<dyn CacheFeed>> {
        Some(self)
    }

    async fn verification_sources(&self, user_id: &str) -> Option<VerificationSources> {
        let (contacts, methods) = tokio::join!(
            self.directory.contacts_on_record(user_id),
            self.directory.list_methods(user_id)
        );
        Some(VerificationSources { contacts, methods })
    }

    async fn privileged_now(&self, user_id: &str) -> Result<Option<String>> {
        Ok(privileged_reason(&self.directory.get_user(user_id).await?))
    }

    /// The tenant's directory audits: every reset made from another desktop or the admin
    /// centre (`directory_audits`).
    async fn tenant_resets_since(
        &self,
        since: chrono::DateTime<Utc>,
    ) -> Result<Option<Vec<TenantReset>>> {
        self.directory.tenant_resets_since(since).await
    }

    async fn sign_out(&self) -> Result<()> {
        match &self.tokens {
            Some(tokens) => tokens.sign_out().await,
            None => Ok(()),
        }
    }
}

#[async_trait]
impl CacheFeed for EntraSession {
    fn source(&self) -> &dyn DirectorySync {
        self.directory.as_ref()
    }

    async fn probe(&self) -> Result<()> {
        self.directory.me().await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use policy::role_ids;
    use resetdesk_core::model::RoleRef;
    use resetdesk_core::safety::approval::{requirement_for, ApprovalRequirement};
    use resetdesk_core::safety::SafetyPolicy;

    /// The approval rules on an Entra user, as the Console applies them to a plan: the user's
    /// privilege as Entra says it, and a previous MFA reset only for an MFA reset.
    fn requirement(
        policy: &SafetyPolicy,
        action: ActionKind,
        target: &DirectoryUser,
        previous_mfa_reset: Option<&str>,
    ) -> ApprovalRequirement {
        let previous_mfa_reset = previous_mfa_reset.filter(|_| action.safety_class().resets_mfa());
        requirement_for(policy, &approval_subject(target), previous_mfa_reset)
    }

    fn user(roles: Vec<RoleRef>) -> DirectoryUser {
        DirectoryUser {
            id: "megan".into(),
            user_principal_name: "megan.bowen@contoso.sandbox".into(),
            display_name: "Megan Bowen".into(),
            admin_roles: roles,
            roles_known: true,
            ..Default::default()
        }
    }

    fn global_admin() -> Vec<RoleRef> {
        vec![RoleRef {
            template_id: role_ids::GLOBAL_ADMINISTRATOR.into(),
            display_name: "Global Administrator".into(),
        }]
    }

    #[test]
    fn privileged_vip_and_repeated_mfa_resets_need_approval_each_with_its_reason() {
        let policy = SafetyPolicy::default();
        let plain = requirement(&policy, ActionKind::ResetPassword, &user(vec![]), None);
        assert!(!plain.required);
        let admin = requirement(
            &policy,
            ActionKind::ResetPassword,
            &user(global_admin()),
            None,
        );
        assert!(admin.required);
        assert_eq!(
            admin.reasons,
            vec!["Megan Bowen holds an admin role (Global Administrator)."]
        );
        let mut in_group = user(vec![]);
        in_group.in_role_assignable_group = true;
        assert!(requirement(&policy, ActionKind::ResetPassword, &in_group, None).required);

        let mut vip_policy = SafetyPolicy::default();
        vip_policy.approval.vip_users = vec!["MEGAN.BOWEN@contoso.sandbox".into()];
        let vip = requirement(&vip_policy, ActionKind::ResetPassword, &user(vec![]), None);
        assert!(vip.reasons[0].contains("VIP"));

        let again = requirement(
            &policy,
            ActionKind::RequireReregisterMfa,
            &user(vec![]),
            Some("2026-11-23T08:00:00Z"),
        );
        assert!(again.required);
        assert!(again.reasons[0].contains("within 24 hours"));
        // The repeat rule is about MFA resets only.
        assert!(
            !requirement(
                &policy,
                ActionKind::ResetPassword,
                &user(vec![]),
                Some("2026-11-23T08:00:00Z")
            )
            .required
        );

        let mut off = SafetyPolicy::default();
        off.approval.privileged_targets = false;
        assert!(
            !requirement(&off, ActionKind::ResetPassword, &user(global_admin()), None).required
        );
    }
}
