//! The decision core (authz, plan, execute) with the real Entra provider against the sandbox
//! emulator, whose own copy of Entra's rules is written independently of `authz`:
//! - for every seeded operator and every well-known demo target, our decision agrees with
//!   what the emulator then accepts or refuses when the call is sent anyway;
//! - "Require re-register MFA" plans run to completion in an order the emulator accepts, and
//!   leave exactly what Entra keeps.

use std::sync::Arc;

use async_trait::async_trait;
use resetdesk_core::audit::overall_outcome;
use resetdesk_core::auth::AccessTokenSource;
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::model::StepStatus;
use resetdesk_core::model::{AuthMethodKind, DirectoryUser, Operator};
use resetdesk_core::password::generate_temporary_password;
use resetdesk_providers::entra::actions::ActionKind;
use resetdesk_providers::entra::actions::StepKind;
use resetdesk_providers::entra::directory::Directory;
use resetdesk_providers::entra::execute::execute_plan;
use resetdesk_providers::entra::planner::{build_plan, Plan};
use resetdesk_providers::entra::policy::{self, Decision};
use resetdesk_providers::entra::{http_client, EntraDirectory};
use resetdesk_sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;

const OPERATORS: [&str; 7] = [
    "authadmin",
    "privauthadmin",
    "helpdesk",
    "nobody",
    "globaladmin",
    "useradmin",
    "pwdadmin",
];
const TARGETS: [&str; 4] = [
    "adele.vance",
    "megan.bowen",
    "alex.wilber",
    "diego.siciliani",
];

/// Emulator tokens for one operator (a fresh one each time; the emulator keeps them valid).
struct Tokens {
    sandbox: Sandbox,
    upn: String,
}

#[async_trait]
impl AccessTokenSource for Tokens {
    async fn access_token(&self) -> Result<SecretString> {
        self.sandbox
            .issue_access_token(&self.upn)
            .map(SecretString::from)
            .ok_or_else(|| AppError::not_signed_in(format!("the emulator knows no {}", self.upn)))
    }
    async fn invalidate(&self, _rejected: &SecretString) {}
}

fn upn(local: &str) -> String {
    format!("{local}@contoso.sandbox")
}

async fn small_sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: 42,
        users: 40,
    })
    .await
    .expect("the emulator starts")
}

fn directory_as(sandbox: &Sandbox, operator: &str) -> EntraDirectory {
    let tokens = Arc::new(Tokens {
        sandbox: sandbox.clone(),
        upn: upn(operator),
    });
    EntraDirectory::new("sandbox", &sandbox.entra_settings(), tokens, http_client())
}

/// The live operator and target, as the console reads them before planning.
async fn live(
    directory: &EntraDirectory,
    sandbox: &Sandbox,
    target: &str,
) -> (Operator, DirectoryUser) {
    let operator = directory.me().await.expect("me");
    let id = sandbox.user_id_by_upn(&upn(target)).expect("seeded target");
    let target = directory.get_user(&id).await.expect("get_user");
    assert!(target.roles_known, "get_user fills the roles");
    (operator, target)
}

/// Sends the action's write without our check and reports whether the emulator accepted it.
async fn emulator_accepts(
    directory: &EntraDirectory,
    reader: &EntraDirectory,
    action: ActionKind,
    target: &DirectoryUser,
) -> bool {
    let result = match action {
        ActionKind::ResetPassword => {
            directory
                .reset_password(&target.id, &generate_temporary_password())
                .await
        }
        ActionKind::RevokeSessions => directory.revoke_sessions(&target.id).await,
        ActionKind::RequireReregisterMfa => {
            // One non-default method the operator would delete, listed by a Global Administrator.
            let methods = reader
                .list_methods(&target.id)
                .await
                .expect("list methods as a Global Administrator");
            let Some(method) = methods.iter().find(|m| {
                !m.is_default
                    && matches!(
                        m.kind,
                        AuthMethodKind::MicrosoftAuthenticator
                            | AuthMethodKind::SoftwareOath
                            | AuthMethodKind::Phone
                    )
                    && m.phone_type.as_deref() != Some("mobile")
            }) else {
                panic!(
                    "{} has no non-default method to try",
                    target.user_principal_name
                )
            };
            directory.delete_method(&target.id, method).await
        }
        ActionKind::IssueTemporaryAccessPass => directory
            .create_temporary_access_pass(&target.id, 60, true)
            .await
            .map(|issued| issued.receipt),
    };
    match result {
        Ok(_) => true,
        Err(e) if e.kind == ErrorKind::Forbidden => false,
        Err(e) => panic!(
            "{action:?} on {}: unexpected {e:?}",
            target.user_principal_name
        ),
    }
}

