//! A second person's approval of a Lighthouse reset. The rules are Entra's, applied to each
//! user in their own customer (an admin role or a role-assignable group, the VIP list, a
//! second MFA reset within the window), and a job of more users than the policy's
//! `bulkUsersAbove` needs one for the whole job. The approver signs in to the partner tenant
//! on the spot, as a technician does; their sign-in is used for one read of who they are and
//! their GDAP roles, then dropped (an approval is not a session). They must be someone else,
//! allowed by their own roles to take the action on every user of the job.

use std::sync::Arc;

use chrono::{SecondsFormat, Utc};

use super::Console;
use crate::audit::{AuditParties, AuditRecord};
use crate::error::{AppError, Result};
use crate::model::{DirectoryUser, Operator};
use crate::providers::entra::actions::ActionKind;
use crate::providers::entra::policy::{decide, Decision};
use crate::providers::entra::provider::approval_subject;
use crate::providers::lighthouse::provider::LighthouseSession;
use crate::providers::lighthouse::reads::per_tenant;
use crate::providers::lighthouse::ResetPlan;
use crate::providers::lighthouse::{CustomerAccess, LighthouseAction, LighthouseClient};
use crate::safety::policy::TenantAuditLog;
use crate::safety::{approval, rate, team, ApprovalRecord, ApprovalRequirement};
use crate::seam::{Session, SignInRequest, SignInStep};

/// Approvers refused on the first few users are named; the rest are counted.
const REFUSALS_SHOWN: usize = 3;

impl Console {
    /// Whether a reset of `targets` (read with their roles and groups) needs a second
    /// person now: each user's rules with their latest MFA reset — in this desktop's audit log
    /// and in their customer's directory audit log, so that a reset from another desktop or
    /// the admin centre counts (issue 15) — and the job's size. A customer whose log cannot
    /// be read is counted from this desktop's log only, with a note naming it (one of the
    /// returned notes); under `rateLimits.tenantAuditLog: "required"` the plan is refused.
    pub(super) async fn lighthouse_approval_requirement(
        &self,
        client: &LighthouseClient,
        plan: &ResetPlan,
        targets: &[DirectoryUser],
    ) -> Result<(ApprovalRequirement, Vec<String>)> {
        let policy = self.safety()?.clone();
        let hours = policy.approval.repeat_mfa_reset_hours;
        let mut recent = self.recent_audit_entries()?;
        let mut elsewhere = Vec::new();
        let mut notes = Vec::new();
        if hours > 0 {
            let since = Utc::now() - chrono::Duration::hours(i64::from(hours));
            let mut tenants: Vec<String> = targets
                .iter()
                .map(|t| t.tenant_id.to_ascii_lowercase())
                .collect();
            tenants.sort();
            tenants.dedup();
            let reads = per_tenant(tenants, String::clone, |tenant| async move {
                let read = client.customer_mfa_resets_since(&tenant, since).await;
                (tenant, read)
            })
            .await;
            for (tenant, read) in reads {
                let customer = customer_name(plan, &tenant);
                match read {
                    Ok(events) => elsewhere.extend(team::others_resets(&events, &recent)),
                    Err(error) if policy.rate_limits.tenant_audit_log == TenantAuditLog::Required => {
                        return Err(AppError::denied(format!(
                            "Your organisation counts every desktop's resets from each customer's audit log, and {customer}'s could not be read ({}). A GDAP role that may read audit logs there (least privileged: Reports Reader), with the app's AuditLog.Read.All permission, lets ResetDesk read it.",
                            error.message.trim_end_matches('.')
                        )));
                    }
                    Err(error) => notes.push(format!(
                        "{customer}: an earlier MFA reset is looked for in this desktop's log only — the customer's audit log could not be read ({}), so one made from another desktop or the admin centre is not seen. A GDAP role that may read audit logs there (least privileged: Reports Reader) lets ResetDesk read it.",
                        error.message.trim_end_matches('.')
                    )),
                }
            }
        }
        recent.extend(elsewhere);
        let now = Utc::now();
        // Each user under Entra's rules in their customer (an admin role or a role-assignable
        // group is privileged), with their latest MFA reset.
        let with_previous: Vec<_> = targets
            .iter()
            .map(|target| {
                (
                    approval_subject(target),
                    rate::previous_mfa_reset(&recent, &target.id, hours, now),
                )
            })
            .collect();
        Ok((approval::bulk_requirement(&policy, &with_previous), notes))
    }

