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
//! Every provider is served through the seam. A session may also plan an action on many users
//! at once ([`Session::plan_many`]) and run it as a bulk job ([`Session::job_runner`]): a
//! Lighthouse partner's reset across customers; the Console keeps the plan, applies the safety
//! rules, takes the approval and runs the job.

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;
use serde::Serialize;

use crate::auth::BrowserLauncher;
use crate::bulk::plan::ResetPlan;
use crate::bulk::{StepExecutor, StepSpec};
use crate::cache::{CachedUser, DirectorySync};
use crate::error::{AppError, Result};
use crate::model::connection::{Connection, ProviderSettings};
use crate::model::tenants::{TenantAccess, TenantMethods, TenantUsers};
use crate::model::{AuthMethod, DirectoryUser};
use crate::safety::verification::ContactsOnRecord;
use crate::safety::{ApprovalRecord, RateStatus};

pub use crate::console::{
    FreshSignIn, PasswordInput, PlanChoices, PlanOwner, PlanTarget, ProviderAccount, ProviderOffer,
    ProviderPlan, ProviderStep, RefusedFor, SecretKind, StepPerformed, StepReport, StepState,
    StepsRun, TenantUser,
};
pub use resetdesk_model::action::{ActionName, ProviderAction, SafetyClass};

/// What the operator typed or chose on the sign-in form. Providers read what they need.
#[derive(Default)]
pub struct SignInRequest {
    /// The account to sign in as (a login, or the demo account for a sandbox connection).
    pub account: String,
    pub password: Option<SecretString>,
    /// A second factor's current code.
    pub code: Option<String>,
    /// The device code the page shows (from a [`SignInStep::DeviceCode`]): wait for its
    /// approval rather than start a new sign-in.
    pub device_code: Option<String>,
    /// Opens the provider's sign-in page in the operator's browser; `None` for the sandbox,
    /// whose sign-in page is answered by its demo sign-in.
    pub browser: Option<Arc<dyn BrowserLauncher>>,
}

/// Where a sign-in stands. Each step is typed, so no protocol travels as text in an error.
pub enum SignInStep {
    Done(Arc<dyn Session>),
    /// Signed in, and the account lives elsewhere than the settings said (another data
    /// centre): the connection keeps these settings from now on (the shell saves them).
    DoneAndMoved {
        session: Arc<dyn Session>,
        settings: ProviderSettings,
    },
    /// Show this code; the operator approves it on the provider's page, then signs in again.
    DeviceCode(DeviceCodePrompt),
    /// The server presented a certificate nobody trusted for this connection.
    UntrustedCertificate {
        sha256: String,
    },
}

/// The code the operator enters on the provider's page.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_url: String,
    pub expires_at: String,
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

/// Where a second person's approval stands: given (what the confirmation records), or the
/// code the approver enters on the provider's page first (a device sign-in), after which the
/// page asks again naming that code.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(
    rename_all = "camelCase",
    tag = "step",
    rename_all_fields = "camelCase"
)]
pub enum ApprovalStep {
    Approved { record: ApprovalRecord },
    DeviceCode { prompt: DeviceCodePrompt },
}

impl ApprovalStep {
    /// The approval, when it was given.
    pub fn approved(self) -> Option<ApprovalRecord> {
        match self {
            Self::Approved { record } => Some(record),
            Self::DeviceCode { .. } => None,
        }
    }
}

/// The id an offer gives one of a provider's own action enums: its serde name, the one its
/// plan command takes back (`resetPassword`, `resetAllMfa`).
pub fn action_id<A: Serialize + std::fmt::Debug>(action: &A) -> String {
    match serde_json::to_value(action) {
        Ok(serde_json::Value::String(id)) => id,
        // A unit variant always serializes to its name; kept total rather than unwrapped.
        _ => format!("{action:?}"),
    }
}

/// The answer of a session whose users live in one organisation when asked for tenants.
fn one_organisation() -> AppError {
    AppError::invalid_input(
        "This connection's users live in one organisation, not in tenants to select: search them in its users list.",
    )
}

