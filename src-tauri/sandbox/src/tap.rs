//! Temporary Access Pass: the tenant's method policy
//! (`/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass`)
//! and `POST /users/{id}/authentication/temporaryAccessPassMethods`, with the service's rules
//! (reference/graph.md §1.3): the lifetime must sit inside the policy's range, multi-use passes
//! only where the policy allows them, one usable pass per user (a new one replaces the old),
//! and the pass itself is returned on creation only.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::{json, Map, Value};

use super::errors::{GraphError, GraphResult};
use super::graph::{authorize, Call, Subject};
use super::policy::Operation;
use super::state::{graph_time, Method, MethodDetail, Role, TemporaryAccessPassPolicy, User};

/// Roles that may read the authentication methods policy. Entra lets the policy roles and
/// readers do it; the brief for the sandbox adds the Authentication Administrator, who needs
/// the range to issue a pass.
const POLICY_READERS: &[Role] = &[
    Role::AuthAdmin,
    Role::AuthPolicyAdmin,
    Role::PrivilegedAuthAdmin,
    Role::GlobalAdmin,
    Role::GlobalReader,
    Role::SecurityAdmin,
];

/// Characters of a generated pass: no look-alikes (0/O, 1/l/I) so it can be read out on a call.
const PASS_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789@#$%&*+=?";

pub fn policy_json(call: &Call, policy: &TemporaryAccessPassPolicy) -> Value {
    json!({
        "@odata.context": call.context("policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity"),
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
        "id": "TemporaryAccessPass",
        "state": if policy.enabled { "enabled" } else { "disabled" },
        "defaultLifetimeInMinutes": policy.default_lifetime_minutes,
        "defaultLength": policy.default_length,
        "minimumLifetimeInMinutes": policy.minimum_lifetime_minutes,
        "maximumLifetimeInMinutes": policy.maximum_lifetime_minutes,
        "isUsableOnce": policy.is_usable_once,
        "includeTargets": [
            { "targetType": "group", "id": "all_users", "isRegistrationRequired": false }
        ],
        "excludeTargets": [],
    })
}

/// `GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}`: only
/// the Temporary Access Pass configuration is modelled.
pub fn serve_policies(call: &Call, rest: &[&str]) -> GraphResult {
    match rest {
        ["authenticationMethodsPolicy", "authenticationMethodConfigurations", id]
            if id.eq_ignore_ascii_case("TemporaryAccessPass") =>
        {
            if call.method != axum::http::Method::GET {
                return Err(GraphError::method_not_allowed());
            }
            let model = call.shared.lock_state();
            let caller = model
                .user_index(&call.caller_id)
                .ok_or_else(|| GraphError::user_not_found(&call.caller_id))?;
            if !model.users[caller]
                .roles
                .iter()
                .any(|role| POLICY_READERS.contains(role))
            {
                return Err(GraphError::denied());
            }
            Ok((StatusCode::OK, Json(policy_json(call, &model.tap_policy))).into_response())
        }
        ["authenticationMethodsPolicy", "authenticationMethodConfigurations", id] => {
            Err(GraphError::new(
                StatusCode::NOT_FOUND,
                "itemNotFound",
                format!("The authentication method configuration '{id}' is not modelled by the sandbox."),
            ))
        }
        [first, ..] => Err(GraphError::unknown_segment(first)),
        [] => Err(GraphError::unknown_segment("policies")),
    }
}

/// Whether a pass is usable now, and Graph's `methodUsabilityReason`.
pub fn usability(
    policy: &TemporaryAccessPassPolicy,
    created: DateTime<Utc>,
    starts: Option<DateTime<Utc>>,
    lifetime_minutes: u32,
    now: DateTime<Utc>,
) -> (bool, &'static str) {
    let start = starts.unwrap_or(created);
    if !policy.enabled {
        (false, "DisabledByPolicy")
    } else if now < start {
        (false, "NotYetValid")
    } else if now >= start + Duration::minutes(i64::from(lifetime_minutes)) {
        (false, "Expired")
    } else {
        (true, "EnabledByPolicy")
    }
}

struct Requested {
    starts: Option<DateTime<Utc>>,
    lifetime_minutes: Option<u32>,
    usable_once: Option<bool>,
}

