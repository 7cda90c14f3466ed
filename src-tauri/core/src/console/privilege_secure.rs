//! Privilege Secure connections in the Console: sign-in with the second factor, the explicit
//! per-connection trust of a certificate fingerprint, the users with how they get access, and
//! the plans of Reset 2-Factor Token. The NPS calls themselves are in
//! `providers::privilege_secure`.
//!
//! Declared per step (the "finish by hand" rule of issue #7):
//! * the user's own token, directly or through add → reset → remove: the documented API;
//! * the token of a whole group: **by hand**. The API documents `ResetMFA/{id}` for one NPS
//!   user only; no documented call resets a group's token. It is also the step an operator
//!   should almost never take, so it stays a separate action with its own warning.
use std::collections::HashMap;
use std::sync::Arc;

use secrecy::SecretString;

use super::provider_actions::{
    refusal_record, ClaimedProviderPlan, PlanOwner, PlanTarget, ProviderAccount, ProviderAction,
    ProviderOffer, ProviderPlan, ProviderStep, StepPerformed, StepReport, StepState, StepsRun,
};
use super::{check_query_length, require_id, Console, SEARCH_LIMIT};
use crate::error::{AppError, Result};
use crate::model::connection::ProviderSettings;
use crate::providers::privilege_secure::{
    parse_fingerprint, PrivilegeSecureClient, PsAccess, PsSession, PsUser, StepOutcome,
};

/// Where the reset call is documented.
const RESET_MFA_DOC: &str = "https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/ResetMfaAsync.md";
const ADD_DOC: &str =
    "https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/PostAsync.md";
const REMOVE_DOC: &str =
    "https://github.com/netwrix/privilege-secure/blob/main/api-docs/4.2/ManagedAccount/DeleteAsync.md";

#[derive(Default)]
pub(super) struct PrivilegeSecureState {
    pub sessions: tokio::sync::RwLock<HashMap<String, Arc<PsSession>>>,
}

#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct PsUserDetails {
    pub user: PsUser,
    pub actions: Vec<ProviderOffer>,
}

impl Console {
    /// Signs in with login, password and the current code of the second factor. A server
    /// whose certificate is not trusted answers with the fingerprint in the error's detail
    /// (see `untrusted_certificate_sha256`), for the page's explicit "trust" offer.
    pub async fn ps_sign_in(
        &self,
        connection_id: &str,
        login: &str,
        password: SecretString,
        code: &str,
    ) -> Result<ProviderAccount> {
        let connection = self.connection(connection_id)?;
        let client = PrivilegeSecureClient::new(connection.privilege_secure()?)?;
        let session = client.sign_in(login, &password, code).await?;
        let account = ps_account(&session);
        self.privilege_secure
            .sessions
            .write()
            .await
            .insert(connection_id.to_string(), Arc::new(session));
        tracing::info!(connection = %connection_id, "signed in to Privilege Secure");
        Ok(account)
    }

    /// Trusts the certificate the server presents now, for this connection only, if it is the
    /// one the operator was shown (`sha256`). A different one is refused: the page must show
    /// the operator the certificate that will be trusted.
    pub async fn ps_trust_certificate(&self, connection_id: &str, sha256: &str) -> Result<()> {
        let connection = self.connection(connection_id)?;
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
        let mut connections = self.connections.write().map_err(|_| super::poisoned())?;
        let saved = connections
            .iter_mut()
            .find(|c| c.id == connection_id)
            .ok_or_else(|| AppError::invalid_input("This connection no longer exists."))?;
        if let ProviderSettings::PrivilegeSecure(settings) = &mut saved.settings {
            settings.trusted_certificate_sha256 = Some(presented);
        }
        tracing::info!(connection = %connection_id, "trusted a Privilege Secure certificate fingerprint");
        Ok(())
    }

    pub(super) async fn ps_account_of(&self, connection_id: &str) -> Option<ProviderAccount> {
        let sessions = self.privilege_secure.sessions.read().await;
        sessions.get(connection_id).map(|s| ps_account(s))
    }

    pub(super) async fn ps_sign_out(&self, connection_id: &str) {
        self.privilege_secure
            .sessions
            .write()
            .await
            .remove(connection_id);
    }

    pub(super) async fn ps_session(&self, connection_id: &str) -> Result<Arc<PsSession>> {
        let connection = self.connection(connection_id)?;
        connection.privilege_secure()?;
        super::signed_in_session(&self.privilege_secure.sessions, &connection).await
    }

    pub async fn ps_search_users(&self, connection_id: &str, query: &str) -> Result<Vec<PsUser>> {
        check_query_length(query.trim(), "name or login")?;
        let session = self.ps_session(connection_id).await?;
        session.search_users(query, SEARCH_LIMIT as u32).await
    }

