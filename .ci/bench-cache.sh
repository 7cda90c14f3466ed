#!/usr/bin/env bash
# Offline cache benchmark (issue 3): 100,000 users by default, or the size given as $1.
# Builds in release and prints the figures README.md quotes. Not part of .ci/run (CI time).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p resetdesk-providers --bench cache -- "${1:-100000}"
