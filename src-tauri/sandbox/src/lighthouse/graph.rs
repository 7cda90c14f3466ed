//! The Graph side: a front door (latency, bearer token → tenant, per-tenant throttling,
//! refusing customers) and the routes an MSP's Lighthouse flow uses.
//!
//! In the partner tenant: `GET /v1.0/tenantRelationships/delegatedAdminRelationships`,
//! `…/{id}/accessAssignments`, `GET /v1.0/me` and
//! `GET /v1.0/me/transitiveMemberOf/microsoft.graph.group`.
//! In a customer tenant (with that customer's token): `GET /v1.0/users`,
//! `GET /v1.0/users/{id}/authentication/methods`,
//! `GET /v1.0/users/{id}/transitiveMemberOf/microsoft.graph.{directoryRole,group}` and
//! `DELETE /v1.0/users/{id}/authentication/{collection}/{methodId}` and
//! `POST /beta/users/{id}/authentication/hardwareOathMethods/{methodId}/deactivate` and
//! `GET /v1.0/auditLogs/directoryAudits`, each allowed only by the roles the signed-in partner
//! user (the token's) holds there through GDAP (graph.md §2.3). Every route, `/beta` included,
//! goes through the same front door.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use super::super::errors::{GraphError, RequestIds};
use super::throttle::{Admission, Bucket};
use super::{lock, seed, Shared};
use crate::role_ids::{self, GLOBAL_READER};

/// The tenant the caller's token is for, and the partner user it was issued to.
#[derive(Clone)]
struct Caller {
    tenant_id: String,
    user_id: String,
    ids: RequestIds,
}

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 999;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/v1.0/tenantRelationships/delegatedAdminRelationships",
            get(relationships),
        )
        .route(
            "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments",
            get(access_assignments),
        )
        .route("/v1.0/me", get(me))
        .route(
            "/v1.0/me/transitiveMemberOf/microsoft.graph.group",
            get(my_groups),
        )
        .route("/v1.0/users", get(list_users))
        .route(
            "/v1.0/users/{user}/authentication/methods",
            get(list_methods),
        )
        .route(
            "/v1.0/users/{user}/transitiveMemberOf/microsoft.graph.directoryRole",
            get(user_directory_roles),
        )
        .route(
            "/v1.0/users/{user}/transitiveMemberOf/microsoft.graph.group",
            get(user_groups),
        )
        .route(
            "/v1.0/users/{user}/authentication/{collection}/{method}",
            delete(delete_method),
        )
        .route(
            "/beta/users/{user}/authentication/hardwareOathMethods",
            get(list_hardware_oath),
        )
        .route("/v1.0/auditLogs/directoryAudits", get(customer_audits))
        .route(
            "/beta/users/{user}/authentication/hardwareOathMethods/{method}/deactivate",
            post(deactivate_hardware_oath),
        )
        .route_layer(middleware::from_fn_with_state(shared.clone(), front_door))
        .with_state(shared)
}

fn bearer(request: &Request) -> Option<String> {
    let value = request.headers().get("authorization")?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .map(|token| token.trim().to_string())
}

async fn front_door(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let ids = RequestIds::for_request(
        request
            .headers()
            .get("client-request-id")
            .and_then(|v| v.to_str().ok()),
    );
    let _answering = shared.answering();
    let latency = lock(&shared.knobs).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let now = Instant::now();
    let (tenant_id, user_id) = {
        let tokens = lock(&shared.access_tokens);
        match bearer(&request).and_then(|token| {
            tokens
                .get(&token)
                .map(|g| (g.tenant_id.clone(), g.user_id.clone(), g.expires))
        }) {
            Some((tenant, user, expires)) if expires > now => (tenant, user),
            Some(_) => {
                return GraphError::invalid_token(
                    "Lifetime validation failed, the token is expired.",
                    &shared.base_url,
                )
                .render(&ids)
            }
            None => {
                return GraphError::invalid_token(
                    "Access token validation failure.",
                    &shared.base_url,
                )
                .render(&ids)
            }
        }
    };
    if let Some(refused) = throttled(&shared, &tenant_id, now) {
        return refused.render(&ids);
    }
    if lock(&shared.knobs).refusing.contains(&tenant_id) {
        // Counted as a request: it was admitted and answered.
        shared.count(&tenant_id, |s| s.requests += 1);
        return GraphError::denied().render(&ids);
    }
    shared.count(&tenant_id, |s| s.requests += 1);
    request.extensions_mut().insert(Caller {
        tenant_id,
        user_id,
        ids: ids.clone(),
    });
    let mut response = next.run(request).await;
    ids.stamp(&mut response);
    response
}