    /// A second technician approves the plan: they sign in to the partner tenant as the
    /// approval form asks (`request`: a fresh sign-in in the browser; in the sandbox, the demo
    /// account chosen) through the provider's approver sign-in, which keeps nothing; ResetDesk
    /// checks they are someone else whose own GDAP roles allow the reset of every user in the
    /// job. A refusal is audited and the plan stays open for another approver.
    pub async fn lighthouse_approve_plan(
        &self,
        plan_id: &str,
        request: SignInRequest,
    ) -> Result<ApprovalRecord> {
        let (connection_id, operator_upn, targets) =
            self.lighthouse
                .plans
                .with_ready(plan_id, self.plan_validity, |record| {
                    record
                        .confirmation
                        .ensure_awaiting_approval(record.plan.approval.required)?;
                    Ok((
                        record.plan.connection_id.clone(),
                        record.owner.operator_label.clone(),
                        record.kept.clone(),
                    ))
                })?;
        let session = self.lighthouse_session(&connection_id).await?;
        if !session
            .operator
            .user_principal_name
            .eq_ignore_ascii_case(&operator_upn)
        {
            return Err(AppError::denied(
                "This summary was prepared for another technician. Start the action again under your own sign-in.",
            ));
        }
        let connection = self.connection(&connection_id)?;
        let approver = match self
            .provider_of(&connection)?
            .approver_sign_in(&connection, request)
            .await?
        {
            SignInStep::Done(approver) => approver,
            _ => {
                return Err(AppError::internal(
                    "The partner's sign-in answered a step it never takes.",
                ))
            }
        };
        let approver: Arc<dyn std::any::Any + Send + Sync> = approver;
        let approver = approver
            .downcast::<LighthouseSession>()
            .map_err(|_| AppError::internal("The approver's sign-in is not a partner's."))?;
        // An approval is not a session: read here, then dropped (never kept, never signed out).
        let who = approver.operator().clone();
        if let Some(refusal) = approver.approval_sign_in_refusal() {
            self.audit_job_approval_refusal(&who, &connection_id, plan_id, &refusal);
            return Err(refusal);
        }
        if let Err(refusal) = check_lighthouse_approver(
            &session.operator,
            &who,
            approver.customers_at_sign_in(),
            &targets,
        ) {
            self.audit_job_approval_refusal(&who, &connection_id, plan_id, &refusal);
            return Err(refusal);
        }
        let record = ApprovalRecord {
            approver: who.user_principal_name.clone(),
            approver_id: who.id.clone(),
            approver_roles: approver.roles(),
            at: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        };
        self.lighthouse
            .plans
            .with_ready(plan_id, self.plan_validity, |open| {
                open.confirmation.record_approval(record.clone())
            })?;
        tracing::info!(plan = %plan_id, approver = %record.approver, "bulk plan approved");
        Ok(record)
    }

    /// A refused approval, under the approver's name, with why (the plan stays open).
    fn audit_job_approval_refusal(
        &self,
        approver: &Operator,
        connection_id: &str,
        plan_id: &str,
        refusal: &AppError,
    ) {
        let parties = AuditParties {
            operator: &approver.user_principal_name,
            connection_id,
            tenant_id: &approver.tenant_id,
            target_id: "",
            target: "the users of a bulk job",
        };
        self.audit_refused_approval(AuditRecord {
            plan_id: Some(plan_id.to_string()),
            ..AuditRecord::refused(
                parties,
                LighthouseAction::ResetAllMfa.label(),
                super::safety_checks::approval_refused(refusal),
            )
        });
    }
}

/// The customer's name as the plan shows it, or its tenant id.
fn customer_name(plan: &ResetPlan, tenant_id: &str) -> String {
    plan.customers
        .iter()
        .find(|c| c.tenant_id.eq_ignore_ascii_case(tenant_id))
        .map_or_else(|| tenant_id.to_string(), |c| c.display_name.clone())
}

