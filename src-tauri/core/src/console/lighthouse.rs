//! Microsoft 365 Lighthouse (partner) connections in the Console: one partner sign-in, the
//! customers reachable through GDAP with the technician's roles, users and methods across the
//! selected customers, the actions a selection allows, and the confirmation of "Reset all
//! multi-factor authentications". The Graph calls are in `providers::lighthouse`; the bulk
//! run in `console::bulk_jobs`.
use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::plan_store::{KeptPlan, PlanStore, PlanWording};
use super::{check_query_length, require_id, Console, PlanOwner};
use crate::auth::BrowserLauncher;
use crate::error::{AppError, Result};
use crate::model::connection::LighthouseSettings;
use crate::model::{AuthMethod, DirectoryUser, Operator};
use crate::providers::lighthouse::{
    offered_actions, plan_reset_all_mfa, ActionOffer, CustomerAccess, LighthouseClient,
    LighthouseEndpoints, PartnerSession, ResetPlan,
};

/// Users read at once per customer for the methods list (keeps a large selection bounded).
const METHODS_LIST_LIMIT: usize = 200;
/// Most users one reset may cover (a larger one is split by the operator).
pub const MAX_TARGETS: usize = 5_000;

pub use resetdesk_model::demo::PartnerSandboxSignIn;

pub(super) struct LighthouseConnectionSession {
    pub client: Arc<LighthouseClient>,
    pub operator: Operator,
}

/// Bulk reset plans kept for their run, by plan id; beside each, the users the job acts on,
/// with the roles and group membership read for the plan (an approver must be allowed to act
/// on each of them). Once claimed, a plan's job runs from its journal.
pub(super) type LighthousePlans = PlanStore<LighthousePlan, Vec<DirectoryUser>>;

pub(super) struct LighthouseState {
    pub sessions: tokio::sync::RwLock<HashMap<String, Arc<LighthouseConnectionSession>>>,
    pub sandbox_sign_ins: HashMap<String, Arc<dyn PartnerSandboxSignIn>>,
    pub plans: LighthousePlans,
}

impl Default for LighthouseState {
    fn default() -> Self {
        Self {
            sessions: Default::default(),
            sandbox_sign_ins: HashMap::new(),
            plans: PlanStore::new(PlanWording::BULK_JOB),
        }
    }
}

/// A user of a customer tenant, with the customer's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct LighthouseUser {
    #[serde(flatten)]
    pub user: DirectoryUser,
    pub customer_name: String,
}

/// Lighthouse's read of a customer's user; the page gets it in the seam's terms
/// (`Console::directory_user_in`).
#[derive(Debug, Clone)]
pub struct LighthouseUserDetails {
    pub user: LighthouseUser,
    pub methods: Vec<AuthMethod>,
    pub methods_error: Option<AppError>,
    pub customer: CustomerAccess,
    pub actions: Vec<ActionOffer>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct LighthouseMethodsRow {
    pub user: LighthouseUser,
    pub methods: Vec<AuthMethod>,
    pub error: Option<AppError>,
}

/// A selected customer whose users could not be read, with why: the list shows what the
/// others returned and a note for this one, instead of nothing at all.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct CustomerNotRead {
    pub tenant_id: String,
    pub display_name: String,
    pub error: AppError,
}

/// The users of the selected customers that answered, and the customers that did not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct LighthouseUsers {
    pub users: Vec<LighthouseUser>,
    pub not_read: Vec<CustomerNotRead>,
    /// The actions this selection allows, each only if every selected customer allows it
    /// (refused with each customer's reason otherwise), from the customers this read used.
    pub offers: Vec<ActionOffer>,
}

