//! ResetDesk core: everything that decides or does something, with no Tauri types.
//!
//! The way a click travels (see ARCHITECTURE.md): the shell's commands parse input and call
//! [`console::Console`]; for an Entra tenant the console checks the provider's policy
//! ([`providers::entra::policy`]), builds a plan ([`providers::entra::planner`]), runs it
//! ([`providers::entra::execute`]) through the [`directory::Directory`] trait, and writes the
//! [`audit`] log. Providers reach their service, or the emulators of the `resetdesk-sandbox`
//! crate, over real HTTP. The data types shared with the page are the model crate's
//! ([`model`]).

pub mod audit;
pub mod audit_forward;
pub mod auth;
pub mod bulk;
pub mod cache;
pub mod connection;
pub mod console;
pub mod directory;
pub mod http;
pub use resetdesk_model as model;
pub use resetdesk_model::error;
pub mod password;
pub mod private_file;
pub mod providers;
pub mod reply_body;
pub mod safety;
pub mod seam;
pub mod secret_body;
pub mod secrets;
pub mod sign_in_page;
#[cfg(test)]
pub(crate) mod test_inputs;

pub use error::{AppError, ErrorKind};
