#!/usr/bin/env bash
# The crates' dependencies point one way (ARCHITECTURE.md). Crate boundaries make a cycle a
# compile error; this checks what they cannot: that the core names no provider (the providers
# depend on it, not it on them), that neither ships an HTTP server or certificate generator,
# that the emulators do not import the product they check, and that the app still builds
# without its built-in sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-crate-deps: $*" >&2; exit 1; }
normal_deps() { cargo tree -e normal --prefix none --format '{p}' -p "$1" | awk '{print $1}' | sort -u; }

core=$(normal_deps resetdesk-core)
! grep -qx "resetdesk-providers" <<<"$core" || fail "resetdesk-core depends on resetdesk-providers (the providers implement the core's seam, not the other way)"
for crate in resetdesk-core resetdesk-providers; do
  deps=$(normal_deps "$crate")
  for server_side in axum rcgen resetdesk-sandbox; do
    ! grep -qx "$server_side" <<<"$deps" || fail "$crate depends on $server_side (emulator code belongs in resetdesk-sandbox)"
  done
  # hyper is there for reqwest's client; its server side must not be.
  if cargo tree -e normal,features -p "$crate" -i hyper 2>/dev/null | grep -q 'hyper feature "server"'; then
    fail "$crate builds hyper's server side"
  fi
done

sandbox=$(normal_deps resetdesk-sandbox)
for product in resetdesk-core resetdesk-providers; do
  ! grep -qx "$product" <<<"$sandbox" || fail "resetdesk-sandbox depends on $product (it may use resetdesk-model only)"
done

model=$(normal_deps resetdesk-model)
for io in tokio reqwest rusqlite keyring resetdesk-core; do
  ! grep -qx "$io" <<<"$model" || fail "resetdesk-model depends on $io (it must stay a leaf without I/O)"
done

cargo check -q -p resetdesk --no-default-features
echo "check-crate-deps: core without providers; core and providers without axum, rcgen, the sandbox or hyper's server; sandbox without core or providers; model without I/O; app builds without the sandbox"