/// The Authentication methods list: a row per user of the customers that answered, and the
/// customers that did not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct LighthouseMethods {
    pub rows: Vec<LighthouseMethodsRow>,
    pub not_read: Vec<CustomerNotRead>,
    /// Users found but not listed (each row reads the user's methods live, so the list stops
    /// at a limit): the page says how many, and to narrow the search or the customers.
    pub not_shown: usize,
    /// As [`LighthouseUsers::offers`].
    pub offers: Vec<ActionOffer>,
}

/// The confirmation of a reset across customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct LighthousePlan {
    pub id: String,
    /// The partner connection, where an approver signs in.
    pub connection_id: String,
    /// The technician who prepared it (an approver must be someone else).
    pub operator_upn: String,
    #[serde(flatten)]
    pub plan: ResetPlan,
    /// Whether a second person must approve the job before it starts, and why.
    pub approval: crate::safety::ApprovalRequirement,
}

/// One user the page selected.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(export, rename = "LighthouseTarget")]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    pub tenant_id: String,
    pub user_id: String,
}

impl Console {
    /// The sandbox Lighthouse connection's sign-in is answered by `sign_in` (the emulator).
    pub fn with_lighthouse_sandbox(
        mut self,
        connection_id: &str,
        sign_in: Arc<dyn PartnerSandboxSignIn>,
    ) -> Self {
        self.lighthouse
            .sandbox_sign_ins
            .insert(connection_id.to_string(), sign_in);
        self
    }

    /// Signs the technician in to the partner tenant once: interactive (authorization code +
    /// PKCE through `browser`) for a real partner, or as the sandbox's demo technician. The
    /// refresh token goes to the keychain; every customer's tokens come from it.
    pub async fn lighthouse_sign_in(
        &self,
        connection_id: &str,
        sandbox_account: Option<&str>,
        browser: &dyn BrowserLauncher,
    ) -> Result<Operator> {
        let connection = self.connection(connection_id)?;
        self.connection_allowed(&connection)?;
        let settings = connection.lighthouse()?.clone();
        // Who signed in is read from the partner tenant afterwards (`/me`), for the sandbox
        // too: the demo account only picks whose sign-in the sandbox answers with.
        let refresh_token = match self.lighthouse.sandbox_sign_ins.get(connection_id) {
            Some(sandbox) => {
                let account = sandbox_account.ok_or_else(|| {
                    AppError::invalid_input("Choose a demo account to sign in to the sandbox.")
                })?;
                sandbox.sign_in(account).ok_or_else(|| {
                    AppError::invalid_input(format!(
                        "The sandbox partner has no technician \"{account}\". Choose the demo account."
                    ))
                })?
            }
            None => {
                let tokens =
                    crate::auth::sign_in(&settings.partner_entra(), browser, &self.token_http)
                        .await?;
                tokens.refresh_token.ok_or_else(|| {
                    AppError::new(
                        crate::error::ErrorKind::Provider,
                        "The partner sign-in gave no refresh token; ResetDesk asks for \
                         offline_access: check the app registration's permissions.",
                    )
                })?
            }
        };
        let session = PartnerSession::from_sign_in(
            self.token_http.clone(),
            LighthouseEndpoints::of(&settings)?,
            connection_id,
            Arc::clone(&self.secrets),
            refresh_token,
        )
        .await?;
        self.start_lighthouse_session(connection_id, &settings, session)
            .await
    }

    async fn start_lighthouse_session(
        &self,
        connection_id: &str,
        settings: &LighthouseSettings,
        session: Arc<PartnerSession>,
    ) -> Result<Operator> {
        let client = Arc::new(LighthouseClient::new(session));
        // Who signed in, as the partner tenant says: every audit entry, plan and bulk job
        // names and compares the technician by it.
        let technician = client.me().await?;
        // The customer list is the proof that GDAP answers.
        let customers = client.list_customers().await?;
        let operator = Operator {
            connection_id: connection_id.to_string(),
            tenant_id: settings.partner_tenant_id.clone(),
            id: technician.id,
            display_name: technician.display_name,
            user_principal_name: technician.user_principal_name,
            roles: roles_where_held(&customers),
        };
        self.lighthouse.sessions.write().await.insert(
            connection_id.to_string(),
            Arc::new(LighthouseConnectionSession {
                client,
                operator: operator.clone(),
            }),
        );
        tracing::info!(connection = %connection_id, "signed in to the Lighthouse partner tenant");
        Ok(operator)
    }