fn parse_body(body: &Map<String, Value>) -> GraphResult<Requested> {
    let mut requested = Requested {
        starts: None,
        lifetime_minutes: None,
        usable_once: None,
    };
    for (name, value) in body {
        match (name.as_str(), value) {
            ("@odata.type", Value::String(t))
                if t == "#microsoft.graph.temporaryAccessPassAuthenticationMethod" => {}
            ("startDateTime", Value::String(text)) => {
                let start = DateTime::parse_from_rfc3339(text).map_err(|_| {
                    GraphError::method_bad_request("Invalid StartDateTime specified.")
                })?;
                requested.starts = Some(start.with_timezone(&Utc));
            }
            ("lifetimeInMinutes", Value::Number(n)) => {
                let minutes = n
                    .as_u64()
                    .and_then(|m| u32::try_from(m).ok())
                    .ok_or_else(|| {
                        GraphError::method_bad_request("Invalid LifetimeInMinutes specified.")
                    })?;
                requested.lifetime_minutes = Some(minutes);
            }
            ("isUsableOnce", Value::Bool(flag)) => requested.usable_once = Some(*flag),
            _ => {
                return Err(GraphError::method_bad_request(format!(
                    "Invalid value or property '{name}'."
                )))
            }
        }
    }
    Ok(requested)
}

fn generate_pass(length: u32) -> String {
    let mut rng = rand::thread_rng();
    (0..length.clamp(8, 48))
        .map(|_| PASS_ALPHABET[rng.gen_range(0..PASS_ALPHABET.len())] as char)
        .collect()
}

/// `POST /users/{id}/authentication/temporaryAccessPassMethods`.
pub fn create(call: &Call, subject: &Subject) -> GraphResult {
    let requested = parse_body(&call.json_body()?)?;
    let mut model = call.shared.lock_state();
    let target = subject.resolve(&model, &call.caller_id)?;
    let caller = model
        .user_index(&call.caller_id)
        .ok_or_else(|| GraphError::user_not_found(&call.caller_id))?;
    authorize(&model, caller, target, Operation::CreateTemporaryAccessPass)?;

    let policy = model.tap_policy.clone();
    if !policy.enabled {
        return Err(GraphError::method_bad_request(
            "Temporary Access Pass is not enabled in the authentication methods policy.",
        ));
    }
    let lifetime_minutes = requested
        .lifetime_minutes
        .unwrap_or(policy.default_lifetime_minutes);
    if !(policy.minimum_lifetime_minutes..=policy.maximum_lifetime_minutes)
        .contains(&lifetime_minutes)
    {
        return Err(GraphError::method_bad_request(format!(
            "Invalid LifetimeInMinutes specified. The valid range between {} and {}.",
            policy.minimum_lifetime_minutes, policy.maximum_lifetime_minutes
        )));
    }
    let usable_once = requested.usable_once.unwrap_or(policy.is_usable_once);
    if policy.is_usable_once && !usable_once {
        return Err(GraphError::method_bad_request(
            "Invalid IsUsableOnce specified. The policy only allows one-time use passes.",
        ));
    }

    let now = Utc::now();
    let method = Method {
        id: uuid::Uuid::new_v4().to_string(),
        created: now,
        detail: MethodDetail::TemporaryAccessPass {
            lifetime_minutes,
            usable_once,
            starts: requested.starts,
        },
    };
    let pass = generate_pass(policy.default_length);
    let user: &mut User = &mut model.users[target];
    // One pass per user: a new one replaces whatever was there.
    user.methods
        .retain(|m| !matches!(m.detail, MethodDetail::TemporaryAccessPass { .. }));
    user.methods.push(method.clone());
    let (is_usable, reason) = usability(&policy, now, requested.starts, lifetime_minutes, now);
    let body = json!({
        "@odata.context": call.context(&format!("users('{}')/authentication/temporaryAccessPassMethods/$entity", user.id)),
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        "id": method.id,
        "temporaryAccessPass": pass,
        "createdDateTime": graph_time(now),
        "startDateTime": graph_time(requested.starts.unwrap_or(now)),
        "lifetimeInMinutes": lifetime_minutes,
        "isUsableOnce": usable_once,
        "isUsable": is_usable,
        "methodUsabilityReason": reason,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
