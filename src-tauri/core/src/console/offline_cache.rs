//! The offline cache's use cases (issue 3): search the cached directory (offline and signed
//! out too), show each connection's cache status, refresh it in the background, and notice when
//! the service is unreachable and when it answers again.
//!
//! Syncs and probes run as tokio tasks that own what they need (the session, the cache entry),
//! so no command ever waits for them; their progress and outcome are read by `cache_status`.
//! Nothing here decides an action: plans always re-read the target live.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinHandle;

use super::{check_query_length, Console, SEARCH_LIMIT};
use crate::cache::{cache_file_path, sync_cache, CacheStore, CachedUser, SyncProgress};
use crate::error::{AppError, ErrorKind, Result};
use crate::model::connection::Connection;
use crate::seam::{CachedAnswer, UserRow, UserSearch};
use crate::secrets::SecretStore;

/// How often an unreachable service is tried again.
pub const OFFLINE_PROBE_INTERVAL: Duration = Duration::from_secs(30);

/// Cached search results and how fresh they are.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct CachedSearch {
    pub users: Vec<UserRow>,
    /// When the cache was last brought up to date (RFC 3339), if ever.
    pub synced_at: Option<String>,
    /// The results may be out of date: offline, not signed in, or never synced.
    pub stale: bool,
    /// The service could not be reached at the last attempt.
    pub offline: bool,
}

/// The status line of one connection's cache.
#[derive(Debug, Clone, Serialize, Default, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct CacheStatus {
    pub users: u64,
    pub last_full_sync: Option<String>,
    pub last_delta: Option<String>,
    pub syncing: bool,
    /// Users read so far by the running sync.
    pub progress: u64,
    pub offline: bool,
    /// Why the last sync failed, if it did.
    pub error: Option<String>,
    /// Something the operator should know, e.g. an unreadable cache file was moved aside.
    pub notice: Option<String>,
}

pub use crate::seam::CacheFeed;

/// Settings and per-connection state of the offline caches.
pub(super) struct Caches {
    /// The app's data folder; `None` keeps the cache off (tests of other features).
    data_dir: Option<PathBuf>,
    probe_interval: Duration,
    entries: StdMutex<HashMap<String, Arc<CacheEntry>>>,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            data_dir: None,
            probe_interval: OFFLINE_PROBE_INTERVAL,
            entries: StdMutex::new(HashMap::new()),
        }
    }
}

#[derive(Default)]
struct CacheEntry {
    /// Opened once, lazily; an async lock so two callers do not open the file twice.
    store: tokio::sync::Mutex<Option<Arc<CacheStore>>>,
    notice: StdMutex<Option<String>>,
    error: StdMutex<Option<String>>,
    syncing: AtomicBool,
    offline: AtomicBool,
    probing: AtomicBool,
    progress: SyncProgress,
    tasks: StdMutex<Vec<JoinHandle<()>>>,
}

impl CacheEntry {
    fn set_text(slot: &StdMutex<Option<String>>, value: Option<String>) {
        if let Ok(mut slot) = slot.lock() {
            *slot = value;
        }
    }

    fn text(slot: &StdMutex<Option<String>>) -> Option<String> {
        slot.lock().ok().and_then(|s| s.clone())
    }

    fn keep_task(&self, handle: JoinHandle<()>) {
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.retain(|t| !t.is_finished());
            tasks.push(handle);
        }
    }

    fn abort_tasks(&self) {
        if let Ok(mut tasks) = self.tasks.lock() {
            for task in tasks.drain(..) {
                task.abort();
            }
        }
        self.syncing.store(false, Ordering::SeqCst);
        self.probing.store(false, Ordering::SeqCst);
    }
}

/// What a background task needs to open a connection's cache.
#[derive(Clone)]
struct CacheContext {
    data_dir: PathBuf,
    connection_id: String,
    secrets: Arc<dyn SecretStore>,
    probe_interval: Duration,
}

