//! The cache against a real SQLCipher file in a temporary folder: encryption, FTS5, ranking,
//! merging deltas, recovery from unusable files, removal.

use super::*;
use crate::secrets::{MemoryStore, SecretStore};
use serde_json::json;

fn user(id: &str, name: &str, upn: &str) -> CachedUser {
    CachedUser {
        id: id.into(),
        display_name: name.into(),
        user_principal_name: upn.into(),
        mail: Some(upn.into()),
        ..CachedUser::default()
    }
}

fn open(dir: &std::path::Path, secrets: &MemoryStore) -> OpenedCache {
    CacheStore::open(dir, "conn-1", secrets).unwrap()
}

fn names(users: &[CachedUser]) -> Vec<&str> {
    users.iter().map(|u| u.display_name.as_str()).collect()
}

fn directory() -> Vec<CachedUser> {
    vec![
        user("1", "Anna Bell", "abell@contoso.com"),
        user("2", "Ann", "ann.x@contoso.com"),
        user("3", "Hannah Annley", "hannah@contoso.com"),
        user("4", "Bob Anderson", "bob.anderson@contoso.com"),
        user("5", "Zed Zulu", "annex.ops@contoso.com"),
        user("6", "Ann Taylor", "ataylor@contoso.com"),
        user("7", "Carl Dunn", "carl@contoso.com"),
    ]
}

#[test]
fn sqlcipher_build_has_fts5() {
    let dir = tempfile::tempdir().unwrap();
    let opened = open(dir.path(), &MemoryStore::new());
    let reader = opened.store.reader.lock().unwrap();
    let options: Vec<String> = reader
        .prepare("PRAGMA compile_options")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(options.iter().any(|o| o == "ENABLE_FTS5"), "{options:?}");
    let cipher: String = reader
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .unwrap();
    assert!(!cipher.is_empty());
}

#[test]
fn ranking_puts_display_name_matches_first_then_addresses_then_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &MemoryStore::new()).store;
    store
        .replace_all(&directory(), None, "2026-01-01T00:00:00Z")
        .unwrap();
    // exact name, name prefix, whole word, word prefix, address prefix, ident word.
    let ranked = store.search("ann", 50).unwrap();
    assert_eq!(
        names(&ranked),
        vec![
            "Ann",           // the display name is the query
            "Ann Taylor",    // it starts with the query (ties by name)
            "Anna Bell",     // it starts with the query
            "Hannah Annley", // a word starts with the query
            "Zed Zulu",      // the UPN starts with the query
        ]
    );
    // "Anderson" does not start with "ann": not a match at all.
    assert!(ranked.iter().all(|u| u.display_name != "Bob Anderson"));
    // Two words, in any order, each a word prefix.
    assert_eq!(
        names(&store.search("bell an", 50).unwrap()),
        vec!["Anna Bell"]
    );
    // A whole word beats a word prefix.
    let hits = store.search("annley", 50).unwrap();
    assert_eq!(names(&hits), vec!["Hannah Annley"]);
    // Typing an address.
    assert_eq!(
        names(&store.search("bob.anderson@con", 50).unwrap()),
        vec!["Bob Anderson"]
    );
    // Case and accents do not matter for the name.
    assert_eq!(names(&store.search("CARL", 50).unwrap()), vec!["Carl Dunn"]);
    // The limit applies after ranking.
    assert_eq!(
        names(&store.search("ann", 2).unwrap()),
        vec!["Ann", "Ann Taylor"]
    );
    // FTS syntax typed into the box is searched as text, not obeyed.
    assert!(store.search("ann OR carl", 50).unwrap().is_empty());
    assert!(store.search("\"*", 50).unwrap().is_empty());
    assert!(store.search("   ", 50).unwrap().is_empty());
}