/// The tenant's bucket decides; `Some` is the 429 to send.
fn throttled(shared: &Shared, tenant_id: &str, now: Instant) -> Option<GraphError> {
    let throttle = {
        let knobs = lock(&shared.knobs);
        knobs
            .tenant_throttle
            .get(tenant_id)
            .copied()
            .unwrap_or(knobs.default_throttle)
    }?;
    let admission = {
        let mut buckets = lock(&shared.buckets);
        let bucket = buckets
            .entry(tenant_id.to_string())
            .or_insert_with(|| Bucket::new(throttle, now));
        if bucket.throttle() != throttle {
            *bucket = Bucket::new(throttle, now);
        }
        bucket.admit(now)
    };
    match admission {
        Admission::Admitted => None,
        Admission::Throttled {
            retry_after_secs,
            early,
        } => {
            shared.count(tenant_id, |s| {
                s.throttled += 1;
                if early {
                    s.early_retries += 1;
                }
            });
            Some(GraphError::throttled(retry_after_secs))
        }
    }
}

fn render(caller: &Caller, error: GraphError) -> Response {
    error.render(&caller.ids)
}

fn partner_only(shared: &Shared, caller: &Caller) -> Result<(), GraphError> {
    if lock(&shared.msp).partner_tenant_id == caller.tenant_id {
        Ok(())
    } else {
        Err(GraphError::denied())
    }
}

async fn relationships(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Response {
    if let Err(e) = partner_only(&shared, &caller) {
        return render(&caller, e);
    }
    let msp = lock(&shared.msp);
    let value: Vec<Value> = msp
        .customers
        .iter()
        .map(|c| {
            json!({
                "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
                "id": c.relationship_id,
                "displayName": format!("Contoso Partners – {}", c.display_name),
                "status": c.relationship_status,
                "duration": "P730D",
                "customer": { "tenantId": c.tenant_id, "displayName": c.display_name },
                "accessDetails": {
                    "unifiedRoles": c.relationship_roles().iter()
                        .map(|r| json!({ "roleDefinitionId": r }))
                        .collect::<Vec<_>>()
                },
            })
        })
        .collect();
    Json(json!({ "value": value })).into_response()
}

async fn access_assignments(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(relationship_id): Path<String>,
) -> Response {
    if let Err(e) = partner_only(&shared, &caller) {
        return render(&caller, e);
    }
    let msp = lock(&shared.msp);
    let Some(customer) = msp
        .customers
        .iter()
        .find(|c| c.relationship_id == relationship_id)
    else {
        return render(&caller, GraphError::user_not_found(&relationship_id));
    };
    let value: Vec<Value> = customer
        .assignments
        .iter()
        .map(|a| {
            json!({
                "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
                "id": a.id,
                "status": "active",
                "accessContainer": { "accessContainerId": a.group_id, "accessContainerType": "securityGroup" },
                "accessDetails": {
                    "unifiedRoles": a.roles.iter().map(|r| json!({ "roleDefinitionId": r })).collect::<Vec<_>>()
                },
            })
        })
        .collect();
    Json(json!({ "value": value })).into_response()
}

/// Whether a request carries what an advanced query needs (see
/// `GraphError::cast_needs_advanced_query`).
fn advanced_query(headers: &axum::http::HeaderMap, query: &HashMap<String, String>) -> bool {
    headers
        .get("ConsistencyLevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"))
        && query.get("$count").is_some_and(|c| c == "true")
}

/// The partner user the caller's token was issued to (always one: tokens are only issued to
/// seeded partner users).
fn signed_in<'a>(msp: &'a seed::Msp, caller: &Caller) -> Result<&'a seed::PartnerUser, GraphError> {
    msp.partner_user(&caller.user_id)
        .ok_or_else(|| GraphError::user_not_found(&caller.user_id))
}