/// Whether `approver` may approve `technician`'s reset of `targets`: a different person
/// whose own roles in each target's customer allow the reset of that user (Entra's rules,
/// as for the technician). Pure: the caller read everything.
fn check_lighthouse_approver(
    technician: &Operator,
    approver: &Operator,
    customers: &[CustomerAccess],
    targets: &[DirectoryUser],
) -> Result<()> {
    if approver.id.eq_ignore_ascii_case(&technician.id) {
        return Err(AppError::denied(
            "The approver must be a second person: you cannot approve your own request. Ask a colleague to sign in.",
        ));
    }
    let mut refusals = Vec::new();
    for target in targets {
        let customer = customers
            .iter()
            .find(|c| c.tenant_id.eq_ignore_ascii_case(&target.tenant_id) && c.is_active());
        let why = match customer {
            None => Some(format!(
                "{} has no active delegated access to the customer of {}.",
                approver.user_principal_name, target.user_principal_name
            )),
            Some(customer) => {
                let in_customer = Operator {
                    tenant_id: customer.tenant_id.clone(),
                    roles: customer.roles.clone(),
                    ..approver.clone()
                };
                match decide(ActionKind::RequireReregisterMfa, &in_customer, target) {
                    Decision::Allowed => None,
                    Decision::Denied { reason } => {
                        Some(format!("in {}: {reason}", customer.display_name))
                    }
                }
            }
        };
        if let Some(why) = why {
            refusals.push(why);
        }
    }
    if refusals.is_empty() {
        return Ok(());
    }
    let more = refusals.len().saturating_sub(REFUSALS_SHOWN);
    refusals.truncate(REFUSALS_SHOWN);
    let mut message = format!(
        "{} cannot approve this: {}",
        approver.user_principal_name,
        refusals.join(" ")
    );
    if more > 0 {
        message.push_str(&format!(" (and {more} more users they may not reset)"));
    }
    message.push_str(" Ask a technician whose roles cover every user of the job.");
    Err(AppError::denied(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::model::RoleRef;
    use crate::providers::entra::policy::role_ids;

    fn person(id: &str) -> Operator {
        Operator {
            connection_id: "lh".into(),
            tenant_id: "partner".into(),
            id: id.into(),
            user_principal_name: format!("{id}@partner.sandbox"),
            display_name: id.into(),
            roles: Vec::new(),
        }
    }

    fn customer(tenant: &str, status: &str, role: &str) -> CustomerAccess {
        CustomerAccess {
            tenant_id: tenant.into(),
            display_name: format!("Customer {tenant}"),
            relationship_id: "r".into(),
            relationship_status: status.into(),
            roles: vec![RoleRef {
                template_id: role.into(),
                display_name: "role".into(),
            }],
        }
    }

    fn target(tenant: &str, id: &str, admin: bool) -> DirectoryUser {
        DirectoryUser {
            tenant_id: tenant.into(),
            id: id.into(),
            user_principal_name: format!("{id}@{tenant}.sandbox"),
            display_name: id.into(),
            admin_roles: if admin {
                vec![RoleRef {
                    template_id: role_ids::GLOBAL_ADMINISTRATOR.into(),
                    display_name: "Global Administrator".into(),
                }]
            } else {
                Vec::new()
            },
            roles_known: true,
            role_assignable_group_known: true,
            ..Default::default()
        }
    }

    #[test]
    fn an_approver_must_be_someone_else_allowed_to_reset_every_user_of_the_job() {
        let technician = person("tech");
        let lead = person("lead");
        let auth_admin = role_ids::AUTHENTICATION_ADMINISTRATOR;
        let privileged = role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR;
        let users = vec![target("a", "ada", false), target("b", "ben", true)];

        // Themselves.
        let own = check_lighthouse_approver(
            &technician,
            &person("TECH"),
            &[customer("a", "active", privileged)],
            &users,
        )
        .unwrap_err();
        assert!(own.message.contains("second person"), "{own:?}");

        // Roles that cover both users: allowed.
        let both = [
            customer("a", "active", auth_admin),
            customer("b", "active", privileged),
        ];
        check_lighthouse_approver(&technician, &lead, &both, &users).unwrap();

        // An Authentication Administrator in b may not reset b's administrator.
        let weak = [
            customer("a", "active", auth_admin),
            customer("b", "active", auth_admin),
        ];
        let refused = check_lighthouse_approver(&technician, &lead, &weak, &users).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Denied);
        assert!(refused.message.contains("in Customer b"), "{refused:?}");
        assert!(!refused.message.contains("in Customer a"), "{refused:?}");

        // No active relationship with a's customer.
        let expired = [
            customer("a", "expired", privileged),
            customer("b", "active", privileged),
        ];
        let refused = check_lighthouse_approver(&technician, &lead, &expired, &users).unwrap_err();
        assert!(
            refused.message.contains("no active delegated access"),
            "{refused:?}"
        );
    }
}
