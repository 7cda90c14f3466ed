//! Microsoft Entra ID through Microsoft Graph: a hand-written, typed client implementing
//! [`Directory`](crate::entra::directory::Directory) (reference/graph.md §1).
//!
//! The base URLs come from [`EntraSettings`](resetdesk_core::model::connection::EntraSettings), so the
//! same code serves graph.microsoft.com, the national clouds and the in-app sandbox emulator:
//! nothing here knows which one it talks to.
//!
//! The folder has each provider's files: `client` (which calls make up each operation, and how
//! an ambiguous write is settled by re-reading live state: DESIGN.md, Retries), `models` (the
//! reply shapes), `policy` (who may do what), `planner` (a plan's steps) and `provider` (the
//! provider and its session on the seam). Its own: `http` sends (headers, token refresh,
//! retries, error mapping), `actions` and `offers` name the four actions and what is offered,
//! `execute` runs a plan, `page`, `rows` and `summary` say it in the seam's terms, `methods`
//! interprets authentication methods, `query` builds OData queries, `delta` reads the directory
//! for the offline cache (full read, then delta queries), `directory_audits` reads the
//! tenant's resets for team-wide counting, `directory` is the trait the client implements
//! (the test double's seam), `console` Entra's typed use cases over the Console.

pub mod actions;
mod client;
pub mod console;
mod delta;
pub mod directory;
pub(crate) mod directory_audits;
pub mod execute;
pub(crate) mod http;
pub(crate) mod methods;
pub(crate) mod models;
pub mod offers;
pub mod page;
pub mod planner;
pub mod policy;
pub mod provider;
mod query;
pub mod rows;
pub mod summary;

pub use self::client::*;
