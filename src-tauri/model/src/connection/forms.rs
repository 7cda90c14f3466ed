//! The forms an operator fills in to add a connection (each checked into a [`Connection`], or
//! answered with what to correct), and the checks a saved connection passes.
use serde::{Deserialize, Serialize};

use super::*;
use crate::error::AppError;

impl Connection {
    /// The checks a saved connection passes before secrets or tokens go anywhere. Saved
    /// settings are plain JSON anyone with the account can edit.
    pub fn check_saved(&self) -> Result<(), AppError> {
        match &self.settings {
            ProviderSettings::Entra(entra) => entra.check_endpoints(),
            ProviderSettings::Zoho(zoho) => {
                zoho.validate()?;
                // Plain http is for the built-in sandbox only, which is never saved: a saved
                // connection sends its secrets to these servers.
                for url in [
                    zoho.accounts_url()?,
                    zoho.mail_url()?,
                    zoho.directory_url()?,
                ] {
                    if url.scheme() != "https" {
                        return Err(AppError::invalid_input(format!(
                            "The saved Zoho connection points at {url}, which is not https; \
                             remove it and add it again."
                        )));
                    }
                }
                Ok(())
            }
            ProviderSettings::PrivilegeSecure(ps) => ps.check(),
            ProviderSettings::Lighthouse(lighthouse) => {
                lighthouse.partner_entra().check_endpoints()
            }
            ProviderSettings::Custom(custom) if custom.provider.trim().is_empty() => Err(
                AppError::invalid_input("A saved connection names no provider; add it again."),
            ),
            // Its provider checks the rest when it signs in.
            ProviderSettings::Custom(_) => Ok(()),
        }
    }
}

/// What the operator typed to add a connection, whichever its provider: the one form the
/// Add connection dialog sends (`add_connection`), tagged with the provider it chose. Each
/// provider's form is checked by its own `into_connection` (`Console::add_new_connection`).
#[derive(Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "provider", rename_all = "camelCase")]
pub enum NewConnection {
    Entra(NewEntraConnection),
    Lighthouse(NewLighthouseConnection),
    Zoho(NewZohoConnection),
    PrivilegeSecure(NewPrivilegeSecureConnection),
}

impl NewConnection {
    /// Checks what was typed by its provider's rules; returns the connection and, for a
    /// provider whose form takes one (Zoho's client secret), the secret its provider keeps in
    /// the keychain (`Provider::keep_secret`).
    pub fn into_connection(self) -> Result<(Connection, Option<secrecy::SecretString>), AppError> {
        Ok(match self {
            NewConnection::Entra(entra) => (entra.into_connection()?, None),
            NewConnection::Lighthouse(partner) => (partner.into_connection()?, None),
            NewConnection::Zoho(zoho) => {
                let (connection, secret) = zoho.into_connection()?;
                (connection, Some(secret))
            }
            NewConnection::PrivilegeSecure(server) => (server.into_connection()?, None),
        })
    }
}

/// What the operator types to add a Microsoft Entra tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, optional_fields)]
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
        let display_name = display_name_of(&self.display_name)?;
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
            display_name,
            settings: ProviderSettings::Entra(EntraSettings {
                tenant,
                client_id,
                login_base_url: login,
                graph_base_url: graph,
                demo_accounts: Vec::new(),
            }),
            sandbox: false,
        })
    }
}

/// What the operator types to add a Microsoft 365 Lighthouse partner: the partner tenant and
/// the app registration that signs the technician in, in a cloud (as for an Entra tenant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, optional_fields)]
#[serde(rename_all = "camelCase")]
pub struct NewLighthouseConnection {
    pub display_name: String,
    pub partner_tenant: String,
    pub client_id: String,
    pub cloud: Cloud,
    pub login_base_url: Option<String>,
    pub graph_base_url: Option<String>,
}

