//! OAuth 2.0 for a public desktop client: authorization code + PKCE on a loopback redirect,
//! token refresh with rotation. The refresh token goes to the [`crate::secrets::SecretStore`]
//! and nowhere else; access tokens stay in memory.
use async_trait::async_trait;
use secrecy::SecretString;

use crate::error::Result;

/// Gives a provider client a valid access token for its requests.
#[async_trait]
pub trait AccessTokenSource: Send + Sync {
    /// A token valid for at least a little while (refreshed first if close to expiry).
    async fn access_token(&self) -> Result<SecretString>;
    /// The service answered 401 with this token: forget it so the next call refreshes.
    async fn invalidate(&self, rejected: &SecretString);
}