/// Opens the connection's cache if it is not open yet. Without `create`, a connection that has
/// no cache file yet gets `None` (searching must not create keys in the keychain).
async fn open_store(
    entry: &CacheEntry,
    context: &CacheContext,
    create: bool,
) -> Result<Option<Arc<CacheStore>>> {
    let mut slot = entry.store.lock().await;
    if let Some(store) = slot.as_ref() {
        return Ok(Some(Arc::clone(store)));
    }
    if !create && !cache_file_path(&context.data_dir, &context.connection_id).exists() {
        return Ok(None);
    }
    let (dir, id, secrets) = (
        context.data_dir.clone(),
        context.connection_id.clone(),
        Arc::clone(&context.secrets),
    );
    let opened = tokio::task::spawn_blocking(move || CacheStore::open(&dir, &id, secrets.as_ref()))
        .await
        .map_err(|e| {
            AppError::internal("Opening the offline cache stopped unexpectedly")
                .with_detail(e.to_string())
        })??;
    if let Some(message) = opened.recovered {
        CacheEntry::set_text(&entry.notice, Some(message));
    }
    let store = Arc::new(opened.store);
    *slot = Some(Arc::clone(&store));
    Ok(Some(store))
}

/// Starts a background sync unless one is running.
fn spawn_sync(entry: Arc<CacheEntry>, context: CacheContext, feed: Arc<dyn CacheFeed>) {
    if entry.syncing.swap(true, Ordering::SeqCst) {
        return;
    }
    let task_entry = Arc::clone(&entry);
    let handle = tokio::spawn(async move {
        let entry = task_entry;
        entry.progress.reset();
        let result = async {
            let store = open_store(&entry, &context, true)
                .await?
                .ok_or_else(|| AppError::internal("The offline cache could not be created."))?;
            sync_cache(&store, feed.source(), &entry.progress).await
        }
        .await;
        match result {
            Ok(report) => {
                tracing::info!(connection = %context.connection_id, kind = ?report.kind, users = report.users,
                    changes = report.changes, requests = report.requests, fell_back = report.fell_back_to_full,
                    "offline cache synced");
                CacheEntry::set_text(&entry.error, None);
                entry.offline.store(false, Ordering::SeqCst);
                entry.syncing.store(false, Ordering::SeqCst);
            }
            Err(error) => {
                tracing::warn!(connection = %context.connection_id, kind = ?error.kind, error = %error.message,
                    "offline cache sync failed");
                CacheEntry::set_text(&entry.error, Some(error.message.clone()));
                entry.syncing.store(false, Ordering::SeqCst);
                if error.kind == ErrorKind::Offline {
                    entry.offline.store(true, Ordering::SeqCst);
                    spawn_probe(Arc::clone(&entry), context, feed);
                }
            }
        }
    });
    entry.keep_task(handle);
}

/// While the service is unreachable, tries it every `probe_interval`; when it answers, syncs.
fn spawn_probe(entry: Arc<CacheEntry>, context: CacheContext, feed: Arc<dyn CacheFeed>) {
    if entry.probing.swap(true, Ordering::SeqCst) {
        return;
    }
    let task_entry = Arc::clone(&entry);
    let handle = tokio::spawn(async move {
        let entry = task_entry;
        loop {
            tokio::time::sleep(context.probe_interval).await;
            match feed.probe().await {
                Ok(()) => {
                    tracing::info!(connection = %context.connection_id, "the service answers again; syncing the offline cache");
                    entry.offline.store(false, Ordering::SeqCst);
                    entry.probing.store(false, Ordering::SeqCst);
                    spawn_sync(Arc::clone(&entry), context, feed);
                    return;
                }
                Err(error) if error.kind == ErrorKind::Offline => continue,
                Err(error) => {
                    // Reachable, but something else is wrong (e.g. the sign-in expired): the
                    // probe's job is done; the operator sees that error on their next action.
                    tracing::info!(connection = %context.connection_id, kind = ?error.kind, "offline probe stopped");
                    entry.offline.store(false, Ordering::SeqCst);
                    entry.probing.store(false, Ordering::SeqCst);
                    return;
                }
            }
        }
    });
    entry.keep_task(handle);
}

impl Console {
    /// Keeps each connection's offline cache under `<data_dir>/cache/`. Without this the
    /// console runs without caches (searches of the cache return nothing).
    pub fn with_cache_dir(mut self, data_dir: impl AsRef<Path>) -> Self {
        self.cache.data_dir = Some(data_dir.as_ref().to_path_buf());
        self
    }

    /// How often an unreachable service is tried again (default 30 s; tests use less).
    pub fn with_offline_probe_interval(mut self, interval: Duration) -> Self {
        self.cache.probe_interval = interval;
        self
    }

