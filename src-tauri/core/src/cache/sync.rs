//! Filling the cache: what a provider offers ([`DirectorySync`]) and the sync itself — a delta
//! from the saved delta link when there is one, otherwise (or when the service says the link
//! expired) a full sync.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::{CacheStore, CachedUser};
use crate::error::{AppError, Result};

/// A changed user as a delta reports it: the id plus only the properties that changed
/// (Graph's delta semantics); a property present with `null` was cleared.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserPatch {
    pub id: String,
    pub fields: Map<String, Value>,
}

impl UserPatch {
    /// Merges the changed properties into what is cached; absent ones stay as they were.
    pub fn apply_to(&self, user: &mut CachedUser) {
        let text = |value: &Value| value.as_str().map(str::to_string);
        for (name, value) in &self.fields {
            match name.as_str() {
                "displayName" => user.display_name = text(value).unwrap_or_default(),
                "userPrincipalName" => user.user_principal_name = text(value).unwrap_or_default(),
                "mail" => user.mail = text(value),
                "jobTitle" => user.job_title = text(value),
                "department" => user.department = text(value),
                "accountEnabled" => user.account_enabled = value.as_bool(),
                "userType" => user.user_type = text(value),
                _ => {}
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryChange {
    Changed(UserPatch),
    Removed { id: String },
}

/// Every user, and where to continue from with deltas (if the provider has them).
#[derive(Debug, Clone, Default)]
pub struct FullSync {
    pub users: Vec<CachedUser>,
    pub delta_link: Option<String>,
    /// HTTP requests it took (for the benchmark and the log).
    pub requests: usize,
}

#[derive(Debug, Clone)]
pub enum DeltaSync {
    Changes {
        changes: Vec<DirectoryChange>,
        delta_link: String,
        requests: usize,
    },
    /// The delta link expired or is no longer valid: only a full sync can continue.
    ResyncRequired,
}

/// How many users a running sync has read so far (shown as progress).
#[derive(Debug, Default)]
pub struct SyncProgress(AtomicU64);

impl SyncProgress {
    pub fn add(&self, users: usize) {
        self.0.fetch_add(users as u64, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
    pub fn reset(&self) {
        self.0.store(0, Ordering::Relaxed);
    }
}

/// What a provider offers to fill the cache. Providers without delta queries implement only
/// the full read: the default delta asks for a full sync every time.
#[async_trait]
pub trait DirectorySync: Send + Sync {
    async fn full_user_sync(&self, progress: &SyncProgress) -> Result<FullSync>;

    async fn delta_user_sync(
        &self,
        _delta_link: &str,
        _progress: &SyncProgress,
    ) -> Result<DeltaSync> {
        Ok(DeltaSync::ResyncRequired)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    Full,
    Delta,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub kind: SyncKind,
    /// Users in the cache afterwards.
    pub users: u64,
    /// Changes applied (a delta) or users read (a full sync).
    pub changes: usize,
    pub requests: usize,
    /// A delta was attempted but its link had expired, so a full sync ran instead.
    pub fell_back_to_full: bool,
}

/// Brings `store` up to date from `source`: a delta when a delta link is saved, else a full
/// sync; an expired delta link leads to a full sync. Database work runs on the blocking pool.
pub async fn sync_cache(
    store: &Arc<CacheStore>,
    source: &dyn DirectorySync,
    progress: &SyncProgress,
) -> Result<SyncReport> {
    let state = blocking(store, |s| s.state()).await?;
    let mut fell_back_to_full = false;
    if let Some(link) = state.delta_link.filter(|link| !link.is_empty()) {
        match source.delta_user_sync(&link, progress).await? {
            DeltaSync::Changes {
                changes,
                delta_link,
                requests,
            } => {
                let count = changes.len();
                let at = now();
                blocking(store, move |s| s.apply_changes(&changes, &delta_link, &at)).await?;
                let users = blocking(store, |s| s.state()).await?.user_count;
                return Ok(SyncReport {
                    kind: SyncKind::Delta,
                    users,
                    changes: count,
                    requests,
                    fell_back_to_full,
                });
            }
            DeltaSync::ResyncRequired => {
                tracing::info!("the delta link expired; running a full sync");
                blocking(store, |s| s.forget_delta_link()).await?;
                fell_back_to_full = true;
            }
        }
    }
    progress.reset();
    let full = source.full_user_sync(progress).await?;
    let count = full.users.len();
    let requests = full.requests;
    let at = now();
    blocking(store, move |s| {
        s.replace_all(&full.users, full.delta_link.as_deref(), &at)
    })
    .await?;
    let users = blocking(store, |s| s.state()).await?.user_count;
    Ok(SyncReport {
        kind: SyncKind::Full,
        users,
        changes: count,
        requests,
        fell_back_to_full,
    })
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn blocking<T, F>(store: &Arc<CacheStore>, call: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&CacheStore) -> Result<T> + Send + 'static,
{
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || call(&store))
        .await
        .map_err(|e| {
            AppError::internal("An offline cache task stopped unexpectedly")
                .with_detail(e.to_string())
        })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_merges_only_present_properties_and_clears_nulls() {
        let mut user = CachedUser {
            id: "u1".into(),
            display_name: "Adele Vance".into(),
            user_principal_name: "adele@x".into(),
            mail: Some("adele@x".into()),
            job_title: Some("Engineer".into()),
            ..CachedUser::default()
        };
        let patch = UserPatch {
            id: "u1".into(),
            fields:
                json!({"displayName": "Adele Smith", "jobTitle": null, "accountEnabled": false})
                    .as_object()
                    .unwrap()
                    .clone(),
        };
        patch.apply_to(&mut user);
        assert_eq!(user.display_name, "Adele Smith");
        assert_eq!(user.job_title, None);
        assert_eq!(user.account_enabled, Some(false));
        assert_eq!(user.mail.as_deref(), Some("adele@x"), "untouched");
        assert_eq!(user.user_principal_name, "adele@x", "untouched");
    }
}
