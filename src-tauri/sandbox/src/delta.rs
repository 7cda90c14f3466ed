//! `GET /users/delta` with Microsoft Graph's semantics (learn.microsoft.com/graph/delta-query-overview,
//! /graph/api/user-delta): a first round lists every user in pages (`@odata.nextLink`) and ends
//! with an `@odata.deltaLink`; calling that link later returns only what changed since —
//! added users in full, changed users with only the changed properties, removed users as
//! `{"id", "@removed": {"reason": "changed"}}` — again ending with a new delta link.
//! `$deltatoken=latest` returns no users, just a delta link for "now". A token that is no
//! longer valid (expired, or its changes forgotten) answers 410 Gone, code `syncStateNotFound`:
//! the client must sync in full again.
//!
//! Tokens are opaque to clients but are simply positions in the change log (`state::ChangeLog`)
//! plus the log's epoch, base64url-encoded.

use std::collections::HashMap;

use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::errors::{GraphError, GraphResult};
use super::graph::{ok_json, Call};
use super::state::{ChangeKind, State as Model};
use super::users::{selection, user_json};

/// Users per delta page (Graph decides the page size of delta replies itself).
pub const DELTA_PAGE_SIZE: usize = 200;

/// Where a request stands: the first round (listing everyone as of `start`) or the changes
/// in `[from, to)`; `offset` is how many items earlier pages returned.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Position {
    Initial { start: u64, offset: usize },
    Changes { from: u64, to: u64, offset: usize },
}

fn encode(text: String) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

fn decode(token: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()
}

fn delta_token(epoch: u64, seq: u64) -> String {
    encode(format!("delta:{epoch}:{seq}"))
}

fn skip_token(epoch: u64, position: Position) -> String {
    match position {
        Position::Initial { start, offset } => encode(format!("init:{epoch}:{start}:{offset}")),
        Position::Changes { from, to, offset } => {
            encode(format!("changes:{epoch}:{from}:{to}:{offset}"))
        }
    }
}

fn expired() -> GraphError {
    GraphError::new(
        StatusCode::GONE,
        "syncStateNotFound",
        "The sync state generated for this delta token has expired or is no longer valid. Restart the sync without a token.",
    )
}

fn invalid_token() -> GraphError {
    GraphError::bad_request("The delta or skip token is not valid.")
}

fn numbers(text: &str) -> Option<Vec<u64>> {
    text.split(':').map(|n| n.parse().ok()).collect()
}

/// Reads `$deltatoken` / `$skiptoken` into a position, or Graph's error.
fn position(call: &Call, model: &Model) -> GraphResult<Option<Position>> {
    let log = &model.changes;
    let check_epoch = |epoch: u64| {
        if epoch == log.epoch {
            Ok(())
        } else {
            Err(expired())
        }
    };
    if let Some(token) = call.option("$skiptoken") {
        let text = decode(token).ok_or_else(invalid_token)?;
        let (kind, rest) = text.split_once(':').ok_or_else(invalid_token)?;
        let parts = numbers(rest).ok_or_else(invalid_token)?;
        return match (kind, parts.as_slice()) {
            ("init", [epoch, start, offset]) => {
                check_epoch(*epoch)?;
                Ok(Some(Position::Initial {
                    start: *start,
                    offset: *offset as usize,
                }))
            }
            ("changes", [epoch, from, to, offset]) => {
                check_epoch(*epoch)?;
                if *from < log.floor {
                    return Err(expired());
                }
                Ok(Some(Position::Changes {
                    from: *from,
                    to: *to,
                    offset: *offset as usize,
                }))
            }
            _ => Err(invalid_token()),
        };
    }
    if let Some(token) = call.option("$deltatoken") {
        if token == "latest" {
            return Ok(None);
        }
        let text = decode(token).ok_or_else(invalid_token)?;
        let parts = text
            .strip_prefix("delta:")
            .and_then(numbers)
            .ok_or_else(invalid_token)?;
        let [epoch, from] = parts.as_slice() else {
            return Err(invalid_token());
        };
        check_epoch(*epoch)?;
        if *from < log.floor || *from > log.next_seq {
            return Err(expired());
        }
        return Ok(Some(Position::Changes {
            from: *from,
            to: log.next_seq,
            offset: 0,
        }));
    }
    Ok(Some(Position::Initial {
        start: log.next_seq,
        offset: 0,
    }))
}

