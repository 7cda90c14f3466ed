//! The actions of the providers served through the seam (Microsoft Entra, Zoho Directory,
//! Privilege Secure, and any provider registered with the Console): their confirmation
//! summary, their run, their audit, and the **finish by hand** mechanism they share.
//!
//! A provider declares per step whether it is performed through a documented API or by hand
//! (Zoho: `resetdesk_providers::zoho::options`; Privilege Secure:
//! `resetdesk_providers::privilege_secure`). An API step runs when the operator confirms. A by-hand step is shown in the summary before
//! anything runs; after the run it waits as "to do": ResetDesk opens the admin page in the
//! default browser (from Rust), says exactly what to click, and the operator marks it done.
//! Each mark is its own audit entry ("completed by hand"), under the same plan id.
//!
//! The page refers to a plan only by its id, and every check is made here: when the plan is
//! built, and again when it runs, from live state.

use chrono::{DateTime, SecondsFormat, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::by_hand_steps::ByHandSettlement;
use super::plan_store::{unknown_plan, Confirmable, KeptPlan, PlanState, PlanStore};
use super::safety_checks::{now_text, SameCaller};
use super::{validate_reason, Console};
use crate::audit::{AuditEntry, AuditOutcome, AuditParties, AuditRecord};
use crate::auth::BrowserLauncher;
use crate::error::{AppError, ErrorKind, Result};
use crate::model::{Outcome, StepStatus};
use crate::safety::in_flight::ResetSlot;
use crate::safety::{
    ApprovalRecord, CodeToSend, PlanSafety, VerificationEvidence, VerificationRecord,
};
use crate::seam::RunInput;
pub use resetdesk_model::action::{PasswordInput, PlanChoices};
pub use resetdesk_model::action::{ProviderAction, SafetyClass};

/// Who is signed in to a Zoho or Privilege Secure connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ProviderAccount {
    pub name: String,
    pub login: String,
    pub role_label: String,
    pub signed_in_at: Option<String>,
}

/// One action offered on a user's page, or not, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ProviderOffer {
    /// The action's id: a [`ProviderAction`]'s, or one a provider of the seam declares.
    pub action: String,
    pub label: String,
    pub allowed: bool,
    pub reason: Option<String>,
    pub warning: Option<String>,
    pub safety_class: SafetyClass,
    /// Whom a refusal is about: the page shows the reason either way; only a refusal of the
    /// operator's authority is audited when they try anyway.
    #[serde(skip)]
    #[ts(skip)]
    pub refused_for: RefusedFor,
}

/// Why an action is not offered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RefusedFor {
    /// The operator may not do this (to this user): trying is a refused attempt, audited.
    #[default]
    Authority,
    /// The user is in no state for it (no token to reset, not confirmed): bad input, not an
    /// attempt beyond the operator's rights, so nothing is audited.
    TargetState,
}

impl ProviderOffer {
    pub fn new(action: ProviderAction, label: &str, refusal: Option<String>) -> Self {
        Self::of(action.id(), label, action.safety_class(), refusal)
    }

    /// An offer of any provider's action: allowed unless `refusal` says why not.
    pub fn of(
        action: &str,
        label: &str,
        safety_class: SafetyClass,
        refusal: Option<String>,
    ) -> Self {
        Self {
            action: action.to_string(),
            safety_class,
            label: label.to_string(),
            allowed: refusal.is_none(),
            reason: refusal,
            warning: None,
            refused_for: RefusedFor::Authority,
        }
    }

    /// The refusal, if any, is about the user's state rather than the operator's authority.
    pub fn refused_for_target_state(mut self) -> Self {
        self.refused_for = RefusedFor::TargetState;
        self
    }
}

/// Zoho asks for the admin's password before a reset; ResetDesk asks for a sign-in no older
/// than `max_age_minutes` instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct FreshSignIn {
    pub max_age_minutes: u64,
    pub signed_in_at: Option<String>,
    pub fresh: bool,
}

