//! The cache database of one connection: `<data_dir>/cache/<connection-id>.db`, encrypted with
//! SQLCipher under a random 256-bit key kept in the OS keychain (secret `cache_key` of the
//! connection). Every call blocks: async callers run it on tokio's blocking pool.
//!
//! Two connections to the same file in WAL mode: searches read a consistent snapshot on the
//! reader while a sync writes its (possibly 100,000-row) transaction on the writer, so typing
//! never waits for a sync.
//!
//! A file that cannot be used (not a database, another key, a failed integrity check, another
//! schema) is moved aside to `<name>.corrupt-<timestamp>` and a fresh cache is built; the
//! reason is returned for the status line and logged. It never panics.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::Utc;
use rand::RngCore;
use rusqlite::{params, params_from_iter, Connection, ErrorCode, OpenFlags, OptionalExtension};
use secrecy::{ExposeSecret, SecretString};

use super::search::{build_search, ident_text, name_words};
use super::sync::DirectoryChange;
use super::{CachedUser, SyncState};
use crate::error::{AppError, Result};
use crate::secrets::SecretStore;

/// The keychain secret (under the connection id) holding the cache's key, hex-encoded.
pub const CACHE_KEY_SECRET: &str = "cache_key";
/// `PRAGMA user_version` of the schema below; another value means another layout.
/// Version 1 stored every mail and word list in full: `MIGRATE_FROM_1` brings it here in place.
const SCHEMA_VERSION: i64 = 2;
const KEY_BYTES: usize = 32;
/// The writer's page cache, in KiB: a delta's pages, and the FTS index's spills.
const WRITER_CACHE_KIB: u32 = 32 * 1024;
/// The writer's page cache during a full sync, in KiB: given back when it is done.
const FULL_SYNC_CACHE_KIB: u32 = 256 * 1024;
/// The reader's page cache, in KiB. Each page of the file is decrypted when it is read, and a
/// search reads a table page per user it shows: with SQLite's default 2 MiB most reads were
/// decryptions (`bench-cache.sh`, 100,000 users: p50 0.8 ms at 2 MiB, 0.2 ms at 16 MiB, the
/// 8-character p99 2.3 ms and 1.4 ms at 64 MiB). Filled only as pages are read.
const READER_CACHE_KIB: u32 = 32 * 1024;

