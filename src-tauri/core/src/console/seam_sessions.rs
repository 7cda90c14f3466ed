//! The Console's side of the provider seam (`crate::seam`): the registered providers, the
//! sessions of their connections, and the use cases every provider shares — sign in, search, a
//! user's page, plan an offered action — with the checks made once here for all of them. The
//! plan store, the run, the audit, the hourly cap and the by-hand steps are in
//! `provider_actions`; the offline cache a session feeds in `offline_cache`.
use std::collections::HashMap;
use std::sync::Arc;

use super::provider_actions::{
    refusal_record, ClaimedProviderPlan, ProviderPlan, RefusedFor, StepsRun,
};
use super::{check_query_length, require_id, Console, SEARCH_LIMIT};
use crate::error::{AppError, ErrorKind, Result};
use crate::model::connection::{Connection, ProviderSettings};
use crate::seam::{
    DeclaredAction, Provider, ProviderAccount, RunInput, Session, SignInOutcome, SignInRequest,
    SignInStep, UserPage, UserSearch,
};

/// What the users list searches by, as its search box says.
pub(super) const SEARCHES_BY: &str = "name, login or e-mail";

#[derive(Default)]
pub(super) struct SeamState {
    /// By `Provider::name`.
    providers: HashMap<String, Arc<dyn Provider>>,
    /// By connection id.
    sessions: tokio::sync::RwLock<HashMap<String, Arc<dyn Session>>>,
}

impl SeamState {
    /// The registered providers, in no particular order.
    pub(super) fn providers(&self) -> impl Iterator<Item = &Arc<dyn Provider>> {
        self.providers.values()
    }
}

impl Console {
    /// Registers a provider: the connections whose settings name it are served by it.
    pub fn with_provider(mut self, provider: Arc<dyn Provider>) -> Self {
        self.seam
            .providers
            .insert(provider.name().to_string(), provider);
        self
    }

    /// The provider registered under `name` (`Provider::name`), for a provider's own typed
    /// use cases (which downcast it to their type).
    pub fn registered_provider(&self, name: &str) -> Option<Arc<dyn Provider>> {
        self.seam.providers.get(name).cloned()
    }

    /// Signs in to a connection of a registered provider.
    pub async fn sign_in_with(
        &self,
        connection_id: &str,
        request: SignInRequest,
    ) -> Result<SignInOutcome> {
        let connection = self.connection(connection_id)?;
        self.connection_allowed(&connection)?;
        let provider = self.provider_of(&connection)?;
        if provider.asks_for_account(&connection) && request.account.trim().is_empty() {
            return Err(AppError::invalid_input(
                "Enter the account to sign in as, then sign in again.",
            ));
        }
        match provider.sign_in(&connection, request).await? {
            SignInStep::Done(session) => {
                let account = self.keep_session(connection_id, session).await;
                tracing::info!(connection = %connection_id, provider = %provider.name(), "signed in");
                Ok(SignInOutcome::Done { account })
            }
            SignInStep::DoneAndMoved { session, settings } => {
                // Its secrets are bound to the new servers already; the shell saves the list.
                self.update_connection_settings(connection_id, settings)?;
                let account = self.keep_session(connection_id, session).await;
                tracing::info!(connection = %connection_id, provider = %provider.name(), "signed in; the connection moved");
                Ok(SignInOutcome::Done { account })
            }
            SignInStep::DeviceCode(prompt) => Ok(SignInOutcome::DeviceCode { prompt }),
            SignInStep::UntrustedCertificate { sha256 } => {
                Ok(SignInOutcome::UntrustedCertificate { sha256 })
            }
        }
    }

    /// Keeps a signed-in session (replacing one signed in before: a fresh sign-in), and fills
    /// its offline cache when the provider keeps one. A provider's typed sign-in ends here.
    pub async fn keep_session(
        &self,
        connection_id: &str,
        session: Arc<dyn Session>,
    ) -> ProviderAccount {
        let account = session.account();
        self.seam
            .sessions
            .write()
            .await
            .insert(connection_id.to_string(), Arc::clone(&session));
        if let Some(feed) = session.cache_feed() {
            self.sync_after_sign_in(connection_id, feed);
        }
        account
    }

