//! A connection is one directory the operator works with. Its non-secret settings are saved
//! by the shell (tauri-plugin-store); its secrets live in the keychain (see `secrets`).
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    /// One Microsoft Entra tenant through Microsoft Graph.
    EntraTenant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub id: String,
    pub kind: ConnectionKind,
    pub display_name: String,
    pub entra: EntraSettings,
    /// True for the built-in sandbox connection (served by the in-app emulator).
    pub sandbox: bool,
}

/// Where an Entra tenant lives. The base URLs make the same code serve the public cloud,
/// US Government, China, custom endpoints and the sandbox emulator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntraSettings {
    /// Tenant id or domain, used in `{login}/{tenant}/oauth2/v2.0/...`.
    pub tenant: String,
    /// The public client (app registration) id. Not a secret.
    pub client_id: String,
    /// e.g. `https://login.microsoftonline.com` (no trailing slash).
    pub login_base_url: String,
    /// e.g. `https://graph.microsoft.com` (no trailing slash; `/v1.0` and `/beta` are appended).
    pub graph_base_url: String,
    /// Accounts offered by the sandbox's sign-in page (demo operators); empty for real tenants.
    #[serde(default)]
    pub demo_accounts: Vec<DemoAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAccount {
    pub user_principal_name: String,
    pub display_name: String,
    /// e.g. "Authentication Administrator"
    pub role_label: String,
}

/// The delegated Graph permissions ResetDesk asks for (reference/graph.md §0.4, least
/// privilege). They are prefixed with the connection's Graph base URL, since tokens of one
/// cloud are not valid in another.
pub const GRAPH_PERMISSIONS: &[&str] = &[
    "User.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "User-PasswordProfile.ReadWrite.All",
    "User.RevokeSessions.All",
    // Reading the Temporary Access Pass policy (its lifetime range) before a pass is planned.
    "Policy.Read.AuthenticationMethod",
];

impl EntraSettings {
    /// A saved connection is re-checked when it is loaded: the settings file is plain JSON
    /// anyone with the account can edit, and bearer tokens go to these endpoints, so both must
    /// be bare https origins, as when the connection was added.
    pub fn check_endpoints(&self) -> Result<(), AppError> {
        https_base(Some(&self.login_base_url), "login")?;
        https_base(Some(&self.graph_base_url), "Microsoft Graph")?;
        Ok(())
    }

    /// The `scope` parameter for authorize/token requests: `offline_access` for a refresh
    /// token, plus every Graph permission qualified by this cloud's Graph host.
    pub fn scopes(&self) -> Vec<String> {
        let mut scopes = vec!["offline_access".to_string()];
        scopes.extend(
            GRAPH_PERMISSIONS
                .iter()
                .map(|p| format!("{}/{}", self.graph_base_url, p)),
        );
        scopes
    }
}

/// Public cloud presets (reference/graph.md §4.2).
pub mod clouds {
    pub const PUBLIC_LOGIN: &str = "https://login.microsoftonline.com";
    pub const PUBLIC_GRAPH: &str = "https://graph.microsoft.com";
    pub const US_GOV_LOGIN: &str = "https://login.microsoftonline.us";
    pub const US_GOV_GRAPH: &str = "https://graph.microsoft.us";
    pub const CHINA_LOGIN: &str = "https://login.partner.microsoftonline.cn";
    pub const CHINA_GRAPH: &str = "https://microsoftgraph.chinacloudapi.cn";
}

/// Where a new tenant lives: a national cloud preset, or custom endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Cloud {
    Public,
    UsGovernment,
    China,
    Custom,
}

/// What the operator types to add a Microsoft Entra tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEntraConnection {
    pub display_name: String,
    pub tenant: String,
    pub client_id: String,
    pub cloud: Cloud,
    /// Custom cloud only.
    pub login_base_url: Option<String>,
    /// Custom cloud only.
    pub graph_base_url: Option<String>,
}