const SCHEMA: &str = "
CREATE TABLE users (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    upn TEXT NOT NULL,
    mail TEXT,
    job_title TEXT,
    department TEXT,
    account_enabled INTEGER,
    user_type TEXT,
    -- lower-cased copies for ranking and prefix ranges. A copy that would repeat another is
    -- left out (issue 18: a million users within 500 MiB): mail_key is NULL when the mail is
    -- the UPN, as it is for most users (the UPN's range finds them); name_words is '' when it
    -- is the name_key between spaces (the search reads `NAME_WORDS`, which falls back to that).
    name_key TEXT NOT NULL,
    upn_key TEXT NOT NULL,
    mail_key TEXT,
    name_words TEXT NOT NULL,
    -- what FTS indexes besides the name: the local parts of UPN and mail
    ident TEXT NOT NULL,
    -- the full sync that last saw this user; older rows are gone from the directory
    generation INTEGER NOT NULL
);
CREATE INDEX users_name_key ON users(name_key, id);
CREATE INDEX users_upn_key ON users(upn_key);
CREATE INDEX users_mail_key ON users(mail_key) WHERE mail_key IS NOT NULL;
-- detail='column': the index keeps which column a word is in, not where in it (every query
-- word is a one-word prefix phrase, and the name tier filters by column); a third smaller on
-- disk, as fast (issue 18). A cache migrated from version 1 keeps its full index: the same
-- queries read both.
CREATE VIRTUAL TABLE users_fts USING fts5(
    display_name, ident,
    content='users', content_rowid='rowid',
    prefix='1 2 3', detail='column',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_fts(rowid, display_name, ident) VALUES (new.rowid, new.display_name, new.ident);
END;
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_fts(users_fts, rowid, display_name, ident)
        VALUES ('delete', old.rowid, old.display_name, old.ident);
END;
CREATE TRIGGER users_fts_update AFTER UPDATE OF display_name, ident ON users
WHEN old.display_name IS NOT new.display_name OR old.ident IS NOT new.ident BEGIN
    INSERT INTO users_fts(users_fts, rowid, display_name, ident)
        VALUES ('delete', old.rowid, old.display_name, old.ident);
    INSERT INTO users_fts(rowid, display_name, ident) VALUES (new.rowid, new.display_name, new.ident);
END;
CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_full_sync TEXT,
    last_delta TEXT,
    delta_link TEXT,
    user_count INTEGER NOT NULL DEFAULT 0,
    generation INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_state (id) VALUES (1);
";

/// Version 1 → 2 in place (the users stay, so an offline desktop keeps its cache): drops the
/// copies version 2 leaves out. The freed pages are reused by later syncs.
const MIGRATE_FROM_1: &str = "
UPDATE users SET mail_key = NULL WHERE mail_key = upn_key;
UPDATE users SET name_words = '' WHERE name_words = ' ' || name_key || ' ';
DROP INDEX users_mail_key;
CREATE INDEX users_mail_key ON users(mail_key) WHERE mail_key IS NOT NULL;
";

const UPSERT: &str = "
INSERT INTO users (id, display_name, upn, mail, job_title, department, account_enabled, user_type,
                   name_key, upn_key, mail_key, name_words, ident, generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
ON CONFLICT(id) DO UPDATE SET
    display_name = excluded.display_name, upn = excluded.upn, mail = excluded.mail,
    job_title = excluded.job_title, department = excluded.department,
    account_enabled = excluded.account_enabled, user_type = excluded.user_type,
    name_key = excluded.name_key, upn_key = excluded.upn_key, mail_key = excluded.mail_key,
    name_words = excluded.name_words, ident = excluded.ident, generation = excluded.generation";

const SELECT_USER: &str =
    "SELECT id, display_name, upn, mail, job_title, department, account_enabled, user_type
                           FROM users WHERE id = ?1";

/// Where a connection's cache lives. The id is used as the file name only when it is plainly
/// safe (letters, digits, `-`, `_`); otherwise its hex form is, so no id can escape the folder.
pub fn cache_file_path(data_dir: &Path, connection_id: &str) -> PathBuf {
    let safe = !connection_id.is_empty()
        && connection_id.len() <= 100
        && connection_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let name = if safe {
        connection_id.to_string()
    } else {
        format!("x{}", hex::encode(connection_id.as_bytes()))
    };
    data_dir.join("cache").join(format!("{name}.db"))
}

/// An open cache, and why an earlier file was moved aside if one was.
pub struct OpenedCache {
    pub store: CacheStore,
    pub recovered: Option<String>,
}

pub struct CacheStore {
    path: PathBuf,
    connection_id: String,
    pub(super) reader: Mutex<Connection>,
    pub(super) writer: Mutex<Connection>,
}

impl std::fmt::Debug for CacheStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheStore")
            .field("path", &self.path)
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}

/// Why a file could not be opened as this connection's cache.
enum OpenFailure {
    /// The file is there but unusable as a cache: move it aside and rebuild.
    Unreadable(String),
    /// Something else (disk, permissions): reported as is.
    Failed(AppError),
}

impl CacheStore {
    /// Opens (or creates) the cache of `connection_id` under `data_dir`, recovering from an
    /// unusable file by moving it aside.
    pub fn open(
        data_dir: &Path,
        connection_id: &str,
        secrets: &dyn SecretStore,
    ) -> Result<OpenedCache> {
        let path = cache_file_path(data_dir, connection_id);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| io_error("create the cache folder", e))?;
        }
        let mut recovered = None;
        let key = match secrets
            .get(connection_id, CACHE_KEY_SECRET)?
            .filter(is_valid_key)
        {
            Some(key) => key,
            None => {
                if path.exists() {
                    // Without its key the file can never be read again: unlike a damaged
                    // file there is nothing to inspect, so it is deleted rather than kept
                    // aside (with a session-only keychain this happens at every start, and
                    // kept copies would pile up).
                    remove_cache_files(&path)?;
                    let message = "The offline cache's key is no longer in the keychain, so the old cache could not \
                                   be read; it was deleted and is being rebuilt.";
                    tracing::warn!(file = %path.display(), "offline cache key missing; cache deleted and rebuilt");
                    recovered = Some(message.to_string());
                }
                let key = new_key();
                secrets.set(connection_id, CACHE_KEY_SECRET, &key)?;
                key
            }
        };
        let opened = match open_files(&path, &key) {
            Ok(pair) => pair,
            Err(OpenFailure::Failed(error)) => return Err(error),
            Err(OpenFailure::Unreadable(reason)) => {
                recovered = Some(move_aside(&path, &reason)?);
                match open_files(&path, &key) {
                    Ok(pair) => pair,
                    Err(OpenFailure::Failed(error)) => return Err(error),
                    Err(OpenFailure::Unreadable(reason)) => {
                        return Err(AppError::internal(format!(
                            "The offline cache could not be rebuilt: {reason}"
                        )))
                    }
                }
            }
        };
        let (writer, reader) = opened;
        Ok(OpenedCache {
            store: CacheStore {
                path,
                connection_id: connection_id.to_string(),
                reader: Mutex::new(reader),
                writer: Mutex::new(writer),
            },
            recovered,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Up to `limit` users matching `query`, best first (see `search` for the ranking).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<CachedUser>> {
        let Some(tiers) = build_search(query) else {
            return Ok(Vec::new());
        };
        let reader = lock(&self.reader)?;
        let mut found: Vec<CachedUser> = Vec::new();
        for mut tier in tiers {
            let missing = limit.saturating_sub(found.len());
            if missing == 0 {
                break;
            }
            if let Some(last) = tier.params.last_mut() {
                *last = rusqlite::types::Value::Integer(missing as i64);
            }
            let mut statement = reader.prepare_cached(&tier.sql).map_err(db_error)?;
            let rows = statement
                .query_map(params_from_iter(tier.params.iter()), read_user)
                .map_err(db_error)?;
            for user in rows {
                let user = user.map_err(db_error)?;
                // Tiers exclude each other's rows; this only guards the rare name whose
                // accents FTS folds differently from the word test.
                if !found.iter().any(|f| f.id == user.id) {
                    found.push(user);
                }
            }
        }
        found.truncate(limit);
        Ok(found)
    }

    pub fn state(&self) -> Result<SyncState> {
        let reader = lock(&self.reader)?;
        reader
            .query_row(
                "SELECT last_full_sync, last_delta, delta_link, user_count FROM sync_state WHERE id = 1",
                [],
                |row| {
                    Ok(SyncState {
                        last_full_sync: row.get(0)?,
                        last_delta: row.get(1)?,
                        delta_link: row.get(2)?,
                        user_count: row.get::<_, i64>(3)?.max(0) as u64,
                    })
                },
            )
            .map_err(db_error)
    }

    /// The bytes each table and index takes on disk, largest first (SQLite's `dbstat` table;
    /// FTS5's shadow tables are named apart): for the benchmark, which weighs the file's size.
    pub fn space_by_object(&self) -> Result<Vec<(String, u64)>> {
        let reader = lock(&self.reader)?;
        let mut statement = reader
            .prepare(
                "SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC",
            )
            .map_err(db_error)?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?.max(0) as u64,
                ))
            })
            .map_err(db_error)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_error)
    }

    /// Replaces the whole directory with `users` (a full sync), in one transaction: users not
    /// in the list are removed, unchanged ones are not re-indexed.
    pub fn replace_all(
        &self,
        users: &[CachedUser],
        delta_link: Option<&str>,
        synced_at: &str,
    ) -> Result<()> {
        let mut writer = lock(&self.writer)?;
        // The secondary indexes and the FTS index take every user in an order of their own:
        // with room for them in memory a million-user sync writes in 34 s instead of 67 s
        // (bench-cache.sh). The room is given back when the sync is done, written or not.
        writer
            .execute_batch(&format!("PRAGMA cache_size = -{FULL_SYNC_CACHE_KIB};"))
            .map_err(db_error)?;
        let written = replace_all_in(&mut writer, users, delta_link, synced_at);
        let restored = writer
            .execute_batch(&format!(
                "PRAGMA cache_size = -{WRITER_CACHE_KIB}; PRAGMA shrink_memory;"
            ))
            .map_err(db_error);
        written.and(restored)
    }

    /// The writer's page cache as SQLite reports it (negative: KiB).
    #[cfg(test)]
    pub(super) fn writer_cache_size(&self) -> i64 {
        lock(&self.writer)
            .unwrap()
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap()
    }

    /// Applies a delta: removals, and changes merged into what is cached (Graph sends only
    /// the properties that changed).
    pub fn apply_changes(
        &self,
        changes: &[DirectoryChange],
        delta_link: &str,
        synced_at: &str,
    ) -> Result<()> {
        let mut writer = lock(&self.writer)?;
        let tx = writer.transaction().map_err(db_error)?;
        let generation: i64 = tx
            .query_row("SELECT generation FROM sync_state WHERE id = 1", [], |r| {
                r.get(0)
            })
            .map_err(db_error)?;
        {
            let mut upsert = tx.prepare_cached(UPSERT).map_err(db_error)?;
            let mut select = tx.prepare_cached(SELECT_USER).map_err(db_error)?;
            let mut delete = tx
                .prepare_cached("DELETE FROM users WHERE id = ?1")
                .map_err(db_error)?;
            for change in changes {
                match change {
                    DirectoryChange::Removed { id } => {
                        delete.execute([id]).map_err(db_error)?;
                    }
                    DirectoryChange::Changed(patch) => {
                        let mut user = select
                            .query_row([&patch.id], read_user)
                            .optional()
                            .map_err(db_error)?
                            .unwrap_or_else(|| CachedUser {
                                id: patch.id.clone(),
                                ..CachedUser::default()
                            });
                        patch.apply_to(&mut user);
                        upsert_user(&mut upsert, &user, generation)?;
                    }
                }
            }
        }
        tx.execute(
            "UPDATE sync_state SET last_delta = ?1, delta_link = ?2,
                 user_count = (SELECT count(*) FROM users) WHERE id = 1",
            params![synced_at, delta_link],
        )
        .map_err(db_error)?;
        tx.commit().map_err(db_error)
    }

    /// Forgets the delta link (it expired): the next sync is a full one.
    pub fn forget_delta_link(&self) -> Result<()> {
        let writer = lock(&self.writer)?;
        writer
            .execute("UPDATE sync_state SET delta_link = NULL WHERE id = 1", [])
            .map(|_| ())
            .map_err(db_error)
    }

    /// Removes this cache for good: closes it, deletes the file (and its journal) and its key.
    pub fn destroy(self, secrets: &dyn SecretStore) -> Result<()> {
        let CacheStore {
            path,
            connection_id,
            reader,
            writer,
        } = self;
        drop(reader);
        drop(writer);
        remove_cache_files(&path)?;
        secrets.delete(&connection_id, CACHE_KEY_SECRET)
    }

    /// Removes the cache of a connection that is not open (file and key), if there is one.
    pub fn destroy_closed(
        data_dir: &Path,
        connection_id: &str,
        secrets: &dyn SecretStore,
    ) -> Result<()> {
        remove_cache_files(&cache_file_path(data_dir, connection_id))?;
        secrets.delete(connection_id, CACHE_KEY_SECRET)
    }
}

