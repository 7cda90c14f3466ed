//! Zoho Directory connections in the Console: device sign-in (and re-authentication before a
//! reset), the organisation's users, the offered actions with their reasons, and the plans of
//! Reset password and Reset MFA. The Zoho calls themselves are in `providers::zoho`.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde::Serialize;

use super::provider_actions::{
    refusal_record, ClaimedProviderPlan, FreshSignIn, PasswordInput, PlanOwner, PlanTarget,
    ProviderAccount, ProviderAction, ProviderOffer, ProviderPlan, ProviderStep, StepPerformed,
    StepReport, StepState, StepsRun,
};
use super::{check_query_length, lock, require_id, Console, SEARCH_LIMIT};
use crate::auth::BrowserLauncher;
use crate::error::{AppError, Result};
use crate::providers::zoho::permissions::target_guard;
use crate::providers::zoho::{
    DeviceAuthorization, DeviceSignIn, Performed, ResetPasswordOptions, ZohoClient, ZohoOperator,
    ZohoOption, ZohoStep, ZohoUser, SLOW_DOWN_INTERVAL,
};

/// Default of how old the operator's Zoho sign-in may be when they confirm a reset (Zoho's
/// own dialog asks for the admin's password every time).
pub const DEFAULT_FRESH_SIGN_IN: Duration = Duration::from_secs(5 * 60);
/// Pages of the organisation read for one search (the Mail API has no search parameter).
const SEARCH_PAGES: u32 = 5;

pub use resetdesk_model::demo::DeviceApprover;

/// A signed-in Zoho connection.
pub(super) struct ZohoConnectionSession {
    pub client: ZohoClient,
    pub operator: ZohoOperator,
}

#[derive(Default)]
pub(super) struct ZohoState {
    pub sessions: tokio::sync::RwLock<HashMap<String, Arc<ZohoConnectionSession>>>,
    /// Device sign-ins started and not yet finished, by connection.
    pub pending: std::sync::Mutex<HashMap<String, DeviceAuthorization>>,
    /// Sandbox connections: who approves their device codes.
    pub approvers: HashMap<String, Arc<dyn DeviceApprover>>,
    /// `None`: the default.
    pub fresh_sign_in: Option<Duration>,
}

/// The code the operator enters on Zoho's page.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_url: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ZohoUserDetails {
    pub user: ZohoUser,
    pub actions: Vec<ProviderOffer>,
    pub fresh_sign_in: FreshSignIn,
}

impl Console {
    /// The sandbox Zoho connection's device codes are approved by `approver` (the emulator).
    pub fn with_zoho_sandbox_approver(
        mut self,
        connection_id: &str,
        approver: Arc<dyn DeviceApprover>,
    ) -> Self {
        self.zoho
            .approvers
            .insert(connection_id.to_string(), approver);
        self
    }

    /// How recent the Zoho sign-in must be when a reset is confirmed.
    pub fn with_zoho_fresh_sign_in(mut self, max_age: Duration) -> Self {
        self.zoho.fresh_sign_in = Some(max_age);
        self
    }

    fn zoho_max_sign_in_age(&self) -> Duration {
        self.zoho.fresh_sign_in.unwrap_or(DEFAULT_FRESH_SIGN_IN)
    }

    /// Adds a Zoho organisation: the client secret goes to the keychain, the rest to the
    /// saved connections (by the shell).
    pub async fn add_zoho_connection(
        &self,
        new: crate::connection::NewZohoConnection,
    ) -> Result<String> {
        let (connection, client_secret) = new.into_connection()?;
        let settings = connection.zoho()?.clone();
        DeviceSignIn::new(
            connection.id.clone(),
            settings,
            Arc::clone(&self.secrets),
            self.token_http.clone(),
        )
        .save_client_secret(&client_secret)
        .await?;
        let id = connection.id.clone();
        self.add_connection(connection)?;
        Ok(id)
    }