impl NewLighthouseConnection {
    /// Checked exactly as an Entra tenant is (name, tenant, client id, https endpoints).
    pub fn into_connection(self) -> Result<Connection, AppError> {
        let checked = NewEntraConnection {
            display_name: self.display_name,
            tenant: self.partner_tenant,
            client_id: self.client_id,
            cloud: self.cloud,
            login_base_url: self.login_base_url,
            graph_base_url: self.graph_base_url,
        }
        .into_connection()?;
        let entra = checked.entra()?.clone();
        Ok(Connection {
            id: format!("lighthouse-{}", uuid::Uuid::new_v4()),
            display_name: checked.display_name,
            settings: ProviderSettings::Lighthouse(LighthouseSettings {
                partner_tenant_id: entra.tenant,
                client_id: entra.client_id,
                login_base_url: entra.login_base_url,
                graph_base_url: entra.graph_base_url,
                demo_accounts: Vec::new(),
            }),
            sandbox: false,
        })
    }
}

/// What the operator types to add a Zoho organisation. The client secret goes to the keychain
/// (`Provider::keep_secret`); everything else is saved in the settings.
#[derive(Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct NewZohoConnection {
    pub display_name: String,
    pub data_centre: DataCentre,
    pub client_id: String,
    /// Wrapped in a `SecretString` as soon as it is checked. No `Debug` on this struct.
    pub client_secret: String,
    pub organization_id: String,
}

impl NewZohoConnection {
    /// Checks what was typed; returns the connection and the client secret to keep.
    pub fn into_connection(self) -> Result<(Connection, secrecy::SecretString), AppError> {
        let display_name = display_name_of(&self.display_name)?;
        let client_id = self.client_id.trim().to_string();
        // Zoho client ids look like "1000.ABCDEF…" (API console); anything else is a paste slip.
        if client_id.len() < 6
            || client_id.len() > 100
            || !client_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            return Err(AppError::invalid_input(
                "The client id must be the Client ID of your Non-browser application in the Zoho \
                 API console, e.g. 1000.ABC123….",
            ));
        }
        if self.client_secret.trim().is_empty() {
            return Err(AppError::invalid_input(
                "Enter the Client Secret of the Non-browser application (Zoho API console).",
            ));
        }
        let settings = ZohoSettings::new(
            self.data_centre,
            client_id,
            self.organization_id.trim().to_string(),
        );
        settings.validate()?;
        let connection = Connection {
            id: format!("zoho-{}", uuid::Uuid::new_v4()),
            display_name,
            settings: ProviderSettings::Zoho(settings),
            sandbox: false,
        };
        Ok((connection, secrecy::SecretString::from(self.client_secret)))
    }
}

/// What the operator types to add a Privilege Secure server.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct NewPrivilegeSecureConnection {
    pub display_name: String,
    pub base_url: String,
}

impl NewPrivilegeSecureConnection {
    pub fn into_connection(self) -> Result<Connection, AppError> {
        let display_name = display_name_of(&self.display_name)?;
        let settings = PrivilegeSecureSettings {
            base_url: self.base_url.trim().trim_end_matches('/').to_string(),
            trusted_certificate_sha256: None,
        };
        // Checks the URL (https, host) as the client reads it at sign-in.
        settings.check()?;
        Ok(Connection {
            id: format!("nps-{}", uuid::Uuid::new_v4()),
            display_name,
            settings: ProviderSettings::PrivilegeSecure(settings),
            sandbox: false,
        })
    }
}

