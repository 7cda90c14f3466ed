//! ResetDesk core: everything that decides or does something, with no Tauri types.
//!
//! The way a click travels (see ARCHITECTURE.md): the shell's commands parse input and call
//! [`console::Console`], which holds what every provider shares — the sessions, the plan store
//! with claim and expiry, input checks, [`safety`], the [`audit`] log, the offline [`cache`] —
//! and asks the connection's provider through the [`seam`] to read, plan and run. The
//! providers implement the seam in their own crate (`resetdesk-providers`), which depends on
//! this one, never the other way; they reach their service, or the emulators of the
//! `resetdesk-sandbox` crate, over real HTTP. The data types shared with the page are the
//! model crate's ([`model`]).

pub mod audit;
pub mod audit_forward;
pub mod auth;
pub mod bulk;
pub mod cache;
pub mod connection;
pub mod console;
pub mod http;
pub use resetdesk_model as model;
pub use resetdesk_model::error;
pub mod password;
pub mod private_file;
pub mod reply_body;
pub mod safety;
pub mod seam;
pub mod secret_body;
pub mod secrets;
pub mod sign_in_page;

pub use error::{AppError, ErrorKind};
