//! What a token endpoint answered. Its own module so that the OAuth client (which makes it)
//! and the token manager (which keeps it fresh) do not depend on each other.

use chrono::{DateTime, Utc};
use secrecy::SecretString;

/// What a token endpoint answered. `Debug` shows only whether tokens are present.
#[derive(Clone)]
pub struct TokenSet {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    /// The OpenID Connect ID token, when `openid` was asked for (the approver's sign-in).
    pub id_token: Option<SecretString>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}
