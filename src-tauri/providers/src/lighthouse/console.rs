//! Microsoft 365 Lighthouse (partner) connections in the Console: registering the provider
//! (with the sandbox's demo sign-in), and Lighthouse's typed entry points for the tests of its
//! rules — the technician's sign-in, a customer user's page and the confirmation of "Reset all
//! multi-factor authentications" in Lighthouse's terms. Everything the page does goes through
//! the seam: the sign-in and a user's page, the lists across customers, the plan, its approval
//! and its job (the Console's `seam_sessions`, `tenant_lists`, `bulk_plans`, `bulk_jobs`).
use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use resetdesk_core::auth::BrowserLauncher;
use resetdesk_core::console::{require_id, BulkPlan, Console};
use resetdesk_core::error::Result;
use resetdesk_core::model::Operator;
use resetdesk_core::seam::action_id;

use crate::lighthouse::provider::{
    user_key, LighthouseProvider, LighthouseSession, LIGHTHOUSE_PROVIDER,
};
use crate::lighthouse::LighthouseAction;

pub use crate::lighthouse::provider::CustomerUserDetails as LighthouseUserDetails;
pub use resetdesk_model::demo::PartnerSandboxSignIn;

/// One user of a customer, for `lighthouse_plan_reset` (the page names users by the ids their
/// rows give: `plan_bulk_action`).
#[derive(Debug, Clone)]
pub struct TargetRef {
    pub tenant_id: String,
    pub user_id: String,
}

/// Registers the Lighthouse provider with `console` (no sandbox sign-in page).
pub(crate) fn register(console: Console, token_http: reqwest::Client) -> Console {
    let provider = LighthouseProvider::new(console.secrets(), token_http, HashMap::new());
    console.with_provider(Arc::new(provider))
}

/// Lighthouse's settings and typed use cases, on any Console the Lighthouse provider is
/// registered with.
#[async_trait]
pub trait LighthouseConsole {
    /// The sandbox Lighthouse connection's sign-in is answered by `sign_in` (the emulator).
    fn with_lighthouse_sandbox(
        self,
        connection_id: &str,
        sign_in: Arc<dyn PartnerSandboxSignIn>,
    ) -> Self;

    /// Lighthouse's typed sign-in, for the tests of its rules (the page signs in through
    /// `sign_in_with`, like every provider): through `browser` for a real partner, as the
    /// sandbox's demo technician `sandbox_account` otherwise; answers who signed in with the
    /// GDAP roles held where.
    async fn lighthouse_sign_in(
        &self,
        connection_id: &str,
        sandbox_account: Option<&str>,
        browser: &dyn BrowserLauncher,
    ) -> Result<Operator>;

    /// One user's page in Lighthouse's terms: the user, their methods, their customer and the
    /// actions it allows (the page reads it through the seam, `Console::directory_user`).
    async fn lighthouse_user_details(
        &self,
        connection_id: &str,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<LighthouseUserDetails>;

    /// The confirmation of "Reset all multi-factor authentications" for the selected users,
    /// in Lighthouse's terms (each user by their customer's tenant and their id there): the
    /// seam's plan on many users (`Console::plan_many`).
    async fn lighthouse_plan_reset(
        &self,
        connection_id: &str,
        targets: &[TargetRef],
    ) -> Result<BulkPlan>;
}

/// The Lighthouse provider registered with `console`.
fn lighthouse_provider(console: &Console) -> Result<Arc<LighthouseProvider>> {
    crate::registered(console, LIGHTHOUSE_PROVIDER)
}

/// The partner connection's session, as Lighthouse's own type.
async fn lighthouse_session(
    console: &Console,
    connection_id: &str,
) -> Result<Arc<LighthouseSession>> {
    console.connection(connection_id)?.lighthouse()?;
    crate::signed_in(console, connection_id, LIGHTHOUSE_PROVIDER).await
}

#[async_trait]
impl LighthouseConsole for Console {
    fn with_lighthouse_sandbox(
        self,
        connection_id: &str,
        sign_in: Arc<dyn PartnerSandboxSignIn>,
    ) -> Self {
        crate::reregistered(
            self,
            LIGHTHOUSE_PROVIDER,
            |lighthouse: &LighthouseProvider| {
                lighthouse.with_sandbox_sign_in(connection_id, sign_in)
            },
        )
    }

    async fn lighthouse_sign_in(
        &self,
        connection_id: &str,
        sandbox_account: Option<&str>,
        browser: &dyn BrowserLauncher,
    ) -> Result<Operator> {
        let connection = self.connection(connection_id)?;
        self.connection_allowed(&connection)?;
        let session = lighthouse_provider(self)?
            .sign_in_through(&connection, sandbox_account, browser)
            .await?;
        let operator = session.operator().clone();
        self.keep_session(connection_id, session).await;
        tracing::info!(connection = %connection_id, "signed in to the Lighthouse partner tenant");
        Ok(operator)
    }

    async fn lighthouse_user_details(
        &self,
        connection_id: &str,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<LighthouseUserDetails> {
        let user_id = require_id(user_id)?;
        let session = lighthouse_session(self, connection_id).await?;
        session.user_details(tenant_id, user_id).await
    }

    async fn lighthouse_plan_reset(
        &self,
        connection_id: &str,
        targets: &[TargetRef],
    ) -> Result<BulkPlan> {
        let user_ids: Vec<String> = targets
            .iter()
            .map(|t| user_key(&t.tenant_id, &t.user_id))
            .collect();
        let action = action_id(&LighthouseAction::ResetAllMfa);
        self.plan_many(connection_id, &user_ids, &action).await
    }
}