/// How a step is performed: by a documented API call, or by the operator in the provider's
/// admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(
    tag = "performed",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum StepPerformed {
    Api {
        /// The page that documents the call.
        doc: String,
    },
    ByHand {
        page_url: String,
        instructions: String,
        /// Why there is no API for it.
        why: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStep {
    pub summary: String,
    pub performed: StepPerformed,
    /// Why this step will not run although the plan does (the operator lacks a role for it,
    /// e.g. an Entra hardware OATH token needs a Privileged Authentication Administrator).
    pub blocked: Option<String>,
    /// The provider's own name for what the step does (Entra's `deleteMethod`,
    /// `revokeSessions`), where it has one: the summary marks each step with it.
    pub kind: Option<String>,
}

impl ProviderStep {
    /// A step that runs with the plan.
    pub fn new(summary: impl Into<String>, performed: StepPerformed) -> Self {
        Self {
            summary: summary.into(),
            performed,
            blocked: None,
            kind: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct PlanTarget {
    pub id: String,
    pub name: String,
    /// E-mail, login or the access line, as the summary shows it.
    pub detail: String,
    /// The user's admin roles, for a provider whose summary shows them (Entra's); `None`
    /// where the provider shows none.
    pub roles: Option<Vec<String>>,
    /// Where the user lives when it is not the operator's own organisation (a Lighthouse
    /// customer's tenant), with their id there (`Session::user_in_tenant`). The audit log names
    /// them so, and the hourly cap and the repeat-MFA rule key on it: a reset made here and a
    /// bulk job's step on the same user count alike. Not shown: the summary names the user.
    #[serde(skip)]
    #[ts(skip)]
    pub in_tenant: Option<TenantUser>,
}

/// A user of another tenant than the operator's: the tenant, and the user's id there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantUser {
    pub tenant_id: String,
    pub user_id: String,
}

impl PlanTarget {
    /// A target whose summary shows no admin roles.
    pub fn new(id: impl Into<String>, name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            detail: detail.into(),
            roles: None,
            in_tenant: None,
        }
    }

    /// The user's id as the audit log names them (their id in their own tenant).
    pub fn audited_id(&self) -> &str {
        self.in_tenant
            .as_ref()
            .map_or(self.id.as_str(), |t| t.user_id.as_str())
    }

    /// The tenant the audit log names for this user: theirs, or else the operator's
    /// organisation (`operators`).
    pub fn audited_tenant<'a>(&'a self, operators: &'a str) -> &'a str {
        self.in_tenant
            .as_ref()
            .map_or(operators, |t| t.tenant_id.as_str())
    }
}

/// The confirmation summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ProviderPlan {
    pub id: String,
    pub connection_id: String,
    /// The action's id, as offered.
    pub action: String,
    /// Which safety rules apply (the hourly cap counts resets).
    pub safety_class: SafetyClass,
    pub action_label: String,
    pub target: PlanTarget,
    /// Who plans and runs it, as the audit log names them ("Signed in as").
    pub operator: String,
    /// The provider's own console ("Zoho"), where a step is finished by hand.
    pub admin_centre: String,
    pub steps: Vec<ProviderStep>,
    pub warnings: Vec<String>,
    /// 2 for Zoho's Reset MFA, which asks "Yes, Reset" twice.
    pub confirmations_required: u8,
    /// Zoho Reset password: the run carries the typed password or the generator's rules.
    pub needs_password: bool,
    pub fresh_sign_in: Option<FreshSignIn>,
    /// For a reset: the operator's resets this hour, and how the caller is to be verified
    /// (the same rules as every provider's resets).
    pub safety: PlanSafety,
    /// What the summary lets the operator change, each change planned again in Rust (the
    /// provider's own option form); `None` when there is nothing to change.
    pub choices: Option<PlanChoices>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum StepState {
    Done,
    Failed,
    /// Not attempted (an earlier step failed).
    Skipped,
    /// Waits for the operator to finish it in the admin page.
    ToDoByHand,
    /// The operator marked it done.
    DoneByHand,
    /// Not run: the authorization re-check refused it just before it would have run (Entra's
    /// executor checks the operator's roles again before each step).
    Refused,
}

impl StepState {
    /// How the audit log records a step in this state.
    pub fn audit_status(self) -> StepStatus {
        match self {
            StepState::Done => StepStatus::Succeeded,
            StepState::Failed => StepStatus::Failed,
            StepState::Skipped => StepStatus::Skipped,
            StepState::ToDoByHand => StepStatus::WaitingForOperator,
            StepState::DoneByHand => StepStatus::CompletedByHand,
            StepState::Refused => StepStatus::Refused,
        }
    }

    /// The state of a step the audit log (or Entra's executor) records as `status`: the
    /// inverse of [`StepState::audit_status`], kept beside it.
    pub fn of_audit_status(status: StepStatus) -> Self {
        match status {
            StepStatus::Succeeded => StepState::Done,
            StepStatus::Failed => StepState::Failed,
            StepStatus::Skipped => StepState::Skipped,
            StepStatus::WaitingForOperator => StepState::ToDoByHand,
            StepStatus::CompletedByHand => StepState::DoneByHand,
            StepStatus::Refused => StepState::Refused,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    pub index: usize,
    pub summary: String,
    pub state: StepState,
    pub message: Option<String>,
    pub performed: StepPerformed,
    /// The provider's id of the request that performed the step (Graph's `request-id`), for
    /// a support case; `None` where the provider gives none.
    pub request_id: Option<String>,
    /// When the step ended, where the provider's executor records it.
    pub at: Option<String>,
}

impl StepReport {
    pub fn of(index: usize, step: &ProviderStep, state: StepState, message: String) -> Self {
        Self {
            index,
            summary: step.summary.clone(),
            state,
            message: Some(message),
            performed: step.performed.clone(),
            request_id: None,
            at: None,
        }
    }
}

/// What the one result view shows after any provider's plan ran (`Console::run_plan`).
#[derive(Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    pub plan_id: String,
    pub outcome: AuditOutcome,
    pub steps: Vec<StepReport>,
    /// A password or pass the run generated, returned this once for display; never stored or
    /// logged.
    pub generated_password: Option<String>,
    /// What `generated_password` is, so the view names it and says how it is used.
    pub secret_kind: Option<SecretKind>,
    /// The handle "Copy" passes to copy the generated password (see `revealed`).
    pub copy_handle: Option<String>,
    pub audit_seq: Option<u64>,
    pub audit_error: Option<String>,
}

/// The kinds of one-time secret a run can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum SecretKind {
    /// A password the user keeps (Zoho's reset with a generated password).
    NewPassword,
    /// A password the user must change at the next sign-in (Entra's reset).
    TemporaryPassword,
    /// A Temporary Access Pass to sign in and register methods with (Entra).
    TemporaryAccessPass,
}

impl std::fmt::Debug for RunResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunResult")
            .field("plan_id", &self.plan_id)
            .field("outcome", &self.outcome)
            .field("steps", &self.steps)
            .field(
                "generated_password",
                &self.generated_password.as_ref().map(|_| "[redacted]"),
            )
            .field("secret_kind", &self.secret_kind)
            .field("audit_seq", &self.audit_seq)
            .finish()
    }
}

/// Where the page was opened, for the result view. The sandbox has no admin panel to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ByHandPage {
    pub url: String,
    pub opened: bool,
    pub note: Option<String>,
}

