//! Lighthouse through the Console, as the page drives it, against the multi-tenant emulator:
//! the partner sign-in, the customers with the technician's GDAP roles, the actions a mixed
//! selection allows, users across customers, and the confirmation of "Reset all MFAs".
use std::sync::Arc;

use resetdesk_core::connection::{Connection, ProviderSettings};
use resetdesk_core::console::{lighthouse_sandbox_settings, Console, KeychainStatus, TargetRef};
use resetdesk_core::providers::sandbox::lighthouse::seed::TECHNICIAN_UPN;
use resetdesk_core::providers::sandbox::lighthouse::{LighthouseConfig, LighthouseSandbox};
use resetdesk_core::secrets::MemoryStore;
use resetdesk_core::ErrorKind;
use tempfile::TempDir;

const LH: &str = "lighthouse-test";

struct Harness {
    console: Console,
    sandbox: Arc<LighthouseSandbox>,
    _dir: TempDir,
}

async fn harness() -> Harness {
    let sandbox = Arc::new(LighthouseSandbox::start(LighthouseConfig::default()).await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let console = Console::new(
        vec![Connection {
            id: LH.into(),
            display_name: "Partner".into(),
            settings: ProviderSettings::Lighthouse(lighthouse_sandbox_settings(&sandbox)),
            sandbox: true,
        }],
        Arc::new(MemoryStore::new()),
        KeychainStatus::Available,
        dir.path().join("audit.jsonl"),
    )
    .unwrap()
    .with_lighthouse_sandbox(LH, sandbox.clone())
    .with_job_journal_dir(dir.path());
    let browser = resetdesk_core::auth::SandboxBrowser::new(TECHNICIAN_UPN).unwrap();
    console
        .lighthouse_sign_in(LH, Some(TECHNICIAN_UPN), &browser)
        .await
        .unwrap();
    Harness {
        console,
        sandbox,
        _dir: dir,
    }
}

impl Harness {
    fn tenant(&self, name: &str) -> String {
        self.sandbox.customer_by_name(name).unwrap().tenant_id
    }
}

#[tokio::test]
async fn customers_come_with_the_technicians_gdap_roles() {
    let h = harness().await;
    let view = h.console.connections().await;
    assert!(view[0].signed_in);
    assert_eq!(view[0].operator.as_ref().unwrap().user_principal_name, TECHNICIAN_UPN);
    let customers = h.console.lighthouse_customers(LH).await.unwrap();
    assert!(customers.len() >= 4, "{customers:?}");
    let fabrikam = customers.iter().find(|c| c.display_name == "Fabrikam").unwrap();
    assert!(fabrikam
        .roles
        .iter()
        .any(|r| r.display_name.contains("Authentication Administrator")));
}

#[tokio::test]
async fn a_customer_without_the_roles_removes_the_action_from_a_mixed_selection() {
    let h = harness().await;
    let allowed = vec![h.tenant("Fabrikam"), h.tenant("Woodgrove Bank")];
    let offers = h.console.lighthouse_offered_actions(LH, &allowed).await.unwrap();
    assert!(offers[0].offered, "{offers:?}");

    let mixed = vec![h.tenant("Fabrikam"), h.tenant("Tailspin Toys")];
    let offers = h.console.lighthouse_offered_actions(LH, &mixed).await.unwrap();
    assert!(!offers[0].offered);
    assert_eq!(offers[0].refusals.len(), 1);
    assert_eq!(offers[0].refusals[0].display_name, "Tailspin Toys");

    // A tenant that is not a customer is refused, whatever the page sends.
    let error = h
        .console
        .lighthouse_offered_actions(LH, &["00000000-0000-0000-0000-000000000000".to_string()])
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
}

#[tokio::test]
async fn users_of_several_customers_are_listed_together_and_planned_together() {
    let h = harness().await;
    let selection = vec![h.tenant("Fabrikam"), h.tenant("Woodgrove Bank")];
    let users = h.console.lighthouse_users(LH, &selection, "").await.unwrap();
    let fabrikam: Vec<_> = users.iter().filter(|u| u.customer_name == "Fabrikam").collect();
    let woodgrove: Vec<_> = users.iter().filter(|u| u.customer_name == "Woodgrove Bank").collect();
    assert!(!fabrikam.is_empty() && !woodgrove.is_empty());

    let targets = vec![
        TargetRef {
            tenant_id: fabrikam[0].user.tenant_id.clone(),
            user_id: fabrikam[0].user.id.clone(),
        },
        TargetRef {
            tenant_id: woodgrove[0].user.tenant_id.clone(),
            user_id: woodgrove[0].user.id.clone(),
        },
    ];
    let plan = h.console.lighthouse_plan_reset(LH, &targets).await.unwrap();
    assert_eq!(plan.plan.customers.len(), 2);
    assert_eq!(plan.plan.users.len(), 2);
    assert!(plan.plan.total_methods >= 4, "{plan:?}");
    assert!(plan.plan.users.iter().all(|u| !u.remove.is_empty()));

    let details = h
        .console
        .lighthouse_user_details(LH, &targets[0].tenant_id, &targets[0].user_id)
        .await
        .unwrap();
    assert!(details.methods.len() >= 3);
    assert!(details.actions[0].offered);
}

#[tokio::test]
async fn planning_for_a_customer_that_may_not_reset_is_refused_and_audited() {
    let h = harness().await;
    let tailspin = h.tenant("Tailspin Toys");
    let users = h
        .console
        .lighthouse_users(LH, std::slice::from_ref(&tailspin), "")
        .await
        .unwrap();
    let error = h
        .console
        .lighthouse_plan_reset(
            LH,
            &[TargetRef {
                tenant_id: tailspin.clone(),
                user_id: users[0].user.id.clone(),
            }],
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied, "{error:?}");
    let entry = h.console.list_audit(1).unwrap().remove(0);
    assert_eq!(entry.record.tenant_id, tailspin);
    assert_eq!(entry.record.outcome, resetdesk_core::audit::AuditOutcome::Refused);
}
