//! Microsoft 365 Lighthouse (an MSP partner): the customers reachable through GDAP, the roles
//! the technician holds in each, per-customer access tokens from the partner sign-in, and
//! the Graph calls of "Reset all multi-factor authentications" in each customer tenant.
pub mod roles;
