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
# built with the same CLI, the same Cargo.lock versions and the same release profile (ours is
# appended to its Cargo.toml, so a profile change is measured against the same change); its
# build is kept in target/reference so a second run is quick. Every row ends with the ratio.
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
  # The same release profile: ResetDesk's [profile.release] section, if it has one.
  awk '/^\[profile\.release\]/ { on = 1; print; next } /^\[/ { on = 0 } on' "$ROOT/Cargo.toml" >> "$REF_DIR/Cargo.toml"
  ln -s "$ROOT/node_modules" "$REF_DIR/node_modules"
  (cd "$REF_DIR" && CARGO_TARGET_DIR="$ROOT/target/reference" npx tauri build --bundles deb >&2)
  REF_BIN="$ROOT/target/reference/release/feas-app"
  REF_DEB="$(ls -t "$ROOT"/target/reference/release/bundle/deb/*.deb | head -1)"
else
  echo "reference app not found at $REF_SRC (set RESETDESK_REFERENCE_APP): measuring ResetDesk only" >&2
fi

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
run_measure() { # binary kind -> JSON line; on failure, what the measurement printed, and exit
  local log="$ROOT/target/measure-$2.log"
  if ! TAURI_APP="$1" MEASURE_KIND="$2" bash .ci/with-keychain.sh \
    xvfb-run -a --server-args="-screen 0 1400x900x24" node .ci/measure-app.mjs > "$log" 2>&1; then
    echo "measure-app: measuring $2 failed; the end of $log:" >&2
    tail -15 "$log" >&2
    exit 1
  fi
  tail -1 "$log"
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
echo "| measure | ResetDesk | empty Tauri app (reference) | ratio |"
echo "|---|---|---|---|"
ratio() { if [ -n "$REF_BIN" ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; else echo "n/a"; fi; }
row() { # label, ResetDesk's raw value, the reference's, formatter
  local fmt="$4"
  echo "| $1 | $($fmt "$2") | $( [ -n "$REF_BIN" ] && $fmt "$3" || echo n/a) | $(ratio "$2" "$3") |"
}
as_mib() { mib "$1"; }
as_ms() { echo "$1 ms"; }
as_mib_value() { echo "$1 MiB"; }
kib_of_installed() { dpkg-deb -f "$1" Installed-Size; }
as_installed() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
row ".deb size" "$(stat -c %s "$APP_DEB")" "$( [ -n "$REF_DEB" ] && stat -c %s "$REF_DEB")" as_mib
row "installed size (Installed-Size)" "$(kib_of_installed "$APP_DEB")" "$( [ -n "$REF_DEB" ] && kib_of_installed "$REF_DEB")" as_installed
row "release binary" "$(stat -c %s "$APP_BIN")" "$( [ -n "$REF_BIN" ] && stat -c %s "$REF_BIN")" as_mib
row "start to first interactive screen (median)" "$(field "$APP_JSON" startMsMedian)" "$( [ -n "$REF_BIN" ] && field "$REF_JSON" startMsMedian)" as_ms
row "idle memory after opening a user, RSS (app + WebKit processes)" "$(field "$APP_JSON" rssMiBMedian)" "$( [ -n "$REF_BIN" ] && field "$REF_JSON" rssMiBMedian)" as_mib_value
row "same, PSS (shared pages divided)" "$(field "$APP_JSON" pssMiBMedian)" "$( [ -n "$REF_BIN" ] && field "$REF_JSON" pssMiBMedian)" as_mib_value
echo
echo "Start times of each run: ResetDesk $(field "$APP_JSON" startMsAll)$( [ -n "$REF_BIN" ] && echo "; reference $(field "$REF_JSON" startMsAll)") (ms)."