    /// At start-up: a partner connection whose refresh token is in the keychain comes back.
    pub(super) async fn resume_lighthouse_session(
        &self,
        connection: &crate::model::connection::Connection,
    ) -> Result<()> {
        let settings = connection.lighthouse()?.clone();
        let session = PartnerSession::resume(
            self.token_http.clone(),
            LighthouseEndpoints::of(&settings)?,
            &connection.id,
            Arc::clone(&self.secrets),
        );
        // Nothing stored: nothing to resume. Stored for other endpoints: refused (and removed).
        if session.stored_refresh_token().await?.is_none() {
            return Ok(());
        }
        self.start_lighthouse_session(&connection.id, &settings, session)
            .await
            .map(|_| ())
    }

    pub(super) async fn lighthouse_operator_of(&self, connection_id: &str) -> Option<Operator> {
        let sessions = self.lighthouse.sessions.read().await;
        sessions.get(connection_id).map(|s| s.operator.clone())
    }

    pub(super) async fn lighthouse_sign_out(&self, connection_id: &str) {
        self.lighthouse.sessions.write().await.remove(connection_id);
    }

    pub(super) async fn lighthouse_session(
        &self,
        connection_id: &str,
    ) -> Result<Arc<LighthouseConnectionSession>> {
        let connection = self.connection(connection_id)?;
        connection.lighthouse()?;
        super::signed_in_session(&self.lighthouse.sessions, &connection).await
    }

    /// The customers reachable through GDAP, with the technician's roles in each (live).
    pub async fn lighthouse_customers(&self, connection_id: &str) -> Result<Vec<CustomerAccess>> {
        let session = self.lighthouse_session(connection_id).await?;
        session.client.list_customers().await
    }