/// The action of a provider's own enum that an offer's id names ([`action_id`]'s inverse), or
/// `None` when the id is none of its actions.
pub fn action_of_id<A: serde::de::DeserializeOwned>(id: &str) -> Option<A> {
    serde_json::from_value(serde_json::Value::String(id.to_string())).ok()
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
    /// For a provider whose resets need a recent sign-in: how recent the operator's is.
    pub fresh_sign_in: Option<FreshSignIn>,
    /// The operator's resets this hour against the cap, where the page offers a reset. The
    /// Console fills it in; a provider leaves it `None`.
    pub rate: Option<RateStatus>,
    /// The user's registered sign-in methods, for a provider that lists them (the page then
    /// has a Methods tab); `None` for one that does not.
    pub methods: Option<Vec<AuthMethod>>,
    /// Why the methods could not be read (the operator's role may not read them): the page
    /// says so in the Methods tab, and the rest of the page stands.
    pub methods_error: Option<AppError>,
}

/// The users a search found: live, or — when the service cannot be reached — from the offline
/// cache.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct UserSearch {
    pub users: Vec<UserRow>,
    /// `Some`: the service did not answer; these users come from the offline cache.
    pub from_cache: Option<CachedAnswer>,
}

/// How old an answer from the offline cache is.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct CachedAnswer {
    /// When the cache was last filled from the service; `None`: never.
    pub synced_at: Option<String>,
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
    pub value: Option<FactValue>,
}

/// A fact's value, typed so the page shows each kind the same way whatever the provider: a
/// time in the operator's own time zone, a list as badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase", tag = "shape", content = "value")]
pub enum FactValue {
    /// Shown as it is.
    Text(String),
    /// An ISO-8601 instant, shown in the operator's locale and time zone.
    Time(String),
    /// Names shown as badges (the admin roles a user holds); never empty (say so in text).
    Badges(Vec<String>),
}

impl UserFact {
    pub fn new(key: &str, label: &str, value: &str) -> Self {
        Self::maybe(key, label, Some(value))
    }

    /// A text fact; blank is no value.
    pub fn maybe(key: &str, label: &str, value: Option<&str>) -> Self {
        Self::typed(
            key,
            label,
            value
                .filter(|v| !v.trim().is_empty())
                .map(|v| FactValue::Text(v.to_string())),
        )
    }

    /// A fact whose value is a time, or none.
    pub fn time(key: &str, label: &str, at: Option<&str>) -> Self {
        Self::typed(
            key,
            label,
            at.filter(|v| !v.trim().is_empty())
                .map(|v| FactValue::Time(v.to_string())),
        )
    }

