//! Microsoft Graph under `/v1.0` and `/beta`: authentication of the bearer token, routing
//! by path segment (so unknown segments and wrong methods get Graph's own errors), and the
//! user resources: list/search, get, update `passwordProfile`, `revokeSignInSessions` and
//! `transitiveMemberOf`. Authentication methods live in `methods`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Extension, Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::errors::{GraphError, GraphResult, RequestIds};
use super::methods::{self, ApiVersion};
use super::policy::{self, Operation};
use super::query;
use super::state::{graph_time, State as Model, User};
use super::{faults, Shared};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1.0/{*rest}", any(graph_v1))
        .route("/beta/{*rest}", any(graph_beta))
        .fallback(unknown_version)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::graph_front_door,
        ))
        .with_state(shared)
}

/// One Graph request, authenticated, as the handlers see it.
pub struct Call<'a> {
    pub shared: &'a Shared,
    pub version: ApiVersion,
    pub method: Method,
    pub headers: &'a HeaderMap,
    pub query: Vec<(String, String)>,
    pub body: Bytes,
    /// Object id of the signed-in user.
    pub caller_id: String,
}

impl Call<'_> {
    /// A query option, with or without its `$` (Graph v1.0 accepts both).
    pub fn option(&self, name: &str) -> Option<&str> {
        let bare = name.trim_start_matches('$');
        self.query
            .iter()
            .find(|(key, _)| key == name || key == bare)
            .map(|(_, value)| value.as_str())
    }

    pub fn eventual_consistency(&self) -> bool {
        self.headers
            .get("consistencylevel")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.eq_ignore_ascii_case("eventual"))
    }

    pub fn count_requested(&self) -> bool {
        self.option("$count")
            .is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }

    /// `{base}/v1.0/$metadata#…`
    pub fn context(&self, fragment: &str) -> String {
        format!(
            "{}/{}/$metadata#{fragment}",
            self.shared.base_url,
            self.version.segment()
        )
    }

    /// The JSON object a PATCH/POST carries; Graph insists on `Content-Type: application/json`.
    pub fn json_body(&self) -> GraphResult<Map<String, Value>> {
        let bad = |message: &str| GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message);
        if self.body.is_empty() {
            return Err(bad("Empty Payload. JSON content expected."));
        }
        let declared_json = self
            .headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.to_ascii_lowercase().starts_with("application/json"));
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map)) if declared_json => Ok(map),
            _ => Err(bad(
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
            )),
        }
    }
}

/// Who a `/users/{id}` or `/me` path is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Me,
    User(String),
}

impl Subject {
    /// The user's index in the model, or Graph's 404.
    pub fn resolve(&self, model: &Model, caller_id: &str) -> GraphResult<usize> {
        let key = match self {
            Subject::Me => caller_id,
            Subject::User(id) => id.as_str(),
        };
        model
            .user_index(key)
            .ok_or_else(|| GraphError::user_not_found(key))
    }
}

/// Refuses an admin operation on `target` unless Entra would allow `caller` to do it.
/// Acting on yourself through the admin endpoints is refused too.
pub fn authorize(
    model: &Model,
    caller: usize,
    target: usize,
    operation: Operation,
) -> GraphResult<()> {
    if caller == target {
        return Err(GraphError::denied());
    }
    let target_user = &model.users[target];
    let in_privileged_group = target_user.groups.iter().any(|group_id| {
        model
            .groups
            .iter()
            .any(|group| &group.id == group_id && group.is_assignable_to_role)
    });
    if policy::allows(
        &model.users[caller],
        operation,
        target_user,
        in_privileged_group,
    ) {
        Ok(())
    } else {
        Err(GraphError::denied())
    }
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn ok_json(value: Value) -> Response {
    (StatusCode::OK, Json(value)).into_response()
}

/// Percent-decoding of one path segment (a UPN arrives as `adele.vance%40contoso.sandbox`).
fn decode_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            let hex = |byte: u8| (byte as char).to_digit(16);
            if let (Some(high), Some(low)) = (hex(bytes[index + 1]), hex(bytes[index + 2])) {
                decoded.push((high * 16 + low) as u8);
                index += 3;
                continue;
            }
        }
        decoded.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