fn upsert_user(
    statement: &mut rusqlite::CachedStatement<'_>,
    user: &CachedUser,
    generation: i64,
) -> Result<()> {
    let name_key = user.display_name.to_lowercase();
    let upn_key = user.user_principal_name.to_lowercase();
    // Left out where they would repeat another column (see the schema).
    let mail_key = user
        .mail
        .as_ref()
        .map(|mail| mail.to_lowercase())
        .filter(|mail_key| *mail_key != upn_key);
    let mut words = name_words(&user.display_name);
    if words == format!(" {name_key} ") {
        words.clear();
    }
    statement
        .execute(params![
            user.id,
            user.display_name,
            user.user_principal_name,
            user.mail,
            user.job_title,
            user.department,
            user.account_enabled,
            user.user_type,
            name_key,
            upn_key,
            mail_key,
            words,
            ident_text(&user.user_principal_name, user.mail.as_deref()),
            generation,
        ])
        .map(|_| ())
        .map_err(db_error)
}

fn read_user(row: &rusqlite::Row<'_>) -> rusqlite::Result<CachedUser> {
    Ok(CachedUser {
        id: row.get(0)?,
        display_name: row.get(1)?,
        user_principal_name: row.get(2)?,
        mail: row.get(3)?,
        job_title: row.get(4)?,
        department: row.get(5)?,
        account_enabled: row.get(6)?,
        user_type: row.get(7)?,
    })
}

