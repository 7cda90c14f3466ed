//! The offline user cache (issue 3): a local, encrypted copy of each connection's user
//! directory, so that finding a user is instant and works without a network. Actions never
//! read it: they always re-read the target live (see `console::plan_action`).
//!
//! Module map: `store` owns the SQLCipher database (key, schema, corruption recovery, writes),
//! `search` turns what the operator typed into a ranked full-text query, `sync` defines what a
//! provider must offer to fill the cache ([`DirectorySync`]) and runs a full or delta sync.

mod search;
mod store;
mod sync;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use self::search::{name_words, query_tokens};
pub use self::store::{cache_file_path, CacheStore, OpenedCache, CACHE_KEY_SECRET};
pub use self::sync::{
    sync_cache, DeltaSync, DirectoryChange, DirectorySync, FullSync, SyncKind, SyncProgress,
    SyncReport, UserPatch,
};

/// One user as the cache keeps it: only what search and the result list need, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CachedUser {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub mail: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub account_enabled: Option<bool>,
    pub user_type: Option<String>,
}

/// What the cache knows about its own freshness (the `sync_state` table).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncState {
    /// RFC 3339 time of the last completed full sync.
    pub last_full_sync: Option<String>,
    /// RFC 3339 time of the last completed delta sync.
    pub last_delta: Option<String>,
    /// Graph's `@odata.deltaLink` to continue from (not a secret, but kept only in the
    /// encrypted database since it reveals the tenant's change position).
    pub delta_link: Option<String>,
    pub user_count: u64,
}

impl SyncState {
    /// When the cached data was last brought up to date, by either kind of sync.
    pub fn synced_at(&self) -> Option<String> {
        match (&self.last_full_sync, &self.last_delta) {
            (Some(full), Some(delta)) => Some(full.max(delta).clone()),
            (full, delta) => full.clone().or_else(|| delta.clone()),
        }
    }
}
