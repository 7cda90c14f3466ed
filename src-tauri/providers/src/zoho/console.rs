//! Zoho Directory in the Console: registering its provider, and its settings (the sandbox's
//! demo sign-in, how recent a sign-in a reset needs). Everything else goes through the
//! provider seam (`zoho::provider`).
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use resetdesk_core::console::Console;
use resetdesk_core::error::Result;

pub use crate::zoho::provider::{DeviceApprover, DEFAULT_FRESH_SIGN_IN};
use crate::zoho::provider::{ZohoDirectory, ZOHO_PROVIDER};

/// Registers the Zoho provider with `console` (no sandbox, the default fresh sign-in).
pub(crate) fn register(console: Console, token_http: reqwest::Client) -> Console {
    let provider = ZohoDirectory::new(
        console.secrets(),
        token_http,
        HashMap::new(),
        DEFAULT_FRESH_SIGN_IN,
    );
    console.with_provider(Arc::new(provider))
}

/// Zoho's settings and typed use cases, on any Console the Zoho provider is registered with.
#[async_trait]
pub trait ZohoConsole {
    /// The sandbox Zoho connection's device codes are approved by `approver` (the emulator).
    fn with_zoho_sandbox_approver(
        self,
        connection_id: &str,
        approver: Arc<dyn DeviceApprover>,
    ) -> Self;

    /// How recent the Zoho sign-in must be when a reset is confirmed.
    fn with_zoho_fresh_sign_in(self, max_age: Duration) -> Self;

    /// Adds a Zoho organisation (its form's typed use case, for the tests of its rules):
    /// `add_new_connection`, which keeps the client secret through the provider.
    async fn add_zoho_connection(
        &self,
        new: resetdesk_core::connection::NewZohoConnection,
    ) -> Result<String>;
}

#[async_trait]
impl ZohoConsole for Console {
    fn with_zoho_sandbox_approver(
        self,
        connection_id: &str,
        approver: Arc<dyn DeviceApprover>,
    ) -> Self {
        crate::reregistered(self, ZOHO_PROVIDER, |zoho: &ZohoDirectory| {
            zoho.with_approver(connection_id, approver)
        })
    }

    fn with_zoho_fresh_sign_in(self, max_age: Duration) -> Self {
        crate::reregistered(self, ZOHO_PROVIDER, |zoho: &ZohoDirectory| {
            zoho.with_fresh_sign_in(max_age)
        })
    }

    async fn add_zoho_connection(
        &self,
        new: resetdesk_core::connection::NewZohoConnection,
    ) -> Result<String> {
        self.add_new_connection(resetdesk_core::connection::NewConnection::Zoho(new))
            .await
    }
}