    pub fn typed(key: &str, label: &str, value: Option<FactValue>) -> Self {
        Self {
            key: key.to_string(),
            label: label.to_string(),
            value,
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
    /// The run needs the password the operator chose (sent with the run, never with the plan).
    pub needs_password: bool,
    /// For a provider whose resets need a recent sign-in: how recent the operator's is.
    pub fresh_sign_in: Option<FreshSignIn>,
    /// The options the operator chose, kept with the plan and handed back to the run.
    pub run_options: Option<serde_json::Value>,
    /// Why the provider treats the target as privileged ("is a Zoho organisation admin."),
    /// if it does: under the organisation's approval rules, a reset then needs a second
    /// person.
    pub privileged: Option<String>,
    /// The option form's choices the plan was made with, shown in the summary to change
    /// (each change planned again); `None` when there is nothing to change.
    pub choices: Option<PlanChoices>,
}

impl PlanDraft {
    /// A plan confirmed once, with no password and no options.
    pub fn new(target: PlanTarget, steps: Vec<ProviderStep>, warnings: Vec<String>) -> Self {
        Self {
            target,
            steps,
            warnings,
            confirmations_required: 1,
            needs_password: false,
            fresh_sign_in: None,
            run_options: None,
            privileged: None,
            choices: None,
        }
    }
}

/// What caller verification may use for one user, from the directory: the phone numbers and
/// manager on record (call back, manager's confirmation), and the registered methods a
/// one-time code can be sent to.
#[derive(Debug, Clone)]
pub struct VerificationSources {
    pub contacts: Result<ContactsOnRecord>,
    pub methods: Result<Vec<AuthMethod>>,
}

/// What the operator gives when they confirm a plan.
#[derive(Default)]
pub struct RunInput {
    /// The password choice, for a plan that [`PlanDraft::needs_password`].
    pub password: Option<PasswordInput>,
    /// The plan's [`PlanDraft::run_options`].
    pub options: Option<serde_json::Value>,
}

/// What fills a connection's offline cache (a signed-in session), and tells when its service
/// answers again.
#[async_trait]
pub trait CacheFeed: Send + Sync {
    fn source(&self) -> &dyn DirectorySync;
    /// A cheap live call: `Ok` when the service answers.
    async fn probe(&self) -> Result<()>;
}

/// A plan on many users, as a session makes it ([`Session::plan_many`]); the Console audits
/// the users left out, decides the approval the job needs and keeps the plan for its run.
pub struct BulkDraft {
    /// The action as the audit log and the job name it.
    pub label: String,
    /// The confirmation: the users left out are listed in it, with why.
    pub plan: ResetPlan,
    /// The users the job acts on (allowed, with a method to remove), read with their roles.
    pub in_job: Vec<JobUser>,
    /// The users left out, each with why: audited as refusals.
    pub refused: Vec<(DirectoryUser, String)>,
    /// Why nothing can be planned at all (every user refused, a tenant that does not allow
    /// the action): the Console audits `refused`, then answers this.
    pub stopped: Option<AppError>,
}

/// A user of a bulk job, as the approval rules and the approver's check read them.
#[derive(Debug, Clone)]
pub struct JobUser {
    /// The id this session names the user by (its rows' ids).
    pub key: String,
    /// The user in their own tenant, with the roles read for the plan.
    pub user: DirectoryUser,
    /// Why the provider treats the user as privileged, if it does (approval rules).
    pub privileged: Option<String>,
}

/// What a session that has bulk jobs gives the Console's job engine (`crate::bulk`), each time
/// one of its jobs starts or is resumed: the job's steps are the journal's, the checks the
/// provider's, read live then.
#[async_trait]
pub trait JobRunner: Send + Sync {
    /// The executor of a job's steps, with what it checks each step against read now.
    /// `resumed`: the steps a resumed job has left (empty when a job starts: its plan was
    /// authorized just now); a user among them whom the operator may no longer act on has
    /// their steps refused unsent, with why (the journal is a record, not a permission).
    async fn executor(&self, resumed: &[StepSpec]) -> Result<Arc<dyn StepExecutor>>;

    /// Whether this session's account — a second person who signed in to approve
    /// ([`Provider::approver_sign_in`]) — may approve the job `technician_id` prepared on
    /// `users`: someone else, allowed by their own rights to take the action on every one of
    /// them. A refusal says why, naming the users they may not act on.
    fn may_approve(&self, technician_id: &str, users: &[DirectoryUser]) -> Result<()>;
}

/// One of a provider's actions ([`Provider::actions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredAction {
    pub name: ActionName,
    pub safety_class: SafetyClass,
}

impl DeclaredAction {
    pub fn new(id: impl Into<String>, label: impl Into<String>, safety_class: SafetyClass) -> Self {
        Self {
            name: ActionName {
                id: id.into(),
                label: label.into(),
            },
            safety_class,
        }
    }
}

/// A provider: serves every connection whose settings name it. (`Any`: a provider's own
/// typed use cases find it among those registered by its type.)
#[async_trait]
pub trait Provider: Send + Sync + std::any::Any {
    /// The name connections use to pick this provider (`CustomSettings::provider`).
    fn name(&self) -> &str;

    /// The provider's own console, as the page names it where a step is finished by hand
    /// ("Finish in Zoho") and in a run's result. Default: [`Provider::name`].
    fn admin_centre(&self) -> &str {
        self.name()
    }

    /// What a connection of this provider is, as its card says it ("Microsoft Entra tenant",
    /// "Zoho Directory"). Default: [`Provider::admin_centre`].
    fn product(&self) -> &str {
        self.admin_centre()
    }

