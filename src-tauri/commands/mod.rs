//! The page's commands: thin adapters that parse input, call the core's [`Console`] and
//! return a typed result or an `AppError` (`{kind, message, detail}`). No decision is made
//! here. Every command is declared in build.rs and granted in tauri.conf.json.

mod audit;
mod clipboard;
mod connections;
mod users;

pub use audit::{list_audit, verify_audit};
pub use clipboard::copy_to_clipboard;
pub use connections::{list_connections, sign_in, sign_out};
pub use users::{execute_plan, get_user_details, plan_action, search_users};
