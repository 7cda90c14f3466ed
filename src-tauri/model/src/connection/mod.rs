//! A connection is one directory the operator works with. Its non-secret settings are saved
//! by the shell (tauri-plugin-store); its secrets live in the keychain (the core's `secrets`).
//! Only data and the checks that need no I/O live here (every provider's settings are checked
//! here before anything is sent), and the forms an operator fills in to add a connection
//! (`forms`), with the checks a saved connection passes (`Connection::check_saved`).
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod forms;
pub mod zoho;
pub use forms::{
    NewConnection, NewEntraConnection, NewLighthouseConnection, NewPrivilegeSecureConnection,
    NewZohoConnection,
};
pub use zoho::{DataCentre, DataCentreHosts, RequestLimit, ZohoSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    /// One Microsoft Entra tenant through Microsoft Graph.
    EntraTenant,
    /// One Zoho organisation (Zoho Mail organisation API, Zoho Directory admin panel).
    ZohoDirectory,
    /// One Netwrix Privilege Secure 4.x server.
    PrivilegeSecure,
    /// A Microsoft 365 Lighthouse partner: its customers' tenants through GDAP.
    LighthousePartner,
    /// A directory served by a provider registered with the Console through the provider seam
    /// (`resetdesk_core::seam`), named in its settings.
    Custom,
}

impl ConnectionKind {
    pub fn label(self) -> &'static str {
        match self {
            ConnectionKind::EntraTenant => "Microsoft Entra tenant",
            ConnectionKind::ZohoDirectory => "Zoho Directory",
            ConnectionKind::PrivilegeSecure => "Privilege Secure",
            ConnectionKind::LighthousePartner => "Lighthouse partner",
            ConnectionKind::Custom => "directory",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub id: String,
    pub display_name: String,
    /// Saved as one key named after the provider (`"entra": {…}`, `"zoho": {…}`,
    /// `"privilegeSecure": {…}`), so connections saved before other providers existed load
    /// unchanged (their old `kind` key is ignored: the settings say the kind).
    #[serde(flatten)]
    pub settings: ProviderSettings,
    /// True for the built-in sandbox connections (served by the in-app emulators).
    pub sandbox: bool,
}

/// The non-secret settings of one connection, per provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProviderSettings {
    Entra(EntraSettings),
    Zoho(ZohoSettings),
    PrivilegeSecure(PrivilegeSecureSettings),
    Lighthouse(LighthouseSettings),
    /// A provider of the seam: its name, and settings only it reads.
    Custom(CustomSettings),
}

/// Each provider's settings are a connection's settings (`Connection::built_in_sandbox`).
macro_rules! settings_of {
    ($($variant:ident($settings:ty)),* $(,)?) => {
        $(impl From<$settings> for ProviderSettings {
            fn from(settings: $settings) -> Self {
                ProviderSettings::$variant(settings)
            }
        })*
    };
}

settings_of!(
    Entra(EntraSettings),
    Zoho(ZohoSettings),
    PrivilegeSecure(PrivilegeSecureSettings),
    Lighthouse(LighthouseSettings),
    Custom(CustomSettings),
);

/// The provider name of Privilege Secure connections.
pub const PRIVILEGE_SECURE_PROVIDER: &str = "privilege-secure";

/// The settings of a connection served by a provider registered through the provider seam.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomSettings {
    /// The provider's name (`Provider::name`), which serves this connection.
    pub provider: String,
    /// Anything the provider needs (no secret: those live in the keychain).
    #[serde(default)]
    pub options: serde_json::Value,
    #[serde(default)]
    pub demo_accounts: Vec<DemoAccount>,
}

impl Connection {
    /// A built-in sandbox connection, served by an in-app emulator whose `settings` it takes.
    pub fn built_in_sandbox(
        id: &str,
        display_name: &str,
        settings: impl Into<ProviderSettings>,
    ) -> Self {
        Self {
            id: id.to_string(),
            display_name: display_name.to_string(),
            settings: settings.into(),
            sandbox: true,
        }
    }

    pub fn kind(&self) -> ConnectionKind {
        match self.settings {
            ProviderSettings::Entra(_) => ConnectionKind::EntraTenant,
            ProviderSettings::Zoho(_) => ConnectionKind::ZohoDirectory,
            ProviderSettings::PrivilegeSecure(_) => ConnectionKind::PrivilegeSecure,
            ProviderSettings::Lighthouse(_) => ConnectionKind::LighthousePartner,
            ProviderSettings::Custom(_) => ConnectionKind::Custom,
        }
    }

