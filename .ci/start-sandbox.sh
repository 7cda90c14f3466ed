#!/usr/bin/env bash
# Sets everything up and starts ResetDesk on its built-in sandbox (the demo organisation,
# served by the in-app emulator on 127.0.0.1; no credentials, no internet).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
npx tauri build --debug --no-bundle
exec ./target/debug/resetdesk