/// Checks a connection name typed by the operator.
fn display_name_of(text: &str) -> Result<String, AppError> {
    let display_name = text.trim().to_string();
    if display_name.is_empty() || display_name.chars().count() > 80 {
        return Err(AppError::invalid_input(
            "Give the connection a name of 1 to 80 characters, e.g. \"Contoso production\".",
        ));
    }
    Ok(display_name)
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
        assert_eq!(c.entra().unwrap().login_base_url, clouds::US_GOV_LOGIN);
        assert_eq!(c.entra().unwrap().graph_base_url, clouds::US_GOV_GRAPH);
        assert!(c.id.starts_with("entra-") && !c.sandbox);
        let scopes = c.entra().unwrap().scopes();
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
    fn a_saved_zoho_connection_must_use_https_even_on_the_loopback() {
        let mut settings = crate::connection::ZohoSettings::new(
            crate::connection::DataCentre::Us,
            "1000.ABCDEF",
            "123",
        );
        let connection = |settings: &crate::connection::ZohoSettings| Connection {
            id: "zoho-1".into(),
            display_name: "Zylker".into(),
            settings: ProviderSettings::Zoho(settings.clone()),
            sandbox: false,
        };
        assert!(connection(&settings).check_saved().is_ok());
        settings.accounts_base_url = Some("http://localhost:9000".into());
        let error = connection(&settings).check_saved().unwrap_err();
        assert!(error.message.contains("not https"), "{error:?}");
    }

    #[test]
    fn a_tampered_saved_connection_with_plain_http_fails_the_check() {
        let mut c = input(Cloud::Public).into_connection().unwrap();
        assert!(c.check_saved().is_ok());
        if let ProviderSettings::Entra(entra) = &mut c.settings {
            entra.graph_base_url = "http://graph.example.com".into();
        }
        assert!(c.check_saved().is_err());
    }

    #[test]
    fn a_connection_saved_before_other_providers_existed_still_loads() {
        let saved = serde_json::json!({
            "id": "entra-1", "kind": "entraTenant", "displayName": "Contoso",
            "entra": {"tenant": "contoso.onmicrosoft.com",
                      "clientId": "11111111-2222-3333-4444-555555555555",
                      "loginBaseUrl": "https://login.microsoftonline.com",
                      "graphBaseUrl": "https://graph.microsoft.com"},
            "sandbox": false
        });
        let c: Connection = serde_json::from_value(saved).unwrap();
        assert_eq!(c.kind(), ConnectionKind::EntraTenant);
        assert_eq!(c.entra().unwrap().tenant, "contoso.onmicrosoft.com");
        let again = serde_json::to_value(&c).unwrap();
        assert!(again.get("entra").is_some(), "{again}");
        assert!(c
            .zoho()
            .unwrap_err()
            .message
            .contains("not a Zoho Directory"));
    }

    #[test]
    fn a_new_lighthouse_partner_is_checked_like_an_entra_tenant() {
        let new = |tenant: &str| NewLighthouseConnection {
            display_name: "Contoso Partners".into(),
            partner_tenant: tenant.into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            cloud: Cloud::Public,
            login_base_url: None,
            graph_base_url: None,
        };
        let c = new("contosopartners.onmicrosoft.com")
            .into_connection()
            .unwrap();
        assert_eq!(c.kind(), ConnectionKind::LighthousePartner);
        let settings = c.lighthouse().unwrap();
        assert_eq!(settings.graph_base_url, clouds::PUBLIC_GRAPH);
        assert!(c.check_saved().is_ok());
        assert!(new("contoso").into_connection().is_err());
    }

    #[test]
    fn new_zoho_and_privilege_secure_connections_are_checked() {
        let zoho = |client_id: &str, secret: &str, zoid: &str| NewZohoConnection {
            display_name: "Zylker".into(),
            data_centre: DataCentre::Eu,
            client_id: client_id.into(),
            client_secret: secret.to_string(),
            organization_id: zoid.into(),
        };
        let (c, _) = zoho("1000.ABCDEF", "s3cret", "7700001")
            .into_connection()
            .unwrap();
        assert_eq!(c.kind(), ConnectionKind::ZohoDirectory);
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            !json.contains("s3cret"),
            "the secret is never saved: {json}"
        );
        assert!(zoho("1000.ABCDEF", " ", "7700001")
            .into_connection()
            .is_err());
        assert!(zoho("x y", "s", "7700001").into_connection().is_err());
        assert!(zoho("1000.ABCDEF", "s", "zylker")
            .into_connection()
            .is_err());

        let ps = |url: &str| NewPrivilegeSecureConnection {
            display_name: "NPS".into(),
            base_url: url.into(),
        };
        let c = ps("https://nps.example.com:6500/")
            .into_connection()
            .unwrap();
        assert_eq!(
            c.privilege_secure().unwrap().base_url,
            "https://nps.example.com:6500"
        );
        assert!(ps("http://nps.example.com").into_connection().is_err());
        assert!(ps("nps").into_connection().is_err());
    }

    #[test]
    fn custom_endpoints_are_kept_without_trailing_slash() {
        let mut custom = input(Cloud::Custom);
        custom.login_base_url = Some("https://login.example.com/".into());
        custom.graph_base_url = Some("https://graph.example.com".into());
        let c = custom.into_connection().unwrap();
        assert_eq!(
            c.entra().unwrap().login_base_url,
            "https://login.example.com"
        );
        assert_eq!(
            c.entra().unwrap().graph_base_url,
            "https://graph.example.com"
        );
    }
}
