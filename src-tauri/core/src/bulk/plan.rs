//! The confirmation of a bulk job, whatever its provider: the tenants it acts in (a partner's
//! customers), each user with the methods that will be removed and those that stay, and the
//! journalled job it becomes once confirmed.

use serde::{Deserialize, Serialize};

use super::{JobSpec, StepSpec};
use crate::error::{AppError, Result};
use crate::model::AuthMethod;
use resetdesk_model::action::SafetyClass;

/// One user's part of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct UserPlan {
    pub tenant_id: String,
    pub customer_name: String,
    pub user_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    /// In the order they will be deleted.
    pub remove: Vec<AuthMethod>,
    /// Labels of the methods that stay.
    pub keep: Vec<String>,
    /// The methods could not be read (e.g. the customer refused), or the user is left out
    /// (why): nothing is planned.
    pub error: Option<AppError>,
}

/// One tenant of the plan: how many of its users, and methods, the job acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSummary {
    pub tenant_id: String,
    pub display_name: String,
    pub users: usize,
    pub methods: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ResetPlan {
    /// The action's id on the seam (e.g. Lighthouse's `resetAllMfa`).
    pub action: String,
    pub customers: Vec<CustomerSummary>,
    pub users: Vec<UserPlan>,
    pub total_methods: usize,
    pub warnings: Vec<String>,
}

impl ResetPlan {
    /// The plan of `action` for `users`, with a summary per tenant in the order users come.
    pub fn of(action: String, users: Vec<UserPlan>, warnings: Vec<String>) -> Self {
        let mut customers: Vec<CustomerSummary> = Vec::new();
        for user in &users {
            match customers.iter_mut().find(|s| s.tenant_id == user.tenant_id) {
                Some(summary) => {
                    summary.users += 1;
                    summary.methods += user.remove.len();
                }
                None => customers.push(CustomerSummary {
                    tenant_id: user.tenant_id.clone(),
                    display_name: user.customer_name.clone(),
                    users: 1,
                    methods: user.remove.len(),
                }),
            }
        }
        Self {
            action,
            total_methods: users.iter().map(|u| u.remove.len()).sum(),
            customers,
            users,
            warnings,
        }
    }

    /// The tenant's name as the plan shows it, or its id.
    pub fn customer_name(&self, tenant_id: &str) -> String {
        self.customers
            .iter()
            .find(|c| c.tenant_id.eq_ignore_ascii_case(tenant_id))
            .map_or_else(|| tenant_id.to_string(), |c| c.display_name.clone())
    }

    /// The journalled job of this confirmed plan: one step per method to remove, users in
    /// plan order, audited as `action_label`. Users whose methods could not be read have no
    /// steps (the plan warned about them).
    pub fn job(
        &self,
        connection_id: &str,
        operator: &str,
        reason: &str,
        action_label: &str,
    ) -> Result<JobSpec> {
        if reason.trim().is_empty() {
            return Err(AppError::invalid_input(
                "Give a reason or ticket number for resetting these users' MFA.",
            ));
        }
        let steps: Vec<StepSpec> = self
            .users
            .iter()
            .flat_map(|user| {
                user.remove.iter().map(move |method| StepSpec {
                    tenant_id: user.tenant_id.clone(),
                    customer_name: user.customer_name.clone(),
                    user_id: user.user_id.clone(),
                    user_principal_name: user.user_principal_name.clone(),
                    display_name: user.display_name.clone(),
                    method: method.clone(),
                })
            })
            .collect();
        if steps.is_empty() {
            return Err(AppError::invalid_input(
                "None of the selected users has a multi-factor method to remove.",
            ));
        }
        Ok(JobSpec {
            connection_id: connection_id.to_string(),
            operator: operator.to_string(),
            action: action_label.to_string(),
            reason: reason.trim().to_string(),
            steps,
            approval: None,
            safety_class: Some(SafetyClass::Bulk),
        })
    }
}