/// `GET /me` in the partner tenant: the signed-in partner user (the technician or the lead),
/// as Graph's user resource (https://learn.microsoft.com/graph/api/user-get, "GET /me";
/// properties as its sample reply names them). Only the partner's token is for the user's own
/// tenant.
async fn me(State(shared): State<Arc<Shared>>, Extension(caller): Extension<Caller>) -> Response {
    if let Err(e) = partner_only(&shared, &caller) {
        return render(&caller, e);
    }
    let msp = lock(&shared.msp);
    let user = match signed_in(&msp, &caller) {
        Ok(user) => user,
        Err(e) => return render(&caller, e),
    };
    Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
        "id": user.id,
        "displayName": user.display_name,
        "userPrincipalName": user.user_principal_name,
        "mail": user.user_principal_name,
    }))
    .into_response()
}

async fn my_groups(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    headers: axum::http::HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !advanced_query(&headers, &query) {
        return render(&caller, GraphError::cast_needs_advanced_query());
    }
    if let Err(e) = partner_only(&shared, &caller) {
        return render(&caller, e);
    }
    let msp = lock(&shared.msp);
    let user = match signed_in(&msp, &caller) {
        Ok(user) => user,
        Err(e) => return render(&caller, e),
    };
    // The signed-in user's own groups (https://learn.microsoft.com/graph/api/user-list-transitivememberof,
    // "GET /me/transitiveMemberOf"); `@odata.count` because `$count=true` was sent.
    let value: Vec<Value> = msp
        .groups
        .iter()
        .filter(|g| user.groups.contains(&g.id))
        .map(|g| json!({ "@odata.type": "#microsoft.graph.group", "id": g.id, "displayName": g.display_name }))
        .collect();
    Json(json!({ "@odata.count": value.len(), "value": value })).into_response()
}

fn has_any(roles: &[String], wanted: &[&str]) -> bool {
    roles.iter().any(|r| wanted.contains(&r.as_str()))
}

const METHOD_READERS: &[&str] = &[
    role_ids::AUTHENTICATION_ADMINISTRATOR,
    role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    role_ids::GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
];

/// The roles the signed-in partner user (the token's, not always the technician) holds in the
/// token's customer through their groups' GDAP assignments, or Graph's 403 for the partner
/// tenant.
fn customer_roles(msp: &seed::Msp, caller: &Caller) -> Result<Vec<String>, GraphError> {
    let customer = msp
        .customer(&caller.tenant_id)
        .ok_or_else(GraphError::denied)?;
    Ok(msp.roles_of(&caller.user_id, customer))
}

async fn list_users(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let msp = lock(&shared.msp);
    // Any GDAP role in the customer includes reading its users.
    match customer_roles(&msp, &caller) {
        Ok(roles) if !roles.is_empty() => {}
        Ok(_) => return render(&caller, GraphError::denied()),
        Err(e) => return render(&caller, e),
    }
    let top = match query.get("$top").map(|t| t.parse::<usize>()) {
        None => DEFAULT_PAGE,
        Some(Ok(top)) if (1..=MAX_PAGE).contains(&top) => top,
        Some(_) => {
            return render(
                &caller,
                GraphError::bad_request("Invalid page size specified: '$top' must be 1 to 999."),
            )
        }
    };
    let skip = match query.get("$skiptoken").map(|t| t.parse::<usize>()) {
        None => 0,
        Some(Ok(skip)) => skip,
        Some(Err(_)) => return render(&caller, GraphError::bad_request("Invalid $skiptoken.")),
    };
    let Some(customer) = msp.customer(&caller.tenant_id) else {
        return render(&caller, GraphError::denied());
    };
    // The rest of the properties only on `$select`, and an unknown one is a 400
    // (https://learn.microsoft.com/graph/api/resources/user: "Returned only on $select").
    let selected = match crate::query::parse_user_select(
        query.get("$select").map(String::as_str),
        USER_PROPERTIES,
    ) {
        Ok(selected) => selected,
        Err(e) => return render(&caller, e),
    };
    let value: Vec<Value> = customer
        .users
        .values()
        .skip(skip)
        .take(top)
        .map(|u| {
            crate::query::user_with_properties(selected.as_deref(), |name| user_property(u, name))
        })
        .collect();
    let mut body = json!({ "value": value });
    if skip + top < customer.users.len() {
        // The next page keeps the request's options, as Graph's nextLink does.
        let select = query
            .get("$select")
            .map(|s| format!("&$select={s}"))
            .unwrap_or_default();
        body["@odata.nextLink"] = json!(format!(
            "{}/v1.0/users?$top={top}&$skiptoken={}{select}",
            shared.base_url,
            skip + top
        ));
    }
    Json(body).into_response()
}

