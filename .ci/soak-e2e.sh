#!/usr/bin/env bash
# Runs the whole WebDriver suite N times in a row (default 5) against the app as CI builds it,
# and reports each run's pass and fail counts: a test that fails once in N is a defect to find,
# never a retry. Builds the app first unless it is there (run after `bash .ci/run`, or alone:
# it sets up what it needs the same way).
#   bash .ci/soak-e2e.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "soak-e2e: N must be a positive whole number (got \"$runs\")" >&2
  exit 2
fi
if [ ! -x target/debug/resetdesk ] || [ ! -d ui/dist ]; then
  bash .ci/setup.sh
  npx tauri build --debug --bundles deb
fi
failed_runs=0
summary=()
for run in $(seq 1 "$runs"); do
  log="$(mktemp -t soak-e2e-XXXX.log)"
  start=$(date -u +%H:%M:%S)
  if TAURI_DRIVER="$PWD/node_modules/.bin/tauri-driver" \
    bash .ci/e2e.sh node --test --test-concurrency=1 --test-timeout=300000 tests/e2e/ >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed_runs=$((failed_runs + 1))
  fi
  pass=$(grep -E '^# pass ' "$log" | tail -1 | awk '{print $3}')
  fail=$(grep -E '^# fail ' "$log" | tail -1 | awk '{print $3}')
  line="run $run/$runs ($start-$(date -u +%H:%M:%S) UTC): $status, pass ${pass:-?}, fail ${fail:-?}"
  echo "$line"
  summary+=("$line")
  if [ "$status" = FAILED ]; then
    grep -E '^not ok ' "$log" | sed 's/^/    /' || true
    echo "    full log: $log"
  else
    rm -f "$log"
  fi
done
echo
printf '%s\n' "${summary[@]}"
echo "soak-e2e: $((runs - failed_runs)) of $runs runs passed"
[ "$failed_runs" -eq 0 ]
