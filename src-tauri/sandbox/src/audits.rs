//! The tenant's directory audit log, as far as ResetDesk reads it (issue 15: team-wide
//! counting): `GET /auditLogs/directoryAudits` lists the resets made through this emulator —
//! by ResetDesk on any desktop, or as the admin centre would, straight against the API — each
//! visible only after a delay, as real audit events arrive late.
//!
//! - The list, its permission and its filters: <https://learn.microsoft.com/graph/api/directoryaudit-list>
//!   and the resource <https://learn.microsoft.com/graph/api/resources/directoryaudit>
//!   (reference/graph.md §4.4): `AuditLog.Read.All`, and in delegated use a role that may read
//!   audit logs — least privileged Reports Reader; Security Reader, Security Administrator,
//!   Global Reader and Global Administrator also may; an Authentication Administrator alone
//!   may not. Filterable on `activityDateTime` (`ge`), `initiatedBy/user/userPrincipalName`
//!   (`eq`) and `activityDisplayName` (`eq`), the three this emulator serves.
//! - Latency: Microsoft gave 2 min (95th percentile) to 5 min (99th) for audit logs; the delay
//!   is a knob (`Sandbox::set_audit_delay`), none by default.
//! - Activity names and services: "Microsoft Entra audit log categories and activities",
//!   <https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities>
//!   ⚠️ not checked against the live page (reference/graph.md §4.4 says so too).
//! - `correlationId`: the `request-id` the write was answered with ⚠️ (the resource page says
//!   only "a unique ID that helps correlate activities that span across various services").

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, Method, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::errors::{GraphError, GraphResult};
use crate::graph::{ok_json, Call};
use crate::state::{graph_time, Role, State};

pub const RESET_USER_PASSWORD: &str = "Reset user password";
pub const ADMIN_DELETED_SECURITY_INFO: &str = "Admin deleted security info";
pub const ADMIN_REGISTERED_SECURITY_INFO: &str = "Admin registered security info";

/// The roles that may read the directory audit log in delegated use (directoryaudit-list).
const AUDIT_READERS: &[Role] = &[
    Role::ReportsReader,
    Role::SecurityAdmin,
    Role::GlobalReader,
    Role::GlobalAdmin,
];

/// One directory audit event.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub id: String,
    pub correlation_id: String,
    pub activity: &'static str,
    pub logged_by_service: &'static str,
    pub at: DateTime<Utc>,
    /// Listed from then on: real events arrive minutes late.
    pub visible_at: Instant,
    pub initiator_id: String,
    pub initiator_upn: String,
    pub target_id: String,
    pub target_upn: String,
}

/// The activity a successful write logs, if it is one of the resets ResetDesk counts. A
/// PATCH of a user is a password reset only when it set a password (requiring a change at
/// next sign-in alone is not).
fn activity_of(
    method: &Method,
    segments: &[&str],
    body: &[u8],
) -> Option<(&'static str, &'static str)> {
    let sets_password = || {
        serde_json::from_slice::<Value>(body)
            .is_ok_and(|v| v["passwordProfile"]["password"].is_string())
    };
    match (method, segments) {
        (&Method::PATCH, ["users", _]) if sets_password() => {
            Some((RESET_USER_PASSWORD, "Core Directory"))
        }
        (&Method::DELETE, ["users", _, "authentication", _, _]) => {
            Some((ADMIN_DELETED_SECURITY_INFO, "Authentication Methods"))
        }
        (&Method::POST, ["users", _, "authentication", "temporaryAccessPassMethods"]) => {
            Some((ADMIN_REGISTERED_SECURITY_INFO, "Authentication Methods"))
        }
        _ => None,
    }
}

/// Logs the reset a successful write made (`path` without the version, `body` as sent), by
/// the caller whose bearer token `headers` carry. Anything else is not logged here.
pub fn record_if_reset(
    state: &mut State,
    delay: Duration,
    (method, path, body): (&Method, &str, &[u8]),
    headers: &HeaderMap,
    request_id: &str,
) {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(crate::graph::decode_segment)
        .collect();
    let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let Some((activity, service)) = activity_of(method, &refs, body) else {
        return;
    };
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, token)| token.trim().to_string())
        .unwrap_or_default();
    let (Some(initiator), Some(target)) = (
        state.token_user(&token, Instant::now()),
        state.user_index(refs[1]),
    ) else {
        return;
    };
    let (initiator, target) = (&state.users[initiator], &state.users[target]);
    let event = AuditEvent {
        id: uuid::Uuid::new_v4().to_string(),
        correlation_id: request_id.to_string(),
        activity,
        logged_by_service: service,
        at: Utc::now(),
        visible_at: Instant::now() + delay,
        initiator_id: initiator.id.clone(),
        initiator_upn: initiator.user_principal_name.clone(),
        target_id: target.id.clone(),
        target_upn: target.user_principal_name.clone(),
    };
    state.directory_audits.push(event);
}

