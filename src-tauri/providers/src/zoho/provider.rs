//! Zoho Directory on the provider seam: the device sign-in (and signing in again before a
//! reset, as Zoho's own dialog asks for the admin's password), the organisation's users with
//! the offline cache, the offered actions with Zoho's reasons, and the plans and runs of Reset
//! password and Reset MFA.
//!
//! Declared per step (the "finish by hand" rule) in [`super::options`]: the password and the
//! options the Mail API documents go through it; the rest is by hand in Zoho's admin panel.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{SecondsFormat, Utc};

use super::auth::CLIENT_SECRET_SECRET;
use super::planner::plan_steps;
use super::policy::{offers, privileged, require_some_permission};
use super::{
    DeviceAuthorization, DeviceSignIn, Performed, ResetPasswordOptions, UserStatus, ZohoClient,
    ZohoOperator, ZohoSession, ZohoStep, ZohoUser, SLOW_DOWN_INTERVAL,
};
use resetdesk_core::cache::{CachedUser, DirectorySync};
use resetdesk_core::error::{AppError, Result};
use resetdesk_core::model::connection::{Connection, ProviderSettings};
use resetdesk_core::seam::{
    CacheFeed, DeclaredAction, DeviceCodePrompt, FreshSignIn, PasswordInput, PlanDraft, PlanOwner,
    PlanTarget, Provider, ProviderAccount, ProviderAction, ProviderOffer, ProviderPlan, RunInput,
    Session, SignInRequest, SignInStep, StepReport, StepState, StepsRun, UserFact, UserPage,
    UserRow,
};
use resetdesk_core::secrets::SecretStore;
pub use resetdesk_model::demo::DeviceApprover;

/// The name Zoho Directory's connections give their provider (`Provider::name`).
pub const ZOHO_PROVIDER: &str = "zoho";
/// Default of how old the operator's Zoho sign-in may be when they confirm a reset (Zoho's
/// own dialog asks for the admin's password every time).
pub const DEFAULT_FRESH_SIGN_IN: Duration = Duration::from_secs(5 * 60);
/// Pages of the organisation read for one search (the Mail API has no search parameter).
const SEARCH_PAGES: u32 = 5;

/// Serves every Zoho Directory connection.
pub struct ZohoDirectory {
    secrets: Arc<dyn SecretStore>,
    /// Token requests: no redirects (a refresh token must not be sent elsewhere).
    token_http: reqwest::Client,
    /// Sandbox connections: who approves their device codes (the emulator).
    approvers: HashMap<String, Arc<dyn DeviceApprover>>,
    /// How recent the sign-in must be when a reset is confirmed.
    fresh_sign_in: Duration,
    /// Device sign-ins started and not yet finished, by connection: the operator's, and a
    /// second person's to approve a request (each keeps its own code).
    pending: Mutex<HashMap<(String, Purpose), DeviceAuthorization>>,
}

/// Whose device sign-in: the operator's (kept, in the keychain) or an approver's (kept nowhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Purpose {
    Operator,
    Approver,
}

