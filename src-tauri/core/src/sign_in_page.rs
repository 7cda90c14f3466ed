//! Who answers an OAuth sign-in page (an Entra tenant's, a Lighthouse partner's), for an
//! operator or an approver: in the sandbox, ResetDesk itself as the chosen demo account; for
//! a real connection, the operator's browser the shell gave. This is the one place the
//! sandbox's sign-in differs.
use std::sync::Arc;

use crate::auth::{BrowserLauncher, SandboxBrowser};
use crate::error::{AppError, Result};
use crate::model::connection::Connection;
use crate::seam::SignInRequest;

/// The demo account the page chose (the sandbox's sign-in form always sends one).
fn demo_account(request: &SignInRequest) -> Result<&str> {
    Some(request.account.trim())
        .filter(|account| !account.is_empty())
        .ok_or_else(|| AppError::invalid_input("Choose a demo account to sign in to the sandbox."))
}

/// For a sandbox connection, the demo account to answer as (one must be chosen); none for a
/// real one.
pub fn sandbox_demo_account<'a>(
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
pub fn sign_in_page(
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
pub fn browser_given(request: &SignInRequest) -> Arc<dyn BrowserLauncher> {
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
