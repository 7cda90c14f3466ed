//! Filling the offline cache from Microsoft Graph ([`DirectorySync`]): a full read with large
//! pages, then delta queries (`GET /users/delta`).
//!
//! The documented pattern (learn.microsoft.com/graph/delta-query-overview and
//! learn.microsoft.com/graph/api/user-delta): a delta round follows `@odata.nextLink` until a
//! reply carries `@odata.deltaLink`, which is saved and called verbatim next time; it returns
//! added users, changed users with only the changed properties, and removed users as
//! `{"id", "@removed": {"reason": "changed" | "deleted"}}`. An expired or invalid token answers
//! 410 Gone (codes `syncStateNotFound`, `resyncRequired`): start again with a full sync.
//!
//! Full sync: the initial delta round pages in sizes Graph chooses (about 100–200), so instead
//! we first take `GET /users/delta?$deltatoken=latest` (the documented way to get a delta link
//! for "now" without the data), then read everyone through `GET /users?$top=999`. Anything that
//! changes while the list is read comes again in the next delta (merging is idempotent), so
//! nothing is missed even though the two reads are not atomic.

use async_trait::async_trait;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::http::{self, Access, Failure, GraphRequest};
use super::models::{GraphUser, Page};
use super::query::build_query;
use super::EntraDirectory;
use resetdesk_core::cache::{
    CachedUser, DeltaSync, DirectoryChange, DirectorySync, FullSync, SyncProgress, UserPatch,
};
use resetdesk_core::error::{AppError, ErrorKind, Result};

/// Only what the cache keeps (never anything secret).
pub const CACHE_SELECT: &str =
    "id,displayName,userPrincipalName,mail,jobTitle,department,accountEnabled,userType";
/// Graph's largest page for users.
const FULL_SYNC_PAGE_SIZE: usize = 999;
/// A guard against a service that never stops sending next links (100,000 users at 999 a
/// page is 101 pages; a delta of a million changes at ~200 a page is 5,000).
const MAX_PAGES: usize = 20_000;
/// Error codes Graph uses to say a delta token can no longer be used.
const RESYNC_CODES: &[&str] = &["syncStateNotFound", "resyncRequired", "syncStateInvalid"];

/// One page of a delta round.
#[derive(Debug, Deserialize)]
struct DeltaPage {
    #[serde(default)]
    value: Vec<Map<String, Value>>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink", default)]
    delta_link: Option<String>,
}

fn cached_user(user: GraphUser) -> CachedUser {
    CachedUser {
        id: user.id,
        display_name: user.display_name.unwrap_or_default(),
        user_principal_name: user.user_principal_name.unwrap_or_default(),
        mail: user.mail,
        job_title: user.job_title,
        department: user.department,
        account_enabled: user.account_enabled,
        user_type: user.user_type,
    }
}

/// A delta item as a change: `@removed` → removal; otherwise the properties it carries.
fn change_of(mut item: Map<String, Value>) -> Option<DirectoryChange> {
    let id = item.get("id").and_then(Value::as_str)?.to_string();
    if item.contains_key("@removed") {
        return Some(DirectoryChange::Removed { id });
    }
    item.retain(|name, _| !name.starts_with('@') && name != "id");
    Some(DirectoryChange::Changed(UserPatch { id, fields: item }))
}

fn is_resync_required(failure: &Failure) -> bool {
    match failure {
        Failure::Status(s) => {
            s.status == StatusCode::GONE
                || s.code
                    .as_deref()
                    .is_some_and(|code| RESYNC_CODES.iter().any(|c| c.eq_ignore_ascii_case(code)))
        }
        _ => false,
    }
}

fn endless_paging() -> AppError {
    AppError::new(
        ErrorKind::Provider,
        "Microsoft Graph kept sending more pages than a directory can have; the sync was stopped.",
    )
}

impl EntraDirectory {
    /// Reads a delta round from `first` to its delta link.
    async fn delta_round(
        &self,
        first: url::Url,
        progress: &SyncProgress,
    ) -> std::result::Result<(Vec<DirectoryChange>, String, usize), Failure> {
        let mut changes = Vec::new();
        let mut request = GraphRequest::get(first);
        for requests in 1..=MAX_PAGES {
            let response = self.http.send(&request, Access::Read).await?;
            let page: DeltaPage = http::decode(&response)?;
            progress.add(page.value.len());
            changes.extend(page.value.into_iter().filter_map(change_of));
            if let Some(next) = page.next_link {
                request = GraphRequest::get(self.http.checked_next_link(&next)?);
                continue;
            }
            let delta_link = page.delta_link.ok_or_else(|| {
                Failure::Local(AppError::new(
                    ErrorKind::Provider,
                    "Microsoft Graph ended a delta round without a delta link.",
                ))
            })?;
            return Ok((changes, delta_link, requests));
        }
        Err(Failure::Local(endless_paging()))
    }
}

