//! The user resources: list/search/filter/page `GET /users`, `GET /users/$count`, get one
//! user (by id or UPN, or `/me`), the `passwordProfile` update the Entra "Reset password"
//! blade makes, `revokeSignInSessions` and `transitiveMemberOf` (roles and groups).

use axum::http::StatusCode;
use axum::response::IntoResponse;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};

use super::errors::{GraphError, GraphResult};
use super::graph::{authorize, no_content, ok_json, Call, Subject};
use super::policy::Operation;
use super::query;
use super::state::{graph_time, Group, Role, State as Model, User};

/// Every property the emulator can return; the others only on `$select`.
const SELECTABLE_USER_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
    "accountEnabled",
    "userType",
    "lastPasswordChangeDateTime",
    "signInSessionsValidFromDateTime",
    "department",
    "createdDateTime",
    "otherMails",
    "onPremisesSyncEnabled",
    "usageLocation",
    "companyName",
    "employeeId",
    "passwordPolicies",
];

fn user_property(user: &User, name: &str) -> Value {
    match name {
        "businessPhones" => json!(user.business_phones),
        "displayName" => json!(user.display_name),
        "givenName" => json!(user.given_name),
        "jobTitle" => json!(user.job_title),
        "mail" => json!(user.mail),
        "mobilePhone" => json!(user.mobile_phone),
        "officeLocation" => json!(user.office_location),
        "preferredLanguage" => json!("en-US"),
        "surname" => json!(user.surname),
        "userPrincipalName" => json!(user.user_principal_name),
        "id" => json!(user.id),
        "accountEnabled" => json!(user.account_enabled),
        "userType" => json!("Member"),
        "lastPasswordChangeDateTime" => json!(graph_time(user.last_password_change)),
        "signInSessionsValidFromDateTime" => json!(graph_time(user.sign_in_sessions_valid_from)),
        "department" => json!(user.department),
        "createdDateTime" => json!(graph_time(user.created)),
        "otherMails" => json!([]),
        "onPremisesSyncEnabled" => Value::Null,
        "usageLocation" => json!("US"),
        "companyName" => json!("Contoso"),
        "passwordPolicies" => json!("None"),
        _ => Value::Null,
    }
}

/// `$select` as a property list (Graph's default set without it).
pub(super) fn selection(call: &Call) -> GraphResult<Option<Vec<String>>> {
    query::parse_user_select(call.option("$select"), SELECTABLE_USER_PROPERTIES)
}

pub(super) fn user_json(user: &User, select: Option<&[String]>) -> Value {
    query::user_with_properties(select, |name| user_property(user, name))
}

