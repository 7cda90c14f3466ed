#!/usr/bin/env bash
# Measures ResetDesk as shipped, next to an empty Tauri app built the same way (a documented
# script, not a test; not run by CI). Prints a Markdown table for the README.
#
#   .deb size, installed size (the package's Installed-Size), release binary size,
#   start: tauri-driver session request -> first interactive screen, under Xvfb (median of
#          MEASURE_RUNS runs, default 5, each with a fresh data directory),
#   idle memory: RSS and PSS of the app process and its WebKit processes, 5 s after opening a user
#          (ResetDesk: sandbox sign-in, search "adele", Authentication methods tab; reference: one
#          greeting).
#
# The reference is ../shared/reference/tauri-example (the minimal Tauri app with this repo's
# layout: tauri 2.12, tauri-plugin-store, vanilla TypeScript + Vite), copied to a temp dir and
# built with the same CLI, the same Cargo.lock versions and the same release profile; its build
# is kept in target/reference so a second run is quick.
# Usage: bash .ci/measure-app.sh            (both release builds take minutes when cold)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
REF_SRC="${RESETDESK_REFERENCE_APP:-$ROOT/../shared/reference/tauri-example}"
export TAURI_DRIVER="${TAURI_DRIVER:-$ROOT/node_modules/.bin/tauri-driver}"
step() { echo "--- $* ($(date -u +%H:%M:%S))" >&2; }

step "ResetDesk: release build and .deb"
npx tauri build --bundles deb >&2
APP_BIN="$ROOT/target/release/resetdesk"
APP_DEB="$(ls -t "$ROOT"/target/release/bundle/deb/*.deb | head -1)"

REF_BIN="" REF_DEB=""
if [ -d "$REF_SRC" ]; then
  step "reference: copy of $REF_SRC, release build and .deb"
  REF_DIR="$(mktemp -d)/tauri-example"
  cp -r "$REF_SRC" "$REF_DIR"
  chmod -R u+w "$REF_DIR"
  cp -r "$ROOT/icons" "$REF_DIR/icons"            # the example ships no icons; the bundler needs some
  cp "$ROOT/Cargo.lock" "$REF_DIR/Cargo.lock"     # the same crate versions as ResetDesk
  ln -s "$ROOT/node_modules" "$REF_DIR/node_modules"
  (cd "$REF_DIR" && CARGO_TARGET_DIR="$ROOT/target/reference" npx tauri build --bundles deb >&2)
  REF_BIN="$ROOT/target/reference/release/feas-app"
  REF_DEB="$(ls -t "$ROOT"/target/reference/release/bundle/deb/*.deb | head -1)"
else
  echo "reference app not found at $REF_SRC (set RESETDESK_REFERENCE_APP): measuring ResetDesk only" >&2
fi

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
installed() { awk -v k="$(dpkg-deb -f "$1" Installed-Size)" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
run_measure() { # binary kind -> JSON line
  TAURI_APP="$1" MEASURE_KIND="$2" bash .ci/with-keychain.sh \
    xvfb-run -a --server-args="-screen 0 1400x900x24" node .ci/measure-app.mjs 2>/dev/null | tail -1
}
field() { node -e 'const j = JSON.parse(process.argv[1]); console.log(j[process.argv[2]])' "$1" "$2"; }

step "ResetDesk: start and memory"
APP_JSON="$(run_measure "$APP_BIN" resetdesk)"
echo "$APP_JSON" >&2
if [ -n "$REF_BIN" ]; then
  step "reference: start and memory"
  REF_JSON="$(run_measure "$REF_BIN" reference)"
  echo "$REF_JSON" >&2
fi

echo
echo "Measured $(date -u +'%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(uname -sr), WebKitGTK $(dpkg-query -W -f '${Version}' libwebkit2gtk-4.1-0 2>/dev/null)"
echo
echo "| measure | ResetDesk | empty Tauri app (reference) |"
echo "|---|---|---|"
ref() { if [ -n "$REF_BIN" ]; then echo "$1"; else echo "n/a"; fi; }
echo "| .deb size | $(mib "$(stat -c %s "$APP_DEB")") | $(ref "$( [ -n "$REF_DEB" ] && mib "$(stat -c %s "$REF_DEB")")") |"
echo "| installed size (Installed-Size) | $(installed "$APP_DEB") | $(ref "$( [ -n "$REF_DEB" ] && installed "$REF_DEB")") |"
echo "| release binary | $(mib "$(stat -c %s "$APP_BIN")") | $(ref "$( [ -n "$REF_BIN" ] && mib "$(stat -c %s "$REF_BIN")")") |"
echo "| start to first interactive screen (median) | $(field "$APP_JSON" startMsMedian) ms | $(ref "$( [ -n "$REF_BIN" ] && field "$REF_JSON" startMsMedian) ms") |"
echo "| idle memory after opening a user, RSS (app + WebKit processes) | $(field "$APP_JSON" rssMiBMedian) MiB | $(ref "$( [ -n "$REF_BIN" ] && field "$REF_JSON" rssMiBMedian) MiB") |"
echo "| same, PSS (shared pages divided) | $(field "$APP_JSON" pssMiBMedian) MiB | $(ref "$( [ -n "$REF_BIN" ] && field "$REF_JSON" pssMiBMedian) MiB") |"
echo
echo "Start times of each run: ResetDesk $(field "$APP_JSON" startMsAll)$( [ -n "$REF_BIN" ] && echo "; reference $(field "$REF_JSON" startMsAll)") (ms)."
