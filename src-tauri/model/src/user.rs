//! Domain types shared by every layer. They are what the page sees (serialised camelCase),
//! so none of them may ever hold a secret.

use serde::{Deserialize, Serialize};

/// A directory role held by an operator or a target, identified by its role template id
/// (stable across tenants; see reference/graph.md §1.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    pub template_id: String,
    pub display_name: String,
}

/// The signed-in operator of one connection, read from the provider after sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct Operator {
    pub connection_id: String,
    pub tenant_id: String,
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub roles: Vec<RoleRef>,
}

/// A user of a directory, as listed and as shown on the Summary tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryUser {
    pub connection_id: String,
    pub tenant_id: String,
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub mail: Option<String>,
    pub account_enabled: Option<bool>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub mobile_phone: Option<String>,
    pub user_type: Option<String>,
    pub last_password_change: Option<String>,
    pub sign_in_sessions_valid_from: Option<String>,
    /// Directory roles the user holds. Filled when the user is read for details or a plan
    /// (not in search results, where it stays empty and `roles_known` is false).
    pub admin_roles: Vec<RoleRef>,
    pub roles_known: bool,
    /// Member or owner of a role-assignable group: only a Privileged Authentication
    /// Administrator or Global Administrator may act on them.
    pub in_role_assignable_group: bool,
    /// Whether `in_role_assignable_group` was read (the Entra user page reads it; a search
    /// and the Lighthouse path do not yet): the page says "Not read" rather than "No".
    #[serde(default)]
    pub role_assignable_group_known: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum AuthMethodKind {
    Password,
    Phone,
    MicrosoftAuthenticator,
    SoftwareOath,
    HardwareOath,
    Fido2,
    Email,
    TemporaryAccessPass,
    WindowsHelloForBusiness,
    PlatformCredential,
    Other,
}

/// One registered authentication method, read live from the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct AuthMethod {
    pub id: String,
    pub kind: AuthMethodKind,
    /// What the admin centre shows in its list, e.g. "Microsoft Authenticator", "Phone number".
    pub label: String,
    /// The distinguishing detail: phone number and type, device name, token serial, address.
    pub detail: Option<String>,
    /// Phone methods only: "mobile", "alternateMobile" or "office".
    pub phone_type: Option<String>,
    /// The user's default (preferred) MFA method: deleted last.
    pub is_default: bool,
    /// Hardware OATH only: the token's status (e.g. "activated", "deactivated").
    pub status: Option<String>,
    pub created: Option<String>,
}

/// What a provider answered to a write: kept for the audit log and support tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub request_id: Option<String>,
    /// Set when the write was verified by re-reading state after an ambiguous failure,
    /// or found already done (e.g. DELETE answered 404 on a retry).
    pub note: Option<String>,
}

/// The tenant's Temporary Access Pass policy, read live before a pass is planned: the range a
/// pass's lifetime must sit in, and whether multi-use passes are allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TemporaryAccessPassPolicy {
    pub enabled: bool,
    pub default_lifetime_minutes: u32,
    pub minimum_lifetime_minutes: u32,
    pub maximum_lifetime_minutes: u32,
    pub default_length: u32,
    /// `true`: every pass must be one-time use.
    pub is_usable_once: bool,
}

/// The pass a plan will issue, and the tenant policy it was checked against (the confirmation
/// shows the allowed range next to the lifetime field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct TemporaryAccessPassTerms {
    pub lifetime_minutes: u32,
    pub usable_once: bool,
    pub policy: TemporaryAccessPassPolicy,
}