/// What the provider modules hand back from a run: one report per step, and a generated
/// password when there is one. `Err` means nothing was changed.
pub struct StepsRun {
    pub steps: Vec<StepReport>,
    pub generated_password: Option<SecretString>,
    /// What `generated_password` is (a password the user keeps, a temporary one, a pass).
    pub secret_kind: Option<SecretKind>,
}

/// Who planned, on which connection, and what is known of the run.
#[derive(Debug, Clone)]
pub struct PlanOwner {
    /// The provider's stable id of the operator (Zoho ZUID, NPS login).
    pub operator_id: String,
    /// What the audit log shows as operator (e-mail or login).
    pub operator_label: String,
    /// The organisation or server, for the audit's tenant column.
    pub tenant_id: String,
}

impl PlanOwner {
    /// A Microsoft operator (Entra, or a Lighthouse technician in the partner tenant): their
    /// object id, UPN and home tenant.
    pub fn of(operator: &crate::model::Operator) -> Self {
        Self {
            operator_id: operator.id.clone(),
            operator_label: operator.user_principal_name.clone(),
            tenant_id: operator.tenant_id.clone(),
        }
    }
}

impl Confirmable for ProviderPlan {
    fn safety(&self) -> &PlanSafety {
        &self.safety
    }
}

/// What the store keeps beside a seam plan for its run.
#[derive(Default)]
pub(super) struct SeamRun {
    /// The options the operator chose (`PlanDraft::run_options`), handed back to the run.
    run_options: Option<serde_json::Value>,
    /// The steps as they ran, some perhaps still to finish by hand.
    steps: Vec<StepReport>,
}

