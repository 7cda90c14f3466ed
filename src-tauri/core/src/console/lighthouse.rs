//! Microsoft 365 Lighthouse (partner) connections in the Console. The partner sign-in, its
//! session and a customer user's page go through the seam (`providers::lighthouse::provider`);
//! here are the bulk use cases over that session: the customers reachable through GDAP, users
//! and methods across the selected customers with the actions the selection allows, and the
//! confirmation of "Reset all multi-factor authentications" and the start of its job. The Graph
//! calls are in `providers::lighthouse`; the running jobs in `console::bulk_jobs`.
use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::bulk_jobs::BulkJobView;
use super::plan_store::{KeptPlan, PlanState, PlanStore, PlanWording};
use super::{check_query_length, require_id, validate_reason, Console, PlanOwner};
use crate::auth::BrowserLauncher;
use crate::error::{AppError, Result};
use crate::model::{AuthMethod, DirectoryUser, Operator};
use crate::providers::lighthouse::job::reset_all_mfa_job;
use crate::providers::lighthouse::provider::{
    matches, LighthouseProvider, LighthouseSession, LIGHTHOUSE_PROVIDER,
};
use crate::providers::lighthouse::{
    offered_actions, plan_reset_all_mfa, ActionOffer, CustomerAccess, LighthouseAction, ResetPlan,
};

/// Users read at once per customer for the methods list (keeps a large selection bounded).
const METHODS_LIST_LIMIT: usize = 200;
/// Most users one reset may cover (a larger one is split by the operator).
pub const MAX_TARGETS: usize = 5_000;

pub use resetdesk_model::demo::PartnerSandboxSignIn;

/// Bulk reset plans kept for their run, by plan id; beside each, the users the job acts on,
/// with the roles and group membership read for the plan (an approver must be allowed to act
/// on each of them). Once claimed, a plan's job runs from its journal.
pub(super) type LighthousePlans = PlanStore<LighthousePlan, Vec<DirectoryUser>>;

pub(super) struct LighthouseState {
    /// Sandbox connections: who answers the partner's sign-in page (the provider is built
    /// with them).
    sandbox_sign_ins: HashMap<String, Arc<dyn PartnerSandboxSignIn>>,
    pub plans: LighthousePlans,
}

impl Default for LighthouseState {
    fn default() -> Self {
        Self {
            sandbox_sign_ins: HashMap::new(),
            plans: PlanStore::new(PlanWording::BULK_JOB),
        }
    }
}

