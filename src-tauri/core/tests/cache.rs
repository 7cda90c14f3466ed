//! The offline user cache end to end: the console against the sandbox emulator over real HTTP
//! (sign-in, background full sync, delta sync with adds, changes and removals, an expired delta
//! token, the network going away and coming back), and the encrypted file on disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use resetdesk_core::auth::SandboxBrowser;
use resetdesk_core::cache::{cache_file_path, CACHE_KEY_SECRET};
use resetdesk_core::connection::{Connection, ProviderSettings};
use resetdesk_core::console::{CacheStatus, Console, KeychainStatus};
use resetdesk_core::secrets::{MemoryStore, SecretStore};
use resetdesk_core::ErrorKind;
use resetdesk_providers::entra::actions::ActionKind;
use resetdesk_providers::entra::RetryPolicy;
use resetdesk_providers::EntraConsole;
use resetdesk_sandbox::{Sandbox, SandboxConfig};
use tempfile::TempDir;

const SANDBOX: &str = "sandbox";
const OPERATOR: &str = "authadmin@contoso.sandbox";
const ADELE: &str = "adele.vance@contoso.sandbox";

struct Harness {
    sandbox: Sandbox,
    console: Console,
    secrets: Arc<MemoryStore>,
    dir: TempDir,
}

fn connection(sandbox: &Sandbox, id: &str, is_sandbox: bool) -> Connection {
    Connection {
        id: id.to_string(),
        display_name: format!("Test {id}"),
        settings: ProviderSettings::Entra(sandbox.entra_settings()),
        sandbox: is_sandbox,
    }
}

fn open_console(sandbox: &Sandbox, dir: &Path, secrets: Arc<MemoryStore>) -> Console {
    let store: Arc<dyn SecretStore> = secrets;
    resetdesk_providers::built_in_console(
        vec![
            connection(sandbox, SANDBOX, true),
            connection(sandbox, "entra-extra", false),
        ],
        store,
        KeychainStatus::Available,
        dir.join("audit.jsonl"),
    )
    .unwrap()
    .with_cache_dir(dir)
    .with_offline_probe_interval(Duration::from_millis(50))
    .with_graph_retry_policy(RetryPolicy {
        max_retries: 1,
        min_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        max_retry_after: Duration::from_millis(5),
    })
}

async fn harness() -> Harness {
    // A small directory keeps the suite fast; paging is still exercised by delta pages.
    let sandbox = Sandbox::start(SandboxConfig { seed: 3, users: 60 })
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::new());
    let console = open_console(&sandbox, dir.path(), Arc::clone(&secrets));
    Harness {
        sandbox,
        console,
        secrets,
        dir,
    }
}

impl Harness {
    async fn sign_in(&self, connection_id: &str) {
        let browser = SandboxBrowser::new(OPERATOR).unwrap();
        self.console
            .sign_in(connection_id, &browser)
            .await
            .expect("signs in");
    }

