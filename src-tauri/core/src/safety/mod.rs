//! Operator safety (issue 5). Helpdesk breaches (MGM and Caesars 2023, the UK retailers 2025)
//! began with a helpdesk resetting MFA for an attacker who phoned in, so ResetDesk builds the
//! defence into the flow instead of leaving it to the operator's memory:
//!
//! - [`verification`]: before a reset, the operator records how the caller was verified, with
//!   a method the organisation enables (call back on a directory number, the manager, a
//!   one-time code to a registered method, a ticket). Knowledge questions never pass.
//! - [`approval`]: a privileged or VIP target, or a second MFA reset of the same user within
//!   a day, needs a second operator who signs in on the spot and may act on that target.
//! - [`rate`]: an hourly cap of resets per operator, counted from the audit log and the
//!   resets running now ([`in_flight`]).
//!
//! The rules are data ([`SafetyPolicy`], from the settings file) and pure functions; the
//! [`crate::console::Console`] applies them when it plans an action and again when it runs it.

pub use resetdesk_model::safety::PlanSafety;

pub mod approval;
pub mod in_flight;
pub mod legacy_labels;
pub mod managed;
pub mod policy;
pub mod rate;
mod rule_table;
pub mod rules;
pub mod team;
pub mod verification;

pub use approval::{ApprovalRecord, ApprovalRequirement};
pub use policy::SafetyPolicy;
pub use rate::RateStatus;
pub use verification::{
    CodeToSend, VerificationEvidence, VerificationMethod, VerificationRecord,
    VerificationRequirement,
};
