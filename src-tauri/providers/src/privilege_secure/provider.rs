//! Netwrix Privilege Secure on the provider seam: sign-in with the second factor (or the
//! server's untrusted certificate, typed, for the operator to trust explicitly), the users with
//! how they get access, and Reset 2-Factor Token.
//!
//! Declared per step (the "finish by hand" rule):
//! * the user's own token, directly or through add → reset → remove: the documented API;
//! * the token of a whole group: **by hand**. The API documents `ResetMFA/{id}` for one NPS
//!   user only; no documented call resets a group's token. It is also the step an operator
//!   should almost never take, so it stays a separate action with its own warning.
use async_trait::async_trait;
use secrecy::SecretString;

use super::planner::steps;
use super::policy::offers;
use super::{
    parse_fingerprint, untrusted_certificate_sha256, PrivilegeSecureClient, PsAccess, PsSession,
    PsUser, StepOutcome, MAX_SEARCH_RESULTS,
};
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::model::connection::{Connection, ProviderSettings, PRIVILEGE_SECURE_PROVIDER};
use resetdesk_core::seam::{
    DeclaredAction, PlanDraft, PlanOwner, PlanTarget, Provider, ProviderAccount, ProviderAction,
    ProviderOffer, ProviderPlan, Session, SignInRequest, SignInStep, StepReport, StepState,
    StepsRun, UserFact, UserPage, UserRow,
};

/// Serves every Privilege Secure connection.
pub struct PrivilegeSecure;

#[async_trait]
impl Provider for PrivilegeSecure {
    fn name(&self) -> &str {
        PRIVILEGE_SECURE_PROVIDER
    }

    /// Its entries keep its offers' labels (the admin console's words).
    fn actions(&self) -> Vec<DeclaredAction> {
        super::policy::ACTIONS
            .into_iter()
            .map(|(action, label)| DeclaredAction::new(action.id(), label, action.safety_class()))
            .collect()
    }

    fn admin_centre(&self) -> &str {
        "Privilege Secure"
    }

    fn product(&self) -> &str {
        "Netwrix Privilege Secure"
    }

    fn summary(&self, connection: &Connection) -> Option<String> {
        let settings = connection.privilege_secure().ok()?;
        Some(match &settings.trusted_certificate_sha256 {
            Some(pin) => format!("{} · certificate pinned (SHA-256 {pin})", settings.base_url),
            None => settings.base_url.clone(),
        })
    }

    /// Login, password and the current code of the second factor. A server whose certificate
    /// nobody trusted answers with its fingerprint, for the page's explicit "trust" offer.
    async fn sign_in(&self, connection: &Connection, request: SignInRequest) -> Result<SignInStep> {
        let client = PrivilegeSecureClient::new(connection.privilege_secure()?)?;
        let password = request
            .password
            .unwrap_or_else(|| SecretString::from(String::new()));
        let code = request.code.unwrap_or_default();
        match client.sign_in(&request.account, &password, &code).await {
            Ok(session) => Ok(SignInStep::Done(std::sync::Arc::new(
                PrivilegeSecureSession { session },
            ))),
            Err(error) => match untrusted_certificate_sha256(&error) {
                Some(sha256) => Ok(SignInStep::UntrustedCertificate {
                    sha256: sha256.to_string(),
                }),
                None => Err(error),
            },
        }
    }

    /// Privilege Secure's sign-in keeps nothing (its session lives in memory): an approver
    /// signs in the same way, to a server whose certificate the connection trusts already.
    async fn approver_sign_in(
        &self,
        connection: &Connection,
        request: SignInRequest,
    ) -> Result<SignInStep> {
        self.sign_in(connection, request).await
    }

    fn takes_approvals(&self) -> bool {
        true
    }

    /// Privilege Secure signs in with a login, its password and the authenticator's code.
    fn asks_for_password(&self) -> bool {
        true
    }