    /// Starts the device sign-in: Zoho gives a code for the operator to enter on its page,
    /// which `browser` opens. For the sandbox, `sandbox_account` (a demo operator's e-mail)
    /// approves it on their behalf.
    pub async fn zoho_start_sign_in(
        &self,
        connection_id: &str,
        sandbox_account: Option<&str>,
        browser: Option<&dyn BrowserLauncher>,
    ) -> Result<DeviceCodePrompt> {
        let connection = self.connection(connection_id)?;
        let sign_in = DeviceSignIn::new(
            connection.id.clone(),
            connection.zoho()?.clone(),
            Arc::clone(&self.secrets),
            self.token_http.clone(),
        );
        let approver = self.zoho.approvers.get(connection_id);
        if let Some(approver) = approver {
            // The sandbox's app is registered with the emulator, not added by the operator.
            sign_in
                .save_client_secret(&approver.client_secret())
                .await?;
        }
        let authorization = sign_in.start().await?;
        if let Some(approver) = approver {
            let account = sandbox_account.ok_or_else(|| {
                AppError::invalid_input("Choose a demo account to sign in to the sandbox.")
            })?;
            if !approver.approve(&authorization.user_code, account) {
                return Err(AppError::invalid_input(format!(
                    "The sandbox has no Zoho operator \"{account}\". Choose one of the demo accounts."
                )));
            }
        } else if let Some(browser) = browser {
            // The address comes from the server's answer: only the data centre's own
            // accounts page is opened.
            let url = crate::providers::zoho::auth::verification_page(
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
        lock(&self.zoho.pending)?.insert(connection_id.to_string(), authorization);
        Ok(prompt)
    }

    /// Waits for the operator to approve the code (or deny it, or let it expire), then reads
    /// who they are and their role. Signing in again replaces the session (re-authentication
    /// before a reset).
    pub async fn zoho_finish_sign_in(&self, connection_id: &str) -> Result<ProviderAccount> {
        let connection = self.connection(connection_id)?;
        let authorization = lock(&self.zoho.pending)?
            .remove(connection_id)
            .ok_or_else(|| {
                AppError::invalid_input("No Zoho sign-in is waiting; click Sign in first.")
            })?;
        let mut sign_in = DeviceSignIn::new(
            connection.id.clone(),
            connection.zoho()?.clone(),
            Arc::clone(&self.secrets),
            self.token_http.clone(),
        );
        let session = sign_in
            .wait_for_approval(&authorization, SLOW_DOWN_INTERVAL)
            .await?;
        // The account was in another data centre: the connection lives there from now on
        // (its secrets are bound to those servers already; the shell saves the list).
        if sign_in.settings() != connection.zoho()? {
            tracing::info!(
                connection = %connection_id,
                data_centre = ?sign_in.settings().data_centre,
                "the Zoho connection moved to the account's data centre"
            );
            self.update_connection_settings(
                connection_id,
                crate::connection::ProviderSettings::Zoho(sign_in.settings().clone()),
            )?;
        }
        let client = ZohoClient::new(Arc::new(session), self.token_http.clone());
        let operator = client.operator().await?;
        let account = zoho_account(&operator, &client);
        let session = Arc::new(ZohoConnectionSession { client, operator });
        self.zoho
            .sessions
            .write()
            .await
            .insert(connection_id.to_string(), Arc::clone(&session));
        self.sync_after_sign_in(connection_id, session);
        tracing::info!(connection = %connection_id, "signed in to Zoho");
        Ok(account)
    }

    /// At start-up: a Zoho connection whose refresh token is in the keychain comes back
    /// (its first reset still asks for a fresh sign-in).
    pub(super) async fn resume_zoho_session(
        &self,
        connection: &crate::model::connection::Connection,
    ) -> Result<()> {
        let resumed = crate::providers::zoho::ZohoSession::resume(
            connection.id.clone(),
            connection.zoho()?.clone(),
            Arc::clone(&self.secrets),
            self.token_http.clone(),
        )
        .await?;
        if let Some(session) = resumed {
            let client = ZohoClient::new(Arc::new(session), self.token_http.clone());
            let operator = client.operator().await?;
            let session = Arc::new(ZohoConnectionSession { client, operator });
            self.zoho
                .sessions
                .write()
                .await
                .insert(connection.id.clone(), Arc::clone(&session));
            self.sync_after_sign_in(&connection.id, session);
        }
        Ok(())
    }

    pub(super) async fn zoho_account_of(&self, connection_id: &str) -> Option<ProviderAccount> {
        let sessions = self.zoho.sessions.read().await;
        sessions
            .get(connection_id)
            .map(|s| zoho_account(&s.operator, &s.client))
    }

    pub(super) async fn zoho_sign_out(&self, connection_id: &str) -> Result<()> {
        lock(&self.zoho.pending)?.remove(connection_id);
        let session = self.zoho.sessions.write().await.remove(connection_id);
        if let Some(session) = session {
            session.client.session().sign_out().await?;
        }
        Ok(())
    }

    /// Who is signed in to the Zoho connection, as plans and the audit log name them.
    pub(super) async fn zoho_owner_of(&self, connection_id: &str) -> Result<PlanOwner> {
        let session = self.zoho_session(connection_id).await?;
        Ok(zoho_owner(&session.operator, &session.client))
    }

    pub(super) async fn zoho_session(
        &self,
        connection_id: &str,
    ) -> Result<Arc<ZohoConnectionSession>> {
        let connection = self.connection(connection_id)?;
        connection.zoho()?;
        super::signed_in_session(&self.zoho.sessions, &connection).await
    }

    /// Users whose name or address contains `query`; an empty query lists the first users.
    pub async fn zoho_search_users(
        &self,
        connection_id: &str,
        query: &str,
    ) -> Result<Vec<ZohoUser>> {
        let query = query.trim();
        check_query_length(query, "name or e-mail")?;
        let session = self.zoho_session(connection_id).await?;
        require_some_permission(&session.operator)?;
        let found = if query.is_empty() {
            session
                .client
                .list_users(0, SEARCH_LIMIT as u32)
                .await
                .map(|page| page.users)
        } else {
            session.client.search_users(query, SEARCH_PAGES).await
        };
        if let Err(error) = &found {
            // Unreachable: the cached users still answer; probe until Zoho is back.
            self.note_live_failure(connection_id, session.clone(), error);
        }
        let mut users = found?;
        users.truncate(SEARCH_LIMIT);
        Ok(users)
    }

    /// The user's page: the user read live, and the two actions with the reason when one is
    /// not offered.
    pub async fn zoho_user_details(
        &self,
        connection_id: &str,
        zuid: &str,
    ) -> Result<ZohoUserDetails> {
        let zuid = require_id(zuid)?;
        let session = self.zoho_session(connection_id).await?;
        require_some_permission(&session.operator)?;
        let user = session.client.user(zuid).await?;
        let actions = zoho_offers(&session.operator, &user);
        Ok(ZohoUserDetails {
            user,
            actions,
            fresh_sign_in: self.fresh_sign_in_of(&session),
        })
    }

    fn fresh_sign_in_of(&self, session: &ZohoConnectionSession) -> FreshSignIn {
        let max_age = self.zoho_max_sign_in_age();
        let session = session.client.session();
        FreshSignIn {
            max_age_minutes: max_age.as_secs().div_ceil(60),
            signed_in_at: session
                .signed_in_at()
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            fresh: session.require_fresh_sign_in(max_age, Utc::now()).is_ok(),
        }
    }

    /// The checks of a Zoho run that must not use up the plan: a fresh sign-in, and for a
    /// password reset a password choice, a typed one strong enough.
    pub(super) async fn zoho_preflight(
        &self,
        connection_id: &str,
        action: ProviderAction,
        target_email: &str,
        password: Option<&PasswordInput>,
    ) -> Result<()> {
        let session = self.zoho_session(connection_id).await?;
        session
            .client
            .session()
            .require_fresh_sign_in(self.zoho_max_sign_in_age(), Utc::now())?;
        if action == ProviderAction::ZohoResetPassword {
            match password {
                None => {
                    return Err(AppError::invalid_input(
                        "Type a password or choose Generate before confirming.",
                    ))
                }
                Some(PasswordInput::Typed { password }) => {
                    crate::providers::zoho::password::validate_typed(
                        &secrecy::SecretString::from(password.clone()),
                        target_email,
                    )?;
                }
                Some(generate @ PasswordInput::Generate { .. }) => {
                    // Rules that cannot make a password are said now, not after the plan ran.
                    if let Some(style) = generate.generator_style() {
                        crate::providers::zoho::password::generate(&style)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The confirmation summary of Reset password or Reset MFA, from live state: the
    /// operator's role read again, the target read again, every check made. A refusal is
    /// audited.
    pub async fn zoho_plan(
        &self,
        connection_id: &str,
        zuid: &str,
        action: ProviderAction,
        options: ResetPasswordOptions,
    ) -> Result<ProviderPlan> {
        let zuid = require_id(zuid)?;
        let session = self.zoho_session(connection_id).await?;
        let operator = session.client.operator().await?;
        let owner = zoho_owner(&operator, &session.client);
        // Zoho's organisation API answers admins only: a member is refused (and audited)
        // before the target is read.
        if let Err(refusal) = require_some_permission(&operator) {
            let target = PlanTarget {
                id: zuid.to_string(),
                name: zuid.to_string(),
                detail: format!("Zoho user {zuid}"),
            };
            let record = refusal_record(
                connection_id,
                &owner,
                &target,
                (action.label(), action.safety_class()),
                &refusal.message,
            );
            if let Err(e) = self.append_audit(record) {
                tracing::error!(error = %e, "could not audit a refusal");
            }
            return Err(refusal);
        }
        let user = session.client.user(zuid).await?;
        let target = zoho_target(&user);
        let offer = zoho_offers(&operator, &user)
            .into_iter()
            .find(|o| o.action == action.id())
            .ok_or_else(|| {
                AppError::invalid_input(
                    "This action is not a Zoho action; pick it on the user's page.",
                )
            })?;
        if let Some(why) = offer.reason.filter(|_| !offer.allowed) {
            // A confirmed user may still be refused; an unconfirmed one is bad input, not a refusal.
            if user.not_resettable_reason.is_some() {
                return Err(AppError::invalid_input(why));
            }
            let record = refusal_record(
                connection_id,
                &owner,
                &target,
                (action.label(), action.safety_class()),
                &why,
            );
            if let Err(e) = self.append_audit(record) {
                tracing::error!(error = %e, "could not audit a refusal");
            }
            return Err(AppError::denied(why));
        }
        let (zoho_steps, warnings, confirmations, needs_password) = match action {
            ProviderAction::ZohoResetPassword => {
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
                (
                    session.client.plan_reset_password(&user, options),
                    warnings,
                    1,
                    true,
                )
            }
            ProviderAction::ZohoResetMfa => (
                session.client.plan_reset_mfa(&operator, &user.zuid).await?,
                vec![format!(
                    "{} must set up multi-factor authentication again at their next sign-in.",
                    user.display_name
                )],
                2,
                false,
            ),
            ProviderAction::PsResetToken | ProviderAction::PsResetGroupToken => {
                return Err(AppError::invalid_input(
                    "This is a Privilege Secure action; pick it on a Privilege Secure user's page.",
                ))
            }
        };
        let plan = ProviderPlan {
            id: uuid::Uuid::new_v4().to_string(),
            connection_id: connection_id.to_string(),
            action: action.id().to_string(),
            safety_class: action.safety_class(),
            action_label: action.label().to_string(),
            target,
            steps: zoho_steps.iter().map(|s| zoho_step(s, &user)).collect(),
            warnings,
            confirmations_required: confirmations,
            needs_password,
            fresh_sign_in: Some(self.fresh_sign_in_of(&session)),
        };
        let options = (action == ProviderAction::ZohoResetPassword).then_some(options);
        self.keep_provider_plan(plan, owner, options)
    }

    /// Runs a claimed Zoho plan. Reset password sets the password through the Mail API, and
    /// leaves the options without an API as by-hand steps; Reset MFA is all by hand, after
    /// the same checks. The operator must be the one who planned.
    pub(super) async fn run_zoho_plan(
        &self,
        claimed: &ClaimedProviderPlan,
        password: Option<PasswordInput>,
    ) -> Result<StepsRun> {
        let plan = &claimed.plan;
        let session = self.zoho_session(&plan.connection_id).await?;
        let operator = session.client.operator().await?;
        if operator.zuid != claimed.owner.operator_id {
            return Err(AppError::denied(
                "This summary was prepared for another operator. Start the action again under your own sign-in.",
            ));
        }
        let action = ProviderAction::from_id(&plan.action).ok_or_else(|| {
            AppError::invalid_input("This action is not a Zoho action; pick it on the user's page.")
        })?;
        match action {
            ProviderAction::ZohoResetPassword => {
                let choice = password
                    .ok_or_else(|| {
                        AppError::invalid_input(
                            "Type a password or choose Generate before confirming.",
                        )
                    })?
                    .into_choice();
                let options = claimed.zoho_options.unwrap_or_default();
                let outcome = session
                    .client
                    .reset_password(
                        &operator,
                        &plan.target.id,
                        choice,
                        options,
                        self.zoho_max_sign_in_age(),
                    )
                    .await?;
                let steps = zoho_reports(plan, &outcome.steps)?;
                Ok(StepsRun {
                    steps,
                    generated_password: outcome.generated_password,
                })
            }
            ProviderAction::ZohoResetMfa => {
                session
                    .client
                    .session()
                    .require_fresh_sign_in(self.zoho_max_sign_in_age(), Utc::now())?;
                let steps = session
                    .client
                    .plan_reset_mfa(&operator, &plan.target.id)
                    .await?;
                Ok(StepsRun {
                    steps: zoho_reports(plan, &steps)?,
                    generated_password: None,
                })
            }
            ProviderAction::PsResetToken | ProviderAction::PsResetGroupToken => Err(
                AppError::internal("A Privilege Secure plan was sent to the Zoho runner."),
            ),
        }
    }
}

/// One report per planned step, from what the client did (`done`) or left to do by hand.
fn zoho_reports(plan: &ProviderPlan, steps: &[ZohoStep]) -> Result<Vec<StepReport>> {
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

fn zoho_step(step: &ZohoStep, user: &ZohoUser) -> ProviderStep {
    let summary = match step.option {
        ZohoOption::SetPassword => format!("Set a new password for {}", user.email),
        ZohoOption::ClearWebSessions => {
            "Clear the user's web sessions (the reset itself does this)".to_string()
        }
        ZohoOption::ForceChangeOnLogin => {
            "Force the user to change the password on login".to_string()
        }
        ZohoOption::ClearMobileSessionsAndApiTokens => {
            "Clear mobile sessions and API tokens".to_string()
        }
        ZohoOption::EmailNewPassword => "E-mail the new password to the user".to_string(),
        ZohoOption::ResetMfa => format!("Reset the MFA of {}", user.email),
    };
    let performed = match &step.performed {
        Performed::Api { doc } => StepPerformed::Api {
            doc: doc.to_string(),
        },
        Performed::ByHand {
            admin_page_url,
            instructions,
            why,
        } => StepPerformed::ByHand {
            page_url: admin_page_url.clone(),
            instructions: instructions.clone(),
            why: why.to_string(),
        },
    };
    ProviderStep { summary, performed }
}

/// A member may neither reset passwords nor manage MFA, and Zoho's organisation API would
/// refuse to even list users: say why, in Zoho's terms, rather than pass on a 403.
fn require_some_permission(operator: &ZohoOperator) -> Result<()> {
    let permissions = &operator.permissions;
    if permissions.may_reset_password || permissions.may_manage_mfa {
        return Ok(());
    }
    Err(AppError::denied(permissions.reason.clone().unwrap_or_else(
        || "Your Zoho role may neither reset passwords nor manage MFA.".to_string(),
    )))
}

/// Reset password and Reset MFA, each offered or not, with Zoho's reasons.
fn zoho_offers(operator: &ZohoOperator, user: &ZohoUser) -> Vec<ProviderOffer> {
    let target_refusal = || -> Option<String> {
        if let Some(reason) = &user.not_resettable_reason {
            return Some(reason.clone());
        }
        if user.zuid == operator.zuid {
            return Some(
                "You cannot reset your own password or MFA here; use your Zoho account's own \
                 security settings."
                    .to_string(),
            );
        }
        target_guard(operator.permissions.role, user.role)
    };
    let permission_refusal = operator
        .permissions
        .reason
        .clone()
        .unwrap_or_else(|| "Your Zoho role does not carry this permission.".to_string());
    let reset_password = if operator.permissions.may_reset_password {
        target_refusal()
    } else {
        Some(permission_refusal.clone())
    };
    let manage_mfa = if operator.permissions.may_manage_mfa {
        target_refusal()
    } else {
        Some(permission_refusal)
    };
    vec![
        ProviderOffer::new(
            ProviderAction::ZohoResetPassword,
            "Reset password",
            reset_password,
        ),
        ProviderOffer::new(ProviderAction::ZohoResetMfa, "Reset MFA", manage_mfa),
    ]
}

fn zoho_account(operator: &ZohoOperator, client: &ZohoClient) -> ProviderAccount {
    ProviderAccount {
        name: operator.display_name.clone(),
        login: operator.email.clone(),
        role_label: operator.permissions.role.label().to_string(),
        signed_in_at: client
            .session()
            .signed_in_at()
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
    }
}

fn zoho_owner(operator: &ZohoOperator, client: &ZohoClient) -> PlanOwner {
    PlanOwner {
        operator_id: operator.zuid.clone(),
        operator_label: operator.email.clone(),
        tenant_id: format!("zoho:{}", client.session().settings().organization_id),
    }
}

fn zoho_target(user: &ZohoUser) -> PlanTarget {
    PlanTarget {
        id: user.zuid.clone(),
        name: user.display_name.clone(),
        detail: user.email.clone(),
    }
}
