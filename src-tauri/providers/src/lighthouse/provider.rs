//! Microsoft 365 Lighthouse on the provider seam: the provider signs the technician in to the
//! partner tenant once (its OAuth page; the sandbox's answered by the emulator for the chosen
//! demo account), keeps the refresh token in the keychain and resumes it at start-up; every
//! customer's tokens come from it. The session reads the customers reachable through GDAP,
//! their users and each user's page, with the technician's roles in that customer.
//!
//! A customer's user is named on the seam by one id the provider makes, `<tenant>:<user>`
//! ([`user_key`]): the seam's user page and plan take one id, and a Lighthouse user is only
//! found in their customer's tenant.
//!
//! One user's "Reset all MFAs" is planned and run here, through the seam's one flow (its
//! cap, caller verification and approval, its audit entry naming the customer's tenant and
//! the user's own id: `Session::user_in_tenant`). The bulk reset across customers is planned
//! here too (`Session::plan_many`) and run by `super::job`; the Console keeps its plan, takes
//! its approval and runs its job (`console::bulk_plans`, `console::bulk_jobs`).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{SecondsFormat, Utc};
use secrecy::SecretString;

use super::{
    offered_actions, plan_reset_all_mfa, ActionOffer, CustomerAccess, DeleteOutcome,
    LighthouseAction, LighthouseClient, LighthouseEndpoints, PartnerSession,
};
use crate::entra::actions::StepKind;
use crate::entra::phones_on_record;
use crate::entra::planner::method_words;
use crate::entra::provider::{account_of, privileged_reason};
use resetdesk_core::auth;
use resetdesk_core::bulk::plan::{ResetPlan, UserPlan};
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::model::connection::Connection;
use resetdesk_core::model::tenants::{
    TenantAccess, TenantMethods, TenantRefusal, TenantUserRow, TenantUsers,
};
use resetdesk_core::model::{AuthMethod, AuthMethodKind, DirectoryUser, Operator, RoleRef};
use resetdesk_core::safety::team::TenantReset;
use resetdesk_core::safety::verification::ContactsOnRecord;
use resetdesk_core::seam::{
    action_id, action_of_id, BulkDraft, DeclaredAction, JobUser, PlanDraft, PlanOwner, PlanTarget,
    Provider, ProviderAccount, ProviderOffer, ProviderPlan, ProviderStep, RunInput, SafetyClass,
    Session, SignInRequest, SignInStep, StepPerformed, StepReport, StepState, StepsRun, TenantUser,
    UserPage, UserRow, VerificationSources,
};
use resetdesk_core::secrets::{MemoryStore, SecretStore};
use resetdesk_core::sign_in_page::browser_given;
use resetdesk_model::demo::PartnerSandboxSignIn;

/// The name Lighthouse connections use on the seam (`Connection::provider_name`).
pub const LIGHTHOUSE_PROVIDER: &str = "lighthouse";

/// The id the seam names a customer's user by: the customer's tenant and the user's id there.
/// Neither a tenant id nor a Graph object id holds a colon.
pub fn user_key(tenant_id: &str, user_id: &str) -> String {
    format!("{tenant_id}:{user_id}")
}

/// The customer tenant and user id a [`user_key`] names, or a clear error for any other id.
fn parse_user_key(key: &str) -> Result<(&str, &str)> {
    key.split_once(':')
        .filter(|(tenant, user)| !tenant.is_empty() && !user.is_empty() && !user.contains(':'))
        .ok_or_else(|| {
            AppError::invalid_input(
                "A Lighthouse user is read in their customer's tenant: open the user from its \
                 users list, which names the customer.",
            )
        })
}

/// Serves every Microsoft 365 Lighthouse partner connection.
pub struct LighthouseProvider {
    secrets: Arc<dyn SecretStore>,
    /// Token requests: no redirects (a refresh token must not be sent elsewhere).
    token_http: reqwest::Client,
    /// Sandbox connections: who answers the partner's sign-in page, by connection id.
    sandbox_sign_ins: HashMap<String, Arc<dyn PartnerSandboxSignIn>>,
}

impl LighthouseProvider {
    pub fn new(
        secrets: Arc<dyn SecretStore>,
        token_http: reqwest::Client,
        sandbox_sign_ins: HashMap<String, Arc<dyn PartnerSandboxSignIn>>,
    ) -> Self {
        Self {
            secrets,
            token_http,
            sandbox_sign_ins,
        }
    }

