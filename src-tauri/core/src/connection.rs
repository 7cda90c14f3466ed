//! A connection is one directory the operator works with. Its non-secret settings are saved
//! by the shell (tauri-plugin-store); its secrets live in the keychain (see `secrets`).
use serde::{Deserialize, Serialize};

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
];

impl EntraSettings {
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