async fn graph_v1(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&shared, ApiVersion::V1, method, &uri, &headers, body)
        .unwrap_or_else(|error| error.render(&ids))
}

async fn graph_beta(
    State(shared): State<Arc<Shared>>,
    Extension(ids): Extension<RequestIds>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&shared, ApiVersion::Beta, method, &uri, &headers, body)
        .unwrap_or_else(|error| error.render(&ids))
}

async fn unknown_version(Extension(ids): Extension<RequestIds>, uri: Uri) -> Response {
    let version = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("Invalid version: {version}. Use /v1.0 or /beta."),
    )
    .render(&ids)
}

/// Checks the bearer token and returns the caller's object id.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> GraphResult<String> {
    let header = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let token = match header.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            token.trim()
        }
        _ => {
            return Err(GraphError::invalid_token(
                "Access token is empty.",
                &shared.base_url,
            ))
        }
    };
    let model = shared.lock_state();
    if !model.access_tokens.contains_key(token) {
        return Err(GraphError::invalid_token(
            "IDX14100: JWT is not well formed, there are no dots (.).",
            &shared.base_url,
        ));
    }
    match model.token_user(token, Instant::now()) {
        Some(index) => Ok(model.users[index].id.clone()),
        None => Err(GraphError::invalid_token(
            "Lifetime validation failed, the token is expired.",
            &shared.base_url,
        )),
    }
}

fn serve(
    shared: &Shared,
    version: ApiVersion,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> GraphResult {
    let caller_id = authenticate(shared, headers)?;
    let segments: Vec<String> = uri
        .path()
        .split('/')
        .skip(2)
        .filter(|segment| !segment.is_empty())
        .map(decode_segment)
        .collect();
    let query = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let call = Call {
        shared,
        version,
        method,
        headers,
        query,
        body,
        caller_id,
    };

    let segment_refs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (subject, rest): (Subject, &[&str]) = match segment_refs.as_slice() {
        ["users"] => {
            return match call.method {
                Method::GET => list_users(&call),
                _ => Err(GraphError::method_not_allowed()),
            }
        }
        ["users", "$count"] => {
            return match call.method {
                Method::GET => count_users(&call),
                _ => Err(GraphError::method_not_allowed()),
            }
        }
        ["me", rest @ ..] => (Subject::Me, rest),
        ["users", id, rest @ ..] => (Subject::User(id.to_string()), rest),
        [first, ..] => return Err(GraphError::unknown_segment(first)),
        [] => return Err(GraphError::unknown_segment(version.segment())),
    };
    match (rest, call.method.clone()) {
        ([], Method::GET) => get_user(&call, &subject),
        ([], Method::PATCH) => update_user(&call, &subject),
        ([], _) => Err(GraphError::method_not_allowed()),
        (["revokeSignInSessions"], Method::POST) => revoke_sessions(&call, &subject),
        (["revokeSignInSessions"], _) => Err(GraphError::method_not_allowed()),
        (["transitiveMemberOf", rest @ ..], Method::GET) => {
            transitive_member_of(&call, &subject, rest)
        }
        (["transitiveMemberOf", ..], _) => Err(GraphError::method_not_allowed()),
        (["authentication", rest @ ..], _) => methods::serve(&call, &subject, rest),
        ([unknown, ..], _) => Err(GraphError::unknown_segment(unknown)),
    }
}

// ---------------------------------------------------------------------------------------
// Users

/// Returned when no `$select` is given (reference/graph.md §1.1).
const DEFAULT_USER_PROPERTIES: &[&str] = &[
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
];

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
fn selection(call: &Call) -> GraphResult<Option<Vec<String>>> {
    let Some(select) = call.option("$select") else {
        return Ok(None);
    };
    let mut properties = Vec::new();
    for property in select
        .split(',')
        .map(str::trim)
        .filter(|property| !property.is_empty())
    {
        if !SELECTABLE_USER_PROPERTIES.contains(&property) {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!(
                    "Could not find a property named '{property}' on type 'microsoft.graph.user'."
                ),
            ));
        }
        properties.push(property.to_string());
    }
    Ok(Some(properties))
}

