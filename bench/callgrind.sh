#!/usr/bin/env bash
# Instructions (callgrind Ir) per translation and per request: the figures to compare before
# and after a change on a machine whose wall clock is shared with other work.
#
#   bench/callgrind.sh                 # all three tables
#   CG_PARTS=translate bench/callgrind.sh
#   CG_PARTS=list CG_KEEP=1 bench/callgrind.sh   # then callgrind_annotate the kept dumps
#
# Per translation: examples/translate_ir runs each case of benches/translate.rs COUNT times
# under callgrind, counting only its loop; the figure is Ir / COUNT, mapping-driven and
# hand-written. Per request: the release hookgate runs under callgrind in front of the static
# vendor double of bench/nginx/up.conf (nginx, outside valgrind); after a warm-up the counters
# are zeroed (callgrind_control -z), REQUESTS requests of one scenario are sent one after
# another on one keep-alive connection, and the counters are dumped: Ir / REQUESTS is what
# hookgate executes for one request, all threads, HTTP in and out included.
# Per listed item: the same, for the canonical list of N webhooks (N from CG_LISTS, the vendor
# double's lists of bench/lists.sh); the slope of a least-squares line through Ir per request
# against N is what one more listed item costs, the intercept what the list request costs
# without items.
#
# Environment: CG_COUNT (2000 translations), CG_REQUESTS (1000 per scenario), CG_PORT (18280),
# CG_PARTS ("translate request list"), CG_BUILD (1 = cargo build --release first), CG_WORKERS
# (hookgate's runtime worker threads, 1 as in bench/run.sh), CG_LISTS ("1 10 100 1000"),
# CG_LIST_REQUESTS (40 per list size), CG_KEEP (1 = keep the scratch folder and its dumps,
# cg.out.N, one per scenario in table order).
# Needs valgrind, python3 and, for the per-request part, nginx. Leaves nothing running.
set -uo pipefail

COUNT=${CG_COUNT:-2000}
REQUESTS=${CG_REQUESTS:-1000}
PORT=${CG_PORT:-18280}
PARTS=${CG_PARTS:-"translate request list"}
BUILD=${CG_BUILD:-1}
LISTS=${CG_LISTS:-"1 10 100 1000"}
LIST_REQUESTS=${CG_LIST_REQUESTS:-40}
KEEP=${CG_KEEP:-0}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK=$(mktemp -d /tmp/hookgate-callgrind.XXXXXX) || exit 1
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [[ $KEEP == 1 ]]; then printf 'callgrind: scratch folder kept: %s\n' "$WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
die() { printf 'callgrind: %s\n' "$*" >&2; exit 1; }

command -v valgrind >/dev/null || die "valgrind is missing"
command -v python3 >/dev/null || die "python3 is missing"
if ((BUILD)); then
    (cd "$ROOT" && cargo build --release --locked --bin hookgate --example translate_ir) >"$WORK/build.log" 2>&1 ||
        die "build failed: $(tail -5 "$WORK/build.log")"
fi
BIN=$ROOT/target/release/hookgate
DRIVER=$ROOT/target/release/examples/translate_ir

# Ir from a callgrind run's own summary line (stderr: "Collected : N").
collected() { awk '/Collected :/ { print $NF }' "$1"; }
per() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.0f", a / n }'; }

if [[ " $PARTS " == *" translate "* ]]; then
    echo "| dialect/direction | mapped, Ir | hand-written, Ir | ratio |"
    echo "|---|---:|---:|---:|"
    for dialect in agentmessage chirp resemble talkover; do
        for direction in read render write; do
            row=()
            for side in mapped handwritten; do
                valgrind --tool=callgrind --callgrind-out-file=/dev/null \
                    --toggle-collect='*translate_ir*repeat*' \
                    "$DRIVER" "$dialect" "$direction" "$side" "$COUNT" >/dev/null 2>"$WORK/t.err" ||
                    die "translate_ir $dialect $direction $side failed: $(tail -3 "$WORK/t.err")"
                row+=("$(per "$(collected "$WORK/t.err")" "$COUNT")")
            done
            ratio=$(awk -v a="${row[0]}" -v b="${row[1]}" 'BEGIN { printf "%.2f", a / b }')
            echo "| $dialect/$direction | ${row[0]} | ${row[1]} | ${ratio}× |"
        done
    done
    echo
fi

