//! Privilege Secure's documented reply shapes (api-docs/4.2 `Models/`), only the fields
//! ResetDesk reads.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DataTable<T> {
    #[serde(default = "Vec::new")]
    pub(super) data: Vec<T>,
    /// How many rows match in all (the search answers a page at a time).
    #[serde(default, rename = "recordsTotal")]
    pub(super) records_total: Option<u64>,
}

/// `SbPAM.Models.ManagedAccountCandidateView`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CandidateView {
    pub(super) id: String,
    #[serde(default)]
    pub(super) entity_type: Option<String>,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) display_name: Option<String>,
    #[serde(default)]
    pub(super) user_principal_name: Option<String>,
    #[serde(default)]
    pub(super) sam_account_name: Option<String>,
    #[serde(default)]
    pub(super) email: Option<String>,
    #[serde(default)]
    pub(super) managed: bool,
    #[serde(default)]
    pub(super) domain_name: Option<String>,
    #[serde(default)]
    pub(super) managed_account_id: Option<String>,
}

/// `SbPAM.Models.ManagedAccountInfo`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ManagedAccountInfo {
    pub(super) id: String,
    #[serde(default)]
    pub(super) samaccountname: Option<String>,
}

/// `SbPAM.Models.ManagedAccountGroup`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ManagedAccountGroup {
    pub(super) id: String,
    #[serde(default)]
    pub(super) name: Option<String>,
}

/// `Microsoft.AspNetCore.Mvc.ProblemDetails`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ProblemDetails {
    #[serde(default)]
    pub(super) title: Option<String>,
    #[serde(default)]
    pub(super) detail: Option<String>,
}
