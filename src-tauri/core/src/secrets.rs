//! The ONLY code that touches the OS keychain. Secrets live under service `ResetDesk`,
//! account `<connection-id>/<secret-name>`.
//!
//! Two stores implement [`SecretStore`]:
//! - [`KeyringStore`]: the OS keychain (Secret Service over D-Bus on Linux, Keychain on
//!   macOS, Credential Manager on Windows). Survives restarts.
//! - [`MemoryStore`]: a process-local map, for unit tests and for "session only" mode when
//!   [`probe_keychain`] says the keychain cannot be used. The shell chooses it explicitly and
//!   tells the operator; nothing here falls back silently, because a silent fallback would
//!   make sign-ins vanish at the next start without anyone knowing why.
//!
//! Keychain calls are blocking IPC (tens to hundreds of milliseconds on the Secret Service).
//! From async code use [`load_secret`], [`save_secret`] and [`forget_secret`], which run the
//! call on tokio's blocking pool; call the trait methods directly only from blocking code.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

// Re-exported so callers (the shell, integration tests) handle secrets with the same types
// without a `secrecy` dependency of their own.
pub use secrecy::{ExposeSecret, SecretString};

use crate::error::{AppError, ErrorKind, Result};

pub const KEYCHAIN_SERVICE: &str = "ResetDesk";

pub trait SecretStore: Send + Sync {
    fn get(&self, connection_id: &str, name: &str) -> Result<Option<SecretString>>;
    fn set(&self, connection_id: &str, name: &str, value: &SecretString) -> Result<()>;
    fn delete(&self, connection_id: &str, name: &str) -> Result<()>;
}

/// The keychain account for one secret: `<connection-id>/<secret-name>`.
///
/// Empty parts are refused: on macOS an empty account acts as a wildcard, which could
/// read or delete another entry of the same service.
pub fn keychain_account(connection_id: &str, name: &str) -> Result<String> {
    if connection_id.trim().is_empty() || name.trim().is_empty() {
        return Err(AppError::internal(
            "A keychain entry needs a connection id and a secret name; one of them was empty",
        ));
    }
    Ok(format!("{connection_id}/{name}"))
}

/// The OS keychain through the `keyring` crate. Every method blocks (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyringStore;

impl KeyringStore {
    pub fn new() -> Self {
        Self
    }

    fn entry(account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(|e| keychain_error(e, account))
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, connection_id: &str, name: &str) -> Result<Option<SecretString>> {
        let account = keychain_account(connection_id, name)?;
        match Self::entry(&account)?.get_password() {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e, &account)),
        }
    }

    fn set(&self, connection_id: &str, name: &str, value: &SecretString) -> Result<()> {
        let account = keychain_account(connection_id, name)?;
        Self::entry(&account)?
            .set_password(value.expose_secret())
            .map_err(|e| keychain_error(e, &account))
    }

    fn delete(&self, connection_id: &str, name: &str) -> Result<()> {
        let account = keychain_account(connection_id, name)?;
        match Self::entry(&account)?.delete_credential() {
            // Deleting what is not there is the outcome the caller wanted.
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e, &account)),
        }
    }
}

/// What the operator reads when the keychain cannot be used at all. The shell shows it when
/// [`probe_keychain`] fails and then keeps sign-ins in a [`MemoryStore`].
fn keychain_unavailable(reason: &str) -> String {
    format!(
        "The OS keychain is not available ({reason}). ResetDesk will keep your sign-in for this \
         session only."
    )
}

#[cfg(target_os = "linux")]
const NO_KEYCHAIN_SERVICE: &str =
    "no Secret Service such as GNOME Keyring or KWallet answered on the session D-Bus";
#[cfg(not(target_os = "linux"))]
const NO_KEYCHAIN_SERVICE: &str = "the system keychain service could not be reached";

