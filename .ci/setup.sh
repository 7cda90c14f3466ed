#!/usr/bin/env bash
# Installs everything ResetDesk needs to build, run and test, from nothing, on Debian/Ubuntu:
# the OS packages (Tauri's WebKitGTK build deps, Xvfb + WebKitWebDriver for end-to-end tests,
# gnome-keyring + D-Bus for the real OS keychain, x11-utils: xwininfo finds the crash message window) and the npm packages (the Tauri CLI, the UI,
# the WebDriver client and tauri-driver). Rust crates are fetched by cargo on first build.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config file libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  xvfb xauth x11-utils webkit2gtk-driver gnome-keyring dbus
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "setup: installing OS packages: ${missing[*]}"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "setup: Rust is required (https://rustup.rs), then run this again" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: Node.js 20+ with npm is required, then run this again" >&2; exit 1; }

# `npm ci` fails on registries that lack the non-Linux optional binaries of @tauri-apps/cli;
# `npm install` respects the lockfile, skips those binaries (not for this OS) and, now that the
# lockfile lists them as npm writes it, leaves it unchanged.
npm install --no-audit --no-fund --loglevel=error
