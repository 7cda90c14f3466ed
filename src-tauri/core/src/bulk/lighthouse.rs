//! The [`StepExecutor`] of "Reset all MFAs" on a Lighthouse connection: one DELETE per step
//! through [`LighthouseClient`] (built with no retries of its own: the engine retries, so a
//! tenant's Retry-After pauses all its workers at once), failures mapped to [`Attempt`]s.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;

use super::{Attempt, StepExecutor, StepSpec};
use crate::providers::entra::http::{Failure, RetryPolicy};
use crate::providers::lighthouse::{DeleteOutcome, LighthouseClient, PartnerSession};

pub const RESET_ALL_MFA_ACTION: &str = "lighthouse.resetAllMfa";

pub struct LighthouseSteps {
    client: LighthouseClient,
}

impl LighthouseSteps {
    /// Shares the session's cached tokens; sends each request once.
    pub fn new(session: Arc<PartnerSession>) -> Arc<Self> {
        let policy = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        Arc::new(Self {
            client: LighthouseClient::with_policy(session, policy),
        })
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
        match self
            .client
            .delete_method(&step.tenant_id, &step.user_id, &step.method)
            .await
        {
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
            Ok(methods) => Ok(methods.iter().any(|m| m.id == step.method.id)),
            Err(failure) => Err(self.setback(failure, &step.tenant_id)),
        }
    }
}

/// The journalled job for a confirmed plan: one step per method to remove, users in plan
/// order. Users whose methods could not be read have no steps (the plan warned about them).
pub fn reset_all_mfa_job(
    plan: &crate::providers::lighthouse::ResetPlan,
    connection_id: &str,
    operator: &str,
    reason: &str,
) -> crate::error::Result<super::JobSpec> {
    if reason.trim().is_empty() {
        return Err(crate::AppError::invalid_input(
            "Give a reason or ticket number for resetting these users' MFA.",
        ));
    }
    let steps: Vec<StepSpec> = plan
        .users
        .iter()
        .flat_map(|user| {
            user.remove.iter().map(move |method| StepSpec {
                tenant_id: user.tenant_id.clone(),
                customer_name: user.customer_name.clone(),
                user_id: user.user_id.clone(),
                user_principal_name: user.user_principal_name.clone(),
                method: method.clone(),
            })
        })
        .collect();
    if steps.is_empty() {
        return Err(crate::AppError::invalid_input(
            "None of the selected users has a multi-factor method to remove.",
        ));
    }
    Ok(super::JobSpec {
        connection_id: connection_id.to_string(),
        operator: operator.to_string(),
        action: RESET_ALL_MFA_ACTION.to_string(),
        reason: reason.trim().to_string(),
        steps,
    })
}