    pub async fn ps_user_details(
        &self,
        connection_id: &str,
        user_id: &str,
    ) -> Result<PsUserDetails> {
        let user_id = require_id(user_id)?;
        let session = self.ps_session(connection_id).await?;
        let user = user_as_seen_by(&session, user_id).await?;
        let actions = ps_offers(&session, &user);
        Ok(PsUserDetails { user, actions })
    }

    /// The summary of Reset 2-Factor Token (one step, or the seed's three for a user who
    /// inherits access through a group), or of the group reset (by hand, with its warning).
    pub async fn ps_plan(
        &self,
        connection_id: &str,
        user_id: &str,
        action: ProviderAction,
    ) -> Result<ProviderPlan> {
        let user_id = require_id(user_id)?;
        let session = self.ps_session(connection_id).await?;
        let user = user_as_seen_by(&session, user_id).await?;
        let owner = ps_owner(&session);
        let target = ps_target(&user);
        let offer = ps_offers(&session, &user)
            .into_iter()
            .find(|o| o.action == action.id())
            .ok_or_else(|| {
                AppError::invalid_input(
                    "This action is not a Privilege Secure action; pick it on the user's page.",
                )
            })?;
        if let Some(why) = offer.reason.clone().filter(|_| !offer.allowed) {
            if !session.operator().is_administrator {
                let record = refusal_record(
                    connection_id,
                    &owner,
                    &target,
                    (action.label(), action.safety_class()),
                    &why,
                );
                if let Err(e) = self.append_audit(record) {
                    tracing::error!(error = %e, "could not audit a refusal");
                }
                return Err(AppError::denied(why));
            }
            return Err(AppError::invalid_input(why));
        }
        let (steps, warnings) = ps_steps(&session, &user, action)?;
        let plan = ProviderPlan {
            id: uuid::Uuid::new_v4().to_string(),
            connection_id: connection_id.to_string(),
            action: action.id().to_string(),
            safety_class: action.safety_class(),
            action_label: action.label().to_string(),
            target,
            steps,
            warnings,
            confirmations_required: 1,
            needs_password: false,
            fresh_sign_in: None,
        };
        self.keep_provider_plan(plan, owner, None)
    }

    pub(super) async fn run_privilege_secure_plan(
        &self,
        claimed: &ClaimedProviderPlan,
    ) -> Result<StepsRun> {
        let plan = &claimed.plan;
        let session = self.ps_session(&plan.connection_id).await?;
        if session.operator().id != claimed.owner.operator_id {
            return Err(AppError::denied(
                "This summary was prepared for another operator. Start the action again under your own sign-in.",
            ));
        }
        // The user's access may have changed since the summary: the steps must still be the same.
        let user = session.user(&plan.target.id).await?;
        let action = ProviderAction::from_id(&plan.action).ok_or_else(not_an_nps_action)?;
        let (now_steps, _) = ps_steps(&session, &user, action)?;
        if now_steps != plan.steps {
            return Err(AppError::invalid_input(format!(
                "How {} gets access to Privilege Secure changed since the summary. Nothing was \
                 changed; start the action again to review the new steps.",
                user.name
            )));
        }
        let steps = match (action, &user.access) {
            (ProviderAction::PsResetToken, PsAccess::Individual { .. }) => {
                session.reset_token_individual(&user.id).await?;
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
                let report = session.reset_token_via_individual_entry(&user.id).await?;
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
        })
    }
}

fn not_an_nps_action() -> AppError {
    AppError::invalid_input(
        "This action is not a Privilege Secure action; pick it on the user's page.",
    )
}

/// One user, read live. An administrator reads them by id; anyone else only through the
/// search (the by-id read is "Auth roles: Admin"), which does not say how they get access.
async fn user_as_seen_by(session: &PsSession, user_id: &str) -> Result<PsUser> {
    if session.operator().is_administrator {
        return session.user(user_id).await;
    }
    session
        .search_users("", crate::providers::privilege_secure::MAX_SEARCH_RESULTS)
        .await?
        .into_iter()
        .find(|u| u.id.eq_ignore_ascii_case(user_id))
        .ok_or_else(|| {
            AppError::new(
                crate::error::ErrorKind::NotFound,
                "This user is not known to Privilege Secure.",
            )
        })
}