    /// The demo accounts its settings offer, for a kind whose settings keep them (the sandbox's
    /// Entra tenant and Lighthouse partner, a custom provider's sandbox); `None` for a kind
    /// whose demo accounts the app registers beside the settings (Zoho's, Privilege Secure's).
    pub fn demo_accounts_in_settings(&self) -> Option<&[DemoAccount]> {
        match &self.settings {
            ProviderSettings::Entra(entra) => Some(&entra.demo_accounts),
            ProviderSettings::Lighthouse(partner) => Some(&partner.demo_accounts),
            ProviderSettings::Custom(custom) => Some(&custom.demo_accounts),
            ProviderSettings::Zoho(_) | ProviderSettings::PrivilegeSecure(_) => None,
        }
    }

    /// The name of the provider that serves this connection (`Provider::name` on the seam):
    /// a built-in provider's own, or the one a custom connection's settings give.
    pub fn provider_name(&self) -> &str {
        match &self.settings {
            ProviderSettings::Entra(_) => "entra",
            ProviderSettings::Zoho(_) => "zoho",
            ProviderSettings::PrivilegeSecure(_) => PRIVILEGE_SECURE_PROVIDER,
            ProviderSettings::Lighthouse(_) => "lighthouse",
            ProviderSettings::Custom(custom) => &custom.provider,
        }
    }

    /// The Entra settings, or a clear error when a screen of one provider is used with a
    /// connection of another.
    pub fn entra(&self) -> Result<&EntraSettings, AppError> {
        match &self.settings {
            ProviderSettings::Entra(settings) => Ok(settings),
            _ => Err(self.not_a(ConnectionKind::EntraTenant)),
        }
    }

    pub fn zoho(&self) -> Result<&ZohoSettings, AppError> {
        match &self.settings {
            ProviderSettings::Zoho(settings) => Ok(settings),
            _ => Err(self.not_a(ConnectionKind::ZohoDirectory)),
        }
    }

    pub fn privilege_secure(&self) -> Result<&PrivilegeSecureSettings, AppError> {
        match &self.settings {
            ProviderSettings::PrivilegeSecure(settings) => Ok(settings),
            _ => Err(self.not_a(ConnectionKind::PrivilegeSecure)),
        }
    }

    pub fn lighthouse(&self) -> Result<&LighthouseSettings, AppError> {
        match &self.settings {
            ProviderSettings::Lighthouse(settings) => Ok(settings),
            _ => Err(self.not_a(ConnectionKind::LighthousePartner)),
        }
    }

    fn not_a(&self, wanted: ConnectionKind) -> AppError {
        AppError::invalid_input(format!(
            "\"{}\" is a {} connection, not a {} one.",
            self.display_name,
            self.kind().label(),
            wanted.label()
        ))
    }
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct DemoAccount {
    pub user_principal_name: String,
    pub display_name: String,
    /// e.g. "Authentication Administrator"
    pub role_label: String,
    /// Privilege Secure sandbox only: the emulator's demo password and second-factor code,
    /// which the sign-in form fills in (they open nothing but the in-app emulator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor_code: Option<String>,
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

/// Where a partner tenant lives and which app signs in. Not a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LighthouseSettings {
    pub partner_tenant_id: String,
    pub client_id: String,
    pub login_base_url: String,
    pub graph_base_url: String,
    #[serde(default)]
    pub demo_accounts: Vec<DemoAccount>,
}

impl LighthouseSettings {
    /// The partner sign-in is an Entra sign-in to the partner tenant.
    pub fn partner_entra(&self) -> EntraSettings {
        EntraSettings {
            tenant: self.partner_tenant_id.clone(),
            client_id: self.client_id.clone(),
            login_base_url: self.login_base_url.clone(),
            graph_base_url: self.graph_base_url.clone(),
            demo_accounts: Vec::new(),
        }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum Cloud {
    Public,
    UsGovernment,
    China,
    Custom,
}

/// A Privilege Secure connection as the operator configured it. No secret in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivilegeSecureSettings {
    /// `https://nps.example.com` or `https://nps.example.com:6500` (no path needed).
    pub base_url: String,
    /// The SHA-256 fingerprint of the one certificate the operator chose to trust for this
    /// connection (self-signed appliance certificates); `None` = normal certificate checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_certificate_sha256: Option<String>,
}

impl PrivilegeSecureSettings {
    /// What a saved or added connection passes before anything is sent: its server's address
    /// and the certificate the operator chose to trust, each checked as the client reads them.
    pub fn check(&self) -> Result<(), AppError> {
        privilege_secure_base_url(&self.base_url)?;
        self.pinned_certificate()?;
        Ok(())
    }