#[tokio::test]
async fn authz_agrees_with_the_emulator_for_every_seeded_operator_and_demo_target() {
    let mut disagreements = Vec::new();
    let (mut allowed, mut denied) = (0, 0);
    for operator_name in OPERATORS {
        for action in ActionKind::ALL {
            // A fresh organisation per (operator, action): the writes change it.
            let sandbox = small_sandbox().await;
            let directory = directory_as(&sandbox, operator_name);
            let reader = directory_as(&sandbox, "globaladmin");
            for target_name in TARGETS {
                let (operator, target) = live(&directory, &sandbox, target_name).await;
                let decision = policy::decide(action, &operator, &target);
                let accepted = emulator_accepts(&directory, &reader, action, &target).await;
                if accepted {
                    allowed += 1;
                } else {
                    denied += 1;
                }
                if decision.is_allowed() != accepted {
                    disagreements.push(format!("{operator_name} {action:?} {target_name}: ours {decision:?}, emulator accepted={accepted}"));
                }
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    // Both answers occur, so the comparison is not vacuous (7 operators × 4 actions × 4 targets).
    assert_eq!(allowed + denied, 112);
    assert!(
        allowed >= 20 && denied >= 20,
        "allowed {allowed}, denied {denied}"
    );
}

async fn run_reregister(
    sandbox: &Sandbox,
    operator_name: &str,
) -> (Plan, Vec<resetdesk_core::model::Outcome>) {
    let directory = directory_as(sandbox, operator_name);
    let (operator, target) = live(&directory, sandbox, "adele.vance").await;
    // The operator's own view of the methods would be masked for an Authentication
    // Administrator; ids and kinds are what the plan needs, and those are not masked.
    let methods = directory
        .list_methods(&target.id)
        .await
        .expect("list methods");
    let plan = build_plan(
        ActionKind::RequireReregisterMfa,
        "sandbox",
        &operator,
        &target,
        &methods,
    )
    .expect("a plan");
    let recheck = |step: &resetdesk_providers::entra::planner::Step| {
        policy::authorize_step(plan.action, &operator, &target, &step.kind)
    };
    let outcomes = execute_plan(&plan, &directory, recheck, None).await;
    (plan, outcomes)
}

fn kinds_left(sandbox: &Sandbox) -> Vec<String> {
    let adele = sandbox.user_id_by_upn(&upn("adele.vance")).unwrap();
    let mut kinds: Vec<String> = sandbox
        .methods_of(&adele)
        .iter()
        .map(|m| {
            m["@odata.type"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches("#microsoft.graph.")
                .to_string()
        })
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn require_reregister_as_privileged_authentication_administrator_removes_every_mfa_method_adele_has(
) {
    let sandbox = small_sandbox().await;
    let (plan, outcomes) = run_reregister(&sandbox, "privauthadmin").await;
    assert!(
        outcomes.iter().all(|o| o.status == StepStatus::Succeeded),
        "{outcomes:#?}"
    );
    assert_eq!(outcomes.len(), plan.steps.len());
    assert!(matches!(
        plan.steps[0].kind,
        StepKind::DeactivateHardwareOath { .. }
    ));
    assert!(plan
        .steps
        .last()
        .unwrap()
        .summary
        .ends_with("default method, removed last"));
    for kept in kinds_left(&sandbox) {
        assert!(
            ![
                "phoneAuthenticationMethod",
                "microsoftAuthenticatorAuthenticationMethod",
                "softwareOathAuthenticationMethod"
            ]
            .contains(&kept.as_str()),
            "{kept} should be gone"
        );
    }
    assert!(kinds_left(&sandbox).contains(&"fido2AuthenticationMethod".to_string()));
    assert!(kinds_left(&sandbox).contains(&"passwordAuthenticationMethod".to_string()));
    let adele = sandbox.user_id_by_upn(&upn("adele.vance")).unwrap();
    assert!(sandbox
        .hardware_oath_of(&adele)
        .iter()
        .all(|t| t["device"]["status"] == "deactivated"));
    assert_eq!(
        overall_outcome(&outcomes),
        resetdesk_core::audit::AuditOutcome::Succeeded
    );

    // Running the same plan again changes nothing more and fails nothing.
    let before = kinds_left(&sandbox);
    let directory = directory_as(&sandbox, "privauthadmin");
    let again = execute_plan(
        &plan,
        &directory,
        |_: &resetdesk_providers::entra::planner::Step| Ok(()),
        None,
    )
    .await;
    assert_eq!(kinds_left(&sandbox), before);
    let deletes = again
        .iter()
        .filter(|o| matches!(plan.steps[o.step_index].kind, StepKind::DeleteMethod { .. }));
    for outcome in deletes {
        assert_eq!(outcome.status, StepStatus::Succeeded, "{outcome:?}");
    }
}

#[tokio::test]
async fn as_an_authentication_administrator_the_hardware_token_is_skipped_and_every_other_step_reported(
) {
    let sandbox = small_sandbox().await;
    let (plan, outcomes) = run_reregister(&sandbox, "authadmin").await;
    assert_eq!(outcomes.len(), plan.steps.len());
    let adele = sandbox.user_id_by_upn(&upn("adele.vance")).unwrap();
    assert!(
        sandbox
            .hardware_oath_of(&adele)
            .iter()
            .all(|t| t["device"]["status"] == "activated"),
        "nothing sent for the token"
    );
    let skipped: Vec<_> = outcomes
        .iter()
        .filter(|o| o.status == StepStatus::Skipped)
        .collect();
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0]
        .message
        .contains("Privileged Authentication Administrator"));
    // Every non-default delete went through; the default stays because an activated hardware
    // token could still be the default (the emulator, like Entra, refuses it), after one retry.
    let default_index = plan
        .steps
        .iter()
        .position(|s| s.summary.ends_with("removed last"))
        .expect("a default method");
    for outcome in &outcomes {
        let expected = if outcome.step_index == default_index {
            StepStatus::Failed
        } else if plan.steps[outcome.step_index].blocked.is_some() {
            StepStatus::Skipped
        } else {
            StepStatus::Succeeded
        };
        assert_eq!(outcome.status, expected, "{outcome:?}");
    }
    assert!(plan
        .warnings
        .iter()
        .any(|w| w.contains("may also refuse to remove the default method")));
    assert_eq!(
        overall_outcome(&outcomes),
        resetdesk_core::audit::AuditOutcome::Partial
    );
}

#[tokio::test]
async fn plans_refused_by_authz_are_denied_errors_and_send_nothing() {
    let sandbox = small_sandbox().await;
    let directory = directory_as(&sandbox, "authadmin");
    let (operator, megan) = live(&directory, &sandbox, "megan.bowen").await;
    sandbox.clear_requests();
    let err = build_plan(
        ActionKind::RequireReregisterMfa,
        "sandbox",
        &operator,
        &megan,
        &[],
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Denied);
    assert_eq!(
        err.message,
        "Only a Privileged Authentication Administrator or a Global Administrator can require re-registration of MFA for a Global Administrator."
    );
    assert!(sandbox.requests().is_empty());
    assert!(matches!(
        policy::decide(ActionKind::ResetPassword, &operator, &megan),
        Decision::Denied { .. }
    ));
}