fn users_context(call: &Call, select: Option<&[String]>) -> String {
    match select {
        Some(properties) => call.context(&format!("users({})", properties.join(","))),
        None => call.context("users"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SortKey {
    DisplayName,
    UserPrincipalName,
}

fn parse_orderby(orderby: &str) -> GraphResult<(SortKey, bool)> {
    let mut parts = orderby.split_whitespace();
    let key = match parts.next() {
        Some("displayName") => SortKey::DisplayName,
        Some("userPrincipalName") => SortKey::UserPrincipalName,
        _ => {
            return Err(GraphError::unsupported_query(
                "Sorting not supported for current query.",
            ))
        }
    };
    let descending = match parts.next() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => {
            return Err(GraphError::unsupported_query(
                "Sorting not supported for current query.",
            ))
        }
    };
    if parts.next().is_some() {
        return Err(GraphError::unsupported_query(
            "Sorting not supported for current query.",
        ));
    }
    Ok((key, descending))
}

const PAGE_TOKEN_PREFIX: &str = "users-page:";

fn encode_skiptoken(offset: usize) -> String {
    format!(
        "RFNwdAIA{}",
        URL_SAFE_NO_PAD.encode(format!("{PAGE_TOKEN_PREFIX}{offset}"))
    )
}

fn decode_skiptoken(token: &str) -> GraphResult<usize> {
    let invalid =
        || GraphError::bad_request("The specified page token value has expired or is not valid.");
    let encoded = token.strip_prefix("RFNwdAIA").ok_or_else(invalid)?;
    let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix(PAGE_TOKEN_PREFIX)
        .and_then(|offset| offset.parse().ok())
        .ok_or_else(invalid)
}

/// The same request with the next `$skiptoken`, as an absolute URL.
fn next_link(call: &Call, path: &str, offset: usize) -> String {
    let mut query: Vec<String> = call
        .query
        .iter()
        .filter(|(key, _)| key != "$skiptoken" && key != "skiptoken")
        .map(|(key, value)| query_pair(key, value))
        .collect();
    query.push(format!("$skiptoken={}", encode_skiptoken(offset)));
    format!("{}{path}?{}", call.shared.base_url, query.join("&"))
}

const SEARCH_NEEDS_HEADER: &str =
    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'";

pub fn list_users(call: &Call) -> GraphResult {
    let eventual = call.eventual_consistency();
    let search = match call.option("$search") {
        Some(_) if !eventual => return Err(GraphError::unsupported_query(SEARCH_NEEDS_HEADER)),
        Some(text) => Some(query::parse_search(text)?),
        None => None,
    };
    let filter = call
        .option("$filter")
        .map(query::parse_filter)
        .transpose()?;
    let top = match call.option("$top") {
        None => 100,
        Some(text) => match text.parse::<usize>() {
            Ok(top @ 1..=999) => top,
            _ => {
                return Err(GraphError::bad_request(format!(
                    "Invalid page size specified: '{text}'. Must be between 1 and 999 inclusive."
                )))
            }
        },
    };
    // $count=true is silently ignored without the header (as Graph does).
    let count = call.count_requested() && eventual;
    let order = call.option("$orderby").map(parse_orderby).transpose()?;
    if order.is_some() && filter.is_some() && !count {
        // $filter with $orderby is an advanced query.
        return Err(GraphError::unsupported_query(
            "Sorting not supported for current query.",
        ));
    }
    let select = selection(call)?;
    let offset = call
        .option("$skiptoken")
        .map(decode_skiptoken)
        .transpose()?
        .unwrap_or(0);

    let mut model = call.shared.lock_state();
    // Graph promises no order without $orderby; object id order makes that visible. The id
    // order is kept between requests (a directory of a million is not sorted per page).
    let by_id = order.is_none().then(|| model.users_in_id_order());
    let users: Box<dyn Iterator<Item = &User>> = match &by_id {
        Some(by_id) => Box::new(by_id.iter().map(|&index| &model.users[index])),
        None => Box::new(model.users.iter()),
    };
    let mut matching: Vec<&User> = users
        .filter(|user| search.as_ref().is_none_or(|search| search.matches(user)))
        .filter(|user| filter.as_ref().is_none_or(|filter| filter.matches(user)))
        .collect();
    // Without $orderby they are in id order already.
    if let Some((key, descending)) = order {
        matching.sort_by(|a, b| {
            let ordering = match key {
                SortKey::DisplayName => a
                    .display_name
                    .to_lowercase()
                    .cmp(&b.display_name.to_lowercase()),
                SortKey::UserPrincipalName => a
                    .user_principal_name
                    .to_lowercase()
                    .cmp(&b.user_principal_name.to_lowercase()),
            };
            if descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
    }
    let total = matching.len();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(top)
        .map(|user| user_json(user, select.as_deref()))
        .collect();
    drop(model);

    let mut response = Map::new();
    response.insert(
        "@odata.context".into(),
        json!(users_context(call, select.as_deref())),
    );
    if count {
        response.insert("@odata.count".into(), json!(total));
    }
    // The offset comes from the client's `$skiptoken`: a forged huge one must not overflow.
    if offset.saturating_add(top) < total {
        let path = format!("/{}/users", call.version.segment());
        response.insert(
            "@odata.nextLink".into(),
            json!(next_link(call, &path, offset + top)),
        );
    }
    response.insert("value".into(), Value::Array(page));
    Ok(ok_json(Value::Object(response)))
}

/// `GET /users/$count`: a plain-text number, and only as an advanced query.
pub fn count_users(call: &Call) -> GraphResult {
    if !call.eventual_consistency() {
        return Err(GraphError::bad_request(
            "$count is not currently supported.",
        ));
    }
    let filter = call
        .option("$filter")
        .map(query::parse_filter)
        .transpose()?;
    let search = call
        .option("$search")
        .map(query::parse_search)
        .transpose()?;
    let model = call.shared.lock_state();
    let count = model
        .users
        .iter()
        .filter(|user| search.as_ref().is_none_or(|search| search.matches(user)))
        .filter(|user| filter.as_ref().is_none_or(|filter| filter.matches(user)))
        .count();
    Ok((
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "text/plain")],
        count.to_string(),
    )
        .into_response())
}

pub fn get_user(call: &Call, subject: &Subject) -> GraphResult {
    let select = selection(call)?;
    let expand_manager = manager_expansion(call)?;
    let model = call.shared.lock_state();
    let index = subject.resolve(&model, &call.caller_id)?;
    let user = &model.users[index];
    let mut body = user_json(user, select.as_deref());
    let context = match &select {
        Some(properties) => call.context(&format!("users({})/$entity", properties.join(","))),
        None => call.context("users/$entity"),
    };
    if let Value::Object(object) = &mut body {
        object.insert("@odata.context".into(), json!(context));
        // Graph leaves the navigation property out when there is no manager.
        if let Some(manager_select) = expand_manager {
            let manager = user
                .manager_id
                .as_ref()
                .and_then(|id| model.users.iter().find(|u| &u.id == id));
            if let Some(manager) = manager {
                let mut expanded = user_json(manager, manager_select.as_deref());
                if let Value::Object(fields) = &mut expanded {
                    fields.insert("@odata.type".into(), json!("#microsoft.graph.user"));
                }
                object.insert("manager".into(), expanded);
            }
        }
    }
    Ok(ok_json(body))
}

/// `$expand=manager` or `$expand=manager($select=a,b)`: `Some(select)` when asked for. The
/// emulator expands nothing else.
fn manager_expansion(call: &Call) -> GraphResult<Option<Option<Vec<String>>>> {
    let Some(expand) = call.option("$expand") else {
        return Ok(None);
    };
    let expand = expand.trim();
    let (property, options) = match expand.split_once('(') {
        Some((property, rest)) => (
            property.trim(),
            Some(rest.strip_suffix(')').unwrap_or(rest)),
        ),
        None => (expand, None),
    };
    if property != "manager" {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Could not find a navigation property named '{property}' on type 'microsoft.graph.user'."),
        ));
    }
    let select = match options.map(str::trim) {
        None | Some("") => None,
        Some(options) => {
            let Some(list) = options.strip_prefix("$select=") else {
                return Err(GraphError::bad_request(format!(
                    "Query option '{options}' is not supported in $expand by this emulator; use $select."
                )));
            };
            let mut properties = Vec::new();
            for property in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if !SELECTABLE_USER_PROPERTIES.contains(&property) {
                    return Err(GraphError::bad_request(format!(
                        "Could not find a property named '{property}' on type 'microsoft.graph.user'."
                    )));
                }
                properties.push(property.to_string());
            }
            Some(properties)
        }
    };
    Ok(Some(select))
}

