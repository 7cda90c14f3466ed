//! One sign-in for every connection, whatever its provider: the page sends what the
//! connection's form asks for and gets a typed step back (done, a device code to show, a
//! certificate to trust). Entra tenants and Lighthouse partners sign in through the OAuth code
//! flow in a browser and are done in one step; a provider of the seam may answer a step first.
use super::Console;
use crate::auth::{BrowserLauncher, SandboxBrowser};
use crate::console::ProviderAccount;
use crate::error::{AppError, Result};
use crate::model::connection::ProviderSettings;
use crate::model::Operator;
use crate::seam::{SignInOutcome, SignInRequest};

impl Console {
    /// Signs in to a connection. For a sandbox connection, `request.account` names the demo
    /// operator whose sign-in the sandbox answers; for a real one, the provider's sign-in page
    /// opens in `request.browser`.
    pub async fn sign_in_to(
        &self,
        connection_id: &str,
        request: SignInRequest,
    ) -> Result<SignInOutcome> {
        let connection = self.connection(connection_id)?;
        let browser: &dyn BrowserLauncher = match &request.browser {
            Some(browser) => browser.as_ref(),
            None => &NoBrowser,
        };
        let operator = match &connection.settings {
            ProviderSettings::Entra(_) if connection.sandbox => {
                let demo = SandboxBrowser::new(demo_account(&request)?)?;
                self.sign_in(connection_id, &demo).await?
            }
            ProviderSettings::Entra(_) => self.sign_in(connection_id, browser).await?,
            // The partner's sandbox answers as the demo technician (the browser is not used).
            ProviderSettings::Lighthouse(_) => {
                let demo = connection
                    .sandbox
                    .then(|| demo_account(&request))
                    .transpose()?;
                self.lighthouse_sign_in(connection_id, demo, browser)
                    .await?
            }
            ProviderSettings::Zoho(_)
            | ProviderSettings::PrivilegeSecure(_)
            | ProviderSettings::Custom(_) => {
                return self.sign_in_with(connection_id, request).await
            }
        };
        Ok(SignInOutcome::Done {
            account: account_of(&operator),
        })
    }
}

/// The demo account the page chose (the sandbox's sign-in form always sends one).
fn demo_account(request: &SignInRequest) -> Result<&str> {
    Some(request.account.trim())
        .filter(|account| !account.is_empty())
        .ok_or_else(|| AppError::invalid_input("Choose a demo account to sign in to the sandbox."))
}

/// Where a sign-in that needs the operator's browser is asked without one (the shell passes
/// none for a sandbox connection, whose sign-in page ResetDesk answers itself).
struct NoBrowser;

#[async_trait::async_trait]
impl BrowserLauncher for NoBrowser {
    async fn open(&self, _url: &url::Url) -> Result<()> {
        Err(AppError::internal(
            "This sign-in needs the operator's browser, and none was given to open its page in.",
        ))
    }
}

/// An operator read after an OAuth sign-in, as every provider's sign-in answers it.
fn account_of(operator: &Operator) -> ProviderAccount {
    let roles: Vec<&str> = operator
        .roles
        .iter()
        .map(|role| role.display_name.as_str())
        .collect();
    ProviderAccount {
        name: operator.display_name.clone(),
        login: operator.user_principal_name.clone(),
        role_label: if roles.is_empty() {
            "No directory role".to_string()
        } else {
            roles.join("; ")
        },
        signed_in_at: None,
    }
}