pub use crate::providers::lighthouse::provider::{
    CustomerUserDetails as LighthouseUserDetails, LighthouseUser,
};

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
        self.with_lighthouse_provider()
    }

    /// Registers the Lighthouse provider as configured now.
    pub(super) fn with_lighthouse_provider(self) -> Self {
        let provider = self.lighthouse_provider();
        self.with_provider(Arc::new(provider))
    }

    fn lighthouse_provider(&self) -> LighthouseProvider {
        LighthouseProvider::new(
            Arc::clone(&self.secrets),
            self.token_http.clone(),
            self.lighthouse.sandbox_sign_ins.clone(),
        )
    }

    /// Lighthouse's typed sign-in, for the tests of its rules (the page signs in through
    /// `sign_in_with`, like every provider): through `browser` for a real partner, as the
    /// sandbox's demo technician `sandbox_account` otherwise; answers who signed in with the
    /// GDAP roles held where.
    pub async fn lighthouse_sign_in(
        &self,
        connection_id: &str,
        sandbox_account: Option<&str>,
        browser: &dyn BrowserLauncher,
    ) -> Result<Operator> {
        let connection = self.connection(connection_id)?;
        self.connection_allowed(&connection)?;
        let session = self
            .lighthouse_provider()
            .sign_in_through(&connection, sandbox_account, browser)
            .await?;
        let operator = session.operator().clone();
        self.keep_session(connection_id, session).await;
        tracing::info!(connection = %connection_id, "signed in to the Lighthouse partner tenant");
        Ok(operator)
    }

    /// The partner connection's session, as Lighthouse's own type.
    pub(super) async fn lighthouse_session(
        &self,
        connection_id: &str,
    ) -> Result<Arc<LighthouseSession>> {
        let connection = self.connection(connection_id)?;
        connection.lighthouse()?;
        let session: Arc<dyn std::any::Any + Send + Sync> =
            self.seam_session(connection_id).await?;
        session.downcast::<LighthouseSession>().map_err(|_| {
            AppError::internal(format!(
                "This connection is not served by the provider \"{LIGHTHOUSE_PROVIDER}\"."
            ))
        })
    }

    /// The customers reachable through GDAP, with the technician's roles in each (live).
    pub async fn lighthouse_customers(&self, connection_id: &str) -> Result<Vec<CustomerAccess>> {
        let session = self.lighthouse_session(connection_id).await?;
        session.client.list_customers().await
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
        let selection = session.selected_customers(tenant_ids).await?;
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
                    .filter(|user| matches(user, &query))
                    .map(|user| LighthouseUser::of(user, customer_name.clone())),
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

    /// One user's page in Lighthouse's terms: the user, their methods, their customer and the
    /// actions it allows (the page reads it through the seam, `Console::directory_user`).
    pub async fn lighthouse_user_details(
        &self,
        connection_id: &str,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<LighthouseUserDetails> {
        let user_id = require_id(user_id)?;
        let session = self.lighthouse_session(connection_id).await?;
        session.user_details(tenant_id, user_id).await
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
        let customers = session.selected_customers(&tenant_ids).await?;
        let targets: Vec<(String, String)> = targets
            .iter()
            .map(|t| (t.tenant_id.clone(), t.user_id.clone()))
            .collect();
        let users = session.targets(&customers, &targets).await?;
        // Entra's rules in each customer tenant: the technician's GDAP roles there against
        // the target's own roles, read live. A user they may not act on is left out, with why.
        let (allowed, refused) = session.authorize_targets(&customers, users).await?;
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

    /// Starts the confirmed reset `plan_id` as a bulk job with the operator's reason and
    /// returns at once (`Console::run` calls it for a bulk plan). What a second person must
    /// have approved is decided again first: another reset of one of these users may have run
    /// since the summary was shown.
    pub async fn start_job(&self, plan_id: &str, reason: &str) -> Result<BulkJobView> {
        // No action while the managed policy cannot be applied (see `with_safety_refused`).
        self.safety()?;
        let reason = validate_reason(reason)?;
        self.job_may_run()?;
        let (targets, planned, connection_id) =
            self.lighthouse
                .plans
                .with_ready(plan_id, self.plan_validity, |record| {
                    Ok((
                        record.kept.clone(),
                        record.plan.plan.clone(),
                        record.plan.connection_id.clone(),
                    ))
                })?;
        let session = self.lighthouse_session(&connection_id).await?;
        // The notes were shown with the summary; a log that cannot be read now is refused
        // only where the policy requires it (the requirement's error).
        let (approval_now, _notes) = self
            .lighthouse_approval_requirement(&session.client, &planned, &targets)
            .await?;
        // Claimed once: from here the job runs from its journal, never from this plan again.
        let (plan, planned_by, approval) =
            self.lighthouse
                .plans
                .claim(plan_id, self.plan_validity, |record| {
                    let needs_approval = record.plan.approval.required || approval_now.required;
                    if needs_approval && record.confirmation.approval.is_none() {
                        let mut reasons = record.plan.approval.reasons.clone();
                        for reason in approval_now.reasons {
                            if !reasons.contains(&reason) {
                                reasons.push(reason);
                            }
                        }
                        return Err(AppError::denied(format!(
                            "A second person must approve this job first: {}",
                            reasons.join(" ")
                        )));
                    }
                    record.state = PlanState::Ran;
                    Ok((
                        record.plan.clone(),
                        record.owner.operator_label.clone(),
                        record.confirmation.approval.clone(),
                    ))
                })?;
        if session.operator.user_principal_name != planned_by {
            return Err(AppError::denied(
                "This summary was prepared for another technician. Start the action again under your own sign-in.",
            ));
        }
        let mut spec = reset_all_mfa_job(&plan.plan, &connection_id, &planned_by, &reason)?;
        spec.action = LighthouseAction::ResetAllMfa.label().to_string();
        spec.approval = approval;
        self.launch_job(&spec, session.as_ref()).await
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
            let action = LighthouseAction::ResetAllMfa.label();
            let record = crate::audit::AuditRecord::refused(parties, action, why);
            if let Err(e) = self.append_audit(record) {
                tracing::error!(error = %e, "could not audit a refusal");
                return;
            }
        }
    }
}
