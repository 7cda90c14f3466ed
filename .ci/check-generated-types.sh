#!/usr/bin/env bash
# The page's TypeScript types in ui/src/ipc/generated/ are generated from the Rust types that
# cross IPC (ts-rs; `cargo test` writes them, see .cargo/config.toml). Run after the Rust tests,
# which test-all.sh starts from an empty folder: any difference from what is committed — a type
# changed, added or removed in Rust without its TypeScript — fails here, naming the files.
set -euo pipefail
cd "$(dirname "$0")/.."

# Against the index: what is committed (in CI) or staged (locally); new files count too.
stale=$(git diff --name-status -- ui/src/ipc/generated; git ls-files --others --exclude-standard -- ui/src/ipc/generated)
if [ -n "$stale" ]; then
  echo "check-generated-types: ui/src/ipc/generated differs from what the Rust types generate:" >&2
  echo "$stale" >&2
  echo "Regenerate with: rm -f ui/src/ipc/generated/*.ts && cargo test --workspace export_bindings; then commit them." >&2
  exit 1
fi
echo "check-generated-types: $(ls ui/src/ipc/generated | wc -l) generated TypeScript types match the Rust types"