    /// At start-up: the session of a sign-in the provider kept (in the keychain), if any.
    pub(super) async fn resume_seam_session(&self, connection: &Connection) -> Result<()> {
        let provider = self.provider_of(connection)?;
        if let Some(session) = provider.resume(connection).await? {
            self.keep_session(&connection.id, session).await;
            tracing::info!(connection = %connection.id, provider = %provider.name(), "resumed the sign-in");
        }
        Ok(())
    }

    /// Users of the connection matching `query` (checked here for every provider). When the
    /// service cannot be reached and the provider keeps an offline cache, the cache answers
    /// (marked so), and the Console probes until the service is back.
    pub async fn directory_search(&self, connection_id: &str, query: &str) -> Result<UserSearch> {
        let connection = self.connection(connection_id)?;
        let query = query.trim();
        // In the words of the one users list's search box, whatever the provider.
        check_query_length(query, SEARCHES_BY)?;
        let session = self.seam_session(connection_id).await?;
        let error = match session.search(query, SEARCH_LIMIT).await {
            Ok(mut users) => {
                users.truncate(SEARCH_LIMIT);
                return Ok(UserSearch {
                    users,
                    from_cache: None,
                });
            }
            Err(error) => error,
        };
        let Some(feed) = Arc::clone(&session).cache_feed() else {
            return Err(error);
        };
        self.note_live_failure(connection_id, feed, &error);
        self.cached_answer_when_offline(&connection, query, error)
            .await
    }

    /// A user's page, read live, with every action offered or refused with the reason, and —
    /// where one of them is a reset — the operator's resets this hour against the cap.
    pub async fn directory_user(&self, connection_id: &str, user_id: &str) -> Result<UserPage> {
        let user_id = require_id(user_id)?;
        let session = self.seam_session(connection_id).await?;
        let mut page = match session.user_page(user_id).await {
            Ok(page) => page,
            Err(error) => {
                // An unreachable service turns the offline cache on, as a failed search does.
                if let Some(feed) = Arc::clone(&session).cache_feed() {
                    self.note_live_failure(connection_id, feed, &error);
                }
                return Err(error);
            }
        };
        if page
            .offers
            .iter()
            .any(|offer| offer.safety_class.is_reset())
        {
            page.rate = self
                .team_rate_status(session.as_ref(), user_id, &session.owner().operator_label)
                .await
                .inspect_err(
                    |e| tracing::warn!(error = %e, "could not count the operator's resets"),
                )
                .ok();
        }
        Ok(page)
    }

    /// [`Console::directory_user`] naming the tenant apart from the user's id, for a provider
    /// whose users live in several tenants (`Session::user_of_tenant`): the tests of its rules
    /// hold the two apart. The page sends the id its users list gave the row. A provider of one
    /// organisation takes no tenant.
    pub async fn directory_user_in(
        &self,
        connection_id: &str,
        tenant_id: Option<&str>,
        user_id: &str,
    ) -> Result<UserPage> {
        let Some(tenant_id) = tenant_id else {
            return self.directory_user(connection_id, user_id).await;
        };
        let (tenant_id, user_id) = (require_id(tenant_id)?, require_id(user_id)?);
        let session = self.seam_session(connection_id).await?;
        match session.user_of_tenant(tenant_id, user_id) {
            Some(id) => self.directory_user(connection_id, &id).await,
            None => Err(AppError::invalid_input(format!(
                "\"{}\" has no customer tenants: open the user without naming one.",
                self.connection(connection_id)?.display_name
            ))),
        }
    }

    /// [`Console::plan_provider_action`] of an action without options.
    pub async fn plan_offered(
        &self,
        connection_id: &str,
        user_id: &str,
        action: &str,
    ) -> Result<ProviderPlan> {
        self.plan_provider_action(connection_id, user_id, action, None)
            .await
    }

