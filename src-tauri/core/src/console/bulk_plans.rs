//! Plans on many users at once, whatever their provider (today a Lighthouse partner's "Reset
//! all multi-factor authentications" across customers): the session plans them
//! (`Session::plan_many`); the Console audits the users left out, decides whether a second
//! person must approve the job (the approval rules, each user with their latest MFA reset in
//! this desktop's log and in their tenant's), keeps the plan for its run, takes the approval
//! and starts the job (`console::bulk_jobs` runs it).

use std::sync::Arc;

use chrono::Utc;
use futures_util::StreamExt;
use serde::Serialize;

use super::bulk_jobs::BulkJobView;
use super::plan_store::{KeptPlan, PlanState, PlanStore};
use super::safety_checks::{approval_by, approval_refused};
use super::{validate_reason, Console, PlanOwner};
use crate::audit::{AuditParties, AuditRecord};
use crate::bulk::plan::ResetPlan;
use crate::error::{AppError, Result};
use crate::model::DirectoryUser;
use crate::safety::approval::Subject;
use crate::safety::policy::TenantAuditLog;
use crate::safety::{approval, rate, team, ApprovalRecord, ApprovalRequirement};
use crate::seam::{JobUser, Session, SignInRequest, SignInStep};

/// Most users one plan may cover (a larger one is split by the operator).
pub const MAX_TARGETS: usize = 5_000;

/// Tenants' audit logs read at once for a plan's approval rules.
const TENANT_LOGS_AT_ONCE: usize = 8;

/// Bulk plans kept for their run, by plan id; beside each, what its job needs that the page
/// is not shown. Once claimed, a plan's job runs from its journal.
pub(super) type BulkPlans = PlanStore<BulkPlan, KeptJob>;

/// What a bulk plan keeps for its approval and its job.
#[derive(Clone)]
pub(super) struct KeptJob {
    /// The users the job acts on, with the roles and group membership read for the plan (an
    /// approver must be allowed to act on each of them).
    users: Vec<JobUser>,
}

/// The confirmation of an action on many users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct BulkPlan {
    pub id: String,
    /// The connection, where an approver signs in.
    pub connection_id: String,
    /// The operator who prepared it (an approver must be someone else).
    pub operator_upn: String,
    /// The action as the provider names it: the confirmation's title, and the job's and the
    /// audit log's name for it.
    pub label: String,
    #[serde(flatten)]
    pub plan: ResetPlan,
    /// Whether a second person must approve the job before it starts, and why.
    pub approval: ApprovalRequirement,
}

impl Console {
    /// The confirmation of `action` on the users `user_ids` (the ids the connection's rows
    /// give), planned by the session from live state. A user left out is audited as refused.
    pub async fn plan_many(
        &self,
        connection_id: &str,
        user_ids: &[String],
        action: &str,
    ) -> Result<BulkPlan> {
        // No action while the managed policy cannot be applied (see `with_safety_refused`).
        self.safety()?;
        if user_ids.is_empty() {
            return Err(AppError::invalid_input("Select at least one user."));
        }
        if user_ids.len() > MAX_TARGETS {
            return Err(AppError::invalid_input(format!(
                "At most {MAX_TARGETS} users can be reset at once; select fewer."
            )));
        }
        let session = self.seam_session(connection_id).await?;
        let owner = session.owner();
        let mut draft = session.plan_many(user_ids, action).await?;
        for (user, why) in &draft.refused {
            self.audit_bulk_refusal(&owner, connection_id, user, &draft.label, why);
        }
        if let Some(stopped) = draft.stopped {
            return Err(stopped);
        }
        let (approval, notes) = self
            .bulk_approval_requirement(session.as_ref(), &draft.plan, &draft.in_job)
            .await?;
        draft.plan.warnings.extend(notes);
        let plan = BulkPlan {
            id: uuid::Uuid::new_v4().to_string(),
            connection_id: connection_id.to_string(),
            operator_upn: owner.operator_label.clone(),
            label: draft.label,
            plan: draft.plan,
            approval,
        };
        let kept = KeptJob {
            users: draft.in_job,
        };
        let record = KeptPlan::new(plan.clone(), owner, kept);
        self.bulk_plans
            .keep(&plan.id, record, self.plan_validity, |_| false)?;
        Ok(plan)
    }

