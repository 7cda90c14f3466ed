#!/usr/bin/env bash
# Bulk "Reset all MFAs" benchmark (issue 4): 1,000 users across 10 customer tenants by default
# (knobs: see the header of src-tauri/providers/benches/lighthouse.rs). Release build; prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p resetdesk-providers --bench lighthouse
