//! Zoho data centres and the connection settings.
//!
//! Every host below comes from Zoho's own pages (cited per column); a value the pages leave
//! uncertain is marked ⚠️ in [`DataCentre::uncertain`] so the Console can say so.
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{AppError, Result};

/// The Zoho data centres an organisation can live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "UPPERCASE")]
pub enum DataCentre {
    Us,
    Eu,
    In,
    Au,
    Jp,
    Ca,
    Sa,
    Uk,
    Cn,
}

/// The three hosts of one data centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataCentreHosts {
    /// OAuth (device grant, token, `oauth/user/info`).
    pub accounts: &'static str,
    /// The Zoho Mail organisation API (`/api/organization/...`).
    pub mail: &'static str,
    /// `api_domain` of the token response (not used by the Mail organisation API; kept for
    /// the Directory API once it is documented).
    pub api_domain: &'static str,
    /// The Zoho Directory admin panel, where by-hand steps are finished.
    pub directory: &'static str,
}

impl DataCentre {
    pub const ALL: [DataCentre; 9] = [
        DataCentre::Us,
        DataCentre::Eu,
        DataCentre::In,
        DataCentre::Au,
        DataCentre::Jp,
        DataCentre::Ca,
        DataCentre::Sa,
        DataCentre::Uk,
        DataCentre::Cn,
    ];

    /// The data centre a Zoho `location` / `user_location` code names ("us", "eu", "in", …,
    /// as the multi-DC pages show them, e.g. `"user_location": "eu"` in
    /// https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization/limited-input-devices.html).
    pub fn from_location(code: &str) -> Option<DataCentre> {
        DataCentre::ALL
            .into_iter()
            .find(|dc| format!("{dc:?}").eq_ignore_ascii_case(code.trim()))
    }

    pub fn label(self) -> &'static str {
        match self {
            DataCentre::Us => "United States (zoho.com)",
            DataCentre::Eu => "Europe (zoho.eu)",
            DataCentre::In => "India (zoho.in)",
            DataCentre::Au => "Australia (zoho.com.au)",
            DataCentre::Jp => "Japan (zoho.jp)",
            DataCentre::Ca => "Canada (zohocloud.ca)",
            DataCentre::Sa => "Saudi Arabia (zoho.sa)",
            DataCentre::Uk => "United Kingdom (zoho.uk)",
            DataCentre::Cn => "China (zoho.com.cn)",
        }
    }

    /// Accounts servers: https://zoho.com/accounts/protocol/oauth/multi-dc.html (US, EU, IN,
    /// AU, JP, CA, SA; UK is cut off there) and
    /// https://www.zoho.com/crm/developer/docs/api/v8/multi-dc.html (CN).
    /// API domains: https://www.bigin.com/developer/docs/apis/multi-dc.html and
    /// https://www.zoho.com/workdrive/developer/docs/api/v1/getting-started-multi-dc-support.html.
    /// Mail hosts: https://www.zoho.com/mail/help/api/getting-started-with-api.html (the
    /// seven it lists; the API samples use `mail.zoho.com`, without `www.`).
    pub fn hosts(self) -> DataCentreHosts {
        let (accounts, mail, api_domain, directory) = match self {
            DataCentre::Us => (
                "https://accounts.zoho.com",
                "https://mail.zoho.com",
                "https://www.zohoapis.com",
                "https://directory.zoho.com",
            ),
            DataCentre::Eu => (
                "https://accounts.zoho.eu",
                "https://mail.zoho.eu",
                "https://www.zohoapis.eu",
                "https://directory.zoho.eu",
            ),
            DataCentre::In => (
                "https://accounts.zoho.in",
                "https://mail.zoho.in",
                "https://www.zohoapis.in",
                "https://directory.zoho.in",
            ),
            DataCentre::Au => (
                "https://accounts.zoho.com.au",
                "https://mail.zoho.com.au",
                "https://www.zohoapis.com.au",
                "https://directory.zoho.com.au",
            ),
            DataCentre::Jp => (
                "https://accounts.zoho.jp",
                "https://mail.zoho.jp",
                "https://www.zohoapis.jp",
                "https://directory.zoho.jp",
            ),
            DataCentre::Ca => (
                "https://accounts.zohocloud.ca",
                "https://mail.zohocloud.ca",
                "https://www.zohoapis.ca",
                "https://directory.zohocloud.ca",
            ),
            DataCentre::Sa => (
                "https://accounts.zoho.sa",
                "https://mail.zoho.sa",
                "https://www.zohoapis.sa",
                "https://directory.zoho.sa",
            ),
            DataCentre::Uk => (
                "https://accounts.zoho.uk",
                "https://mail.zoho.uk",
                "https://www.zohoapis.uk",
                "https://directory.zoho.uk",
            ),
            DataCentre::Cn => (
                "https://accounts.zoho.com.cn",
                "https://mail.zoho.com.cn",
                "https://www.zohoapis.com.cn",
                "https://directory.zoho.com.cn",
            ),
        };
        DataCentreHosts {
            accounts,
            mail,
            api_domain,
            directory,
        }
    }

    /// What the documentation does not confirm for this data centre (shown next to the
    /// choice; empty when every host is documented). The Directory admin-panel host is not
    /// documented for any data centre: it follows the product's own naming.
    pub fn uncertain(self) -> &'static [&'static str] {
        match self {
            DataCentre::Uk => &[
                "accounts server (the multi-DC page is cut off after \"accounts.zoh\")",
                "Mail host (not in the Mail API's data-centre list)",
                "API domain (not in the listed API domains)",
            ],
            DataCentre::Sa => &["Mail host (not in the Mail API's data-centre list)"],
            _ => &[],
        }
    }
}