    fn cache_entry(&self, connection_id: &str) -> Result<Arc<CacheEntry>> {
        let mut entries = self.cache.entries.lock().map_err(|_| super::poisoned())?;
        Ok(Arc::clone(
            entries.entry(connection_id.to_string()).or_default(),
        ))
    }

    fn cache_context(&self, connection_id: &str) -> Option<CacheContext> {
        Some(CacheContext {
            data_dir: self.cache.data_dir.clone()?,
            connection_id: connection_id.to_string(),
            secrets: Arc::clone(&self.secrets),
            probe_interval: self.cache.probe_interval,
        })
    }

    /// After a sign-in (or a resumed session): bring the cache up to date in the background.
    pub(super) fn sync_after_sign_in(&self, connection_id: &str, feed: Arc<dyn CacheFeed>) {
        let Some(context) = self.cache_context(connection_id) else {
            return;
        };
        match self.cache_entry(connection_id) {
            Ok(entry) => spawn_sync(entry, context, feed),
            Err(e) => tracing::warn!(error = %e, "could not start the offline cache sync"),
        }
    }

    /// A live call failed: if the service was unreachable, mark the connection offline and
    /// start probing for its return.
    pub fn note_live_failure(
        &self,
        connection_id: &str,
        feed: Arc<dyn CacheFeed>,
        error: &AppError,
    ) {
        if error.kind != ErrorKind::Offline {
            return;
        }
        let (Some(context), Ok(entry)) = (
            self.cache_context(connection_id),
            self.cache_entry(connection_id),
        ) else {
            return;
        };
        entry.offline.store(true, Ordering::SeqCst);
        spawn_probe(entry, context, feed);
    }

    /// Stops the connection's background sync and probe (on sign-out).
    pub(super) fn stop_cache_tasks(&self, connection_id: &str) {
        if let Ok(entries) = self.cache.entries.lock() {
            if let Some(entry) = entries.get(connection_id) {
                entry.abort_tasks();
                entry.offline.store(false, Ordering::SeqCst);
            }
        }
    }

    /// Deletes the connection's cache file and its key (on removal of the connection).
    pub(super) async fn remove_cache(&self, connection_id: &str) -> Result<()> {
        let entry = self
            .cache
            .entries
            .lock()
            .map_err(|_| super::poisoned())?
            .remove(connection_id);
        if let Some(entry) = entry {
            entry.abort_tasks();
            entry.store.lock().await.take();
        }
        let Some(context) = self.cache_context(connection_id) else {
            return Ok(());
        };
        tokio::task::spawn_blocking(move || {
            CacheStore::destroy_closed(
                &context.data_dir,
                &context.connection_id,
                context.secrets.as_ref(),
            )
        })
        .await
        .map_err(|e| {
            AppError::internal("Removing the offline cache stopped unexpectedly")
                .with_detail(e.to_string())
        })?
    }

    /// Searches the connection's cached directory: answers offline and before sign-in. The
    /// live search (`directory_search`) then replaces these results when the service answers.
    pub async fn search_cached_users(
        &self,
        connection_id: &str,
        query: &str,
    ) -> Result<CachedSearch> {
        let connection = self.connection(connection_id)?;
        let query = query.trim().to_string();
        check_query_length(&query, super::seam_sessions::SEARCHES_BY)?;
        let signed_in = self.has_seam_session(connection_id).await;
        let offline = self
            .cache_entry(connection_id)?
            .offline
            .load(Ordering::SeqCst);
        let Some((users, synced_at)) = self.cached_rows(connection_id, &query).await? else {
            return Ok(CachedSearch {
                users: Vec::new(),
                synced_at: None,
                stale: true,
                offline,
            });
        };
        let Some(users) = self.rows_of_cached(&connection, &users) else {
            return Err(AppError::invalid_input(format!(
                "{} users are not kept in the offline cache; search them live.",
                connection.kind().label()
            )));
        };
        Ok(CachedSearch {
            users,
            stale: offline || !signed_in || synced_at.is_none(),
            synced_at,
            offline,
        })
    }

