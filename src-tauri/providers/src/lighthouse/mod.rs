//! Microsoft 365 Lighthouse (an MSP partner): the customers reachable through GDAP, the roles
//! the technician holds in each, per-customer access tokens from the partner sign-in, and
//! the Graph calls of "Reset all multi-factor authentications" in each customer tenant. The
//! folder has each provider's files (client, models, policy, planner, provider) and its own:
//!
//! - [`client`]: [`LighthouseClient`]: customers and roles from GDAP; users, methods, delete.
//! - `models`: the partner-side Graph replies it reads (a customer's users and methods are
//!   read with Entra's models).
//! - [`policy`]: the GDAP role template ids and what each allows (who may do what).
//! - [`offers`]: which actions a selection of customers allows, and why not (pure).
//! - [`planner`]: the confirmation of "Reset all MFAs": per user, the methods to remove.
//! - [`provider`]: the provider and its session on the seam: sign-in, resume, a customer
//!   user's page and its one-user plan, an approver's sign-in.
//! - [`tokens`]: [`PartnerSession`]: the partner refresh token (keychain) and a cached access
//!   token per tenant.
//! - [`job`]: the bulk engine's job: the steps of a confirmed plan, each one DELETE.
//! - `lists`: the users (or their methods) of the selected customers, as the seam's tenant
//!   lists.
//! - [`page`], [`reads`]: a customer user's page; reads a few at a time per customer.
pub mod client;
pub mod console;
pub mod job;
mod lists;
mod models;
pub mod offers;
pub mod page;
pub mod planner;
pub mod policy;
pub mod provider;
pub mod reads;
pub mod tokens;

pub use client::{CustomerAccess, DeleteOutcome, LighthouseClient};
pub use offers::{offered_actions, ActionOffer, LighthouseAction};
pub use planner::{methods_to_remove, plan_reset_all_mfa, ResetPlan, UserPlan};
pub use tokens::{LighthouseEndpoints, PartnerSession, TenantTokens};