/// What the run-time rules of a reset read live from its provider (see `read_before_run`).
#[derive(Default)]
pub(super) struct LiveBeforeRun {
    /// The resets the provider's audit log holds that this desktop did not make.
    resets_elsewhere: Vec<AuditEntry>,
    /// Why the provider treats the user as privileged now, if it does.
    privileged: Option<String>,
}

/// The seam's reviewed plans, in the one store every kind of plan uses.
pub(super) type ProviderPlans = PlanStore<ProviderPlan, SeamRun>;
type ProviderPlanRecord = KeptPlan<ProviderPlan, SeamRun>;

/// A plan taken for running.
pub(super) struct ClaimedProviderPlan {
    pub plan: ProviderPlan,
    pub owner: PlanOwner,
    pub verification: Option<VerificationRecord>,
    pub approval: Option<ApprovalRecord>,
}

impl ClaimedProviderPlan {
    /// The audit entry of its run (or of its stop), with how the caller was verified.
    fn audit_record(
        &self,
        reason: &str,
        outcome: AuditOutcome,
        steps: Vec<Outcome>,
        message: Option<String>,
    ) -> AuditRecord {
        AuditRecord {
            verification: self.verification.clone(),
            approval: self.approval.clone(),
            ..provider_audit_record(&self.plan, &self.owner, reason, outcome, steps, message)
        }
    }
}

impl Console {
    /// Keeps a plan the provider module built, so the page can confirm it by id.
    pub(super) fn keep_provider_plan(
        &self,
        plan: ProviderPlan,
        owner: PlanOwner,
        run_options: Option<serde_json::Value>,
        resets_elsewhere: &[AuditEntry],
    ) -> Result<ProviderPlan> {
        // The cap is checked when planning too (the slot is let go at once: nothing runs yet).
        let live = LiveBeforeRun {
            resets_elsewhere: resets_elsewhere.to_vec(),
            privileged: None,
        };
        drop(self.reserve_provider_reset(&plan, &owner, None, &live)?);
        // A caller verified for this operator's last request on the same user, minutes ago.
        let mut plan = plan;
        let same_call = SameCaller {
            connection_id: &plan.connection_id,
            operator_id: &owner.operator_id,
            target_id: plan.target.audited_id(),
        };
        let confirmation = self.new_confirmation(&same_call, &mut plan.safety);
        let kept = SeamRun {
            run_options,
            steps: Vec::new(),
        };
        let mut record = KeptPlan::new(plan.clone(), owner, kept);
        record.confirmation = confirmation;
        // Expired plans go, except those with steps still to finish by hand.
        self.provider_plans
            .keep(&plan.id, record, self.plan_validity, |r| {
                r.kept
                    .steps
                    .iter()
                    .any(|s| s.state == StepState::ToDoByHand)
            })?;
        Ok(plan)
    }

    /// The options a plan was made with (`PlanDraft::run_options`), which its run is given.
    pub fn provider_plan_run_options(&self, plan_id: &str) -> Result<Option<serde_json::Value>> {
        self.provider_plans
            .with(plan_id, |record| record.kept.run_options.clone())
    }

    /// The connection a provider plan belongs to (the shell picks the browser by it).
    pub fn provider_plan_connection_id(&self, plan_id: &str) -> Result<String> {
        self.provider_plans
            .with(plan_id, |r| r.plan.connection_id.clone())
    }

