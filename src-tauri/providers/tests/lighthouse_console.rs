//! Lighthouse through the Console, as the page drives it, against the multi-tenant emulator:
//! the partner sign-in, the customers with the technician's GDAP roles, the actions a mixed
//! selection allows, users across customers, and the confirmation of "Reset all MFAs".
use std::sync::Arc;

use resetdesk_core::connection::{Connection, ProviderSettings};
use resetdesk_core::console::{BulkJobState, BulkUserState, Console, KeychainStatus, RunOutcome};
use resetdesk_core::secrets::{MemoryStore, SecretStore};
use resetdesk_core::ErrorKind;
use resetdesk_providers::lighthouse::console::TargetRef;
use resetdesk_providers::LighthouseConsole;
use resetdesk_sandbox::lighthouse::seed::{LEAD_UPN, TECHNICIAN_UPN};
use resetdesk_sandbox::lighthouse::{LighthouseConfig, LighthouseSandbox};
use tempfile::TempDir;

const LH: &str = "lighthouse-test";

struct Harness {
    console: Console,
    sandbox: Arc<LighthouseSandbox>,
    _dir: TempDir,
}

async fn harness() -> Harness {
    harness_with(LighthouseConfig::default()).await
}

async fn harness_with(config: LighthouseConfig) -> Harness {
    harness_built(config, |console| console).await
}

