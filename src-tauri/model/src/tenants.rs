//! The lists of a sign-in that reaches users in several tenants — a partner's customers, each
//! reached through a relationship that grants the technician roles there — as the page shows
//! them: the tenants with those roles, then the users (or their sign-in methods) of the tenants
//! the operator selected, with the actions the selection allows. A provider whose users live in
//! one organisation has none of this: its users list is the seam's search.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::user::{AuthMethod, DirectoryUser, RoleRef};

/// A tenant the signed-in operator reaches, and what they may do there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TenantAccess {
    pub tenant_id: String,
    pub display_name: String,
    /// The status of the relationship the operator reaches the tenant through (`active`,
    /// `expired`, …): only an active one reaches its users.
    pub relationship_status: String,
    /// The roles the operator holds in the tenant through that relationship.
    pub roles: Vec<RoleRef>,
}

impl TenantAccess {
    /// Whether the relationship is active, so the tenant's users can be read.
    pub fn is_active(&self) -> bool {
        relationship_is_active(&self.relationship_status)
    }
}

/// Whether a relationship of this status (`active`, `expired`, …) reaches the tenant's users.
pub fn relationship_is_active(status: &str) -> bool {
    status.eq_ignore_ascii_case("active")
}

/// A user of one of the selected tenants, as the lists show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TenantUserRow {
    #[serde(flatten)]
    pub user: DirectoryUser,
    /// The name of the user's tenant (a partner's customer).
    pub customer_name: String,
    /// The id the one user page and a plan take for this user: the session's name for "this
    /// user of this tenant".
    pub key: String,
}

/// Why one selected tenant does not allow an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TenantRefusal {
    pub tenant_id: String,
    pub display_name: String,
    pub reason: String,
}

/// An action on the users of a selection of tenants: offered only if every selected tenant
/// allows it, refused otherwise with each refusing tenant's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TenantOffer {
    /// The action's id, which a plan on many users takes (`plan_bulk_action`).
    pub action: String,
    pub label: String,
    pub offered: bool,
    /// Empty when offered.
    pub refusals: Vec<TenantRefusal>,
}

/// A selected tenant whose users could not be read, with why: the list shows what the others
/// returned and a note for this one, instead of nothing at all.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TenantNotRead {
    pub tenant_id: String,
    pub display_name: String,
    pub error: AppError,
}

/// The users of the selected tenants that answered, and the tenants that did not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TenantUsers {
    pub users: Vec<TenantUserRow>,
    pub not_read: Vec<TenantNotRead>,
    /// The actions this selection allows, from the tenants this read used.
    pub offers: Vec<TenantOffer>,
}

/// One user of the Authentication methods list, with their methods or why they could not be
/// read.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TenantMethodsRow {
    pub user: TenantUserRow,
    pub methods: Vec<AuthMethod>,
    pub error: Option<AppError>,
}

/// The Authentication methods list: a row per user of the tenants that answered, and the
/// tenants that did not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TenantMethods {
    pub rows: Vec<TenantMethodsRow>,
    pub not_read: Vec<TenantNotRead>,
    /// Users found but not listed (each row reads the user's methods live, so the list stops
    /// at a limit): the page says how many, and to narrow the search or the tenants.
    pub not_shown: usize,
    /// As [`TenantUsers::offers`].
    pub offers: Vec<TenantOffer>,
}