    /// Runs a confirmed Zoho or Privilege Secure plan. Nothing runs without a reason, or when
    /// the audit log cannot be written; a Zoho plan whose sign-in is no longer fresh answers
    /// `NotSignedIn` and stays ready, so the operator signs in again and confirms the same
    /// summary.
    pub async fn run_provider_plan(
        &self,
        plan_id: &str,
        reason: &str,
        password: Option<PasswordInput>,
    ) -> Result<RunResult> {
        // No action while the managed policy cannot be applied (see `with_safety_refused`).
        self.safety()?;
        let reason = validate_reason(reason)?;
        self.audit.ensure_writable()?;
        let (plan, run_options) = self.provider_plans.with(plan_id, |record| {
            (record.plan.clone(), record.kept.run_options.clone())
        })?;
        if plan.safety_class.is_reset() {
            self.forwarding_keeps_up()?;
        }
        let input = RunInput {
            password,
            options: run_options,
        };
        // Before the plan is taken: a stale sign-in or a password that will not do must leave
        // it ready, so the operator fixes that and confirms the same summary.
        self.preflight_seam_plan(&plan, &input).await?;
        // Other resets may have run since this one was planned, or be running now — here or
        // elsewhere, as the provider's audit log tells —: the cap and the repeat-MFA rule hold
        // at run time, and the slot counts this one until its audit entry is written.
        let live = self.read_before_run(&plan).await?;
        let _reset_slot = {
            let (owner, approved) = self.provider_plans.with(plan_id, |record| {
                (record.owner.clone(), record.confirmation.approval.is_some())
            })?;
            self.reserve_provider_reset(&plan, &owner, Some(approved), &live)?
        };
        let claimed = self.claim_provider_plan(plan_id)?;
        let run = match self.run_seam_plan(&claimed, input).await {
            Ok(run) => run,
            Err(error) => {
                self.provider_plans.finish(plan_id, PlanState::Stopped);
                let outcome = match error.kind {
                    ErrorKind::Denied | ErrorKind::Forbidden => AuditOutcome::Refused,
                    _ => AuditOutcome::Failed,
                };
                let mut record =
                    claimed.audit_record(&reason, outcome, Vec::new(), Some(error.message.clone()));
                // Audited under whoever is signed in now (a plan run under another sign-in is
                // exactly what must show), or the planner when nobody is.
                if let Some(now) = self.seam_owner_of(&claimed.plan.connection_id).await {
                    record.operator = now.operator_label;
                }
                if let Err(e) = self.append_audit(record) {
                    tracing::error!(error = %e, "could not audit a provider plan that stopped");
                }
                return Err(error);
            }
        };
        self.provider_plans
            .finish_with(plan_id, PlanState::Ran, |kept| {
                kept.steps = run.steps.clone()
            });
        let outcome = outcome_of(&run.steps);
        let outcomes = run.steps.iter().map(audit_outcome_of).collect();
        let same_call = SameCaller {
            connection_id: &claimed.plan.connection_id,
            operator_id: &claimed.owner.operator_id,
            target_id: claimed.plan.target.audited_id(),
        };
        self.remember_verification(&same_call, claimed.verification.as_ref());
        let audited = self.append_audit(claimed.audit_record(&reason, outcome, outcomes, None));
        let (audit_seq, audit_error) = split_audit(audited);
        let copy_handle = run.generated_password.as_ref().and_then(|p| self.reveal(p));
        Ok(RunResult {
            plan_id: plan_id.to_string(),
            outcome,
            steps: run.steps,
            secret_kind: run.generated_password.as_ref().and(run.secret_kind),
            generated_password: run
                .generated_password
                .map(|p| p.expose_secret().to_string()),
            copy_handle,
            audit_seq,
            audit_error,
        })
    }

    /// Opens the admin page of a step that waits to be finished by hand, in `browser` (the
    /// default browser; from Rust, so the page needs no opener permission).
    pub async fn open_by_hand_page(
        &self,
        plan_id: &str,
        step_index: usize,
        browser: Option<&dyn BrowserLauncher>,
    ) -> Result<ByHandPage> {
        let url = {
            self.provider_plans.with(plan_id, |record| {
                let step = waiting_step(record, step_index)?;
                match &step.performed {
                    StepPerformed::ByHand { page_url, .. } => Ok(page_url.clone()),
                    StepPerformed::Api { .. } => Err(not_by_hand()),
                }
            })??
        };
        let parsed = url::Url::parse(&url).map_err(|_| {
            AppError::invalid_input(format!(
                "The admin page address \"{url}\" is not valid; open the admin panel yourself."
            ))
        })?;
        match browser {
            Some(browser) => {
                browser.open(&parsed).await?;
                Ok(ByHandPage {
                    url,
                    opened: true,
                    note: None,
                })
            }
            None => Ok(ByHandPage {
                url,
                opened: false,
                note: Some(
                    "The sandbox has no admin panel to open: with a real connection this \
                     address opens in your default browser. Follow the instructions, then mark \
                     the step as done."
                        .to_string(),
                ),
            }),
        }
    }

    /// The result dialog's **Mark as done**: the settlement Activity makes (the same check of
    /// who may, the same audit entry), answered with the plan's result as the dialog shows it.
    /// Only the operator who ran the plan, signed in to its connection again, may say so.
    pub async fn mark_by_hand_done(&self, plan_id: &str, step_index: usize) -> Result<RunResult> {
        self.settle_by_hand_step(plan_id, step_index, ByHandSettlement::Done)
            .await?
            .result
            .ok_or_else(unknown_plan)
    }

