//! The Graph calls of a Lighthouse connection: in the partner tenant, the GDAP relationships
//! and the technician's roles in each customer; in a customer tenant, its users, their
//! authentication methods, and deleting one method. Every call goes through
//! [`GraphHttp`] with that tenant's token (401 → refresh once), so the retry rules are the
//! Entra provider's.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use url::Url;

use super::models::{AssignmentJson, GroupJson, MeJson, RelationshipJson};
use super::policy::role_name;
use super::tokens::PartnerSession;
use crate::entra::directory_audits;
use crate::entra::http::{to_app_error, Access, Failure, GraphHttp, GraphRequest, RetryPolicy};
use crate::entra::methods::{delete_collection, merge_hardware_oath, parse_method};
use crate::entra::models::GraphUser;
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::model::tenants::{relationship_is_active, TenantAccess};
use resetdesk_core::model::{AuthMethod, DirectoryUser, RoleRef};

/// A customer tenant reached through GDAP, with the roles the technician holds there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAccess {
    pub tenant_id: String,
    pub display_name: String,
    pub relationship_id: String,
    /// The relationship's status (`active`, `expired`, …): only `active` reaches the tenant.
    pub relationship_status: String,
    /// Roles from the relationship's active access assignments whose access container
    /// (a partner security group) the technician is a member of.
    pub roles: Vec<RoleRef>,
}

impl CustomerAccess {
    pub fn is_active(&self) -> bool {
        relationship_is_active(&self.relationship_status)
    }

    pub fn role_ids(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.template_id.clone()).collect()
    }

    /// The customer as the seam's tenant lists show it (the customer selector).
    pub fn for_tenants(&self) -> TenantAccess {
        TenantAccess {
            tenant_id: self.tenant_id.clone(),
            display_name: self.display_name.clone(),
            relationship_status: self.relationship_status.clone(),
            roles: self.roles.clone(),
        }
    }
}

/// What a DELETE of one method came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteOutcome {
    Deleted {
        request_id: Option<String>,
    },
    /// Graph answered 404: the method is not there (deleted earlier, or by someone else).
    AlreadyGone {
        request_id: Option<String>,
    },
}

/// The technician who signed in to the partner tenant.
#[derive(Debug, Clone)]
pub struct PartnerTechnician {
    /// Their object id in the partner tenant.
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
}

/// One Lighthouse connection's Graph client. Cheap to share (`Arc`); one [`GraphHttp`] per
/// tenant is made on first use.
pub struct LighthouseClient {
    session: Arc<PartnerSession>,
    policy: RetryPolicy,
    per_tenant: Mutex<HashMap<String, Arc<GraphHttp>>>,
}

impl std::fmt::Debug for LighthouseClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LighthouseClient")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

/// What the list and the user page show, as the Entra page reads it (several of these Graph
/// returns only when selected).
const USER_SELECT: &str =
    "id,displayName,userPrincipalName,mail,accountEnabled,jobTitle,department,\
userType,lastPasswordChangeDateTime";

impl LighthouseClient {
    /// The interactive client: reads are retried per the Entra provider's default policy.
    pub fn new(session: Arc<PartnerSession>) -> Self {
        Self::with_policy(session, RetryPolicy::default())
    }

    /// A client with its own retry policy. The bulk engine uses `max_retries: 0` and waits
    /// out a tenant's Retry-After itself, for every worker of that tenant at once.
    pub fn with_policy(session: Arc<PartnerSession>, policy: RetryPolicy) -> Self {
        Self {
            session,
            policy,
            per_tenant: Mutex::new(HashMap::new()),
        }
    }

    pub fn session(&self) -> &Arc<PartnerSession> {
        &self.session
    }

    fn graph(&self, tenant_id: &str) -> Arc<GraphHttp> {
        let mut map = self.per_tenant.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(tenant_id.to_ascii_lowercase())
            .or_insert_with(|| {
                let mut http = GraphHttp::new(
                    self.session.http().clone(),
                    self.session.for_tenant(tenant_id),
                    Some(&self.session.endpoints().graph_base),
                );
                http.set_policy(self.policy.clone());
                Arc::new(http)
            })
            .clone()
    }

    /// `{graph}/v1.0/<segments…>?<query>`, each segment percent-encoded (ids come from
    /// the page and must not be able to change the path).
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<Url> {
        self.versioned_url("v1.0", segments, query)
    }

