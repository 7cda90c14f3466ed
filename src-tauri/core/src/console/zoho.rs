//! Zoho Directory in the Console: its provider's settings (the sandbox's demo sign-in, how
//! recent a sign-in a reset needs). Everything else goes through the provider seam
//! (`providers::zoho::provider`).
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::Console;
use crate::error::Result;
use crate::providers::zoho::provider::ZohoDirectory;
pub use crate::providers::zoho::provider::{DeviceApprover, DEFAULT_FRESH_SIGN_IN};

/// What the Zoho provider is built with (rebuilt when a setting changes).
#[derive(Default)]
pub(super) struct ZohoConfig {
    /// Sandbox connections: who approves their device codes.
    approvers: HashMap<String, Arc<dyn DeviceApprover>>,
    /// `None`: the default.
    fresh_sign_in: Option<Duration>,
}

impl Console {
    /// The sandbox Zoho connection's device codes are approved by `approver` (the emulator).
    pub fn with_zoho_sandbox_approver(
        mut self,
        connection_id: &str,
        approver: Arc<dyn DeviceApprover>,
    ) -> Self {
        self.zoho
            .approvers
            .insert(connection_id.to_string(), approver);
        self.with_zoho_provider()
    }

    /// How recent the Zoho sign-in must be when a reset is confirmed.
    pub fn with_zoho_fresh_sign_in(mut self, max_age: Duration) -> Self {
        self.zoho.fresh_sign_in = Some(max_age);
        self.with_zoho_provider()
    }

    /// Registers the Zoho provider as configured now.
    pub(super) fn with_zoho_provider(self) -> Self {
        let provider = ZohoDirectory::new(
            Arc::clone(&self.secrets),
            self.token_http.clone(),
            self.zoho.approvers.clone(),
            self.zoho.fresh_sign_in.unwrap_or(DEFAULT_FRESH_SIGN_IN),
        );
        self.with_provider(Arc::new(provider))
    }

    /// Adds a Zoho organisation (its form's typed use case, for the tests of its rules):
    /// `add_new_connection`, which keeps the client secret through the provider.
    pub async fn add_zoho_connection(
        &self,
        new: crate::connection::NewZohoConnection,
    ) -> Result<String> {
        self.add_new_connection(crate::connection::NewConnection::Zoho(new))
            .await
    }
}