const PASSWORD_COMPLEXITY: &str =
    "The specified password does not comply with password complexity requirements. Please provide a different password.";

/// Entra's cloud password rules: 8–256 printable ASCII characters, 3 of the 4 classes.
fn meets_complexity(password: &str) -> bool {
    let length_ok = (8..=256).contains(&password.chars().count());
    let allowed = password.chars().all(|c| (' '..='~').contains(&c));
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    length_ok && allowed && classes.iter().filter(|present| **present).count() >= 3
}

fn unknown_property(name: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Invalid property '{name}'. The property '{name}' does not exist on type 'Microsoft.DirectoryServices.User' or cannot be updated."
    ))
}

/// `PATCH /users/{id}`: the emulator supports the `passwordProfile` update the Entra "Reset
/// password" blade makes.
pub fn update_user(call: &Call, subject: &Subject) -> GraphResult {
    let body = call.json_body()?;
    // Never stored: checked for complexity, then only the fact of the reset is kept.
    let mut password: Option<SecretString> = None;
    let mut force_change = None;
    for (name, value) in &body {
        if name != "passwordProfile" {
            return Err(unknown_property(name));
        }
        let Value::Object(profile) = value else {
            return Err(GraphError::bad_request(
                "Invalid value for property 'passwordProfile'.",
            ));
        };
        for (field, value) in profile {
            match (field.as_str(), value) {
                ("password", Value::String(text)) => {
                    password = Some(SecretString::from(text.as_str()))
                }
                (
                    "forceChangePasswordNextSignIn" | "forceChangePasswordNextSignInWithMfa",
                    Value::Bool(flag),
                ) => force_change = Some(force_change.unwrap_or(false) || *flag),
                _ => {
                    return Err(GraphError::bad_request(format!(
                        "Invalid value or property '{field}' in 'passwordProfile'."
                    )))
                }
            }
        }
    }
    if password.is_none() && force_change.is_none() {
        return Err(GraphError::bad_request(
            "The request body has no property to update.",
        ));
    }

    let mut model = call.shared.lock_state();
    let target = subject.resolve(&model, &call.caller_id)?;
    let caller = model
        .user_index(&call.caller_id)
        .ok_or_else(|| GraphError::user_not_found(&call.caller_id))?;
    authorize(&model, caller, target, Operation::ResetPassword)?;
    if let Some(password) = &password {
        if !meets_complexity(password.expose_secret()) {
            return Err(GraphError::bad_request(PASSWORD_COMPLEXITY));
        }
    }
    let user = &mut model.users[target];
    if password.is_some() {
        user.last_password_change = chrono::Utc::now();
        user.password_reset_count += 1;
    }
    if let Some(force) = force_change {
        user.force_change_password = force;
    }
    let user_id = user.id.clone();
    if password.is_some() {
        // An admin reset signs the user out of the apps holding refresh tokens.
        model.revoke_refresh_tokens(&user_id);
    }
    Ok(no_content())
}

