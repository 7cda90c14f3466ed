//! Runs a plan step by step against a [`crate::entra::directory::Directory`], checking
//! authorization again before each step, and records one outcome per step.
//!
//! Steps run one at a time, in the plan's order: the deletes of "Require re-register MFA"
//! depend on each other (the default method must go last), so they are never sent in
//! parallel. A failed step does not stop the others; each is reported on its own.

use secrecy::SecretString;

use super::actions::StepKind;
use super::planner::{Plan, Step};
use crate::entra::directory::Directory;
use resetdesk_core::error::{AppError, ErrorKind};
use resetdesk_core::model::{AuthMethod, AuthMethodKind, Outcome, Receipt, StepStatus};

/// What a run produced: one outcome per step, and the Temporary Access Pass if one was
/// issued (a secret, for the result view only).
pub struct Execution {
    pub outcomes: Vec<Outcome>,
    pub temporary_access_pass: Option<SecretString>,
}

impl std::fmt::Debug for Execution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Execution")
            .field("outcomes", &self.outcomes)
            .field(
                "temporary_access_pass",
                &self.temporary_access_pass.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// [`execute_plan`] for callers that only need the outcomes.
pub async fn execute_plan<F>(
    plan: &Plan,
    directory: &dyn Directory,
    recheck: F,
    temporary_password: Option<&SecretString>,
) -> Vec<Outcome>
where
    F: Fn(&Step) -> Result<(), String>,
{
    run_plan(plan, directory, recheck, temporary_password)
        .await
        .outcomes
}

/// Runs every step of `plan` on `directory` and returns one outcome per step, in the order
/// the steps actually ran (a deferred default method comes last).
///
/// - A step blocked in the plan is `Skipped` with the plan's reason.
/// - `recheck` is asked just before each step runs; the caller builds it from the operator
///   and the target's roles re-read live (see [`super::policy::authorize_step`]). `Err` →
///   `Refused` with that reason, and nothing is sent for that step.
/// - A provider error → `Failed` with the error's message and request id.
/// - Deleting a method that is already gone counts as done ("already removed"), so running
///   the same plan again changes nothing more.
/// - Safety net for the default-method rule (graph.md §1.3, as MSIdentityTools does it): if
///   the service refuses a delete because the method is the default, that delete is retried
///   once after all the others.
///
/// `temporary_password` is needed by a reset-password step only; it is sent to the provider
/// and never copied into an outcome.
pub async fn run_plan<F>(
    plan: &Plan,
    directory: &dyn Directory,
    recheck: F,
    temporary_password: Option<&SecretString>,
) -> Execution
where
    F: Fn(&Step) -> Result<(), String>,
{
    let mut issued_pass = None;
    let user_id = plan.target.id.as_str();
    let mut outcomes = Vec::with_capacity(plan.steps.len());
    let mut deferred: Vec<&Step> = Vec::new();

    for step in &plan.steps {
        if let Some(reason) = &step.blocked {
            outcomes.push(outcome(step, StepStatus::Skipped, reason.clone(), None));
            continue;
        }
        if let Err(reason) = recheck(step) {
            outcomes.push(outcome(step, StepStatus::Refused, reason, None));
            continue;
        }
        match run_step(step, user_id, directory, temporary_password).await {
            Err(error) if is_delete(step) && is_default_method_refusal(&error) => {
                deferred.push(step)
            }
            result => {
                let result = result.map(|done| {
                    if done.pass.is_some() {
                        issued_pass = done.pass;
                    }
                    done.receipt
                });
                outcomes.push(outcome_of(step, result, false))
            }
        }
    }

    for step in deferred {
        // Authorization may have changed while the other steps ran.
        if let Err(reason) = recheck(step) {
            outcomes.push(outcome(step, StepStatus::Refused, reason, None));
            continue;
        }
        let result = run_step(step, user_id, directory, temporary_password)
            .await
            .map(|done| done.receipt);
        outcomes.push(outcome_of(step, result, true));
    }
    Execution {
        outcomes,
        temporary_access_pass: issued_pass,
    }
}

/// A step that went through: the provider's receipt, and the pass a TAP step issued.
struct StepDone {
    receipt: Receipt,
    pass: Option<SecretString>,
}

impl From<Receipt> for StepDone {
    fn from(receipt: Receipt) -> Self {
        Self {
            receipt,
            pass: None,
        }
    }
}

async fn run_step(
    step: &Step,
    user_id: &str,
    directory: &dyn Directory,
    temporary_password: Option<&SecretString>,
) -> Result<StepDone, AppError> {
    let receipt = match &step.kind {
        StepKind::ResetPassword => match temporary_password {
            Some(password) => directory.reset_password(user_id, password).await,
            None => Err(AppError::internal(
                "No temporary password was generated for this reset; nothing was sent.",
            )),
        },
        StepKind::DeactivateHardwareOath { method_id } => {
            directory.deactivate_hardware_oath(user_id, method_id).await
        }
        StepKind::DeleteMethod {
            method_id,
            method_kind,
            phone_type,
        } => {
            // The provider needs the id, the kind (it picks the endpoint) and, for phones, the
            // type; the rest is display data the plan already showed.
            let method = AuthMethod {
                id: method_id.clone(),
                kind: *method_kind,
                label: kind_label(*method_kind).to_string(),
                detail: None,
                phone_type: phone_type.clone(),
                is_default: false,
                status: None,
                created: None,
            };
            directory.delete_method(user_id, &method).await
        }
        StepKind::RevokeSessions => directory.revoke_sessions(user_id).await,
        StepKind::IssueTemporaryAccessPass {
            lifetime_minutes,
            usable_once,
        } => {
            let issued = directory
                .create_temporary_access_pass(user_id, *lifetime_minutes, *usable_once)
                .await?;
            return Ok(StepDone {
                receipt: issued.receipt,
                pass: Some(issued.pass),
            });
        }
    };
    receipt.map(StepDone::from)
}

/// The admin centre's name for a kind, for the provider's own messages about the method.
fn kind_label(kind: AuthMethodKind) -> &'static str {
    match kind {
        AuthMethodKind::Phone => "Phone number",
        AuthMethodKind::MicrosoftAuthenticator => "Microsoft Authenticator",
        AuthMethodKind::SoftwareOath => "Software OATH token",
        AuthMethodKind::HardwareOath => "Hardware OATH token",
        AuthMethodKind::Fido2 => "Passkey (FIDO2)",
        AuthMethodKind::Email => "Email",
        AuthMethodKind::TemporaryAccessPass => "Temporary Access Pass",
        AuthMethodKind::WindowsHelloForBusiness => "Windows Hello for Business",
        AuthMethodKind::PlatformCredential => "Platform credential",
        AuthMethodKind::Password => "Password",
        AuthMethodKind::Other => "Authentication method",
    }
}

