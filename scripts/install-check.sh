#!/usr/bin/env bash
# The binary as a user gets it: `cargo install` into a temporary root, then, from an empty
# folder (no config/, no mappings/), `hookgate check`, `hookgate` on its built-in default with
# the tours of README.md and docs/canonical-api.md run against it, `hookgate healthcheck`, and
# one emulator.
#
# The install uses the debug profile and the repository's target/ (CARGO_TARGET_DIR), so after
# `cargo test` it reuses the build instead of making a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cargo install --path . --locked --debug --root "$work/install" --quiet
bin="$work/install/bin/hookgate"
empty="$work/empty"
mkdir -p "$empty"
cd "$empty"

"$bin" --version
"$bin" check

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
export HOOKGATE__LISTEN="127.0.0.1:$port"
"$bin" 2>"$work/gateway.log" &
pids+=($!)
for _ in $(seq 1 100); do
  if "$bin" healthcheck --timeout-ms 500 2>/dev/null; then break; fi
  sleep 0.1
done
"$bin" healthcheck
grep -q "source=the built-in default configuration" "$work/gateway.log"

(cd "$root" && TOUR_GATEWAY_URL="http://127.0.0.1:$port" cargo test --locked --quiet --test readme_tour)

# One emulator alone, on a free port it reports; the first shipped dialect.
dialect=$(basename "$(ls "$root"/mappings/*.toml | head -1)" .toml)
"$bin" emulate "$dialect" --listen 127.0.0.1:0 2>"$work/emulator.log" &
pids+=($!)
addr=""
for _ in $(seq 1 100); do
  addr=$(grep -o 'addr=[0-9.:]*' "$work/emulator.log" | head -1 | cut -d= -f2 || true)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { cat "$work/emulator.log" >&2; exit 1; }
curl -fsS "http://$addr/healthz"
echo
echo "install check: ok ($dialect emulator on $addr, gateway on port $port)"
