//! Running a confirmed plan, whatever its provider: one entry point and one result, so the
//! page has one run command and one result view.

use super::provider_actions::{PasswordInput, RunResult};
use super::Console;
use crate::error::Result;

impl Console {
    /// Runs the confirmed plan `plan_id` with the operator's reason. `password` is for a plan
    /// whose provider asks for one (Zoho's reset with a password typed by the operator); a
    /// provider that makes its own (Entra's temporary password) refuses one before the plan is
    /// used up. Every check and the audit entry are `run_provider_plan`'s.
    pub async fn run_plan(
        &self,
        plan_id: &str,
        reason: &str,
        password: Option<PasswordInput>,
    ) -> Result<RunResult> {
        self.run_provider_plan(plan_id, reason, password).await
    }
}
