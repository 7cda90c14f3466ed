//! The bulk engine's [`StepExecutor`] of "Reset all MFAs" on a Lighthouse connection, and the job
//! spec of a confirmed plan: one DELETE per step
//! through [`LighthouseClient`] (built with no retries of its own: the engine retries, so a
//! tenant's Retry-After pauses all its workers at once), failures mapped to [`Attempt`]s.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;

use super::provider::LighthouseSession;
use super::{CustomerAccess, DeleteOutcome, LighthouseAction, LighthouseClient, PartnerSession};
use crate::entra::http::{Failure, RetryPolicy};
use resetdesk_core::bulk::{Attempt, JobSpec, StepExecutor, StepSpec};
use resetdesk_core::error::Result;
use resetdesk_core::model::{AuthMethodKind, DirectoryUser};
use resetdesk_core::seam::JobRunner;

pub const RESET_ALL_MFA_ACTION: &str = "lighthouse.resetAllMfa";

/// Whether a hardware OATH token reads as deactivated (Graph's `status`).
fn is_deactivated(method: &resetdesk_core::model::AuthMethod) -> bool {
    method
        .status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("deactivated"))
}

pub struct LighthouseSteps {
    client: LighthouseClient,
    /// The customers as last read from GDAP: each step is checked against them again just
    /// before it is sent (DESIGN.md: authorization is checked twice).
    customers: Option<Vec<CustomerAccess>>,
    /// Users the technician may no longer act on (Entra's rules against their roles, read
    /// again when a job is resumed), by (tenant, user id) in lower case, with the reason.
    refused_targets: std::collections::HashMap<(String, String), String>,
}

impl LighthouseSteps {
    /// Shares the session's cached tokens; sends each request once. No per-step check of the
    /// customer's GDAP roles (the plan checked them): prefer [`Self::with_customer_check`].
    pub fn new(session: Arc<PartnerSession>) -> Arc<Self> {
        Self::build(session, None, Vec::new())
    }

    /// As [`Self::new`], and each step is checked again, just before it is sent, against the
    /// customers as read from GDAP (DESIGN.md: authorization is checked twice): a step for a
    /// tenant that is not among them, or does not allow the action, is refused unsent.
    pub fn with_customer_check(
        session: Arc<PartnerSession>,
        customers: &[CustomerAccess],
    ) -> Arc<Self> {
        Self::build(session, Some(customers.to_vec()), Vec::new())
    }

    /// As [`Self::with_customer_check`], and the steps of `refused` users — (tenant id,
    /// user id, reason) — are refused unsent.
    pub fn with_checks(
        session: Arc<PartnerSession>,
        customers: &[CustomerAccess],
        refused: Vec<(String, String, String)>,
    ) -> Arc<Self> {
        Self::build(session, Some(customers.to_vec()), refused)
    }

    fn build(
        session: Arc<PartnerSession>,
        customers: Option<Vec<CustomerAccess>>,
        refused: Vec<(String, String, String)>,
    ) -> Arc<Self> {
        let policy = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        let refused_targets = refused
            .into_iter()
            .map(|(tenant, user, why)| {
                (
                    (tenant.to_ascii_lowercase(), user.to_ascii_lowercase()),
                    why,
                )
            })
            .collect();
        Arc::new(Self {
            client: LighthouseClient::with_policy(session, policy),
            customers,
            refused_targets,
        })
    }

    /// Our own check: the step's customer must (still) allow the action.
    fn refusal(&self, step: &StepSpec) -> Option<String> {
        let target = (
            step.tenant_id.to_ascii_lowercase(),
            step.user_id.to_ascii_lowercase(),
        );
        if let Some(why) = self.refused_targets.get(&target) {
            return Some(why.clone());
        }
        let customers = self.customers.as_ref()?;
        let customer = customers
            .iter()
            .find(|c| c.tenant_id.eq_ignore_ascii_case(&step.tenant_id));
        match customer {
            None => Some(format!(
                "Tenant {} is not one of your Lighthouse customers.",
                step.tenant_id
            )),
            Some(customer) => LighthouseAction::ResetAllMfa.refusal(customer),
        }
    }

    fn setback(&self, failure: Failure, tenant_id: &str) -> Attempt {
        let request_id = failure.request_id();
        match &failure {
            Failure::Status(s)
                if matches!(
                    s.status,
                    StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
                ) =>
            {
                Attempt::Throttled {
                    retry_after: s.retry_after.unwrap_or(Duration::ZERO),
                }
            }
            Failure::Status(s) if s.status == StatusCode::FORBIDDEN => Attempt::Refused {
                message: self.client.describe_failure(failure, tenant_id).message,
                request_id,
            },
            _ if failure.is_ambiguous_write() => Attempt::Ambiguous {
                message: self.client.describe_failure(failure, tenant_id).message,
            },
            _ => Attempt::Failed {
                message: self.client.describe_failure(failure, tenant_id).message,
                request_id,
            },
        }
    }
}

