//! Lighthouse's lists across customers, as the seam's tenant lists (`Session::tenant_users`,
//! `Session::tenant_methods`): the users of the selected customers, read live customer by
//! customer in parallel, or the same users with their authentication methods; each with the
//! actions the selection allows ("When multiple customers are selected … only options that
//! apply to all selected customers display": `offers`).

use std::sync::Arc;

use super::provider::{customer_row, matches, LighthouseSession};
use super::reads::per_tenant;
use super::{offered_actions, ActionOffer};
use resetdesk_core::error::Result;
use resetdesk_core::model::tenants::{
    TenantMethods, TenantMethodsRow, TenantNotRead, TenantOffer, TenantUserRow, TenantUsers,
};

impl LighthouseSession {
    /// The users of the selected customers whose name, sign-in name or mail contains `query`
    /// (lowercase; all when empty), sorted by customer then name.
    pub(super) async fn customer_users(
        &self,
        tenant_ids: &[String],
        query: &str,
    ) -> Result<TenantUsers> {
        let selection = self.selected_customers(tenant_ids).await?;
        let offers = tenant_offers(&offered_actions(&selection)?);
        let connection_id = self.operator.connection_id.as_str();
        let reads = selection.iter().map(|customer| {
            let client = Arc::clone(&self.client);
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
                    not_read.push(TenantNotRead {
                        tenant_id: customer.tenant_id.clone(),
                        display_name: customer.display_name.clone(),
                        error,
                    });
                    continue;
                }
            };
            found.extend(
                users
                    .into_iter()
                    .filter(|user| matches(user, query))
                    .map(|user| customer_row(user, customer.display_name.clone())),
            );
        }
        found.sort_by(|a, b| {
            (a.customer_name.as_str(), a.user.display_name.as_str())
                .cmp(&(b.customer_name.as_str(), b.user.display_name.as_str()))
        });
        Ok(TenantUsers {
            users: found,
            not_read,
            offers,
        })
    }

    /// The Authentication methods list: the first `limit` of those users with their methods,
    /// each read live, a few at a time in each customer (`reads`), not all at once.
    pub(super) async fn customer_methods(
        &self,
        tenant_ids: &[String],
        query: &str,
        limit: usize,
    ) -> Result<TenantMethods> {
        let TenantUsers {
            users,
            not_read,
            offers,
        } = self.customer_users(tenant_ids, query).await?;
        let not_shown = users.len().saturating_sub(limit);
        let listed: Vec<TenantUserRow> = users.into_iter().take(limit).collect();
        let rows = per_tenant(
            listed,
            |row| row.user.tenant_id.clone(),
            |row| {
                let client = Arc::clone(&self.client);
                async move {
                    match client.list_methods(&row.user.tenant_id, &row.user.id).await {
                        Ok(methods) => TenantMethodsRow {
                            user: row,
                            methods,
                            error: None,
                        },
                        Err(error) => TenantMethodsRow {
                            user: row,
                            methods: Vec::new(),
                            error: Some(error),
                        },
                    }
                }
            },
        )
        .await;
        Ok(TenantMethods {
            rows,
            not_read,
            not_shown,
            offers,
        })
    }
}

fn tenant_offers(offers: &[ActionOffer]) -> Vec<TenantOffer> {
    offers.iter().map(ActionOffer::for_tenants).collect()
}