/// What `$filter` asks, of the three filters served.
#[derive(Default)]
pub(crate) struct Filter {
    since: Option<DateTime<Utc>>,
    initiated_by: Option<String>,
    activity: Option<String>,
}

/// The `$filter` of a list call, if any (`None` lists everything).
pub(crate) fn filter_of(text: Option<&str>) -> Result<Filter, GraphError> {
    text.map_or_else(|| Ok(Filter::default()), parse_filter)
}

fn parse_filter(text: &str) -> Result<Filter, GraphError> {
    let invalid = || {
        GraphError::bad_request(format!(
            "Invalid filter clause: {text} (this emulator serves activityDateTime ge …, initiatedBy/user/userPrincipalName eq '…' and activityDisplayName eq '…')"
        ))
    };
    // An OData string literal: single-quoted, a quote inside doubled.
    let quoted = |value: &str| {
        value
            .trim()
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .map(|v| v.replace("''", "'"))
    };
    let mut filter = Filter::default();
    for clause in text.split(" and ") {
        let clause = clause.trim();
        if let Some(time) = clause.strip_prefix("activityDateTime ge ") {
            let time = DateTime::parse_from_rfc3339(time.trim()).map_err(|_| invalid())?;
            filter.since = Some(time.with_timezone(&Utc));
        } else if let Some(upn) = clause.strip_prefix("initiatedBy/user/userPrincipalName eq ") {
            filter.initiated_by = Some(quoted(upn).ok_or_else(invalid)?);
        } else if let Some(name) = clause.strip_prefix("activityDisplayName eq ") {
            filter.activity = Some(quoted(name).ok_or_else(invalid)?);
        } else {
            return Err(invalid());
        }
    }
    Ok(filter)
}

/// `GET /auditLogs/directoryAudits`.
pub fn list(call: &Call) -> GraphResult {
    if call.method != Method::GET {
        return Err(GraphError::method_not_allowed());
    }
    let filter = filter_of(call.option("$filter"))?;
    let model = call.shared.lock_state();
    let caller = model
        .user_index(&call.caller_id)
        .ok_or_else(|| GraphError::user_not_found(&call.caller_id))?;
    if !model.users[caller]
        .roles
        .iter()
        .any(|role| AUDIT_READERS.contains(role))
    {
        return Err(not_an_audit_reader());
    }
    Ok(ok_json(json!({
        "@odata.context": call.context("auditLogs/directoryAudits"),
        "value": listed(&model.directory_audits, &filter, Instant::now()),
    })))
}

/// Graph's refusal of a caller without a role that may read audit logs.
pub(crate) fn not_an_audit_reader() -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

/// The events `filter` asks for that have arrived by `now`, newest first (as the admin
/// centre lists them), in Graph's shape.
pub(crate) fn listed(events: &[AuditEvent], filter: &Filter, now: Instant) -> Vec<Value> {
    let mut events: Vec<&AuditEvent> = events
        .iter()
        .filter(|e| e.visible_at <= now)
        .filter(|e| filter.since.is_none_or(|since| e.at >= since))
        .filter(|e| {
            filter
                .initiated_by
                .as_deref()
                .is_none_or(|upn| e.initiator_upn.eq_ignore_ascii_case(upn))
        })
        .filter(|e| {
            filter
                .activity
                .as_deref()
                .is_none_or(|name| e.activity == name)
        })
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    events.iter().map(|e| event_json(e)).collect()
}

fn event_json(event: &AuditEvent) -> Value {
    json!({
        "id": event.id,
        "category": "UserManagement",
        "correlationId": event.correlation_id,
        "result": "success",
        "resultReason": "",
        "activityDisplayName": event.activity,
        "activityDateTime": graph_time(event.at),
        "loggedByService": event.logged_by_service,
        "operationType": "Update",
        "initiatedBy": {
            "app": null,
            "user": {
                "id": event.initiator_id,
                "displayName": null,
                "userPrincipalName": event.initiator_upn,
                "ipAddress": "",
            },
        },
        "targetResources": [{
            "id": event.target_id,
            "displayName": null,
            "type": "User",
            "userPrincipalName": event.target_upn,
            "modifiedProperties": [],
        }],
        "additionalDetails": [],
    })
}