    /// The customers `tenant_ids` names, read live: an id that is not a customer is refused
    /// (the page's selection is checked here, whatever it sent).
    async fn selected_customers(
        &self,
        session: &LighthouseConnectionSession,
        tenant_ids: &[String],
    ) -> Result<Vec<CustomerAccess>> {
        if tenant_ids.is_empty() {
            return Err(AppError::invalid_input(
                "Select at least one customer in the customer selector.",
            ));
        }
        let customers = session.client.list_customers().await?;
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

    /// The users of the selected customers whose name or UPN contains `query` (all when
    /// empty), read live, customer by customer in parallel, and the actions the selection
    /// allows.
    pub async fn lighthouse_users(
        &self,
        connection_id: &str,
        tenant_ids: &[String],
        query: &str,
    ) -> Result<LighthouseUsers> {
        let query = query.trim().to_lowercase();
        check_query_length(&query, "name or UPN")?;
        let session = self.lighthouse_session(connection_id).await?;
        let selection = self.selected_customers(&session, tenant_ids).await?;
        let offers = offered_actions(&selection)?;
        let reads = selection.iter().map(|customer| {
            let client = Arc::clone(&session.client);
            async move {
                let users = client.list_users(connection_id, &customer.tenant_id).await;
                (customer, users)
            }
        });
        let mut found = Vec::new();
        let mut not_read = Vec::new();
        // A customer that does not answer (an expired relationship, a refusal, an outage) is
        // noted; the others' users are shown.
        for (customer, read) in futures_util::future::join_all(reads).await {
            let users = match read {
                Ok(users) => users,
                Err(error) => {
                    not_read.push(CustomerNotRead {
                        tenant_id: customer.tenant_id.clone(),
                        display_name: customer.display_name.clone(),
                        error,
                    });
                    continue;
                }
            };
            let customer_name = customer.display_name.clone();
            found.extend(
                users
                    .into_iter()
                    .filter(|u| {
                        query.is_empty()
                            || u.display_name.to_lowercase().contains(&query)
                            || u.user_principal_name.to_lowercase().contains(&query)
                            || u.mail
                                .as_deref()
                                .is_some_and(|mail| mail.to_lowercase().contains(&query))
                    })
                    .map(|user| LighthouseUser {
                        user,
                        customer_name: customer_name.clone(),
                    }),
            );
        }
        found.sort_by(|a, b| {
            (a.customer_name.as_str(), a.user.display_name.as_str())
                .cmp(&(b.customer_name.as_str(), b.user.display_name.as_str()))
        });
        Ok(LighthouseUsers {
            users: found,
            not_read,
            offers,
        })
    }

    /// The Authentication methods list: each user of the selection with their methods.
    pub async fn lighthouse_methods_list(
        &self,
        connection_id: &str,
        tenant_ids: &[String],
        query: &str,
    ) -> Result<LighthouseMethods> {
        let LighthouseUsers {
            users,
            not_read,
            offers,
        } = self
            .lighthouse_users(connection_id, tenant_ids, query)
            .await?;
        let not_shown = users.len().saturating_sub(METHODS_LIST_LIMIT);
        let session = self.lighthouse_session(connection_id).await?;
        // A few reads at a time in each customer (see `reads`), not 200 at once.
        let listed: Vec<LighthouseUser> = users.into_iter().take(METHODS_LIST_LIMIT).collect();
        let rows = crate::providers::lighthouse::reads::per_tenant(
            listed,
            |user| user.user.tenant_id.clone(),
            |user| {
                let client = Arc::clone(&session.client);
                async move {
                    let methods = client
                        .list_methods(&user.user.tenant_id, &user.user.id)
                        .await;
                    match methods {
                        Ok(methods) => LighthouseMethodsRow {
                            user,
                            methods,
                            error: None,
                        },
                        Err(error) => LighthouseMethodsRow {
                            user,
                            methods: Vec::new(),
                            error: Some(error),
                        },
                    }
                }
            },
        )
        .await;
        Ok(LighthouseMethods {
            rows,
            not_read,
            not_shown,
            offers,
        })
    }

    /// One user's page: the user, their methods, their customer and the actions it allows.
    pub async fn lighthouse_user_details(
        &self,
        connection_id: &str,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<LighthouseUserDetails> {
        let user_id = require_id(user_id)?;
        let session = self.lighthouse_session(connection_id).await?;
        let customer = self
            .selected_customers(&session, &[tenant_id.to_string()])
            .await?
            .remove(0);
        let user = self
            .lighthouse_targets(
                &session,
                std::slice::from_ref(&customer),
                &[TargetRef {
                    tenant_id: customer.tenant_id.clone(),
                    user_id: user_id.to_string(),
                }],
            )
            .await?
            .remove(0);
        let (methods, methods_error) = match session
            .client
            .list_methods(&customer.tenant_id, user_id)
            .await
        {
            Ok(methods) => (methods, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let mut actions = offered_actions(std::slice::from_ref(&customer))?;
        // Entra's rules on this user, with their roles read now: an action the technician may
        // not take on them is shown disabled with the reason before anything is planned, as
        // the Entra page does (the plan checks again).
        let (allowed, refused) = self
            .authorize_lighthouse_targets(&session, std::slice::from_ref(&customer), vec![user])
            .await?;
        let user = match (allowed.into_iter().next(), refused.into_iter().next()) {
            (Some(user), _) => user,
            (None, Some((user, why))) => {
                let prefix = format!("in {}: ", customer.display_name);
                let reason = why.strip_prefix(&prefix).unwrap_or(&why).to_string();
                for offer in actions.iter_mut().filter(|o| o.offered) {
                    offer.offered = false;
                    offer
                        .refusals
                        .push(crate::providers::lighthouse::CustomerRefusal {
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
        Ok(LighthouseUserDetails {
            user: LighthouseUser {
                user,
                customer_name: customer.display_name.clone(),
            },
            methods,
            methods_error,
            customer,
            actions,
        })
    }

    /// Reads the selected users live from their customers (an id that is not there is refused).
    async fn lighthouse_targets(
        &self,
        session: &LighthouseConnectionSession,
        customers: &[CustomerAccess],
        targets: &[TargetRef],
    ) -> Result<Vec<DirectoryUser>> {
        let mut by_tenant: HashMap<String, Vec<DirectoryUser>> = HashMap::new();
        for customer in customers {
            if targets
                .iter()
                .any(|t| t.tenant_id.eq_ignore_ascii_case(&customer.tenant_id))
            {
                let users = session
                    .client
                    .list_users(&session.operator.connection_id, &customer.tenant_id)
                    .await?;
                by_tenant.insert(customer.tenant_id.to_ascii_lowercase(), users);
            }
        }
        targets
            .iter()
            .map(|target| {
                by_tenant
                    .get(&target.tenant_id.to_ascii_lowercase())
                    .and_then(|users| {
                        users
                            .iter()
                            .find(|u| u.id.eq_ignore_ascii_case(&target.user_id))
                    })
                    .cloned()
                    .ok_or_else(|| {
                        AppError::new(
                            crate::error::ErrorKind::NotFound,
                            format!(
                                "User {} is not in customer tenant {} any more. Refresh the list.",
                                target.user_id, target.tenant_id
                            ),
                        )
                    })
            })
            .collect()
    }

    /// The confirmation of "Reset all multi-factor authentications" for the selected users:
    /// every customer is checked (its GDAP roles must allow it), every user read live, and
    /// their methods listed. A refusal is audited.
    pub async fn lighthouse_plan_reset(
        &self,
        connection_id: &str,
        targets: &[TargetRef],
    ) -> Result<LighthousePlan> {
        // No action while the managed policy cannot be applied (see `with_safety_refused`).
        self.safety()?;
        if targets.is_empty() {
            return Err(AppError::invalid_input("Select at least one user."));
        }
        if targets.len() > MAX_TARGETS {
            return Err(AppError::invalid_input(format!(
                "At most {MAX_TARGETS} users can be reset at once; select fewer."
            )));
        }
        let session = self.lighthouse_session(connection_id).await?;
        let mut tenant_ids: Vec<String> = targets.iter().map(|t| t.tenant_id.clone()).collect();
        tenant_ids.sort();
        tenant_ids.dedup();
        let customers = self.selected_customers(&session, &tenant_ids).await?;
        let users = self
            .lighthouse_targets(&session, &customers, targets)
            .await?;
        // Entra's rules in each customer tenant: the technician's GDAP roles there against
        // the target's own roles, read live. A user they may not act on is left out, with why.
        let (allowed, refused) = self
            .authorize_lighthouse_targets(&session, &customers, users)
            .await?;
        for (user, why) in &refused {
            self.audit_lighthouse_refusal(&session.operator, std::slice::from_ref(user), why);
        }
        if allowed.is_empty() {
            let reasons: Vec<&str> = refused.iter().map(|(_, why)| why.as_str()).collect();
            return Err(AppError::denied(reasons.join(" ")));
        }
        let mut plan =
            match plan_reset_all_mfa(Arc::clone(&session.client), &customers, &allowed).await {
                Ok(plan) => plan,
                Err(error) => {
                    if error.kind == crate::error::ErrorKind::Denied {
                        self.audit_lighthouse_refusal(&session.operator, &allowed, &error.message);
                    }
                    return Err(error);
                }
            };
        for (user, why) in refused {
            plan.warnings
                .push(format!("{} is left out: {why}", user.user_principal_name));
            let customer_name = customers
                .iter()
                .find(|c| c.tenant_id.eq_ignore_ascii_case(&user.tenant_id))
                .map(|c| c.display_name.clone())
                .unwrap_or_default();
            plan.users.push(crate::providers::lighthouse::UserPlan {
                tenant_id: user.tenant_id.clone(),
                customer_name,
                user_id: user.id.clone(),
                user_principal_name: user.user_principal_name.clone(),
                display_name: user.display_name.clone(),
                remove: Vec::new(),
                keep: Vec::new(),
                error: Some(AppError::denied(why)),
            });
        }
        // The users the job will act on: allowed, and with a method to remove.
        let in_job: Vec<DirectoryUser> = allowed
            .into_iter()
            .filter(|user| {
                plan.users.iter().any(|planned| {
                    planned.tenant_id.eq_ignore_ascii_case(&user.tenant_id)
                        && planned.user_id.eq_ignore_ascii_case(&user.id)
                        && !planned.remove.is_empty()
                })
            })
            .collect();
        let (approval, notes) = self
            .lighthouse_approval_requirement(&session.client, &plan, &in_job)
            .await?;
        plan.warnings.extend(notes);
        let plan = LighthousePlan {
            id: uuid::Uuid::new_v4().to_string(),
            connection_id: connection_id.to_string(),
            operator_upn: session.operator.user_principal_name.clone(),
            plan,
            approval,
        };
        let record = KeptPlan::new(plan.clone(), PlanOwner::of(&session.operator), in_job);
        self.lighthouse
            .plans
            .keep(&plan.id, record, self.plan_validity, |_| false)?;
        Ok(plan)
    }

    /// Splits `users` into those the technician may reset in their customer (Entra's rules
    /// with the GDAP roles as the operator's roles) and those they may not, with the reason.
    pub(super) async fn authorize_lighthouse_targets(
        &self,
        session: &LighthouseConnectionSession,
        customers: &[CustomerAccess],
        users: Vec<DirectoryUser>,
    ) -> Result<(Vec<DirectoryUser>, Vec<(DirectoryUser, String)>)> {
        let read = crate::providers::lighthouse::reads::per_tenant(
            users,
            |user| user.tenant_id.clone(),
            |mut user| {
                let client = Arc::clone(&session.client);
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
                connection_id: session.operator.connection_id.clone(),
                tenant_id: customer.tenant_id.clone(),
                id: session.operator.id.clone(),
                user_principal_name: session.operator.user_principal_name.clone(),
                display_name: session.operator.display_name.clone(),
                roles: customer.roles.clone(),
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

    fn audit_lighthouse_refusal(&self, operator: &Operator, users: &[DirectoryUser], why: &str) {
        for user in users {
            // In the customer's tenant, where the user is.
            let parties = crate::audit::AuditParties {
                operator: &operator.user_principal_name,
                connection_id: &operator.connection_id,
                tenant_id: &user.tenant_id,
                target_id: &user.id,
                target: &user.user_principal_name,
            };
            let action = crate::providers::lighthouse::LighthouseAction::ResetAllMfa.label();
            let record = crate::audit::AuditRecord::refused(parties, action, why);
            if let Err(e) = self.append_audit(record) {
                tracing::error!(error = %e, "could not audit a refusal");
                return;
            }
        }
    }
}

/// What the technician holds where, for the header: each GDAP role with the customers it is
/// held in ("Authentication Administrator in Fabrikam, Northwind Traders"). For display only:
/// every decision reads the customer's roles themselves.
pub(super) fn roles_where_held(customers: &[CustomerAccess]) -> Vec<crate::model::RoleRef> {
    let mut held: Vec<(crate::model::RoleRef, Vec<String>)> = Vec::new();
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
        .map(|(role, names)| crate::model::RoleRef {
            display_name: format!("{} in {}", role.display_name, names.join(", ")),
            template_id: role.template_id,
        })
        .collect()
}