    /// This provider with the sandbox connection `connection_id`'s sign-in page answered by
    /// `sign_in` (the emulator).
    pub fn with_sandbox_sign_in(
        &self,
        connection_id: &str,
        sign_in: Arc<dyn PartnerSandboxSignIn>,
    ) -> Self {
        let mut sandbox_sign_ins = self.sandbox_sign_ins.clone();
        sandbox_sign_ins.insert(connection_id.to_string(), sign_in);
        Self::new(
            Arc::clone(&self.secrets),
            self.token_http.clone(),
            sandbox_sign_ins,
        )
    }

    /// The refresh token the sandbox hands out for the demo account chosen, for a connection
    /// whose sign-in page the sandbox answers; `None` for a real one (its page opens in the
    /// browser).
    fn sandbox_refresh_token(
        &self,
        connection: &Connection,
        account: Option<&str>,
    ) -> Result<Option<SecretString>> {
        let Some(sandbox) = self.sandbox_sign_ins.get(&connection.id) else {
            return Ok(None);
        };
        let account = account
            .map(str::trim)
            .filter(|account| !account.is_empty())
            .ok_or_else(|| {
                AppError::invalid_input("Choose a demo account to sign in to the sandbox.")
            })?;
        sandbox.sign_in(account).map(Some).ok_or_else(|| {
            AppError::invalid_input(format!(
                "The sandbox partner has no technician \"{account}\". Choose a demo account."
            ))
        })
    }

    /// Signs the technician in to the partner tenant once: authorization code + PKCE through
    /// `page` for a real partner, or as the sandbox's demo technician `account`. The refresh
    /// token goes to the keychain; every customer's tokens come from it.
    pub async fn sign_in_through(
        &self,
        connection: &Connection,
        account: Option<&str>,
        page: &dyn auth::BrowserLauncher,
    ) -> Result<Arc<LighthouseSession>> {
        let settings = connection.lighthouse()?;
        let refresh_token = match self.sandbox_refresh_token(connection, account)? {
            Some(token) => token,
            None => {
                let tokens =
                    auth::sign_in(&settings.partner_entra(), page, &self.token_http).await?;
                tokens.refresh_token.ok_or_else(|| {
                    AppError::new(
                        ErrorKind::Provider,
                        "The partner sign-in gave no refresh token; ResetDesk asks for \
                         offline_access: check the app registration's permissions.",
                    )
                })?
            }
        };
        let tokens = PartnerSession::from_sign_in(
            self.token_http.clone(),
            Self::endpoints(connection)?,
            &connection.id,
            Arc::clone(&self.secrets),
            refresh_token,
        )
        .await?;
        self.start(connection, tokens, None).await
    }

    /// Reads who signed in and the customers GDAP answers with, under `tokens`.
    async fn start(
        &self,
        connection: &Connection,
        tokens: Arc<PartnerSession>,
        approval_refusal: Option<AppError>,
    ) -> Result<Arc<LighthouseSession>> {
        let settings = connection.lighthouse()?;
        let client = Arc::new(LighthouseClient::new(tokens));
        // Who signed in, as the partner tenant says: every audit entry, plan and bulk job
        // names and compares the technician by it.
        let technician = client.me().await?;
        // The customer list is the proof that GDAP answers.
        let customers = client.list_customers().await?;
        let operator = Operator {
            connection_id: connection.id.clone(),
            tenant_id: settings.partner_tenant_id.clone(),
            id: technician.id,
            display_name: technician.display_name,
            user_principal_name: technician.user_principal_name,
            roles: roles_where_held(&customers),
        };
        Ok(Arc::new(LighthouseSession {
            client,
            operator,
            customers,
            approval_refusal,
        }))
    }

    fn endpoints(connection: &Connection) -> Result<LighthouseEndpoints> {
        LighthouseEndpoints::of(connection.lighthouse()?)
    }
}

#[async_trait]
impl Provider for LighthouseProvider {
    fn name(&self) -> &str {
        LIGHTHOUSE_PROVIDER
    }

    fn actions(&self) -> Vec<DeclaredAction> {
        LighthouseAction::ALL
            .iter()
            .map(|action| {
                DeclaredAction::new(action_id(action), action.label(), SafetyClass::MfaReset)
            })
            .collect()
    }

    fn admin_centre(&self) -> &str {
        "Microsoft 365 Lighthouse"
    }

    fn product(&self) -> &str {
        "Microsoft 365 Lighthouse partner"
    }

    /// Every step is a Graph call in the customer's tenant.
    fn leaves_steps_by_hand(&self) -> bool {
        false
    }