    /// Why a step the audit log does not list as waiting cannot be settled: said in the terms
    /// of the plan when it is kept in memory (not run yet, or a step with nothing to do by
    /// hand), otherwise that it was settled already.
    pub(super) fn why_not_waiting(&self, plan_id: &str, step_index: usize) -> AppError {
        let kept = self
            .provider_plans
            .with_if_kept(plan_id, |record| waiting_step(record, step_index).err())
            .ok()
            .flatten()
            .flatten();
        kept.unwrap_or_else(|| {
            AppError::invalid_input(
                "This step is not waiting any more: it was marked done or abandoned (see \
                 Activity).",
            )
        })
    }

    /// A by-hand step settled (`settled`, audited as `entry`): the plan kept in memory, if the
    /// app has not restarted since it ran, shows it too; answers its result, with the outcome
    /// the audit entry gives the whole plan (an abandoned step makes it partial there).
    pub(super) fn note_settled_in_memory(
        &self,
        plan_id: &str,
        settled: &Outcome,
        entry: &crate::audit::AuditEntry,
    ) -> Option<RunResult> {
        let mut plans = self.provider_plans.all().ok()?;
        let record = plans.get_mut(plan_id)?;
        if let Some(step) = record
            .kept
            .steps
            .get_mut(settled.step_index)
            .filter(|step| step.state == StepState::ToDoByHand)
        {
            // Completed by hand, or skipped (abandoned): as the audit entry just written says.
            step.state = StepState::of_audit_status(settled.status);
            step.message = Some(settled.message.clone());
        }
        Some(RunResult {
            plan_id: record.plan.id.clone(),
            outcome: entry.record.outcome,
            steps: record.kept.steps.clone(),
            generated_password: None,
            secret_kind: None,
            copy_handle: None,
            audit_seq: Some(entry.seq),
            audit_error: None,
        })
    }

    /// A one-time code for the caller's verification of a plan.
    pub(super) fn send_provider_plan_code(
        &self,
        plan_id: &str,
        destination_id: &str,
    ) -> Result<CodeToSend> {
        self.provider_plans
            .with_ready(plan_id, self.plan_validity, |record| {
                record.send_code(destination_id)
            })
    }

    /// Records how the caller of a plan was verified. A failed verification stops the plan and
    /// is audited, as for every provider.
    pub(super) fn record_provider_plan_verification(
        &self,
        plan_id: &str,
        evidence: &VerificationEvidence,
    ) -> Result<VerificationRecord> {
        let (recorded, plan, owner) =
            self.provider_plans
                .with_ready(plan_id, self.plan_validity, |record| {
                    let recorded = record.record_verification(evidence, &now_text())?;
                    Ok((recorded, record.plan.clone(), record.owner.clone()))
                })?;
        if !recorded.passed {
            let audited = self.append_audit(AuditRecord {
                verification: Some(recorded.clone()),
                ..provider_audit_record(
                    &plan,
                    &owner,
                    "",
                    AuditOutcome::Refused,
                    Vec::new(),
                    Some(format!(
                        "The caller could not be verified: {}",
                        recorded.detail
                    )),
                )
            });
            if let Err(e) = audited {
                tracing::error!(error = %e, plan = %plan.id, "could not audit a failed verification");
            }
        }
        Ok(recorded)
    }

    /// Whether `plan_id` is a plan of the seam's store.
    pub(super) fn is_provider_plan(&self, plan_id: &str) -> Result<bool> {
        self.provider_plans.contains(plan_id)
    }

