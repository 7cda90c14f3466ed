//! One sign-in for every connection, whatever its provider: the page sends what the
//! connection's form asks for and gets a typed step back (done, a device code to show, a
//! certificate to trust). A Lighthouse partner signs in through the OAuth code flow in a
//! browser until it joins the seam; every other provider signs in through the seam, where a
//! provider may answer a step first.

use super::Console;
use crate::error::Result;
use crate::model::connection::ProviderSettings;
use crate::providers::entra::session::account_of;
use crate::seam::{SignInOutcome, SignInRequest};
use crate::sign_in_page::{browser_given, sandbox_demo_account};

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
        let ProviderSettings::Lighthouse(_) = &connection.settings else {
            return self.sign_in_with(connection_id, request).await;
        };
        // The partner's sandbox answers as the demo technician (no page is shown).
        let demo = sandbox_demo_account(&connection, &request)?;
        let page = browser_given(&request);
        let operator = self
            .lighthouse_sign_in(connection_id, demo, page.as_ref())
            .await?;
        Ok(SignInOutcome::Done {
            account: account_of(&operator),
        })
    }
}