/// The planned steps of `action` on `user`, and the warnings of the summary.
fn ps_steps(
    session: &PsSession,
    user: &PsUser,
    action: ProviderAction,
) -> Result<(Vec<ProviderStep>, Vec<String>)> {
    let api = |summary: String, doc: &str| ProviderStep {
        summary,
        performed: StepPerformed::Api {
            doc: doc.to_string(),
        },
    };
    match (action, &user.access) {
        (ProviderAction::PsResetToken, PsAccess::Individual { .. }) => Ok((
            vec![api(
                format!("Reset the 2-factor token of {}", user.name),
                RESET_MFA_DOC,
            )],
            vec![format!(
                "{} must set up their 2-factor token again at their next Privilege Secure sign-in.",
                user.name
            )],
        )),
        (ProviderAction::PsResetToken, PsAccess::ViaGroup { group_name, .. }) => Ok((
            vec![
                api(
                    format!("Add {} individually to Users & Groups", user.name),
                    ADD_DOC,
                ),
                api(
                    format!("Reset the 2-factor token of {} (their own entry only)", user.name),
                    RESET_MFA_DOC,
                ),
                api(
                    format!(
                        "Remove the individual entry again: {} keeps access through '{group_name}' as before",
                        user.name
                    ),
                    REMOVE_DOC,
                ),
            ],
            vec![
                format!(
                    "{} inherits access through the group '{group_name}'. The group itself is \
                     not touched: resetting it would make every member enrol again.",
                    user.name
                ),
                "If the reset fails, ResetDesk removes the individual entry again and says so."
                    .to_string(),
            ],
        )),
        (ProviderAction::PsResetGroupToken, PsAccess::ViaGroup { group_name, .. }) => Ok((
            vec![ProviderStep {
                summary: format!("Reset the 2-factor token of the whole group '{group_name}'"),
                performed: StepPerformed::ByHand {
                    page_url: session.base_url().to_string(),
                    instructions: format!(
                        "In Privilege Secure: Users & Groups → open the group '{group_name}' → \
                         Reset 2-Factor Token → confirm."
                    ),
                    why: "The Privilege Secure API documents ResetMFA for one NPS user only; no \
                          documented call resets the token of a group."
                        .to_string(),
                },
            }],
            vec![group_warning(group_name)],
        )),
        _ => Err(AppError::invalid_input(format!(
            "{} has no 2-factor token this action can reset.",
            user.name
        ))),
    }
}

fn group_warning(group_name: &str) -> String {
    format!(
        "This resets the token of EVERY member of '{group_name}': all of them must set up their \
         2-factor token again at their next sign-in. To reset one user, use Reset 2-Factor Token \
         instead."
    )
}

/// The two actions, offered to an Administrator only, each with its reason when not offered.
fn ps_offers(session: &PsSession, user: &PsUser) -> Vec<ProviderOffer> {
    let not_admin = (!session.operator().is_administrator).then(|| {
        format!(
            "{} is not a Privilege Secure Administrator: only administrators can reset a \
             2-factor token.",
            session.operator().login
        )
    });
    let no_token = |what: &str| match &user.access {
        PsAccess::None => Some(format!(
            "{} has no access to Privilege Secure, so there is no {what} to reset.",
            user.name
        )),
        PsAccess::Unknown => Some(
            "Only an administrator can see how this user gets access to Privilege Secure."
                .to_string(),
        ),
        _ => None,
    };
    let own = not_admin.clone().or_else(|| no_token("token"));
    let group = not_admin.or_else(|| match &user.access {
        PsAccess::ViaGroup { .. } => None,
        PsAccess::Individual { .. } => Some(format!(
            "{} is configured individually, not through a group.",
            user.name
        )),
        _ => no_token("group token"),
    });
    let mut offers = vec![ProviderOffer::new(
        ProviderAction::PsResetToken,
        "Reset 2-Factor Token",
        own,
    )];
    // The group-wide reset exists only for a user who gets access through a group: for anyone
    // else it would be one more refusal to read, about a group they are not in.
    if let PsAccess::ViaGroup { group_name, .. } = &user.access {
        let mut group_offer = ProviderOffer::new(
            ProviderAction::PsResetGroupToken,
            "Reset 2-Factor Token of the whole group",
            group,
        );
        group_offer.warning = Some(group_warning(group_name));
        offers.push(group_offer);
    }
    offers
}

fn ps_account(session: &PsSession) -> ProviderAccount {
    let operator = session.operator();
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

fn ps_owner(session: &PsSession) -> PlanOwner {
    PlanOwner {
        operator_id: session.operator().id.clone(),
        operator_label: session.operator().login.clone(),
        tenant_id: session.base_url().to_string(),
    }
}

fn ps_target(user: &PsUser) -> PlanTarget {
    let login = user
        .user_principal_name
        .clone()
        .or_else(|| user.sam_account_name.clone())
        .unwrap_or_else(|| user.name.clone());
    PlanTarget {
        id: user.id.clone(),
        name: user
            .display_name
            .clone()
            .unwrap_or_else(|| user.name.clone()),
        detail: login,
    }
}