    /// What the built-in sandbox's emulator stands for, as its card says it ("Built-in sandbox
    /// (Zoho Directory emulator)"). Default: [`Provider::admin_centre`].
    fn emulated(&self) -> &str {
        self.admin_centre()
    }

    /// Whether some of its steps are finished by hand in its admin centre, so its users' pages
    /// list the steps still waiting (read from the audit log). Default: it may have some.
    fn leaves_steps_by_hand(&self) -> bool {
        true
    }

    /// Checks a plan request before anything is read, signed in or not: an action id that is
    /// none of its actions, or a choice its option form does not have, is bad input said with
    /// what to do, and no attempt (nothing is audited). Default: the user's page and the
    /// session's planner judge them.
    fn check_request(&self, _action: &str, _options: Option<&serde_json::Value>) -> Result<()> {
        Ok(())
    }

    /// Its actions, each with its id, its label as its audit entries say it, and its safety
    /// class: the Activity screen offers them in its filter by action (the page sends the id,
    /// the Console looks for the label), and an attempt refused before the user's page could
    /// even be read is audited under them. Default: none declared (an offer's own label and
    /// class are used when it is planned).
    fn actions(&self) -> Vec<DeclaredAction> {
        Vec::new()
    }

    /// One line for the connection's card (a server, a data centre).
    fn summary(&self, _connection: &Connection) -> Option<String> {
        None
    }

    /// Whether a signed-in session fills an offline cache ([`Session::cache_feed`]), so the
    /// users list shows the cache's status.
    fn keeps_offline_cache(&self) -> bool {
        false
    }

    /// Whether its sessions' users live in several tenants (a partner's customers), listed by
    /// [`Session::tenants`] and [`Session::tenant_users`] rather than [`Session::search`].
    fn lists_tenants(&self) -> bool {
        false
    }

    /// Whether the sign-in form asks for an account (a login); a device sign-in does not,
    /// except on the sandbox, where the account says which demo operator approves it.
    fn asks_for_account(&self, _connection: &Connection) -> bool {
        true
    }

    /// Whether its sign-in form takes a password and a second factor's code with the login (a
    /// server's own sign-in), for an operator and an approver alike; otherwise the provider's
    /// sign-in page is answered elsewhere (the browser, a device code, the sandbox's demo).
    fn asks_for_password(&self) -> bool {
        false
    }

    /// A user of the offline cache as the users list shows them (before sign-in too: the
    /// cache answers while the operator types, signed in or not).
    fn row_from_cache(&self, user: &CachedUser) -> UserRow {
        UserRow {
            id: user.id.clone(),
            display_name: user.display_name.clone(),
            login: user.user_principal_name.clone(),
            detail: user.job_title.clone(),
        }
    }

    async fn sign_in(&self, connection: &Connection, request: SignInRequest) -> Result<SignInStep>;

    /// At start-up: the session of a sign-in kept in the keychain, if there is one.
    async fn resume(&self, _connection: &Connection) -> Result<Option<Arc<dyn Session>>> {
        Ok(None)
    }

    /// A second person signs in to approve one plan of `connection`, as the approval form asks
    /// (`request`): a sign-in that keeps nothing — no keychain entry, no refresh, no session in
    /// the Console's map. The Console reads who they are from the session it answers with,
    /// asks it for the plan's user's page (the approver must be offered the action themselves),
    /// then drops it without signing it out (that would end the operator's sign-in too).
    /// A device sign-in answers [`SignInStep::DeviceCode`] first, as [`Provider::sign_in`]
    /// does; the call naming that code waits for its approval. Default: this provider takes no
    /// approvals, and a reset that needs one is refused when it is planned.
    async fn approver_sign_in(
        &self,
        connection: &Connection,
        _request: SignInRequest,
    ) -> Result<SignInStep> {
        Err(AppError::invalid_input(format!(
            "\"{}\" takes no second person's sign-in in ResetDesk.",
            connection.display_name
        )))
    }

    /// Whether [`Provider::approver_sign_in`] is implemented: otherwise a reset that needs a
    /// second person is refused when it is planned, with what to do instead.
    fn takes_approvals(&self) -> bool {
        false
    }

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

