#!/usr/bin/env bash
# The crates' dependencies point one way (ARCHITECTURE.md). Crate boundaries make a cycle a
# compile error; this checks what they cannot: that the product's core ships no HTTP server or
# certificate generator, that the emulators do not import the product they check, and that the
# app still builds without its built-in sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-crate-deps: $*" >&2; exit 1; }
normal_deps() { cargo tree -e normal --prefix none --format '{p}' -p "$1" | awk '{print $1}' | sort -u; }

core=$(normal_deps resetdesk-core)
for server_side in axum rcgen; do
  ! grep -qx "$server_side" <<<"$core" || fail "resetdesk-core depends on $server_side (emulator code belongs in resetdesk-sandbox)"
done
# hyper is there for reqwest's client; its server side must not be.
if cargo tree -e normal,features -p resetdesk-core -i hyper 2>/dev/null | grep -q 'hyper feature "server"'; then
  fail "resetdesk-core builds hyper's server side"
fi

sandbox=$(normal_deps resetdesk-sandbox)
! grep -qx "resetdesk-core" <<<"$sandbox" || fail "resetdesk-sandbox depends on resetdesk-core (it may use resetdesk-model only)"

model=$(normal_deps resetdesk-model)
for io in tokio reqwest rusqlite keyring resetdesk-core; do
  ! grep -qx "$io" <<<"$model" || fail "resetdesk-model depends on $io (it must stay a leaf without I/O)"
done

cargo check -q -p resetdesk --no-default-features
echo "check-crate-deps: core without axum, rcgen or hyper's server; sandbox without core; model without I/O; app builds without the sandbox"