impl ZohoDirectory {
    pub fn new(
        secrets: Arc<dyn SecretStore>,
        token_http: reqwest::Client,
        approvers: HashMap<String, Arc<dyn DeviceApprover>>,
        fresh_sign_in: Duration,
    ) -> Self {
        Self {
            secrets,
            token_http,
            approvers,
            fresh_sign_in,
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// This provider with the sandbox connection `connection_id`'s device codes approved by
    /// `approver` (the emulator). Device sign-ins under way are not carried over.
    pub fn with_approver(&self, connection_id: &str, approver: Arc<dyn DeviceApprover>) -> Self {
        let mut approvers = self.approvers.clone();
        approvers.insert(connection_id.to_string(), approver);
        Self::new(
            Arc::clone(&self.secrets),
            self.token_http.clone(),
            approvers,
            self.fresh_sign_in,
        )
    }

    /// This provider with a reset needing a sign-in at most `max_age` old.
    pub fn with_fresh_sign_in(&self, max_age: Duration) -> Self {
        Self::new(
            Arc::clone(&self.secrets),
            self.token_http.clone(),
            self.approvers.clone(),
            max_age,
        )
    }

    fn device_sign_in(&self, connection: &Connection, purpose: Purpose) -> Result<DeviceSignIn> {
        let sign_in = DeviceSignIn::new(
            connection.id.clone(),
            connection.zoho()?.clone(),
            Arc::clone(&self.secrets),
            self.token_http.clone(),
        );
        Ok(match purpose {
            Purpose::Operator => sign_in,
            Purpose::Approver => sign_in.for_approver(),
        })
    }

    fn pending(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<(String, Purpose), DeviceAuthorization>>> {
        self.pending
            .lock()
            .map_err(|_| AppError::internal("The Zoho sign-in state was poisoned."))
    }

    /// Two steps: the first call answers with the code to show; the call that names that code
    /// waits for its approval.
    async fn device_step(
        &self,
        connection: &Connection,
        request: SignInRequest,
        purpose: Purpose,
    ) -> Result<SignInStep> {
        connection.zoho()?;
        let key = (connection.id.clone(), purpose);
        let waiting = {
            let mut pending = self.pending()?;
            match (&request.device_code, pending.get(&key)) {
                (Some(shown), Some(started)) if *shown == started.user_code => pending.remove(&key),
                (Some(_), _) => return Err(AppError::invalid_input(
                    "This code is no longer waiting for approval. Click Sign in to get a new one.",
                )),
                (None, _) => None,
            }
        };
        match waiting {
            Some(authorization) => self.finish(connection, authorization, purpose).await,
            None => self.start(connection, &request, purpose).await,
        }
    }

    /// Zoho gives a code for the operator to enter on its page, which the browser opens; for
    /// the sandbox, the demo operator `account` approves it on their behalf.
    async fn start(
        &self,
        connection: &Connection,
        request: &SignInRequest,
        purpose: Purpose,
    ) -> Result<SignInStep> {
        let sign_in = self.device_sign_in(connection, purpose)?;
        let approver = self.approvers.get(&connection.id);
        if let Some(approver) = approver.filter(|_| purpose == Purpose::Operator) {
            // The sandbox's app is registered with the emulator, not added by the operator (an
            // approver's sign-in finds it saved by the operator's).
            sign_in
                .save_client_secret(&approver.client_secret())
                .await?;
        }
        let authorization = sign_in.start().await?;
        if let Some(approver) = approver {
            let account = request.account.trim();
            if account.is_empty() {
                return Err(AppError::invalid_input(
                    "Choose a demo account to sign in to the sandbox.",
                ));
            }
            if !approver.approve(&authorization.user_code, account) {
                return Err(AppError::invalid_input(format!(
                    "The sandbox has no Zoho operator \"{account}\". Choose one of the demo accounts."
                )));
            }
        } else if let Some(browser) = &request.browser {
            // The address comes from the server's answer: only the data centre's own
            // accounts page is opened.
            let url = super::auth::verification_page(
                connection.zoho()?,
                &authorization.verification_url,
            )?;
            browser.open(&url).await?;
        }
        let prompt = DeviceCodePrompt {
            user_code: authorization.user_code.clone(),
            verification_url: authorization.verification_url.clone(),
            expires_at: authorization
                .expires_at
                .to_rfc3339_opts(SecondsFormat::Secs, true),
        };
        self.pending()?
            .insert((connection.id.clone(), purpose), authorization);
        Ok(SignInStep::DeviceCode(prompt))
    }

    /// Waits for the operator to approve the code (or deny it, or let it expire), then reads
    /// who they are and their role.
    async fn finish(
        &self,
        connection: &Connection,
        authorization: DeviceAuthorization,
        purpose: Purpose,
    ) -> Result<SignInStep> {
        let mut sign_in = self.device_sign_in(connection, purpose)?;
        let session = sign_in
            .wait_for_approval(&authorization, SLOW_DOWN_INTERVAL)
            .await?;
        let session = self.session_over(session).await?;
        // The account was in another data centre: the connection lives there from now on
        // (its secrets are bound to those servers already).
        if sign_in.settings() != connection.zoho()? {
            tracing::info!(
                connection = %connection.id,
                data_centre = ?sign_in.settings().data_centre,
                "the Zoho connection moved to the account's data centre"
            );
            return Ok(SignInStep::DoneAndMoved {
                session,
                settings: ProviderSettings::Zoho(sign_in.settings().clone()),
            });
        }
        Ok(SignInStep::Done(session))
    }

    async fn session_over(&self, session: ZohoSession) -> Result<Arc<dyn Session>> {
        let client = ZohoClient::new(Arc::new(session), self.token_http.clone());
        let operator = client.operator().await?;
        Ok(Arc::new(ZohoDirectorySession {
            client,
            operator,
            fresh_sign_in: self.fresh_sign_in,
        }))
    }
}

#[async_trait]
impl Provider for ZohoDirectory {
    fn name(&self) -> &str {
        ZOHO_PROVIDER
    }

    fn actions(&self) -> Vec<DeclaredAction> {
        [
            ProviderAction::ZohoResetPassword,
            ProviderAction::ZohoResetMfa,
        ]
        .into_iter()
        .map(|action| DeclaredAction::new(action.id(), action.label(), action.safety_class()))
        .collect()
    }

    fn admin_centre(&self) -> &str {
        "Zoho"
    }

    fn product(&self) -> &str {
        "Zoho Directory"
    }

    fn emulated(&self) -> &str {
        "Zoho Directory"
    }

    fn summary(&self, connection: &Connection) -> Option<String> {
        let zoho = connection.zoho().ok()?;
        Some(format!(
            "Zoho · {} data centre · organisation {}",
            zoho.data_centre.label(),
            zoho.organization_id
        ))
    }

    fn keeps_offline_cache(&self) -> bool {
        true
    }

    /// The cache keeps the role as job title and the status as user type (`cache_sync`).
    fn row_from_cache(&self, user: &CachedUser) -> UserRow {
        let status = match user.user_type.as_deref() {
            Some("pending") => UserStatus::Pending,
            Some("external") => UserStatus::External,
            _ => UserStatus::Confirmed,
        };
        UserRow {
            id: user.id.clone(),
            display_name: user.display_name.clone(),
            login: user.user_principal_name.clone(),
            detail: Some(detail_line(
                user.job_title.as_deref().unwrap_or("Member"),
                status,
            )),
        }
    }

    /// A real organisation's sign-in asks for nothing: the operator approves a code on Zoho's
    /// page. The sandbox's asks which demo operator approves it.
    fn asks_for_account(&self, connection: &Connection) -> bool {
        self.approvers.contains_key(&connection.id)
    }

    /// A device sign-in in two steps (see `device_step`). Signing in again replaces the session
    /// (the fresh sign-in a reset asks for).
    async fn sign_in(&self, connection: &Connection, request: SignInRequest) -> Result<SignInStep> {
        self.device_step(connection, request, Purpose::Operator)
            .await
    }

    /// The same device sign-in, for a second person: their own code (the operator's sign-in,
    /// if one is under way, keeps its own), and a session that keeps nothing in the keychain.
    async fn approver_sign_in(
        &self,
        connection: &Connection,
        request: SignInRequest,
    ) -> Result<SignInStep> {
        self.device_step(connection, request, Purpose::Approver)
            .await
    }

    fn takes_approvals(&self) -> bool {
        true
    }

    /// A connection whose refresh token is in the keychain comes back (its first reset still
    /// asks for a fresh sign-in).
    async fn resume(&self, connection: &Connection) -> Result<Option<Arc<dyn Session>>> {
        let resumed = ZohoSession::resume(
            connection.id.clone(),
            connection.zoho()?.clone(),
            Arc::clone(&self.secrets),
            self.token_http.clone(),
        )
        .await?;
        match resumed {
            Some(session) => Ok(Some(self.session_over(session).await?)),
            None => Ok(None),
        }
    }

    /// A new organisation's client secret, bound to its data centre in the keychain.
    async fn keep_secret(
        &self,
        connection: &Connection,
        secret: secrecy::SecretString,
    ) -> Result<()> {
        self.device_sign_in(connection, Purpose::Operator)?
            .save_client_secret(&secret)
            .await
    }

    async fn forget_secret(&self, connection: &Connection) -> Result<()> {
        resetdesk_core::secrets::forget_secret(&self.secrets, &connection.id, CLIENT_SECRET_SECRET)
            .await
    }
}

/// A signed-in Zoho connection.
struct ZohoDirectorySession {
    client: ZohoClient,
    /// As read at sign-in; plans and runs read the operator's role again.
    operator: ZohoOperator,
    fresh_sign_in: Duration,
}

impl ZohoDirectorySession {
    fn fresh_sign_in(&self) -> FreshSignIn {
        let session = self.client.session();
        FreshSignIn {
            max_age_minutes: self.fresh_sign_in.as_secs().div_ceil(60),
            signed_in_at: session
                .signed_in_at()
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            fresh: session
                .require_fresh_sign_in(self.fresh_sign_in, Utc::now())
                .is_ok(),
        }
    }

    fn require_fresh_sign_in(&self) -> Result<()> {
        self.client
            .session()
            .require_fresh_sign_in(self.fresh_sign_in, Utc::now())
    }

    /// The operator, read again now (a role taken away since sign-in counts).
    async fn current_operator(&self) -> Result<ZohoOperator> {
        self.client.operator().await
    }

    fn owner_of(&self, operator: &ZohoOperator) -> PlanOwner {
        PlanOwner {
            operator_id: operator.zuid.clone(),
            operator_label: operator.email.clone(),
            tenant_id: format!("zoho:{}", self.client.session().settings().organization_id),
        }
    }
}

#[async_trait]
impl Session for ZohoDirectorySession {
    fn account(&self) -> ProviderAccount {
        ProviderAccount {
            name: self.operator.display_name.clone(),
            login: self.operator.email.clone(),
            role_label: self.operator.permissions.role.label().to_string(),
            signed_in_at: self
                .client
                .session()
                .signed_in_at()
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        }
    }

    fn owner(&self) -> PlanOwner {
        self.owner_of(&self.operator)
    }

    /// Users whose name or address contains `query`; an empty query lists the first users.
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<UserRow>> {
        require_some_permission(&self.operator)?;
        let users = if query.is_empty() {
            let limit = u32::try_from(limit).unwrap_or(u32::MAX);
            self.client.list_users(0, limit).await?.users
        } else {
            self.client.search_users(query, SEARCH_PAGES).await?
        };
        Ok(users.iter().map(user_row).collect())
    }

    /// The user read live, and Reset password and Reset MFA, each with Zoho's reason when it
    /// is not offered. Zoho's organisation API answers admins only: a member is told why.
    async fn user_page(&self, zuid: &str) -> Result<UserPage> {
        let operator = self.current_operator().await?;
        require_some_permission(&operator)?;
        let user = self.client.user(zuid).await?;
        let fresh_sign_in = self.fresh_sign_in();
        let facts = vec![
            UserFact::new("email", "E-mail", &user.email),
            UserFact::new("role", "Role", user.role.label()),
            UserFact::new("status", "Status", &status_line(&user)),
            UserFact::maybe(
                "tfa",
                "Two-factor authentication",
                user.tfa_enabled.map(|on| if on { "Yes" } else { "No" }),
            ),
            UserFact::new("zuid", "Zoho user id (ZUID)", &user.zuid),
            UserFact::time(
                "signed-in-at",
                "Your sign-in",
                fresh_sign_in.signed_in_at.as_deref(),
            ),
        ];
        Ok(UserPage {
            user: user_row(&user),
            facts,
            offers: offers(&operator, &user),
            fresh_sign_in: Some(fresh_sign_in),
            rate: None,
            methods: None,
            methods_error: None,
        })
    }

    async fn plan(&self, zuid: &str, offer: &ProviderOffer) -> Result<PlanDraft> {
        self.plan_with_options(zuid, offer, serde_json::Value::Null)
            .await
    }

    /// Reset password takes the options of Zoho's dialog (`ResetPasswordOptions`); Reset MFA
    /// has none.
    async fn plan_with_options(
        &self,
        zuid: &str,
        offer: &ProviderOffer,
        options: serde_json::Value,
    ) -> Result<PlanDraft> {
        let action = ProviderAction::from_id(&offer.action).ok_or_else(not_a_zoho_action)?;
        let operator = self.current_operator().await?;
        let user = self.client.user(zuid).await?;
        let target = PlanTarget::new(
            user.zuid.clone(),
            user.display_name.clone(),
            user.email.clone(),
        );
        let mut draft = match action {
            ProviderAction::ZohoResetPassword => {
                let options = reset_password_options(options)?;
                let mut warnings = vec![
                    "Web sessions of the user are cleared: they must sign in again.".to_string(),
                ];
                if options.email_new_password {
                    warnings.push(
                        "Zoho will e-mail the new password to the user's address: anyone who \
                         reads that mailbox gets it. If the user lost access to their account, \
                         tell them the password over the phone instead."
                            .to_string(),
                    );
                }
                let steps = self.client.plan_reset_password(&user, options);
                let mut draft = PlanDraft::new(target, plan_steps(&steps, &user), warnings);
                draft.needs_password = true;
                draft.run_options = Some(serde_json::to_value(options).map_err(|e| {
                    AppError::internal("Could not keep the reset's options")
                        .with_detail(e.to_string())
                })?);
                draft
            }
            ProviderAction::ZohoResetMfa => {
                if !options.is_null() {
                    return Err(AppError::invalid_input(
                        "Reset MFA has no options; plan it without them.",
                    ));
                }
                let steps = self.client.plan_reset_mfa(&operator, &user.zuid).await?;
                let warnings = vec![format!(
                    "{} must set up multi-factor authentication again at their next sign-in.",
                    user.display_name
                )];
                let mut draft = PlanDraft::new(target, plan_steps(&steps, &user), warnings);
                // Zoho asks "Yes, Reset" twice.
                draft.confirmations_required = 2;
                draft
            }
            ProviderAction::PsResetToken | ProviderAction::PsResetGroupToken => {
                return Err(not_a_zoho_action())
            }
        };
        draft.fresh_sign_in = Some(self.fresh_sign_in());
        draft.privileged = privileged(&user);
        Ok(draft)
    }

    /// The user's role read again when a reset is confirmed: made an admin since the summary,
    /// they need a second person first.
    async fn privileged_now(&self, zuid: &str) -> Result<Option<String>> {
        Ok(privileged(&self.client.user(zuid).await?))
    }

    /// A stale sign-in, or a password that will not do, must leave the summary ready: the
    /// operator fixes that and confirms the same summary.
    async fn preflight(&self, plan: &ProviderPlan, input: &RunInput) -> Result<()> {
        self.require_fresh_sign_in()?;
        if plan.action != ProviderAction::ZohoResetPassword.id() {
            return Ok(());
        }
        match &input.password {
            None => Err(no_password()),
            Some(PasswordInput::Typed { password }) => super::password::validate_typed(
                &secrecy::SecretString::from(password.clone()),
                &plan.target.detail,
            ),
            Some(generate @ PasswordInput::Generate { .. }) => {
                // Rules that cannot make a password are said now, not after the plan ran.
                if let Some(style) = super::password::style_of(generate) {
                    super::password::generate(&style)?;
                }
                Ok(())
            }
        }
    }

    async fn run(&self, plan: &ProviderPlan) -> Result<StepsRun> {
        self.run_with(plan, RunInput::default()).await
    }

    /// Reset password sets the password through the Mail API, and leaves the options without
    /// an API as by-hand steps; Reset MFA is all by hand, after the same checks. The operator
    /// read again must be the one who planned.
    async fn run_with(&self, plan: &ProviderPlan, input: RunInput) -> Result<StepsRun> {
        let operator = self.current_operator().await?;
        if operator.zuid != self.operator.zuid {
            return Err(AppError::denied(
                "This summary was prepared for another operator. Start the action again under your own sign-in.",
            ));
        }
        let action = ProviderAction::from_id(&plan.action).ok_or_else(not_a_zoho_action)?;
        match action {
            ProviderAction::ZohoResetPassword => {
                let choice = super::password::choice_of(input.password.ok_or_else(no_password)?);
                let options = match input.options {
                    Some(options) => reset_password_options(options)?,
                    None => ResetPasswordOptions::default(),
                };
                let outcome = self
                    .client
                    .reset_password(
                        &operator,
                        &plan.target.id,
                        choice,
                        options,
                        self.fresh_sign_in,
                    )
                    .await?;
                Ok(StepsRun {
                    steps: reports(plan, &outcome.steps)?,
                    generated_password: outcome.generated_password,
                    // A password Zoho's user keeps (no change asked at the next sign-in).
                    secret_kind: Some(resetdesk_core::seam::SecretKind::NewPassword),
                })
            }
            ProviderAction::ZohoResetMfa => {
                self.require_fresh_sign_in()?;
                let steps = self
                    .client
                    .plan_reset_mfa(&operator, &plan.target.id)
                    .await?;
                Ok(StepsRun {
                    steps: reports(plan, &steps)?,
                    generated_password: None,
                    secret_kind: None,
                })
            }
            ProviderAction::PsResetToken | ProviderAction::PsResetGroupToken => {
                Err(not_a_zoho_action())
            }
        }
    }

    fn cache_feed(self: Arc<Self>) -> Option<Arc<dyn CacheFeed>> {
        Some(self)
    }

    async fn sign_out(&self) -> Result<()> {
        self.client.session().sign_out().await
    }
}

#[async_trait]
impl CacheFeed for ZohoDirectorySession {
    fn source(&self) -> &dyn DirectorySync {
        &self.client
    }

    async fn probe(&self) -> Result<()> {
        self.client.operator().await.map(|_| ())
    }
}

/// A user as the list shows them; one Zoho cannot reset says why.
fn user_row(user: &ZohoUser) -> UserRow {
    UserRow {
        id: user.zuid.clone(),
        display_name: user.display_name.clone(),
        login: user.email.clone(),
        detail: Some(format!("{} · {}", user.role.label(), status_line(user))),
    }
}

/// The list's one line: the role, and the status (only confirmed users can be reset).
fn detail_line(role: &str, status: UserStatus) -> String {
    format!("{role} · {}", status_label(status))
}

fn status_label(status: UserStatus) -> &'static str {
    match status {
        UserStatus::Confirmed => "Confirmed",
        UserStatus::Pending => "Pending",
        UserStatus::External => "External",
    }
}

/// The status, with Zoho's reason when the user cannot be reset.
fn status_line(user: &ZohoUser) -> String {
    match &user.not_resettable_reason {
        Some(reason) => format!("{} — {reason}", status_label(user.status)),
        None => status_label(user.status).to_string(),
    }
}

fn reset_password_options(options: serde_json::Value) -> Result<ResetPasswordOptions> {
    if options.is_null() {
        return Ok(ResetPasswordOptions::default());
    }
    serde_json::from_value(options).map_err(|e| {
        AppError::invalid_input(
            "The reset's options were not understood; choose them again in the Reset password dialog.",
        )
        .with_detail(e.to_string())
    })
}

fn not_a_zoho_action() -> AppError {
    AppError::invalid_input("This action is not a Zoho action; pick it on the user's page.")
}

fn no_password() -> AppError {
    AppError::invalid_input("Type a password or choose Generate before confirming.")
}

/// One report per planned step, from what the client did (`done`) or left to do by hand.
fn reports(plan: &ProviderPlan, steps: &[ZohoStep]) -> Result<Vec<StepReport>> {
    if steps.len() != plan.steps.len() {
        return Err(AppError::internal(
            "The Zoho steps that ran differ from the summary.",
        ));
    }
    Ok(steps
        .iter()
        .zip(&plan.steps)
        .enumerate()
        .map(
            |(index, (done, planned))| match (&done.performed, done.done) {
                (Performed::Api { .. }, true) => StepReport::of(
                    index,
                    planned,
                    StepState::Done,
                    "Done through the Zoho API.".into(),
                ),
                (Performed::Api { .. }, false) => StepReport::of(
                    index,
                    planned,
                    StepState::Failed,
                    "Zoho did not confirm this step.".into(),
                ),
                (Performed::ByHand { .. }, _) => StepReport::of(
                    index,
                    planned,
                    StepState::ToDoByHand,
                    "Finish this in the Zoho admin panel, then mark it as done.".into(),
                ),
            },
        )
        .collect())
}
