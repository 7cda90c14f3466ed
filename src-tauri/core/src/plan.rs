//! A plan is what the confirmation dialog shows: the concrete steps an action will take on
//! one target, built from the target's live state. The page only ever sees it and refers
//! to it by id; the steps themselves are kept in Rust, so a forged request cannot add one.

use serde::{Deserialize, Serialize};

use crate::actions::ActionKind;
use crate::model::{AuthMethodKind, RoleRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetSummary {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub admin_roles: Vec<RoleRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum StepKind {
    ResetPassword,
    DeactivateHardwareOath { method_id: String },
    DeleteMethod { method_id: String, method_kind: AuthMethodKind, phone_type: Option<String> },
    RevokeSessions,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub index: usize,
    pub kind: StepKind,
    /// One line for the summary, e.g. "Delete phone number +1 555 0100 (mobile, default method, last)".
    pub summary: String,
    /// Set when this step will not run because the operator lacks a role for it
    /// (e.g. hardware OATH needs a Privileged Authentication Administrator).
    pub blocked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub id: String,
    pub connection_id: String,
    pub tenant_id: String,
    pub action: ActionKind,
    pub operator_upn: String,
    pub target: TargetSummary,
    pub steps: Vec<Step>,
    pub warnings: Vec<String>,
    pub created_at: String,
}