    /// A slot for a reset about to run (none for an action that is not a reset), or the
    /// audited refusal when the operator's hourly cap (the `safety.rateLimits` setting, counted
    /// per operator account, with the resets made elsewhere that `live` holds) is reached. At
    /// run time (`approved`: the plan's confirmation holds a second person's approval, or not),
    /// an MFA reset of the same user made since it was planned, or running now, needs a second
    /// person too, as does a user the provider treats as privileged now (`live`).
    fn reserve_provider_reset(
        &self,
        plan: &ProviderPlan,
        owner: &PlanOwner,
        approved: Option<bool>,
        live: &LiveBeforeRun,
    ) -> Result<Option<ResetSlot>> {
        if !plan.safety_class.is_reset() {
            return Ok(None);
        }
        let mfa_reset = plan.safety_class.resets_mfa();
        let reserved = self.reserve_reset(
            &owner.operator_label,
            plan.target.audited_id(),
            mfa_reset,
            &live.resets_elsewhere,
            |previous_mfa_reset| {
                let Some(false) = approved else {
                    return Ok(());
                };
                // What needs a second person now that did not when the summary was made (a
                // plan that asked for one already waits for them: its claim says so).
                let policy = self.safety()?;
                let mut reasons = Vec::new();
                if policy.approval.privileged_targets && !plan.safety.approval.required {
                    if let Some(why) = &live.privileged {
                        reasons.push(format!("{} {why}", plan.target.name));
                    }
                }
                if let Some(at) = previous_mfa_reset.filter(|_| mfa_reset) {
                    reasons.push(crate::safety::approval::repeat_mfa_reset_reason(policy, at));
                }
                if reasons.is_empty() {
                    return Ok(());
                }
                Err(AppError::denied(format!(
                    "{} Start the action again: a second person must approve it now.",
                    reasons.join(" ")
                )))
            },
        );
        let why = match reserved {
            Ok(slot) => return Ok(Some(slot)),
            Err(refusal) if refusal.kind == ErrorKind::Denied => refusal.message,
            Err(other) => return Err(other),
        };
        let record = refusal_record(
            &plan.connection_id,
            owner,
            &plan.target,
            (&plan.action_label, plan.safety_class),
            &why,
        );
        if let Err(e) = self.append_audit(record) {
            tracing::error!(error = %e, "could not audit a refusal");
        }
        Err(AppError::denied(why))
    }

    /// What a reset's run-time rules read live from its provider, before the slot's lock is
    /// taken (the reservation holds a lock, not a request): the resets its audit log holds
    /// that this desktop did not make, and whether the user is privileged now.
    async fn read_before_run(&self, plan: &ProviderPlan) -> Result<LiveBeforeRun> {
        if !plan.safety_class.is_reset() {
            return Ok(LiveBeforeRun::default());
        }
        let session = self.seam_session(&plan.connection_id).await?;
        let local = self.recent_audit_entries()?;
        let (resets_elsewhere, _note) = self
            .resets_elsewhere(session.as_ref(), &plan.target.id, &local)
            .await?;
        let privileged = session.privileged_now(&plan.target.id).await?;
        Ok(LiveBeforeRun {
            resets_elsewhere,
            privileged,
        })
    }

    fn claim_provider_plan(&self, plan_id: &str) -> Result<ClaimedProviderPlan> {
        self.provider_plans
            .claim(plan_id, self.plan_validity, |record| {
                record.ensure_confirmed()?;
                Ok(ClaimedProviderPlan {
                    plan: record.plan.clone(),
                    owner: record.owner.clone(),
                    verification: record.confirmation.verification.clone(),
                    approval: record.confirmation.approval.clone(),
                })
            })
    }
}

fn waiting_step(record: &ProviderPlanRecord, index: usize) -> Result<&StepReport> {
    if record.state != PlanState::Ran {
        return Err(AppError::invalid_input(
            "This action has not run yet: confirm it first, then finish its by-hand steps.",
        ));
    }
    let step = record.kept.steps.get(index).ok_or_else(not_waiting)?;
    match (&step.performed, step.state) {
        (StepPerformed::Api { .. }, _) => Err(not_by_hand()),
        (_, StepState::ToDoByHand) => Ok(step),
        _ => Err(not_waiting()),
    }
}

fn not_by_hand() -> AppError {
    AppError::invalid_input(
        "This step runs through the provider's API; there is nothing to do by hand.",
    )
}

fn not_waiting() -> AppError {
    AppError::invalid_input(
        "This step is not waiting to be finished by hand (it may already be marked done).",
    )
}

/// The run's overall outcome: a failure makes it failed or partial; a step that did not run
/// (skipped: blocked in the plan, or after a failure) makes a run that did something partial;
/// otherwise steps still to finish by hand make it pending.
pub(super) fn outcome_of(steps: &[StepReport]) -> AuditOutcome {
    // A refused step did not do what was confirmed, as a failed one did not.
    let failed = steps
        .iter()
        .any(|s| matches!(s.state, StepState::Failed | StepState::Refused));
    let skipped = steps.iter().any(|s| s.state == StepState::Skipped);
    let done = steps
        .iter()
        .any(|s| matches!(s.state, StepState::Done | StepState::DoneByHand));
    let waiting = steps.iter().any(|s| s.state == StepState::ToDoByHand);
    match (failed, done, waiting) {
        (true, false, false) => AuditOutcome::Failed,
        (true, _, _) => AuditOutcome::Partial,
        (false, true, _) if skipped => AuditOutcome::Partial,
        (false, _, true) => AuditOutcome::Pending,
        (false, _, false) => AuditOutcome::Succeeded,
    }
}