    fn lists_tenants(&self) -> bool {
        true
    }

    fn summary(&self, connection: &Connection) -> Option<String> {
        let settings = connection.lighthouse().ok()?;
        Some(format!(
            "Lighthouse · partner tenant {}",
            settings.partner_tenant_id
        ))
    }

    /// The partner's own page asks who signs in (in the sandbox, the demo account chosen on the
    /// card).
    fn asks_for_account(&self, _connection: &Connection) -> bool {
        false
    }

    async fn sign_in(&self, connection: &Connection, request: SignInRequest) -> Result<SignInStep> {
        let page = browser_given(&request);
        let session = self
            .sign_in_through(connection, Some(&request.account), page.as_ref())
            .await?;
        Ok(SignInStep::Done(session))
    }

    /// A partner refresh token kept in the keychain. One kept for other endpoints is refused
    /// (and removed).
    async fn resume(&self, connection: &Connection) -> Result<Option<Arc<dyn Session>>> {
        let tokens = PartnerSession::resume(
            self.token_http.clone(),
            Self::endpoints(connection)?,
            &connection.id,
            Arc::clone(&self.secrets),
        );
        if tokens.stored_refresh_token().await?.is_none() {
            return Ok(None);
        }
        let session: Arc<dyn Session> = self.start(connection, tokens, None).await?;
        Ok(Some(session))
    }

    /// A second technician's sign-in to the partner tenant (a fresh one, `prompt=login`; in the
    /// sandbox, the demo account chosen), read once: who they are and their own GDAP roles in
    /// each customer. Their refresh token goes to a store that lives as long as this session,
    /// never to the keychain. A real approver's ID token must show a new sign-in, after this
    /// moment, in the partner tenant (the sandbox's demo sign-in has none to show).
    async fn approver_sign_in(
        &self,
        connection: &Connection,
        request: SignInRequest,
    ) -> Result<SignInStep> {
        let settings = connection.lighthouse()?;
        let asked_at = Utc::now();
        let (refresh_token, id_token) =
            match self.sandbox_refresh_token(connection, Some(&request.account))? {
                Some(token) => (token, None),
                None => {
                    let page = browser_given(&request);
                    let tokens = crate::entra::provider::approver_sign_in(
                        &settings.partner_entra(),
                        page.as_ref(),
                        &self.token_http,
                    )
                    .await?;
                    let refresh = tokens.refresh_token.clone().ok_or_else(|| {
                        AppError::new(
                            ErrorKind::Provider,
                            "The approver's sign-in gave no refresh token; ResetDesk asks for \
                         offline_access: check the app registration's permissions.",
                        )
                    })?;
                    (refresh, Some(tokens.id_token.clone()))
                }
            };
        let fresh = match id_token {
            Some(id_token) => {
                let partner_tenant = settings.partner_tenant_id.to_ascii_lowercase();
                auth::id_token::check_fresh_sign_in(id_token.as_ref(), &partner_tenant, asked_at)
                    .err()
            }
            None => None,
        };
        let tokens = PartnerSession::from_sign_in(
            self.token_http.clone(),
            Self::endpoints(connection)?,
            &connection.id,
            Arc::new(MemoryStore::new()),
            refresh_token,
        )
        .await?;
        let session = self.start(connection, tokens, fresh).await?;
        Ok(SignInStep::Done(session))
    }

    fn takes_approvals(&self) -> bool {
        true
    }
}

/// One technician signed in to the partner tenant (or an approver's one-off sign-in).
pub struct LighthouseSession {
    pub(crate) client: Arc<LighthouseClient>,
    /// The technician, with each GDAP role named with the customers it is held in (for the
    /// card: every decision reads the customer's own roles, live).
    pub(crate) operator: Operator,
    /// The customers as the sign-in read them (an approver's roles are judged on these).
    customers: Vec<CustomerAccess>,
    /// For an approver's sign-in: why it may not approve (not a new sign-in in the partner
    /// tenant).
    approval_refusal: Option<AppError>,
}

/// A user of a customer tenant as the lists show them, named by their [`user_key`].
pub fn customer_row(user: DirectoryUser, customer_name: String) -> TenantUserRow {
    TenantUserRow {
        key: user_key(&user.tenant_id, &user.id),
        user,
        customer_name,
    }
}