pub fn revoke_sessions(call: &Call, subject: &Subject) -> GraphResult {
    let mut model = call.shared.lock_state();
    let target = subject.resolve(&model, &call.caller_id)?;
    // `/me/revokeSignInSessions` is the self-service endpoint; the admin path needs a role.
    if *subject != Subject::Me {
        let caller = model
            .user_index(&call.caller_id)
            .ok_or_else(|| GraphError::user_not_found(&call.caller_id))?;
        authorize(&model, caller, target, Operation::RevokeSessions)?;
    }
    let user = &mut model.users[target];
    user.sign_in_sessions_valid_from = chrono::Utc::now();
    user.sessions_revoked_count += 1;
    let user_id = user.id.clone();
    model.revoke_refresh_tokens(&user_id);
    Ok(ok_json(json!({
        "@odata.context": call.context("Edm.Boolean"),
        "value": true,
    })))
}

fn directory_role_json(model: &Model, role: Role) -> Value {
    let id = model
        .directory_role(role)
        .map(|directory_role| directory_role.id.clone());
    json!({
        "@odata.type": "#microsoft.graph.directoryRole",
        "id": id,
        "deletedDateTime": null,
        "description": format!("Members of this role are {}s.", role.display_name()),
        "displayName": role.display_name(),
        "roleTemplateId": role.template_id(),
    })
}

fn group_json(group: &Group) -> Value {
    security_group_json(&group.id, &group.display_name, group.is_assignable_to_role)
}

