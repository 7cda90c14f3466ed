//! OAuth 2.0 for a public desktop client: authorization code + PKCE on a loopback redirect,
//! token refresh with rotation. The refresh token goes to the [`crate::secrets::SecretStore`]
//! and nowhere else; access tokens stay in memory.
//!
//! - [`pkce_loopback`]: one interactive sign-in ([`sign_in`]): listens on
//!   `http://127.0.0.1:<port>/callback`, hands the authorization URL to a [`BrowserLauncher`],
//!   waits for the redirect, exchanges the code.
//! - [`browser`]: who shows the authorization page: the system browser (the shell's
//!   implementation) or [`SandboxBrowser`], which plays the person at the sandbox emulator's
//!   sign-in page. The OAuth code is the same for both.
//! - [`tokens`]: [`TokenSet`] and [`TokenManager`], which keeps an access token fresh.
//! - [`oauth_client`]: the `oauth2` client for an [`crate::model::connection::EntraSettings`] and
//!   the mapping of token-endpoint failures to [`crate::AppError`].
use secrecy::SecretString;

/// Re-exported so implementers of [`BrowserLauncher`] (the shell's system browser, tests)
/// use the same macro without a dependency of their own.
pub use async_trait::async_trait;

use crate::error::Result;

pub mod browser;
pub mod id_token;
pub mod oauth_client;
pub mod pkce_loopback;
pub mod token_http;
pub mod token_set;
pub mod tokens;

pub use browser::{check_browser_url, BrowserLauncher, SandboxBrowser};
pub use pkce_loopback::{
    sign_in, sign_in_with, SignInOptions, DEFAULT_SIGN_IN_TIMEOUT, MAX_CALLBACK_REQUEST_BYTES,
};
pub use tokens::{TokenManager, TokenSet, REFRESH_MARGIN, REFRESH_TOKEN_SECRET};

/// Gives a provider client a valid access token for its requests.
#[async_trait]
pub trait AccessTokenSource: Send + Sync {
    /// A token valid for at least a little while (refreshed first if close to expiry).
    async fn access_token(&self) -> Result<SecretString>;
    /// The service answered 401 with this token: forget it so the next call refreshes.
    async fn invalidate(&self, rejected: &SecretString);
}