/// A harness whose Console `customize` sets up further (e.g. a job age limit).
async fn harness_built(
    config: LighthouseConfig,
    customize: impl FnOnce(Console) -> Console,
) -> Harness {
    let sandbox = Arc::new(LighthouseSandbox::start(config).await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let console = resetdesk_providers::built_in_console(
        vec![Connection {
            id: LH.into(),
            display_name: "Partner".into(),
            settings: ProviderSettings::Lighthouse(sandbox.settings()),
            sandbox: true,
        }],
        Arc::new(MemoryStore::new()),
        KeychainStatus::Available,
        dir.path().join("audit.jsonl"),
    )
    .unwrap()
    .with_lighthouse_sandbox(LH, sandbox.clone())
    .with_job_journal_dir(dir.path());
    let console = customize(console);
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

/// A Console over the sandbox partner with `settings` and the secret store `store` (two
/// Consoles over one store are two starts of the app), its audit log in `dir`.
fn partner_console(
    sandbox: &Arc<LighthouseSandbox>,
    store: Arc<MemoryStore>,
    settings: resetdesk_core::connection::LighthouseSettings,
    dir: &std::path::Path,
) -> Console {
    resetdesk_providers::built_in_console(
        vec![Connection {
            id: LH.into(),
            display_name: "Partner".into(),
            settings: ProviderSettings::Lighthouse(settings),
            sandbox: true,
        }],
        store,
        KeychainStatus::Available,
        dir.join("audit.jsonl"),
    )
    .unwrap()
    .with_lighthouse_sandbox(LH, sandbox.clone())
}

impl Harness {
    fn tenant(&self, name: &str) -> String {
        self.sandbox.customer_by_name(name).unwrap().tenant_id
    }

    /// How many times the emulator deleted `method` (deactivated it, for a hardware OATH token).
    fn times_taken_away(
        &self,
        tenant_id: &str,
        user_id: &str,
        method: &resetdesk_core::model::AuthMethod,
    ) -> u32 {
        if method.kind == resetdesk_core::model::AuthMethodKind::HardwareOath {
            self.sandbox
                .deactivations_of(tenant_id, user_id, &method.id)
        } else {
            self.sandbox.deletions_of(tenant_id, user_id, &method.id)
        }
    }

    /// Neither an administrator nor in a role-assignable group: no second person needed.
    fn is_plain(&self, user_id: &str) -> bool {
        !self.sandbox.customers().iter().any(|c| {
            c.users
                .iter()
                .any(|s| s.id == user_id && (s.privileged || s.in_role_assignable_group))
        })
    }

    /// The team lead approves `plan` in the sandbox partner (a second person whose GDAP roles
    /// cover the technician's).
    async fn approve_as_lead(&self, plan: &resetdesk_core::console::BulkPlan) {
        self.console
            .approve_plan(&plan.id, resetdesk_testkit::demo_sign_in(LEAD_UPN))
            .await
            .unwrap();
    }
}

/// Signing out removes the partner's refresh token from the keychain: the next start does not
/// sign the technician back in silently.
#[tokio::test]
async fn sign_out_removes_the_partners_refresh_token_and_the_next_start_stays_signed_out() {
    let sandbox = Arc::new(
        LighthouseSandbox::start(LighthouseConfig::default())
            .await
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::new());
    let console =
        |store: Arc<MemoryStore>| partner_console(&sandbox, store, sandbox.settings(), dir.path());
    let first = console(store.clone());
    let browser = resetdesk_core::auth::SandboxBrowser::new(TECHNICIAN_UPN).unwrap();
    first
        .lighthouse_sign_in(LH, Some(TECHNICIAN_UPN), &browser)
        .await
        .unwrap();
    assert!(store.get(LH, "refresh_token").unwrap().is_some());

    first.sign_out(LH).await.unwrap();
    assert!(
        store.get(LH, "refresh_token").unwrap().is_none(),
        "no credential is left"
    );
    let next = console(store.clone());
    next.resume_sessions().await;
    assert!(!next.connections().await[0].signed_in);
}

#[tokio::test]
async fn customers_come_with_the_technicians_gdap_roles() {
    let h = harness().await;
    let view = h.console.connections().await;
    assert!(view[0].signed_in);
    assert_eq!(
        view[0].operator.as_ref().unwrap().user_principal_name,
        TECHNICIAN_UPN
    );
    let customers = h.console.directory_tenants(LH).await.unwrap();
    assert!(customers.len() >= 4, "{customers:?}");
    let fabrikam = customers
        .iter()
        .find(|c| c.display_name == "Fabrikam")
        .unwrap();
    assert!(fabrikam
        .roles
        .iter()
        .any(|r| r.display_name.contains("Authentication Administrator")));
}

/// A partner's card says its users live in several tenants (the page lists them with the
/// customer selector), and those lists check the search text as the one users list does.
#[tokio::test]
async fn a_partners_users_are_listed_across_customers_with_the_search_text_checked() {
    let h = harness().await;
    assert!(h.console.connections().await[0].lists_tenants);
    let fabrikam = vec![h.tenant("Fabrikam")];
    let too_long = "a".repeat(300);
    for refused in [
        h.console
            .directory_tenant_users(LH, &fabrikam, &too_long)
            .await
            .unwrap_err(),
        h.console
            .directory_tenant_methods(LH, &fabrikam, &too_long)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");
        assert!(
            refused.message.contains("name or UPN"),
            "{}",
            refused.message
        );
    }
}

/// The one users list's search is not Lighthouse's: asked for a signed-in partner connection,
/// it says what the connection is instead of claiming nobody is signed in (which the page would
/// take for a lost session).
#[tokio::test]
async fn the_one_users_search_refuses_a_lighthouse_connection_by_what_it_is() {
    let h = harness().await;
    let refused = h.console.directory_search(LH, "adele").await.unwrap_err();
    assert_eq!(
        refused.kind,
        resetdesk_core::ErrorKind::InvalidInput,
        "{refused:?}"
    );
    assert!(
        refused.message.contains("Lighthouse"),
        "{}",
        refused.message
    );
    assert!(h.console.connections().await[0].signed_in);
}

#[tokio::test]
async fn a_customers_user_page_names_the_customer_and_one_without_it_is_refused_with_what_to_do() {
    let h = harness().await;
    let refused = h
        .console
        .directory_user_in(LH, None, "someone")
        .await
        .unwrap_err();
    assert_eq!(
        refused.kind,
        resetdesk_core::ErrorKind::InvalidInput,
        "{refused:?}"
    );
    assert!(
        refused.message.contains("in their customer's tenant"),
        "{}",
        refused.message
    );

    let tailspin = h.sandbox.customer_by_name("Tailspin Toys").unwrap();
    let user = &tailspin.users[0];
    let page = h
        .console
        .directory_user_in(LH, Some(&tailspin.tenant_id), &user.id)
        .await
        .unwrap();
    assert_eq!(page.user.id, user.id);
    assert_eq!(page.user.detail.as_deref(), Some("Tailspin Toys"));
    let customer = page.facts.iter().find(|f| f.key == "customer").unwrap();
    assert_eq!(
        serde_json::to_value(&customer.value).unwrap()["value"],
        "Tailspin Toys"
    );
    // Tailspin Toys' roles do not allow the reset: refused before planning, naming the customer.
    let reset = &page.offers[0];
    assert_eq!(reset.action, "resetAllMfa");
    assert!(!reset.allowed);
    assert!(
        reset
            .reason
            .as_deref()
            .is_some_and(|why| why.starts_with("Tailspin Toys: ")),
        "{reset:?}"
    );
}

#[tokio::test]
async fn a_customer_without_the_roles_removes_the_action_from_a_mixed_selection() {
    let h = harness().await;
    let allowed = vec![h.tenant("Fabrikam"), h.tenant("Woodgrove Bank")];
    let offers = h
        .console
        .directory_tenant_users(LH, &allowed, "")
        .await
        .unwrap()
        .offers;
    assert!(offers[0].offered, "{offers:?}");

    let mixed = vec![h.tenant("Fabrikam"), h.tenant("Tailspin Toys")];
    let offers = h
        .console
        .directory_tenant_users(LH, &mixed, "")
        .await
        .unwrap()
        .offers;
    assert!(!offers[0].offered);
    assert_eq!(offers[0].refusals.len(), 1);
    assert_eq!(offers[0].refusals[0].display_name, "Tailspin Toys");

    // A tenant that is not a customer is refused, whatever the page sends.
    let error = h
        .console
        .directory_tenant_users(
            LH,
            &["00000000-0000-0000-0000-000000000000".to_string()],
            "",
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
}

#[tokio::test]
async fn users_of_several_customers_are_listed_together_and_planned_together() {
    let h = harness().await;
    let selection = vec![h.tenant("Fabrikam"), h.tenant("Woodgrove Bank")];
    let users = h
        .console
        .directory_tenant_users(LH, &selection, "")
        .await
        .unwrap()
        .users;
    // Administrators and role-assignable group members are left out in Fabrikam (see the
    // next test): plain users here.
    let plain = |u: &&resetdesk_core::model::tenants::TenantUserRow| h.is_plain(&u.user.id);
    let fabrikam: Vec<_> = users
        .iter()
        .filter(|u| u.customer_name == "Fabrikam")
        .filter(plain)
        .collect();
    let woodgrove: Vec<_> = users
        .iter()
        .filter(|u| u.customer_name == "Woodgrove Bank")
        .filter(plain)
        .collect();
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
async fn entra_rules_apply_per_target_in_each_customer() {
    let h = harness().await;
    // Fabrikam: the technician is an Authentication Administrator, who may not reset an
    // administrator's methods; Woodgrove Bank: a Privileged Authentication Administrator, who may.
    let fabrikam = h.sandbox.customer_by_name("Fabrikam").unwrap();
    let woodgrove = h.sandbox.customer_by_name("Woodgrove Bank").unwrap();
    let admin_of = |c: &resetdesk_sandbox::lighthouse::SeededCustomer| {
        let user = c.users.iter().find(|u| u.privileged).unwrap();
        TargetRef {
            tenant_id: c.tenant_id.clone(),
            user_id: user.id.clone(),
        }
    };
    let plain = fabrikam.users.iter().find(|u| !u.privileged).unwrap();
    let targets = vec![
        admin_of(&fabrikam),
        admin_of(&woodgrove),
        TargetRef {
            tenant_id: fabrikam.tenant_id.clone(),
            user_id: plain.id.clone(),
        },
    ];
    let plan = h.console.lighthouse_plan_reset(LH, &targets).await.unwrap();
    let left_out: Vec<_> = plan
        .plan
        .users
        .iter()
        .filter(|u| u.error.is_some())
        .collect();
    assert_eq!(left_out.len(), 1, "{plan:?}");
    assert_eq!(left_out[0].tenant_id, fabrikam.tenant_id);
    assert!(left_out[0].remove.is_empty());
    assert!(
        plan.plan.warnings.iter().any(|w| w.contains("left out")),
        "{plan:?}"
    );
    let planned: Vec<_> = plan
        .plan
        .users
        .iter()
        .filter(|u| !u.remove.is_empty())
        .collect();
    assert_eq!(planned.len(), 2);
    let refusal = h.console.list_audit(1).unwrap().remove(0);
    assert_eq!(
        refusal.record.outcome,
        resetdesk_core::audit::AuditOutcome::Refused
    );

    // Only the administrator in Fabrikam: nothing can be planned, and it says why.
    let error = h
        .console
        .lighthouse_plan_reset(LH, &[admin_of(&fabrikam)])
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    assert!(error.message.contains("Fabrikam"), "{error:?}");
}

#[tokio::test]
async fn planning_for_a_customer_that_may_not_reset_is_refused_and_audited() {
    let h = harness().await;
    let tailspin = h.tenant("Tailspin Toys");
    let users = h
        .console
        .directory_tenant_users(LH, std::slice::from_ref(&tailspin), "")
        .await
        .unwrap()
        .users;
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
    assert_eq!(
        entry.record.outcome,
        resetdesk_core::audit::AuditOutcome::Refused
    );
}

/// Polls the job until it is no longer running.
async fn settled(h: &Harness, job_id: &str) -> resetdesk_core::console::BulkJobView {
    settled_on(&h.console, job_id).await
}

/// The job once it has stopped running on `console`.
async fn settled_on(console: &Console, job_id: &str) -> resetdesk_core::console::BulkJobView {
    for _ in 0..400 {
        let view = console.job_status(job_id).await.unwrap();
        if view.state != BulkJobState::Running {
            return view;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the job did not finish");
}

/// Every user of Fabrikam and Woodgrove Bank (the administrators and group members among
/// them need a second person: the team lead approves).
async fn two_customer_plan(h: &Harness) -> resetdesk_core::console::BulkPlan {
    let selection = vec![h.tenant("Fabrikam"), h.tenant("Woodgrove Bank")];
    let users = h
        .console
        .directory_tenant_users(LH, &selection, "")
        .await
        .unwrap()
        .users;
    let targets: Vec<TargetRef> = users
        .iter()
        .map(|u| TargetRef {
            tenant_id: u.user.tenant_id.clone(),
            user_id: u.user.id.clone(),
        })
        .collect();
    let plan = h.console.lighthouse_plan_reset(LH, &targets).await.unwrap();
    assert!(plan.approval.required, "{:?}", plan.approval);
    h.approve_as_lead(&plan).await;
    plan
}

#[tokio::test]
async fn a_confirmed_reset_runs_as_a_job_with_a_result_per_user_and_method_audited_per_customer() {
    let h = harness().await;
    let plan = two_customer_plan(&h).await;
    let error = h.console.start_job(&plan.id, " ").await.unwrap_err();
    assert!(error.message.contains("reason"), "{error:?}");

    let started = h.console.start_job(&plan.id, "INC-9001").await.unwrap();
    assert_eq!(
        started.done + started.failed + started.remaining,
        plan.plan.total_methods
    );
    let again = h.console.start_job(&plan.id, "INC-9001").await.unwrap_err();
    assert!(again.message.contains("already started"), "{again:?}");

    let view = settled(&h, &started.id).await;
    assert_eq!(view.state, BulkJobState::Finished, "{view:?}");
    assert_eq!(view.done, plan.plan.total_methods, "{view:?}");
    assert_eq!(view.remaining, 0);
    assert!(
        view.users.iter().all(|u| u.state == BulkUserState::Done),
        "{view:?}"
    );
    for user in &plan.plan.users {
        for method in &user.remove {
            assert_eq!(
                h.times_taken_away(&user.tenant_id, &user.user_id, method),
                1,
                "each method removed exactly once"
            );
        }
    }
    let entries = h.console.list_audit(10_000).unwrap();
    let steps: Vec<_> = entries
        .iter()
        .filter(|e| e.record.plan_id.as_deref() == Some(started.id.as_str()))
        .collect();
    assert_eq!(steps.len(), plan.plan.total_methods);
    assert!(steps.iter().all(|e| e.record.reason == "INC-9001"));
    // Each step keeps its class: not counted by the operator's hourly cap, an MFA reset of
    // its user to the repeat rule.
    assert!(steps
        .iter()
        .all(|e| e.record.safety_class == Some(resetdesk_core::seam::SafetyClass::Bulk)));
    let fabrikam = h.tenant("Fabrikam");
    assert!(steps.iter().any(|e| e.record.tenant_id == fabrikam));
    let filter = resetdesk_core::audit::AuditFilter {
        action: Some("resetAllMfa".into()),
        ..Default::default()
    };
    // The steps, and the refusals of Fabrikam's administrator and role-assignable group
    // member, who were left out of the plan.
    assert_eq!(
        h.console.query_audit(&filter, 10_000).unwrap().len(),
        steps.len() + 2
    );
    // Each step names the second person who approved the job.
    assert!(steps.iter().all(|e| e
        .record
        .approval
        .as_ref()
        .is_some_and(|a| a.approver == LEAD_UPN)));
    assert!(h.console.unfinished_jobs().await.unwrap().is_empty());
}

/// The page's one run command runs a bulk plan too: it starts the plan's job (a password, which
/// such a plan never takes, is refused first and the plan stays ready), and the job is followed
/// like one started by `start_job`.
#[tokio::test]
async fn the_one_run_entry_starts_a_bulk_plans_job_and_refuses_a_password_before_claiming_it() {
    let h = harness().await;
    let plan = two_customer_plan(&h).await;
    let password = resetdesk_core::console::PasswordInput::Typed {
        password: "Correct-Horse-7".into(),
    };
    let refused = h
        .console
        .run(&plan.id, "INC-9004", Some(password))
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");
    assert!(refused.message.contains("no password"), "{refused:?}");

    let started = match h.console.run(&plan.id, "INC-9004", None).await.unwrap() {
        RunOutcome::Job(job) => job,
        RunOutcome::Finished(result) => panic!("a bulk plan starts a job: {result:?}"),
    };
    let view = settled(&h, &started.id).await;
    assert_eq!(view.state, BulkJobState::Finished, "{view:?}");
    assert_eq!(view.done, plan.plan.total_methods, "{view:?}");
    let again = h.console.run(&plan.id, "INC-9004", None).await.unwrap_err();
    assert!(again.message.contains("already started"), "{again:?}");
}

#[tokio::test]
async fn a_cancelled_job_is_listed_as_unfinished_and_finishing_it_repeats_nothing() {
    let h = harness().await;
    // Slow requests: the cancel lands while steps remain.
    h.sandbox.set_latency(std::time::Duration::from_millis(60));
    let plan = two_customer_plan(&h).await;
    let started = h.console.start_job(&plan.id, "INC-9002").await.unwrap();
    // Cancel as soon as a first step is done (not after a fixed sleep, which on a slow machine
    // could land before any step or after the last).
    for _ in 0..2000 {
        if h.console.job_status(&started.id).await.unwrap().done > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    h.console.cancel_job(&started.id).await.unwrap();
    let cancelled = settled(&h, &started.id).await;
    assert_eq!(cancelled.state, BulkJobState::Cancelled, "{cancelled:?}");
    assert!(
        cancelled.remaining > 0 && cancelled.done > 0,
        "{cancelled:?}"
    );
    let unfinished = h.console.unfinished_jobs().await.unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished[0].id, started.id);

    h.sandbox.set_latency(std::time::Duration::ZERO);
    h.console.resume_job(&started.id).await.unwrap();
    let finished = settled(&h, &started.id).await;
    assert_eq!(finished.state, BulkJobState::Finished, "{finished:?}");
    assert_eq!(finished.done, plan.plan.total_methods);
    for user in &plan.plan.users {
        for method in &user.remove {
            assert_eq!(
                h.times_taken_away(&user.tenant_id, &user.user_id, method),
                1
            );
        }
    }
}

#[tokio::test]
async fn a_jobs_users_are_named_as_the_plan_named_them() {
    let h = harness().await;
    let plan = two_customer_plan(&h).await;
    let started = h.console.start_job(&plan.id, "INC-9003").await.unwrap();
    let finished = settled(&h, &started.id).await;
    assert!(!finished.users.is_empty(), "{finished:?}");
    for user in &finished.users {
        let planned = plan
            .plan
            .users
            .iter()
            .find(|p| p.user_id == user.user_id)
            .expect("a user of the plan");
        assert_eq!(user.display_name, planned.display_name);
        assert_ne!(user.display_name, user.user_principal_name, "{user:?}");
    }
}

#[tokio::test]
async fn planning_a_reset_of_many_users_reads_a_few_at_a_time_per_customer() {
    use resetdesk_sandbox::lighthouse::CustomerSpec;
    use resetdesk_sandbox::role_ids;
    let h = harness_with(LighthouseConfig {
        customers: vec![CustomerSpec::new(
            "Woodgrove Bank",
            &[role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR],
            60,
        )],
        latency: std::time::Duration::from_millis(20),
        ..Default::default()
    })
    .await;
    let woodgrove = h.tenant("Woodgrove Bank");
    let users = h
        .console
        .directory_tenant_users(LH, std::slice::from_ref(&woodgrove), "")
        .await
        .unwrap()
        .users;
    assert!(users.len() >= 50, "{}", users.len());
    let targets: Vec<TargetRef> = users
        .iter()
        .map(|u| TargetRef {
            tenant_id: u.user.tenant_id.clone(),
            user_id: u.user.id.clone(),
        })
        .collect();
    let plan = h.console.lighthouse_plan_reset(LH, &targets).await.unwrap();
    assert_eq!(plan.plan.users.len(), targets.len());
    // Each target's roles and methods are read (two reads a user), never all at once.
    let peak = h.sandbox.peak_in_flight();
    assert!((1..=4).contains(&peak), "{peak} Graph requests at once");
}

/// The technician is who the partner tenant says signed in (`/me`), on sign-in and after a
/// restart alike: every audit entry, plan and job names and compares them by it.
#[tokio::test]
async fn the_technician_is_read_from_the_partner_tenant_on_sign_in_and_on_resume() {
    let sandbox = Arc::new(
        LighthouseSandbox::start(LighthouseConfig::default())
            .await
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::new());
    let console =
        |store: Arc<MemoryStore>| partner_console(&sandbox, store, sandbox.settings(), dir.path());
    let first = console(store.clone());
    let typed = TECHNICIAN_UPN.to_uppercase();
    let browser = resetdesk_core::auth::SandboxBrowser::new(TECHNICIAN_UPN).unwrap();
    let operator = first
        .lighthouse_sign_in(LH, Some(&typed), &browser)
        .await
        .unwrap();
    assert_eq!(
        operator.user_principal_name, TECHNICIAN_UPN,
        "not what was typed"
    );
    assert_eq!(operator.display_name, "Taylor Tech");
    // The header says what the technician holds where (their GDAP roles per customer).
    let roles: Vec<&str> = operator
        .roles
        .iter()
        .map(|r| r.display_name.as_str())
        .collect();
    assert!(
        roles
            .iter()
            .any(|r| r.starts_with("Authentication Administrator in") && r.contains("Fabrikam")),
        "{roles:?}"
    );
    assert!(roles.iter().all(|r| !r.contains("Litware")), "{roles:?}");
    assert!(
        uuid::Uuid::parse_str(&operator.id).is_ok(),
        "the object id: {}",
        operator.id
    );

    // A restart resumes from the stored refresh token and names the same technician.
    let next = console(store);
    next.resume_sessions().await;
    let view = next.connections().await;
    let resumed = view[0].operator.as_ref().expect("signed in again");
    assert_eq!(resumed.user_principal_name, TECHNICIAN_UPN);
    assert_eq!(resumed.id, operator.id);
}

/// Starts the two-customer job and cancels it at once: most of its steps are left.
async fn cancelled_job(h: &Harness) -> (resetdesk_core::console::BulkPlan, String) {
    h.sandbox.set_latency(std::time::Duration::from_millis(60));
    let plan = two_customer_plan(h).await;
    let started = h.console.start_job(&plan.id, "INC-9100").await.unwrap();
    h.console.cancel_job(&started.id).await.unwrap();
    settled(h, &started.id).await;
    h.sandbox.set_latency(std::time::Duration::ZERO);
    (plan, started.id)
}

#[tokio::test]
async fn a_job_is_seen_cancelled_and_finished_only_under_its_technicians_sign_in() {
    let h = harness().await;
    let (_, job) = cancelled_job(&h).await;
    assert_eq!(h.console.unfinished_jobs().await.unwrap().len(), 1);

    h.console.sign_out(LH).await.unwrap();
    assert!(
        h.console.unfinished_jobs().await.unwrap().is_empty(),
        "no one signed in: nobody's jobs are listed"
    );
    for error in [
        h.console.job_status(&job).await.unwrap_err(),
        h.console.cancel_job(&job).await.unwrap_err(),
        h.console.resume_job(&job).await.unwrap_err(),
    ] {
        assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    }
}

#[tokio::test]
async fn a_job_older_than_the_age_limit_is_not_finished() {
    let h = harness_built(LighthouseConfig::default(), |console| {
        console.with_job_max_age(std::time::Duration::ZERO)
    })
    .await;
    let (_, job) = cancelled_job(&h).await;
    let error = h.console.resume_job(&job).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput, "{error:?}");
    assert!(
        error.message.contains("Start the action again"),
        "{error:?}"
    );
    let view = h.console.job_status(&job).await.unwrap();
    assert_ne!(view.state, BulkJobState::Running);
}

#[tokio::test]
async fn finishing_a_job_derives_each_users_authorization_again_from_their_roles_now() {
    let h = harness().await;
    let (_, job) = cancelled_job(&h).await;
    let fabrikam = h.tenant("Fabrikam");
    let view = h.console.job_status(&job).await.unwrap();
    // A Fabrikam user none of whose steps ran, promoted since: the technician is an
    // Authentication Administrator there, who may not act on an administrator.
    let promoted = view
        .users
        .iter()
        .find(|u| u.tenant_id == fabrikam && u.state == BulkUserState::Cancelled)
        .expect("a Fabrikam user with steps left");
    assert!(h.sandbox.make_privileged(&fabrikam, &promoted.user_id));

    h.console.resume_job(&job).await.unwrap();
    let finished = settled(&h, &job).await;
    let user = finished
        .users
        .iter()
        .find(|u| u.user_id == promoted.user_id)
        .unwrap();
    assert_eq!(user.state, BulkUserState::Refused, "{user:?}");
    let refusals: Vec<_> = h
        .console
        .list_audit(10_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.record.target_id == promoted.user_id)
        .collect();
    assert!(!refusals.is_empty());
    assert!(
        refusals.iter().all(|e| e
            .record
            .message
            .as_deref()
            .is_some_and(|m| m.contains("Not sent: No longer allowed in Fabrikam"))),
        "refused before anything was sent: {refusals:?}"
    );
    // Everyone else's steps finished.
    assert!(finished
        .users
        .iter()
        .filter(|u| u.user_id != promoted.user_id)
        .all(|u| u.state != BulkUserState::Cancelled && u.state != BulkUserState::Pending));
}

#[tokio::test]
async fn a_saved_partner_sign_in_is_not_sent_to_endpoints_the_settings_name_since() {
    let sandbox = Arc::new(
        LighthouseSandbox::start(LighthouseConfig::default())
            .await
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::new());
    let console =
        |store: Arc<MemoryStore>, settings| partner_console(&sandbox, store, settings, dir.path());
    let browser = resetdesk_core::auth::SandboxBrowser::new(TECHNICIAN_UPN).unwrap();
    console(store.clone(), sandbox.settings())
        .lighthouse_sign_in(LH, Some(TECHNICIAN_UPN), &browser)
        .await
        .unwrap();

    // Between two starts, the partner's login server is edited to point elsewhere.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut moved = sandbox.settings();
    moved.login_base_url = format!("http://{}", listener.local_addr().unwrap());
    let next = console(store.clone(), moved);
    next.resume_sessions().await;
    assert!(!next.connections().await[0].signed_in);
    assert!(
        store.get(LH, "refresh_token").unwrap().is_none(),
        "the partner's refresh token is removed, unsent"
    );
    let nothing =
        tokio::time::timeout(std::time::Duration::from_millis(50), listener.accept()).await;
    assert!(nothing.is_err(), "no connection was made to the new server");
}

#[tokio::test]
async fn a_customer_that_does_not_answer_is_noted_and_the_others_users_are_listed() {
    let h = harness().await;
    let customers = h.console.directory_tenants(LH).await.unwrap();
    let litware = customers
        .iter()
        .find(|c| c.relationship_status != "active")
        .expect("the sandbox's expired relationship");
    let every: Vec<String> = customers.iter().map(|c| c.tenant_id.clone()).collect();
    let found = h
        .console
        .directory_tenant_users(LH, &every, "")
        .await
        .unwrap();
    assert_eq!(found.not_read.len(), 1, "{:?}", found.not_read);
    assert_eq!(found.not_read[0].tenant_id, litware.tenant_id);
    assert_eq!(found.not_read[0].display_name, litware.display_name);
    let fabrikam = h.tenant("Fabrikam");
    assert!(found.users.iter().any(|u| u.user.tenant_id == fabrikam));
    assert!(found
        .users
        .iter()
        .all(|u| u.user.tenant_id != litware.tenant_id));

    let methods = h
        .console
        .directory_tenant_methods(LH, &every, "")
        .await
        .unwrap();
    assert_eq!(methods.not_read.len(), 1);
    assert!(!methods.rows.is_empty());
    assert_eq!(methods.not_shown, 0, "a few users: all listed");
}

#[tokio::test]
async fn a_users_page_disables_the_reset_with_the_reason_before_anything_is_planned() {
    let h = harness().await;
    let fabrikam = h.sandbox.customer_by_name("Fabrikam").unwrap();
    let woodgrove = h.sandbox.customer_by_name("Woodgrove Bank").unwrap();
    let admin = |c: &resetdesk_sandbox::lighthouse::SeededCustomer| {
        c.users.iter().find(|u| u.privileged).unwrap().id.clone()
    };
    // An administrator in Fabrikam, where the technician is an Authentication Administrator.
    let page = h
        .console
        .lighthouse_user_details(LH, &fabrikam.tenant_id, &admin(&fabrikam))
        .await
        .unwrap();
    let offer = &page.actions[0];
    assert!(!offer.offered, "{offer:?}");
    assert_eq!(offer.refusals.len(), 1);
    assert_eq!(offer.refusals[0].display_name, "Fabrikam");
    assert!(
        !offer.refusals[0].reason.starts_with("in Fabrikam"),
        "{offer:?}"
    );
    assert!(
        page.user.user.roles_known,
        "the roles were read for the decision"
    );
    assert!(!page.user.user.admin_roles.is_empty());

    // The same kind of user in Woodgrove Bank, where the technician may.
    let page = h
        .console
        .lighthouse_user_details(LH, &woodgrove.tenant_id, &admin(&woodgrove))
        .await
        .unwrap();
    assert!(page.actions[0].offered, "{:?}", page.actions);
}

#[tokio::test]
async fn the_methods_list_says_how_many_users_it_does_not_show_and_reads_a_few_at_a_time() {
    use resetdesk_sandbox::lighthouse::CustomerSpec;
    use resetdesk_sandbox::role_ids;
    let h = harness_with(LighthouseConfig {
        customers: vec![CustomerSpec::new(
            "Woodgrove Bank",
            &[role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR],
            230,
        )],
        ..Default::default()
    })
    .await;
    let woodgrove = h.tenant("Woodgrove Bank");
    let listed = h
        .console
        .directory_tenant_methods(LH, std::slice::from_ref(&woodgrove), "")
        .await
        .unwrap();
    let found = h
        .console
        .directory_tenant_users(LH, std::slice::from_ref(&woodgrove), "")
        .await
        .unwrap()
        .users
        .len();
    assert_eq!(listed.rows.len(), 200);
    assert_eq!(listed.not_shown, found - 200);
    assert!(listed.not_shown > 0);
    assert!(
        h.sandbox.peak_in_flight() <= 4,
        "{}",
        h.sandbox.peak_in_flight()
    );
}

/// A customer user is found by their mail address too (on another domain than their sign-in
/// name), and their page carries what the Entra page shows.
#[tokio::test]
async fn a_customer_user_is_found_by_mail_and_their_page_shows_job_department_and_password_age() {
    let h = harness().await;
    let fabrikam = h.tenant("Fabrikam");
    let everyone = h
        .console
        .directory_tenant_users(LH, std::slice::from_ref(&fabrikam), "")
        .await
        .unwrap()
        .users;
    let someone = everyone.last().unwrap().user.clone();
    let mail = someone.mail.clone().expect("mail is read");
    assert_ne!(
        mail, someone.user_principal_name,
        "another address than the sign-in name"
    );
    let by_mail = h
        .console
        .directory_tenant_users(LH, std::slice::from_ref(&fabrikam), &mail)
        .await
        .unwrap()
        .users;
    assert_eq!(
        by_mail
            .iter()
            .map(|u| u.user.id.as_str())
            .collect::<Vec<_>>(),
        vec![someone.id.as_str()]
    );
    // What the user page shows of them: each of these facts has a value.
    let page = h
        .console
        .directory_user_in(LH, Some(&fabrikam), &someone.id)
        .await
        .unwrap();
    let shown = serde_json::to_value(&page.facts).unwrap();
    for field in ["mail", "job-title", "department", "last-password-change"] {
        let fact = shown
            .as_array()
            .unwrap()
            .iter()
            .find(|fact| fact["key"] == field);
        assert!(
            fact.is_some_and(|fact| fact["value"]["value"].is_string()),
            "{field} in {shown}"
        );
    }
}

/// The seeded user of `customer` in a role-assignable group.
fn group_member(h: &Harness, customer: &str) -> TargetRef {
    let seeded = h.sandbox.customer_by_name(customer).unwrap();
    let member = seeded
        .users
        .iter()
        .find(|u| u.in_role_assignable_group)
        .unwrap();
    TargetRef {
        tenant_id: seeded.tenant_id.clone(),
        user_id: member.id.clone(),
    }
}

fn plain_users(h: &Harness, customer: &str, count: usize) -> Vec<TargetRef> {
    let seeded = h.sandbox.customer_by_name(customer).unwrap();
    let users: Vec<TargetRef> = seeded
        .users
        .iter()
        .filter(|u| h.is_plain(&u.id))
        .take(count)
        .map(|u| TargetRef {
            tenant_id: seeded.tenant_id.clone(),
            user_id: u.id.clone(),
        })
        .collect();
    assert_eq!(users.len(), count);
    users
}

#[tokio::test]
async fn a_member_of_a_role_assignable_group_is_privileged_on_the_lighthouse_path() {
    let h = harness().await;
    // Fabrikam: an Authentication Administrator may not reset a group member's methods.
    let error = h
        .console
        .lighthouse_plan_reset(LH, &[group_member(&h, "Fabrikam")])
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied, "{error:?}");
    assert!(error.message.contains("role-assignable"), "{error:?}");
    // Woodgrove Bank: a Privileged Authentication Administrator may, with a second person.
    let plan = h
        .console
        .lighthouse_plan_reset(LH, &[group_member(&h, "Woodgrove Bank")])
        .await
        .unwrap();
    assert!(plan.approval.required);
    assert!(
        plan.approval.reasons[0].contains("is in a role-assignable group"),
        "{:?}",
        plan.approval
    );
}

#[tokio::test]
async fn a_privileged_target_in_a_bulk_reset_needs_a_second_person_before_anything_is_sent() {
    let h = harness().await;
    let woodgrove = h.sandbox.customer_by_name("Woodgrove Bank").unwrap();
    let admin = woodgrove.users.iter().find(|u| u.privileged).unwrap();
    let mut targets = plain_users(&h, "Woodgrove Bank", 2);
    targets.push(TargetRef {
        tenant_id: woodgrove.tenant_id.clone(),
        user_id: admin.id.clone(),
    });
    let plan = h.console.lighthouse_plan_reset(LH, &targets).await.unwrap();
    assert!(plan.approval.required);
    assert_eq!(plan.approval.reasons.len(), 1, "{:?}", plan.approval);
    assert!(plan.approval.reasons[0].contains("holds an admin role (Global Administrator)"));

    // Not approved: refused, nothing sent.
    let error = h.console.start_job(&plan.id, "INC-7001").await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    assert!(
        error.message.contains("A second person must approve"),
        "{error:?}"
    );
    assert_eq!(h.sandbox.stats(&woodgrove.tenant_id).deletes, 0);

    // The technician cannot approve their own job; the refusal is audited.
    let error = h
        .console
        .approve_plan(&plan.id, resetdesk_testkit::demo_sign_in(TECHNICIAN_UPN))
        .await
        .unwrap_err();
    assert!(error.message.contains("second person"), "{error:?}");
    let refusal = h.console.list_audit(1).unwrap().remove(0);
    assert_eq!(
        refusal.record.outcome,
        resetdesk_core::audit::AuditOutcome::Refused
    );
    assert_eq!(refusal.record.operator, TECHNICIAN_UPN);
    assert_eq!(refusal.record.plan_id.as_deref(), Some(plan.id.as_str()));

    // The team lead approves; the job runs and every step's entry names them.
    h.approve_as_lead(&plan).await;
    let started = h.console.start_job(&plan.id, "INC-7001").await.unwrap();
    let view = settled(&h, &started.id).await;
    assert_eq!(view.state, BulkJobState::Finished, "{view:?}");
    let steps: Vec<_> = h
        .console
        .list_audit(1_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.record.plan_id.as_deref() == Some(started.id.as_str()))
        .collect();
    assert_eq!(steps.len(), plan.plan.total_methods);
    for step in &steps {
        let approval = step.record.approval.as_ref().expect("approval recorded");
        assert_eq!(approval.approver, LEAD_UPN);
        assert_eq!(approval.approver_id, h.sandbox.lead_id());
    }

    // The user registers a phone again and calls back the same day: a second MFA reset
    // within the day needs a second person.
    assert!(h.sandbox.register_mobile_phone(
        &targets[0].tenant_id,
        &targets[0].user_id,
        "+1 5550100"
    ));
    let again = h
        .console
        .lighthouse_plan_reset(LH, &targets[..1])
        .await
        .unwrap();
    assert_already_reset(&again);
}

#[tokio::test]
async fn a_vip_in_a_bulk_reset_needs_a_second_person() {
    let fabrikam_vip = {
        let probe = harness().await;
        let target = plain_users(&probe, "Fabrikam", 1).remove(0);
        let seeded = probe.sandbox.customer_by_name("Fabrikam").unwrap();
        seeded
            .users
            .iter()
            .find(|u| u.id == target.user_id)
            .unwrap()
            .user_principal_name
            .clone()
    };
    let mut policy = resetdesk_core::safety::SafetyPolicy::default();
    policy.approval.vip_users = vec![fabrikam_vip.to_uppercase()];
    let h = harness_built(LighthouseConfig::default(), |c| {
        c.with_safety_policy(policy)
    })
    .await;
    let plan = h
        .console
        .lighthouse_plan_reset(LH, &plain_users(&h, "Fabrikam", 3))
        .await
        .unwrap();
    assert!(plan.approval.required);
    assert_eq!(plan.approval.reasons.len(), 1, "{:?}", plan.approval);
    assert!(plan.approval.reasons[0].contains("VIP list"));
}

#[tokio::test]
async fn a_bulk_reset_of_more_users_than_the_policy_allows_needs_approval_of_the_whole_job() {
    let mut policy = resetdesk_core::safety::SafetyPolicy::default();
    policy.approval.bulk_users_above = 3;
    let h = harness_built(LighthouseConfig::default(), |c| {
        c.with_safety_policy(policy)
    })
    .await;
    let three = plain_users(&h, "Fabrikam", 3);
    let plan = h.console.lighthouse_plan_reset(LH, &three).await.unwrap();
    assert!(!plan.approval.required, "{:?}", plan.approval);

    let mut four = three.clone();
    four.extend(plain_users(&h, "Northwind Traders", 1));
    let plan = h.console.lighthouse_plan_reset(LH, &four).await.unwrap();
    assert!(plan.approval.required);
    assert_eq!(
        plan.approval.reasons,
        vec!["This job resets 4 users, more than 3: a second person approves the whole job."]
    );
    let error = h.console.start_job(&plan.id, "INC-7002").await.unwrap_err();
    assert!(error.message.contains("more than 3"), "{error:?}");
    h.approve_as_lead(&plan).await;
    let again = h
        .console
        .approve_plan(&plan.id, resetdesk_testkit::demo_sign_in(LEAD_UPN))
        .await
        .unwrap_err();
    assert!(again.message.contains("already approved"), "{again:?}");
    let started = h.console.start_job(&plan.id, "INC-7002").await.unwrap();
    assert_eq!(settled(&h, &started.id).await.state, BulkJobState::Finished);
}

/// The seeded user of `customer` with a hardware OATH token: (target, token id).
fn token_holder(h: &Harness, customer: &str) -> (TargetRef, String) {
    let seeded = h.sandbox.customer_by_name(customer).unwrap();
    let user = seeded
        .users
        .iter()
        .find(|u| !u.hardware_oath.is_empty())
        .unwrap();
    (
        TargetRef {
            tenant_id: seeded.tenant_id.clone(),
            user_id: user.id.clone(),
        },
        user.hardware_oath[0].0.clone(),
    )
}

fn token_status(h: &Harness, target: &TargetRef, token: &str) -> String {
    h.sandbox
        .customers()
        .into_iter()
        .flat_map(|c| c.users)
        .find(|u| u.id == target.user_id)
        .and_then(|u| u.hardware_oath.into_iter().find(|(id, _)| id == token))
        .map(|(_, status)| status)
        .unwrap()
}

#[tokio::test]
async fn hardware_oath_tokens_are_deactivated_where_the_gdap_roles_allow_and_left_active_with_why_elsewhere(
) {
    let h = harness().await;
    let (woodgrove_user, woodgrove_token) = token_holder(&h, "Woodgrove Bank");
    let (fabrikam_user, fabrikam_token) = token_holder(&h, "Fabrikam");
    let plan = h
        .console
        .lighthouse_plan_reset(LH, &[woodgrove_user.clone(), fabrikam_user.clone()])
        .await
        .unwrap();
    assert!(!plan.approval.required, "{:?}", plan.approval);
    let planned = |target: &TargetRef| {
        plan.plan
            .users
            .iter()
            .find(|u| u.user_id == target.user_id)
            .unwrap()
    };
    // Woodgrove Bank (Privileged Authentication Administrator): deactivated first.
    assert_eq!(planned(&woodgrove_user).remove[0].id, woodgrove_token);
    // Fabrikam (Authentication Administrator): kept, and the plan says why.
    let fabrikam_plan = planned(&fabrikam_user);
    assert!(fabrikam_plan.remove.iter().all(|m| m.id != fabrikam_token));
    assert!(fabrikam_plan
        .keep
        .contains(&"Hardware OATH token".to_string()));
    assert!(
        plan.plan.warnings.iter().any(|w| w.contains("stays active")
            && w.contains("Privileged Authentication Administrator or Global Administrator")),
        "{:?}",
        plan.plan.warnings
    );

    let started = h.console.start_job(&plan.id, "INC-7003").await.unwrap();
    let view = settled(&h, &started.id).await;
    assert_eq!(view.state, BulkJobState::Finished, "{view:?}");
    assert_eq!(
        token_status(&h, &woodgrove_user, &woodgrove_token),
        "deactivated"
    );
    assert_eq!(
        token_status(&h, &fabrikam_user, &fabrikam_token),
        "activated"
    );
    assert_eq!(
        h.sandbox.deactivations_of(
            &woodgrove_user.tenant_id,
            &woodgrove_user.user_id,
            &woodgrove_token
        ),
        1
    );
    let result = view
        .users
        .iter()
        .flat_map(|u| u.methods.iter())
        .find(|m| m.method_id == woodgrove_token)
        .unwrap();
    assert_eq!(
        result.state,
        resetdesk_core::console::BulkStepState::Deactivated
    );
    let audited = h
        .console
        .list_audit(100)
        .unwrap()
        .into_iter()
        .find(|e| {
            e.record
                .plan
                .iter()
                .any(|p| p.starts_with("Deactivate Hardware OATH token"))
        })
        .expect("the deactivation is audited");
    assert_eq!(audited.record.target_id, woodgrove_user.user_id);
}

/// The app stops half-way through a job (its runtime is dropped mid-request, as a crash or a
/// close would), and the next start — a new Console on the same journal and keychain, the
/// emulator still running — signs the partner in again from the stored refresh token, redeems
/// the customers' tokens anew, lists the job and finishes it: each method removed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_cut_off_by_the_app_stopping_is_finished_by_the_next_start_each_method_once() {
    let sandbox = Arc::new(
        LighthouseSandbox::start(LighthouseConfig::default())
            .await
            .unwrap(),
    );
    sandbox.set_latency(std::time::Duration::from_millis(40));
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::new());
    let settings = sandbox.settings();

    // The first run of the app, on its own runtime, which stops once a first step is done.
    let (plan, job_id) = {
        let (sandbox, store, settings, path) = (
            sandbox.clone(),
            store.clone(),
            settings.clone(),
            dir.path().to_path_buf(),
        );
        tokio::task::spawn_blocking(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let started = runtime.block_on(async {
                let console =
                    partner_console(&sandbox, store, settings, &path).with_job_journal_dir(&path);
                let browser = resetdesk_core::auth::SandboxBrowser::new(TECHNICIAN_UPN).unwrap();
                console
                    .lighthouse_sign_in(LH, Some(TECHNICIAN_UPN), &browser)
                    .await
                    .unwrap();
                let mut targets = Vec::new();
                for name in ["Fabrikam", "Woodgrove Bank"] {
                    let seeded = sandbox.customer_by_name(name).unwrap();
                    targets.extend(
                        seeded
                            .users
                            .iter()
                            .filter(|u| !u.privileged && !u.in_role_assignable_group)
                            .map(|u| TargetRef {
                                tenant_id: seeded.tenant_id.clone(),
                                user_id: u.id.clone(),
                            }),
                    );
                }
                let plan = console.lighthouse_plan_reset(LH, &targets).await.unwrap();
                assert!(!plan.approval.required, "{:?}", plan.approval);
                let job = console.start_job(&plan.id, "INC-9003").await.unwrap();
                for _ in 0..2000 {
                    if console.job_status(&job.id).await.unwrap().done > 0 {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                (plan, job.id)
            });
            // The process ends: every task of this run stops where it is.
            runtime.shutdown_background();
            started
        })
        .await
        .unwrap()
    };

    // The next start.
    sandbox.set_latency(std::time::Duration::ZERO);
    let grants_before: u64 = sandbox
        .customers()
        .iter()
        .map(|c| sandbox.stats(&c.tenant_id).token_grants)
        .sum();
    let console =
        partner_console(&sandbox, store, settings, dir.path()).with_job_journal_dir(dir.path());
    console.resume_sessions().await;
    let unfinished = console.unfinished_jobs().await.unwrap();
    assert_eq!(unfinished.len(), 1, "{unfinished:?}");
    assert_eq!(unfinished[0].id, job_id);
    assert_eq!(unfinished[0].state, BulkJobState::Interrupted);
    assert!(
        unfinished[0].done > 0 && unfinished[0].remaining > 0,
        "{:?}",
        unfinished[0]
    );

    console.resume_job(&job_id).await.unwrap();
    let mut finished = None;
    for _ in 0..400 {
        let view = console.job_status(&job_id).await.unwrap();
        if view.state != BulkJobState::Running {
            finished = Some(view);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let finished = finished.expect("the job finished");
    assert_eq!(finished.state, BulkJobState::Finished, "{finished:?}");
    assert_eq!(finished.done, plan.plan.total_methods);
    let grants_after: u64 = sandbox
        .customers()
        .iter()
        .map(|c| sandbox.stats(&c.tenant_id).token_grants)
        .sum();
    assert!(
        grants_after > grants_before,
        "customer tokens were redeemed anew"
    );
    for user in &plan.plan.users {
        for method in &user.remove {
            let times = if method.kind == resetdesk_core::model::AuthMethodKind::HardwareOath {
                sandbox.deactivations_of(&user.tenant_id, &user.user_id, &method.id)
            } else {
                sandbox.deletions_of(&user.tenant_id, &user.user_id, &method.id)
            };
            assert_eq!(times, 1, "{} {}", user.user_principal_name, method.label);
        }
    }
}

/// A second desktop of the same MSP: its own data directory (audit log, job journal) and its
/// own sign-in, as `upn`, over the same emulator.
async fn second_desktop(h: &Harness, upn: &str, dir: &std::path::Path) -> Console {
    let console = partner_console(
        &h.sandbox,
        Arc::new(MemoryStore::new()),
        h.sandbox.settings(),
        dir,
    )
    .with_job_journal_dir(dir);
    let browser = resetdesk_core::auth::SandboxBrowser::new(upn).unwrap();
    console
        .lighthouse_sign_in(LH, Some(upn), &browser)
        .await
        .unwrap();
    console
}

/// Resets `targets` all the way on `console` (no second person needed for them).
async fn reset_on(console: &Console, targets: &[TargetRef]) {
    let plan = console.lighthouse_plan_reset(LH, targets).await.unwrap();
    assert!(!plan.approval.required, "{:?}", plan.approval);
    let job = console.start_job(&plan.id, "INC-7100").await.unwrap();
    let view = settled_on(console, &job.id).await;
    assert_eq!(view.state, BulkJobState::Finished, "{view:?}");
}

/// `plan` needs a second person because its (first) user's MFA was already reset within the
/// repeat window.
fn assert_already_reset(plan: &resetdesk_core::console::BulkPlan) {
    assert!(plan.approval.required, "{:?}", plan.approval);
    assert!(
        plan.approval.reasons[0].contains("already reset at"),
        "{:?}",
        plan.approval
    );
}

/// The user registers a phone again, as after an MFA reset.
fn registers_again(h: &Harness, target: &TargetRef) {
    assert!(h
        .sandbox
        .register_mobile_phone(&target.tenant_id, &target.user_id, "+1 5550100"));
}

#[tokio::test]
async fn an_mfa_reset_from_another_desktop_counts_where_the_customers_audit_log_can_be_read() {
    let h = harness().await;
    let other_dir = tempfile::tempdir().unwrap();
    // The team lead, on another desktop, resets a Woodgrove user and a Fabrikam user.
    let other = second_desktop(&h, LEAD_UPN, other_dir.path()).await;
    let woodgrove = plain_users(&h, "Woodgrove Bank", 1).remove(0);
    let fabrikam = plain_users(&h, "Fabrikam", 1).remove(0);
    reset_on(&other, &[woodgrove.clone(), fabrikam.clone()]).await;
    registers_again(&h, &woodgrove);
    registers_again(&h, &fabrikam);

    // Woodgrove: the technician's Global Reader role there reads the customer's log, so this
    // desktop sees the lead's reset and asks for a second person.
    let plan = h
        .console
        .lighthouse_plan_reset(LH, std::slice::from_ref(&woodgrove))
        .await
        .unwrap();
    assert_already_reset(&plan);
    assert!(
        !plan.plan.warnings.iter().any(|w| w.contains("log only")),
        "{:?}",
        plan.plan.warnings
    );

    // Fabrikam: no role there may read audit logs, so the count is this desktop's, and the
    // summary says so, naming the customer.
    let plan = h
        .console
        .lighthouse_plan_reset(LH, std::slice::from_ref(&fabrikam))
        .await
        .unwrap();
    assert!(!plan.approval.required, "{:?}", plan.approval);
    assert!(
        plan.plan
            .warnings
            .iter()
            .any(|w| w.starts_with("Fabrikam: ")
                && w.contains("this desktop's log only")
                && w.contains("Reports Reader")),
        "{:?}",
        plan.plan.warnings
    );
}

#[tokio::test]
async fn another_desktops_late_audit_event_counts_when_it_arrives() {
    let h = harness().await;
    h.sandbox
        .set_audit_delay(std::time::Duration::from_secs(3600));
    let other_dir = tempfile::tempdir().unwrap();
    let other = second_desktop(&h, TECHNICIAN_UPN, other_dir.path()).await;
    let targets = plain_users(&h, "Woodgrove Bank", 2);
    // The other desktop resets the first user; this desktop the second.
    reset_on(&other, &targets[..1]).await;
    reset_on(&h.console, &targets[1..]).await;
    for target in &targets {
        registers_again(&h, target);
    }

    // Not listed yet: the other desktop's reset is not seen; this desktop's own is, locally.
    let plan = h.console.lighthouse_plan_reset(LH, &targets).await.unwrap();
    assert!(plan.approval.required);
    assert_eq!(plan.approval.reasons.len(), 1, "{:?}", plan.approval);

    // The events arrive: the other desktop's reset now counts too (one reason per user).
    h.sandbox.release_audit_events();
    let plan = h.console.lighthouse_plan_reset(LH, &targets).await.unwrap();
    assert_eq!(plan.approval.reasons.len(), 2, "{:?}", plan.approval);
    assert!(
        plan.approval
            .reasons
            .iter()
            .all(|r| r.contains("already reset at")),
        "{:?}",
        plan.approval
    );
}

#[tokio::test]
async fn a_policy_that_requires_the_customers_audit_log_refuses_a_plan_where_it_cannot_be_read() {
    let mut policy = resetdesk_core::safety::SafetyPolicy::default();
    policy.rate_limits.tenant_audit_log = resetdesk_core::safety::policy::TenantAuditLog::Required;
    let h = harness_built(LighthouseConfig::default(), |c| {
        c.with_safety_policy(policy)
    })
    .await;
    let mut targets = plain_users(&h, "Woodgrove Bank", 1);
    h.console.lighthouse_plan_reset(LH, &targets).await.unwrap();
    targets.extend(plain_users(&h, "Fabrikam", 1));
    let error = h
        .console
        .lighthouse_plan_reset(LH, &targets)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    assert!(
        error.message.contains("Fabrikam's could not be read")
            && error.message.contains("Reports Reader"),
        "{error:?}"
    );
}

#[tokio::test]
async fn methods_deleted_straight_against_the_api_count_as_an_earlier_mfa_reset() {
    use resetdesk_providers::entra::http_client;
    use resetdesk_providers::lighthouse::{LighthouseClient, LighthouseEndpoints, PartnerSession};
    let h = harness().await;
    let target = plain_users(&h, "Woodgrove Bank", 1).remove(0);
    // The lead deletes the user's methods with Graph directly, as the admin centre would: no
    // ResetDesk Console, no local audit entry anywhere.
    let endpoints = LighthouseEndpoints::new(
        &h.sandbox.base_url(),
        &h.sandbox.base_url(),
        &h.sandbox.client_id(),
        &h.sandbox.partner_tenant_id(),
    )
    .unwrap();
    let session = PartnerSession::from_sign_in(
        http_client(),
        endpoints,
        "admin-centre",
        Arc::new(MemoryStore::new()),
        h.sandbox.sign_in_as(LEAD_UPN).unwrap(),
    )
    .await
    .unwrap();
    let client = LighthouseClient::new(session);
    for method in client
        .list_methods(&target.tenant_id, &target.user_id)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.kind != resetdesk_core::model::AuthMethodKind::Password)
    {
        client
            .delete_method(&target.tenant_id, &target.user_id, method)
            .await
            .unwrap();
    }
    registers_again(&h, &target);

    let plan = h
        .console
        .lighthouse_plan_reset(LH, std::slice::from_ref(&target))
        .await
        .unwrap();
    assert_already_reset(&plan);
}

#[tokio::test]
async fn the_one_sign_in_signs_the_partner_sandbox_in_as_its_demo_technician_and_needs_one() {
    let sandbox = Arc::new(
        LighthouseSandbox::start(LighthouseConfig::default())
            .await
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let console = partner_console(
        &sandbox,
        Arc::new(MemoryStore::new()),
        sandbox.settings(),
        dir.path(),
    );
    let request = |account: &str| resetdesk_core::seam::SignInRequest {
        account: account.to_string(),
        ..Default::default()
    };

    let refused = console.sign_in_with(LH, request("")).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");
    assert!(
        refused.message.contains("Choose a demo account"),
        "{refused:?}"
    );

    let outcome = console
        .sign_in_with(LH, request(TECHNICIAN_UPN))
        .await
        .unwrap();
    let resetdesk_core::seam::SignInOutcome::Done { account } = outcome else {
        panic!("a partner's OAuth sign-in is done in one step: {outcome:?}");
    };
    assert_eq!(account.login, TECHNICIAN_UPN);
    assert_eq!(account.name, "Taylor Tech");
    // Each GDAP role where it is held, one customer's roles apart from the next.
    assert!(
        account
            .role_label
            .contains("Authentication Administrator in Fabrikam"),
        "{account:?}"
    );
    assert!(account.role_label.contains("; "), "{account:?}");
    assert!(!console.directory_tenants(LH).await.unwrap().is_empty());
}

/// One customer user's "Reset all MFAs" from their page goes through the one flow, as any
/// provider's: an MFA reset (the hourly count on the page), planned with a step per method,
/// run, and audited in the customer's tenant under the user's own id, as a job's steps are —
/// so a job of the same user right after sees the earlier MFA reset.
#[tokio::test]
async fn one_customer_users_reset_goes_through_the_one_flow_and_counts_for_a_later_job() {
    let h = harness().await;
    let target = plain_users(&h, "Fabrikam", 1).remove(0);
    let key = key_of(&target);
    let page = h.console.directory_user(LH, &key).await.unwrap();
    let reset = page
        .offers
        .iter()
        .find(|o| o.action == "resetAllMfa")
        .unwrap();
    assert!(reset.allowed, "{reset:?}");
    assert_eq!(
        reset.safety_class,
        resetdesk_core::seam::SafetyClass::MfaReset
    );
    assert!(page.rate.is_some(), "the page shows the hourly count");

    let plan = h
        .console
        .plan_offered(LH, &key, "resetAllMfa")
        .await
        .unwrap();
    assert!(!plan.safety.approval.required, "{:?}", plan.safety.approval);
    // Caller verification reads the customer's directory: a one-time code can go to a
    // method the user registered.
    assert!(
        plan.safety
            .verification
            .options
            .iter()
            .any(|o| !o.destinations.is_empty()),
        "{:?}",
        plan.safety.verification
    );
    let methods = page.methods.clone().unwrap();
    let removed: Vec<_> = methods
        .iter()
        .filter(|m| !matches!(m.kind, resetdesk_core::model::AuthMethodKind::Password))
        .filter(|m| {
            plan.steps
                .iter()
                .any(|s| s.summary.contains(m.detail.as_deref().unwrap_or(&m.label)))
        })
        .collect();
    assert!(!plan.steps.is_empty() && !removed.is_empty(), "{plan:?}");

    // The organisation's default rules: the caller is verified first (a ticket, here).
    verify_by_ticket(&h, &plan.id);
    let result = h
        .console
        .run_plan(&plan.id, "INC-7200", None)
        .await
        .unwrap();
    assert_eq!(
        result.outcome,
        resetdesk_core::audit::AuditOutcome::Succeeded,
        "{result:?}"
    );
    assert_eq!(result.steps.len(), plan.steps.len());
    for method in removed {
        assert_eq!(
            h.times_taken_away(&target.tenant_id, &target.user_id, method),
            1,
            "{} removed once",
            method.label
        );
    }
    let entry = h
        .console
        .list_audit(100)
        .unwrap()
        .into_iter()
        .find(|e| e.record.plan_id.as_deref() == Some(plan.id.as_str()))
        .unwrap();
    assert_eq!(entry.record.tenant_id, target.tenant_id);
    assert_eq!(entry.record.target_id, target.user_id);
    assert_eq!(entry.record.reason, "INC-7200");

    registers_again(&h, &target);
    let job = h
        .console
        .lighthouse_plan_reset(LH, std::slice::from_ref(&target))
        .await
        .unwrap();
    assert_already_reset(&job);
}

/// A customer user's reset reads the user again in their customer when it runs: one made an
/// administrator since the summary keeps every method, and the operator is told that a second
/// person must approve it now (read live through the partner's access, as for an Entra user).
#[tokio::test]
async fn a_customer_users_reset_changes_nothing_when_it_runs_if_the_user_was_made_an_admin_since() {
    let h = harness().await;
    let target = plain_users(&h, "Fabrikam", 1).remove(0);
    let key = key_of(&target);
    let plan = h
        .console
        .plan_offered(LH, &key, "resetAllMfa")
        .await
        .unwrap();
    let methods_before = h
        .console
        .lighthouse_user_details(LH, &target.tenant_id, &target.user_id)
        .await
        .unwrap()
        .methods;
    assert!(h
        .sandbox
        .make_privileged(&target.tenant_id, &target.user_id));
    verify_by_ticket(&h, &plan.id);
    let refused = h
        .console
        .run_plan(&plan.id, "INC-7201", None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Denied, "{refused:?}");
    assert!(
        refused
            .message
            .contains("second person must approve it now"),
        "{}",
        refused.message
    );
    for method in &methods_before {
        assert_eq!(
            h.times_taken_away(&target.tenant_id, &target.user_id, method),
            0
        );
    }
}

fn verify_by_ticket(h: &Harness, plan_id: &str) {
    h.console
        .record_verification(
            plan_id,
            &resetdesk_core::safety::verification::VerificationEvidence::Ticket {
                ticket: "HR-7".to_string(),
            },
        )
        .unwrap();
}

/// A privileged customer user's reset from their page waits for a second person, who signs in
/// to the partner tenant through the provider's approver sign-in and must be offered the same
/// reset on that user under their own GDAP roles; the run's audit entry names them.
#[tokio::test]
async fn a_privileged_customer_users_reset_from_their_page_is_approved_by_a_second_technician() {
    let h = harness().await;
    // Woodgrove Bank: the technician is a Privileged Authentication Administrator there, who
    // may reset an administrator; the organisation's rules ask a second person for one.
    let woodgrove = h.sandbox.customer_by_name("Woodgrove Bank").unwrap();
    let admin = woodgrove.users.iter().find(|u| u.privileged).unwrap();
    let key = resetdesk_providers::lighthouse::provider::user_key(&woodgrove.tenant_id, &admin.id);
    let plan = h
        .console
        .plan_offered(LH, &key, "resetAllMfa")
        .await
        .unwrap();
    assert!(plan.safety.approval.required, "{:?}", plan.safety.approval);
    verify_by_ticket(&h, &plan.id);
    let waiting = h
        .console
        .run_plan(&plan.id, "INC-7300", None)
        .await
        .unwrap_err();
    assert_eq!(waiting.kind, ErrorKind::Denied, "{waiting:?}");

    let own = h
        .console
        .approve_plan(&plan.id, resetdesk_testkit::demo_sign_in(TECHNICIAN_UPN))
        .await
        .unwrap_err();
    assert!(own.message.contains("second person"), "{own:?}");
    h.console
        .approve_plan(&plan.id, resetdesk_testkit::demo_sign_in(LEAD_UPN))
        .await
        .unwrap();
    let result = h
        .console
        .run_plan(&plan.id, "INC-7300", None)
        .await
        .unwrap();
    assert_eq!(
        result.outcome,
        resetdesk_core::audit::AuditOutcome::Succeeded,
        "{result:?}"
    );
    let entry = h
        .console
        .list_audit(100)
        .unwrap()
        .into_iter()
        .find(|e| {
            e.record.plan_id.as_deref() == Some(plan.id.as_str())
                && e.record.outcome == resetdesk_core::audit::AuditOutcome::Succeeded
        })
        .unwrap();
    assert_eq!(entry.record.tenant_id, woodgrove.tenant_id);
    assert_eq!(entry.record.target_id, admin.id);
    assert_eq!(
        entry.record.approval.as_ref().map(|a| a.approver.as_str()),
        Some(LEAD_UPN)
    );
}

/// One customer user's reset from their page reads that customer's audit log as a job does:
/// where the technician's roles there may read it (Woodgrove Bank), another desktop's reset of
/// the user counts, and the second MFA reset within the window needs a second person; where
/// they may not (Fabrikam), the hourly count on the page says it is this desktop's only.
#[tokio::test]
async fn a_customer_users_reset_from_their_page_counts_another_desktops_reset_of_them() {
    let h = harness().await;
    let other_dir = tempfile::tempdir().unwrap();
    let other = second_desktop(&h, LEAD_UPN, other_dir.path()).await;
    let woodgrove = plain_users(&h, "Woodgrove Bank", 1).remove(0);
    reset_on(&other, std::slice::from_ref(&woodgrove)).await;
    registers_again(&h, &woodgrove);

    let key = key_of(&woodgrove);
    let page = h.console.directory_user(LH, &key).await.unwrap();
    let rate = page.rate.unwrap();
    assert_eq!(rate.note, None, "the customer's log was read: {rate:?}");
    let plan = h
        .console
        .plan_offered(LH, &key, "resetAllMfa")
        .await
        .unwrap();
    assert!(plan.safety.approval.required, "{:?}", plan.safety.approval);
    assert!(
        plan.safety.approval.reasons[0].contains("already reset at"),
        "{:?}",
        plan.safety.approval
    );

    let fabrikam = plain_users(&h, "Fabrikam", 1).remove(0);
    let key = key_of(&fabrikam);
    let page = h.console.directory_user(LH, &key).await.unwrap();
    let note = page.rate.unwrap().note.unwrap();
    assert!(
        note.contains("this desktop's log only") && note.contains("Reports Reader"),
        "{note}"
    );
}

/// Each step of a customer user's reset stands alone, as in Entra's executor and a job: when
/// the customer starts refusing midway (its relationship ended), the first method is removed,
/// every other one is still attempted and reported failed with why, and the run is partial.
#[tokio::test]
async fn a_customer_users_reset_that_the_customer_refuses_midway_reports_every_step() {
    let h = harness().await;
    let mut plans = Vec::new();
    for target in plain_users(&h, "Fabrikam", 2) {
        let key = key_of(&target);
        let plan = h
            .console
            .plan_offered(LH, &key, "resetAllMfa")
            .await
            .unwrap();
        plans.push((target, plan));
    }
    let (target, plan) = plans
        .into_iter()
        .max_by_key(|(_, plan)| plan.steps.len())
        .unwrap();
    assert!(plan.steps.len() >= 2, "{plan:?}");
    verify_by_ticket(&h, &plan.id);
    h.sandbox.refuse_after_deletions(&target.tenant_id, 1);

    let result = h
        .console
        .run_plan(&plan.id, "INC-7400", None)
        .await
        .unwrap();
    assert_eq!(
        result.outcome,
        resetdesk_core::audit::AuditOutcome::Partial,
        "{result:?}"
    );
    assert_eq!(result.steps.len(), plan.steps.len());
    assert_eq!(result.steps[0].state, resetdesk_core::seam::StepState::Done);
    assert!(
        result.steps[1..]
            .iter()
            .all(|s| s.state == resetdesk_core::seam::StepState::Failed
                && s.message.as_deref().is_some_and(|m| !m.is_empty())),
        "{result:?}"
    );
}

/// The id the seam names `target` by (what the users list gives the page with each row).
fn key_of(target: &TargetRef) -> String {
    resetdesk_providers::lighthouse::provider::user_key(&target.tenant_id, &target.user_id)
}
