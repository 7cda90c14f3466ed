//! The page's commands: thin adapters that parse input, call the core's `Console` and
//! return a typed result or an `AppError` (`{kind, message, detail}`). No decision is made
//! here. Every command is declared in build.rs and granted in tauri.conf.json.
//! (`generate_handler!` needs each command by its defining module's path, not a re-export.)

pub mod about;
pub mod audit;
pub mod cache;
pub mod clipboard;
pub mod connections;
pub mod directory;
pub mod lighthouse;
pub mod plans;
pub mod providers;
pub mod safety;
pub mod users;