    /// Waits until no sync runs and `done` holds (a hang guard, not a timing assertion).
    async fn settled(
        &self,
        connection_id: &str,
        done: impl Fn(&CacheStatus) -> bool,
    ) -> CacheStatus {
        for _ in 0..1000 {
            let status = self.console.cache_status(connection_id).await.unwrap();
            if !status.syncing && done(&status) {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "the cache did not settle: {:?}",
            self.console.cache_status(connection_id).await
        );
    }

    async fn synced(&self) -> CacheStatus {
        let expected = self.sandbox.user_count() as u64;
        self.settled(SANDBOX, |s| s.users == expected).await
    }

    async fn cached_names(&self, query: &str) -> Vec<String> {
        self.console
            .search_cached_users(SANDBOX, query)
            .await
            .unwrap()
            .users
            .into_iter()
            .map(|u| u.display_name)
            .collect()
    }

    fn graph_gets(&self, path: &str) -> usize {
        self.sandbox
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .count()
    }

    fn cache_file(&self, connection_id: &str) -> PathBuf {
        cache_file_path(self.dir.path(), connection_id)
    }
}

#[tokio::test]
async fn sign_in_fills_the_cache_and_a_refresh_applies_adds_changes_and_removals_by_delta() {
    let h = harness().await;
    // Before any sign-in there is nothing cached, and searching creates no file and no key.
    let before = h
        .console
        .search_cached_users(SANDBOX, "adele")
        .await
        .unwrap();
    assert!(before.users.is_empty() && before.stale && before.synced_at.is_none());
    assert!(!h.cache_file(SANDBOX).exists());
    assert!(h.secrets.get(SANDBOX, CACHE_KEY_SECRET).unwrap().is_none());

    h.sign_in(SANDBOX).await;
    let status = h.synced().await;
    assert!(status.last_full_sync.is_some() && status.last_delta.is_none());
    assert_eq!(status.error, None);
    let found = h
        .console
        .search_cached_users(SANDBOX, "adele v")
        .await
        .unwrap();
    assert_eq!(found.users[0].login, ADELE);
    // The rows belong to the connection asked: the other connection's cache holds none.
    let other = h
        .console
        .search_cached_users("entra-extra", "adele v")
        .await
        .unwrap();
    assert!(other.users.is_empty());
    assert!(!found.stale, "signed in, online, synced");
    assert!(found.synced_at.is_some());
    let full_reads = h.graph_gets("/v1.0/users");
    assert!(full_reads >= 1);

    let added = h
        .sandbox
        .add_user("Zora Quell", "zora.quell@contoso.sandbox")
        .unwrap();
    let adele = h.sandbox.user_id_by_upn(ADELE).unwrap();
    assert!(h.sandbox.update_user_display_name(&adele, "Adele Nouvelle"));
    let megan = h
        .sandbox
        .user_id_by_upn("megan.bowen@contoso.sandbox")
        .unwrap();
    assert!(h.sandbox.delete_user(&megan));

    h.console.refresh_cache(SANDBOX).await.unwrap();
    let status = h.settled(SANDBOX, |s| s.last_delta.is_some()).await;
    assert_eq!(status.users, h.sandbox.user_count() as u64);
    assert_eq!(
        h.graph_gets("/v1.0/users"),
        full_reads,
        "a delta, not a full read"
    );
    assert_eq!(h.cached_names("zora").await, vec!["Zora Quell"]);
    let renamed = h
        .console
        .search_cached_users(SANDBOX, "nouvelle")
        .await
        .unwrap();
    assert_eq!(renamed.users.len(), 1);
    assert_eq!(renamed.users[0].id, adele);
    assert_eq!(renamed.users[0].login, ADELE, "merged, not replaced");
    assert!(h.cached_names("megan").await.is_empty());
    let by_id = h
        .console
        .search_cached_users(SANDBOX, "zora.quell@")
        .await
        .unwrap();
    assert_eq!(by_id.users[0].id, added);
}

#[tokio::test]
async fn an_expired_delta_token_makes_the_next_refresh_a_full_sync() {
    let h = harness().await;
    h.sign_in(SANDBOX).await;
    let first = h.synced().await;
    let full_reads = h.graph_gets("/v1.0/users");
    h.sandbox.expire_delta_tokens();
    h.sandbox
        .add_user("Late Arrival", "late.arrival@contoso.sandbox")
        .unwrap();
    h.console.refresh_cache(SANDBOX).await.unwrap();
    let status = h
        .settled(SANDBOX, |_| h.graph_gets("/v1.0/users") > full_reads)
        .await;
    assert!(status.last_full_sync >= first.last_full_sync);
    let gone = h
        .sandbox
        .requests()
        .iter()
        .filter(|r| {
            r.path == "/v1.0/users/delta"
                && r.query.as_deref().is_some_and(|q| !q.contains("latest"))
        })
        .count();
    assert!(gone >= 1, "the expired link was tried first");
    assert_eq!(status.error, None);
    assert_eq!(
        h.graph_gets("/v1.0/users"),
        full_reads + 1,
        "read in full again"
    );
    assert_eq!(h.cached_names("late arr").await, vec!["Late Arrival"]);
    // The new delta link works: the next refresh is a delta again.
    h.sandbox
        .add_user("Later Still", "later.still@contoso.sandbox")
        .unwrap();
    h.console.refresh_cache(SANDBOX).await.unwrap();
    h.settled(SANDBOX, |s| s.last_delta.is_some()).await;
    assert_eq!(h.graph_gets("/v1.0/users"), full_reads + 1);
    assert_eq!(h.cached_names("later still").await, vec!["Later Still"]);
}

#[tokio::test]
async fn offline_the_cache_still_answers_marked_stale_and_a_returning_network_triggers_a_sync() {
    let h = harness().await;
    h.sign_in(SANDBOX).await;
    h.synced().await;

    h.sandbox.set_network_down(true);
    let live = h.console.search_users(SANDBOX, "adele").await.unwrap_err();
    assert_eq!(live.kind, ErrorKind::Offline, "{live:?}");
    let cached = h
        .console
        .search_cached_users(SANDBOX, "adele")
        .await
        .unwrap();
    assert_eq!(cached.users[0].login, ADELE);
    assert!(cached.stale && cached.offline);
    assert!(cached.synced_at.is_some());
    assert!(h.console.cache_status(SANDBOX).await.unwrap().offline);
    // The user page and actions need the service: a clear Offline error, never cache data.
    let details = h
        .console
        .user_details(SANDBOX, &h.sandbox.user_id_by_upn(ADELE).unwrap())
        .await;
    assert_eq!(details.unwrap_err().kind, ErrorKind::Offline);
    let plan = h
        .console
        .plan_action(SANDBOX, &cached.users[0].id, ActionKind::RevokeSessions)
        .await;
    assert_eq!(plan.unwrap_err().kind, ErrorKind::Offline);

    // While offline a change happens; when the network returns, the probe notices and syncs.
    h.sandbox
        .add_user("Back Online", "back.online@contoso.sandbox")
        .unwrap();
    h.sandbox.set_network_down(false);
    let status = h
        .settled(SANDBOX, |s| !s.offline && s.last_delta.is_some())
        .await;
    assert_eq!(status.error, None);
    assert_eq!(h.cached_names("back online").await, vec!["Back Online"]);
    assert!(
        !h.console
            .search_cached_users(SANDBOX, "x")
            .await
            .unwrap()
            .offline
    );
}

/// The one users list asks every provider the same way (`directory_search`): Entra answers live,
/// and when Graph cannot be reached, from its offline cache, marked with when it was synced.
#[tokio::test]
async fn the_one_users_search_answers_entra_live_then_from_the_cache_when_offline() {
    let h = harness().await;
    h.sign_in(SANDBOX).await;
    h.synced().await;

    let live = h.console.directory_search(SANDBOX, "adele").await.unwrap();
    assert!(live.from_cache.is_none());
    assert_eq!(live.users.len(), 1);
    assert_eq!(live.users[0].login, ADELE);
    assert_eq!(live.users[0].display_name, "Adele Vance");
    assert_eq!(live.users[0].detail.as_deref(), Some("Retail Manager"));

    h.sandbox.set_network_down(true);
    let offline = h.console.directory_search(SANDBOX, "adele").await.unwrap();
    let answer = offline.from_cache.expect("marked as the cache's answer");
    assert!(answer.synced_at.is_some());
    assert_eq!(
        offline.users, live.users,
        "the cache shows the row the live list showed"
    );
    // Nothing cached matches: Graph's own error says what is wrong.
    let nobody = h
        .console
        .directory_search(SANDBOX, "zz-nobody")
        .await
        .unwrap_err();
    assert_eq!(nobody.kind, ErrorKind::Offline, "{nobody:?}");
}

/// A search text too long for any directory is refused before anything is asked, in the words
/// of the users list's search box, by the live search and the cache's alike.
#[tokio::test]
async fn a_search_text_too_long_is_refused_in_the_search_boxs_words() {
    let h = harness().await;
    h.sign_in(SANDBOX).await;
    h.synced().await;
    let reads_before = h.graph_gets("/v1.0/users");
    let long = "a".repeat(257);
    let live = h
        .console
        .directory_search(SANDBOX, &long)
        .await
        .unwrap_err();
    let cached = h
        .console
        .search_cached_users(SANDBOX, &long)
        .await
        .unwrap_err();
    for refused in [&live, &cached] {
        assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");
        assert!(
            refused
                .message
                .ends_with("Search by name, login or e-mail."),
            "{}",
            refused.message
        );
    }
    assert_eq!(
        h.graph_gets("/v1.0/users"),
        reads_before,
        "nothing was asked of Graph"
    );
}

#[tokio::test]
async fn a_plan_is_built_from_live_state_never_from_the_cache() {
    let h = harness().await;
    h.sign_in(SANDBOX).await;
    h.synced().await;
    let adele = h.sandbox.user_id_by_upn(ADELE).unwrap();
    // The live directory moves on after the sync; the cache does not know yet.
    assert!(h
        .sandbox
        .update_user_display_name(&adele, "Adele Live-Name"));
    assert_eq!(h.cached_names("adele").await, vec!["Adele Vance"]);
    let plan = h
        .console
        .plan_action(SANDBOX, &adele, ActionKind::RevokeSessions)
        .await
        .unwrap();
    assert_eq!(plan.target.display_name, "Adele Live-Name");
    // A user deleted live but still cached cannot be acted on.
    let cached = h
        .console
        .search_cached_users(SANDBOX, "alex wilber")
        .await
        .unwrap();
    let alex = cached.users[0].id.clone();
    assert!(h.sandbox.delete_user(&alex));
    let refused = h
        .console
        .plan_action(SANDBOX, &alex, ActionKind::RevokeSessions)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn the_cache_file_holds_no_plaintext_names_or_upns() {
    let h = harness().await;
    h.sign_in(SANDBOX).await;
    h.synced().await;
    let path = h.cache_file(SANDBOX);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(format!("{}-wal", path.display())).unwrap_or_default());
    assert!(bytes.len() > 4096, "the cache holds the directory");
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(!contains("Adele Vance"));
    assert!(!contains(ADELE));
    assert!(!contains("contoso.sandbox"));
    // …while the same search through the key finds her.
    assert_eq!(h.cached_names("adele").await, vec!["Adele Vance"]);
}

#[tokio::test]
async fn an_unreadable_cache_file_is_moved_aside_and_rebuilt_with_a_message() {
    // A cache (and its key) from an earlier run of the app…
    let earlier = harness().await;
    earlier.sign_in(SANDBOX).await;
    earlier.synced().await;
    let Harness {
        sandbox,
        console,
        secrets,
        dir,
    } = earlier;
    drop(console);
    // …damaged on disk before this run opens it.
    let path = cache_file_path(dir.path(), SANDBOX);
    std::fs::write(
        &path,
        b"this is not a database, just garbage bytes".repeat(200),
    )
    .unwrap();
    let _ = std::fs::remove_file(format!("{}-wal", path.display()));
    let console = open_console(&sandbox, dir.path(), Arc::clone(&secrets));
    let h = Harness {
        sandbox,
        console,
        secrets,
        dir,
    };
    // Searching before sign-in opens the file: no panic, an empty answer, and a notice.
    let cached = h
        .console
        .search_cached_users(SANDBOX, "adele")
        .await
        .unwrap();
    assert!(cached.users.is_empty());
    let status = h.console.cache_status(SANDBOX).await.unwrap();
    let notice = status.notice.expect("the operator is told");
    assert!(
        notice.contains("moved to") && notice.contains(".corrupt-"),
        "{notice}"
    );
    // The rebuilt cache fills on sign-in.
    h.sign_in(SANDBOX).await;
    h.synced().await;
    assert_eq!(h.cached_names("adele").await, vec!["Adele Vance"]);
    let aside = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("sandbox.db.corrupt-")
        });
    assert!(aside, "the unreadable file is kept for inspection");
}

