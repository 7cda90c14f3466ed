//! Microsoft 365 Lighthouse (partner) connections in the Console. The partner sign-in, its
//! session and a customer user's page go through the seam (`providers::lighthouse::provider`);
//! here are the lists over that session: the customers reachable through GDAP, users and
//! methods across the selected customers with the actions the selection allows, and the typed
//! confirmation of "Reset all multi-factor authentications" for Lighthouse's tests. The plan,
//! its approval and its job are the seam's (`console::bulk_plans`, `console::bulk_jobs`); the
//! Graph calls are in `providers::lighthouse`.
use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::bulk_plans::BulkPlan;
use super::{check_query_length, require_id, Console};
use crate::auth::BrowserLauncher;
use crate::error::{AppError, Result};
use crate::model::{AuthMethod, Operator};
use crate::providers::lighthouse::provider::{
    matches, user_key, LighthouseProvider, LighthouseSession, LIGHTHOUSE_PROVIDER,
};
use crate::providers::lighthouse::{
    offered_actions, ActionOffer, CustomerAccess, LighthouseAction,
};
use crate::seam::action_id;

/// Users read at once per customer for the methods list (keeps a large selection bounded).
const METHODS_LIST_LIMIT: usize = 200;

pub use resetdesk_model::demo::PartnerSandboxSignIn;

#[derive(Default)]
pub(super) struct LighthouseState {
    /// Sandbox connections: who answers the partner's sign-in page (the provider is built
    /// with them).
    sandbox_sign_ins: HashMap<String, Arc<dyn PartnerSandboxSignIn>>,
}

pub use crate::providers::lighthouse::provider::{
    CustomerUserDetails as LighthouseUserDetails, LighthouseUser,
};

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct LighthouseMethodsRow {
    pub user: LighthouseUser,
    pub methods: Vec<AuthMethod>,
    pub error: Option<AppError>,
}

/// A selected customer whose users could not be read, with why: the list shows what the
/// others returned and a note for this one, instead of nothing at all.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct CustomerNotRead {
    pub tenant_id: String,
    pub display_name: String,
    pub error: AppError,
}

/// The users of the selected customers that answered, and the customers that did not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct LighthouseUsers {
    pub users: Vec<LighthouseUser>,
    pub not_read: Vec<CustomerNotRead>,
    /// The actions this selection allows, each only if every selected customer allows it
    /// (refused with each customer's reason otherwise), from the customers this read used.
    pub offers: Vec<ActionOffer>,
}

/// The Authentication methods list: a row per user of the customers that answered, and the
/// customers that did not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct LighthouseMethods {
    pub rows: Vec<LighthouseMethodsRow>,
    pub not_read: Vec<CustomerNotRead>,
    /// Users found but not listed (each row reads the user's methods live, so the list stops
    /// at a limit): the page says how many, and to narrow the search or the customers.
    pub not_shown: usize,
    /// As [`LighthouseUsers::offers`].
    pub offers: Vec<ActionOffer>,
}

/// One user of a customer, for `lighthouse_plan_reset` (the page names users by the ids their
/// rows give: `plan_bulk_action`).
#[derive(Debug, Clone)]
pub struct TargetRef {
    pub tenant_id: String,
    pub user_id: String,
}

impl Console {
    /// The sandbox Lighthouse connection's sign-in is answered by `sign_in` (the emulator).
    pub fn with_lighthouse_sandbox(
        mut self,
        connection_id: &str,
        sign_in: Arc<dyn PartnerSandboxSignIn>,
    ) -> Self {
        self.lighthouse
            .sandbox_sign_ins
            .insert(connection_id.to_string(), sign_in);
        self.with_lighthouse_provider()
    }

    /// Registers the Lighthouse provider as configured now.
    pub(super) fn with_lighthouse_provider(self) -> Self {
        let provider = self.lighthouse_provider();
        self.with_provider(Arc::new(provider))
    }

    fn lighthouse_provider(&self) -> LighthouseProvider {
        LighthouseProvider::new(
            Arc::clone(&self.secrets),
            self.token_http.clone(),
            self.lighthouse.sandbox_sign_ins.clone(),
        )
    }

    /// Lighthouse's typed sign-in, for the tests of its rules (the page signs in through
    /// `sign_in_with`, like every provider): through `browser` for a real partner, as the
    /// sandbox's demo technician `sandbox_account` otherwise; answers who signed in with the
    /// GDAP roles held where.
    pub async fn lighthouse_sign_in(
        &self,
        connection_id: &str,
        sandbox_account: Option<&str>,
        browser: &dyn BrowserLauncher,
    ) -> Result<Operator> {
        let connection = self.connection(connection_id)?;
        self.connection_allowed(&connection)?;
        let session = self
            .lighthouse_provider()
            .sign_in_through(&connection, sandbox_account, browser)
            .await?;
        let operator = session.operator().clone();
        self.keep_session(connection_id, session).await;
        tracing::info!(connection = %connection_id, "signed in to the Lighthouse partner tenant");
        Ok(operator)
    }