#[test]
fn full_sync_replaces_and_delta_merges_adds_changes_and_removals() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &MemoryStore::new()).store;
    store
        .replace_all(&directory(), Some("link-1"), "2026-01-01T00:00:00Z")
        .unwrap();
    let state = store.state().unwrap();
    assert_eq!(state.user_count, 7);
    assert_eq!(state.delta_link.as_deref(), Some("link-1"));
    assert_eq!(
        state.last_full_sync.as_deref(),
        Some("2026-01-01T00:00:00Z")
    );

    let patch = |id: &str, fields: serde_json::Value| {
        DirectoryChange::Changed(UserPatch {
            id: id.into(),
            fields: fields.as_object().unwrap().clone(),
        })
    };
    store
        .apply_changes(
            &[
                patch("7", json!({"displayName": "Carla Dunn"})),
                patch(
                    "8",
                    json!({"displayName": "New Person", "userPrincipalName": "new@contoso.com"}),
                ),
                DirectoryChange::Removed { id: "1".into() },
            ],
            "link-2",
            "2026-01-02T00:00:00Z",
        )
        .unwrap();
    assert_eq!(
        names(&store.search("carla", 10).unwrap()),
        vec!["Carla Dunn"]
    );
    assert!(store
        .search("carl dunn", 10)
        .unwrap()
        .iter()
        .all(|u| u.display_name != "Carl Dunn"));
    let carla = &store.search("carla", 10).unwrap()[0];
    assert_eq!(
        carla.user_principal_name, "carl@contoso.com",
        "merged, not replaced"
    );
    assert_eq!(names(&store.search("new", 10).unwrap()), vec!["New Person"]);
    assert!(store.search("bell", 10).unwrap().is_empty());
    let state = store.state().unwrap();
    assert_eq!(state.user_count, 7);
    assert_eq!(state.delta_link.as_deref(), Some("link-2"));
    assert_eq!(state.last_delta.as_deref(), Some("2026-01-02T00:00:00Z"));
    assert_eq!(state.synced_at().as_deref(), Some("2026-01-02T00:00:00Z"));

    // A later full sync drops users that are gone and keeps the rest searchable.
    store
        .replace_all(&directory()[..2], None, "2026-01-03T00:00:00Z")
        .unwrap();
    assert_eq!(store.state().unwrap().user_count, 2);
    assert!(store.search("carla", 10).unwrap().is_empty());
    assert_eq!(names(&store.search("anna", 10).unwrap()), vec!["Anna Bell"]);
    assert_eq!(store.state().unwrap().delta_link, None);
}

#[test]
fn file_holds_no_plaintext_and_cannot_be_read_without_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let opened = open(dir.path(), &secrets);
    let mut users = directory();
    users.push(user(
        "9",
        "Quintessa Marlowe",
        "quintessa.marlowe@contoso.com",
    ));
    opened.store.replace_all(&users, None, "t").unwrap();
    let path = opened.store.path().to_path_buf();
    drop(opened);
    let mut bytes = std::fs::read(&path).unwrap();
    for sidecar in ["-wal"] {
        if let Ok(more) = std::fs::read(format!("{}{sidecar}", path.display())) {
            bytes.extend(more);
        }
    }
    assert!(bytes.len() > 4096);
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(!contains("Quintessa"), "display name in plaintext");
    assert!(
        !contains("quintessa.marlowe@contoso.com"),
        "UPN in plaintext"
    );
    assert!(!contains("SQLite format 3"), "not even the SQLite header");
    // The key is in the keychain, 256 bits hex.
    let key = secrets.get("conn-1", CACHE_KEY_SECRET).unwrap().unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&key).len(), 64);
    // Opened without the key, SQLite sees no database.
    let raw = rusqlite::Connection::open(&path).unwrap();
    let err = raw
        .query_row("SELECT count(*) FROM users", [], |r| r.get::<_, i64>(0))
        .unwrap_err();
    assert_eq!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase)
    );
    // Reopened with the key, everything is there.
    let reopened = open(dir.path(), &secrets);
    assert!(reopened.recovered.is_none());
    assert_eq!(
        names(&reopened.store.search("quint", 5).unwrap()),
        vec!["Quintessa Marlowe"]
    );
}

fn assert_moved_aside_and_rebuilt(dir: &std::path::Path, secrets: &MemoryStore, why: &str) {
    let reopened = open(dir, secrets);
    let message = reopened.recovered.expect("a recovery message");
    assert!(message.contains(why), "{message}");
    assert!(message.contains(".corrupt-"), "{message}");
    assert_eq!(reopened.store.state().unwrap().user_count, 0);
    reopened.store.replace_all(&directory(), None, "t").unwrap();
    assert_eq!(reopened.store.search("ann", 1).unwrap().len(), 1);
    let aside: Vec<_> = std::fs::read_dir(dir.join("cache"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".db.corrupt-"))
        .collect();
    assert!(!aside.is_empty(), "the unreadable file is kept aside");
}

#[test]
fn garbage_file_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let opened = open(dir.path(), &secrets);
    opened.store.replace_all(&directory(), None, "t").unwrap();
    let path = opened.store.path().to_path_buf();
    drop(opened);
    std::fs::write(&path, vec![0x5au8; 8192]).unwrap();
    let _ = std::fs::remove_file(format!("{}-wal", path.display()));
    assert_moved_aside_and_rebuilt(dir.path(), &secrets, "not a cache database");
}