/// The user properties this emulator knows (`$select` of any other is refused).
const USER_PROPERTIES: &[&str] = &[
    "id",
    "displayName",
    "givenName",
    "surname",
    "userPrincipalName",
    "mail",
    "jobTitle",
    "department",
    "accountEnabled",
    "userType",
    "lastPasswordChangeDateTime",
    "businessPhones",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
];

fn user_property(user: &seed::User, name: &str) -> Value {
    match name {
        "id" => json!(user.id),
        "displayName" => json!(user.display_name),
        "givenName" => json!(user.given_name),
        "surname" => json!(user.surname),
        "userPrincipalName" => json!(user.user_principal_name),
        "mail" => json!(user.mail),
        "jobTitle" => json!(user.job_title),
        "department" => json!(user.department),
        "accountEnabled" => json!(true),
        "userType" => json!("Member"),
        "lastPasswordChangeDateTime" => json!(user.last_password_change),
        "businessPhones" => json!([]),
        _ => Value::Null,
    }
}

/// One method as a methods list shows it. A hardware OATH token has the beta
/// `hardwareOathAuthenticationMethod` shape (the single-tenant emulator's, through the shared
/// helper) and is listed by beta `hardwareOathMethods` only, as there.
fn method_json(user: &seed::User, method: &seed::Method) -> Value {
    if let Some(token) = &method.hardware {
        return crate::methods::hardware_oath_method_json(&crate::methods::HardwareOathToken {
            id: &method.id,
            created: None,
            display_name: method.display_name.as_deref(),
            serial_number: &token.serial_number,
            manufacturer: &token.manufacturer,
            model: &token.model,
            activated: token.status == seed::HardwareOathStatus::Activated,
            assigned_to: (&user.id, &user.display_name),
        });
    }
    let mut value = json!({ "@odata.type": method.kind.odata_type(), "id": method.id });
    if let Some(number) = &method.phone_number {
        value["phoneNumber"] = json!(number);
    }
    if let Some(phone_type) = method.phone_type {
        value["phoneType"] = json!(phone_type);
    }
    if let Some(name) = &method.display_name {
        value["displayName"] = json!(name);
    }
    value
}

/// v1.0 `GET /users/{id}/authentication/methods`: every method but hardware OATH tokens,
/// which Graph lists on beta only (graph.md §1.3, "Hardware OATH is beta-only"; the
/// single-tenant emulator lists them so too).
async fn list_methods(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
) -> Response {
    list_user_methods(&shared, &caller, &user_id, |m| m.hardware.is_none())
}

/// Beta `GET /users/{id}/authentication/hardwareOathMethods`
/// (https://learn.microsoft.com/graph/api/authentication-list-hardwareoathmethods?view=graph-rest-beta).
async fn list_hardware_oath(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
) -> Response {
    list_user_methods(&shared, &caller, &user_id, |m| m.hardware.is_some())
}

/// The user's methods that `keep` admits, for a caller who may read methods in the customer.
fn list_user_methods(
    shared: &Shared,
    caller: &Caller,
    user_id: &str,
    keep: impl Fn(&seed::Method) -> bool,
) -> Response {
    let msp = lock(&shared.msp);
    match customer_roles(&msp, caller) {
        Ok(roles) if has_any(&roles, METHOD_READERS) => {}
        Ok(_) => return render(caller, GraphError::denied()),
        Err(e) => return render(caller, e),
    }
    let user = msp
        .customer(&caller.tenant_id)
        .and_then(|c| c.users.get(user_id));
    match user {
        Some(user) => {
            let value: Vec<Value> = user
                .methods
                .iter()
                .filter(|m| keep(m))
                .map(|m| method_json(user, m))
                .collect();
            Json(json!({ "value": value })).into_response()
        }
        None => render(caller, GraphError::user_not_found(user_id)),
    }
}

/// The activated directory roles of a customer's user: a seeded privileged user is a Global
/// Administrator (so Entra's rules decide who may reset their methods).
async fn user_directory_roles(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
    headers: axum::http::HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !advanced_query(&headers, &query) {
        return render(&caller, GraphError::cast_needs_advanced_query());
    }
    let msp = lock(&shared.msp);
    let (_, user) = match readable_user(&msp, &caller, &user_id) {
        Ok(found) => found,
        Err(e) => return render(&caller, e),
    };
    let value: Vec<Value> = if user.privileged {
        vec![json!({
            "@odata.type": "#microsoft.graph.directoryRole",
            "id": format!("role-{}", user.id),
            "displayName": "Global Administrator",
            "roleTemplateId": role_ids::GLOBAL_ADMINISTRATOR,
        })]
    } else {
        Vec::new()
    };
    Json(json!({ "value": value })).into_response()
}