/// The non-secret settings of a Zoho connection. The client secret and the refresh token are
/// secrets: they live in the core's `SecretStore` (the OS keychain), never here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZohoSettings {
    pub data_centre: DataCentre,
    /// The client id of the "Non-browser application" registered in the Zoho API console.
    pub client_id: String,
    /// The Zoho Mail organisation id (`zoid`), shown in the Mail Admin Console.
    pub organization_id: String,
    /// Overrides for the emulator (or a proxy); `None` uses the data centre's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_base_url: Option<String>,
    /// The Mail API's request limit the client paces itself to; `None`: Zoho's documented
    /// general limit ([`RequestLimit::ZOHO_MAIL`]). The emulator sets its own here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_request_limit: Option<RequestLimit>,
    /// Servers set by hand for the other data centres an account may turn out to be in (the
    /// emulator's second data centre, or a proxy). Without overrides none is needed: a data
    /// centre's hosts are Zoho's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_data_centres: Vec<DataCentreServers>,
}

/// The servers of one data centre, set by hand (see [`ZohoSettings::other_data_centres`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataCentreServers {
    pub data_centre: DataCentre,
    pub accounts_base_url: String,
    pub mail_base_url: String,
    pub directory_base_url: String,
}

/// At most `requests` in any window of `window_millis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestLimit {
    pub requests: u32,
    pub window_millis: u64,
}

impl RequestLimit {
    /// Zoho Mail's REST APIs: 30 requests a minute unless an API states its own; past it, Zoho
    /// answers 429 and locks the API "for a certain period" it does not publish. From the
    /// *Rate Limits* section of the Mail API documentation, https://www.zoho.com/mail/help/api/
    /// (read through a secondary summary of that page: the page itself was not reachable from
    /// where this was written; check the figure there when it changes).
    pub const ZOHO_MAIL: RequestLimit = RequestLimit {
        requests: 30,
        window_millis: 60_000,
    };

    pub fn window(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.window_millis)
    }
}

impl ZohoSettings {
    pub fn new(
        data_centre: DataCentre,
        client_id: impl Into<String>,
        organization_id: impl Into<String>,
    ) -> Self {
        Self {
            data_centre,
            client_id: client_id.into(),
            organization_id: organization_id.into(),
            accounts_base_url: None,
            mail_base_url: None,
            directory_base_url: None,
            mail_request_limit: None,
            other_data_centres: Vec::new(),
        }
    }

