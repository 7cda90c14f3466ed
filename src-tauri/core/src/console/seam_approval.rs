//! A second person's approval of a seam provider's reset (a privileged or VIP user, under the
//! organisation's approval rules), as Entra's plans have it: the approver signs in on the spot
//! through the provider's own sign-in (`Provider::approver_sign_in`, which keeps nothing), and
//! the Console checks that they are someone else, in the same organisation, not the user, and
//! that the provider would offer them this action on this user themselves. A refusal is
//! audited and the plan stays open for another approver; the approval is kept on the plan and
//! written into its run's audit entry.

use super::provider_actions::{provider_audit_record, PlanOwner, ProviderPlan};
use super::safety_checks::{approval_by, approval_refused};
use super::Console;
use crate::audit::AuditOutcome;
use crate::error::{AppError, ErrorKind, Result};
use crate::seam::{ApprovalStep, Session, SignInRequest, SignInStep};

impl Console {
    /// Approves seam plan `plan_id` with the approver `request` signs in. A device sign-in
    /// answers with the code to show first.
    pub(super) async fn approve_provider_plan(
        &self,
        plan_id: &str,
        request: SignInRequest,
    ) -> Result<ApprovalStep> {
        let (plan, owner) =
            self.provider_plans
                .with_ready(plan_id, self.plan_validity, |record| {
                    record
                        .confirmation
                        .ensure_awaiting_approval(record.plan.safety.approval.required)?;
                    Ok((record.plan.clone(), record.owner.clone()))
                })?;
        let connection = self.connection(&plan.connection_id)?;
        let provider = self.provider_of(&connection)?;
        if provider.asks_for_account(&connection)
            && request.device_code.is_none()
            && request.account.trim().is_empty()
        {
            return Err(AppError::invalid_input(
                "Enter the approver's account, then sign in to approve.",
            ));
        }
        let approver = match provider.approver_sign_in(&connection, request).await? {
            SignInStep::Done(session) => session,
            SignInStep::DeviceCode(prompt) => return Ok(ApprovalStep::DeviceCode { prompt }),
            SignInStep::DoneAndMoved { .. } => {
                return Err(AppError::invalid_input(
                    "The approver's account is kept in another data centre than this connection's organisation. Ask an administrator of this organisation to sign in to approve.",
                ))
            }
            SignInStep::UntrustedCertificate { .. } => {
                return Err(AppError::invalid_input(
                    "The server presented a certificate this connection does not trust, so nobody was signed in. Check with the server's administrator.",
                ))
            }
        };
        let who = approver.owner();
        let roles = approver.roles();
        let verdict = may_approve(&plan, &owner, approver.as_ref()).await;
        // An approval is not a session: dropped here, never kept, never signed out (that would
        // end the operator's own sign-in where the provider keeps one per connection).
        drop(approver);
        if let Err(refusal) = verdict {
            if refusal.kind == ErrorKind::Denied {
                self.audit_refused_approval(provider_audit_record(
                    &plan,
                    &who,
                    "",
                    AuditOutcome::Refused,
                    Vec::new(),
                    Some(approval_refused(&refusal)),
                ));
            }
            return Err(refusal);
        }
        let record = approval_by(&who, roles);
        self.provider_plans
            .with_ready(plan_id, self.plan_validity, |entry| {
                entry.confirmation.record_approval(record.clone())
            })?;
        tracing::info!(plan = %plan.id, approver = %record.approver, "plan approved");
        Ok(ApprovalStep::Approved { record })
    }
}

/// Whether `approver` may approve `plan`, which `owner` prepared: someone else, in the same
/// organisation, not the user it is for, to whom the provider — reading the user live, under
/// the approver's own rights — offers the same action.
async fn may_approve(plan: &ProviderPlan, owner: &PlanOwner, approver: &dyn Session) -> Result<()> {
    if let Some(refusal) = approver.approval_sign_in_refusal() {
        return Err(refusal);
    }
    let who = approver.owner();
    // The provider's id of the account, and its login however it was typed: either names the
    // operator.
    if who.operator_id == owner.operator_id
        || who
            .operator_label
            .eq_ignore_ascii_case(&owner.operator_label)
    {
        return Err(AppError::denied(
            "The approver must be a second person: you cannot approve your own request. Ask a colleague to sign in.",
        ));
    }
    if who.tenant_id != owner.tenant_id {
        return Err(AppError::denied(format!(
            "{} signed in to another organisation than this request's. The approver signs in to the same one.",
            who.operator_label
        )));
    }
    if who.operator_id == plan.target.id
        || who.operator_label.eq_ignore_ascii_case(&plan.target.detail)
    {
        return Err(AppError::denied(
            "The user this action is for cannot approve it. Ask another administrator to sign in.",
        ));
    }
    let cannot = |why: &str| {
        AppError::denied(format!(
            "{} cannot approve this: {}",
            who.operator_label,
            why.trim()
        ))
    };
    let page = match approver.user_page(&plan.target.id).await {
        Ok(page) => page,
        Err(refusal) if refusal.kind == ErrorKind::Denied => return Err(cannot(&refusal.message)),
        Err(other) => return Err(other),
    };
    match page.offers.iter().find(|offer| offer.action == plan.action) {
        Some(offer) if offer.allowed => Ok(()),
        Some(offer) => {
            Err(cannot(offer.reason.as_deref().unwrap_or(
                "this action is not offered to them for this user.",
            )))
        }
        None => Err(cannot("this action is not offered to them for this user.")),
    }
}
