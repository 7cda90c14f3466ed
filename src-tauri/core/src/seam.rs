//! The provider seam: what a provider implements so that the Console can serve its connections
//! without knowing it — sign-in, search, a user's page with its offers, the plan of an offered
//! action, and its run.
//!
//! A [`Provider`] serves every connection whose settings name it
//! (`ProviderSettings::Custom { provider, .. }`); signing in gives a [`Session`]. The Console
//! keeps what is shared once: the session map, the input checks, the plan store (claim and
//! expiry), the audit log, the operator-safety rules (which read each offer's and plan's
//! [`SafetyClass`], never its label), and the finish-by-hand steps. A provider decides only
//! what is its own: who may do what to whom, and what each step does.
//!
//! Privilege Secure is served through the seam. Zoho Directory already shares the plan store,
//! the run, the audit and the by-hand steps with it; its sign-in and reads, and Microsoft
//! Entra and Lighthouse, move onto the seam next (see ARCHITECTURE.md).

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::model::connection::{Connection, ProviderSettings};

pub use crate::console::{
    DeviceCodePrompt, PlanOwner, PlanTarget, ProviderAccount, ProviderOffer, ProviderPlan,
    ProviderStep, RefusedFor, StepPerformed, StepReport, StepState, StepsRun,
};
pub use resetdesk_model::action::{ProviderAction, SafetyClass};

/// What the operator typed or chose on the sign-in form. Providers read what they need.
#[derive(Default)]
pub struct SignInRequest {
    /// The account to sign in as (a login, or the demo account for a sandbox connection).
    pub account: String,
    pub password: Option<SecretString>,
    /// A second factor's current code.
    pub code: Option<String>,
}

/// Where a sign-in stands. Each step is typed, so no protocol travels as text in an error.
pub enum SignInStep {
    Done(Arc<dyn Session>),
    /// Show this code; the operator approves it on the provider's page, then signs in again.
    DeviceCode(DeviceCodePrompt),
    /// The server presented a certificate nobody trusted for this connection.
    UntrustedCertificate {
        sha256: String,
    },
}

/// What the page is told about a sign-in.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(
    rename_all = "camelCase",
    tag = "step",
    rename_all_fields = "camelCase"
)]
pub enum SignInOutcome {
    Done { account: ProviderAccount },
    DeviceCode { prompt: DeviceCodePrompt },
    UntrustedCertificate { sha256: String },
}

/// One user as a list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct UserRow {
    pub id: String,
    pub display_name: String,
    /// E-mail, UPN or login.
    pub login: String,
    /// One more line the provider finds useful (status, role, how access is granted).
    pub detail: Option<String>,
}

/// A user's page: who they are, and every action the provider has, each offered or refused
/// with the reason, before anything is planned.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct UserPage {
    pub user: UserRow,
    /// What the page lists about the user, in this order (login, e-mail, how access is granted).
    pub facts: Vec<UserFact>,
    pub offers: Vec<ProviderOffer>,
}

/// One line of a user's page: a label and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct UserFact {
    /// Stable across releases, for tests and the page's keys.
    pub key: String,
    pub label: String,
    /// `None`: the provider has no value for this user (shown as a dash).
    pub value: Option<String>,
}

impl UserFact {
    pub fn new(key: &str, label: &str, value: &str) -> Self {
        Self::maybe(key, label, Some(value))
    }

    pub fn maybe(key: &str, label: &str, value: Option<&str>) -> Self {
        Self {
            key: key.to_string(),
            label: label.to_string(),
            value: value.filter(|v| !v.trim().is_empty()).map(str::to_string),
        }
    }
}

/// What a provider plans for one offered action on one user; the Console gives it an id, ties
/// it to the connection and the operator, and keeps it for the run.
#[derive(Debug, Clone)]
pub struct PlanDraft {
    pub target: PlanTarget,
    pub steps: Vec<ProviderStep>,
    pub warnings: Vec<String>,
    /// 2 for actions the admin centre confirms twice.
    pub confirmations_required: u8,
}

/// A provider: serves every connection whose settings name it.
#[async_trait]
pub trait Provider: Send + Sync {
    /// The name connections use to pick this provider (`CustomSettings::provider`).
    fn name(&self) -> &str;

    /// One line for the connection's card (a server, a data centre).
    fn summary(&self, _connection: &Connection) -> Option<String> {
        None
    }

    async fn sign_in(&self, connection: &Connection, request: SignInRequest) -> Result<SignInStep>;

    /// Trusts, for this connection only, the certificate the operator was shown after a
    /// [`SignInStep::UntrustedCertificate`]: the settings to save, or an error (nothing
    /// trusted) when the server now presents another.
    async fn trust_certificate(
        &self,
        connection: &Connection,
        _sha256: &str,
    ) -> Result<ProviderSettings> {
        Err(AppError::invalid_input(format!(
            "\"{}\" has no certificate to trust: it signs in without one.",
            connection.display_name
        )))
    }
}

/// One signed-in connection.
#[async_trait]
pub trait Session: Send + Sync {
    /// Who is signed in, as the card shows it.
    fn account(&self) -> ProviderAccount;

    /// Who plans and runs under this sign-in, as plans and the audit log name them.
    fn owner(&self) -> PlanOwner;

    /// Users matching `query`, at most `limit` (the Console has checked the query).
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<UserRow>>;

    /// One user, read live, with the provider's offers (the Console has checked the id).
    async fn user_page(&self, user_id: &str) -> Result<UserPage>;

    /// The steps of `offer` (allowed, from a fresh [`Session::user_page`]) on `user_id`.
    async fn plan(&self, user_id: &str, offer: &ProviderOffer) -> Result<PlanDraft>;

    /// Runs a confirmed plan of this session's operator. `Err` means nothing was changed.
    async fn run(&self, plan: &ProviderPlan) -> Result<StepsRun>;

    /// Ends the sign-in at the provider, if it has such a thing.
    async fn sign_out(&self) -> Result<()> {
        Ok(())
    }
}