impl NewEntraConnection {
    /// Checks what was typed and builds the connection, or says what to correct.
    pub fn into_connection(self) -> Result<Connection, AppError> {
        let display_name = self.display_name.trim().to_string();
        if display_name.is_empty() || display_name.chars().count() > 80 {
            return Err(AppError::invalid_input(
                "Give the connection a name of 1 to 80 characters, e.g. \"Contoso production\".",
            ));
        }
        let tenant = self.tenant.trim().to_ascii_lowercase();
        if !(is_guid(&tenant) || is_domain(&tenant)) {
            return Err(AppError::invalid_input(
                "The tenant must be its tenant id (a GUID) or its primary domain, e.g. contoso.onmicrosoft.com.",
            ));
        }
        let client_id = self.client_id.trim().to_ascii_lowercase();
        if !is_guid(&client_id) {
            return Err(AppError::invalid_input(
                "The client id must be the application (client) id of your app registration: a GUID.",
            ));
        }
        let (login, graph) = match self.cloud {
            Cloud::Public => (
                clouds::PUBLIC_LOGIN.to_string(),
                clouds::PUBLIC_GRAPH.to_string(),
            ),
            Cloud::UsGovernment => (
                clouds::US_GOV_LOGIN.to_string(),
                clouds::US_GOV_GRAPH.to_string(),
            ),
            Cloud::China => (
                clouds::CHINA_LOGIN.to_string(),
                clouds::CHINA_GRAPH.to_string(),
            ),
            Cloud::Custom => (
                https_base(self.login_base_url.as_deref(), "login")?,
                https_base(self.graph_base_url.as_deref(), "Microsoft Graph")?,
            ),
        };
        Ok(Connection {
            id: format!("entra-{}", uuid::Uuid::new_v4()),
            kind: ConnectionKind::EntraTenant,
            display_name,
            entra: EntraSettings {
                tenant,
                client_id,
                login_base_url: login,
                graph_base_url: graph,
                demo_accounts: Vec::new(),
            },
            sandbox: false,
        })
    }
}

fn is_guid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok() && text.len() == 36
}

fn is_domain(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    text.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// A custom endpoint must be an https origin (no path, query or credentials): tokens go there.
fn https_base(value: Option<&str>, what: &str) -> Result<String, AppError> {
    let text = value.unwrap_or("").trim().trim_end_matches('/');
    let url = url::Url::parse(text).map_err(|_| {
        AppError::invalid_input(format!(
            "Enter the {what} endpoint as https://host for a custom cloud."
        ))
    })?;
    let plain_origin = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if url.scheme() != "https" || url.host_str().is_none() || !plain_origin {
        return Err(AppError::invalid_input(format!(
            "The {what} endpoint must be an https origin such as https://login.example.com (no path)."
        )));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(cloud: Cloud) -> NewEntraConnection {
        NewEntraConnection {
            display_name: "Contoso".into(),
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            cloud,
            login_base_url: None,
            graph_base_url: None,
        }
    }

    #[test]
    fn presets_fill_the_cloud_endpoints() {
        let c = input(Cloud::UsGovernment).into_connection().unwrap();
        assert_eq!(c.entra.login_base_url, clouds::US_GOV_LOGIN);
        assert_eq!(c.entra.graph_base_url, clouds::US_GOV_GRAPH);
        assert!(c.id.starts_with("entra-") && !c.sandbox);
        let scopes = c.entra.scopes();
        assert!(
            scopes.contains(&"https://graph.microsoft.us/User.Read.All".to_string()),
            "{scopes:?}"
        );
    }

    #[test]
    fn bad_input_says_what_to_correct() {
        let mut bad = input(Cloud::Public);
        bad.client_id = "not-a-guid".into();
        assert!(bad
            .into_connection()
            .unwrap_err()
            .message
            .contains("client id"));
        let mut bad = input(Cloud::Public);
        bad.tenant = "contoso".into();
        assert!(bad
            .into_connection()
            .unwrap_err()
            .message
            .contains("tenant"));
        let mut bad = input(Cloud::Custom);
        bad.login_base_url = Some("http://login.example.com".into());
        bad.graph_base_url = Some("https://graph.example.com".into());
        assert!(bad
            .into_connection()
            .unwrap_err()
            .message
            .contains("https origin"));
        let mut bad = input(Cloud::Public);
        bad.display_name = "  ".into();
        assert!(bad.into_connection().is_err());
    }

    #[test]
    fn custom_endpoints_must_be_bare_origins() {
        for endpoint in [
            "https://:secret@graph.example.com",
            "https://user@graph.example.com",
            "https://graph.example.com/#x",
            "https://graph.example.com/?a=b",
            "https://graph.example.com/v1.0",
        ] {
            let mut custom = input(Cloud::Custom);
            custom.login_base_url = Some("https://login.example.com".into());
            custom.graph_base_url = Some(endpoint.into());
            let error = custom.into_connection().unwrap_err();
            assert!(
                error.message.contains("https origin"),
                "{endpoint}: {error:?}"
            );
        }
    }

    #[test]
    fn a_tampered_saved_connection_with_plain_http_fails_the_check() {
        let mut c = input(Cloud::Public).into_connection().unwrap();
        assert!(c.entra.check_endpoints().is_ok());
        c.entra.graph_base_url = "http://graph.example.com".into();
        assert!(c.entra.check_endpoints().is_err());
    }

    #[test]
    fn custom_endpoints_are_kept_without_trailing_slash() {
        let mut custom = input(Cloud::Custom);
        custom.login_base_url = Some("https://login.example.com/".into());
        custom.graph_base_url = Some("https://graph.example.com".into());
        let c = custom.into_connection().unwrap();
        assert_eq!(c.entra.login_base_url, "https://login.example.com");
        assert_eq!(c.entra.graph_base_url, "https://graph.example.com");
    }
}