    /// The SHA-256 of the certificate the operator chose to trust (`None`: normal checks).
    pub fn pinned_certificate(&self) -> Result<Option<[u8; 32]>, AppError> {
        match self.trusted_certificate_sha256.as_deref() {
            Some(text) if !text.trim().is_empty() => parse_fingerprint(text).map(Some),
            _ => Ok(None),
        }
    }
}

/// A Privilege Secure server's address as typed: https (the sign-in sends a password), a host,
/// no user name, password, query or fragment; answered with a trailing `/`, so that relative
/// paths join under it (a deployment under a path prefix keeps it).
pub fn privilege_secure_base_url(text: &str) -> Result<url::Url, AppError> {
    let text = text.trim();
    let url = url::Url::parse(text).map_err(|_| {
        AppError::invalid_input(format!(
            "'{text}' is not a valid server URL. Enter it as https://nps.example.com (with :port if not 443)."
        ))
    })?;
    if url.scheme() != "https" {
        return Err(AppError::invalid_input(
            "The Privilege Secure URL must start with https:// (the sign-in sends a password).",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(AppError::invalid_input(
            "The Privilege Secure URL has no host name.",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AppError::invalid_input(
            "Do not put a user name or password in the Privilege Secure URL.",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(AppError::invalid_input(
            "The Privilege Secure URL must not have a query or fragment.",
        ));
    }
    let mut url = url;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Parses a SHA-256 fingerprint typed or pasted by the operator: 64 hex digits, upper or lower
/// case, with or without `:`/spaces between the bytes, optionally prefixed `sha256:`/`SHA256=`.
pub fn parse_fingerprint(text: &str) -> Result<[u8; 32], AppError> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let body = lower
        .strip_prefix("sha256:")
        .or_else(|| lower.strip_prefix("sha256="))
        .or_else(|| lower.strip_prefix("sha-256:"))
        .unwrap_or(&lower);
    let hex_digits: String = body
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect();
    let bad = || {
        AppError::invalid_input(
            "The trusted certificate fingerprint must be a SHA-256 fingerprint: 64 hexadecimal \
             digits, optionally separated by colons (e.g. AB:CD:…). Copy it from the certificate \
             error ResetDesk showed.",
        )
    };
    if hex_digits.len() != 64 {
        return Err(bad());
    }
    let bytes = hex::decode(&hex_digits).map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}

/// A custom endpoint must be an https origin (no path, query or credentials): tokens go there.
pub fn https_base(value: Option<&str>, what: &str) -> Result<String, AppError> {
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

    fn server(base_url: &str, pinned: Option<&str>) -> PrivilegeSecureSettings {
        PrivilegeSecureSettings {
            base_url: base_url.into(),
            trusted_certificate_sha256: pinned.map(str::to_string),
        }
    }

    /// A saved Privilege Secure connection is checked before anything is sent: its address as
    /// the client reads it, and the certificate the operator chose to trust.
    #[test]
    fn a_privilege_secure_connection_is_checked_before_anything_is_sent() {
        let fingerprint = "AB:".repeat(31) + "AB";
        server("https://nps.example.com:6500", Some(&fingerprint))
            .check()
            .unwrap();
        server("https://nps.example.com", None).check().unwrap();
        for (bad, why) in [
            (server("http://nps.example.com", None), "https://"),
            (server("https://nps.example.com", Some("ab:cd")), "SHA-256"),
        ] {
            let error = bad.check().unwrap_err();
            assert!(error.message.contains(why), "{error:?}");
        }
        assert_eq!(
            server("https://nps.example.com/nps", None)
                .pinned_certificate()
                .unwrap(),
            None
        );
    }
}