/// A customer's user whose memberships the caller may read (a role that reads users), with
/// the customer; else Graph's 403, or its 404 for an unknown user.
fn readable_user<'m>(
    msp: &'m seed::Msp,
    caller: &Caller,
    user_id: &str,
) -> Result<(&'m seed::Customer, &'m seed::User), GraphError> {
    if !has_any(&customer_roles(msp, caller)?, role_ids::USER_READERS) {
        return Err(GraphError::denied());
    }
    let customer = msp
        .customer(&caller.tenant_id)
        .ok_or_else(GraphError::denied)?;
    let user = customer
        .users
        .get(user_id)
        .ok_or_else(|| GraphError::user_not_found(user_id))?;
    Ok((customer, user))
}

/// `GET /users/{id}/transitiveMemberOf/microsoft.graph.group`: the groups a customer's user
/// is a member of, here at most the customer's role-assignable group.
///
/// - An OData cast on `transitiveMemberOf` needs the advanced query: "The ConsistencyLevel
///   header set to eventual and $count=true are required when using the $search, $filter,
///   $orderby, or OData cast query parameters"
///   (https://learn.microsoft.com/graph/api/user-list-transitivememberof); the reply then
///   carries `@odata.count`.
/// - `$filter=isAssignableToRole eq true|false`: the group resource's `isAssignableToRole`
///   "Supports $filter (eq, ne, not)"
///   (https://learn.microsoft.com/graph/api/resources/group); this emulator knows `eq` only
///   and answers any other filter with Graph's 400 `Request_UnsupportedQuery` (the same parser
///   and message as the single-tenant emulator).
/// - Reading another user's memberships needs a role that reads users (the same check as the
///   directory-role cast); an unknown user is the same 404.
async fn user_groups(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
    headers: axum::http::HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !advanced_query(&headers, &query) {
        return render(&caller, GraphError::cast_needs_advanced_query());
    }
    let wanted = match query
        .get("$filter")
        .map(|f| crate::users::parse_group_filter(f))
    {
        None => None,
        Some(Ok(wanted)) => Some(wanted),
        Some(Err(e)) => return render(&caller, e),
    };
    let msp = lock(&shared.msp);
    let (customer, user) = match readable_user(&msp, &caller, &user_id) {
        Ok(found) => found,
        Err(e) => return render(&caller, e),
    };
    let group = &customer.role_assignable_group;
    // `$select` and `$top` are accepted and ignored: the page holds at most one group.
    let value: Vec<Value> = user
        .in_role_assignable_group
        .then_some(group)
        .into_iter()
        .filter(|g| wanted.is_none_or(|wanted| g.is_assignable_to_role == wanted))
        .map(|g| crate::users::security_group_json(&g.id, &g.display_name, g.is_assignable_to_role))
        .collect();
    Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
        "@odata.count": value.len(),
        "value": value,
    }))
    .into_response()
}

/// Entra's rule (graph.md §2.3): an Authentication Administrator may not manage the
/// methods of a privileged administrator; a Privileged Authentication Administrator may.
/// A member of a role-assignable group is protected the same way: the Authentication
/// Administrator "can't change the credentials or reset MFA for members and owners of a
/// role-assignable group"
/// (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference#authentication-administrator;
/// "Who can perform sensitive actions" in
/// https://learn.microsoft.com/entra/identity/role-based-access-control/privileged-roles-permissions,
/// and https://learn.microsoft.com/entra/identity/role-based-access-control/groups-concept),
/// which leaves Privileged Authentication Administrator and Global Administrator.
fn may_manage_methods_of(roles: &[String], user: &seed::User) -> bool {
    let protected = user.privileged || user.in_role_assignable_group;
    has_any(roles, HARDWARE_OATH_MANAGERS)
        || (has_any(roles, &[role_ids::AUTHENTICATION_ADMINISTRATOR]) && !protected)
}

