//! The Console's side of operator safety (see [`crate::safety`]): what a plan must show
//! (verification options, approval, rate), and the three things the confirmation records
//! before a plan may run: the caller's verification, a one-time code, a second person's
//! approval. Each is kept on the plan in Rust; the page only sends what the operator did.

use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};

use super::confirmation::Confirmation;
use super::plan_store::PlanState;
use super::Console;
use crate::audit::{AuditEntry, AuditFilter, AuditRecord};
use crate::error::{AppError, Result};
use crate::model::AuthMethod;
use crate::safety::in_flight::{ResetSlot, RunningReset};
use crate::safety::policy::TenantAuditLog;
use crate::safety::team::TenantReset;
use crate::safety::verification::{self, ContactsOnRecord, VerificationRequirement};
use crate::safety::{
    approval, rate, team, ApprovalRecord, CodeToSend, PlanSafety, RateStatus, VerificationEvidence,
    VerificationMethod, VerificationRecord,
};
use crate::seam::{ApprovalStep, ProviderPlan, Session, SignInRequest};

/// What a count of resets says when no tenant-wide audit log could be read for it.
const NO_AUDIT_LOG: &str =
    "Counted from this desktop's log only: this directory keeps no audit log ResetDesk can read.";

/// Most audit entries read to count recent resets (far above any hourly cap).
const RECENT_ENTRIES: usize = 10_000;
/// Passed verifications of plans that ran, by (connection, operator id, target id), with when.
pub(super) type RecentVerifications =
    std::collections::HashMap<(String, String, String), (VerificationRecord, Instant)>;

/// The same call: one operator, on one connection, about one user. A caller verified for one
/// request of it is verified for the next few minutes of it.
pub(super) struct SameCaller<'a> {
    pub connection_id: &'a str,
    pub operator_id: &'a str,
    pub target_id: &'a str,
}

impl SameCaller<'_> {
    fn key(&self) -> (String, String, String) {
        (
            self.connection_id.to_string(),
            self.operator_id.to_string(),
            self.target_id.to_string(),
        )
    }
}

/// How long a caller verified for a request that ran stays verified for the same operator's
/// next request on the same user: the rest of the same call, not the next one.
pub const VERIFICATION_REUSE: Duration = Duration::from_secs(15 * 60);

pub(super) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The record of an approval given now by `approver`, with their roles as the provider names
/// them: kept on the plan and written into its run's audit entries.
pub(super) fn approval_by(approver: &super::PlanOwner, roles: Vec<String>) -> ApprovalRecord {
    ApprovalRecord {
        approver: approver.operator_label.clone(),
        approver_id: approver.operator_id.clone(),
        approver_roles: roles,
        at: now_text(),
    }
}

/// What the audit entry of a refused approval says.
pub(super) fn approval_refused(refusal: &AppError) -> String {
    if refusal.message.starts_with("Approval refused") {
        refusal.message.clone()
    } else {
        format!("Approval refused: {}", refusal.message)
    }
}

impl Console {
    /// Writes the audit entry of an approval refused to a second person (`record`, under their
    /// name); the plan stays open for another approver. An entry that cannot be written is
    /// logged: the refusal stands either way.
    pub(super) fn audit_refused_approval(&self, record: AuditRecord) {
        let plan = record.plan_id.clone().unwrap_or_default();
        if let Err(e) = self.append_audit(record) {
            tracing::error!(error = %e, plan = %plan, "could not audit a refused approval");
        }
    }

    /// Audit entries of the last day (the longest window a rule looks back over).
    pub(super) fn recent_audit_entries(&self) -> Result<Vec<AuditEntry>> {
        let hours = self.safety()?.approval.repeat_mfa_reset_hours.max(1);
        let from = Utc::now() - chrono::Duration::hours(i64::from(hours));
        let filter = AuditFilter {
            from: Some(from.to_rfc3339_opts(SecondsFormat::Secs, true)),
            ..Default::default()
        };
        self.audit.query(&filter, RECENT_ENTRIES)
    }

