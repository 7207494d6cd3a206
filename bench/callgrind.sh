#!/usr/bin/env bash
# Instructions (callgrind Ir) per translation and per request: the figures to compare before
# and after a change on a machine whose wall clock is shared with other work.
#
#   bench/callgrind.sh                 # all three tables
#   CG_PARTS=translate bench/callgrind.sh
#   CG_PARTS=list CG_KEEP=1 bench/callgrind.sh   # then callgrind_annotate the kept dumps
#   CG_PARTS="request list lua" bench/callgrind.sh  # nginx + Lua counted beside hookgate
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
# With "lua" in CG_PARTS, nginx + Lua (bench/nginx/lua.conf, xlate.lua; one process, no master)
# runs under callgrind too and the translated scenarios and lists are counted on it as well:
# everything nginx, LuaJIT (its compiled traces included) and lua-cjson execute, the vendor
# call through the subrequest included.
#
# Environment: CG_COUNT (2000 translations), CG_REQUESTS (1000 per scenario), CG_PORT (18280),
# CG_PARTS ("translate request list"; add "lua" for nginx + Lua), CG_BUILD (1 = cargo build --release first), CG_WORKERS
# (hookgate's runtime worker threads, 1 as in bench/run.sh), CG_LISTS ("1 10 100 1000"),
# CG_LIST_REQUESTS (40 per list size), CG_BIN (the binary; target/release/hookgate, built unless CG_BUILD=0), CG_KEEP (1 = keep the scratch folder and its dumps,
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
BIN=${CG_BIN:-$ROOT/target/release/hookgate}
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
    VPORT=$PORT HPORT=$((PORT + 1)) LPORT=$((PORT + 2))
    LUA=0
    if [[ " $PARTS " == *" lua "* ]]; then
        [[ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ]] ||
            die "the lua part needs libnginx-mod-http-lua and lua-cjson (apt-get install)"
        LUA=1
    fi
    NGX=$WORK/nginx
    mkdir -p "$NGX/conf" "$NGX/logs" "$NGX/tmp" "$NGX/lua"
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
    if ((LUA)); then   # nginx + Lua (bench/nginx/lua.conf) in one process: no master, one worker
        sed -e "s#@PREFIX@#$NGX#g" -e "s#@VENDOR_PORT@#$VPORT#g" -e "s#@GW_PORT@#$LPORT#g" \
            -e "s#@WORKERS@#1#g" -e "s#@NAME@#lua#g" -e 's#^daemon off;#daemon off;\nmaster_process off;#' \
            "$HERE/nginx/lua.conf" >"$NGX/conf/lua.conf"
        cp "$HERE/nginx/xlate.lua" "$NGX/lua/xlate.lua"
        valgrind --tool=callgrind --callgrind-out-file="$WORK/lua.out" --compress-strings=no \
            nginx -p "$NGX" -e "$NGX/logs/lua.err" -c "$NGX/conf/lua.conf" >"$NGX/logs/lua.out" 2>&1 &
        LG=$!
        PIDS+=("$LG")
    fi
    # One client, one keep-alive connection, requests one after another; every answer checked.
    cat >"$WORK/client.py" <<'EOF'
