//! Zoho Directory in the Console: its provider's settings (the sandbox's demo sign-in, how
//! recent a sign-in a reset needs) and adding an organisation. Everything else goes through
//! the provider seam (`providers::zoho::provider`).
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::Console;
use crate::error::Result;
use crate::providers::zoho::provider::{DeviceApprover, ZohoDirectory, DEFAULT_FRESH_SIGN_IN};
use crate::providers::zoho::DeviceSignIn;

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

    /// Adds a Zoho organisation: the client secret goes to the keychain, the rest to the
    /// saved connections (by the shell).
    pub async fn add_zoho_connection(
        &self,
        new: crate::connection::NewZohoConnection,
    ) -> Result<String> {
        let (connection, client_secret) = new.into_connection()?;
        // Asked before the secret is kept: a connection the policy refuses leaves nothing behind.
        self.connection_allowed(&connection)?;
        let settings = connection.zoho()?.clone();
        DeviceSignIn::new(
            connection.id.clone(),
            settings,
            Arc::clone(&self.secrets),
            self.token_http.clone(),
        )
        .save_client_secret(&client_secret)
        .await?;
        let id = connection.id.clone();
        self.add_connection(connection)?;
        Ok(id)
    }
}