    /// The operator's resets in the last hour, against the cap, as `user_id`'s page shows it:
    /// this desktop's and, where the provider keeps an audit log
    /// ([`Session::tenant_resets_around`]), every other desktop's, with what the count's note
    /// says. The local log is read once.
    pub(super) async fn team_rate_status(
        &self,
        session: &dyn Session,
        user_id: &str,
        operator_label: &str,
    ) -> Result<RateStatus> {
        let recent = self.recent_audit_entries()?;
        let elsewhere = self.resets_elsewhere(session, user_id, &recent).await?;
        self.rate_with(recent, elsewhere, operator_label)
    }

    /// The operator's resets this hour: this desktop's `recent` entries and the resets made
    /// elsewhere, with the count's note.
    fn rate_with(
        &self,
        mut recent: Vec<AuditEntry>,
        (others, note): (Vec<AuditEntry>, Option<String>),
        operator_upn: &str,
    ) -> Result<RateStatus> {
        recent.extend(others);
        Ok(RateStatus {
            note,
            ..rate::rate_status(
                &recent,
                operator_upn,
                self.safety()?.rate_limits.resets_per_hour,
                Utc::now(),
            )
        })
    }

    /// The resets of the provider's audit log that `local` (this desktop's recent entries)
    /// does not hold (see `safety::team`), as entries the rules count, and what the count's
    /// note says when the log could not be read. Under `rateLimits.tenantAuditLog: "required"`
    /// a log that cannot be read refuses the reset instead.
    /// `user_id`: the user about to be reset, whose tenant's log a provider of several tenants
    /// reads (`Session::tenant_resets_around`).
    pub(super) async fn resets_elsewhere(
        &self,
        session: &dyn Session,
        user_id: &str,
        local: &[AuditEntry],
    ) -> Result<(Vec<AuditEntry>, Option<String>)> {
        let read = session
            .tenant_resets_around(user_id, self.team_window_start()?)
            .await;
        self.resets_elsewhere_in(read, local)
    }

    /// Since when the team's resets are read: the longest window a rule looks back over.
    fn team_window_start(&self) -> Result<chrono::DateTime<Utc>> {
        let hours = self.safety()?.approval.repeat_mfa_reset_hours.max(1);
        Ok(Utc::now() - chrono::Duration::hours(i64::from(hours)))
    }

    /// What a read of the provider's audit log (`read`) adds to `local`, or the refusal when
    /// the organisation requires that log and it could not be read.
    fn resets_elsewhere_in(
        &self,
        read: Result<Option<Vec<TenantReset>>>,
        local: &[AuditEntry],
    ) -> Result<(Vec<AuditEntry>, Option<String>)> {
        let policy = self.safety()?;
        match read {
            Ok(Some(events)) => Ok((
                team::others_resets(&events, local),
                None,
            )),
            Ok(None) => Ok((Vec::new(), Some(NO_AUDIT_LOG.to_string()))),
            Err(error) if policy.rate_limits.tenant_audit_log == TenantAuditLog::Required => {
                Err(AppError::denied(format!(
                    "Your organisation counts every desktop's resets from the tenant's audit log, which could not be read ({}). An account with the Reports Reader role (and the app's AuditLog.Read.All permission) can read it.",
                    error.message.trim_end_matches('.')
                )))
            }
            Err(error) => Ok((
                Vec::new(),
                Some(format!(
                    "Counted from this desktop's log only: the tenant's audit log could not be read ({}), so resets made elsewhere are not counted. The Reports Reader role lets ResetDesk read it.",
                    error.message.trim_end_matches('.')
                )),
            )),
        }
    }