/// Maps a keyring failure to an [`AppError`] of kind `Keychain`. The platform's own error
/// text goes to `detail` for a support ticket; it never contains the secret (keyring errors
/// carry attribute names and platform codes, and `BadEncoding`'s bytes are not echoed).
fn keychain_error(error: keyring::Error, account: &str) -> AppError {
    match error {
        keyring::Error::PlatformFailure(cause) => AppError::new(
            ErrorKind::Keychain,
            keychain_unavailable(NO_KEYCHAIN_SERVICE),
        )
        .with_detail(cause.to_string()),
        keyring::Error::NoStorageAccess(cause) => AppError::new(
            ErrorKind::Keychain,
            keychain_unavailable(
                "the keychain is locked or refused access; unlock it and restart ResetDesk",
            ),
        )
        .with_detail(cause.to_string()),
        keyring::Error::BadEncoding(_) => AppError::new(
            ErrorKind::Keychain,
            format!(
                "The keychain entry {KEYCHAIN_SERVICE}/{account} is not readable text. Delete it \
                 in your keychain app and sign in again."
            ),
        ),
        keyring::Error::TooLong(attribute, limit) => AppError::new(
            ErrorKind::Keychain,
            format!(
                "The OS keychain refused to store {account}: its {attribute} is longer than the \
                 platform limit of {limit}. ResetDesk will keep your sign-in for this session only."
            ),
        ),
        keyring::Error::Ambiguous(matches) => AppError::new(
            ErrorKind::Keychain,
            format!(
                "The keychain holds {} entries for {KEYCHAIN_SERVICE}/{account}. Remove the \
                 duplicates in your keychain app and sign in again.",
                matches.len()
            ),
        ),
        keyring::Error::Invalid(attribute, reason) => AppError::internal(format!(
            "ResetDesk built an invalid keychain entry ({attribute}: {reason})"
        )),
        keyring::Error::NoEntry => AppError::internal(format!(
            "The keychain entry {KEYCHAIN_SERVICE}/{account} disappeared while it was being used"
        )),
        // keyring::Error is non_exhaustive: a future variant still reaches the operator.
        other => AppError::new(
            ErrorKind::Keychain,
            keychain_unavailable("unexpected keychain error"),
        )
        .with_detail(other.to_string()),
    }
}

/// Checks that the OS keychain works end to end by writing, reading back and deleting a
/// throwaway entry (account `probe/<random>`, so concurrent probes do not collide).
///
/// The shell calls it once at start, before the window opens (it blocks: call it from async
/// code only through `spawn_blocking`), and picks
/// [`KeyringStore`] when it succeeds, or [`MemoryStore`] plus the returned error's message
/// ("…will keep your sign-in for this session only") when it fails.
pub fn probe_keychain() -> Result<(), AppError> {
    probe_keychain_as(&format!("probe-{}", uuid::Uuid::new_v4()))
}

/// [`probe_keychain`] with a given entry name (`probe/<probe_id>`), so a test can check that
/// nothing is left behind.
pub fn probe_keychain_as(probe_id: &str) -> Result<(), AppError> {
    let store = KeyringStore::new();
    let written = SecretString::from(uuid::Uuid::new_v4().to_string());
    store.set("probe", probe_id, &written)?;
    let read = store.get("probe", probe_id);
    // Delete before judging the read so a failed probe leaves nothing behind.
    let deleted = store.delete("probe", probe_id);
    match read? {
        Some(value) if value.expose_secret() == written.expose_secret() => {}
        Some(_) => {
            return Err(AppError::new(
                ErrorKind::Keychain,
                keychain_unavailable("a value written to it read back differently"),
            ))
        }
        None => {
            return Err(AppError::new(
                ErrorKind::Keychain,
                keychain_unavailable("a value written to it could not be read back"),
            ))
        }
    }
    deleted
}

/// Secrets held in this process only: gone when the app quits.
#[derive(Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<(String, String), SecretString>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<(String, String), SecretString>>> {
        self.secrets
            .lock()
            .map_err(|_| AppError::internal("The in-memory secret store was poisoned by a crash"))
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: which secrets exist is useful when debugging, their values never are.
        let names: Vec<String> = match self.secrets.lock() {
            Ok(map) => map
                .keys()
                .map(|(id, name)| format!("{id}/{name}"))
                .collect(),
            Err(_) => vec!["<poisoned>".into()],
        };
        f.debug_struct("MemoryStore")
            .field("entries", &names)
            .finish()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, connection_id: &str, name: &str) -> Result<Option<SecretString>> {
        keychain_account(connection_id, name)?;
        Ok(self
            .lock()?
            .get(&(connection_id.to_string(), name.to_string()))
            .cloned())
    }

    fn set(&self, connection_id: &str, name: &str, value: &SecretString) -> Result<()> {
        keychain_account(connection_id, name)?;
        self.lock()?
            .insert((connection_id.to_string(), name.to_string()), value.clone());
        Ok(())
    }

    fn delete(&self, connection_id: &str, name: &str) -> Result<()> {
        keychain_account(connection_id, name)?;
        self.lock()?
            .remove(&(connection_id.to_string(), name.to_string()));
        Ok(())
    }
}

/// Runs a blocking store call on tokio's blocking pool.
async fn on_blocking_pool<T, F>(store: &Arc<dyn SecretStore>, call: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&dyn SecretStore) -> Result<T> + Send + 'static,
{
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .map_err(|e| {
            AppError::internal("A keychain call stopped unexpectedly").with_detail(e.to_string())
        })?
}