    /// The confirmation summary of `action` on a user, with the options its form chose: only
    /// an action the user's page offers (read again now); a refusal is audited and answered
    /// with its reason. The plan is kept for `run_provider_plan`.
    pub async fn plan_provider_action(
        &self,
        connection_id: &str,
        user_id: &str,
        action: impl AsRef<str>,
        options: Option<serde_json::Value>,
    ) -> Result<ProviderPlan> {
        // No action while the managed policy cannot be applied (see `with_safety_refused`).
        self.safety()?;
        let action = action.as_ref();
        let user_id = require_id(user_id)?;
        let connection = self.connection(connection_id)?;
        let provider = self.provider_of(&connection)?;
        provider.check_request(action, options.as_ref())?;
        let session = self.seam_session(connection_id).await?;
        let page = match session.user_page(user_id).await {
            Ok(page) => page,
            Err(refusal) if refusal.kind == ErrorKind::Denied => {
                // The operator may not even read the user (a Zoho member): a refused attempt.
                if let Some(declared) = declared_action(&provider, action) {
                    let mut target =
                        super::PlanTarget::new(user_id, user_id, format!("user {user_id}"));
                    target.in_tenant = session.user_in_tenant(user_id);
                    let declared = (declared.name.label.as_str(), declared.safety_class);
                    self.audit_seam_refusal(
                        connection_id,
                        &session,
                        &target,
                        declared,
                        &refusal.message,
                    );
                }
                return Err(refusal);
            }
            Err(other) => return Err(other),
        };
        let offer = page
            .offers
            .iter()
            .find(|o| o.action == action)
            .ok_or_else(|| {
                AppError::invalid_input(format!(
                    "\"{action}\" is not an action of this directory; pick one on the user's page."
                ))
            })?;
        let owner = session.owner();
        if !offer.allowed {
            let why = offer
                .reason
                .clone()
                .unwrap_or_else(|| "This action is not allowed for this user.".to_string());
            if offer.refused_for == RefusedFor::TargetState {
                // Nothing the operator tried beyond their rights: said, not audited.
                return Err(AppError::invalid_input(why));
            }
            let label = audit_label(&provider, offer);
            let action = (label.as_str(), offer.safety_class);
            self.audit_offer_refusal(connection_id, &session, user_id, &page.user, action, &why);
            return Err(AppError::denied(why));
        }
        let draft = match options {
            Some(options) => session.plan_with_options(user_id, offer, options).await,
            None => session.plan(user_id, offer).await,
        };
        let mut draft = match draft {
            Ok(draft) => draft,
            Err(refusal) if refusal.kind == ErrorKind::Denied => {
                // Refused from live state the page had not seen (the operator's roles read
                // again, a role lost since sign-in): a refused attempt, audited.
                self.audit_offer_refusal(
                    connection_id,
                    &session,
                    user_id,
                    &page.user,
                    (&audit_label(&provider, offer), offer.safety_class),
                    &refusal.message,
                );
                return Err(refusal);
            }
            Err(other) => return Err(other),
        };
        // Where the audit log names the user (a Lighthouse customer's tenant and their id there).
        draft.target.in_tenant = session.user_in_tenant(user_id);
        let (safety, resets_elsewhere) = self
            .plan_safety(
                session.as_ref(),
                &owner.operator_label,
                offer.safety_class,
                (user_id, &page.user),
                draft.privileged.clone(),
            )
            .await?;
        if safety.approval.required && !provider.takes_approvals() {
            // This provider has no sign-in for a second person: the rule holds, so the reset
            // is refused rather than run without them.
            let why = format!(
                "{} Your organisation requires a second person's approval for this reset, and \
                 ResetDesk cannot take one for \"{}\" yet: a second administrator can make \
                 the change in its admin console.",
                safety.approval.reasons.join(" "),
                connection.display_name
            );
            let label = audit_label(&provider, offer);
            self.audit_seam_refusal(
                connection_id,
                &session,
                &draft.target,
                (&label, offer.safety_class),
                &why,
            );
            return Err(AppError::denied(why));
        }
        let plan = ProviderPlan {
            id: uuid::Uuid::new_v4().to_string(),
            connection_id: connection_id.to_string(),
            action: offer.action.clone(),
            safety_class: offer.safety_class,
            action_label: audit_label(&provider, offer),
            target: draft.target,
            operator: owner.operator_label.clone(),
            admin_centre: provider.admin_centre().to_string(),
            steps: draft.steps,
            warnings: draft.warnings,
            confirmations_required: draft.confirmations_required.max(1),
            needs_password: draft.needs_password,
            fresh_sign_in: draft.fresh_sign_in,
            safety,
            choices: draft.choices,
        };
        self.keep_provider_plan(plan, owner, draft.run_options, &resets_elsewhere)
    }