/// Who may manage a hardware OATH token: the Authentication Administrator "Cannot manage
/// Hardware OATH tokens"
/// (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference#authentication-administrator),
/// which leaves the Privileged Authentication Administrator and the Global Administrator.
const HARDWARE_OATH_MANAGERS: &[&str] = &[
    role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    role_ids::GLOBAL_ADMINISTRATOR,
];

/// The caller's roles in their customer and the customer's user `user_id`, or Graph's error
/// (403 outside a customer, 404 for an unknown user).
fn roles_and_user<'m>(
    msp: &'m mut seed::Msp,
    caller: &Caller,
    user_id: &str,
) -> Result<(Vec<String>, &'m mut seed::User), GraphError> {
    let roles = customer_roles(msp, caller)?;
    let user = msp
        .customer_mut(&caller.tenant_id)
        .and_then(|c| c.users.get_mut(user_id))
        .ok_or_else(|| GraphError::user_not_found(user_id))?;
    Ok((roles, user))
}

async fn delete_method(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path((user_id, collection, method_id)): Path<(String, String, String)>,
) -> Response {
    // v1.0 has no `hardwareOathMethods`: Graph's OData layer refuses the segment before
    // anything else, as the single-tenant emulator does (its `methods::serve`). A hardware
    // token is deactivated on beta instead (`deactivate_hardware_oath`).
    if collection == "hardwareOathMethods" {
        return render(&caller, GraphError::unknown_segment(&collection));
    }
    let mut msp = lock(&shared.msp);
    let (roles, user) = match roles_and_user(&mut msp, &caller, &user_id) {
        Ok(found) => found,
        Err(e) => return render(&caller, e),
    };
    if !may_manage_methods_of(&roles, user) {
        return render(&caller, GraphError::denied());
    }
    let position = user
        .methods
        .iter()
        .position(|m| m.id == method_id && m.kind.collection() == Some(collection.as_str()));
    let Some(position) = position else {
        drop(msp);
        shared.count(&caller.tenant_id, |s| s.deletes_of_missing += 1);
        return render(&caller, GraphError::method_not_found(&method_id));
    };
    user.methods.remove(position);
    let target = (user.id.clone(), user.user_principal_name.clone());
    let initiator = msp
        .partner_users
        .iter()
        .find(|p| p.id == caller.user_id)
        .map(|p| (p.id.clone(), p.user_principal_name.clone()));
    drop(msp);
    if let Some(initiator) = initiator {
        log_deletion(&shared, &caller, initiator, target);
    }
    shared.count(&caller.tenant_id, |s| s.deletes += 1);
    {
        let mut counters = lock(&shared.counters);
        *counters
            .deletions
            .entry((caller.tenant_id.clone(), user_id, method_id))
            .or_default() += 1;
    }
    {
        // The refusal knob: after N deletions the customer starts answering 403.
        let mut knobs = lock(&shared.knobs);
        if let Some(left) = knobs.refuse_after.get_mut(&caller.tenant_id) {
            *left = left.saturating_sub(1);
            if *left == 0 {
                knobs.refuse_after.remove(&caller.tenant_id);
                knobs.refusing.insert(caller.tenant_id.clone());
            }
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The customer's directory audit log records the deletion as any admin's: "Admin deleted
/// security info" by the partner user, correlated by the request id the DELETE was answered
/// with, listed after the audit delay (see `crate::audits` for the sources and what is
/// assumed). A GDAP technician's actions appear in the customer's own audit log under their
/// partner account ⚠️ (Microsoft's GDAP pages say customers can review partner activity in
/// their audit logs; the exact `initiatedBy` of such an entry is not checked here).
/// A hardware token's deactivation is not logged: its activity name is not known.
fn log_deletion(
    shared: &Shared,
    caller: &Caller,
    (initiator_id, initiator_upn): (String, String),
    (target_id, target_upn): (String, String),
) {
    let delay = lock(&shared.knobs).audit_delay;
    let event = crate::audits::AuditEvent {
        id: uuid::Uuid::new_v4().to_string(),
        correlation_id: caller.ids.request_id.clone(),
        activity: crate::audits::ADMIN_DELETED_SECURITY_INFO,
        logged_by_service: "Authentication Methods",
        at: chrono::Utc::now(),
        visible_at: Instant::now() + delay,
        initiator_id,
        initiator_upn,
        target_id,
        target_upn,
    };
    lock(&shared.customer_audits).push((caller.tenant_id.clone(), event));
}

/// The roles that may read a tenant's directory audit log in delegated use: least privileged
/// Reports Reader; also Security Administrator, Global Reader and Global Administrator
/// (<https://learn.microsoft.com/graph/api/directoryaudit-list>, reference/graph.md §4.4) —
/// held here through the caller's GDAP roles in the customer.
const AUDIT_READERS: &[&str] = &[
    role_ids::REPORTS_READER,
    role_ids::SECURITY_ADMINISTRATOR,
    GLOBAL_READER,
    role_ids::GLOBAL_ADMINISTRATOR,
];

/// `GET /v1.0/auditLogs/directoryAudits` in a customer tenant: its events, to a partner user
/// whose GDAP roles there include an audit reader (else Graph's 403), with the same
/// filters as the single-tenant emulator (`crate::audits`).
async fn customer_audits(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let roles = match customer_roles(&lock(&shared.msp), &caller) {
        Ok(roles) => roles,
        Err(e) => return render(&caller, e),
    };
    if !has_any(&roles, AUDIT_READERS) {
        return render(&caller, crate::audits::not_an_audit_reader());
    }
    let filter = match crate::audits::filter_of(query.get("$filter").map(String::as_str)) {
        Ok(filter) => filter,
        Err(e) => return render(&caller, e),
    };
    let events: Vec<crate::audits::AuditEvent> = lock(&shared.customer_audits)
        .iter()
        .filter(|(tenant, _)| tenant.eq_ignore_ascii_case(&caller.tenant_id))
        .map(|(_, event)| event.clone())
        .collect();
    Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
        "value": crate::audits::listed(&events, &filter, Instant::now()),
    }))
    .into_response()
}