/// [`SecretStore::get`] for async callers (does not block the runtime).
pub async fn load_secret(
    store: &Arc<dyn SecretStore>,
    connection_id: &str,
    name: &str,
) -> Result<Option<SecretString>> {
    let (connection_id, name) = (connection_id.to_string(), name.to_string());
    on_blocking_pool(store, move |s| s.get(&connection_id, &name)).await
}

/// [`SecretStore::set`] for async callers (does not block the runtime).
pub async fn save_secret(
    store: &Arc<dyn SecretStore>,
    connection_id: &str,
    name: &str,
    value: &SecretString,
) -> Result<()> {
    let (connection_id, name, value) = (connection_id.to_string(), name.to_string(), value.clone());
    on_blocking_pool(store, move |s| s.set(&connection_id, &name, &value)).await
}

/// [`SecretStore::delete`] for async callers (does not block the runtime). The record of
/// the endpoint the secret was issued for (see [`save_bound_secret`]) goes with it.
pub async fn forget_secret(
    store: &Arc<dyn SecretStore>,
    connection_id: &str,
    name: &str,
) -> Result<()> {
    let (connection_id, name) = (connection_id.to_string(), name.to_string());
    on_blocking_pool(store, move |s| {
        s.delete(&connection_id, &name)?;
        s.delete(&connection_id, &issuer_entry(&name))
    })
    .await
}

/// The keychain entry that records which endpoint the secret `name` was issued for.
fn issuer_entry(name: &str) -> String {
    format!("{name}.issuer")
}

/// Saves a secret bound to the endpoint it was issued for and is sent to (its issuer: a
/// token endpoint with the client id, a Zoho accounts server…). A connection's settings live
/// in a file the operator can edit; a secret must never follow them to another endpoint.
pub async fn save_bound_secret(
    store: &Arc<dyn SecretStore>,
    connection_id: &str,
    name: &str,
    value: &SecretString,
    issuer: &str,
) -> Result<()> {
    let issuer = SecretString::from(issuer.to_string());
    save_secret(store, connection_id, &issuer_entry(name), &issuer).await?;
    save_secret(store, connection_id, name, value).await
}

/// A secret read back for one endpoint.
pub enum BoundSecret {
    /// None is stored.
    Absent,
    /// Stored, and issued for this endpoint.
    Valid(SecretString),
    /// Stored for another endpoint (the connection's settings changed since), or with no
    /// record of one: it must not be sent to this one.
    IssuedElsewhere { recorded: Option<String> },
}

impl BoundSecret {
    /// The operator's explanation of an [`BoundSecret::IssuedElsewhere`] secret: `what` it
    /// is, where it was issued, where the connection points now, and `remedy`.
    pub fn refusal(recorded: Option<&str>, what: &str, issuer: &str, remedy: &str) -> AppError {
        let was = recorded
            .map(|r| format!("was issued by {r}"))
            .unwrap_or_else(|| "has no record of where it was issued".to_string());
        AppError::new(
            ErrorKind::NotSignedIn,
            format!(
                "The saved {what} of this connection {was}, but the connection now points at \
                 {issuer}. ResetDesk did not send it there. {remedy}"
            ),
        )
    }
}

/// A stored sign-in (refresh token) `name`, if it was issued for `issuer`; one issued
/// elsewhere (the connection's settings were edited since) is deleted unsent and refused with
/// `what` it is and the `remedy`.
pub async fn load_bound_sign_in(
    store: &Arc<dyn SecretStore>,
    connection_id: &str,
    name: &str,
    issuer: &str,
    (what, remedy): (&str, &str),
) -> Result<Option<SecretString>> {
    match load_bound_secret(store, connection_id, name, issuer).await? {
        BoundSecret::Absent => Ok(None),
        BoundSecret::Valid(token) => Ok(Some(token)),
        BoundSecret::IssuedElsewhere { recorded } => {
            forget_secret(store, connection_id, name).await?;
            Err(BoundSecret::refusal(
                recorded.as_deref(),
                what,
                issuer,
                remedy,
            ))
        }
    }
}

