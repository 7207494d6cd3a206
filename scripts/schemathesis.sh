#!/usr/bin/env bash
# Fuzzes the canonical API against its own OpenAPI description with schemathesis: builds
# hookgate, starts it on the embedded default configuration (four emulated vendors) on a free
# loopback port, with one inbound API key so that authentication is exercised too, and runs
# every check. Then the same for the emulators' admin API (openapi/emulator-admin.json), as the
# main listener serves it for the first emulated upstream. Exits non-zero on any failure.
#
#   scripts/schemathesis.sh                      # about a minute on 2 cores once built
#   SCHEMATHESIS_EXAMPLES=200 SCHEMATHESIS_ADMIN_EXAMPLES=100 SCHEMATHESIS_SEED=random scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-25}
ADMIN_EXAMPLES=${SCHEMATHESIS_ADMIN_EXAMPLES:-20}
SEED=${SCHEMATHESIS_SEED:-20261123}
ROOT=$(pwd)
VENV=${SCHEMATHESIS_VENV:-$ROOT/target/schemathesis-venv}

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

cargo build --locked --quiet

KEY=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
SHA=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
WORK=$(mktemp -d)
LOG=$WORK/hookgate.log
PID=
cleanup() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

HOOKGATE__LISTEN=127.0.0.1:0 \
HOOKGATE__LOG__FORMAT=json \
HOOKGATE__INBOUND_AUTH__MODE=api_keys \
HOOKGATE__INBOUND_AUTH__KEYS="[{name=\"schemathesis\",sha256=\"$SHA\",scopes=[\"webhooks:read\",\"webhooks:write\"]}]" \
  target/debug/hookgate serve --config config/hookgate.toml >"$LOG" 2>&1 &
PID=$!

ADDR=
for _ in $(seq 100); do
  ADDR=$(grep -o '"message":"gateway listening","addr":"[^"]*"' "$LOG" | cut -d'"' -f8 || true)
  [ -n "$ADDR" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.1
done
[ -n "$ADDR" ] || { echo "hookgate did not start" >&2; cat "$LOG" >&2; exit 1; }
echo "hookgate on $ADDR; schemathesis $VERSION, $EXAMPLES examples per operation, seed $SEED"

SEED_ARGS=(--seed "$SEED")
[ "$SEED" = random ] && SEED_ARGS=()
# One worker: Python 3.11's ast module keeps its recursion depth per interpreter, and
# hypothesis parsing lambda sources from two threads at once trips its "AST constructor
# recursion depth mismatch" check (CPython gh-106905), failing the run for no fault of the API.
# schemathesis keeps its example database in the working directory: under target/, not the tree.
mkdir -p target/schemathesis
cd target/schemathesis
# The second run goes ahead whatever the first finds; the script fails if either does.
FAILED=0
"$VENV/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis.toml" run "http://$ADDR/openapi.json" \
  --checks all \
  --max-examples "$EXAMPLES" \
  "${SEED_ARGS[@]}" \
  --workers 1 \
  --header "X-Api-Key: $KEY" \
  --no-color || FAILED=1

# The admin API of the first emulator the gateway runs (whichever dialect that is). Its
# description offers the key as `X-Api-Key` and as a bearer token: both carry the same one, as
# two different keys are refused.
NAME=$(curl -sf -H "X-Api-Key: $KEY" "http://$ADDR/__hookgate/emulators" |
  "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["emulators"][0]["upstream"])')
echo "emulator admin API of upstream $NAME; $ADMIN_EXAMPLES examples per operation"
"$VENV/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis-admin.toml" run \
  "http://$ADDR/__hookgate/emulators/$NAME/openapi.json" \
  --checks all \
  --max-examples "$ADMIN_EXAMPLES" \
  "${SEED_ARGS[@]}" \
  --workers 1 \
  --header "X-Api-Key: $KEY" \
  --header "Authorization: Bearer $KEY" \
  --no-color || FAILED=1
exit $FAILED