    /// The same connection in `data_centre`, where the operator's account turned out to be
    /// (Zoho's `other_dc` answer). Zoho's own hosts need nothing more; servers set by hand
    /// move to the ones set for that data centre, and the current ones are kept as another
    /// data centre's, so the move can be made back. Refused when servers are set by hand and
    /// none are for `data_centre`: guessing them would send secrets to the wrong place.
    pub fn in_data_centre(&self, data_centre: DataCentre) -> Result<ZohoSettings> {
        if data_centre == self.data_centre {
            return Ok(self.clone());
        }
        let set_by_hand = self.accounts_base_url.is_some()
            || self.mail_base_url.is_some()
            || self.directory_base_url.is_some();
        let mut moved = self.clone();
        moved.data_centre = data_centre;
        if !set_by_hand {
            return Ok(moved);
        }
        let Some(servers) = self
            .other_data_centres
            .iter()
            .find(|s| s.data_centre == data_centre)
        else {
            return Err(AppError::invalid_input(format!(
                "Your Zoho account is in {}, but this connection's servers are set by hand and \
                 none are set for that data centre. Add the connection again for {}.",
                data_centre.label(),
                data_centre.label()
            )));
        };
        moved.accounts_base_url = Some(servers.accounts_base_url.clone());
        moved.mail_base_url = Some(servers.mail_base_url.clone());
        moved.directory_base_url = Some(servers.directory_base_url.clone());
        moved
            .other_data_centres
            .retain(|s| s.data_centre != data_centre);
        if let (Some(accounts), Some(mail), Some(directory)) = (
            &self.accounts_base_url,
            &self.mail_base_url,
            &self.directory_base_url,
        ) {
            moved.other_data_centres.push(DataCentreServers {
                data_centre: self.data_centre,
                accounts_base_url: accounts.clone(),
                mail_base_url: mail.clone(),
                directory_base_url: directory.clone(),
            });
        }
        moved.validate()?;
        Ok(moved)
    }

    /// The Mail API request limit to pace to.
    pub fn mail_request_limit(&self) -> RequestLimit {
        self.mail_request_limit.unwrap_or(RequestLimit::ZOHO_MAIL)
    }

    pub fn accounts_url(&self) -> Result<Url> {
        base(
            "accounts server",
            self.accounts_base_url.as_deref(),
            self.data_centre.hosts().accounts,
        )
    }

    pub fn mail_url(&self) -> Result<Url> {
        base(
            "Mail API",
            self.mail_base_url.as_deref(),
            self.data_centre.hosts().mail,
        )
    }

    pub fn directory_url(&self) -> Result<Url> {
        base(
            "Directory admin panel",
            self.directory_base_url.as_deref(),
            self.data_centre.hosts().directory,
        )
    }

    /// The checks every call makes first: a client id and a numeric organisation id.
    pub fn validate(&self) -> Result<()> {
        if self.client_id.trim().is_empty() {
            return Err(AppError::invalid_input(
                "The Zoho connection has no client id; enter the client id of the \
                 \"Non-browser application\" you registered in the Zoho API console.",
            ));
        }
        let zoid = self.organization_id.trim();
        if zoid.is_empty() || !zoid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::invalid_input(format!(
                "The Zoho organisation id \"{}\" is not a number; copy the organisation id \
                 (zoid) from the Zoho Mail Admin Console into the connection settings.",
                self.organization_id
            )));
        }
        self.accounts_url()?;
        self.mail_url()?;
        self.directory_url()?;
        Ok(())
    }
}

