//! ResetDesk core: everything that decides or does something, with no Tauri types.
//!
//! The way a click travels (see DESIGN.md): the shell's commands parse input and call
//! [`console::Console`]; the console checks [`authz`], builds a [`plan`], runs it with
//! [`execute`], writes the [`audit`] log, and talks to a provider through the
//! [`directory::Directory`] trait. Providers reach their service (or the [`providers::sandbox`]
//! emulator) over real HTTP.

pub mod actions;
pub mod audit;
pub mod audit_forward;
pub mod auth;
pub mod authz;
pub mod bulk;
pub mod cache;
pub mod connection;
pub mod console;
pub mod directory;
pub use resetdesk_model::error;
pub mod execute;
pub mod model;
pub mod password;
pub mod plan;
pub mod providers;
pub mod safety;
pub mod secrets;

pub use error::{AppError, ErrorKind};