    /// Reserves a slot for a reset about to run, or refuses it: the hourly cap (the audit
    /// log and the resets running now) must allow `operator` one more, and `check` — given
    /// `target_id`'s latest MFA reset, a running one included — must pass. The audit log is
    /// read under the same lock, so no reset can leave the running list for the log unseen in
    /// between. The reset counts until the slot is dropped, after its audit entry is written.
    pub(super) fn reserve_reset(
        &self,
        operator: &str,
        target_id: &str,
        mfa_reset: bool,
        others: &[AuditEntry],
        check: impl FnOnce(Option<&str>) -> Result<()>,
    ) -> Result<ResetSlot> {
        let now = Utc::now();
        let reset = RunningReset {
            operator: operator.to_string(),
            target_id: target_id.to_string(),
            mfa_reset,
            since: now,
        };
        self.running_resets.reserve(reset, |running| {
            let mut recent = self.recent_audit_entries()?;
            // Another desktop's resets, from the tenant's audit log, count as this desktop's.
            recent.extend_from_slice(others);
            let rate = rate::rate_status_with_running(
                &recent,
                running,
                operator,
                self.safety()?.rate_limits.resets_per_hour,
                now,
            );
            if rate.reached() {
                return Err(AppError::denied(rate.refusal()));
            }
            let previous = rate::previous_mfa_reset_with_running(
                &recent,
                running,
                target_id,
                self.safety()?.approval.repeat_mfa_reset_hours,
                now,
            );
            check(previous.as_deref())
        })
    }

    /// What the confirmation of a plan shows besides its steps: for a reset,
    /// the operator's resets this hour, whether a second person must approve it (the
    /// provider says whether the user is privileged; for an MFA reset, another of the same
    /// user within the window counts too), and how the caller may be verified (from what the
    /// provider gives of the user's contacts and methods). With it, the resets made elsewhere
    /// that the provider's audit log holds (the cap counts them again when the plan is kept).
    /// `user_id` is the id the session was asked for the user (`user`, its page's row).
    pub(super) async fn plan_safety(
        &self,
        session: &dyn crate::seam::Session,
        operator_label: &str,
        safety_class: crate::seam::SafetyClass,
        (user_id, user): (&str, &crate::seam::UserRow),
        privileged: Option<String>,
    ) -> Result<(PlanSafety, Vec<AuditEntry>)> {
        if !safety_class.is_reset() {
            return Ok((PlanSafety::not_applicable(), Vec::new()));
        }
        let policy = self.safety()?;
        let mut recent = self.recent_audit_entries()?;
        // Resets made elsewhere (another desktop, the admin centre) count as this desktop's,
        // where the provider keeps an audit log.
        let (elsewhere, note) = self.resets_elsewhere(session, user_id, &recent).await?;
        recent.extend(elsewhere.iter().cloned());
        let now = Utc::now();
        let rate = RateStatus {
            note,
            ..rate::rate_status(
                &recent,
                operator_label,
                policy.rate_limits.resets_per_hour,
                now,
            )
        };
        let previous_mfa_reset = safety_class
            .resets_mfa()
            .then(|| {
                rate::previous_mfa_reset(
                    &recent,
                    &user.id,
                    policy.approval.repeat_mfa_reset_hours,
                    now,
                )
            })
            .flatten();
        let subject = approval::Subject {
            id: &user.id,
            login: &user.login,
            display_name: &user.display_name,
            privileged,
        };
        let approval = approval::requirement_for(policy, &subject, previous_mfa_reset.as_deref());
        let verification = if policy.verification.methods.is_empty() {
            VerificationRequirement::not_required()
        } else {
            match session.verification_sources(user_id).await {
                Some(sources) => requirement_from(
                    &policy.verification,
                    Some(&sources.contacts),
                    &sources.methods,
                ),
                None => {
                    let mut requirement = verification::requirement(
                        &policy.verification,
                        &ContactsOnRecord::default(),
                        &[],
                    );
                    for option in &mut requirement.options {
                        if option.unavailable.is_some() {
                            option.unavailable = Some(
                                "this directory gives ResetDesk none of the user's phone numbers, manager or registered methods.".into(),
                            );
                        }
                    }
                    requirement
                }
            }
        };
        let safety = PlanSafety {
            verification,
            approval,
            rate: Some(rate),
        };
        Ok((safety, elsewhere))
    }