/// Parses a base URL: https, or plain http on loopback only (the emulator), since tokens and
/// passwords travel on it.
fn base(what: &str, custom: Option<&str>, default: &str) -> Result<Url> {
    let raw = custom.unwrap_or(default).trim().trim_end_matches('/');
    let url = Url::parse(raw).map_err(|e| {
        AppError::invalid_input(format!(
            "The Zoho {what} URL \"{raw}\" is not a valid URL ({e}); fix it in the connection \
             settings."
        ))
    })?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
        return Err(AppError::invalid_input(format!(
            "The Zoho {what} URL \"{raw}\" must start with https:// (plain http is only allowed \
             for the local sandbox)."
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn every_data_centre_has_https_hosts_and_a_label() {
        for dc in DataCentre::ALL {
            let hosts = dc.hosts();
            for host in [
                hosts.accounts,
                hosts.mail,
                hosts.api_domain,
                hosts.directory,
            ] {
                assert!(host.starts_with("https://"), "{dc:?}: {host}");
            }
            assert!(!dc.label().is_empty());
        }
        assert_eq!(
            DataCentre::Ca.hosts().accounts,
            "https://accounts.zohocloud.ca"
        );
        assert_eq!(DataCentre::Eu.hosts().mail, "https://mail.zoho.eu");
        assert!(!DataCentre::Uk.uncertain().is_empty());
        assert!(DataCentre::Us.uncertain().is_empty());
    }

    #[test]
    fn overrides_win_and_unsafe_urls_are_refused() {
        let mut settings = ZohoSettings::new(DataCentre::Eu, "1000.ABC", "12345");
        assert_eq!(
            settings.mail_url().unwrap().as_str(),
            "https://mail.zoho.eu/"
        );
        settings.mail_base_url = Some("http://127.0.0.1:4000/".into());
        assert_eq!(
            settings.mail_url().unwrap().as_str(),
            "http://127.0.0.1:4000/"
        );
        settings.mail_base_url = Some("http://mail.example.com".into());
        assert_eq!(
            settings.mail_url().unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn settings_need_a_client_id_and_a_numeric_zoid() {
        let good = ZohoSettings::new(DataCentre::Us, "1000.ABC", "12345");
        assert!(good.validate().is_ok());
        for (client, zoid) in [("", "12345"), ("1000.ABC", ""), ("1000.ABC", "12a")] {
            let error = ZohoSettings::new(DataCentre::Us, client, zoid)
                .validate()
                .unwrap_err();
            assert_eq!(error.kind, ErrorKind::InvalidInput, "{client} {zoid}");
        }
    }

    #[test]
    fn an_account_in_another_data_centre_moves_the_connection_there_or_says_why_not() {
        assert_eq!(DataCentre::from_location("eu"), Some(DataCentre::Eu));
        assert_eq!(DataCentre::from_location(" IN "), Some(DataCentre::In));
        assert_eq!(DataCentre::from_location("mars"), None);

        // Zoho's own hosts: nothing more to know.
        let us = ZohoSettings::new(DataCentre::Us, "1000.ABC", "12345");
        let eu = us.in_data_centre(DataCentre::Eu).unwrap();
        assert_eq!(eu.data_centre, DataCentre::Eu);
        assert_eq!(
            eu.accounts_url().unwrap().as_str(),
            "https://accounts.zoho.eu/"
        );

        // Servers set by hand: the ones set for that data centre, and back again.
        let mut emulated = us.clone();
        emulated.accounts_base_url = Some("http://127.0.0.1:4000".into());
        emulated.mail_base_url = Some("http://127.0.0.1:4000".into());
        emulated.directory_base_url = Some("http://127.0.0.1:4000/directory".into());
        let refused = emulated.in_data_centre(DataCentre::Eu).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::InvalidInput);
        assert!(refused.message.contains("Europe (zoho.eu)"), "{refused:?}");
        emulated.other_data_centres = vec![DataCentreServers {
            data_centre: DataCentre::Eu,
            accounts_base_url: "http://127.0.0.1:4000/eu".into(),
            mail_base_url: "http://127.0.0.1:4000/eu".into(),
            directory_base_url: "http://127.0.0.1:4000/eu/directory".into(),
        }];
        let moved = emulated.in_data_centre(DataCentre::Eu).unwrap();
        assert_eq!(moved.data_centre, DataCentre::Eu);
        assert_eq!(
            moved.accounts_url().unwrap().as_str(),
            "http://127.0.0.1:4000/eu"
        );
        assert_eq!(moved.other_data_centres.len(), 1);
        assert_eq!(moved.other_data_centres[0].data_centre, DataCentre::Us);
        // There and back: the same settings as before.
        assert_eq!(moved.in_data_centre(DataCentre::Us).unwrap(), emulated);
    }
}