    /// Audits an offered `action` (its label in the log, its safety class) refused on the
    /// page's `user` (asked for as `user_id`; why: `why`).
    fn audit_offer_refusal(
        &self,
        connection_id: &str,
        session: &Arc<dyn Session>,
        user_id: &str,
        user: &crate::seam::UserRow,
        action: (&str, crate::seam::SafetyClass),
        why: &str,
    ) {
        let target = super::PlanTarget {
            in_tenant: session.user_in_tenant(user_id),
            ..super::PlanTarget::new(
                user.id.clone(),
                user.display_name.clone(),
                user.login.clone(),
            )
        };
        self.audit_seam_refusal(connection_id, session, &target, action, why);
    }

    fn audit_seam_refusal(
        &self,
        connection_id: &str,
        session: &Arc<dyn Session>,
        target: &super::PlanTarget,
        action: (&str, crate::seam::SafetyClass),
        why: &str,
    ) {
        let record = refusal_record(connection_id, &session.owner(), target, action, why);
        if let Err(e) = self.append_audit(record) {
            tracing::error!(error = %e, "could not audit a refusal");
        }
    }

    /// The checks of a confirmation that must not use up the plan (see `Session::preflight`).
    pub(super) async fn preflight_seam_plan(
        &self,
        plan: &ProviderPlan,
        input: &RunInput,
    ) -> Result<()> {
        self.seam_session(&plan.connection_id)
            .await?
            .preflight(plan, input)
            .await
    }

    /// Runs a claimed plan through the session that must still be its planner's.
    pub(super) async fn run_seam_plan(
        &self,
        claimed: &ClaimedProviderPlan,
        input: RunInput,
    ) -> Result<StepsRun> {
        let session = self.seam_session(&claimed.plan.connection_id).await?;
        if session.owner().operator_id != claimed.owner.operator_id {
            return Err(AppError::denied(
                "This summary was prepared for another operator. Start the action again under your own sign-in.",
            ));
        }
        session.run_with(&claimed.plan, input).await
    }

    /// Whether the connection has a signed-in session of the seam.
    pub(super) async fn has_seam_session(&self, connection_id: &str) -> bool {
        self.seam.sessions.read().await.contains_key(connection_id)
    }

    /// The signed-in session of a connection, or why there is none (a provider's typed use
    /// cases downcast it to their session's type).
    pub async fn seam_session(&self, connection_id: &str) -> Result<Arc<dyn Session>> {
        let connection = self.connection(connection_id)?;
        self.provider_of(&connection)?;
        self.signed_in_session_of(connection_id)
            .await
            .ok_or_else(|| {
                AppError::not_signed_in(format!(
                    "You are not signed in to {}. Sign in on the Connections screen.",
                    connection.display_name
                ))
            })
    }