/// `POST /beta/users/{id}/authentication/hardwareOathMethods/{methodId}/deactivate`: "Deactive
/// a hardware OATH token. It remains assigned to a user", answered `204 No Content`
/// (https://learn.microsoft.com/graph/api/hardwareoathauthenticationmethod-deactivate?view=graph-rest-beta).
/// Entra's "Require re-register MFA", which Lighthouse's "Reset all MFAs" mirrors, deactivates
/// a user's hardware OATH tokens
/// (https://learn.microsoft.com/entra/identity/authentication/howto-mfa-userdevicesettings).
///
/// - Only a Privileged Authentication Administrator or Global Administrator in the customer
///   (the signed-in partner user's own GDAP roles there) may: see `HARDWARE_OATH_MANAGERS`;
///   else the same 403 as the DELETE's refusal.
/// - A privileged user or a member of a role-assignable group is protected as for the DELETE
///   (`may_manage_methods_of`; both roles that pass the first rule pass this one too).
/// - An unknown user or method: the DELETE's 404s. A method that is not a hardware OATH token:
///   400 (our choice of status and message; Microsoft's page does not say).
/// - Deactivating an already deactivated token answers 204 again: our assumption, the page
///   does not say what a repeat answers.
async fn deactivate_hardware_oath(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path((user_id, method_id)): Path<(String, String)>,
) -> Response {
    let mut msp = lock(&shared.msp);
    let (roles, user) = match roles_and_user(&mut msp, &caller, &user_id) {
        Ok(found) => found,
        Err(e) => return render(&caller, e),
    };
    if !has_any(&roles, HARDWARE_OATH_MANAGERS) || !may_manage_methods_of(&roles, user) {
        return render(&caller, GraphError::denied());
    }
    let Some(method) = user.methods.iter_mut().find(|m| m.id == method_id) else {
        return render(&caller, GraphError::method_not_found(&method_id));
    };
    let Some(token) = method.hardware.as_mut() else {
        return render(
            &caller,
            GraphError::method_bad_request(format!(
                "The authentication method with id '{method_id}' is a {}, not a \
                 hardwareOathAuthenticationMethod: only a hardware OATH token can be deactivated.",
                method
                    .kind
                    .odata_type()
                    .trim_start_matches("#microsoft.graph.")
            )),
        );
    };
    // It stays assigned to the user; it just no longer works.
    token.status = seed::HardwareOathStatus::Deactivated;
    drop(msp);
    shared.count(&caller.tenant_id, |s| s.deactivations += 1);
    *lock(&shared.counters)
        .deactivations
        .entry((caller.tenant_id.clone(), user_id, method_id))
        .or_default() += 1;
    StatusCode::NO_CONTENT.into_response()
}
