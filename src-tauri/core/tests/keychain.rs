//! The real OS keychain (Secret Service over D-Bus on Linux) through `KeyringStore`.
//!
//! The tests that need a Secret Service are ignored by a plain `cargo test`, so a machine
//! without one shows them as ignored instead of passing them silently. CI runs them inside a
//! private D-Bus session with an unlocked gnome-keyring, with `RESETDESK_REQUIRE_KEYCHAIN=1`
//! (an unusable keychain fails them there). By hand:
//!
//! ```sh
//! RESETDESK_REQUIRE_KEYCHAIN=1 .ci/with-keychain.sh cargo test -p resetdesk-core --test keychain -- --include-ignored
//! ```
use std::time::{SystemTime, UNIX_EPOCH};

use resetdesk_core::secrets::{probe_keychain, probe_keychain_as, KeyringStore, SecretStore};
use resetdesk_core::secrets::{ExposeSecret, SecretString};
use resetdesk_core::ErrorKind;

const REQUIRE_VAR: &str = "RESETDESK_REQUIRE_KEYCHAIN";
/// Set in the child process of `unreachable_secret_service_is_a_clear_keychain_error`.
const CHILD_VAR: &str = "RESETDESK_KEYCHAIN_TEST_CHILD";

/// True when the real keychain can be used; false (after saying so) when it cannot and the
/// environment does not require it. Panics when it is required but unusable.
fn keychain_available() -> bool {
    match probe_keychain() {
        Ok(()) => true,
        Err(error) if std::env::var_os(REQUIRE_VAR).is_some() => {
            panic!("{REQUIRE_VAR} is set but the OS keychain is unusable: {error:?}")
        }
        Err(error) => {
            assert_eq!(error.kind, ErrorKind::Keychain, "{error:?}");
            eprintln!(
                "skipped: no Secret Service (set {REQUIRE_VAR}=1 to require it): {}",
                error.message
            );
            false
        }
    }
}

/// A connection id no other run (or concurrent test) uses.
fn unique_connection_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("keychain-test-{}-{nanos}", std::process::id())
}

/// Deletes the test's entry even when an assertion fails half-way.
struct RemoveOnDrop<'a> {
    store: &'a KeyringStore,
    connection_id: &'a str,
    name: &'a str,
}

impl Drop for RemoveOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.store.delete(self.connection_id, self.name);
    }
}

#[test]
#[ignore = "needs a Secret Service: see the top of this file"]
fn keyring_store_round_trip_on_the_real_secret_service() {
    if !keychain_available() {
        return;
    }
    let store = KeyringStore::new();
    let connection_id = unique_connection_id();
    let name = "refresh_token";
    let _cleanup = RemoveOnDrop {
        store: &store,
        connection_id: &connection_id,
        name,
    };

    assert!(
        store.get(&connection_id, name).unwrap().is_none(),
        "a fresh id has no entry"
    );

    // Long and non-ASCII, like real refresh tokens are long (Entra's exceed 1 KB).
    let first = SecretString::from(format!("0.AAAA-{}-é✓", "x".repeat(1500)));
    store.set(&connection_id, name, &first).unwrap();
    let read = store
        .get(&connection_id, name)
        .unwrap()
        .expect("the value just written");
    assert_eq!(read.expose_secret(), first.expose_secret());

    // A second store instance sees the same entry: it is in the keychain, not in the object.
    let other_instance = KeyringStore::new();
    let read = other_instance
        .get(&connection_id, name)
        .unwrap()
        .expect("visible to another instance");
    assert_eq!(read.expose_secret(), first.expose_secret());

    let rotated = SecretString::from("0.BBBB-rotated");
    store.set(&connection_id, name, &rotated).unwrap();
    let read = store
        .get(&connection_id, name)
        .unwrap()
        .expect("the overwritten value");
    assert_eq!(read.expose_secret(), "0.BBBB-rotated");

    // A sibling secret of the same connection is a separate entry.
    store
        .set(&connection_id, "other", &SecretString::from("sibling"))
        .unwrap();
    let _cleanup_sibling = RemoveOnDrop {
        store: &store,
        connection_id: &connection_id,
        name: "other",
    };

    store.delete(&connection_id, name).unwrap();
    assert!(
        store.get(&connection_id, name).unwrap().is_none(),
        "deleted"
    );
    store
        .delete(&connection_id, name)
        .expect("deleting a missing entry is not an error");
    assert_eq!(
        store
            .get(&connection_id, "other")
            .unwrap()
            .unwrap()
            .expose_secret(),
        "sibling"
    );
}

#[test]
#[ignore = "needs a Secret Service: see the top of this file"]
fn probe_leaves_no_entry_behind_and_can_repeat() {
    if !keychain_available() {
        return;
    }
    // The probe writes a random entry and deletes it; twice in a row must work the same.
    probe_keychain().unwrap();
    probe_keychain().unwrap();
    // And nothing is left: the entry a probe wrote is gone.
    let probe_id = unique_connection_id();
    probe_keychain_as(&probe_id).unwrap();
    assert!(
        KeyringStore::new()
            .get("probe", &probe_id)
            .unwrap()
            .is_none(),
        "the probe's entry is deleted"
    );
}

/// With no reachable Secret Service, every call is a `Keychain` error with the message the
/// operator reads, never a silent success. Runs the check in a child process whose session
/// bus address points nowhere (changing the environment of this multi-threaded process
/// would race with the other tests).
#[test]
fn unreachable_secret_service_is_a_clear_keychain_error() {
    if std::env::var_os(CHILD_VAR).is_some() {
        let store = KeyringStore::new();
        for error in [
            probe_keychain().unwrap_err(),
            store.get("any-connection", "refresh_token").unwrap_err(),
            store
                .set("any-connection", "refresh_token", &SecretString::from("v"))
                .unwrap_err(),
        ] {
            assert_eq!(error.kind, ErrorKind::Keychain, "{error:?}");
            assert!(
                error
                    .message
                    .starts_with("The OS keychain is not available ("),
                "{}",
                error.message
            );
            assert!(
                error
                    .message
                    .ends_with("ResetDesk will keep your sign-in for this session only."),
                "{}",
                error.message
            );
            assert!(
                error.detail.is_some(),
                "the platform's reason is kept for support: {error:?}"
            );
        }
        return;
    }
    if !cfg!(target_os = "linux") {
        return; // The D-Bus address trick only applies to the Secret Service.
    }
    let missing_bus = std::env::temp_dir().join(format!("{}-no-such-bus", unique_connection_id()));
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "unreachable_secret_service_is_a_clear_keychain_error",
            "--exact",
            "--nocapture",
        ])
        .env(CHILD_VAR, "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", missing_bus.display()),
        )
        .env_remove("DISPLAY") // no X11 autolaunch of a bus either
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{printed}");
    assert!(
        printed.contains("1 passed"),
        "the child ran the check:\n{printed}"
    );
}