    /// Whether a job on `users` needs a second person now: each user's rules with their
    /// latest MFA reset — in this desktop's audit log and in their tenant's directory audit
    /// log, so that a reset from another desktop or the admin centre counts (issue 15) — and
    /// the job's size. A tenant whose log cannot be read is counted from this desktop's log
    /// only, with a note naming it (one of the returned notes); under
    /// `rateLimits.tenantAuditLog: "required"` the plan is refused.
    async fn bulk_approval_requirement(
        &self,
        session: &dyn Session,
        plan: &ResetPlan,
        users: &[JobUser],
    ) -> Result<(ApprovalRequirement, Vec<String>)> {
        let policy = self.safety()?.clone();
        let hours = policy.approval.repeat_mfa_reset_hours;
        let mut recent = self.recent_audit_entries()?;
        let mut elsewhere = Vec::new();
        let mut notes = Vec::new();
        if hours > 0 {
            let since = Utc::now() - chrono::Duration::hours(i64::from(hours));
            // One user of each tenant names the tenant whose log is read.
            let mut tenants: Vec<&JobUser> = Vec::new();
            for user in users {
                if !tenants
                    .iter()
                    .any(|t| t.user.tenant_id.eq_ignore_ascii_case(&user.user.tenant_id))
                {
                    tenants.push(user);
                }
            }
            // The reads made first, then run a few at a time (a stream that maps borrowed
            // users would not be `Send` for the command's future).
            let reads: Vec<_> = tenants
                .iter()
                .map(|user| session.tenant_resets_around(&user.key, since))
                .collect();
            let reads: Vec<_> = futures_util::stream::iter(reads)
                .buffered(TENANT_LOGS_AT_ONCE)
                .collect()
                .await;
            for (user, read) in tenants.iter().zip(reads) {
                let tenant = plan.customer_name(&user.user.tenant_id);
                match read {
                    Ok(Some(events)) => elsewhere.extend(team::others_resets(&events, &recent)),
                    // A directory that keeps no log has nothing more to count.
                    Ok(None) => {}
                    Err(error) if policy.rate_limits.tenant_audit_log == TenantAuditLog::Required => {
                        return Err(AppError::denied(format!(
                            "Your organisation counts every desktop's resets from each tenant's audit log, and {tenant}'s could not be read ({}). A role there that may read audit logs (least privileged: Reports Reader), with the app's AuditLog.Read.All permission, lets ResetDesk read it.",
                            error.message.trim_end_matches('.')
                        )));
                    }
                    Err(error) => notes.push(format!(
                        "{tenant}: an earlier MFA reset is looked for in this desktop's log only — its audit log could not be read ({}), so one made from another desktop or the admin centre is not seen. A role there that may read audit logs (least privileged: Reports Reader) lets ResetDesk read it.",
                        error.message.trim_end_matches('.')
                    )),
                }
            }
        }
        recent.extend(elsewhere);
        let now = Utc::now();
        let with_previous: Vec<_> = users
            .iter()
            .map(|job_user| {
                let user = &job_user.user;
                (
                    Subject {
                        id: &user.id,
                        login: &user.user_principal_name,
                        display_name: &user.display_name,
                        privileged: job_user.privileged.clone(),
                    },
                    rate::previous_mfa_reset(&recent, &user.id, hours, now),
                )
            })
            .collect();
        Ok((approval::bulk_requirement(&policy, &with_previous), notes))
    }

    /// A second person approves the bulk plan: they sign in as the approval form asks
    /// (`request`: a fresh sign-in in the browser; in the sandbox, the demo account chosen)
    /// through the provider's approver sign-in, which keeps nothing; the provider checks they
    /// are someone else whose own rights allow the action on every user of the job
    /// (`JobRunner::may_approve`). A refusal is audited and the plan stays open for another
    /// approver.
    pub(super) async fn approve_bulk_plan(
        &self,
        plan_id: &str,
        request: SignInRequest,
    ) -> Result<ApprovalRecord> {
        let (connection_id, owner, label, users) =
            self.bulk_plans
                .with_ready(plan_id, self.plan_validity, |record| {
                    record
                        .confirmation
                        .ensure_awaiting_approval(record.plan.approval.required)?;
                    Ok((
                        record.plan.connection_id.clone(),
                        record.owner.clone(),
                        record.plan.label.clone(),
                        record.kept.clone(),
                    ))
                })?;
        self.bulk_plan_session(&connection_id, &owner).await?;
        let connection = self.connection(&connection_id)?;
        let approver = match self
            .provider_of(&connection)?
            .approver_sign_in(&connection, request)
            .await?
        {
            SignInStep::Done(approver) => approver,
            _ => {
                return Err(AppError::internal(
                    "The approver's sign-in answered a step it never takes for a job.",
                ))
            }
        };
        // An approval is not a session: read here, then dropped (never kept, never signed out).
        let who = approver.owner();
        let roles = approver.roles();
        let verdict = match approver.approval_sign_in_refusal() {
            Some(refusal) => Err(refusal),
            None => {
                let targets: Vec<DirectoryUser> =
                    users.users.iter().map(|u| u.user.clone()).collect();
                match Arc::clone(&approver).job_runner() {
                    Some(runner) => runner.may_approve(&owner.operator_id, &targets),
                    None => Err(AppError::internal(
                        "The approver's sign-in cannot approve a job.",
                    )),
                }
            }
        };
        drop(approver);
        if let Err(refusal) = verdict {
            self.audit_job_approval_refusal(&who, &connection_id, plan_id, &label, &refusal);
            return Err(refusal);
        }
        let record = approval_by(&who, roles);
        self.bulk_plans
            .with_ready(plan_id, self.plan_validity, |open| {
                open.confirmation.record_approval(record.clone())
            })?;
        tracing::info!(plan = %plan_id, approver = %record.approver, "bulk plan approved");
        Ok(record)
    }