    /// Trusts the certificate the server presents now, if it is the one the operator was shown
    /// (`sha256`). A different one is refused: the operator must have seen what is trusted.
    async fn trust_certificate(
        &self,
        connection: &Connection,
        sha256: &str,
    ) -> Result<ProviderSettings> {
        let wanted = parse_fingerprint(sha256)?;
        let mut unpinned = connection.privilege_secure()?.clone();
        unpinned.trusted_certificate_sha256 = None;
        let presented = PrivilegeSecureClient::new(&unpinned)?
            .presented_certificate_sha256()
            .await?;
        if parse_fingerprint(&presented)? != wanted {
            return Err(AppError::invalid_input(format!(
                "The server now presents a different certificate (SHA-256 {presented}) from the \
                 one you were shown. Nothing was trusted; check with the server's administrator."
            )));
        }
        let mut pinned = unpinned;
        pinned.trusted_certificate_sha256 = Some(presented);
        Ok(ProviderSettings::PrivilegeSecure(pinned))
    }
}

/// A signed-in Privilege Secure connection (its session token lives in memory only).
struct PrivilegeSecureSession {
    session: PsSession,
}

#[async_trait]
impl Session for PrivilegeSecureSession {
    fn account(&self) -> ProviderAccount {
        let operator = self.session.operator();
        ProviderAccount {
            name: operator.login.clone(),
            login: operator.login.clone(),
            role_label: if operator.is_administrator {
                "Administrator".to_string()
            } else {
                "Not an administrator".to_string()
            },
            signed_in_at: None,
        }
    }

    fn owner(&self) -> PlanOwner {
        PlanOwner {
            operator_id: self.session.operator().id.clone(),
            operator_label: self.session.operator().login.clone(),
            tenant_id: self.session.base_url().to_string(),
        }
    }

    async fn search(&self, query: &str, limit: usize) -> Result<Vec<UserRow>> {
        let limit = u32::try_from(limit).unwrap_or(MAX_SEARCH_RESULTS);
        let users = self.session.search_users(query, limit).await?;
        Ok(users.iter().map(user_row).collect())
    }

    async fn user_page(&self, user_id: &str) -> Result<UserPage> {
        let user = self.user_as_seen_by_operator(user_id).await?;
        Ok(UserPage {
            offers: offers(self.session.operator(), &user),
            facts: vec![
                UserFact::new("login", "Login", &login_of(&user)),
                UserFact::maybe(
                    "upn",
                    "User principal name",
                    user.user_principal_name.as_deref(),
                ),
                UserFact::maybe("email", "E-mail", user.email.as_deref()),
                UserFact::maybe("domain", "Domain", user.domain_name.as_deref()),
                UserFact::new(
                    "access",
                    "Access to Privilege Secure",
                    &access_text(&user.access),
                ),
            ],
            user: user_row(&user),
            fresh_sign_in: None,
            rate: None,
            methods: None,
            methods_error: None,
        })
    }

    /// Reset 2-Factor Token (one step, or the three for a user who inherits access through a
    /// group), or the group reset (by hand, with its warning).
    async fn plan(&self, user_id: &str, offer: &ProviderOffer) -> Result<PlanDraft> {
        let user = self.user_as_seen_by_operator(user_id).await?;
        let action = ProviderAction::from_id(&offer.action).ok_or_else(not_an_nps_action)?;
        let (steps, warnings) = steps(self.session.base_url(), &user, action)?;
        Ok(PlanDraft::new(target(&user), steps, warnings))
    }