#[tokio::test]
async fn removing_a_connection_deletes_its_cache_file_and_key() {
    let h = harness().await;
    h.sign_in("entra-extra").await;
    let expected = h.sandbox.user_count() as u64;
    h.settled("entra-extra", |s| s.users == expected).await;
    let path = h.cache_file("entra-extra");
    assert!(path.exists());
    assert!(h
        .secrets
        .get("entra-extra", CACHE_KEY_SECRET)
        .unwrap()
        .is_some());
    h.console.remove_connection("entra-extra").await.unwrap();
    assert!(!path.exists());
    assert!(!Path::new(&format!("{}-wal", path.display())).exists());
    assert!(h
        .secrets
        .get("entra-extra", CACHE_KEY_SECRET)
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_saved_delta_link_for_another_host_leads_to_a_full_sync_not_an_error() {
    use resetdesk_core::cache::{DeltaSync, DirectorySync, SyncProgress};
    use resetdesk_providers::entra::{http_client, EntraDirectory};

    struct Token(String);
    #[async_trait::async_trait]
    impl resetdesk_core::auth::AccessTokenSource for Token {
        async fn access_token(&self) -> resetdesk_core::error::Result<secrecy::SecretString> {
            Ok(secrecy::SecretString::from(self.0.clone()))
        }
        async fn invalidate(&self, _: &secrecy::SecretString) {}
    }
    let h = harness().await;
    let token = h.sandbox.issue_access_token(OPERATOR).unwrap();
    let directory = EntraDirectory::new(
        SANDBOX,
        &h.sandbox.entra_settings(),
        Arc::new(Token(token)),
        http_client(),
    );
    // e.g. the sandbox of the previous run, on another port.
    let outcome = directory
        .delta_user_sync(
            "http://127.0.0.1:9/v1.0/users/delta?$deltatoken=abc",
            &SyncProgress::default(),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, DeltaSync::ResyncRequired));
    assert!(h.sandbox.requests().is_empty(), "nothing was sent anywhere");
    // A link on the right host still works.
    let full = directory
        .full_user_sync(&SyncProgress::default())
        .await
        .unwrap();
    let outcome = directory
        .delta_user_sync(
            full.delta_link.as_deref().unwrap(),
            &SyncProgress::default(),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, DeltaSync::Changes { .. }));
}
