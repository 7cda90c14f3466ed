//! The providers ResetDesk serves, one module per provider, each implementing the core's seam
//! (`resetdesk_core::seam::{Provider, Session}`). They reach their service over real HTTP; the
//! emulators of those services (the `resetdesk-sandbox` crate) are reached the same way, by
//! the same code.
//!
//! The core names none of them: a Console serves the providers registered with it
//! ([`built_in_console`] registers these four). Each provider's typed use cases — its own
//! types over the Console's public steps, for its tests and the sandbox's demo — are an
//! extension trait in its `console` module.
use std::path::PathBuf;
use std::sync::Arc;

use resetdesk_core::console::{Console, KeychainStatus};
use resetdesk_core::error::{AppError, Result};
use resetdesk_core::seam;
use resetdesk_core::secrets::SecretStore;
use resetdesk_model::connection::Connection;

pub mod entra;
pub mod lighthouse;
pub mod privilege_secure;
#[cfg(test)]
pub(crate) mod test_inputs;
pub mod zoho;

pub use entra::console::EntraConsole;
pub use lighthouse::console::LighthouseConsole;
pub use zoho::console::ZohoConsole;

/// A Console with the four providers this ResetDesk ships registered, as the app starts one.
pub fn built_in_console(
    connections: Vec<Connection>,
    secrets: Arc<dyn SecretStore>,
    keychain: KeychainStatus,
    audit_path: PathBuf,
) -> Result<Console> {
    with_built_in_providers(Console::new(connections, secrets, keychain, audit_path)?)
}

/// The provider registered with `console` under `name`, as its own type `P`: a provider's typed
/// use cases build on it (a sandbox setting registers it again with the setting added).
fn registered<P: std::any::Any + Send + Sync>(console: &Console, name: &str) -> Result<Arc<P>> {
    console
        .registered_provider(name)
        .and_then(|provider| {
            let provider: Arc<dyn std::any::Any + Send + Sync> = provider;
            provider.downcast::<P>().ok()
        })
        .ok_or_else(|| {
            AppError::internal(format!(
                "The provider \"{name}\" is not registered with this console."
            ))
        })
}

/// The signed-in session of `connection_id`, as the session type `S` of the provider `name`
/// serves it with (after the caller checked the connection is of that provider's kind).
async fn signed_in<S: std::any::Any + Send + Sync>(
    console: &Console,
    connection_id: &str,
    name: &str,
) -> Result<Arc<S>> {
    let session: Arc<dyn std::any::Any + Send + Sync> = console.seam_session(connection_id).await?;
    session.downcast::<S>().map_err(|_| {
        AppError::internal(format!(
            "This connection is not served by the provider \"{name}\"."
        ))
    })
}

/// `console` with the provider registered under `name` replaced by `change` of it (a sandbox
/// setting, a retry policy). A Console without that provider is returned as it is, and the
/// setting, which has nothing to apply to, is logged as ignored.
fn reregistered<P: seam::Provider>(
    console: Console,
    name: &str,
    change: impl FnOnce(&P) -> P,
) -> Console {
    match registered::<P>(&console, name) {
        Ok(provider) => {
            let changed = change(&provider);
            console.with_provider(Arc::new(changed))
        }
        Err(error) => {
            tracing::warn!(provider = %name, error = %error.message, "setting ignored: the provider is not registered");
            console
        }
    }
}

/// The HTTP client of token requests, which the providers share: it never follows a
/// redirect (a refresh token must not be sent elsewhere).
fn token_client() -> Result<reqwest::Client> {
    resetdesk_core::http::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| {
            AppError::internal("Could not create the HTTP client").with_detail(e.to_string())
        })
}

/// Registers the four providers this ResetDesk ships with `console`.
pub fn with_built_in_providers(console: Console) -> Result<Console> {
    let token_http = token_client()?;
    let console = entra::console::register(console, token_http.clone());
    let console = console.with_provider(Arc::new(privilege_secure::PrivilegeSecure));
    let console = zoho::console::register(console, token_http.clone());
    Ok(lighthouse::console::register(console, token_http))
}