    fn versioned_url(
        &self,
        version: &str,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Url> {
        let mut url = self.session.endpoints().graph_base.clone();
        url.path_segments_mut()
            .map_err(|_| AppError::invalid_input("The Microsoft Graph URL cannot take a path."))?
            .pop_if_empty()
            .push(version)
            .extend(segments);
        if !query.is_empty() {
            // Graph's `$` parameters are sent literally, as its docs show them.
            let text: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            url.set_query(Some(&text.join("&")));
        }
        Ok(url)
    }

    fn app_error(&self, failure: Failure, tenant: &str) -> AppError {
        let host = self
            .session
            .endpoints()
            .graph_base
            .host_str()
            .unwrap_or("Microsoft Graph")
            .to_string();
        to_app_error(failure, &host, &format!("customer tenant {tenant}"))
    }

    /// Who signed in: `GET /me` in the partner tenant
    /// (https://learn.microsoft.com/graph/api/user-get). Every audit entry, plan and job names
    /// the technician by it.
    pub async fn me(&self) -> Result<PartnerTechnician> {
        let partner = self.session.endpoints().partner_tenant_id.clone();
        let url = self.url(&["me"], &[("$select", "id,displayName,userPrincipalName")])?;
        let reply = self
            .graph(&partner)
            .send(&GraphRequest::get(url), Access::Read)
            .await
            .and_then(|response| crate::entra::http::decode::<MeJson>(&response))
            .map_err(|f| self.app_error(f, &partner))?;
        let upn = reply
            .user_principal_name
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::Provider,
                    "The partner tenant did not say who signed in (no userPrincipalName on /me).",
                )
            })?;
        Ok(PartnerTechnician {
            display_name: reply
                .display_name
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| upn.clone()),
            id: reply.id,
            user_principal_name: upn,
        })
    }

    /// Every GDAP relationship of the partner, with the roles the technician holds through
    /// it. Expired or pending relationships are listed too (the selector shows why they
    /// cannot be used), with no roles.
    pub async fn list_customers(&self) -> Result<Vec<CustomerAccess>> {
        let partner = self.session.endpoints().partner_tenant_id.clone();
        let graph = self.graph(&partner);
        let fail = |f| self.app_error(f, &partner);
        let relationships: Vec<RelationshipJson> = graph
            .get_all(
                GraphRequest::get(
                    self.url(&["tenantRelationships", "delegatedAdminRelationships"], &[])?,
                ),
                None,
            )
            .await
            .map_err(fail)?;
        let groups: Vec<GroupJson> = graph
            .get_all(
                // An OData cast needs the advanced-query header and $count=true
                // (https://learn.microsoft.com/graph/api/user-list-transitivememberof).
                GraphRequest::advanced_get(self.url(
                    &["me", "transitiveMemberOf", "microsoft.graph.group"],
                    &[("$select", "id"), ("$count", "true")],
                )?),
                None,
            )
            .await
            .map_err(fail)?;
        let my_groups: BTreeSet<String> = groups
            .into_iter()
            .map(|g| g.id.to_ascii_lowercase())
            .collect();

        let mut customers = Vec::new();
        for relationship in relationships {
            let Some(customer) = relationship.customer else {
                continue;
            };
            let status = relationship.status.unwrap_or_else(|| "unknown".into());
            let mut role_ids: BTreeSet<String> = BTreeSet::new();
            if status.eq_ignore_ascii_case("active") {
                let assignments: Vec<AssignmentJson> = graph
                    .get_all(
                        GraphRequest::get(self.url(
                            &[
                                "tenantRelationships",
                                "delegatedAdminRelationships",
                                &relationship.id,
                                "accessAssignments",
                            ],
                            &[],
                        )?),
                        None,
                    )
                    .await
                    .map_err(fail)?;
                for assignment in assignments {
                    let active = assignment
                        .status
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case("active"));
                    let mine = assignment.access_container.as_ref().is_some_and(|c| {
                        my_groups.contains(&c.access_container_id.to_ascii_lowercase())
                    });
                    if active && mine {
                        role_ids.extend(
                            assignment
                                .access_details
                                .into_iter()
                                .flat_map(|d| d.unified_roles)
                                .map(|r| r.role_definition_id.to_ascii_lowercase()),
                        );
                    }
                }
            }
            let mut roles: Vec<RoleRef> = role_ids
                .into_iter()
                .map(|id| RoleRef {
                    display_name: role_name(&id),
                    template_id: id,
                })
                .collect();
            roles.sort_by(|a, b| a.display_name.cmp(&b.display_name));
            customers.push(CustomerAccess {
                display_name: customer
                    .display_name
                    .unwrap_or_else(|| customer.tenant_id.clone()),
                tenant_id: customer.tenant_id,
                relationship_id: relationship.id,
                relationship_status: status,
                roles,
            });
        }
        customers.sort_by(|a, b| {
            a.display_name
                .to_lowercase()
                .cmp(&b.display_name.to_lowercase())
        });
        Ok(customers)
    }

    /// Every user of a customer tenant (paged).
    pub async fn list_users(
        &self,
        connection_id: &str,
        tenant_id: &str,
    ) -> Result<Vec<DirectoryUser>> {
        let url = self.url(&["users"], &[("$select", USER_SELECT), ("$top", "999")])?;
        let users: Vec<GraphUser> = self
            .graph(tenant_id)
            .get_all(GraphRequest::get(url), None)
            .await
            .map_err(|f| self.app_error(f, tenant_id))?;
        Ok(users
            .into_iter()
            .map(|u| DirectoryUser {
                connection_id: connection_id.to_string(),
                tenant_id: tenant_id.to_string(),
                user_principal_name: u.user_principal_name.unwrap_or_default(),
                display_name: u.display_name.unwrap_or_default(),
                mail: u.mail,
                account_enabled: u.account_enabled,
                job_title: u.job_title,
                department: u.department,
                user_type: u.user_type,
                last_password_change: u.last_password_change_date_time,
                id: u.id,
                ..DirectoryUser::default()
            })
            .collect())
    }

    /// A user's activated directory roles (transitive), for Entra's rules on who may reset
    /// their methods (graph.md §1.5).
    pub async fn user_roles(&self, tenant_id: &str, user_id: &str) -> Result<Vec<RoleRef>> {
        let url = self.url(
            &[
                "users",
                user_id,
                "transitiveMemberOf",
                "microsoft.graph.directoryRole",
            ],
            // An OData cast: advanced query (see the group read above).
            &[("$count", "true")],
        )?;
        let roles: Vec<crate::entra::models::GraphDirectoryRole> = self
            .graph(tenant_id)
            .get_all(GraphRequest::advanced_get(url), None)
            .await
            .map_err(|f| self.app_error(f, tenant_id))?;
        let mut refs: Vec<RoleRef> = Vec::new();
        for role in roles {
            let Some(template_id) = role.role_template_id.filter(|id| !id.is_empty()) else {
                continue;
            };
            if !refs.iter().any(|r| r.template_id == template_id) {
                refs.push(RoleRef {
                    display_name: role.display_name.unwrap_or_else(|| template_id.clone()),
                    template_id,
                });
            }
        }
        Ok(refs)
    }

    /// Whether the user is a (transitive) member of a role-assignable group: Entra then
    /// treats them as privileged (only a Privileged Authentication Administrator or Global
    /// Administrator may act on them), and ResetDesk asks a second person (graph.md §1.5).
    pub async fn in_role_assignable_group(&self, tenant_id: &str, user_id: &str) -> Result<bool> {
        let url = self.url(
            &[
                "users",
                user_id,
                "transitiveMemberOf",
                "microsoft.graph.group",
            ],
            // Filtering on isAssignableToRole through an OData cast: advanced query.
            &[
                ("$filter", "isAssignableToRole eq true"),
                ("$select", "id"),
                ("$count", "true"),
            ],
        )?;
        let groups: Vec<crate::entra::models::GraphIdOnly> = self
            .graph(tenant_id)
            .get_all(GraphRequest::advanced_get(url), Some(1))
            .await
            .map_err(|f| self.app_error(f, tenant_id))?;
        Ok(!groups.is_empty())
    }

    /// The method deletions of a customer's directory audit log since `since` — what an MFA
    /// reset is made of, by this desktop, another, or the admin centre — for the repeat-MFA
    /// rule (issue 15): `GET /auditLogs/directoryAudits` filtered by time and activity
    /// (<https://learn.microsoft.com/graph/api/directoryaudit-list>; the events' shape is
    /// Entra's, read by `entra::directory_audits`). Needs the app's `AuditLog.Read.All`
    /// consented in the customer and a GDAP role there that may read audit logs (least
    /// privileged Reports Reader); without them Graph's 403 comes back as the error.
    pub async fn customer_mfa_resets_since(
        &self,
        tenant_id: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<resetdesk_core::safety::team::TenantReset>> {
        /// A day of a busy customer's method deletions fits; beyond, the oldest are not read.
        const MAX_EVENTS: usize = 10_000;
        let filter = format!(
            "activityDateTime ge {} and activityDisplayName eq '{}'",
            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            directory_audits::ADMIN_DELETED_SECURITY_INFO
        );
        let url = self.url(&["auditLogs", "directoryAudits"], &[("$filter", &filter)])?;
        let events: Vec<directory_audits::DirectoryAudit> = self
            .graph(tenant_id)
            .get_all(GraphRequest::get(url), Some(MAX_EVENTS))
            .await
            .map_err(|f| self.app_error(f, tenant_id))?;
        Ok(events
            .into_iter()
            .filter_map(directory_audits::reset_of)
            .collect())
    }

    /// A user's registered methods, read live.
    pub async fn list_methods(&self, tenant_id: &str, user_id: &str) -> Result<Vec<AuthMethod>> {
        self.try_list_methods(tenant_id, user_id)
            .await
            .map_err(|f| self.app_error(f, tenant_id))
    }

    /// [`Self::list_methods`] keeping Graph's failure (the bulk engine needs its status).
    pub async fn try_list_methods(
        &self,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<Vec<AuthMethod>, Failure> {
        let url = self
            .url(&["users", user_id, "authentication", "methods"], &[])
            .map_err(Failure::Local)?;
        let values: Vec<serde_json::Value> = self
            .graph(tenant_id)
            .get_all(GraphRequest::get(url), None)
            .await?;
        let mut methods: Vec<AuthMethod> = values.iter().filter_map(parse_method).collect();
        // Hardware OATH tokens are listed on beta only (graph.md §1.3); read after the others,
        // not beside them, so a user's reads stay one at a time.
        let url = self
            .versioned_url(
                "beta",
                &["users", user_id, "authentication", "hardwareOathMethods"],
                &[],
            )
            .map_err(Failure::Local)?;
        let hardware = self
            .graph(tenant_id)
            .get_all(GraphRequest::get(url), None)
            .await;
        merge_hardware_oath(&mut methods, hardware)?;
        Ok(methods)
    }

    /// Deletes one method. A 404 means it is not there any more: reported as such, not as
    /// a failure (graph.md §3.2: a DELETE answered 404 on a retry is a success).
    pub async fn delete_method(
        &self,
        tenant_id: &str,
        user_id: &str,
        method: &AuthMethod,
    ) -> Result<DeleteOutcome, Failure> {
        let collection = delete_collection(method.kind).ok_or_else(|| {
            Failure::Local(AppError::invalid_input(format!(
                "A {} cannot be deleted through Microsoft Graph.",
                method.label
            )))
        })?;
        let url = self
            .url(
                &["users", user_id, "authentication", collection, &method.id],
                &[],
            )
            .map_err(Failure::Local)?;
        let request = GraphRequest {
            method: Method::DELETE,
            ..GraphRequest::get(url)
        };
        self.take_away(tenant_id, &request).await
    }

    /// Sends a DELETE or a deactivation once: a 404 means the method is not there (any more).
    async fn take_away(
        &self,
        tenant_id: &str,
        request: &GraphRequest,
    ) -> Result<DeleteOutcome, Failure> {
        match self.graph(tenant_id).send(request, Access::Write).await {
            Ok(response) => Ok(DeleteOutcome::Deleted {
                request_id: response.request_id,
            }),
            Err(Failure::Status(s)) if s.status == StatusCode::NOT_FOUND => {
                Ok(DeleteOutcome::AlreadyGone {
                    request_id: s.request_id,
                })
            }
            Err(other) => Err(other),
        }
    }

    /// Deactivates a hardware OATH token, as "Require re-register MFA" does: it stays assigned
    /// to the user, who cannot sign in with it until it is activated again. Graph offers this
    /// on beta only (graph.md §1.3: `POST …/hardwareOathMethods/{id}/deactivate` → 204), and
    /// only a Privileged Authentication Administrator or Global Administrator may (§2.3). A
    /// 404 means the token is not there any more: reported as such.
    pub async fn deactivate_hardware_oath(
        &self,
        tenant_id: &str,
        user_id: &str,
        method_id: &str,
    ) -> Result<DeleteOutcome, Failure> {
        let url = self
            .versioned_url(
                "beta",
                &[
                    "users",
                    user_id,
                    "authentication",
                    "hardwareOathMethods",
                    method_id,
                    "deactivate",
                ],
                &[],
            )
            .map_err(Failure::Local)?;
        let request = GraphRequest {
            method: Method::POST,
            ..GraphRequest::get(url)
        };
        self.take_away(tenant_id, &request).await
    }

    /// Maps a Graph failure of `tenant_id` to the error the page sees.
    pub fn describe_failure(&self, failure: Failure, tenant_id: &str) -> AppError {
        self.app_error(failure, tenant_id)
    }
}
