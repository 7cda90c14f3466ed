//! Serde shapes of the Microsoft Graph replies this provider reads (graph.md §1, §3.1).
//!
//! Only the fields ResetDesk uses are declared; Graph adds properties over time and serde
//! ignores unknown ones, so a new Graph field never breaks a read. Authentication methods
//! are polymorphic (`@odata.type`) and are kept as raw JSON here: `methods.rs` interprets them.

use serde::Deserialize;

/// A page of a Graph collection: `{ "value": [...], "@odata.nextLink": "..." }`.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

/// The `$select`ed properties of a user (every one optional: Graph omits nulls in some
/// clouds, and a reply missing a field must not fail the whole read).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct GraphUser {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub account_enabled: Option<bool>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub mobile_phone: Option<String>,
    /// Only when selected (caller verification reads it for the user and their manager).
    #[serde(default)]
    pub business_phones: Vec<String>,
    #[serde(default)]
    pub user_type: Option<String>,
    #[serde(default)]
    pub last_password_change_date_time: Option<String>,
    #[serde(default)]
    pub sign_in_sessions_valid_from_date_time: Option<String>,
}

/// `GET /users/{id}?$select=mobilePhone,businessPhones&$expand=manager(...)`: what a caller is
/// verified with (issue 5). `manager` is absent when the user has none.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct GraphContacts {
    #[serde(default)]
    pub mobile_phone: Option<String>,
    #[serde(default)]
    pub business_phones: Vec<String>,
    /// The expanded manager: a directoryObject, in practice a user (a contact has no UPN).
    #[serde(default)]
    pub manager: Option<GraphUser>,
}

/// An activated directory role from `transitiveMemberOf/microsoft.graph.directoryRole`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphDirectoryRole {
    #[serde(default)]
    pub display_name: Option<String>,
    /// Stable across tenants, unlike `id` (graph.md §1.5): authorization keys on it.
    #[serde(default)]
    pub role_template_id: Option<String>,
}

/// Only the id of a group is needed: its presence is the answer.
#[derive(Debug, Clone, Deserialize)]
pub struct GraphIdOnly {
    #[allow(dead_code)] // read by serde; the entry's existence is what matters
    pub id: String,
}

/// Beta `GET /users/{id}/authentication/signInPreferences`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct GraphSignInPreferences {
    #[serde(default)]
    pub user_preferred_method_for_secondary_authentication: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    // kept for completeness of the shape; the default method is what we mark
    pub is_system_preferred_authentication_method_enabled: Option<bool>,
}

/// Graph's error envelope (graph.md §3.1): `{ "error": { code, message, innerError } }`.
#[derive(Debug, Clone, Deserialize)]
pub struct GraphErrorEnvelope {
    pub error: GraphError,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub inner_error: Option<GraphInnerError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GraphInnerError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(rename = "request-id", default)]
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_without_next_link_or_value_parses_as_empty_last_page() {
        let page: Page<GraphUser> = serde_json::from_str("{}").unwrap();
        assert!(page.value.is_empty());
        assert!(page.next_link.is_none());
    }

    #[test]
    fn user_reads_camel_case_fields_and_ignores_unknown_ones() {
        let user: GraphUser = serde_json::from_str(
            r#"{"id":"u1","displayName":"Adele Vance","userPrincipalName":"adele@contoso.com",
                "accountEnabled":true,"lastPasswordChangeDateTime":"2025-01-02T03:04:05Z",
                "businessPhones":[],"someFutureProperty":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(user.display_name.as_deref(), Some("Adele Vance"));
        assert_eq!(user.account_enabled, Some(true));
        assert_eq!(
            user.last_password_change_date_time.as_deref(),
            Some("2025-01-02T03:04:05Z")
        );
        assert!(user.mail.is_none());
    }

    #[test]
    fn error_envelope_reads_code_message_and_inner_request_id() {
        let env: GraphErrorEnvelope = serde_json::from_str(
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.",
                "innerError":{"date":"2025-02-13T10:17:06","request-id":"r-1","client-request-id":"c-1","code":"x"}}}"#,
        )
        .unwrap();
        assert_eq!(
            env.error.code.as_deref(),
            Some("Authorization_RequestDenied")
        );
        let inner = env.error.inner_error.unwrap();
        assert_eq!(inner.request_id.as_deref(), Some("r-1"));
        assert_eq!(inner.code.as_deref(), Some("x"));
    }
}

/// `temporaryAccessPassAuthenticationMethodConfiguration` (the TAP entry of the
/// authentication methods policy).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphTapPolicy {
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub default_lifetime_in_minutes: Option<u32>,
    #[serde(default)]
    pub default_length: Option<u32>,
    #[serde(default)]
    pub minimum_lifetime_in_minutes: Option<u32>,
    #[serde(default)]
    pub maximum_lifetime_in_minutes: Option<u32>,
    #[serde(default)]
    pub is_usable_once: Option<bool>,
}

/// The reply to creating a Temporary Access Pass. No `Debug`: it holds the pass, which the
/// caller moves into a `SecretString` at once.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphCreatedTap {
    #[serde(default)]
    pub temporary_access_pass: Option<String>,
    #[serde(default)]
    pub lifetime_in_minutes: Option<u32>,
    #[serde(default)]
    pub is_usable_once: Option<bool>,
}