/// A security group as a `transitiveMemberOf/microsoft.graph.group` page lists it (the group
/// resource, https://learn.microsoft.com/graph/api/resources/group). Shared with the
/// Lighthouse emulator, whose customer tenants answer the same read.
pub(crate) fn security_group_json(
    id: &str,
    display_name: &str,
    is_assignable_to_role: bool,
) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.group",
        "id": id,
        "displayName": display_name,
        "isAssignableToRole": is_assignable_to_role,
        "securityEnabled": true,
        "mailEnabled": false,
        "groupTypes": [],
    })
}

/// `$filter=isAssignableToRole eq true|false` — the one group filter the emulator knows
/// (shared with the Lighthouse emulator).
pub(crate) fn parse_group_filter(filter: &str) -> GraphResult<bool> {
    match filter.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["isAssignableToRole", "eq", "true"] => Ok(true),
        ["isAssignableToRole", "eq", "false"] => Ok(false),
        _ => Err(GraphError::unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property of resource 'Group': '{filter}'."
        ))),
    }
}

pub fn transitive_member_of(call: &Call, subject: &Subject, cast: &[&str]) -> GraphResult {
    let model = call.shared.lock_state();
    let index = subject.resolve(&model, &call.caller_id)?;
    let user = &model.users[index];
    let roles: Vec<Value> = user
        .roles
        .iter()
        .map(|role| directory_role_json(&model, *role))
        .collect();
    let groups = user
        .groups
        .iter()
        .filter_map(|group_id| model.groups.iter().find(|group| &group.id == group_id));

    let advanced = call.eventual_consistency() && call.count_requested();
    if !cast.is_empty() && !advanced {
        return Err(GraphError::cast_needs_advanced_query());
    }
    let (fragment, values): (&str, Vec<Value>) = match cast {
        [] => (
            "directoryObjects",
            roles.into_iter().chain(groups.map(group_json)).collect(),
        ),
        ["microsoft.graph.directoryRole"] => ("directoryRoles", roles),
        ["microsoft.graph.group"] => {
            let wanted = match call.option("$filter") {
                // Filtering memberships is an advanced query (reference/graph.md §1.1).
                Some(_) if !(call.eventual_consistency() && call.count_requested()) => {
                    return Err(GraphError::unsupported_query(
                        "Filtering transitiveMemberOf is an advanced query: send the header 'ConsistencyLevel: eventual' and $count=true.",
                    ))
                }
                Some(filter) => Some(parse_group_filter(filter)?),
                None => None,
            };
            let values = groups
                .filter(|group| wanted.is_none_or(|wanted| group.is_assignable_to_role == wanted))
                .map(group_json)
                .collect();
            ("groups", values)
        }
        [other, ..] => return Err(GraphError::unknown_segment(other)),
    };
    let mut response = Map::new();
    response.insert("@odata.context".into(), json!(call.context(fragment)));
    if call.count_requested() && call.eventual_consistency() {
        response.insert("@odata.count".into(), json!(values.len()));
    }
    response.insert("value".into(), Value::Array(values));
    Ok(ok_json(Value::Object(response)))
}

/// One `key=value` of a paging link, percent-encoded but keeping the `$` of OData options
/// readable, as Graph's own links do.
pub(super) fn query_pair(key: &str, value: &str) -> String {
    format!(
        "{}={}",
        url::form_urlencoded::byte_serialize(key.as_bytes())
            .collect::<String>()
            .replace("%24", "$"),
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_complexity_follows_entra() {
        assert!(meets_complexity("Winter-2026"));
        assert!(meets_complexity("abcdEFGH12"));
        assert!(!meets_complexity("Ab1!"), "too short");
        assert!(!meets_complexity("alllowercase1"), "two classes");
        assert!(!meets_complexity("Ünïcödé-Pass1"), "non-ASCII");
    }

    #[test]
    fn skiptoken_round_trips_and_rejects_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(300)).unwrap(), 300);
        assert!(decode_skiptoken("nonsense").is_err());
    }
}