/// Reads the secret `name` for `issuer` (see [`save_bound_secret`]).
pub async fn load_bound_secret(
    store: &Arc<dyn SecretStore>,
    connection_id: &str,
    name: &str,
    issuer: &str,
) -> Result<BoundSecret> {
    let Some(value) = load_secret(store, connection_id, name).await? else {
        return Ok(BoundSecret::Absent);
    };
    let recorded = load_secret(store, connection_id, &issuer_entry(name)).await?;
    match recorded {
        Some(recorded) if recorded.expose_secret() == issuer => Ok(BoundSecret::Valid(value)),
        recorded => Ok(BoundSecret::IssuedElsewhere {
            recorded: recorded.map(|r| r.expose_secret().to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_bound_secret_is_given_only_for_its_issuer_and_forgotten_with_its_record() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let token = SecretString::from("rt");
        save_bound_secret(&store, "c1", "refresh_token", &token, "https://a/t")
            .await
            .unwrap();
        assert!(matches!(
            load_bound_secret(&store, "c1", "refresh_token", "https://a/t").await.unwrap(),
            BoundSecret::Valid(v) if v.expose_secret() == "rt"
        ));
        match load_bound_secret(&store, "c1", "refresh_token", "https://b/t")
            .await
            .unwrap()
        {
            BoundSecret::IssuedElsewhere { recorded } => {
                assert_eq!(recorded.as_deref(), Some("https://a/t"))
            }
            _ => panic!("another issuer must be refused"),
        }
        // A secret with no record of its issuer (saved before records existed) is refused.
        store.set("c1", "legacy", &token).unwrap();
        assert!(matches!(
            load_bound_secret(&store, "c1", "legacy", "https://a/t")
                .await
                .unwrap(),
            BoundSecret::IssuedElsewhere { recorded: None }
        ));
        forget_secret(&store, "c1", "refresh_token").await.unwrap();
        assert!(store.get("c1", "refresh_token").unwrap().is_none());
        assert!(store.get("c1", "refresh_token.issuer").unwrap().is_none());
        assert!(matches!(
            load_bound_secret(&store, "c1", "refresh_token", "https://a/t")
                .await
                .unwrap(),
            BoundSecret::Absent
        ));
    }

    #[test]
    fn memory_store_round_trip_overwrite_delete() {
        let store = MemoryStore::new();
        assert!(store.get("c1", "refresh_token").unwrap().is_none());
        store
            .set("c1", "refresh_token", &SecretString::from("one"))
            .unwrap();
        store
            .set("c2", "refresh_token", &SecretString::from("other"))
            .unwrap();
        store
            .set("c1", "refresh_token", &SecretString::from("two"))
            .unwrap();
        assert_eq!(
            store
                .get("c1", "refresh_token")
                .unwrap()
                .unwrap()
                .expose_secret(),
            "two"
        );
        store.delete("c1", "refresh_token").unwrap();
        assert!(store.get("c1", "refresh_token").unwrap().is_none());
        // Other connections are untouched; deleting twice is fine.
        assert_eq!(
            store
                .get("c2", "refresh_token")
                .unwrap()
                .unwrap()
                .expose_secret(),
            "other"
        );
        store.delete("c1", "refresh_token").unwrap();
    }

    #[test]
    fn memory_store_debug_shows_names_not_values() {
        let store = MemoryStore::new();
        store
            .set(
                "c1",
                "refresh_token",
                &SecretString::from("very-secret-value"),
            )
            .unwrap();
        let printed = format!("{store:?}");
        assert!(printed.contains("c1/refresh_token"), "{printed}");
        assert!(!printed.contains("very-secret-value"), "{printed}");
    }

    #[test]
    fn empty_connection_id_or_name_is_refused() {
        let store = MemoryStore::new();
        let error = store
            .set("", "refresh_token", &SecretString::from("x"))
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Internal);
        assert!(store.get("c1", " ").is_err());
        assert_eq!(
            keychain_account("c1", "refresh_token").unwrap(),
            "c1/refresh_token"
        );
    }

    #[test]
    fn keyring_failures_map_to_clear_keychain_errors() {
        let no_service = keychain_error(
            keyring::Error::PlatformFailure("org.freedesktop.secrets was not provided".into()),
            "c1/refresh_token",
        );
        assert_eq!(no_service.kind, ErrorKind::Keychain);
        assert!(no_service
            .message
            .starts_with("The OS keychain is not available ("));
        assert!(no_service
            .message
            .ends_with("ResetDesk will keep your sign-in for this session only."));
        assert_eq!(
            no_service.detail.as_deref(),
            Some("org.freedesktop.secrets was not provided")
        );

        let locked = keychain_error(keyring::Error::NoStorageAccess("NoResult".into()), "c1/x");
        assert_eq!(locked.kind, ErrorKind::Keychain);
        assert!(locked.message.contains("locked"), "{}", locked.message);

        let bad = keychain_error(
            keyring::Error::BadEncoding(b"secret-bytes".to_vec()),
            "c1/x",
        );
        assert!(!format!("{bad:?}").contains("secret-bytes"));
    }

    #[tokio::test]
    async fn async_wrappers_reach_the_store() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        save_secret(&store, "c1", "refresh_token", &SecretString::from("abc"))
            .await
            .unwrap();
        let read = load_secret(&store, "c1", "refresh_token")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.expose_secret(), "abc");
        forget_secret(&store, "c1", "refresh_token").await.unwrap();
        assert!(load_secret(&store, "c1", "refresh_token")
            .await
            .unwrap()
            .is_none());
    }
}
