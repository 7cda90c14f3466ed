#!/usr/bin/env bash
# Audit log benchmark (issue 18): opening a log of 100,000 entries by default, or the number
# given as $1, and reading its recent entries. Release build; prints figures with ratios
# against reading the file's bytes in the same run. Not part of .ci/run (CI time).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p resetdesk-core --bench audit_log -- "${1:-100000}"