    /// Keeps the secret the Add connection form took for a new connection (Zoho's client
    /// secret) in the keychain, where its sign-in reads it. Default: this provider's form
    /// takes none.
    async fn keep_secret(&self, connection: &Connection, _secret: SecretString) -> Result<()> {
        Err(AppError::invalid_input(format!(
            "\"{}\" keeps no secret of its own: add it without one.",
            connection.display_name
        )))
    }

    /// Forgets, when its connection is removed, what [`Provider::keep_secret`] kept. Default:
    /// this provider keeps none.
    async fn forget_secret(&self, _connection: &Connection) -> Result<()> {
        Ok(())
    }
}

/// One signed-in connection.
#[async_trait]
pub trait Session: Send + Sync + std::any::Any {
    /// Who is signed in, as the card shows it.
    fn account(&self) -> ProviderAccount;

    /// Who plans and runs under this sign-in, as plans and the audit log name them.
    fn owner(&self) -> PlanOwner;

    /// The roles the signed-in account holds, each named as the provider names it (an
    /// approval records the approver's). Default: each role of a Microsoft operator
    /// ([`Session::operator`]), else the account's role line.
    fn roles(&self) -> Vec<String> {
        match self.operator() {
            Some(operator) => operator
                .roles
                .into_iter()
                .map(|role| role.display_name)
                .collect(),
            None => vec![self.account().role_label],
        }
    }

    /// For a Microsoft sign-in (an Entra tenant's operator, a Lighthouse partner's
    /// technician): who signed in with each of their roles, which the card shows as badges.
    /// Default: none (the card shows the account's role line).
    fn operator(&self) -> Option<crate::model::Operator> {
        None
    }

    /// For a user who lives in another tenant than the operator's organisation (a Lighthouse
    /// customer's): that tenant and the user's id there, which the audit log names (the
    /// Console sets it on every plan and refusal of theirs: `PlanTarget::in_tenant`). Default:
    /// the operator's own organisation.
    fn user_in_tenant(&self, _user_id: &str) -> Option<TenantUser> {
        None
    }

    /// The id this session names `user_id` of tenant `tenant_id` by ([`Session::user_in_tenant`]'s
    /// inverse), for a provider whose users live in several tenants. Default: `None`, one
    /// organisation.
    fn user_of_tenant(&self, _tenant_id: &str, _user_id: &str) -> Option<String> {
        None
    }

    /// Users matching `query`, at most `limit` (the Console has checked the query).
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<UserRow>>;

    /// For a sign-in whose users live in several tenants (a partner's customers): the tenants
    /// it reaches, with the roles the operator holds in each, read live. The page shows them
    /// in a tenant selector and lists the users of those selected (below). Default: the
    /// users live in one organisation, listed by [`Session::search`].
    async fn tenants(&self) -> Result<Vec<TenantAccess>> {
        Err(one_organisation())
    }

    /// The users of the selected tenants (`tenant_ids`, from [`Session::tenants`]; any other is
    /// refused) whose name, login or mail contains `query` (lowercase, checked by the Console;
    /// all when empty), read live, with the actions the selection allows. A tenant that does
    /// not answer is noted, and the others' users are listed.
    async fn tenant_users(&self, tenant_ids: &[String], query: &str) -> Result<TenantUsers> {
        let _ = (tenant_ids, query);
        Err(one_organisation())
    }

    /// The same users with their sign-in methods, read live: the first `limit` of them (the
    /// list says how many more there are).
    async fn tenant_methods(
        &self,
        tenant_ids: &[String],
        query: &str,
        limit: usize,
    ) -> Result<TenantMethods> {
        let _ = (tenant_ids, query, limit);
        Err(one_organisation())
    }

    /// One user, read live, with the provider's offers (the Console has checked the id).
    async fn user_page(&self, user_id: &str) -> Result<UserPage>;

    /// The steps of `offer` (allowed, from a fresh [`Session::user_page`]) on `user_id`.
    async fn plan(&self, user_id: &str, offer: &ProviderOffer) -> Result<PlanDraft>;