/// Lighthouse's read of a customer's user: the user with their roles, their methods (or why
/// they could not be read), the customer, and the actions it allows for them.
#[derive(Debug, Clone)]
pub struct CustomerUserDetails {
    pub user: TenantUserRow,
    pub methods: Vec<AuthMethod>,
    pub methods_error: Option<AppError>,
    pub customer: CustomerAccess,
    pub actions: Vec<ActionOffer>,
}

impl LighthouseSession {
    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    /// The customers as this sign-in read them, with its roles in each.
    pub fn customers_at_sign_in(&self) -> &[CustomerAccess] {
        &self.customers
    }

    /// The customers `tenant_ids` names, read live: an id that is not a customer is refused
    /// (the page's selection is checked here, whatever it sent).
    pub async fn selected_customers(&self, tenant_ids: &[String]) -> Result<Vec<CustomerAccess>> {
        if tenant_ids.is_empty() {
            return Err(AppError::invalid_input(
                "Select at least one customer in the customer selector.",
            ));
        }
        let customers = self.client.list_customers().await?;
        tenant_ids
            .iter()
            .map(|id| {
                customers
                    .iter()
                    .find(|c| c.tenant_id.eq_ignore_ascii_case(id.trim()))
                    .cloned()
                    .ok_or_else(|| {
                        AppError::denied(format!(
                            "Tenant {id} is not one of your Lighthouse customers (no GDAP relationship)."
                        ))
                    })
            })
            .collect()
    }

    /// Reads the selected users live from their customers (an id that is not there is
    /// refused), each named by its customer's tenant and its id.
    pub async fn targets(
        &self,
        customers: &[CustomerAccess],
        targets: &[(String, String)],
    ) -> Result<Vec<DirectoryUser>> {
        let mut by_tenant: HashMap<String, Vec<DirectoryUser>> = HashMap::new();
        for customer in customers {
            if targets
                .iter()
                .any(|(tenant, _)| tenant.eq_ignore_ascii_case(&customer.tenant_id))
            {
                let users = self
                    .client
                    .list_users(&self.operator.connection_id, &customer.tenant_id)
                    .await?;
                by_tenant.insert(customer.tenant_id.to_ascii_lowercase(), users);
            }
        }
        targets
            .iter()
            .map(|(tenant_id, user_id)| {
                by_tenant
                    .get(&tenant_id.to_ascii_lowercase())
                    .and_then(|users| users.iter().find(|u| u.id.eq_ignore_ascii_case(user_id)))
                    .cloned()
                    .ok_or_else(|| {
                        AppError::new(
                            ErrorKind::NotFound,
                            format!(
                                "User {user_id} is not in customer tenant {tenant_id} any more. Refresh the list."
                            ),
                        )
                    })
            })
            .collect()
    }

    /// Splits `users` into those the technician may reset in their customer (Entra's rules
    /// with the GDAP roles as the operator's roles, the users' own roles read now) and those
    /// they may not, with the reason.
    pub async fn authorize_targets(
        &self,
        customers: &[CustomerAccess],
        users: Vec<DirectoryUser>,
    ) -> Result<(Vec<DirectoryUser>, Vec<(DirectoryUser, String)>)> {
        let read = super::reads::per_tenant(
            users,
            |user| user.tenant_id.clone(),
            |mut user| {
                let client = Arc::clone(&self.client);
                async move {
                    user.admin_roles = client.user_roles(&user.tenant_id, &user.id).await?;
                    user.roles_known = true;
                    // A member of a role-assignable group is privileged too (Entra's rule,
                    // and the second-person rule after it).
                    user.in_role_assignable_group = client
                        .in_role_assignable_group(&user.tenant_id, &user.id)
                        .await?;
                    user.role_assignable_group_known = true;
                    Ok::<_, AppError>(user)
                }
            },
        )
        .await;
        let mut allowed = Vec::new();
        let mut refused = Vec::new();
        for user in read {
            let user = user?;
            let customer = customers
                .iter()
                .find(|c| c.tenant_id.eq_ignore_ascii_case(&user.tenant_id))
                .ok_or_else(|| AppError::internal("A target's customer was not selected."))?;
            match super::policy::mfa_reset_refusal(&self.operator, customer, &user) {
                None => allowed.push(user),
                Some(why) => refused.push((user, why)),
            }
        }
        Ok((allowed, refused))
    }