fn is_delete(step: &Step) -> bool {
    matches!(step.kind, StepKind::DeleteMethod { .. })
}

/// Graph's two observed wordings for "this is the default method" (graph.md §1.3):
/// "Cannot delete default method with other methods configured…" and "…matches the user's
/// current default authentication method, and cannot be deleted…".
fn is_default_method_refusal(error: &AppError) -> bool {
    let says_default = |text: &str| {
        let text = text.to_ascii_lowercase();
        text.contains("cannot delete default method")
            || text.contains("current default authentication method")
    };
    says_default(&error.message) || error.detail.as_deref().is_some_and(says_default)
}

fn outcome_of(step: &Step, result: Result<Receipt, AppError>, was_deferred: bool) -> Outcome {
    let retried = if was_deferred {
        " (tried again after the other methods: the service keeps the default method until it is the last one)"
    } else {
        ""
    };
    match result {
        Ok(receipt) => {
            let mut message = format!("{}{retried}", done_message(step));
            if let Some(note) = &receipt.note {
                message.push_str(&format!(" — {note}"));
            }
            outcome(step, StepStatus::Succeeded, message, receipt.request_id)
        }
        Err(error) if is_delete(step) && error.kind == ErrorKind::NotFound => {
            // Gone already (removed by someone else, or by an earlier run of this plan).
            outcome(
                step,
                StepStatus::Succeeded,
                "Already removed".to_string(),
                request_id_of(&error),
            )
        }
        Err(error) => {
            let request_id = request_id_of(&error);
            outcome(
                step,
                StepStatus::Failed,
                format!("{}{retried}", error.message),
                request_id,
            )
        }
    }
}

