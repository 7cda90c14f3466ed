#!/usr/bin/env bash
# Sets everything up and runs every test of ResetDesk: formatting and lints, UI type check and
# unit tests, Rust unit + integration + contract tests (with the real OS keychain), then the
# real app in a real window under Xvfb driven by WebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }
export CARGO_TERM_COLOR=never
# A cold build for one run: debug info as line tables only (a panic's backtrace still names file
# and line) and no incremental cache. The test build then takes 4.2 GB of disk instead of 11 GB
# and a minute less: a run on a shared disk once failed with "No space left on device".
export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=line-tables-only

step "setup"; bash .ci/setup.sh

step "rustfmt";      cargo fmt --all -- --check
step "clippy";       cargo clippy --workspace --all-targets -- -D warnings
step "crate dependencies point one way"; bash .ci/check-crate-deps.sh
step "ui typecheck"; npx tsc -p ui
step "ui tests";     npx vitest run --root ui
# Again with every mocked command answering 50 ms late: a test that reads the page before Rust's
# answer is there fails here every time, instead of now and then on a loaded machine.
step "ui tests, Rust answering late"; RESETDESK_TEST_IPC_DELAY_MS=50 npx vitest run --root ui

# The keychain test must not skip here: the real Secret Service is provided by with-keychain.sh.
# The tests also write the page's generated TypeScript types (ts-rs), from an empty folder, so
# that a type removed in Rust shows as a deleted file in the check after them.
step "rust tests (unit, integration, contract, keychain)"
rm -f ui/src/ipc/generated/*.ts
RESETDESK_REQUIRE_KEYCHAIN=1 bash .ci/with-keychain.sh cargo test --workspace
# The tests that need the real keychain are ignored by a plain `cargo test`: here they must run.
step "keychain (the real Secret Service)"
RESETDESK_REQUIRE_KEYCHAIN=1 bash .ci/with-keychain.sh cargo test -p resetdesk-core --test keychain -- --include-ignored
step "generated TypeScript types are fresh"; bash .ci/check-generated-types.sh

# After cargo test, which rebuilds target/debug/resetdesk as a dev binary (loads devUrl):
# this one embeds ui/dist, and is also packaged as a .deb for the installed-package test below.
step "app build (debug, UI embedded) and its .deb"; npx tauri build --debug --bundles deb

# Bounded, so that a hang fails this run with a message instead of using up CI's time: no test
# takes a minute (the longest, offline search, about 50 s), the whole step about 3 minutes.
step "end-to-end (real window under Xvfb, WebDriver)"
TAURI_DRIVER="$PWD/node_modules/.bin/tauri-driver" E2E_TIMEOUT=25m \
  bash .ci/e2e.sh node --test --test-concurrency=1 --test-timeout=300000 tests/e2e/

step "installed package: apt-get install the .deb, end-to-end against /usr/bin/resetdesk, purge, nothing left"
bash .ci/test-installed-deb.sh target/debug/bundle/deb/*.deb
