//! The page's commands: thin adapters that parse input, call the core's `Console` and
//! return a typed result or an `AppError` (`{kind, message, detail}`). No decision is made
//! here. Every command is declared in build.rs and granted in tauri.conf.json.
//! (`generate_handler!` needs each command by its defining module's path, not a re-export.)
//!
//! One module per use case: connections, directory (find users, read their pages), plans
//! (make, run, finish by hand), jobs (bulk), safety, audit, cache, desktop.

pub mod audit;
pub mod cache;
pub mod connections;
pub mod desktop;
pub mod directory;
pub mod jobs;
pub mod plans;
pub mod safety;