fn user_json(user: &User, select: Option<&[String]>) -> Value {
    let mut object = Map::new();
    match select {
        Some(properties) => {
            for property in properties {
                object.insert(property.clone(), user_property(user, property));
            }
        }
        None => {
            for property in DEFAULT_USER_PROPERTIES {
                object.insert(property.to_string(), user_property(user, property));
            }
        }
    }
    Value::Object(object)
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
        .map(|(key, value)| {
            format!(
                "{}={}",
                url::form_urlencoded::byte_serialize(key.as_bytes())
                    .collect::<String>()
                    .replace("%24", "$"),
                url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
            )
        })
        .collect();
    query.push(format!("$skiptoken={}", encode_skiptoken(offset)));
    format!("{}{path}?{}", call.shared.base_url, query.join("&"))
}

const SEARCH_NEEDS_HEADER: &str =
    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'";

fn list_users(call: &Call) -> GraphResult {
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

    let model = call.shared.lock_state();
    let mut matching: Vec<&User> = model
        .users
        .iter()
        .filter(|user| search.as_ref().is_none_or(|search| search.matches(user)))
        .filter(|user| filter.as_ref().is_none_or(|filter| filter.matches(user)))
        .collect();
    match order {
        Some((key, descending)) => {
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
        // Graph promises no order without $orderby; object id order makes that visible.
        None => matching.sort_by(|a, b| a.id.cmp(&b.id)),
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
    if offset + top < total {
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
fn count_users(call: &Call) -> GraphResult {
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

fn get_user(call: &Call, subject: &Subject) -> GraphResult {
    let select = selection(call)?;
    let model = call.shared.lock_state();
    let index = subject.resolve(&model, &call.caller_id)?;
    let mut body = user_json(&model.users[index], select.as_deref());
    let context = match &select {
        Some(properties) => call.context(&format!("users({})/$entity", properties.join(","))),
        None => call.context("users/$entity"),
    };
    if let Value::Object(object) = &mut body {
        object.insert("@odata.context".into(), json!(context));
    }
    Ok(ok_json(body))
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
fn update_user(call: &Call, subject: &Subject) -> GraphResult {
    let body = call.json_body()?;
    let mut password: Option<String> = None;
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
                ("password", Value::String(text)) => password = Some(text.clone()),
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
        if !meets_complexity(password) {
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

fn revoke_sessions(call: &Call, subject: &Subject) -> GraphResult {
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

fn directory_role_json(model: &Model, role: super::state::Role) -> Value {
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

fn group_json(group: &super::state::Group) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.group",
        "id": group.id,
        "displayName": group.display_name,
        "isAssignableToRole": group.is_assignable_to_role,
        "securityEnabled": true,
        "mailEnabled": false,
        "groupTypes": [],
    })
}

/// `$filter=isAssignableToRole eq true|false` — the one group filter the emulator knows.
fn parse_group_filter(filter: &str) -> GraphResult<bool> {
    match filter.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["isAssignableToRole", "eq", "true"] => Ok(true),
        ["isAssignableToRole", "eq", "false"] => Ok(false),
        _ => Err(GraphError::unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property of resource 'Group': '{filter}'."
        ))),
    }
}

fn transitive_member_of(call: &Call, subject: &Subject, cast: &[&str]) -> GraphResult {
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

    #[test]
    fn segments_are_percent_decoded() {
        assert_eq!(
            decode_segment("adele.vance%40contoso.sandbox"),
            "adele.vance@contoso.sandbox"
        );
        assert_eq!(decode_segment("100%"), "100%");
    }
}
