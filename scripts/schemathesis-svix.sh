#!/usr/bin/env bash
# Runs svix-server's own OpenAPI description (../shared/dialects/svix-openapi.json beside the
# repository, never copied into it) through schemathesis, restricted to the endpoint operations
# hookgate serves, against:
#   - `hookgate emulate svix` (the Svix emulator alone), application ids fuzzed too;
#   - one gateway with a Svix surface mounted in front of an emulator of every other dialect
#     the binary loads (`hookgate check` lists them), application id fixed to a UUID (an owner
#     every dialect's format takes; the one owner a surface serves when its upstream keeps none).
# Svix clients authenticate with a bearer token; with inbound auth off any token is taken.
# docs/svix-conformance.md says what is run and why each exception in scripts/schemathesis-svix.toml
# is there. Exits non-zero on any failure.
#
#   scripts/schemathesis-svix.sh                 # about a minute per target on 2 cores once built
#   SVIX_EXAMPLES=100 SCHEMATHESIS_SEED=random scripts/schemathesis-svix.sh
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
EXAMPLES=${SVIX_EXAMPLES:-15}
SEED=${SCHEMATHESIS_SEED:-20261202}
ROOT=$(pwd)
VENV=${SCHEMATHESIS_VENV:-$ROOT/target/schemathesis-venv}
SPEC=$ROOT/../shared/dialects/svix-openapi.json
DIALECT=svix
APP=550e8400-e29b-41d4-a716-446655440000
# The endpoint family hookgate implements: list and create; get, replace, patch and delete;
# headers; secret and its rotation; send-example. Not attempts, recover or stats.
OPERATIONS='^/api/v1/app/\{app_id\}/endpoint(/\{endpoint_id\}(/headers|/secret|/secret/rotate|/send-example)?)?$'

[ -f "$SPEC" ] || { echo "no $SPEC: svix-server's OpenAPI description is needed" >&2; exit 1; }
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

cargo build --locked --quiet
HOOKGATE=$ROOT/target/debug/hookgate

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Waits for a started process to print a line matching $2 into file $1; prints the match.
await() {
  local file=$1 pattern=$2 pid=$3 found=
  for _ in $(seq 100); do
    found=$(grep -o "$pattern" "$file" | head -1 || true)
    [ -n "$found" ] && { echo "$found"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "hookgate did not start:" >&2
  cat "$file" "$file.err" >&2 2>/dev/null || true
  return 1
}

SEED_ARGS=(--seed "$SEED")
[ "$SEED" = random ] && SEED_ARGS=()
# schemathesis keeps its example database in the working directory: under target/, not the tree.
mkdir -p target/schemathesis-svix
cd target/schemathesis-svix

# One run of the description against the base URL $1 with the config file $2. One worker, as in
# scripts/schemathesis.sh (hypothesis and Python 3.11's ast module across threads).
FAILED=0
run() {
  echo "== $3: $1; schemathesis $VERSION, $EXAMPLES examples per operation, seed $SEED"
  PYTHONPATH="$ROOT/scripts" SCHEMATHESIS_HOOKS=schemathesis_svix_hooks \
    "$VENV/bin/schemathesis" --config-file "$2" run "$SPEC" \
    --url "$1" \
    --include-path-regex "$OPERATIONS" \
    --checks all \
    --max-examples "$EXAMPLES" \
    "${SEED_ARGS[@]}" \
    --workers 1 \
    --header "Authorization: Bearer schemathesis" \
    --no-color || { FAILED=1; echo "== $3: FAILED"; }
}

# (a) The emulator alone, as other projects' test suites run it.
"$HOOKGATE" emulate "$DIALECT" --listen 127.0.0.1:0 >"$WORK/emulator" 2>"$WORK/emulator.err" &
PIDS+=($!)
URL=$(await "$WORK/emulator" "^listening http://[^ ]* $DIALECT\$" "${PIDS[-1]}" | cut -d' ' -f2)
run "$URL" "$ROOT/scripts/schemathesis-svix.toml" "$DIALECT emulator"

# (b) A Svix surface in front of an emulator of each other dialect, on one gateway. A surface
# whose upstream keeps no owners serves the one application $APP (hookgate check says which).
DIALECTS=$("$HOOKGATE" check --config "$ROOT/config/hookgate.toml" 2>&1 | sed -n 's/.* dialects (\(.*\)),.*/\1/p' | tr -d ',')
[ -n "$DIALECTS" ] || { echo "hookgate check listed no dialects" >&2; exit 1; }
CONFIG=$WORK/gateway.toml
printf 'listen = "127.0.0.1:0"\n[log]\nformat = "json"\n[inbound_auth]\nmode = "off"\n' >"$CONFIG"
BACKENDS=()
for other in $DIALECTS; do
  [ "$other" = "$DIALECT" ] && continue
  section="[upstreams.$other]
dialect = \"$other\"
emulate = true
[surfaces.$DIALECT-$other]
dialect = \"$DIALECT\"
upstream = \"$other\"
prefix = \"/$DIALECT-$other\""
  printf '%s\n' "$section" >"$WORK/one.toml"
  cat "$CONFIG" "$WORK/one.toml" >"$WORK/try.toml"
  if ! "$HOOKGATE" check --config "$WORK/try.toml" >/dev/null 2>&1; then
    section="$section
owner = \"$APP\""
  fi
  printf '%s\n' "$section" >>"$CONFIG"
  BACKENDS+=("$other")
done
"$HOOKGATE" check --config "$CONFIG"
"$HOOKGATE" serve --config "$CONFIG" >"$WORK/gateway" 2>&1 &
PIDS+=($!)
ADDR=$(await "$WORK/gateway" '"message":"gateway listening","addr":"[^"]*"' "${PIDS[-1]}" | cut -d'"' -f8)

# The application id fixed: a surface's upstream takes owners in its own format.
{ cat "$ROOT/scripts/schemathesis-svix.toml"; printf '\n[parameters]\n"path.app_id" = "%s"\n' "$APP"; } \
  >"$WORK/fixed-app.toml"
for other in "${BACKENDS[@]}"; do
  run "http://$ADDR/$DIALECT-$other" "$WORK/fixed-app.toml" "$DIALECT surface on $other"
done
exit $FAILED