    async fn run(&self, plan: &ProviderPlan) -> Result<StepsRun> {
        // The user's access may have changed since the summary: the steps must still be the same.
        let user = self.session.user(&plan.target.id).await?;
        let action = ProviderAction::from_id(&plan.action).ok_or_else(not_an_nps_action)?;
        let (now_steps, _) = steps(self.session.base_url(), &user, action)?;
        if now_steps != plan.steps {
            return Err(AppError::invalid_input(format!(
                "How {} gets access to Privilege Secure changed since the summary. Nothing was \
                 changed; start the action again to review the new steps.",
                user.name
            )));
        }
        let steps = match (action, &user.access) {
            (ProviderAction::PsResetToken, PsAccess::Individual { .. }) => {
                self.session.reset_token_individual(&user.id).await?;
                vec![StepReport::of(
                    0,
                    &plan.steps[0],
                    StepState::Done,
                    format!(
                        "Reset the 2-factor token of {}: they set it up anew at next sign-in.",
                        user.name
                    ),
                )]
            }
            (ProviderAction::PsResetToken, PsAccess::ViaGroup { .. }) => {
                let report = self
                    .session
                    .reset_token_via_individual_entry(&user.id)
                    .await?;
                let mut steps: Vec<StepReport> = report
                    .steps
                    .iter()
                    .zip(&plan.steps)
                    .enumerate()
                    .map(|(index, (result, planned))| {
                        let state = match result.outcome {
                            StepOutcome::Done => StepState::Done,
                            StepOutcome::Failed => StepState::Failed,
                            StepOutcome::Skipped => StepState::Skipped,
                        };
                        StepReport::of(index, planned, state, result.message.clone())
                    })
                    .collect();
                if !report.configuration_restored {
                    if let Some(last) = steps.last_mut() {
                        let message = last.message.take().unwrap_or_default();
                        last.message = Some(format!(
                            "{message} The individual entry ResetDesk added may still be there: \
                             check Users & Groups."
                        ));
                    }
                }
                steps
            }
            (ProviderAction::PsResetGroupToken, _) => plan
                .steps
                .iter()
                .enumerate()
                .map(|(index, step)| {
                    StepReport::of(
                        index,
                        step,
                        StepState::ToDoByHand,
                        "Finish this in Privilege Secure, then mark it as done.".into(),
                    )
                })
                .collect(),
            _ => {
                return Err(AppError::invalid_input(
                    "This user has no 2-factor token to reset. Nothing was changed.",
                ))
            }
        };
        Ok(StepsRun {
            steps,
            generated_password: None,
            secret_kind: None,
        })
    }
}

impl PrivilegeSecureSession {
    /// One user, read live. An administrator reads them by id; anyone else only through the
    /// search (the by-id read is "Auth roles: Admin"), which does not say how they get access.
    /// A directory user with no NPS user at all (the by-id read answers 404) is still listed
    /// by the search, with no access: their page says so instead of "not known".
    async fn user_as_seen_by_operator(&self, user_id: &str) -> Result<PsUser> {
        if self.session.operator().is_administrator {
            match self.session.user(user_id).await {
                Err(error) if error.kind == ErrorKind::NotFound => {}
                read => return read,
            }
        }
        self.session
            .search_users("", MAX_SEARCH_RESULTS)
            .await?
            .into_iter()
            .find(|u| u.id.eq_ignore_ascii_case(user_id))
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::NotFound,
                    "This user is not known to Privilege Secure.",
                )
            })
    }
}

fn not_an_nps_action() -> AppError {
    AppError::invalid_input(
        "This action is not a Privilege Secure action; pick it on the user's page.",
    )
}

/// How the user gets access, in the words of Privilege Secure's Users & Groups page.
fn access_text(access: &PsAccess) -> String {
    match access {
        PsAccess::Individual { .. } => "Individually configured".to_string(),
        PsAccess::ViaGroup { group_name, .. } => format!("Through group {group_name}"),
        PsAccess::None => "No access".to_string(),
        PsAccess::Unknown => "Unknown (administrators only)".to_string(),
    }
}

/// What the user types to sign in: `DOMAIN\\sAMAccountName`, or the account's name when the
/// directory gives no SAM name.
fn login_of(user: &PsUser) -> String {
    match (&user.domain_name, &user.sam_account_name) {
        (Some(domain), Some(sam)) => format!("{domain}\\{sam}"),
        (None, Some(sam)) => sam.clone(),
        _ => user.name.clone(),
    }
}

fn user_row(user: &PsUser) -> UserRow {
    let target = target(user);
    UserRow {
        id: target.id,
        display_name: target.name,
        login: target.detail,
        detail: Some(access_text(&user.access)),
    }
}

fn target(user: &PsUser) -> PlanTarget {
    let login = user
        .user_principal_name
        .clone()
        .or_else(|| user.sam_account_name.clone())
        .unwrap_or_else(|| user.name.clone());
    let name = user
        .display_name
        .clone()
        .unwrap_or_else(|| user.name.clone());
    PlanTarget::new(user.id.clone(), name, login)
}
