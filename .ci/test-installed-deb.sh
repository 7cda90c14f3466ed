#!/usr/bin/env bash
# The .deb as a helpdesk machine gets it: install it with the system package manager, start the
# INSTALLED program (/usr/bin/resetdesk) under Xvfb and drive it with WebDriver (sandbox: sign in,
# search a user, open them; its files land in the per-user XDG directories), then purge the
# package and check that nothing of it is left in system paths.
# Usage: .ci/test-installed-deb.sh [path/to/ResetDesk_<version>_amd64.deb]
#   (default: the newest .deb under target/debug/bundle/deb or target/release/bundle/deb,
#    made by `npx tauri build --debug --bundles deb` or `npx tauri build --bundles deb`).
# Needs root or sudo (apt-get). Refuses to touch a ResetDesk already installed on the machine
# unless CI=true or RESETDESK_DEB_REPLACE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
step() { echo; echo "--- $* ($(date -u +%H:%M:%S))"; }

DEB="${1:-$(ls -t target/debug/bundle/deb/*.deb target/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)}"
[ -n "$DEB" ] && [ -f "$DEB" ] || { echo "no .deb found: build one with 'npx tauri build --debug --bundles deb'" >&2; exit 1; }
DEB="$(realpath "$DEB")"
PKG="$(dpkg-deb -f "$DEB" Package)"
BIN=/usr/bin/resetdesk
echo "package $PKG from $DEB"

if dpkg -s "$PKG" >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ] || [ "${RESETDESK_DEB_REPLACE:-}" = "1" ]; then
    echo "$PKG is already installed (an earlier run?): purging it first"
    as_root apt-get purge -y -q "$PKG"
  else
    echo "$PKG is already installed on this machine; set RESETDESK_DEB_REPLACE=1 to let this test replace and then remove it" >&2
    exit 1
  fi
fi

# System paths a package like this could write to. Caches that apt's triggers rebuild for every
# package (icon-theme.cache, mimeinfo.cache) are left out: they are the system's, not ours.
snapshot() {
  find /usr/bin /usr/lib /usr/share/applications /usr/share/icons /usr/share/doc /usr/share/pixmaps \
       /usr/share/metainfo /etc /opt -xdev \( -name 'icon-theme.cache' -o -name 'mimeinfo.cache' \) -prune -o -print 2>/dev/null | sort
}
work="$(mktemp -d)"
snapshot > "$work/before.txt"

installed=0
cleanup() { if [ "$installed" = 1 ]; then as_root apt-get purge -y -q "$PKG" >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

step "install with apt-get (resolves Depends from the archive)"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$DEB"
installed=1
dpkg -L "$PKG" | sort > "$work/files.txt"
echo "installed $(grep -c . "$work/files.txt") paths; $(dpkg -S "$BIN")"
# The example managed policy administrators copy to /etc/resetdesk/policy.json.
grep -qx /usr/share/doc/resetdesk/policy.example.json "$work/files.txt" \
  || { echo "the package lacks /usr/share/doc/resetdesk/policy.example.json" >&2; exit 1; }
[ -x "$BIN" ] || { echo "$BIN is missing or not executable" >&2; exit 1; }
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate /usr/share/applications/*.desktop
fi

step "end-to-end against the installed $BIN (Xvfb, WebDriver)"
TAURI_APP="$BIN" RESETDESK_INSTALLED_DEB="$PKG" \
  TAURI_DRIVER="$PWD/node_modules/.bin/tauri-driver" E2E_DRIVER_LOG=target/e2e-installed-deb-driver.log \
  E2E_TIMEOUT=10m bash .ci/e2e.sh node --test --test-timeout=300000 tests/e2e/installed-deb.test.mjs

step "purge and check that nothing is left"
as_root apt-get purge -y -q "$PKG"
installed=0
if dpkg -s "$PKG" >/dev/null 2>&1; then echo "$PKG is still known to dpkg after purge" >&2; exit 1; fi
left=0
while read -r f; do
  if [ -f "$f" ] || [ -L "$f" ]; then echo "left behind: $f" >&2; left=1; fi
done < "$work/files.txt"
snapshot > "$work/after.txt"
if ! diff -u "$work/before.txt" "$work/after.txt"; then
  echo "system paths differ from before the install (see the diff above)" >&2; left=1
fi
[ "$left" = 0 ] || exit 1
echo "purged: none of the package's $(grep -c . "$work/files.txt") paths is left; system paths as before the install"
rm -rf "$work"