    /// The same, with the options the action's form chose (a provider whose actions have
    /// options reads its own shape; the Console passes them through unread).
    async fn plan_with_options(
        &self,
        user_id: &str,
        offer: &ProviderOffer,
        _options: serde_json::Value,
    ) -> Result<PlanDraft> {
        let _ = (user_id, offer);
        Err(AppError::invalid_input(format!(
            "\"{}\" has no options; plan it without them.",
            offer.label
        )))
    }

    /// The plan of `action` on many users at once (`user_ids`: ids this session gave in its
    /// rows), run as a bulk job: a Lighthouse partner's reset across customers. Default: this
    /// provider acts on one user at a time.
    async fn plan_many(&self, user_ids: &[String], action: &str) -> Result<BulkDraft> {
        let _ = (user_ids, action);
        Err(AppError::invalid_input(
            "This directory acts on one user at a time: open the user to plan an action.",
        ))
    }

    /// For a session a second person opened to approve ([`Provider::approver_sign_in`]): why
    /// its sign-in may not approve (not a new sign-in, another tenant's), which the Console
    /// audits under who signed in. Default: any sign-in the provider answered may approve.
    fn approval_sign_in_refusal(&self) -> Option<AppError> {
        None
    }

    /// Checks made when the operator confirms, before the plan is used up: a failure here
    /// leaves the summary ready, for the operator to fix (sign in again, a better password)
    /// and confirm the same summary.
    async fn preflight(&self, _plan: &ProviderPlan, _input: &RunInput) -> Result<()> {
        Ok(())
    }

    /// Runs a confirmed plan of this session's operator. `Err` means nothing was changed.
    async fn run(&self, plan: &ProviderPlan) -> Result<StepsRun>;

    /// The same, with what the operator gave at confirmation.
    async fn run_with(&self, plan: &ProviderPlan, _input: RunInput) -> Result<StepsRun> {
        self.run(plan).await
    }

    /// What fills this connection's offline cache, for a provider that keeps one.
    fn cache_feed(self: Arc<Self>) -> Option<Arc<dyn CacheFeed>> {
        None
    }

    /// What runs this session's bulk jobs, for a provider that has them (a Lighthouse
    /// partner's reset across customers).
    fn job_runner(self: Arc<Self>) -> Option<Arc<dyn JobRunner>> {
        None
    }

    /// What caller verification may use for `user_id` (read when a reset is planned). `None`:
    /// this directory gives ResetDesk none of it, and only the methods that need nothing
    /// from it (a ticket) remain.
    async fn verification_sources(&self, _user_id: &str) -> Option<VerificationSources> {
        None
    }

    /// Why the provider treats `user_id` as privileged *now* (an admin role given since the
    /// summary was made), read live when a reset is confirmed: under the organisation's
    /// approval rule, it then needs a second person first. `None` (the default): nothing
    /// beyond what [`Session::plan`] said (`PlanDraft::privileged`), which the summary holds.
    async fn privileged_now(&self, _user_id: &str) -> Result<Option<String>> {
        Ok(None)
    }

    /// The resets the provider's own audit log holds since `since` — any operator's, from any
    /// desktop or the admin console — so the hourly cap and the repeat-MFA rule count the
    /// team's (`safety::team`). `None` (the default): this provider keeps no such log, and
    /// this desktop's resets are counted alone. A log the operator may not read is an error.
    async fn tenant_resets_since(
        &self,
        _since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Vec<crate::safety::team::TenantReset>>> {
        Ok(None)
    }

    /// [`Session::tenant_resets_since`] around a reset of `user_id`: a provider whose users
    /// live in several tenants (a Lighthouse partner's customers) reads the log of that user's
    /// tenant only. Default: the one log `tenant_resets_since` reads.
    async fn tenant_resets_around(
        &self,
        _user_id: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Vec<crate::safety::team::TenantReset>>> {
        self.tenant_resets_since(since).await
    }

    /// Ends the sign-in at the provider, if it has such a thing.
    async fn sign_out(&self) -> Result<()> {
        Ok(())
    }
}
