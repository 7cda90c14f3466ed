//! Microsoft 365 Lighthouse (an MSP partner): the customers reachable through GDAP, the roles
//! the technician holds in each, per-customer access tokens from the partner sign-in, and
//! the Graph calls of "Reset all multi-factor authentications" in each customer tenant.
//!
//! - [`tokens`]: [`PartnerSession`]: the partner refresh token (keychain) and a cached access
//!   token per tenant.
//! - [`client`]: [`LighthouseClient`]: customers and roles from GDAP; users, methods, delete.
//! - [`offer`]: which actions a selection of customers allows, and why not (pure).
//! - [`plan`]: the confirmation of "Reset all MFAs": per user, the methods to remove.
//! - [`job`]: its job for the bulk engine: the steps of a confirmed plan, each one DELETE.
//! - [`roles`]: the role template ids and what each allows.
//! - [`session`]: the provider and its session on the seam: sign-in, resume, a customer
//!   user's page, an approver's sign-in.
pub mod client;
pub mod job;
pub mod offer;
pub mod page;
pub mod plan;
pub mod reads;
pub mod roles;
pub mod session;
pub mod tokens;

pub use client::{CustomerAccess, DeleteOutcome, LighthouseClient};
pub use offer::{offered_actions, ActionOffer, CustomerRefusal, LighthouseAction};
pub use plan::{methods_to_remove, plan_reset_all_mfa, ResetPlan, UserPlan};
pub use tokens::{LighthouseEndpoints, PartnerSession, TenantTokens};
