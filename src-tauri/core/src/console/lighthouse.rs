//! Microsoft 365 Lighthouse (partner) connections in the Console: registering the provider
//! (with the sandbox's demo sign-in), and Lighthouse's typed entry points for the tests of its
//! rules — the technician's sign-in, a customer user's page and the confirmation of "Reset all
//! multi-factor authentications" in Lighthouse's terms. Everything the page does goes through
//! the seam: the sign-in and a user's page (`seam_sessions`), the lists across customers
//! (`tenant_lists`), the plan, its approval and its job (`bulk_plans`, `bulk_jobs`); the Graph
//! calls are in `providers::lighthouse`.
use std::collections::HashMap;
use std::sync::Arc;

use super::bulk_plans::BulkPlan;
use super::{require_id, Console};
use crate::auth::BrowserLauncher;
use crate::error::{AppError, Result};
use crate::model::Operator;
use crate::providers::lighthouse::provider::{
    user_key, LighthouseProvider, LighthouseSession, LIGHTHOUSE_PROVIDER,
};
use crate::providers::lighthouse::LighthouseAction;
use crate::seam::action_id;

pub use resetdesk_model::demo::PartnerSandboxSignIn;

#[derive(Default)]
pub(super) struct LighthouseState {
    /// Sandbox connections: who answers the partner's sign-in page (the provider is built
    /// with them).
    sandbox_sign_ins: HashMap<String, Arc<dyn PartnerSandboxSignIn>>,
}

pub use crate::providers::lighthouse::provider::CustomerUserDetails as LighthouseUserDetails;

/// One user of a customer, for `lighthouse_plan_reset` (the page names users by the ids their
/// rows give: `plan_bulk_action`).
#[derive(Debug, Clone)]
pub struct TargetRef {
    pub tenant_id: String,
    pub user_id: String,
}

impl Console {
    /// The sandbox Lighthouse connection's sign-in is answered by `sign_in` (the emulator).
    pub fn with_lighthouse_sandbox(
        mut self,
        connection_id: &str,
        sign_in: Arc<dyn PartnerSandboxSignIn>,
    ) -> Self {
        self.lighthouse
            .sandbox_sign_ins
            .insert(connection_id.to_string(), sign_in);
        self.with_lighthouse_provider()
    }

    /// Registers the Lighthouse provider as configured now.
    pub(super) fn with_lighthouse_provider(self) -> Self {
        let provider = self.lighthouse_provider();
        self.with_provider(Arc::new(provider))
    }

    fn lighthouse_provider(&self) -> LighthouseProvider {
        LighthouseProvider::new(
            Arc::clone(&self.secrets),
            self.token_http.clone(),
            self.lighthouse.sandbox_sign_ins.clone(),
        )
    }

    /// Lighthouse's typed sign-in, for the tests of its rules (the page signs in through
    /// `sign_in_with`, like every provider): through `browser` for a real partner, as the
    /// sandbox's demo technician `sandbox_account` otherwise; answers who signed in with the
    /// GDAP roles held where.
    pub async fn lighthouse_sign_in(
        &self,
        connection_id: &str,
        sandbox_account: Option<&str>,
        browser: &dyn BrowserLauncher,
    ) -> Result<Operator> {
        let connection = self.connection(connection_id)?;
        self.connection_allowed(&connection)?;
        let session = self
            .lighthouse_provider()
            .sign_in_through(&connection, sandbox_account, browser)
            .await?;
        let operator = session.operator().clone();
        self.keep_session(connection_id, session).await;
        tracing::info!(connection = %connection_id, "signed in to the Lighthouse partner tenant");
        Ok(operator)
    }

    /// The partner connection's session, as Lighthouse's own type.
    pub(super) async fn lighthouse_session(
        &self,
        connection_id: &str,
    ) -> Result<Arc<LighthouseSession>> {
        let connection = self.connection(connection_id)?;
        connection.lighthouse()?;
        let session: Arc<dyn std::any::Any + Send + Sync> =
            self.seam_session(connection_id).await?;
        session.downcast::<LighthouseSession>().map_err(|_| {
            AppError::internal(format!(
                "This connection is not served by the provider \"{LIGHTHOUSE_PROVIDER}\"."
            ))
        })
    }

    /// One user's page in Lighthouse's terms: the user, their methods, their customer and the
    /// actions it allows (the page reads it through the seam, `Console::directory_user`).
    pub async fn lighthouse_user_details(
        &self,
        connection_id: &str,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<LighthouseUserDetails> {
        let user_id = require_id(user_id)?;
        let session = self.lighthouse_session(connection_id).await?;
        session.user_details(tenant_id, user_id).await
    }

    /// The confirmation of "Reset all multi-factor authentications" for the selected users,
    /// in Lighthouse's terms (each user by their customer's tenant and their id there): the
    /// seam's plan on many users (`Console::plan_many`).
    pub async fn lighthouse_plan_reset(
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