    /// Keeps a passed verification of a plan that ran, for the operator's follow-up requests
    /// on the same user (see [`VERIFICATION_REUSE`]), whichever provider's.
    pub(super) fn remember_verification(
        &self,
        request: &SameCaller<'_>,
        verification: Option<&VerificationRecord>,
    ) {
        let Some(verification) = verification.filter(|v| v.passed) else {
            return;
        };
        if let Ok(mut recent) = self.recent_verifications.lock() {
            recent.retain(|_, (_, at)| at.elapsed() < VERIFICATION_REUSE);
            recent.insert(request.key(), (verification.clone(), Instant::now()));
        }
    }

    /// The confirmation a new plan starts with, whichever provider's: the caller verified for
    /// this operator's request on the same user minutes ago, if any, recorded on it and shown
    /// in its summary (`safety`).
    pub(super) fn new_confirmation(
        &self,
        request: &SameCaller<'_>,
        safety: &mut PlanSafety,
    ) -> Confirmation {
        let reused = self.reusable_verification(request, safety);
        if let Some(reused) = &reused {
            safety.verification.recorded = Some(reused.clone());
        }
        Confirmation {
            verification: reused,
            ..Confirmation::default()
        }
    }

    /// A verification this operator recorded for the same user within the last few minutes,
    /// marked as reused, for a plan that offers verification.
    fn reusable_verification(
        &self,
        request: &SameCaller<'_>,
        safety: &PlanSafety,
    ) -> Option<VerificationRecord> {
        if safety.verification.options.is_empty() {
            return None;
        }
        let recent = self.recent_verifications.lock().ok()?;
        let (record, at) = recent.get(&request.key())?;
        if at.elapsed() >= VERIFICATION_REUSE {
            return None;
        }
        let minutes = at.elapsed().as_secs() / 60;
        Some(VerificationRecord {
            detail: format!(
                "{} (recorded {minutes} min ago for a request on the same user in this call)",
                record.detail
            ),
            at: now_text(),
            ..record.clone()
        })
    }

    /// The operator changed an option in the confirmation and Rust planned again: what the
    /// confirmation already recorded on plan `from` moves to plan `to` when it is the same
    /// action on the same user by the same operator; `from` can then no longer run. Anything
    /// else carries nothing.
    ///
    /// The caller's verification (who is calling) and a code waiting to be read back carry
    /// over; a second person's approval carries only when `to` does exactly what was approved
    /// (see [`approved_contents`]): a longer Temporary Access Pass or another step needs a new
    /// approval. Whatever carries keeps the first plan's time, so the request expires when the
    /// first summary would have, however often it is planned again.
    pub fn carry_over_confirmation(&self, from: &str, to: &str) -> Result<()> {
        let mut plans = self.provider_plans.all()?;
        let same_request = match (plans.get(from), plans.get(to)) {
            (Some(old), Some(new)) => {
                old.state == PlanState::Ready
                    && new.state == PlanState::Ready
                    && old.owner.operator_id == new.owner.operator_id
                    && old.plan.connection_id == new.plan.connection_id
                    && old.plan.target.id == new.plan.target.id
                    && old.plan.action == new.plan.action
            }
            _ => false,
        };
        if !same_request {
            return Ok(());
        }
        let new_contents = match plans.get(to) {
            Some(new) => approved_contents(&new.plan),
            None => return Ok(()),
        };
        let Some(old) = plans.get_mut(from) else {
            return Ok(());
        };
        old.state = PlanState::Stopped;
        let same_contents = approved_contents(&old.plan) == new_contents;
        let carried = old.confirmation.take_for_replan(same_contents);
        let first_planned = old.created;
        if let Some(new) = plans.get_mut(to) {
            if carried.records_anything() {
                new.created = new.created.min(first_planned);
            }
            new.confirmation = carried;
        }
        Ok(())
    }