    /// The cached users as the connection's users list shows them, each provider's own way
    /// (`Provider::row_from_cache`); `None` when its provider keeps no offline cache.
    fn rows_of_cached(
        &self,
        connection: &Connection,
        users: &[CachedUser],
    ) -> Option<Vec<UserRow>> {
        let provider = self.provider_of(connection).ok()?;
        provider
            .keeps_offline_cache()
            .then(|| users.iter().map(|u| provider.row_from_cache(u)).collect())
    }

    /// The users list's answer when its live search failed: for an unreachable service, the
    /// cached users matching `query`, marked with when they were synced; otherwise — or with
    /// nothing cached that matches — the service's error, which says what is wrong.
    pub(super) async fn cached_answer_when_offline(
        &self,
        connection: &Connection,
        query: &str,
        error: AppError,
    ) -> Result<UserSearch> {
        if error.kind != ErrorKind::Offline {
            return Err(error);
        }
        let cached = match self.cached_rows(&connection.id, query).await {
            Ok(Some((users, synced_at))) if !users.is_empty() => self
                .rows_of_cached(connection, &users)
                .map(|users| (users, synced_at)),
            _ => None,
        };
        match cached {
            Some((users, synced_at)) => Ok(UserSearch {
                users,
                from_cache: Some(CachedAnswer { synced_at }),
            }),
            None => Err(error),
        }
    }

    /// The cached users matching `query` and when the cache was last filled; `None` when this
    /// configuration keeps no cache.
    pub(super) async fn cached_rows(
        &self,
        connection_id: &str,
        query: &str,
    ) -> Result<Option<(Vec<CachedUser>, Option<String>)>> {
        let entry = self.cache_entry(connection_id)?;
        let store = match self.cache_context(connection_id) {
            Some(context) => open_store(&entry, &context, false).await?,
            None => None,
        };
        let Some(store) = store else {
            return Ok(None);
        };
        let query = query.to_string();
        let (users, state) = tokio::task::spawn_blocking(move || {
            Ok::<_, AppError>((store.search(&query, SEARCH_LIMIT)?, store.state()?))
        })
        .await
        .map_err(|e| {
            AppError::internal("A cache search stopped unexpectedly").with_detail(e.to_string())
        })??;
        Ok(Some((users, state.synced_at())))
    }

    /// The status line: users cached, last syncs, whether a sync runs (and how far it is).
    pub async fn cache_status(&self, connection_id: &str) -> Result<CacheStatus> {
        self.connection(connection_id)?;
        let entry = self.cache_entry(connection_id)?;
        let store = match self.cache_context(connection_id) {
            Some(context) => match open_store(&entry, &context, false).await {
                Ok(store) => store,
                Err(e) => {
                    CacheEntry::set_text(&entry.error, Some(e.message));
                    None
                }
            },
            None => None,
        };
        let state = match store {
            Some(store) => tokio::task::spawn_blocking(move || store.state())
                .await
                .map_err(|e| {
                    AppError::internal("Reading the cache status stopped unexpectedly")
                        .with_detail(e.to_string())
                })??,
            None => Default::default(),
        };
        let syncing = entry.syncing.load(Ordering::SeqCst);
        Ok(CacheStatus {
            users: state.user_count,
            last_full_sync: state.last_full_sync,
            last_delta: state.last_delta,
            syncing,
            progress: if syncing { entry.progress.get() } else { 0 },
            offline: entry.offline.load(Ordering::SeqCst),
            error: CacheEntry::text(&entry.error),
            notice: CacheEntry::text(&entry.notice),
        })
    }

    /// Starts a sync in the background (a delta when possible, else a full sync) and returns
    /// at once; `cache_status` shows its progress. Needs a sign-in: the cache is filled from
    /// the live service.
    pub async fn refresh_cache(&self, connection_id: &str) -> Result<()> {
        let connection = self.connection(connection_id)?;
        let feed: Arc<dyn CacheFeed> = self
            .seam_session(connection_id)
            .await?
            .cache_feed()
            .ok_or_else(|| {
                AppError::invalid_input(format!(
                    "{} users are not kept in the offline cache; search them live.",
                    connection.kind().label()
                ))
            })?;
        let context = self.cache_context(connection_id).ok_or_else(|| {
            AppError::internal("The offline cache is not available in this configuration.")
        })?;
        spawn_sync(self.cache_entry(connection_id)?, context, feed);
        Ok(())
    }
}
