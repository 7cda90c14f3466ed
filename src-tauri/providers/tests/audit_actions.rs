//! The audit log with the actions of the providers this ResetDesk ships: what an entry of one
//! keeps (never the one-time secret), and the Activity screen's filter by an action's id,
//! which the Console turns into the label its provider's entries keep.

use std::sync::Arc;

use resetdesk_core::audit::{AuditFilter, AuditLog, AuditOutcome, AuditRecord};
use resetdesk_core::console::KeychainStatus;
use resetdesk_core::model::{DirectoryUser, Operator, Outcome, RoleRef, StepStatus};
use resetdesk_core::password::generate_temporary_password;
use resetdesk_core::secrets::MemoryStore;
use resetdesk_providers::entra::actions::ActionKind;
use resetdesk_providers::entra::planner::build_plan;
use resetdesk_providers::entra::policy::role_ids;
use secrecy::ExposeSecret;

/// An entry for the filter test: operator, target, action and outcome set per entry.
fn varied(operator: &str, target: &str, action: &str, outcome: AuditOutcome) -> AuditRecord {
    AuditRecord {
        verification: None,
        approval: None,
        operator: operator.into(),
        connection_id: "conn".into(),
        tenant_id: "tenant".into(),
        target_id: format!("id-of-{target}"),
        target: target.into(),
        action: action.into(),
        plan_id: None,
        plan: vec![],
        reason: "ticket INC-1".into(),
        outcome,
        steps: vec![],
        message: None,
        safety_class: None,
    }
}

#[test]
fn a_password_reset_record_never_contains_the_temporary_password() {
    let operator = Operator {
        connection_id: "conn".into(),
        tenant_id: "tenant".into(),
        id: "op".into(),
        user_principal_name: "helpdesk@contoso.sandbox".into(),
        display_name: "Helpdesk".into(),
        roles: vec![RoleRef {
            template_id: role_ids::HELPDESK_ADMINISTRATOR.into(),
            display_name: "Helpdesk Administrator".into(),
        }],
    };
    let adele = DirectoryUser {
        id: "adele".into(),
        user_principal_name: "adele.vance@contoso.sandbox".into(),
        display_name: "Adele Vance".into(),
        roles_known: true,
        ..Default::default()
    };
    let password = generate_temporary_password();
    let plan = build_plan(ActionKind::ResetPassword, "conn", &operator, &adele, &[]).unwrap();
    // Everything a caller has at hand goes in; the record has no field for the password.
    let record = AuditRecord {
        verification: None,
        approval: None,
        operator: operator.user_principal_name.clone(),
        connection_id: plan.connection_id.clone(),
        tenant_id: plan.tenant_id.clone(),
        target_id: adele.id.clone(),
        target: adele.user_principal_name.clone(),
        action: plan.action.label().into(),
        plan_id: Some(plan.id.clone()),
        plan: plan.steps.iter().map(|s| s.summary.clone()).collect(),
        reason: "INC-42 locked out".into(),
        outcome: AuditOutcome::Succeeded,
        steps: vec![Outcome {
            step_index: 0,
            status: StepStatus::Succeeded,
            message: "Temporary password set; it must be changed at next sign-in".into(),
            request_id: Some("req-1".into()),
            at: plan.created_at.clone(),
        }],
        message: None,
        safety_class: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    AuditLog::open(&path).unwrap().append(record).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("Set a temporary password for Adele Vance"));
    assert!(!written.contains(password.expose_secret()));
}

#[test]
fn the_activity_filter_names_an_action_by_its_id_as_the_page_sends_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).unwrap();
    for (operator, target, action, outcome) in [
        (
            "helpdesk@contoso.sandbox",
            "adele.vance@contoso.sandbox",
            "Reset password",
            AuditOutcome::Succeeded,
        ),
        (
            "authadmin@contoso.sandbox",
            "adele.vance@contoso.sandbox",
            "Revoke sessions",
            AuditOutcome::Refused,
        ),
        (
            "HelpDesk@contoso.sandbox",
            "megan.bowen@contoso.sandbox",
            "Reset password",
            AuditOutcome::Failed,
        ),
        (
            "helpdesk@contoso.sandbox",
            "alex.wilber@contoso.sandbox",
            "Require re-register MFA",
            AuditOutcome::Succeeded,
        ),
        (
            "helpdesk@contoso.sandbox",
            "lee.gu@contoso.sandbox",
            "Reset MFA (Zoho)",
            AuditOutcome::Succeeded,
        ),
        (
            "helpdesk@contoso.sandbox",
            "bob@contoso.sandbox",
            "Reset 2-Factor Token",
            AuditOutcome::Succeeded,
        ),
    ] {
        log.append(varied(operator, target, action, outcome))
            .unwrap();
    }
    drop(log);
    let console = resetdesk_providers::built_in_console(
        vec![],
        Arc::new(MemoryStore::new()),
        KeychainStatus::Available,
        path,
    )
    .unwrap();
    let query = |filter: AuditFilter| {
        let entries = console.query_audit(&filter, 100).unwrap();
        entries.iter().map(|e| e.seq).collect::<Vec<u64>>()
    };

    assert_eq!(
        query(AuditFilter {
            action: Some("requireReregisterMfa".into()),
            ..Default::default()
        }),
        vec![4],
        "the IPC name of the action"
    );
    assert_eq!(
        query(AuditFilter {
            operator: Some("helpdesk".into()),
            action: Some("resetPassword".into()),
            outcome: Some(AuditOutcome::Succeeded),
            ..Default::default()
        }),
        vec![1],
        "all fields at once"
    );
    assert_eq!(
        query(AuditFilter {
            action: Some("REQUIREREREGISTERMFA".into()),
            ..Default::default()
        }),
        vec![4],
        "an id, like the rest of the filter, whatever its case"
    );
    assert_eq!(
        query(AuditFilter {
            action: Some("zohoResetMfa".into()),
            ..Default::default()
        }),
        vec![5],
        "another provider's action, by its id"
    );
    assert_eq!(
        query(AuditFilter {
            action: Some("psResetToken".into()),
            ..Default::default()
        }),
        vec![6],
        "by the label its provider's entries keep (Privilege Secure's offer), not the model's"
    );
    assert_eq!(
        query(AuditFilter {
            action: Some("Revoke sessions".into()),
            ..Default::default()
        }),
        vec![2],
        "a label stays a label"
    );
}