    /// The partner connection's session, as Lighthouse's own type.
    pub(super) async fn lighthouse_session(
        &self,
        connection_id: &str,
    ) -> Result<Arc<LighthouseSession>> {
        let connection = self.connection(connection_id)?;
        connection.lighthouse()?;
        let session: Arc<dyn std::any::Any + Send + Sync> =
            self.seam_session(connection_id).await?;
        session.downcast::<LighthouseSession>().map_err(|_| {
            AppError::internal(format!(
                "This connection is not served by the provider \"{LIGHTHOUSE_PROVIDER}\"."
            ))
        })
    }

    /// The customers reachable through GDAP, with the technician's roles in each (live).
    pub async fn lighthouse_customers(&self, connection_id: &str) -> Result<Vec<CustomerAccess>> {
        let session = self.lighthouse_session(connection_id).await?;
        session.client.list_customers().await
    }

    /// The users of the selected customers whose name or UPN contains `query` (all when
    /// empty), read live, customer by customer in parallel, and the actions the selection
    /// allows.
    pub async fn lighthouse_users(
        &self,
        connection_id: &str,
        tenant_ids: &[String],
        query: &str,
    ) -> Result<LighthouseUsers> {
        let query = query.trim().to_lowercase();
        check_query_length(&query, "name or UPN")?;
        let session = self.lighthouse_session(connection_id).await?;
        let selection = session.selected_customers(tenant_ids).await?;
        let offers = offered_actions(&selection)?;
        let reads = selection.iter().map(|customer| {
            let client = Arc::clone(&session.client);
            async move {
                let users = client.list_users(connection_id, &customer.tenant_id).await;
                (customer, users)
            }
        });
        let mut found = Vec::new();
        let mut not_read = Vec::new();
        // A customer that does not answer (an expired relationship, a refusal, an outage) is
        // noted; the others' users are shown.
        for (customer, read) in futures_util::future::join_all(reads).await {
            let users = match read {
                Ok(users) => users,
                Err(error) => {
                    not_read.push(CustomerNotRead {
                        tenant_id: customer.tenant_id.clone(),
                        display_name: customer.display_name.clone(),
                        error,
                    });
                    continue;
                }
            };
            let customer_name = customer.display_name.clone();
            found.extend(
                users
                    .into_iter()
                    .filter(|user| matches(user, &query))
                    .map(|user| LighthouseUser::of(user, customer_name.clone())),
            );
        }
        found.sort_by(|a, b| {
            (a.customer_name.as_str(), a.user.display_name.as_str())
                .cmp(&(b.customer_name.as_str(), b.user.display_name.as_str()))
        });
        Ok(LighthouseUsers {
            users: found,
            not_read,
            offers,
        })
    }

    /// The Authentication methods list: each user of the selection with their methods.
    pub async fn lighthouse_methods_list(
        &self,
        connection_id: &str,
        tenant_ids: &[String],
        query: &str,
    ) -> Result<LighthouseMethods> {
        let LighthouseUsers {
            users,
            not_read,
            offers,
        } = self
            .lighthouse_users(connection_id, tenant_ids, query)
            .await?;
        let not_shown = users.len().saturating_sub(METHODS_LIST_LIMIT);
        let session = self.lighthouse_session(connection_id).await?;
        // A few reads at a time in each customer (see `reads`), not 200 at once.
        let listed: Vec<LighthouseUser> = users.into_iter().take(METHODS_LIST_LIMIT).collect();
        let rows = crate::providers::lighthouse::reads::per_tenant(
            listed,
            |user| user.user.tenant_id.clone(),
            |user| {
                let client = Arc::clone(&session.client);
                async move {
                    let methods = client
                        .list_methods(&user.user.tenant_id, &user.user.id)
                        .await;
                    match methods {
                        Ok(methods) => LighthouseMethodsRow {
                            user,
                            methods,
                            error: None,
                        },
                        Err(error) => LighthouseMethodsRow {
                            user,
                            methods: Vec::new(),
                            error: Some(error),
                        },
                    }
                }
            },
        )
        .await;
        Ok(LighthouseMethods {
            rows,
            not_read,
            not_shown,
            offers,
        })
    }

    /// One user's page in Lighthouse's terms: the user, their methods, their customer and the
    /// actions it allows (the page reads it through the seam, `Console::directory_user`).
    pub async fn lighthouse_user_details(
        &self,
        connection_id: &str,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<LighthouseUserDetails> {
        let user_id = require_id(user_id)?;
        let session = self.lighthouse_session(connection_id).await?;
        session.user_details(tenant_id, user_id).await
    }

    /// The confirmation of "Reset all multi-factor authentications" for the selected users,
    /// in Lighthouse's terms (each user by their customer's tenant and their id there): the
    /// seam's plan on many users (`Console::plan_many`).
    pub async fn lighthouse_plan_reset(
        &self,
        connection_id: &str,
        targets: &[TargetRef],
    ) -> Result<BulkPlan> {
        let user_ids: Vec<String> = targets
            .iter()
            .map(|t| user_key(&t.tenant_id, &t.user_id))
            .collect();
        let action = action_id(&LighthouseAction::ResetAllMfa);
        self.plan_many(connection_id, &user_ids, &action).await
    }
}
