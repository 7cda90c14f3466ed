//! The ResetDesk model: what the page, the audit log and the emulators share with the core,
//! as plain data with the checks that need no I/O.
//!
//! - [`error`]: the one error type that crosses into the page.
//! - [`connection`]: connections and their per-provider settings.
//! - [`demo`]: who answers a sandbox's sign-in page (implemented by the sandbox crate).

pub mod connection;
pub mod demo;
pub mod error;

pub use error::{AppError, ErrorKind, Result};