    /// Trusts, for this connection only, the certificate the operator was shown at sign-in
    /// (`sha256`), and keeps the settings the provider pins it in (the shell saves them).
    pub async fn trust_certificate(&self, connection_id: &str, sha256: &str) -> Result<()> {
        let connection = self.connection(connection_id)?;
        let provider = self.provider_of(&connection)?;
        let settings = provider.trust_certificate(&connection, sha256).await?;
        let mut pinned = connection.clone();
        pinned.settings = settings.clone();
        if pinned.provider_name() != connection.provider_name() {
            // A provider pins its own connections only: never turns one into another kind.
            return Err(AppError::internal(
                "The provider answered settings of another kind; nothing was trusted.",
            ));
        }
        let mut connections = self.connections.write().map_err(|_| super::poisoned())?;
        let saved = connections
            .iter_mut()
            .find(|c| c.id == connection_id)
            .ok_or_else(|| AppError::invalid_input("This connection no longer exists."))?;
        saved.settings = settings;
        tracing::info!(connection = %connection_id, provider = %provider.name(), "trusted a server certificate fingerprint");
        Ok(())
    }

    /// Whether a provider registered on the seam serves this connection.
    pub(super) fn serves_through_seam(&self, connection: &Connection) -> bool {
        self.seam.providers.contains_key(connection.provider_name())
    }

    /// Who plans and runs under the connection's sign-in now, if anyone is signed in.
    pub(super) async fn seam_owner_of(&self, connection_id: &str) -> Option<super::PlanOwner> {
        let sessions = self.seam.sessions.read().await;
        sessions.get(connection_id).map(|s| s.owner())
    }

    /// The connection's signed-in session, if anyone is signed in.
    pub(super) async fn signed_in_session_of(
        &self,
        connection_id: &str,
    ) -> Option<Arc<dyn Session>> {
        let sessions = self.seam.sessions.read().await;
        sessions.get(connection_id).cloned()
    }

    /// Ends the session at the provider too; a failure there is logged, the session goes.
    pub(super) async fn seam_sign_out(&self, connection_id: &str) {
        let session = self.seam.sessions.write().await.remove(connection_id);
        if let Some(session) = session {
            if let Err(e) = session.sign_out().await {
                tracing::warn!(connection = %connection_id, error = %e.message, "sign-out at the provider failed");
            }
        }
    }

    pub(super) fn provider_of(&self, connection: &Connection) -> Result<Arc<dyn Provider>> {
        if let Some(provider) = self.seam.providers.get(connection.provider_name()) {
            return Ok(Arc::clone(provider));
        }
        Err(match &connection.settings {
            ProviderSettings::Custom(settings) => AppError::new(
                ErrorKind::Internal,
                format!(
                    "\"{}\" needs the provider \"{}\", which this ResetDesk does not have.",
                    connection.display_name, settings.provider
                ),
            ),
            _ => AppError::invalid_input(format!(
                "\"{}\" is a {} connection, which has its own screens.",
                connection.display_name,
                connection.kind().label()
            )),
        })
    }
}

/// What the card says the connection is, in its provider's words (the sandbox's, as the
/// emulator of what it stands for); for a provider this ResetDesk lacks, that provider's name.
pub(super) fn kind_line(connection: &Connection, provider: Option<&dyn Provider>) -> String {
    match provider {
        Some(provider) if connection.sandbox => {
            format!("Built-in sandbox ({} emulator)", provider.emulated())
        }
        Some(provider) => provider.product().to_string(),
        None => connection.provider_name().to_string(),
    }
}

/// The provider's action whose id is `action`, if it declares one.
pub(super) fn declared_action(
    provider: &Arc<dyn Provider>,
    action: &str,
) -> Option<DeclaredAction> {
    provider
        .actions()
        .into_iter()
        .find(|declared| declared.name.id == action)
}

/// The words the audit log uses for an offered action: the provider's own for its declared
/// actions (so entries read as they always did), else the offer's label.
fn audit_label(provider: &Arc<dyn Provider>, offer: &crate::seam::ProviderOffer) -> String {
    declared_action(provider, &offer.action)
        .map(|declared| declared.name.label)
        .unwrap_or_else(|| offer.label.clone())
}