#[test]
fn truncated_file_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let opened = open(dir.path(), &secrets);
    let many: Vec<CachedUser> = (0..2000)
        .map(|i| {
            user(
                &format!("id{i}"),
                &format!("Person {i}"),
                &format!("p{i}@x.com"),
            )
        })
        .collect();
    opened.store.replace_all(&many, None, "t").unwrap();
    // Checkpoint so the rows are in the main file, then cut it in half.
    opened
        .store
        .writer
        .lock()
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let path = opened.store.path().to_path_buf();
    drop(opened);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let reopened = open(dir.path(), &secrets);
    assert!(
        reopened.recovered.is_some(),
        "a truncated cache is not used"
    );
    assert_eq!(reopened.store.state().unwrap().user_count, 0);
}

#[test]
fn a_file_under_another_key_is_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    open(dir.path(), &secrets)
        .store
        .replace_all(&directory(), None, "t")
        .unwrap();
    secrets
        .set(
            "conn-1",
            CACHE_KEY_SECRET,
            &secrecy::SecretString::from("ab".repeat(32)),
        )
        .unwrap();
    assert_moved_aside_and_rebuilt(dir.path(), &secrets, "another key");
    // And a lost key (keychain wiped, or a session-only keychain after a restart): the file
    // can never be read, so it is deleted (not kept aside) and rebuilt under a new key.
    let count_aside = || {
        std::fs::read_dir(dir.path().join("cache"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
            .count()
    };
    let aside_before = count_aside();
    secrets.delete("conn-1", CACHE_KEY_SECRET).unwrap();
    let reopened = open(dir.path(), &secrets);
    assert!(reopened
        .recovered
        .unwrap()
        .contains("no longer in the keychain"));
    assert_eq!(count_aside(), aside_before, "nothing more kept aside");
    assert_eq!(reopened.store.state().unwrap().user_count, 0);
    assert!(secrets.get("conn-1", CACHE_KEY_SECRET).unwrap().is_some());
}

#[test]
fn destroy_deletes_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let opened = open(dir.path(), &secrets);
    opened.store.replace_all(&directory(), None, "t").unwrap();
    let path = opened.store.path().to_path_buf();
    assert!(path.exists());
    opened.store.destroy(&secrets).unwrap();
    assert!(!path.exists());
    assert!(!std::path::Path::new(&format!("{}-wal", path.display())).exists());
    assert!(secrets.get("conn-1", CACHE_KEY_SECRET).unwrap().is_none());
}

#[test]
fn unsafe_connection_ids_cannot_leave_the_cache_folder() {
    let base = std::path::Path::new("/data");
    assert_eq!(
        cache_file_path(base, "sandbox"),
        base.join("cache/sandbox.db")
    );
    let odd = cache_file_path(base, "../../etc/passwd");
    assert_eq!(odd.parent().unwrap(), base.join("cache"));
    assert!(!odd.to_string_lossy().contains(".."));
}

/// The cache names the directory's users: its file and SQLite's -wal/-shm are the operator's
/// only, encrypted or not.
#[cfg(unix)]
#[test]
fn the_cache_files_are_private_to_the_operator() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let opened = open(dir.path(), &secrets);
    opened
        .store
        .replace_all(&directory(), None, "2026-01-01T00:00:00Z")
        .unwrap();
    let path = cache_file_path(dir.path(), "conn-1");
    crate::private_file::assert_every_file_private(path.parent().unwrap(), &path);
}

#[test]
fn a_full_sync_gives_back_the_page_cache_it_took() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &MemoryStore::new()).store;
    let everyday = store.writer_cache_size();
    assert_eq!(everyday, -(32 * 1024), "32 MiB between syncs");
    store
        .replace_all(&directory(), None, "2026-01-01T00:00:00Z")
        .unwrap();
    assert_eq!(
        store.writer_cache_size(),
        everyday,
        "restored after the sync"
    );
    assert!(
        !store.search("a", 10).unwrap().is_empty(),
        "and the users are there"
    );
}