    /// Starts the confirmed bulk plan `plan_id` as a job with the operator's reason and
    /// returns at once (`Console::run` calls it for a bulk plan). What a second person must
    /// have approved is decided again first: another reset of one of these users may have run
    /// since the summary was shown.
    pub async fn start_job(&self, plan_id: &str, reason: &str) -> Result<BulkJobView> {
        // No action while the managed policy cannot be applied (see `with_safety_refused`).
        self.safety()?;
        let reason = validate_reason(reason)?;
        self.job_may_run()?;
        let (kept, planned, connection_id, owner) =
            self.bulk_plans
                .with_ready(plan_id, self.plan_validity, |record| {
                    Ok((
                        record.kept.clone(),
                        record.plan.plan.clone(),
                        record.plan.connection_id.clone(),
                        record.owner.clone(),
                    ))
                })?;
        let session = self.seam_session(&connection_id).await?;
        // The notes were shown with the summary; a log that cannot be read now is refused
        // only where the policy requires it (the requirement's error).
        let (approval_now, _notes) = self
            .bulk_approval_requirement(session.as_ref(), &planned, &kept.users)
            .await?;
        // Claimed once: from here the job runs from its journal, never from this plan again.
        let (plan, approval) = self
            .bulk_plans
            .claim(plan_id, self.plan_validity, |record| {
                let needs_approval = record.plan.approval.required || approval_now.required;
                if needs_approval && record.confirmation.approval.is_none() {
                    let mut reasons = record.plan.approval.reasons.clone();
                    for reason in approval_now.reasons {
                        if !reasons.contains(&reason) {
                            reasons.push(reason);
                        }
                    }
                    return Err(AppError::denied(format!(
                        "A second person must approve this job first: {}",
                        reasons.join(" ")
                    )));
                }
                record.state = PlanState::Ran;
                Ok((record.plan.clone(), record.confirmation.approval.clone()))
            })?;
        let runner = self.bulk_plan_session(&connection_id, &owner).await?;
        let mut spec =
            plan.plan
                .job(&connection_id, &owner.operator_label, &reason, &plan.label)?;
        spec.approval = approval;
        self.launch_job(&spec, runner.as_ref()).await
    }

    /// What runs the jobs of the connection's session, signed in as `owner`, who prepared the
    /// plan: under another sign-in it is refused.
    async fn bulk_plan_session(
        &self,
        connection_id: &str,
        owner: &PlanOwner,
    ) -> Result<Arc<dyn crate::seam::JobRunner>> {
        self.job_runner_signed_in_as(connection_id, &owner.operator_label, || {
            AppError::denied(
                "This summary was prepared for another technician. Start the action again under your own sign-in.",
            )
        })
        .await
    }

    /// Whether `plan_id` is a bulk plan kept for its job.
    pub(super) fn is_bulk_plan(&self, plan_id: &str) -> Result<bool> {
        self.bulk_plans.contains(plan_id)
    }

    /// The connection a bulk plan acts in.
    pub(super) fn bulk_plan_connection_id(&self, plan_id: &str) -> Result<String> {
        self.bulk_plans
            .with(plan_id, |record| record.plan.connection_id.clone())
    }

    /// A user left out of a bulk plan, audited in their own tenant, with why.
    fn audit_bulk_refusal(
        &self,
        operator: &PlanOwner,
        connection_id: &str,
        user: &DirectoryUser,
        action: &str,
        why: &str,
    ) {
        let parties = AuditParties {
            operator: &operator.operator_label,
            connection_id,
            tenant_id: &user.tenant_id,
            target_id: &user.id,
            target: &user.user_principal_name,
        };
        if let Err(e) = self.append_audit(AuditRecord::refused(parties, action, why)) {
            tracing::error!(error = %e, "could not audit a refusal");
        }
    }

    /// A refused approval, under the approver's name, with why (the plan stays open).
    fn audit_job_approval_refusal(
        &self,
        approver: &PlanOwner,
        connection_id: &str,
        plan_id: &str,
        action: &str,
        refusal: &AppError,
    ) {
        let parties = AuditParties {
            operator: &approver.operator_label,
            connection_id,
            tenant_id: &approver.tenant_id,
            target_id: "",
            target: "the users of a bulk job",
        };
        self.audit_refused_approval(AuditRecord {
            plan_id: Some(plan_id.to_string()),
            ..AuditRecord::refused(parties, action, approval_refused(refusal))
        });
    }
}
