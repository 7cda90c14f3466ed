//! The lists of a sign-in whose users live in several tenants (a Lighthouse partner's
//! customers), for any provider of the seam: the tenants it reaches, then the users — or
//! their sign-in methods — of the tenants the operator selected, each with the actions the
//! selection allows. The Console checks the query; the session reads the tenants live and
//! decides what they allow (`Session::tenants`, `tenant_users`, `tenant_methods`).
use super::{check_query_length, Console};
use crate::error::Result;
use crate::model::tenants::{TenantAccess, TenantMethods, TenantUsers};

/// Users read at once in the Authentication methods list: each row reads the user's methods
/// live, so a large selection stops here and the page says how many more there are.
const METHODS_LIST_LIMIT: usize = 200;

/// What the tenant lists' search box searches by, for the error of a query too long.
const TENANT_LISTS_SEARCH_BY: &str = "name or UPN";

impl Console {
    /// The tenants the connection's sign-in reaches, with the operator's roles in each (live).
    pub async fn directory_tenants(&self, connection_id: &str) -> Result<Vec<TenantAccess>> {
        let session = self.seam_session(connection_id).await?;
        session.tenants().await
    }

    /// The users of the selected tenants whose name or login contains `query` (all when
    /// empty), read live, and the actions the selection allows.
    pub async fn directory_tenant_users(
        &self,
        connection_id: &str,
        tenant_ids: &[String],
        query: &str,
    ) -> Result<TenantUsers> {
        let query = tenant_query(query)?;
        let session = self.seam_session(connection_id).await?;
        session.tenant_users(tenant_ids, &query).await
    }

    /// The Authentication methods list: the same users, each with their methods.
    pub async fn directory_tenant_methods(
        &self,
        connection_id: &str,
        tenant_ids: &[String],
        query: &str,
    ) -> Result<TenantMethods> {
        let query = tenant_query(query)?;
        let session = self.seam_session(connection_id).await?;
        session
            .tenant_methods(tenant_ids, &query, METHODS_LIST_LIMIT)
            .await
    }
}

/// The search text as the sessions compare it: trimmed, lowercase, of a sane length.
fn tenant_query(query: &str) -> Result<String> {
    let query = query.trim().to_lowercase();
    check_query_length(&query, TENANT_LISTS_SEARCH_BY)?;
    Ok(query)
}