import http.client, sys
port, method, path, body, status, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
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
    if ((LUA)); then
        for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$LPORT") 2>/dev/null && break; sleep 0.1; done
    fi
    AGENT=9fbef0b7-8d4e-4a08-9207-66c22155721d
    HOOK=9fcafbf2-7593-44d6-8cd7-1b221beba62a
    PATCH=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$HERE/wrk/patch.lua")
    CPATH=/v1/upstreams/talkover/owners/$AGENT/webhooks
    SPATH=/surfaces/talkover/api/v1/agents/$AGENT/webhooks
    declare -A DUMPS=([cg.out]=0 [lua.out]=0)
    measure() {        # pid port out name method path body status requests warm-up -> IR (per request)
        local pid=$1 port=$2 out=$3
        shift 3
        python3 "$WORK/client.py" "$port" "$2" "$3" "$4" "$5" "$7" ||
            die "warm-up of $1 failed: $(tail -3 "$WORK/hookgate.log")"
        callgrind_control -z "$pid" >/dev/null 2>&1 || die "callgrind_control -z failed"
        python3 "$WORK/client.py" "$port" "$2" "$3" "$4" "$5" "$6" || die "$1 failed"
        callgrind_control -d "$pid" >/dev/null 2>&1 || die "callgrind_control -d failed"
        DUMPS[$out]=$((DUMPS[$out] + 1))
        local ir
        ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$WORK/$out.${DUMPS[$out]}" 2>/dev/null)
        [[ $ir =~ ^[0-9]+$ ]] || die "no counts in dump $out.${DUMPS[$out]} for $1 (is the disk full?)"
        IR=$(per "$ir" "$6")
    }
    both() {           # name method path body status requests warm-up [lua: 1 = also nginx + Lua]
        measure "$HG" "$HPORT" cg.out "$@"
        HG_IR=$IR LUA_IR=
        if ((LUA)) && [[ ${8:-1} == 1 ]]; then
            measure "$LG" "$LPORT" lua.out "${@:1:7}"
            LUA_IR=$IR
        fi
    }
    row() {            # first-cell -> a row with hookgate's Ir, and nginx + Lua's when measured
        if ((LUA)); then
            local r=n/a
            [[ -n $LUA_IR ]] && r=$(awk -v a="$HG_IR" -v b="$LUA_IR" 'BEGIN { printf "%.2f×", a / b }')
            echo "| $1 | $HG_IR | ${LUA_IR:-n/a} | $r |"
        else
            echo "| $1 | $HG_IR |"
        fi
    }
    header() {
        if ((LUA)); then
            echo "| $1 | hookgate, Ir per request | nginx + Lua, Ir per request | hookgate ÷ nginx + Lua |"
            echo "|---|---:|---:|---:|"
        else
            echo "| $1 | Ir per request |"
            echo "|---|---:|"
        fi
    }
    if [[ " $PARTS " == *" request "* ]]; then
        header scenario
        while IFS='|' read -r name method path body status lua; do
            both "$name" "$method" "$path" "$body" "$status" "$REQUESTS" 100 "$lua"
            row "$name"
        done <<EOF
GET, translated|GET|$CPATH/$HOOK||200|1
PATCH → PUT, translated|PATCH|$CPATH/$HOOK|$PATCH|200|1
vendor 422 → problem|PATCH|$CPATH/9fcafbf2-0000-4000-8000-000000000422|$PATCH|422|1
GET, surface (pass-through)|GET|$SPATH/$HOOK||200|0
EOF
        echo
    fi
    if [[ " $PARTS " == *" list "* ]]; then
        header "canonical list of N webhooks"
        points=()
        while read -r n agent; do
            # warm-up: about 1000 items' worth, so LuaJIT has compiled its traces (5 lists at least)
            both "list of $n" GET "/v1/upstreams/talkover/owners/$agent/webhooks" "" 200 "$LIST_REQUESTS" $((n >= 200 ? 5 : 1000 / n))
            row "$n"
            points+=("$n $HG_IR ${LUA_IR:-0}")
        done <"$NGX/lists.txt"
        printf '%s\n' "${points[@]}" | awk -v lua="$LUA" '
            { k++; sx += $1; sxx += $1 * $1; sy += $2; sxy += $1 * $2; ly += $3; lxy += $1 * $3 }
            END {
                d = k * sxx - sx * sx
                if (k < 2 || d == 0) exit
                b = (k * sxy - sx * sy) / d; a = (sy - b * sx) / k
                lb = (k * lxy - sx * ly) / d; la = (ly - lb * sx) / k
                if (lua) {
                    printf "| per listed item (slope) | %.0f | %.0f | %.2f× |\n", b, lb, b / lb
                    printf "| the list request without items (intercept) | %.0f | %.0f | %.2f× |\n", a, la, a / la
                } else {
                    printf "| per listed item (slope) | %.0f |\n| the list request without items (intercept) | %.0f |\n", b, a
                }
            }'
    fi
fi
