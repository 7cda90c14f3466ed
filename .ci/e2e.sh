#!/usr/bin/env bash
# Runs an end-to-end command the way every WebDriver test here runs: in a private D-Bus session
# with the real keychain (with-keychain.sh), on an Xvfb display, and within a time limit
# (E2E_TIMEOUT, default 25m), so that a hang fails the run with a message instead of using up
# CI's time.
# Usage: .ci/e2e.sh <command> [args...]   e.g. .ci/e2e.sh node --test tests/e2e/desktop.test.mjs
set -euo pipefail
cd "$(dirname "$0")/.."
limit="${E2E_TIMEOUT:-25m}"
status=0
timeout --kill-after=30s "$limit" \
  bash .ci/with-keychain.sh xvfb-run -a --server-args="-screen 0 1400x900x24" "$@" || status=$?
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  echo "the end-to-end run did not finish within $limit: a test or the app hangs" \
    "(tauri-driver's and the app's log: ${E2E_DRIVER_LOG:-target/e2e-tauri-driver.log})" >&2
fi
exit "$status"
