//! The Graph replies a Lighthouse connection reads (only the fields ResetDesk uses): the
//! partner's own user, its GDAP relationships and access assignments, and group ids. A
//! customer's users and methods are read with the Entra provider's models.

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MeJson {
    pub(super) id: String,
    #[serde(default)]
    pub(super) display_name: Option<String>,
    #[serde(default)]
    pub(super) user_principal_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RelationshipJson {
    pub(super) id: String,
    #[serde(default)]
    pub(super) status: Option<String>,
    #[serde(default)]
    pub(super) customer: Option<RelationshipCustomer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RelationshipCustomer {
    pub(super) tenant_id: String,
    #[serde(default)]
    pub(super) display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AssignmentJson {
    #[serde(default)]
    pub(super) status: Option<String>,
    #[serde(default)]
    pub(super) access_container: Option<AccessContainer>,
    #[serde(default)]
    pub(super) access_details: Option<AccessDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AccessContainer {
    pub(super) access_container_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AccessDetails {
    #[serde(default)]
    pub(super) unified_roles: Vec<UnifiedRole>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UnifiedRole {
    pub(super) role_definition_id: String,
}

#[derive(Deserialize)]
pub(super) struct GroupJson {
    pub(super) id: String,
}
