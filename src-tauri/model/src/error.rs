//! The one error type that crosses into the page: `{ kind, message, detail }`.
//! `message` says what went wrong and what to do; `detail` carries provider codes and
//! request ids for a support ticket. Never a secret in either.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub enum ErrorKind {
    /// No session for this connection (or it expired and could not be refreshed).
    NotSignedIn,
    /// The provider refused (HTTP 403).
    Forbidden,
    /// Our own authorization check refused, before anything was sent.
    Denied,
    NotFound,
    /// Still throttled after honouring Retry-After.
    Throttled,
    /// The service could not be reached.
    Offline,
    /// Any other provider error (4xx/5xx with the provider's code in `detail`).
    Provider,
    /// The request from the page was malformed or incomplete.
    InvalidInput,
    /// The OS keychain could not be used.
    Keychain,
    /// A write whose outcome is not known (timeout after sending, verification impossible).
    Ambiguous,
    /// A bug or an unexpected local failure (disk, corrupt file).
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, ts_rs::TS)]
#[ts(export)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            detail: None,
        }
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The error without `secret` in its message or detail: a service may echo what it was
    /// sent (a password it refused), and errors reach the page and the logs.
    pub fn redacted(mut self, secret: &str) -> Self {
        if !secret.is_empty() {
            self.message = self.message.replace(secret, "[redacted]");
            self.detail = self.detail.map(|d| d.replace(secret, "[redacted]"));
        }
        self
    }
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }
    pub fn denied(reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::Denied, reason)
    }
    pub fn not_signed_in(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotSignedIn, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