fn new_key() -> SecretString {
    let mut bytes = [0u8; KEY_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    SecretString::from(hex::encode(bytes))
}

fn is_valid_key(key: &SecretString) -> bool {
    let text = key.expose_secret();
    text.len() == KEY_BYTES * 2 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// Opens the file twice (writer, reader), keyed, checked, with the schema in place.
fn open_files(
    path: &Path,
    key: &SecretString,
) -> std::result::Result<(Connection, Connection), OpenFailure> {
    // The cache names the directory's users: private to the operator's account (encrypted too).
    crate::private_file::ensure_private(path, "offline cache").map_err(OpenFailure::Failed)?;
    let writer = open_keyed(path, key)?;
    check_usable(&writer)?;
    let version: i64 = writer
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(classify)?;
    match version {
        0 => {
            writer
                .execute_batch(&format!(
                    "BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                ))
                .map_err(classify)?;
        }
        1 => {
            writer
                .execute_batch(&format!(
                    "BEGIN; {MIGRATE_FROM_1} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                ))
                .map_err(classify)?;
        }
        SCHEMA_VERSION => {}
        other => {
            return Err(OpenFailure::Unreadable(format!(
                "it has another layout (version {other}) than this version of ResetDesk reads"
            )))
        }
    }
    // A full sync writes every page of the FTS index several times over; a larger page cache
    // on the writer keeps them in memory (decrypted) instead of re-encrypting each spill.
    writer
        .execute_batch(&format!("PRAGMA cache_size = -{WRITER_CACHE_KIB};"))
        .map_err(classify)?;
    let reader = open_keyed(path, key)?;
    reader
        .execute_batch(&format!("PRAGMA cache_size = -{READER_CACHE_KIB};"))
        .map_err(classify)?;
    Ok((writer, reader))
}

/// The full sync's writes, in one transaction: users not in `users` are removed, unchanged ones
/// are not re-indexed.
fn replace_all_in(
    writer: &mut Connection,
    users: &[CachedUser],
    delta_link: Option<&str>,
    synced_at: &str,
) -> Result<()> {
    let tx = writer.transaction().map_err(db_error)?;
    let generation: i64 = tx
        .query_row(
            "SELECT generation + 1 FROM sync_state WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .map_err(db_error)?;
    {
        let mut upsert = tx.prepare_cached(UPSERT).map_err(db_error)?;
        for user in users {
            upsert_user(&mut upsert, user, generation)?;
        }
    }
    tx.execute("DELETE FROM users WHERE generation < ?1", [generation])
        .map_err(db_error)?;
    tx.execute(
        "UPDATE sync_state SET last_full_sync = ?1, delta_link = ?2, generation = ?3,
             user_count = (SELECT count(*) FROM users) WHERE id = 1",
        params![synced_at, delta_link, generation],
    )
    .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    // Fold the (large) write-ahead log of a full sync back into the file now, rather than
    // leaving a second copy of the directory on disk until the next automatic checkpoint.
    writer
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(db_error)
}

fn open_keyed(path: &Path, key: &SecretString) -> std::result::Result<Connection, OpenFailure> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(classify)?;
    // The key must be the first statement on the connection (SQLCipher's rule); the raw-key
    // form `x'…'` skips the passphrase derivation, since the key is already 256 random bits.
    // Held as a secret so the statement text carrying the key is wiped when dropped.
    let pragma = SecretString::from(format!("PRAGMA key = \"x'{}'\";", key.expose_secret()));
    connection
        .execute_batch(pragma.expose_secret())
        .map_err(classify)?;
    // Only now is the file read: a wrong key or garbage shows up here as "not a database".
    connection
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(classify)?;
    connection
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(classify)?;
    connection
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .map_err(classify)?;
    connection
        .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(classify)?;
    Ok(connection)
}

fn check_usable(connection: &Connection) -> std::result::Result<(), OpenFailure> {
    let verdict: String = connection
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(classify)?;
    if verdict != "ok" {
        return Err(OpenFailure::Unreadable(format!(
            "it failed its integrity check ({verdict})"
        )));
    }
    Ok(())
}

fn classify(error: rusqlite::Error) -> OpenFailure {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => OpenFailure::Unreadable(
            "it is not a cache database, or it was encrypted with another key".into(),
        ),
        Some(ErrorCode::DatabaseCorrupt) => OpenFailure::Unreadable("it is damaged".into()),
        _ => OpenFailure::Failed(db_error(error)),
    }
}

/// Moves an unusable cache file (and its journal) to `<name>.corrupt-<timestamp>`; returns
/// the message for the operator.
fn move_aside(path: &Path, reason: &str) -> Result<String> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let aside = PathBuf::from(format!("{}.corrupt-{stamp}", path.display()));
    std::fs::rename(path, &aside).map_err(|e| io_error("move the unreadable cache aside", e))?;
    for suffix in ["-wal", "-shm"] {
        let sidecar = PathBuf::from(format!("{}{suffix}", path.display()));
        if sidecar.exists() {
            let target = PathBuf::from(format!("{}{suffix}", aside.display()));
            std::fs::rename(&sidecar, target)
                .map_err(|e| io_error("move the unreadable cache's journal aside", e))?;
        }
    }
    let message = format!(
        "The offline cache could not be read ({reason}); it was moved to {} and is being rebuilt.",
        aside.display()
    );
    tracing::warn!(file = %path.display(), aside = %aside.display(), reason, "offline cache unreadable; rebuilt");
    Ok(message)
}

fn remove_cache_files(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("delete the offline cache", e)),
        }
    }
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    mutex.lock().map_err(|_| {
        AppError::internal(
            "An earlier failure left the offline cache in a bad state; restart ResetDesk.",
        )
    })
}

fn db_error(error: rusqlite::Error) -> AppError {
    AppError::internal("The offline cache could not be read or written.")
        .with_detail(error.to_string())
}

fn io_error(what: &str, error: std::io::Error) -> AppError {
    AppError::internal(format!("Could not {what}.")).with_detail(error.to_string())
}