#[async_trait]
impl StepExecutor for LighthouseSteps {
    async fn run(&self, step: &StepSpec) -> Attempt {
        if let Some(reason) = self.refusal(step) {
            return Attempt::Refused {
                message: format!("Not sent: {reason}"),
                request_id: None,
            };
        }
        // A hardware OATH token is deactivated (it stays assigned); other methods are deleted.
        let sent = if step.method.kind == AuthMethodKind::HardwareOath {
            self.client
                .deactivate_hardware_oath(&step.tenant_id, &step.user_id, &step.method.id)
                .await
        } else {
            self.client
                .delete_method(&step.tenant_id, &step.user_id, &step.method)
                .await
        };
        match sent {
            Ok(DeleteOutcome::Deleted { request_id }) => Attempt::Deleted { request_id },
            Ok(DeleteOutcome::AlreadyGone { request_id }) => Attempt::AlreadyGone { request_id },
            Err(failure) => self.setback(failure, &step.tenant_id),
        }
    }

    async fn still_present(&self, step: &StepSpec) -> Result<bool, Attempt> {
        match self
            .client
            .try_list_methods(&step.tenant_id, &step.user_id)
            .await
        {
            // A deactivated token is still listed: it is "present" while it is active.
            Ok(methods) => Ok(methods.iter().any(|m| {
                m.id == step.method.id
                    && (m.kind != AuthMethodKind::HardwareOath || !is_deactivated(m))
            })),
            Err(failure) => Err(self.setback(failure, &step.tenant_id)),
        }
    }
}

/// A partner's jobs start and resume against the customers as GDAP lists them now.
#[async_trait]
impl JobRunner for LighthouseSession {
    async fn executor(&self, resumed: &[StepSpec]) -> Result<Arc<dyn StepExecutor>> {
        let customers = self.client.list_customers().await?;
        let refused = self.no_longer_allowed(&customers, resumed).await?;
        let executor: Arc<dyn StepExecutor> =
            LighthouseSteps::with_checks(Arc::clone(self.client.session()), &customers, refused);
        Ok(executor)
    }

    /// Their own GDAP roles, as this approver's sign-in read them, must allow the reset of
    /// every user of the job in that user's customer.
    fn may_approve(&self, technician_id: &str, users: &[DirectoryUser]) -> Result<()> {
        super::policy::check_approver(
            technician_id,
            &self.operator,
            self.customers_at_sign_in(),
            users,
        )
    }
}

impl LighthouseSession {
    /// The users with steps left whom the technician may no longer act on, as (tenant, user,
    /// why): Entra's rules, with the technician's GDAP roles in each customer, against the
    /// user's roles read now.
    async fn no_longer_allowed(
        &self,
        customers: &[CustomerAccess],
        steps: &[StepSpec],
    ) -> Result<Vec<(String, String, String)>> {
        let mut users: Vec<DirectoryUser> = Vec::new();
        for step in steps {
            // A customer no longer listed is refused by the per-step customer check.
            let known = customers
                .iter()
                .any(|c| c.tenant_id.eq_ignore_ascii_case(&step.tenant_id));
            let seen = users.iter().any(|u| {
                u.tenant_id.eq_ignore_ascii_case(&step.tenant_id)
                    && u.id.eq_ignore_ascii_case(&step.user_id)
            });
            if known && !seen {
                users.push(DirectoryUser {
                    connection_id: self.operator.connection_id.clone(),
                    tenant_id: step.tenant_id.clone(),
                    id: step.user_id.clone(),
                    user_principal_name: step.user_principal_name.clone(),
                    display_name: step.user_principal_name.clone(),
                    ..Default::default()
                });
            }
        }
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let (_, refused) = self.authorize_targets(customers, users).await?;
        Ok(refused
            .into_iter()
            .map(|(user, why)| (user.tenant_id, user.id, format!("No longer allowed {why}")))
            .collect())
    }
}

/// The journalled job for a confirmed plan, audited as [`RESET_ALL_MFA_ACTION`] (the
/// Console's job is audited under the action's label: `ResetPlan::job`).
pub fn reset_all_mfa_job(
    plan: &super::ResetPlan,
    connection_id: &str,
    operator: &str,
    reason: &str,
) -> Result<JobSpec> {
    plan.job(connection_id, operator, reason, RESET_ALL_MFA_ACTION)
}