/// A step as the audit log records it: with the provider's request id and the time the
/// step ended, where its executor gives them.
fn audit_outcome_of(step: &StepReport) -> Outcome {
    Outcome {
        step_index: step.index,
        status: step.state.audit_status(),
        message: step.message.clone().unwrap_or_default(),
        request_id: step.request_id.clone(),
        at: step.at.clone().unwrap_or_else(now),
    }
}

fn now() -> String {
    let at: DateTime<Utc> = Utc::now();
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(super) fn provider_audit_record(
    plan: &ProviderPlan,
    owner: &PlanOwner,
    reason: &str,
    outcome: AuditOutcome,
    steps: Vec<Outcome>,
    message: Option<String>,
) -> AuditRecord {
    AuditRecord {
        operator: owner.operator_label.clone(),
        connection_id: plan.connection_id.clone(),
        tenant_id: plan.target.audited_tenant(&owner.tenant_id).to_string(),
        target_id: plan.target.audited_id().to_string(),
        target: plan.target.detail.clone(),
        action: plan.action_label.clone(),
        plan_id: Some(plan.id.clone()),
        plan: plan
            .steps
            .iter()
            .map(|s| match &s.performed {
                StepPerformed::Api { .. } => s.summary.clone(),
                StepPerformed::ByHand { .. } => format!("{} (by hand)", s.summary),
            })
            .collect(),
        reason: reason.to_string(),
        outcome,
        steps,
        message,
        verification: None,
        approval: None,
        safety_class: Some(plan.safety_class),
    }
}

/// A refusal of a Zoho or Privilege Secure action, for the audit log (no plan exists).
pub(super) fn refusal_record(
    connection_id: &str,
    owner: &PlanOwner,
    target: &PlanTarget,
    (action_label, safety_class): (&str, SafetyClass),
    why: &str,
) -> AuditRecord {
    let parties = AuditParties {
        operator: &owner.operator_label,
        connection_id,
        tenant_id: target.audited_tenant(&owner.tenant_id),
        target_id: target.audited_id(),
        target: &target.detail,
    };
    AuditRecord {
        safety_class: Some(safety_class),
        ..AuditRecord::refused(parties, action_label, why)
    }
}

fn split_audit(audited: Result<crate::audit::AuditEntry>) -> (Option<u64>, Option<String>) {
    match audited {
        Ok(entry) => (Some(entry.seq), None),
        Err(e) => {
            tracing::error!(error = %e, "could not write the audit entry of a provider action");
            (
                None,
                Some(format!(
                    "The audit log could not record this action: {}",
                    e.message
                )),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(state: StepState) -> StepReport {
        StepReport {
            index: 0,
            summary: "s".into(),
            state,
            message: None,
            performed: StepPerformed::Api { doc: "d".into() },
            request_id: None,
            at: None,
        }
    }

    #[test]
    fn every_state_round_trips_through_its_audit_status() {
        use StepState::*;
        for state in [Done, Failed, Skipped, ToDoByHand, DoneByHand, Refused] {
            assert_eq!(StepState::of_audit_status(state.audit_status()), state);
        }
    }

    #[test]
    fn the_outcome_says_what_is_left() {
        use StepState::*;
        let of = |states: &[StepState]| {
            outcome_of(&states.iter().map(|s| report(*s)).collect::<Vec<_>>())
        };
        assert_eq!(of(&[Done, Done]), AuditOutcome::Succeeded);
        assert_eq!(of(&[Done, ToDoByHand]), AuditOutcome::Pending);
        assert_eq!(of(&[Done, DoneByHand]), AuditOutcome::Succeeded);
        assert_eq!(of(&[Done, Failed, Done]), AuditOutcome::Partial);
        assert_eq!(of(&[Failed, Skipped, Skipped]), AuditOutcome::Failed);
        assert_eq!(of(&[Failed, ToDoByHand]), AuditOutcome::Partial);
        assert_eq!(of(&[Done, Refused]), AuditOutcome::Partial);
        assert_eq!(of(&[Refused, Skipped]), AuditOutcome::Failed);
    }
}