    /// The customer and its user, read live, and why the technician may not reset the user
    /// there (Entra's rules with the customer's GDAP roles against the user's own roles), if
    /// they may not.
    async fn customer_user(
        &self,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<(CustomerAccess, DirectoryUser, Option<String>)> {
        let customer = self
            .selected_customers(&[tenant_id.to_string()])
            .await?
            .remove(0);
        let customers = std::slice::from_ref(&customer);
        let users = self
            .targets(
                customers,
                &[(customer.tenant_id.clone(), user_id.to_string())],
            )
            .await?;
        let (allowed, refused) = self.authorize_targets(customers, users).await?;
        match (allowed.into_iter().next(), refused.into_iter().next()) {
            (Some(user), _) => Ok((customer, user, None)),
            (None, Some((user, why))) => Ok((customer, user, Some(why))),
            (None, None) => Err(AppError::internal(
                "The user was not authorized either way.",
            )),
        }
    }

    /// One user's page: the user, their methods, their customer and the actions it allows —
    /// each refused with the reason where the customer's roles, or the user's own roles, do
    /// not allow it (as the Entra page does; the plan checks again).
    pub async fn user_details(
        &self,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<CustomerUserDetails> {
        let (customer, user, refusal) = self.customer_user(tenant_id, user_id).await?;
        let (methods, methods_error) =
            match self.client.list_methods(&customer.tenant_id, user_id).await {
                Ok(methods) => (methods, None),
                Err(e) => (Vec::new(), Some(e)),
            };
        let mut actions = offered_actions(std::slice::from_ref(&customer))?;
        if let Some(why) = refusal {
            let prefix = format!("in {}: ", customer.display_name);
            let reason = why.strip_prefix(&prefix).unwrap_or(&why).to_string();
            for offer in actions.iter_mut().filter(|o| o.offered) {
                offer.offered = false;
                offer.refusals.push(TenantRefusal {
                    tenant_id: customer.tenant_id.clone(),
                    display_name: customer.display_name.clone(),
                    reason: reason.clone(),
                });
            }
        }
        Ok(CustomerUserDetails {
            user: customer_row(user, customer.display_name.clone()),
            methods,
            methods_error,
            customer,
            actions,
        })
    }
}

#[async_trait]
impl Session for LighthouseSession {
    fn account(&self) -> ProviderAccount {
        account_of(&self.operator)
    }

    fn owner(&self) -> PlanOwner {
        PlanOwner::of(&self.operator)
    }

    fn operator(&self) -> Option<Operator> {
        Some(self.operator.clone())
    }

    /// A partner's users are listed per customer, on the Lighthouse users list, which selects
    /// the customers and says which could not be read (`Session::tenant_users`): one flat
    /// search across every customer would hide a customer that did not answer.
    async fn search(&self, _query: &str, _limit: usize) -> Result<Vec<UserRow>> {
        Err(AppError::invalid_input(
            "A Lighthouse partner's users are listed per customer: select the customers on its \
             users list and search there.",
        ))
    }

    async fn user_page(&self, user_id: &str) -> Result<UserPage> {
        let (tenant_id, user_id) = parse_user_key(user_id)?;
        let details = self.user_details(tenant_id, user_id).await?;
        Ok(super::page::user_page(
            &details.user.user,
            &details.customer,
            details.methods,
            details.methods_error,
            &details.actions,
        ))
    }

    async fn tenants(&self) -> Result<Vec<TenantAccess>> {
        let customers = self.client.list_customers().await?;
        Ok(customers.iter().map(CustomerAccess::for_tenants).collect())
    }

    async fn tenant_users(&self, tenant_ids: &[String], query: &str) -> Result<TenantUsers> {
        self.customer_users(tenant_ids, query).await
    }

    async fn tenant_methods(
        &self,
        tenant_ids: &[String],
        query: &str,
        limit: usize,
    ) -> Result<TenantMethods> {
        self.customer_methods(tenant_ids, query, limit).await
    }

    fn user_of_tenant(&self, tenant_id: &str, user_id: &str) -> Option<String> {
        Some(user_key(tenant_id, user_id))
    }

    fn user_in_tenant(&self, user_id: &str) -> Option<TenantUser> {
        let (tenant_id, user_id) = parse_user_key(user_id).ok()?;
        Some(TenantUser {
            tenant_id: tenant_id.to_string(),
            user_id: user_id.to_string(),
        })
    }

    /// "Reset all MFAs" of one customer's user, as a job of many plans it for each of them
    /// (`plan_reset_all_mfa`): the customer's GDAP roles checked, the methods read live, each
    /// one to remove a step, the hardware OATH tokens deactivated where the roles allow it.
    /// The Console has checked the offer on a page read just now (the user's own roles too).
    async fn plan(&self, user_id: &str, offer: &ProviderOffer) -> Result<PlanDraft> {
        let key = user_id;
        let (tenant_id, user_id) = parse_user_key(key)?;
        action_of_id::<LighthouseAction>(&offer.action).ok_or_else(|| {
            AppError::invalid_input(format!(
                "\"{}\" is not an action of Microsoft 365 Lighthouse.",
                offer.action
            ))
        })?;
        let (customer, user, refusal) = self.customer_user(tenant_id, user_id).await?;
        if let Some(why) = refusal {
            return Err(AppError::denied(why));
        }
        let customers = std::slice::from_ref(&customer);
        let mut planned = plan_reset_all_mfa(
            Arc::clone(&self.client),
            customers,
            std::slice::from_ref(&user),
        )
        .await?;
        let for_user = planned.users.remove(0);
        if let Some(error) = for_user.error {
            return Err(error);
        }
        if for_user.remove.is_empty() {
            return Err(AppError::invalid_input(format!(
                "{} has no multi-factor method to remove.",
                user.user_principal_name
            )));
        }
        let steps = for_user
            .remove
            .iter()
            .map(|method| step_of(method, &user))
            .collect();
        let mut warnings = planned.warnings;
        if !for_user.keep.is_empty() {
            warnings.push(format!("Kept: {}.", for_user.keep.join(", ")));
        }
        let target = PlanTarget {
            roles: Some(
                user.admin_roles
                    .iter()
                    .map(|r| r.display_name.clone())
                    .collect(),
            ),
            ..PlanTarget::new(
                key,
                user.display_name.clone(),
                format!("{} · {}", user.user_principal_name, customer.display_name),
            )
        };
        Ok(PlanDraft {
            run_options: Some(serde_json::to_value(&for_user.remove).map_err(|e| {
                AppError::internal(format!("The plan's methods could not be kept: {e}"))
            })?),
            privileged: privileged_reason(&user),
            ..PlanDraft::new(target, steps, warnings)
        })
    }

    async fn run(&self, plan: &ProviderPlan) -> Result<StepsRun> {
        self.run_with(plan, RunInput::default()).await
    }

    /// Removes the methods the summary listed, one at a time, after checking again that the
    /// customer's GDAP roles allow the reset and that the user's own roles still let the
    /// technician act on them (DESIGN.md: authorization is checked twice). A refusal there
    /// changes nothing. Each step stands alone, as in Entra's executor and a job: one that
    /// fails is reported with the service's words and request id, and the others still run
    /// (the default method is last in the plan, so it goes when the others have).
    async fn run_with(&self, plan: &ProviderPlan, input: RunInput) -> Result<StepsRun> {
        let (tenant_id, user_id) = parse_user_key(&plan.target.id)?;
        let methods: Vec<AuthMethod> = input
            .options
            .and_then(|kept| serde_json::from_value(kept).ok())
            .ok_or_else(|| AppError::internal("The plan's methods were not kept with it."))?;
        let (customer, _, refusal) = self.customer_user(tenant_id, user_id).await?;
        if let Some(reason) = LighthouseAction::ResetAllMfa.refusal(&customer) {
            return Err(AppError::denied(reason));
        }
        if let Some(why) = refusal {
            return Err(AppError::denied(format!("No longer allowed {why}")));
        }
        let mut reports = Vec::with_capacity(plan.steps.len());
        for (index, (step, method)) in plan.steps.iter().zip(&methods).enumerate() {
            let sent = if method.kind == AuthMethodKind::HardwareOath {
                self.client
                    .deactivate_hardware_oath(tenant_id, user_id, &method.id)
                    .await
            } else {
                self.client.delete_method(tenant_id, user_id, method).await
            };
            let (state, message, request_id) = match sent {
                Ok(DeleteOutcome::Deleted { request_id }) => (StepState::Done, None, request_id),
                Ok(DeleteOutcome::AlreadyGone { request_id }) => (
                    StepState::Done,
                    Some("It was already gone.".to_string()),
                    request_id,
                ),
                Err(failure) => {
                    let request_id = failure.request_id();
                    let error = self.client.describe_failure(failure, tenant_id);
                    (StepState::Failed, Some(error.message), request_id)
                }
            };
            reports.push(StepReport {
                message,
                request_id,
                at: Some(Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)),
                ..StepReport::of(index, step, state, String::new())
            });
        }
        Ok(StepsRun {
            steps: reports,
            generated_password: None,
            secret_kind: None,
        })
    }

    /// What caller verification may use, read live in the customer's tenant: the mobile phone
    /// the directory holds (the users list reads no business phones or manager) and the
    /// registered methods a one-time code can be sent to.
    async fn verification_sources(&self, user_id: &str) -> Option<VerificationSources> {
        let (tenant_id, user_id) = parse_user_key(user_id).ok()?;
        let (users, methods) = tokio::join!(
            self.client
                .list_users(&self.operator.connection_id, tenant_id),
            self.client.list_methods(tenant_id, user_id)
        );
        let contacts = users.map(|users| {
            let mobile = users
                .into_iter()
                .find(|u| u.id.eq_ignore_ascii_case(user_id))
                .and_then(|u| u.mobile_phone);
            ContactsOnRecord {
                phones: phones_on_record(mobile, Vec::new()),
                manager: None,
            }
        });
        Some(VerificationSources { contacts, methods })
    }

    /// The MFA resets the user's customer's directory audits hold since `since` — any
    /// technician's, from any desktop or the admin centre — as a job's plan reads each of its
    /// customers' (a GDAP role that may read audit logs there: Reports Reader).
    async fn tenant_resets_around(
        &self,
        user_id: &str,
        since: chrono::DateTime<Utc>,
    ) -> Result<Option<Vec<TenantReset>>> {
        let (tenant_id, _) = parse_user_key(user_id)?;
        self.client
            .customer_mfa_resets_since(tenant_id, since)
            .await
            .map(Some)
    }

    /// Whether the user is privileged now (an admin role or a role-assignable group given
    /// since the summary), read live in their customer.
    async fn privileged_now(&self, user_id: &str) -> Result<Option<String>> {
        let (tenant_id, user_id) = parse_user_key(user_id)?;
        let mut user = DirectoryUser {
            id: user_id.to_string(),
            tenant_id: tenant_id.to_string(),
            ..Default::default()
        };
        user.admin_roles = self.client.user_roles(tenant_id, user_id).await?;
        user.in_role_assignable_group = self
            .client
            .in_role_assignable_group(tenant_id, user_id)
            .await?;
        Ok(privileged_reason(&user))
    }

    fn approval_sign_in_refusal(&self) -> Option<AppError> {
        self.approval_refusal.clone()
    }

    /// "Reset all multi-factor authentications" of users across customers: every customer is
    /// checked (its GDAP roles must allow it), every user read live with their roles — Entra's
    /// rules in each customer, the technician's GDAP roles there against the user's own roles;
    /// a user they may not act on is left out, with why — and their methods listed.
    async fn plan_many(&self, user_ids: &[String], action: &str) -> Result<BulkDraft> {
        let action: LighthouseAction = action_of_id(action).ok_or_else(|| {
            AppError::invalid_input(format!(
                "\"{action}\" is not an action on Lighthouse users; choose one the list offers."
            ))
        })?;
        let targets: Vec<(String, String)> = user_ids
            .iter()
            .map(|key| {
                parse_user_key(key).map(|(tenant, user)| (tenant.to_string(), user.to_string()))
            })
            .collect::<Result<_>>()?;
        let mut tenant_ids: Vec<String> = targets.iter().map(|(t, _)| t.clone()).collect();
        tenant_ids.sort();
        tenant_ids.dedup();
        let customers = self.selected_customers(&tenant_ids).await?;
        let users = self.targets(&customers, &targets).await?;
        let (allowed, mut refused) = self.authorize_targets(&customers, users).await?;
        let label = action.label().to_string();
        let stop = |refused, why: AppError| {
            Ok(BulkDraft {
                label: label.clone(),
                plan: ResetPlan::of(action_id(&action), Vec::new(), Vec::new()),
                in_job: Vec::new(),
                refused,
                stopped: Some(why),
            })
        };
        if allowed.is_empty() {
            let reasons: Vec<&str> = refused.iter().map(|(_, why)| why.as_str()).collect();
            let why = AppError::denied(reasons.join(" "));
            return stop(refused, why);
        }
        let mut plan =
            match plan_reset_all_mfa(Arc::clone(&self.client), &customers, &allowed).await {
                Ok(plan) => plan,
                Err(error) => {
                    // A customer that does not allow the action refuses every user planned.
                    if error.kind == ErrorKind::Denied {
                        refused.extend(
                            allowed
                                .into_iter()
                                .map(|user| (user, error.message.clone())),
                        );
                    }
                    return stop(refused, error);
                }
            };
        for (user, why) in &refused {
            plan.warnings
                .push(format!("{} is left out: {why}", user.user_principal_name));
            plan.users.push(UserPlan {
                tenant_id: user.tenant_id.clone(),
                customer_name: customers
                    .iter()
                    .find(|c| c.tenant_id.eq_ignore_ascii_case(&user.tenant_id))
                    .map(|c| c.display_name.clone())
                    .unwrap_or_default(),
                user_id: user.id.clone(),
                user_principal_name: user.user_principal_name.clone(),
                display_name: user.display_name.clone(),
                remove: Vec::new(),
                keep: Vec::new(),
                error: Some(AppError::denied(why)),
            });
        }
        // The users the job will act on: allowed, and with a method to remove.
        let in_job = allowed
            .into_iter()
            .filter(|user| {
                plan.users.iter().any(|planned| {
                    planned.tenant_id.eq_ignore_ascii_case(&user.tenant_id)
                        && planned.user_id.eq_ignore_ascii_case(&user.id)
                        && !planned.remove.is_empty()
                })
            })
            .map(|user| JobUser {
                key: user_key(&user.tenant_id, &user.id),
                privileged: privileged_reason(&user),
                user,
            })
            .collect();
        Ok(BulkDraft {
            label,
            plan,
            in_job,
            refused,
            stopped: None,
        })
    }

    /// A reset across customers runs as a job (`super::job`).
    fn job_runner(self: Arc<Self>) -> Option<Arc<dyn resetdesk_core::seam::JobRunner>> {
        Some(self)
    }
}

/// The step that removes `method` from `user`: deactivated for a hardware OATH token (it stays
/// assigned, as Entra's "Require re-register MFA" does), deleted otherwise.
fn step_of(method: &AuthMethod, user: &DirectoryUser) -> ProviderStep {
    let kind = if method.kind == AuthMethodKind::HardwareOath {
        StepKind::DeactivateHardwareOath {
            method_id: method.id.clone(),
        }
    } else {
        StepKind::DeleteMethod {
            method_id: method.id.clone(),
            method_kind: method.kind,
            phone_type: method.phone_type.clone(),
        }
    };
    let words = method_words(method);
    let (summary, tag) = match &kind {
        StepKind::DeactivateHardwareOath { .. } => (
            format!(
                "Deactivate {words} (it stays assigned to {})",
                user.display_name
            ),
            "deactivateHardwareOath",
        ),
        _ if method.is_default => (
            format!("Delete {words} — default method, removed last"),
            "deleteMethod",
        ),
        _ => (format!("Delete {words}"), "deleteMethod"),
    };
    ProviderStep {
        kind: Some(tag.to_string()),
        ..ProviderStep::new(
            summary,
            StepPerformed::Api {
                doc: kind.documented_at().to_string(),
            },
        )
    }
}

/// Whether `user`'s name, UPN or e-mail contains `query` (lower case; empty matches all).
pub fn matches(user: &DirectoryUser, query: &str) -> bool {
    query.is_empty()
        || user.display_name.to_lowercase().contains(query)
        || user.user_principal_name.to_lowercase().contains(query)
        || user
            .mail
            .as_deref()
            .is_some_and(|mail| mail.to_lowercase().contains(query))
}

/// What the technician holds where, for the header: each GDAP role with the customers it is
/// held in ("Authentication Administrator in Fabrikam, Northwind Traders"). For display only:
/// every decision reads the customer's roles themselves.
pub fn roles_where_held(customers: &[CustomerAccess]) -> Vec<RoleRef> {
    let mut held: Vec<(RoleRef, Vec<String>)> = Vec::new();
    for customer in customers {
        for role in &customer.roles {
            match held
                .iter_mut()
                .find(|(r, _)| r.template_id == role.template_id)
            {
                Some((_, names)) => names.push(customer.display_name.clone()),
                None => held.push((role.clone(), vec![customer.display_name.clone()])),
            }
        }
    }
    held.into_iter()
        .map(|(role, names)| RoleRef {
            display_name: format!("{} in {}", role.display_name, names.join(", ")),
            template_id: role.template_id,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_key_names_the_customer_and_the_user_and_nothing_else_reads_as_one() {
        let key = user_key("t-1", "u-1");
        assert_eq!(parse_user_key(&key).unwrap(), ("t-1", "u-1"));
        for bad in ["u-1", ":u-1", "t-1:", "t-1:u-1:x"] {
            let refused = parse_user_key(bad).unwrap_err();
            assert_eq!(refused.kind, ErrorKind::InvalidInput, "{bad}");
            assert!(refused.message.contains("customer's tenant"), "{bad}");
        }
    }
}