if [[ " $PARTS " == *" request "* || " $PARTS " == *" list "* ]]; then
    command -v nginx >/dev/null || die "nginx is missing (apt-get install nginx-light)"
    VPORT=$PORT HPORT=$((PORT + 1))
    NGX=$WORK/nginx
    mkdir -p "$NGX/conf" "$NGX/logs" "$NGX/tmp"
    "$HERE/lists.sh" "$NGX/lists" $LISTS >"$NGX/lists.txt" || die "cannot write the lists"
    chmod a+rX "$WORK" "$NGX" "$NGX/lists" "$NGX"/lists/*    # nginx's workers read them as nobody
    sed -e "s#@PREFIX@#$NGX#g" -e "s#@VENDOR_PORT@#$VPORT#g" "$HERE/nginx/up.conf" >"$NGX/conf/up.conf"
    nginx -p "$NGX" -e "$NGX/logs/up.err" -c "$NGX/conf/up.conf" >"$NGX/logs/up.out" 2>&1 &
    PIDS+=($!)
    cat >"$WORK/hookgate.toml" <<EOF
listen = "127.0.0.1:$HPORT"
mappings_dir = "$ROOT/mappings"
default_upstream = "talkover"

[upstreams.talkover]
dialect = "talkover"
base_url = "http://127.0.0.1:$VPORT"
auth = { type = "none" }

[surfaces.s]
dialect = "talkover"
upstream = "talkover"
prefix = "/surfaces/talkover"

[inbound_auth]
mode = "off"                # nginx checks no credential either

[log]
level = "warn"
EOF
    TOKIO_WORKER_THREADS=${CG_WORKERS:-1} RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
        --compress-strings=no \
        "$BIN" --config "$WORK/hookgate.toml" >"$WORK/hookgate.log" 2>&1 &
    HG=$!
    PIDS+=("$HG")
    # One client, one keep-alive connection, requests one after another; every answer checked.
    cat >"$WORK/client.py" <<'EOF'
import http.client, sys
port, method, path, body, status, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
headers = {"Authorization": "Bearer bench-token"}
if body:
    headers["Content-Type"] = "application/merge-patch+json" if method == "PATCH" else "application/json"
for _ in range(n):
    conn.request(method, path, body=body.encode() if body else None, headers=headers)
    r = conn.getresponse()
    r.read()
    if r.status != status:
        sys.exit(f"{method} {path}: {r.status}, expected {status}")
EOF
    for _ in $(seq 200); do
        python3 "$WORK/client.py" "$HPORT" GET /healthz "" 200 1 2>/dev/null && break
        sleep 0.1
    done
    AGENT=9fbef0b7-8d4e-4a08-9207-66c22155721d
    HOOK=9fcafbf2-7593-44d6-8cd7-1b221beba62a
    PATCH=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$HERE/wrk/patch.lua")
    CPATH=/v1/upstreams/talkover/owners/$AGENT/webhooks
    SPATH=/surfaces/talkover/api/v1/agents/$AGENT/webhooks
    dumps=0
    measure() {        # name method path body status requests warm-up -> IR (per request)
        python3 "$WORK/client.py" "$HPORT" "$2" "$3" "$4" "$5" "$7" ||
            die "warm-up of $1 failed: $(tail -3 "$WORK/hookgate.log")"
        callgrind_control -z "$HG" >/dev/null 2>&1 || die "callgrind_control -z failed"
        python3 "$WORK/client.py" "$HPORT" "$2" "$3" "$4" "$5" "$6" || die "$1 failed"
        callgrind_control -d "$HG" >/dev/null 2>&1 || die "callgrind_control -d failed"
        dumps=$((dumps + 1))
        local ir
        ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$WORK/cg.out.$dumps" 2>/dev/null)
        [[ $ir =~ ^[0-9]+$ ]] || die "no counts in dump $dumps for $1 (is the disk full?)"
        IR=$(per "$ir" "$6")
    }
    if [[ " $PARTS " == *" request "* ]]; then
        echo "| scenario | Ir per request |"
        echo "|---|---:|"
        while IFS='|' read -r name method path body status; do
            measure "$name" "$method" "$path" "$body" "$status" "$REQUESTS" 100
            echo "| $name | $IR |"
        done <<EOF
GET, translated|GET|$CPATH/$HOOK||200
PATCH → PUT, translated|PATCH|$CPATH/$HOOK|$PATCH|200
vendor 422 → problem|PATCH|$CPATH/wh-invalid|$PATCH|422
GET, surface (pass-through)|GET|$SPATH/$HOOK||200
EOF
        echo
    fi
    if [[ " $PARTS " == *" list "* ]]; then
        echo "| canonical list of N webhooks | Ir per request |"
        echo "|---|---:|"
        points=()
        while read -r n agent; do
            measure "list of $n" GET "/v1/upstreams/talkover/owners/$agent/webhooks" "" 200 "$LIST_REQUESTS" 5
            echo "| $n | $IR |"
            points+=("$n $IR")
        done <"$NGX/lists.txt"
        printf '%s\n' "${points[@]}" | awk '
            { k++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
            END {
                d = k * sxx - sx * sx
                if (k < 2 || d == 0) exit
                b = (k * sxy - sx * sy) / d
                printf "| per listed item (slope) | %.0f |\n| the list request without items (intercept) | %.0f |\n", b, (sy - b * sx) / k
            }'
    fi
fi