    /// The connection a plan acts in (where its approver must sign in).
    pub fn plan_connection_id(&self, plan_id: &str) -> Result<String> {
        if self.is_provider_plan(plan_id)? {
            return self.provider_plan_connection_id(plan_id);
        }
        self.bulk_plan_connection_id(plan_id)
    }

    /// Makes a one-time code for the operator to send to one of the user's registered methods
    /// (`destination_id`, as offered in the plan). A new code replaces an earlier one.
    pub fn send_verification_code(
        &self,
        plan_id: &str,
        destination_id: &str,
    ) -> Result<CodeToSend> {
        self.send_provider_plan_code(plan_id, destination_id)
    }

    /// Records how the caller was verified. A verification that failed (the user did not
    /// confirm, wrong codes) stops the plan and is audited: the operator must not go on.
    /// Input to correct (an unknown number, an empty ticket, knowledge questions) records
    /// nothing.
    pub fn record_verification(
        &self,
        plan_id: &str,
        evidence: &VerificationEvidence,
    ) -> Result<VerificationRecord> {
        self.record_provider_plan_verification(plan_id, evidence)
    }

    /// A second operator approves the plan: they sign in on the spot (a fresh sign-in, never
    /// a remembered one) as the sign-in form asks (`request`: in the sandbox, the demo
    /// approver chosen; for a real tenant, in the browser given); ResetDesk reads who they are
    /// and their roles, and checks that they are someone else who may take this action on this
    /// user. A refusal is audited and the plan stays open for another approver.
    ///
    /// A bulk plan (a reset across customers) is approved for every user of its job: see
    /// `approve_bulk_plan`.
    pub async fn approve_plan(
        &self,
        plan_id: &str,
        request: SignInRequest,
    ) -> Result<ApprovalStep> {
        if self.is_bulk_plan(plan_id)? {
            let record = self.approve_bulk_plan(plan_id, request).await?;
            return Ok(ApprovalStep::Approved { record });
        }
        self.approve_provider_plan(plan_id, request).await
    }
}

/// A digest of what a second person approves: the action, its target and every step with its
/// options (a pass's lifetime, the methods removed, a last "revoke sessions"). Two plans with
/// the same digest change the same things.
fn approved_contents(plan: &ProviderPlan) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let contents = serde_json::json!({
        "connection": plan.connection_id,
        "action": plan.action,
        "target": plan.target.id,
        "steps": plan.steps,
        "choices": plan.choices,
    });
    Sha256::digest(contents.to_string().as_bytes()).into()
}

/// The enabled verification methods, filled from what the directory answered. A read that
/// failed makes the methods that needed it unavailable, with the reason; it does not stop the
/// plan (another method, e.g. a ticket, may still be used).
fn requirement_from(
    policy: &crate::safety::policy::VerificationPolicy,
    contacts: Option<&Result<ContactsOnRecord>>,
    methods: &Result<Vec<AuthMethod>>,
) -> VerificationRequirement {
    let contacts_value = match contacts {
        Some(Ok(contacts)) => contacts.clone(),
        _ => ContactsOnRecord::default(),
    };
    let methods_value = methods.clone().unwrap_or_default();
    let mut requirement = verification::requirement(policy, &contacts_value, &methods_value);
    for option in &mut requirement.options {
        let failed_read = match option.method {
            VerificationMethod::CallBack | VerificationMethod::ManagerConfirmation => {
                contacts.and_then(|c| c.as_ref().err())
            }
            VerificationMethod::OneTimeCode => methods.as_ref().err(),
            _ => None,
        };
        if let Some(error) = failed_read {
            option.unavailable = Some(format!(
                "the directory could not be read for it ({}).",
                error.message.trim_end_matches('.')
            ));
        }
    }
    requirement
}
