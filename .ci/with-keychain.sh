#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so the real
# OS keychain (Secret Service) is there for the app and the tests, as on a desktop.
# Usage: .ci/with-keychain.sh <command> [args...]
set -euo pipefail
if [ -z "${RESETDESK_IN_KEYCHAIN_SESSION:-}" ]; then
  export RESETDESK_IN_KEYCHAIN_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
# A throwaway keyring under a private HOME-independent directory: tests never touch the user's own.
export XDG_DATA_HOME="${RESETDESK_KEYRING_HOME:-$(mktemp -d)}"
printf 'resetdesk-ci' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
exec "$@"