fn done_message(step: &Step) -> &'static str {
    match step.kind {
        StepKind::IssueTemporaryAccessPass { .. } => {
            "Temporary Access Pass issued; it is shown once, here"
        }
        StepKind::ResetPassword => "Temporary password set; it must be changed at next sign-in",
        StepKind::DeactivateHardwareOath { .. } => "Deactivated",
        StepKind::DeleteMethod { .. } => "Removed",
        StepKind::RevokeSessions => {
            "Sessions revoked; it can take a few minutes to reach every service"
        }
    }
}

/// Providers put the request id in `detail` as `request-id=<id>` (the Entra client writes
/// "code=<code> request-id=<id>"); "none" means the service sent none.
fn request_id_of(error: &AppError) -> Option<String> {
    let detail = error.detail.as_deref()?;
    let start = detail.find("request-id=")? + "request-id=".len();
    let id: String = detail[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ',' && *c != ';')
        .collect();
    (!id.is_empty() && id != "none").then_some(id)
}

fn outcome(
    step: &Step,
    status: StepStatus,
    message: String,
    request_id: Option<String>,
) -> Outcome {
    Outcome {
        step_index: step.index,
        status,
        message,
        request_id,
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::actions::ActionKind;
    use crate::entra::planner::build_plan;
    use crate::entra::policy::role_ids;
    use async_trait::async_trait;
    use resetdesk_core::audit::{overall_outcome, AuditOutcome};
    use resetdesk_core::model::{DirectoryUser, Operator, RoleRef};
    use secrecy::ExposeSecret;
    use std::sync::Mutex;

    /// An in-memory directory that refuses what Graph refuses: deleting the default method
    /// while another method that could be default remains, and deleting the mobile number
    /// while an alternate mobile number remains. It records every write it is sent.
    #[derive(Default)]
    struct FakeDirectory {
        methods: Mutex<Vec<AuthMethod>>,
        calls: Mutex<Vec<String>>,
        passwords: Mutex<Vec<String>>,
        /// Method ids whose delete fails with a 500-style provider error.
        broken: Vec<String>,
    }

    impl FakeDirectory {
        fn with(methods: Vec<AuthMethod>) -> Self {
            Self {
                methods: Mutex::new(methods),
                ..Default::default()
            }
        }
        fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap().clone()
        }
        fn remaining(&self) -> Vec<String> {
            self.methods
                .lock()
                .unwrap()
                .iter()
                .map(|m| m.id.clone())
                .collect()
        }
    }

    fn can_be_default(m: &AuthMethod) -> bool {
        match m.kind {
            AuthMethodKind::Phone
            | AuthMethodKind::MicrosoftAuthenticator
            | AuthMethodKind::SoftwareOath => true,
            AuthMethodKind::HardwareOath => m.status.as_deref() == Some("activated"),
            _ => false,
        }
    }

    fn receipt(n: usize) -> Receipt {
        Receipt {
            request_id: Some(format!("req-{n}")),
            note: None,
        }
    }

    #[async_trait]
    impl Directory for FakeDirectory {
        async fn me(&self) -> resetdesk_core::error::Result<Operator> {
            Err(AppError::internal("not used"))
        }
        async fn search_users(
            &self,
            _: &str,
            _: usize,
        ) -> resetdesk_core::error::Result<Vec<DirectoryUser>> {
            Err(AppError::internal("not used"))
        }
        async fn get_user(&self, _: &str) -> resetdesk_core::error::Result<DirectoryUser> {
            Err(AppError::internal("not used"))
        }
        async fn list_methods(&self, _: &str) -> resetdesk_core::error::Result<Vec<AuthMethod>> {
            Ok(self.methods.lock().unwrap().clone())
        }
        async fn reset_password(
            &self,
            _: &str,
            password: &SecretString,
        ) -> resetdesk_core::error::Result<Receipt> {
            self.calls.lock().unwrap().push("reset".into());
            self.passwords
                .lock()
                .unwrap()
                .push(password.expose_secret().to_string());
            Ok(receipt(0))
        }
        async fn delete_method(
            &self,
            _: &str,
            method: &AuthMethod,
        ) -> resetdesk_core::error::Result<Receipt> {
            let n = {
                let mut calls = self.calls.lock().unwrap();
                calls.push(format!("delete {}", method.id));
                calls.len()
            };
            if self.broken.contains(&method.id) {
                return Err(AppError::new(
                    ErrorKind::Provider,
                    "The service had an internal error.",
                )
                .with_detail(format!("code=UnknownError request-id=req-{n}")));
            }
            let mut methods = self.methods.lock().unwrap();
            let Some(position) = methods.iter().position(|m| m.id == method.id) else {
                return Err(
                    AppError::new(ErrorKind::NotFound, "The method no longer exists.")
                        .with_detail(format!("code=itemNotFound request-id=req-{n}")),
                );
            };
            let target = &methods[position];
            // The provider picks the endpoint from the kind, and names the method by its label.
            assert_eq!(target.kind, method.kind);
            assert_eq!(target.phone_type, method.phone_type);
            assert!(!method.label.is_empty());
            let others_could_be_default = methods
                .iter()
                .any(|m| m.id != target.id && can_be_default(m));
            if target.is_default && others_could_be_default {
                return Err(AppError::new(
                    ErrorKind::Provider,
                    "Cannot delete default method with other methods configured. Please change default method before deletion.",
                )
                .with_detail(format!("code=badRequest request-id=req-{n}")));
            }
            let is_mobile = target.phone_type.as_deref() == Some("mobile");
            if is_mobile
                && methods
                    .iter()
                    .any(|m| m.phone_type.as_deref() == Some("alternateMobile"))
            {
                return Err(AppError::new(
                    ErrorKind::Provider,
                    "A user can't have an alternateMobile number without a mobile number.",
                )
                .with_detail(format!("code=badRequest request-id=req-{n}")));
            }
            methods.remove(position);
            Ok(receipt(n))
        }
        async fn deactivate_hardware_oath(
            &self,
            _: &str,
            method_id: &str,
        ) -> resetdesk_core::error::Result<Receipt> {
            self.calls
                .lock()
                .unwrap()
                .push(format!("deactivate {method_id}"));
            let mut methods = self.methods.lock().unwrap();
            let token = methods
                .iter_mut()
                .find(|m| m.id == method_id)
                .ok_or_else(|| AppError::new(ErrorKind::NotFound, "no token"))?;
            token.status = Some("deactivated".into());
            Ok(receipt(0))
        }
        async fn revoke_sessions(&self, _: &str) -> resetdesk_core::error::Result<Receipt> {
            self.calls.lock().unwrap().push("revoke".into());
            Ok(Receipt {
                request_id: Some("req-revoke".into()),
                note: None,
            })
        }
    }

    fn m(
        id: &str,
        kind: AuthMethodKind,
        phone_type: Option<&str>,
        is_default: bool,
        status: Option<&str>,
    ) -> AuthMethod {
        AuthMethod {
            id: id.into(),
            kind,
            label: format!("{kind:?}"),
            detail: Some(format!("detail of {id}")),
            phone_type: phone_type.map(Into::into),
            is_default,
            status: status.map(Into::into),
            created: None,
        }
    }

    fn adele_methods() -> Vec<AuthMethod> {
        vec![
            m("pwd", AuthMethodKind::Password, None, false, None),
            m("mobile", AuthMethodKind::Phone, Some("mobile"), true, None),
            m(
                "alt",
                AuthMethodKind::Phone,
                Some("alternateMobile"),
                false,
                None,
            ),
            m(
                "app",
                AuthMethodKind::MicrosoftAuthenticator,
                None,
                false,
                None,
            ),
            m("soft", AuthMethodKind::SoftwareOath, None, false, None),
            m(
                "hw",
                AuthMethodKind::HardwareOath,
                None,
                false,
                Some("activated"),
            ),
            m("fido", AuthMethodKind::Fido2, None, false, None),
            m("mail", AuthMethodKind::Email, None, false, None),
        ]
    }

    fn operator(role: &str) -> Operator {
        Operator {
            connection_id: "c".into(),
            tenant_id: "t".into(),
            id: "op".into(),
            user_principal_name: "op@contoso.sandbox".into(),
            display_name: "Op".into(),
            roles: vec![RoleRef {
                template_id: role.into(),
                display_name: "role".into(),
            }],
        }
    }

    fn adele() -> DirectoryUser {
        DirectoryUser {
            id: "adele".into(),
            user_principal_name: "adele.vance@contoso.sandbox".into(),
            display_name: "Adele Vance".into(),
            roles_known: true,
            ..Default::default()
        }
    }

    fn plan_for(action: ActionKind, role: &str, methods: &[AuthMethod]) -> Plan {
        build_plan(action, "c", &operator(role), &adele(), methods).unwrap()
    }

    fn allow_all(_: &Step) -> Result<(), String> {
        Ok(())
    }

    fn statuses(outcomes: &[Outcome]) -> Vec<(usize, StepStatus)> {
        outcomes.iter().map(|o| (o.step_index, o.status)).collect()
    }

    #[tokio::test]
    async fn require_reregister_removes_everything_in_an_order_the_service_accepts() {
        let directory = FakeDirectory::with(adele_methods());
        let plan = plan_for(
            ActionKind::RequireReregisterMfa,
            role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
            &adele_methods(),
        );
        let outcomes = execute_plan(&plan, &directory, allow_all, None).await;
        assert!(
            outcomes.iter().all(|o| o.status == StepStatus::Succeeded),
            "{outcomes:#?}"
        );
        assert_eq!(
            directory.calls(),
            vec![
                "deactivate hw",
                "delete app",
                "delete soft",
                "delete alt",
                "delete mobile"
            ],
            "no refusal, so no retry was needed"
        );
        assert_eq!(directory.remaining(), vec!["pwd", "hw", "fido", "mail"]);
        assert!(
            outcomes
                .iter()
                .all(|o| o.request_id.is_some()
                    && chrono::DateTime::parse_from_rfc3339(&o.at).is_ok())
        );
        assert_eq!(overall_outcome(&outcomes), AuditOutcome::Succeeded);
    }

    #[tokio::test]
    async fn a_default_method_refused_mid_run_is_retried_once_after_the_others() {
        // The plan was built when the Authenticator was not the default; it became the
        // default since (or the provider reported the default wrong). The safety net copes.
        let stale_view = adele_methods();
        let mut live = adele_methods();
        for method in &mut live {
            method.is_default = method.id == "app";
        }
        let directory = FakeDirectory::with(live);
        let plan = plan_for(
            ActionKind::RequireReregisterMfa,
            role_ids::GLOBAL_ADMINISTRATOR,
            &stale_view,
        );
        let outcomes = execute_plan(&plan, &directory, allow_all, None).await;
        assert_eq!(
            directory.calls(),
            vec![
                "deactivate hw",
                "delete app",
                "delete soft",
                "delete alt",
                "delete mobile",
                "delete app"
            ]
        );
        let app_step = plan
            .steps
            .iter()
            .find(|s| s.summary.contains("Authenticator"))
            .unwrap()
            .index;
        let last = outcomes.last().unwrap();
        assert_eq!(
            (last.step_index, last.status),
            (app_step, StepStatus::Succeeded)
        );
        assert!(
            last.message.contains("tried again after the other methods"),
            "{}",
            last.message
        );
        assert_eq!(outcomes.len(), plan.steps.len());
        assert!(outcomes.iter().all(|o| o.status == StepStatus::Succeeded));
        assert_eq!(directory.remaining(), vec!["pwd", "hw", "fido", "mail"]);
    }

    #[tokio::test]
    async fn a_default_method_that_still_cannot_go_fails_after_one_retry_with_its_request_id() {
        // Auth Admin: the hardware token stays active (blocked), so the default mobile can
        // never be the last method that could be default.
        let directory = FakeDirectory::with(adele_methods());
        let plan = plan_for(
            ActionKind::RequireReregisterMfa,
            role_ids::AUTHENTICATION_ADMINISTRATOR,
            &adele_methods(),
        );
        let outcomes = execute_plan(&plan, &directory, allow_all, None).await;
        assert_eq!(
            directory.calls(),
            vec![
                "delete app",
                "delete soft",
                "delete alt",
                "delete mobile",
                "delete mobile"
            ],
            "the blocked token is never sent; the default is tried twice, no more"
        );
        assert_eq!(outcomes[0].status, StepStatus::Skipped);
        assert!(outcomes[0]
            .message
            .contains("Privileged Authentication Administrator"));
        let last = outcomes.last().unwrap();
        assert_eq!(last.status, StepStatus::Failed);
        assert!(
            last.message.starts_with("Cannot delete default method"),
            "{}",
            last.message
        );
        assert_eq!(last.request_id.as_deref(), Some("req-5"));
        assert_eq!(overall_outcome(&outcomes), AuditOutcome::Partial);
    }

    #[tokio::test]
    async fn a_failed_delete_does_not_stop_the_remaining_deletes() {
        let directory = FakeDirectory {
            broken: vec!["soft".into()],
            ..FakeDirectory::with(adele_methods())
        };
        let plan = plan_for(
            ActionKind::RequireReregisterMfa,
            role_ids::GLOBAL_ADMINISTRATOR,
            &adele_methods(),
        );
        let outcomes = execute_plan(&plan, &directory, allow_all, None).await;
        let failed: Vec<_> = outcomes
            .iter()
            .filter(|o| o.status == StepStatus::Failed)
            .collect();
        // The software token failed; the default mobile then cannot go either (a method that
        // could be default remains), and is reported after its retry.
        assert_eq!(failed.len(), 2, "{outcomes:#?}");
        assert_eq!(failed[0].message, "The service had an internal error.");
        assert_eq!(failed[0].request_id.as_deref(), Some("req-3"));
        assert_eq!(
            directory.remaining(),
            vec!["pwd", "mobile", "soft", "hw", "fido", "mail"]
        );
        assert!(directory.calls().contains(&"delete alt".to_string()));
        assert_eq!(outcomes.len(), plan.steps.len());
    }

    #[tokio::test]
    async fn running_a_finished_plan_again_changes_nothing_and_reports_already_removed() {
        let directory = FakeDirectory::with(adele_methods());
        let plan = plan_for(
            ActionKind::RequireReregisterMfa,
            role_ids::GLOBAL_ADMINISTRATOR,
            &adele_methods(),
        );
        execute_plan(&plan, &directory, allow_all, None).await;
        let before = directory.remaining();
        let again = execute_plan(&plan, &directory, allow_all, None).await;
        assert_eq!(directory.remaining(), before);
        let deletes: Vec<_> = again
            .iter()
            .filter(|o| plan.steps[o.step_index].summary.starts_with("Delete"))
            .collect();
        assert_eq!(deletes.len(), 4);
        assert!(deletes
            .iter()
            .all(|o| o.status == StepStatus::Succeeded && o.message == "Already removed"));
    }

    #[tokio::test]
    async fn a_refused_recheck_sends_nothing_for_that_step() {
        let directory = FakeDirectory::with(adele_methods());
        let plan = plan_for(
            ActionKind::RequireReregisterMfa,
            role_ids::GLOBAL_ADMINISTRATOR,
            &adele_methods(),
        );
        // The operator lost the role mid-run: the check refuses every delete of a phone.
        let recheck = |step: &Step| match &step.kind {
            StepKind::DeleteMethod {
                method_kind: AuthMethodKind::Phone,
                ..
            } => Err("Your role was removed.".to_string()),
            _ => Ok(()),
        };
        let outcomes = execute_plan(&plan, &directory, recheck, None).await;
        assert_eq!(
            directory.calls(),
            vec!["deactivate hw", "delete app", "delete soft"]
        );
        let refused: Vec<_> = outcomes
            .iter()
            .filter(|o| o.status == StepStatus::Refused)
            .collect();
        assert_eq!(refused.len(), 2);
        assert!(refused
            .iter()
            .all(|o| o.message == "Your role was removed." && o.request_id.is_none()));

        let everything_refused = execute_plan(
            &plan,
            &FakeDirectory::with(adele_methods()),
            |_: &Step| Err("no".to_string()),
            None,
        )
        .await;
        assert_eq!(overall_outcome(&everything_refused), AuditOutcome::Refused);
        assert_eq!(statuses(&everything_refused).len(), plan.steps.len());
    }

    #[tokio::test]
    async fn reset_password_sends_the_given_password_and_never_reports_it() {
        let directory = FakeDirectory::with(vec![]);
        let plan = plan_for(
            ActionKind::ResetPassword,
            role_ids::HELPDESK_ADMINISTRATOR,
            &[],
        );
        let password = SecretString::from("Temp-Pass-4567#x".to_string());
        let outcomes = execute_plan(&plan, &directory, allow_all, Some(&password)).await;
        assert_eq!(statuses(&outcomes), vec![(0, StepStatus::Succeeded)]);
        assert_eq!(
            directory.passwords.lock().unwrap().as_slice(),
            ["Temp-Pass-4567#x"]
        );
        assert!(!serde_json::to_string(&outcomes)
            .unwrap()
            .contains("Temp-Pass-4567#x"));

        let without = execute_plan(&plan, &FakeDirectory::with(vec![]), allow_all, None).await;
        assert_eq!(without[0].status, StepStatus::Failed);
    }

    #[tokio::test]
    async fn revoke_sessions_is_one_call() {
        let directory = FakeDirectory::with(vec![]);
        let plan = plan_for(
            ActionKind::RevokeSessions,
            role_ids::HELPDESK_ADMINISTRATOR,
            &[],
        );
        let outcomes = execute_plan(&plan, &directory, allow_all, None).await;
        assert_eq!(directory.calls(), vec!["revoke"]);
        assert_eq!(outcomes[0].request_id.as_deref(), Some("req-revoke"));
        assert_eq!(outcomes[0].status, StepStatus::Succeeded);
    }

    #[test]
    fn request_ids_are_read_from_the_detail() {
        let e = |detail: &str| AppError::new(ErrorKind::Provider, "x").with_detail(detail);
        assert_eq!(
            request_id_of(&e("code=badRequest request-id=abc-123")).as_deref(),
            Some("abc-123")
        );
        assert_eq!(request_id_of(&e("code=none request-id=none")), None);
        assert_eq!(
            request_id_of(&AppError::new(ErrorKind::Provider, "x")),
            None
        );
    }

    #[test]
    fn both_graph_wordings_of_the_default_method_refusal_are_recognised() {
        let e = |message: &str| AppError::new(ErrorKind::Provider, message);
        assert!(is_default_method_refusal(&e("Cannot delete default method with other methods configured. Please change default method before deletion.")));
        assert!(is_default_method_refusal(&e("The requested authentication method id of [x] matches the user's current default authentication method, and cannot be deleted until the default authentication method is changed")));
        assert!(!is_default_method_refusal(&e(
            "Insufficient privileges to complete the operation."
        )));
    }
}
