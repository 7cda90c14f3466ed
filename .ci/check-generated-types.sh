#!/usr/bin/env bash
# The page's TypeScript types in ui/src/ipc/generated/ are generated from the Rust types that
# cross IPC (ts-rs; `cargo test` writes them, see .cargo/config.toml), and the page's test
# fixtures in ui/src/test/sandbox/ from what Rust answers on the sandbox (src-tauri/page_fixtures.rs).
# Run after the Rust tests, which test-all.sh starts from an empty types folder: any difference
# from what is committed — a type or an answer changed, added or removed in Rust without the
# page's copy — fails here, naming the files.
set -euo pipefail
cd "$(dirname "$0")/.."

# Against the index: what is committed (in CI) or staged (locally); new files count too.

stale=$(git diff --name-status -- ui/src/ipc/generated ui/src/test/sandbox
        git ls-files --others --exclude-standard -- ui/src/ipc/generated ui/src/test/sandbox)
if [ -n "$stale" ]; then
  echo "check-generated-types: what Rust generates differs from what is committed:" >&2
  echo "$stale" >&2
  echo "Regenerate with: rm -f ui/src/ipc/generated/*.ts && cargo test --workspace; then commit them." >&2
  exit 1
fi
echo "check-generated-types: $(ls ui/src/ipc/generated | wc -l) generated TypeScript types match the Rust types;" \
  "$(ls ui/src/test/sandbox | wc -l) page fixtures match what Rust answers on the sandbox"