/// The link for the next request: this request's options minus its tokens, plus `token`.
fn link(call: &Call, name: &str, token: &str) -> String {
    let mut query: Vec<String> = call
        .query
        .iter()
        .filter(|(key, _)| {
            !matches!(
                key.as_str(),
                "$skiptoken" | "skiptoken" | "$deltatoken" | "deltatoken"
            )
        })
        .map(|(key, value)| super::users::query_pair(key, value))
        .collect();
    query.push(format!("{name}={token}"));
    format!(
        "{}/{}/users/delta?{}",
        call.shared.base_url,
        call.version.segment(),
        query.join("&")
    )
}

/// The items a change window reports, one per user, in the order of their last change.
fn changed_items(model: &Model, from: u64, to: u64, select: Option<&[String]>) -> Vec<Value> {
    // user id → (position of last change, added in window, deleted at the end, changed props)
    let mut summary: HashMap<&str, (u64, bool, bool, Vec<&'static str>)> = HashMap::new();
    for entry in model
        .changes
        .entries
        .iter()
        .filter(|e| e.seq >= from && e.seq < to)
    {
        let item =
            summary
                .entry(entry.user_id.as_str())
                .or_insert((entry.seq, false, false, Vec::new()));
        item.0 = entry.seq;
        match &entry.kind {
            ChangeKind::Added => {
                item.1 = true;
                item.2 = false;
            }
            ChangeKind::Updated(properties) => {
                item.2 = false;
                for property in properties {
                    if !item.3.contains(property) {
                        item.3.push(property);
                    }
                }
            }
            ChangeKind::Deleted => item.2 = true,
        }
    }
    let mut ordered: Vec<_> = summary.into_iter().collect();
    ordered.sort_by_key(|(_, (seq, ..))| *seq);
    ordered
        .into_iter()
        .filter_map(|(id, (_, added, deleted, properties))| {
            let removed = || {
                json!({
                    "@odata.type": "#microsoft.graph.user",
                    "id": id,
                    "@removed": {"reason": "changed"},
                })
            };
            if deleted {
                return Some(removed());
            }
            let user = model.user(id)?;
            if added {
                return Some(user_json(user, select));
            }
            // Only the changed properties that were asked for, and the id.
            let wanted: Vec<String> = properties
                .iter()
                .filter(|p| select.is_none_or(|s| s.iter().any(|x| x == *p)))
                .map(|p| p.to_string())
                .chain(std::iter::once("id".to_string()))
                .collect();
            Some(user_json(user, Some(&wanted)))
        })
        .collect()
}

pub fn users_delta(call: &Call) -> GraphResult {
    let select = selection(call)?;
    let mut model = call.shared.lock_state();
    let epoch = model.changes.epoch;
    let (items, next, delta_at): (Vec<Value>, Option<Position>, u64) = match position(call, &model)?
    {
        None => (Vec::new(), None, model.changes.next_seq),
        Some(Position::Initial { start, offset }) => {
            let order = model.users_in_id_order();
            let page: Vec<Value> = order
                .iter()
                .skip(offset)
                .take(DELTA_PAGE_SIZE)
                .map(|&index| user_json(&model.users[index], select.as_deref()))
                .collect();
            let more = offset + DELTA_PAGE_SIZE < order.len();
            let next = more.then_some(Position::Initial {
                start,
                offset: offset + DELTA_PAGE_SIZE,
            });
            (page, next, start)
        }
        Some(Position::Changes { from, to, offset }) => {
            let all = changed_items(&model, from, to, select.as_deref());
            let more = offset + DELTA_PAGE_SIZE < all.len();
            let page = all.into_iter().skip(offset).take(DELTA_PAGE_SIZE).collect();
            let next = more.then_some(Position::Changes {
                from,
                to,
                offset: offset + DELTA_PAGE_SIZE,
            });
            (page, next, to)
        }
    };
    drop(model);
    let mut response = Map::new();
    response.insert("@odata.context".into(), json!(call.context("users")));
    match next {
        Some(position) => {
            response.insert(
                "@odata.nextLink".into(),
                json!(link(call, "$skiptoken", &skip_token(epoch, position))),
            );
        }
        None => {
            response.insert(
                "@odata.deltaLink".into(),
                json!(link(call, "$deltatoken", &delta_token(epoch, delta_at))),
            );
        }
    }
    response.insert("value".into(), Value::Array(items));
    Ok(ok_json(Value::Object(response)))
}
