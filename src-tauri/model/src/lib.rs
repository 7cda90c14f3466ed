//! The ResetDesk model: what the page, the audit log and the emulators share with the core,
//! as plain data with the checks that need no I/O. Every type here is what the page sees
//! (serialised camelCase), so none of them may ever hold a secret.
//!
//! - [`error`]: the one error type that crosses into the page.
//! - [`connection`]: connections and their per-provider settings.
//! - [`user`]: operators, directory users, their roles and authentication methods.
//! - [`step`]: what became of each step of a run.
//! - [`audit`]: what the audit log records of each attempt; [`safety`]: how the caller was
//!   verified and who approved, as the audit keeps it.
//! - [`action`]: the actions of the providers that share the confirmation flow.
//! - [`tenants`]: the lists of a sign-in whose users live in several tenants (a partner's
//!   customers).
//! - [`demo`]: who answers a sandbox's sign-in page (implemented by the sandbox crate).

pub mod action;
pub mod audit;
pub mod connection;
pub mod demo;
pub mod error;
pub mod safety;
pub mod step;
pub mod tenants;
pub mod user;

pub use error::{AppError, ErrorKind, Result};
pub use step::{Outcome, StepStatus};
pub use user::*;
