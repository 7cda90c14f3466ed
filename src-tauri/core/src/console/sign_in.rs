//! One sign-in for every connection, whatever its provider: the page sends what the
//! connection's form asks for and gets a typed step back (done, a device code to show, a
//! certificate to trust). Entra tenants and Lighthouse partners sign in through the OAuth code
//! flow in a browser and are done in one step; a provider of the seam may answer a step first.
use std::sync::Arc;

use super::Console;
use crate::auth::{self, BrowserLauncher, SandboxBrowser, SignInOptions, TokenSet};
use crate::console::ProviderAccount;
use crate::error::{AppError, Result};
use crate::model::connection::{Connection, EntraSettings, ProviderSettings};
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
        let operator = match &connection.settings {
            ProviderSettings::Entra(_) => {
                let page = sign_in_page(&connection, &request)?;
                self.sign_in(connection_id, page.as_ref()).await?
            }
            // The partner's sandbox answers as the demo technician (no page is shown).
            ProviderSettings::Lighthouse(_) => {
                let demo = sandbox_demo_account(&connection, &request)?;
                let page = browser_given(&request);
                self.lighthouse_sign_in(connection_id, demo, page.as_ref())
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

    /// A second person's sign-in to approve, at an Entra tenant's (or a Lighthouse partner's)
    /// sign-in page: always a fresh one (`prompt=login`, never a remembered session), with the
    /// ID token whose sign-in time and tenant the caller checks.
    pub(super) async fn approver_sign_in(
        &self,
        entra: &EntraSettings,
        page: &dyn BrowserLauncher,
    ) -> Result<TokenSet> {
        let options = SignInOptions {
            prompt: Some("login".into()),
            openid: true,
            ..Default::default()
        };
        auth::sign_in_with(entra, page, &self.token_http, &options)
            .await
            .map_err(|e| AppError {
                message: format!("The approver's sign-in did not complete: {}", e.message),
                ..e
            })
    }
}

/// The demo account the page chose (the sandbox's sign-in form always sends one).
fn demo_account(request: &SignInRequest) -> Result<&str> {
    Some(request.account.trim())
        .filter(|account| !account.is_empty())
        .ok_or_else(|| AppError::invalid_input("Choose a demo account to sign in to the sandbox."))
}

/// For a sandbox connection, the demo account to answer as (one must be chosen); none for a
/// real one.
pub(super) fn sandbox_demo_account<'a>(
    connection: &Connection,
    request: &'a SignInRequest,
) -> Result<Option<&'a str>> {
    connection
        .sandbox
        .then(|| demo_account(request))
        .transpose()
}

/// Who answers an Entra tenant's OAuth sign-in page, for an operator or an approver: in the
/// sandbox, ResetDesk itself as the chosen demo account (the same authorize → redirect → code
/// exchange a real tenant gets); for a real tenant, the operator's browser. This is the one
/// place the sandbox's sign-in differs.
pub(super) fn sign_in_page(
    connection: &Connection,
    request: &SignInRequest,
) -> Result<Arc<dyn BrowserLauncher>> {
    if connection.sandbox {
        return Ok(Arc::new(SandboxBrowser::new(demo_account(request)?)?));
    }
    Ok(browser_given(request))
}

/// The operator's browser the shell gave, or one that refuses to open anything (the shell
/// gives none for a sandbox connection, whose sign-in page ResetDesk answers itself).
pub(super) fn browser_given(request: &SignInRequest) -> Arc<dyn BrowserLauncher> {
    request
        .browser
        .clone()
        .unwrap_or_else(|| Arc::new(NoBrowser))
}

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
