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
//! The bulk reset across customers (its plan, approval and job) is the Console's
//! (`console::lighthouse`, `console::bulk_jobs`), over this session.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use secrecy::SecretString;

use super::{
    offered_actions, ActionOffer, CustomerAccess, CustomerRefusal, LighthouseAction,
    LighthouseClient, LighthouseEndpoints, PartnerSession,
};
use crate::auth;
use crate::error::{AppError, ErrorKind, Result};
use crate::model::connection::Connection;
use crate::model::{AuthMethod, DirectoryUser, Operator, RoleRef};
use crate::providers::entra::session::account_of;
use crate::seam::{
    action_of_id, PlanDraft, PlanOwner, Provider, ProviderAccount, ProviderOffer, ProviderPlan,
    SafetyClass, Session, SignInRequest, SignInStep, StepsRun, UserPage, UserRow,
};
use crate::secrets::{MemoryStore, SecretStore};
use crate::sign_in_page::browser_given;
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

    fn admin_centre(&self) -> &str {
        "Microsoft 365 Lighthouse"
    }

    /// Every step is a Graph call in the customer's tenant.
    fn leaves_steps_by_hand(&self) -> bool {
        false
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
                    let tokens = crate::providers::entra::session::approver_sign_in(
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

/// Lighthouse's read of a customer's user: the user with their roles, their methods (or why
/// they could not be read), the customer, and the actions it allows for them.
#[derive(Debug, Clone)]
pub struct CustomerUserDetails {
    pub user: DirectoryUser,
    pub methods: Vec<AuthMethod>,
    pub methods_error: Option<AppError>,
    pub customer: CustomerAccess,
    pub actions: Vec<ActionOffer>,
}

impl LighthouseSession {
    pub fn client(&self) -> &Arc<LighthouseClient> {
        &self.client
    }

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
            let technician = Operator {
                tenant_id: customer.tenant_id.clone(),
                roles: customer.roles.clone(),
                ..self.operator.clone()
            };
            match crate::providers::entra::policy::decide(
                crate::providers::entra::actions::ActionKind::RequireReregisterMfa,
                &technician,
                &user,
            ) {
                crate::providers::entra::policy::Decision::Allowed => allowed.push(user),
                crate::providers::entra::policy::Decision::Denied { reason } => {
                    let why = format!("in {}: {reason}", customer.display_name);
                    refused.push((user, why));
                }
            }
        }
        Ok((allowed, refused))
    }

    /// One user's page: the user, their methods, their customer and the actions it allows —
    /// each refused with the reason where the customer's roles, or the user's own roles, do
    /// not allow it (as the Entra page does; the plan checks again).
    pub async fn user_details(
        &self,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<CustomerUserDetails> {
        let customer = self
            .selected_customers(&[tenant_id.to_string()])
            .await?
            .remove(0);
        let user = self
            .targets(
                std::slice::from_ref(&customer),
                &[(customer.tenant_id.clone(), user_id.to_string())],
            )
            .await?
            .remove(0);
        let (methods, methods_error) =
            match self.client.list_methods(&customer.tenant_id, user_id).await {
                Ok(methods) => (methods, None),
                Err(e) => (Vec::new(), Some(e)),
            };
        let mut actions = offered_actions(std::slice::from_ref(&customer))?;
        let (allowed, refused) = self
            .authorize_targets(std::slice::from_ref(&customer), vec![user])
            .await?;
        let user = match (allowed.into_iter().next(), refused.into_iter().next()) {
            (Some(user), _) => user,
            (None, Some((user, why))) => {
                let prefix = format!("in {}: ", customer.display_name);
                let reason = why.strip_prefix(&prefix).unwrap_or(&why).to_string();
                for offer in actions.iter_mut().filter(|o| o.offered) {
                    offer.offered = false;
                    offer.refusals.push(CustomerRefusal {
                        tenant_id: customer.tenant_id.clone(),
                        display_name: customer.display_name.clone(),
                        reason: reason.clone(),
                    });
                }
                user
            }
            (None, None) => {
                return Err(AppError::internal(
                    "The user was not authorized either way.",
                ))
            }
        };
        Ok(CustomerUserDetails {
            user,
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

    fn roles(&self) -> Vec<String> {
        self.operator
            .roles
            .iter()
            .map(|role| role.display_name.clone())
            .collect()
    }

    fn operator(&self) -> Option<Operator> {
        Some(self.operator.clone())
    }

    /// A partner's users are listed per customer, on the Lighthouse users list, which selects
    /// the customers and says which could not be read (`Console::lighthouse_users`): one flat
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
            &details.user,
            &details.customer,
            details.methods,
            details.methods_error,
            &details.actions,
        ))
    }

    /// Lighthouse's reset runs as a job across customers, planned from the users list.
    async fn plan(&self, _user_id: &str, offer: &ProviderOffer) -> Result<PlanDraft> {
        Err(runs_as_a_job(&offer.label))
    }

    async fn run(&self, plan: &ProviderPlan) -> Result<StepsRun> {
        Err(runs_as_a_job(&plan.action_label))
    }

    fn approval_sign_in_refusal(&self) -> Option<AppError> {
        self.approval_refusal.clone()
    }

    fn action_of(&self, action: &str) -> Option<(String, SafetyClass)> {
        let action: LighthouseAction = action_of_id(action)?;
        Some((action.label().to_string(), SafetyClass::Bulk))
    }
}

fn runs_as_a_job(label: &str) -> AppError {
    AppError::invalid_input(format!(
        "\"{label}\" runs as a job across customers: select the users on the Lighthouse users \
         list and start it there."
    ))
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
