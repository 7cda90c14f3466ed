//! The one-time secrets ResetDesk has just set — a temporary password, a Temporary Access
//! Pass, a generated Zoho password — kept in memory for a few minutes under a random handle.
//! The page shows the secret once and copies it by handle: the copy command puts on the
//! clipboard only what Rust set, never text the page sends (a page that went wrong must not
//! be able to write what it likes to the operator's clipboard).

use std::collections::HashMap;
use std::sync::Mutex as StdMutex;
use std::time::{Duration, Instant};

use secrecy::SecretString;

use super::{lock, Console};
use crate::error::{AppError, Result};

/// How long a revealed secret can be copied: the result view is read in this time.
pub const REVEALED_FOR: Duration = Duration::from_secs(10 * 60);

#[derive(Default)]
pub(super) struct RevealedSecrets(StdMutex<HashMap<String, (SecretString, Instant)>>);

impl Console {
    /// Keeps `secret` for copying and returns its handle.
    pub(super) fn reveal(&self, secret: &SecretString) -> Option<String> {
        let mut kept = lock(&self.revealed.0).ok()?;
        kept.retain(|_, (_, at)| at.elapsed() < REVEALED_FOR);
        let handle = uuid::Uuid::new_v4().to_string();
        kept.insert(handle.clone(), (secret.clone(), Instant::now()));
        Some(handle)
    }

    /// The secret behind `handle`, while it may still be copied.
    pub fn revealed_secret(&self, handle: &str) -> Result<SecretString> {
        let kept = lock(&self.revealed.0)?;
        kept.get(handle.trim())
            .filter(|(_, at)| at.elapsed() < REVEALED_FOR)
            .map(|(secret, _)| secret.clone())
            .ok_or_else(|| {
                AppError::invalid_input(
                    "This password can no longer be copied (it is kept for 10 minutes after it \
                     was set). Read it from the screen, or reset it again.",
                )
            })
    }
}