#[async_trait]
impl DirectorySync for EntraDirectory {
    async fn full_user_sync(&self, progress: &SyncProgress) -> Result<FullSync> {
        let latest = self.v1(
            &["users", "delta"],
            Some(&build_query(&[
                ("$select", CACHE_SELECT.to_string()),
                ("$deltatoken", "latest".to_string()),
            ])),
        )?;
        let (_, delta_link, mut requests) = self
            .delta_round(latest, &SyncProgress::default())
            .await
            .map_err(|f| self.error(f))?;

        let first = self.v1(
            &["users"],
            Some(&build_query(&[
                ("$select", CACHE_SELECT.to_string()),
                ("$top", FULL_SYNC_PAGE_SIZE.to_string()),
            ])),
        )?;
        let mut request = GraphRequest::get(first);
        let mut users = Vec::new();
        for _ in 0..MAX_PAGES {
            requests += 1;
            let response = self
                .http
                .send(&request, Access::Read)
                .await
                .map_err(|f| self.error(f))?;
            let page: Page<GraphUser> = http::decode(&response).map_err(|f| self.error(f))?;
            progress.add(page.value.len());
            users.extend(page.value.into_iter().map(cached_user));
            let Some(next) = page.next_link else {
                return Ok(FullSync {
                    users,
                    delta_link: Some(delta_link),
                    requests,
                });
            };
            request = GraphRequest::get(
                self.http
                    .checked_next_link(&next)
                    .map_err(|f| self.error(f))?,
            );
        }
        Err(endless_paging())
    }

    async fn delta_user_sync(
        &self,
        delta_link: &str,
        progress: &SyncProgress,
    ) -> Result<DeltaSync> {
        // The saved link is used verbatim, but only on this connection's Graph host (it gets
        // the bearer token). A link for another host — the connection's Graph URL changed, or
        // the in-app sandbox listens on a new port since the last run — cannot continue this
        // directory's changes: start again with a full sync.
        let first = match self.http.checked_next_link(delta_link) {
            Ok(url) => url,
            Err(failure) => {
                tracing::info!(detail = %failure.detail(), "the saved delta link is not on this connection's Graph host; syncing in full");
                return Ok(DeltaSync::ResyncRequired);
            }
        };
        match self.delta_round(first, progress).await {
            Ok((changes, delta_link, requests)) => Ok(DeltaSync::Changes {
                changes,
                delta_link,
                requests,
            }),
            Err(failure) if is_resync_required(&failure) => {
                tracing::info!(detail = %failure.detail(), "Graph says the delta token expired");
                Ok(DeltaSync::ResyncRequired)
            }
            Err(failure) => Err(self.error(failure)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn removed_items_become_removals_and_others_keep_only_their_properties() {
        let removed = json!({"id": "u1", "@removed": {"reason": "deleted"}});
        assert_eq!(
            change_of(removed.as_object().unwrap().clone()),
            Some(DirectoryChange::Removed { id: "u1".into() })
        );
        let changed =
            json!({"@odata.type": "#microsoft.graph.user", "id": "u2", "displayName": "X"});
        let Some(DirectoryChange::Changed(patch)) = change_of(changed.as_object().unwrap().clone())
        else {
            panic!("a change")
        };
        assert_eq!(patch.id, "u2");
        assert_eq!(patch.fields.len(), 1);
        assert_eq!(patch.fields["displayName"], "X");
        assert_eq!(
            change_of(json!({"displayName": "no id"}).as_object().unwrap().clone()),
            None
        );
    }

    #[test]
    fn gone_and_resync_codes_mean_resync() {
        let failure = |status: u16, code: Option<&str>| {
            Failure::Status(http::StatusFailure {
                status: StatusCode::from_u16(status).unwrap(),
                code: code.map(str::to_string),
                inner_code: None,
                message: None,
                request_id: None,
                retry_after: None,
            })
        };
        assert!(is_resync_required(&failure(410, None)));
        assert!(is_resync_required(&failure(400, Some("resyncRequired"))));
        assert!(!is_resync_required(&failure(400, Some("badRequest"))));
        assert!(!is_resync_required(&failure(503, None)));
        assert!(!is_resync_required(&Failure::Connect));
    }
}