/// The stored copies of one user: (mail_key, name_words).
fn stored_copies(store: &CacheStore, id: &str) -> (Option<String>, String) {
    store
        .reader
        .lock()
        .unwrap()
        .query_row(
            "SELECT mail_key, name_words FROM users WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// Every search the ranking test makes, and what each finds, for comparing two layouts.
fn answers(store: &CacheStore) -> Vec<Vec<String>> {
    [
        "ann",
        "bell an",
        "annley",
        "bob.anderson@con",
        "CARL",
        "o'brien",
        "jean",
        "luc",
        "ops.desk",
        "annex",
        "zed",
        "@",
        "vance",
        "nomad",
    ]
    .iter()
    .map(|query| {
        store
            .search(query, 50)
            .unwrap()
            .into_iter()
            .map(|u| u.display_name)
            .collect()
    })
    .collect()
}

fn directory_with_other_mails_and_punctuation() -> Vec<CachedUser> {
    let mut users = directory();
    users.push(user("8", "Jean-Luc O'Brien", "jlob@contoso.com"));
    let mut other_mail = user("9", "Pat Desk", "pat@contoso.com");
    other_mail.mail = Some("Ops.Desk@Contoso.com".into());
    users.push(other_mail);
    users.push(user("11", "Lee Smith", "lee.vance@contoso.com"));
    let mut no_mail = user("10", "Nia Nomail", "nia.nomad@contoso.com");
    no_mail.mail = None;
    users.push(no_mail);
    users
}

#[test]
fn copies_that_repeat_another_column_are_left_out_and_the_search_finds_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &MemoryStore::new()).store;
    store
        .replace_all(&directory_with_other_mails_and_punctuation(), None, "t")
        .unwrap();
    // The mail is the UPN and the name plain words: neither copy is stored.
    assert_eq!(stored_copies(&store, "1"), (None, String::new()));
    // A mail of its own keeps its key; a name with punctuation keeps its words.
    assert_eq!(
        stored_copies(&store, "9").0.as_deref(),
        Some("ops.desk@contoso.com")
    );
    assert_eq!(stored_copies(&store, "8").1, " jean luc o brien ");
    // Searched through the fallbacks: the mail's own address, and each word of the name.
    assert_eq!(
        names(&store.search("ops.desk@con", 50).unwrap()),
        vec!["Pat Desk"]
    );
    assert_eq!(
        names(&store.search("brien", 50).unwrap()),
        vec!["Jean-Luc O'Brien"]
    );
    // A word of the UPN's local part alone (the last tier): found whether the mail's key is
    // left out (the mail is the UPN) or there is no mail at all.
    assert_eq!(
        names(&store.search("vance", 50).unwrap()),
        vec!["Lee Smith"]
    );
    assert_eq!(
        names(&store.search("nomad", 50).unwrap()),
        vec!["Nia Nomail"]
    );
    // A whole word of a plain name still ranks before a word that only starts with the query.
    assert_eq!(
        names(&store.search("ann", 50).unwrap())[..4],
        ["Ann", "Ann Taylor", "Anna Bell", "Hannah Annley"]
    );
}

#[test]
fn a_cache_of_the_first_layout_is_migrated_in_place_and_searches_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = MemoryStore::new();
    let opened = open(dir.path(), &secrets);
    opened
        .store
        .replace_all(
            &directory_with_other_mails_and_punctuation(),
            Some("link-1"),
            "t",
        )
        .unwrap();
    let before = answers(&opened.store);
    // Turned back into what version 1 wrote: every copy stored, the mail index over all rows.
    opened
        .store
        .writer
        .lock()
        .unwrap()
        .execute_batch(
            "UPDATE users SET mail_key = lower(mail) WHERE mail IS NOT NULL;
             UPDATE users SET name_words = ' ' || name_key || ' ' WHERE name_words = '';
             DROP INDEX users_mail_key;
             CREATE INDEX users_mail_key ON users(mail_key);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    assert_eq!(
        stored_copies(&opened.store, "1"),
        (Some("abell@contoso.com".into()), " anna bell ".into())
    );
    drop(opened);

    let reopened = open(dir.path(), &secrets);
    assert!(reopened.recovered.is_none(), "migrated, not moved aside");
    let store = reopened.store;
    let version: i64 = store
        .reader
        .lock()
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
    assert_eq!(stored_copies(&store, "1"), (None, String::new()));
    assert_eq!(stored_copies(&store, "8").1, " jean luc o brien ");
    assert_eq!(answers(&store), before);
    let state = store.state().unwrap();
    assert_eq!(state.user_count, 11);
    assert_eq!(
        state.delta_link.as_deref(),
        Some("link-1"),
        "the next sync is a delta"
    );
}

#[test]
fn the_reader_keeps_its_own_page_cache_of_decrypted_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &MemoryStore::new()).store;
    let reader_cache: i64 = store
        .reader
        .lock()
        .unwrap()
        .query_row("PRAGMA cache_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        reader_cache,
        -(32 * 1024),
        "32 MiB, not SQLite's default 2 MiB"
    );
}
