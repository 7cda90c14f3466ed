//! Zoho Directory, through Zoho's documented APIs: OAuth (device authorization grant) at the
//! accounts server of the organisation's data centre, and the Zoho Mail organisation API for
//! users, roles and the password reset. Steps no documented API performs are declared
//! by hand in one table ([`options`]), for the Console's "finish in Zoho" mechanism.
//!
//! - [`settings`]: data centres and [`ZohoSettings`].
//! - [`auth`]: device sign-in ([`DeviceSignIn`]) and the session ([`ZohoSession`]).
//! - [`client`]: [`ZohoClient`]: operator, users, reset password, reset-MFA plan.
//! - `models`: its replies read into the client's types.
//! - [`policy`]: Mail role → may reset password / may manage MFA (who may do what), and the
//!   offers it makes.
//! - `planner`: a plan's steps, each through the API or by hand.
//! - [`provider`]: the provider and its session on the seam.
//! - [`options`]: per option, `Performed::Api` or `Performed::ByHand`.
//! - [`password`]: the generator and the checks on a typed password.
pub mod auth;
mod cache_sync;
pub mod client;
pub mod console;
mod models;
pub mod options;
mod pace;
pub mod password;
mod planner;
pub mod policy;
pub mod provider;
pub use resetdesk_model::connection::zoho as settings;

pub use auth::{DeviceAuthorization, DeviceSignIn, PollOutcome, ZohoSession, SLOW_DOWN_INTERVAL};
pub use client::{
    PasswordChoice, ResetOutcome, ResetPasswordOptions, UserPage, UserStatus, ZohoClient,
    ZohoOperator, ZohoStep, ZohoUser,
};
pub use options::{Performed, ZohoOption, DECLARATIONS};
pub use password::PasswordStyle;
pub use policy::{MailRole, OperatorPermissions};
pub use settings::{DataCentre, ZohoSettings};
