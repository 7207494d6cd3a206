#!/usr/bin/env bash
# hookgate against nginx, on one machine, over loopback, in one run.
#
# Starts a static vendor double (nginx answering fixed Talkover bodies, and generated lists of
# 1 to 1000 webhooks), nginx as a plain proxy_pass, nginx + njs (bench/nginx/xlate.js) and
# nginx + LuaJIT + lua-cjson (bench/nginx/xlate.lua, the engine under Kong and APISIX), both
# translating the canonical API to Talkover, and hookgate (the release build) in front of the
# same double; checks that hookgate, njs and Lua answer the same bodies; drives every contender
# with wrk at -c32 and -c1 in alternating rounds: single webhooks, a list-size sweep, and the
# translated GET with two workers each; then a storm of BENCH_STORM connections against a fresh
# hookgate (its peak RSS, and its RSS in the 30 s after); then measures its startup time,
# and prints Markdown tables, also written to bench/results/latest.md. See bench/README.md.
#
# Environment (all optional):
#   BENCH_DURATION  seconds per wrk run                        (5)
#   BENCH_ROUNDS    measured rounds per scenario and -c value  (3)
#   BENCH_WARMUP    seconds of warm-up per contender, 0 = none (1)
#   BENCH_CONNS     connection counts to measure               ("32 1")
#   BENCH_STARTS    hookgate starts timed for the startup time (9)
#   BENCH_PORT      first of the loopback ports used           (18180: +0 vendor, +1 nginx
#                                                               proxy_pass + njs, +2 hookgate,
#                                                               +3 nginx + Lua, +4..+6 the same
#                                                               with two workers, +10.. startups)
#   BENCH_PARTS     what to measure                            ("single sweep workers storm")
#   BENCH_STORM     connections of the storm                   (2000; 10 s of wrk -t2)
#   BENCH_SWEEP     list sizes of the sweep                    ("1 10 100 1000")
#   BENCH_INSTALL   1 = apt-get install what is missing        (1)
#   BENCH_OUT       where the table is written                 (bench/results/latest.md)
#   BENCH_QUIET     seconds to wait for other processes to go quiet before the load (300)
#   BENCH_WORKERS   hookgate's runtime worker threads (1, as each nginx runs one worker;
#                   0 = the runtime's default, one per core); the two-worker scenario runs
#                   a second hookgate with 2 and nginx with worker_processes 2 whatever it says
#   BENCH_KEEP      1 = keep the scratch folder (logs, raw wrk output)
#   HOOKGATE_BIN    a hookgate binary to measure; unset = `cargo build --release` first
set -uo pipefail

DURATION=${BENCH_DURATION:-5}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-1}
CONNS=${BENCH_CONNS:-"32 1"}
STARTS=${BENCH_STARTS:-9}
PORT_BASE=${BENCH_PORT:-18180}
INSTALL=${BENCH_INSTALL:-1}
KEEP=${BENCH_KEEP:-0}
QUIET_WAIT=${BENCH_QUIET:-300}
WORKERS=${BENCH_WORKERS:-1}
PARTS=${BENCH_PARTS:-"single sweep workers storm"}
SWEEP=${BENCH_SWEEP:-"1 10 100 1000"}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${BENCH_OUT:-$HERE/results/latest.md}

VPORT=$PORT_BASE            # the vendor double
GPORT=$((PORT_BASE + 1))    # nginx: proxy_pass and njs
HPORT=$((PORT_BASE + 2))    # hookgate under load
LPORT=$((PORT_BASE + 3))    # nginx + Lua
G2PORT=$((PORT_BASE + 4))   # nginx proxy_pass, two workers
L2PORT=$((PORT_BASE + 5))   # nginx + Lua, two workers
H2PORT=$((PORT_BASE + 6))   # hookgate, two runtime worker threads
SPORT=$((PORT_BASE + 10))   # hookgate startups, one port each

AGENT=9fbef0b7-8d4e-4a08-9207-66c22155721d
HOOK=9fcafbf2-7593-44d6-8cd7-1b221beba62a
VPATH=/api/v1/agents/$AGENT/webhooks/$HOOK
VPATH_422=/api/v1/agents/$AGENT/webhooks/9fcafbf2-0000-4000-8000-000000000422
CPATH=/v1/upstreams/talkover/owners/$AGENT/webhooks/$HOOK
CPATH_422=/v1/upstreams/talkover/owners/$AGENT/webhooks/9fcafbf2-0000-4000-8000-000000000422

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

for v in DURATION ROUNDS WARMUP STARTS PORT_BASE QUIET_WAIT WORKERS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
((DURATION >= 1 && ROUNDS >= 1 && STARTS >= 1)) || die "BENCH_DURATION, BENCH_ROUNDS and BENCH_STARTS must be at least 1"
for c in $CONNS; do [[ $c =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONNS holds '$c', not a connection count"; done
for n in $SWEEP; do [[ $n =~ ^[1-9][0-9]{0,5}$ ]] || die "BENCH_SWEEP holds '$n', not a list size from 1 to 999999"; done
for p in $PARTS; do [[ $p =~ ^(single|sweep|workers|storm)$ ]] || die "BENCH_PARTS holds '$p': single, sweep, workers or storm"; done
[[ ${BENCH_STORM:-2000} =~ ^[1-9][0-9]{0,4}$ ]] || die "BENCH_STORM holds '${BENCH_STORM}', not a connection count"
part() { [[ " $PARTS " == *" $1 "* ]]; }

# ------------------------------------------------------------------ cleanup: by PID only
PIDS=()
WRK_PID=
POLICY_CREATED=0
WORK=$(mktemp -d /tmp/hookgate-bench.XXXXXX) || die "cannot make a scratch folder"

stop_pid() {            # TERM, up to 5 s, then KILL; only our own children
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

forget_pid() {
    local keep=() p
    for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

cleanup() {
    local pid
    [[ -n $WRK_PID ]] && stop_pid "$WRK_PID"
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    ((POLICY_CREATED)) && rm -f /usr/sbin/policy-rc.d
    if [[ $KEEP == 1 ]]; then say "bench: scratch folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ------------------------------------------------------------------ tools
PACKAGES="nginx-light libnginx-mod-http-js libnginx-mod-http-lua lua-cjson wrk jq curl"
have_tools() {
    command -v nginx >/dev/null && command -v wrk >/dev/null && command -v jq >/dev/null &&
        command -v curl >/dev/null && [[ -f /usr/lib/nginx/modules/ngx_http_js_module.so ]] &&
        [[ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ]] &&
        compgen -G '/usr/lib/*/lua/5.1/cjson.so' >/dev/null
}
if ! have_tools; then
    [[ $INSTALL == 1 ]] || die "missing one of $PACKAGES, and BENCH_INSTALL=0"
    [[ $(id -u) == 0 ]] || die "installing $PACKAGES needs root"
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then     # no distro service may start on its own
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d &&
            POLICY_CREATED=1
    fi
    say "bench: installing $PACKAGES"
    timeout 600 apt-get update -qq >"$WORK/apt.log" 2>&1 || die "apt-get update failed: $(tail -3 "$WORK/apt.log")"
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends \
        $PACKAGES >>"$WORK/apt.log" 2>&1 ||
        die "apt-get install failed: $(tail -3 "$WORK/apt.log")"
    if ((POLICY_CREATED)); then rm -f /usr/sbin/policy-rc.d; POLICY_CREATED=0; fi
    have_tools || die "the tools are still missing after apt-get install"
fi

# ------------------------------------------------------------------ hookgate, as built
if [[ -n ${HOOKGATE_BIN:-} ]]; then
    SRC_BIN=$HOOKGATE_BIN
else
    say "bench: cargo build --release"
    (cd "$ROOT" && timeout 1800 cargo build --release --bin hookgate) >"$WORK/build.log" 2>&1 ||
        die "cargo build --release failed: $(tail -5 "$WORK/build.log")"
    SRC_BIN=$ROOT/target/release/hookgate
fi
[[ -x $SRC_BIN ]] || die "no hookgate binary at $SRC_BIN"
BIN=$WORK/hookgate                      # a private copy: a rebuild during the run changes nothing
cp "$SRC_BIN" "$BIN" || die "cannot copy $SRC_BIN"
MAPPING_FILES=$(ls "$ROOT"/mappings/*.toml 2>/dev/null | wc -l)

# ------------------------------------------------------------------ ports
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {          # port, seconds
    local i
    for ((i = 0; i < $2 * 100; i++)); do
        port_open "$1" && return 0
        sleep 0.01
    done
    return 1
}
for p in $VPORT $GPORT $HPORT $LPORT $G2PORT $L2PORT $H2PORT $(seq "$SPORT" $((SPORT + 2 * STARTS))); do
    port_open "$p" && die "port $p is in use; set BENCH_PORT to a free range"
done

# ------------------------------------------------------------------ nginx: double and peers
NGX=$WORK/nginx
mkdir -p "$NGX/conf" "$NGX/logs" "$NGX/tmp" "$NGX/js" "$NGX/lua"
# the double's lists: N webhooks for agent 9fbef0b7-8d4e-4a08-9207-{N, 12 digits}
declare -A LIST_AGENT
"$HERE/lists.sh" "$NGX/lists" $SWEEP >"$NGX/lists.txt" || die "cannot write the lists"
chmod a+rX "$WORK" "$NGX" "$NGX/lists" "$NGX"/lists/*    # nginx's workers read them as nobody
while read -r n agent; do LIST_AGENT[$n]=$agent; done <"$NGX/lists.txt"
render() {             # template name port workers
    sed -e "s#@PREFIX@#$NGX#g" -e "s#@VENDOR_PORT@#$VPORT#g" -e "s#@GW_PORT@#$3#g" \
        -e "s#@WORKERS@#$4#g" -e "s#@NAME@#$2#g" "$HERE/nginx/$1.conf" >"$NGX/conf/$2.conf"
}
render up up "$VPORT" 1
render gw gw "$GPORT" 1
render lua lua "$LPORT" 1
render gw gw2 "$G2PORT" 2
render lua lua2 "$L2PORT" 2
cp "$HERE/nginx/xlate.js" "$NGX/js/xlate.js"
cp "$HERE/nginx/xlate.lua" "$NGX/lua/xlate.lua"

start_nginx() {        # name port; sets STARTED (the master's PID, a child of this shell)
    nginx -t -q -p "$NGX" -e "$NGX/logs/$1.err" -c "$NGX/conf/$1.conf" >"$NGX/logs/$1.test" 2>&1 ||
        die "nginx $1.conf does not load: $(cat "$NGX/logs/$1.test")"
    nginx -p "$NGX" -e "$NGX/logs/$1.err" -c "$NGX/conf/$1.conf" >"$NGX/logs/$1.out" 2>&1 &
    STARTED=$!
    PIDS+=("$STARTED")
    wait_port "$2" 5 || die "nginx $1 did not listen on $2: $(tail -3 "$NGX/logs/$1.err")"
}
start_nginx up "$VPORT"
UP_PID=$STARTED
start_nginx gw "$GPORT"
GW_PID=$STARTED
start_nginx lua "$LPORT"
LUA_PID=$STARTED
if part workers; then
    start_nginx gw2 "$G2PORT"
    GW2_PID=$STARTED
    start_nginx lua2 "$L2PORT"
    LUA2_PID=$STARTED
fi
NGINX_MASTERS=("$UP_PID" "$GW_PID" "$LUA_PID" ${GW2_PID:-} ${LUA2_PID:-})
if part workers; then
    for pid in "$GW2_PID" "$LUA2_PID"; do
        for ((i = 0; i < 100; i++)); do [[ $(pgrep -c -P "$pid") == 2 ]] && break; sleep 0.02; done
        [[ $(pgrep -c -P "$pid") == 2 ]] || die "nginx $pid does not run two workers: $(pgrep -a -P "$pid")"
    done
fi

# ------------------------------------------------------------------ hookgate under load
cat >"$WORK/hookgate.toml" <<EOT
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
EOT
# hookgate serves with TOKIO_WORKER_THREADS workers; unset, one per core.
HG_ENV=(RUST_LOG=warn)
((WORKERS > 0)) && HG_ENV+=(TOKIO_WORKER_THREADS="$WORKERS")
env "${HG_ENV[@]}" "$BIN" --config "$WORK/hookgate.toml" >"$WORK/hookgate.log" 2>&1 &
HG_PID=$!
PIDS+=("$HG_PID")
wait_port "$HPORT" 5 || die "hookgate did not listen on $HPORT: $(tail -5 "$WORK/hookgate.log")"
rss_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
HG_IDLE_KB=$(rss_kb "$HG_PID" VmRSS)
HG2_PID=
if part workers; then       # the same configuration, two runtime worker threads
    sed "s/^listen = .*/listen = \"127.0.0.1:$H2PORT\"/" "$WORK/hookgate.toml" >"$WORK/hookgate2.toml"
    env RUST_LOG=warn TOKIO_WORKER_THREADS=2 "$BIN" --config "$WORK/hookgate2.toml" >"$WORK/hookgate2.log" 2>&1 &
    HG2_PID=$!
    PIDS+=("$HG2_PID")
    wait_port "$H2PORT" 5 || die "hookgate (two workers) did not listen on $H2PORT: $(tail -5 "$WORK/hookgate2.log")"
fi

# ------------------------------------------------------------------ contenders
# key -> label, URL, wrk script, expected status, server (the PID whose CPU is counted: an
# nginx master stands for its workers)
declare -A LABEL URL SCRIPT EXPECT SERVER
contender() { LABEL[$1]=$2; URL[$1]=$3; SCRIPT[$1]=$4; EXPECT[$1]=$5; SERVER[$1]=$6; }
V=http://127.0.0.1:$VPORT G=http://127.0.0.1:$GPORT H=http://127.0.0.1:$HPORT L=http://127.0.0.1:$LPORT
PUT=$HERE/wrk/put.lua PATCH=$HERE/wrk/patch.lua
SETS=()                # each set shares one request shape; a round runs every member once
if part single; then
    contender v_get   "vendor double, direct"          "$V$VPATH"                        ""       200 "$UP_PID"
    contender p_get   "nginx proxy_pass"               "$G/surfaces/talkover$VPATH"      ""       200 "$GW_PID"
    contender n_get   "nginx + njs"                    "$G$CPATH"                        ""       200 "$GW_PID"
    contender l_get   "nginx + Lua"                    "$L$CPATH"                        ""       200 "$LUA_PID"
    contender h_get   "**hookgate**"                   "$H$CPATH"                        ""       200 "$HG_PID"
    contender h_surf  "**hookgate** (surface)"         "$H/surfaces/talkover$VPATH"      ""       200 "$HG_PID"
    contender v_put   "vendor double, direct (PUT)"    "$V$VPATH"                        "$PUT"   200 "$UP_PID"
    contender p_put   "nginx proxy_pass (PUT)"         "$G/surfaces/talkover$VPATH"      "$PUT"   200 "$GW_PID"
    contender n_patch "nginx + njs"                    "$G$CPATH"                        "$PATCH" 200 "$GW_PID"
    contender l_patch "nginx + Lua"                    "$L$CPATH"                        "$PATCH" 200 "$LUA_PID"
    contender h_patch "**hookgate**"                   "$H$CPATH"                        "$PATCH" 200 "$HG_PID"
    contender v_422   "vendor double, direct (PUT)"    "$V$VPATH_422"                    "$PUT"   422 "$UP_PID"
    contender p_422   "nginx proxy_pass (PUT)"         "$G/surfaces/talkover$VPATH_422"  "$PUT"   422 "$GW_PID"
    contender n_422   "nginx + njs"                    "$G$CPATH_422"                    "$PATCH" 422 "$GW_PID"
    contender l_422   "nginx + Lua"                    "$L$CPATH_422"                    "$PATCH" 422 "$LUA_PID"
    contender h_422   "**hookgate**"                   "$H$CPATH_422"                    "$PATCH" 422 "$HG_PID"
    SETS+=("v_get p_get n_get l_get h_get h_surf" "v_put p_put n_patch l_patch h_patch" "v_422 p_422 n_422 l_422 h_422")
fi
SWEEP_SETS=()
if part sweep; then    # the list: vendor GET /api/v1/agents/{agent}/webhooks, canonical GET .../webhooks
    for n in $SWEEP; do
        a=${LIST_AGENT[$n]}
        contender "v_l$n" "vendor double, direct" "$V/api/v1/agents/$a/webhooks"                    "" 200 "$UP_PID"
        contender "p_l$n" "nginx proxy_pass"      "$G/surfaces/talkover/api/v1/agents/$a/webhooks" "" 200 "$GW_PID"
        contender "l_l$n" "nginx + Lua"           "$L/v1/upstreams/talkover/owners/$a/webhooks"    "" 200 "$LUA_PID"
        contender "h_l$n" "**hookgate**"          "$H/v1/upstreams/talkover/owners/$a/webhooks"    "" 200 "$HG_PID"
        SWEEP_SETS+=("v_l$n p_l$n l_l$n h_l$n")
    done
fi
WORKER_SETS=()
if part workers; then  # the translated GET (the proxy_pass row: the vendor's own GET), one and two workers
    contender p_w1 "nginx proxy_pass, 1 worker"  "$G/surfaces/talkover$VPATH"                 "" 200 "$GW_PID"
    contender l_w1 "nginx + Lua, 1 worker"       "$L$CPATH"                                   "" 200 "$LUA_PID"
    case $WORKERS in 0) w="one worker per core" ;; 1) w="1 worker" ;; *) w="$WORKERS workers" ;; esac
    contender h_w1 "**hookgate**, $w" "$H$CPATH" "" 200 "$HG_PID"
    contender p_w2 "nginx proxy_pass, 2 workers" "http://127.0.0.1:$G2PORT/surfaces/talkover$VPATH" "" 200 "$GW2_PID"
    contender l_w2 "nginx + Lua, 2 workers"      "http://127.0.0.1:$L2PORT$CPATH"             "" 200 "$LUA2_PID"
    contender h_w2 "**hookgate**, 2 workers"     "http://127.0.0.1:$H2PORT$CPATH"             "" 200 "$HG2_PID"
    WORKER_SETS+=("p_w1 l_w1 h_w1 p_w2 l_w2 h_w2")
fi
AUTH="Authorization: Bearer bench-token"   # every contender gets it; the surface requires one

# ------------------------------------------------------------------ same answers?
PATCH_BODY=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$HERE/wrk/patch.lua")
PUT_BODY=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$HERE/wrk/put.lua")
fetch() {              # key -> "status content-type" on line 1, body after
    local key=$1 args=(-s -S -m 5 -H "$AUTH" -o "$WORK/body.$key" -w '%{http_code} %{content_type}')
    case ${SCRIPT[$key]} in
    *patch.lua) args+=(-X PATCH -H 'Content-Type: application/merge-patch+json' --data-binary "$PATCH_BODY") ;;
    *put.lua) args+=(-X PUT -H 'Content-Type: application/json' --data-binary "$PUT_BODY") ;;
    esac
    curl "${args[@]}" "${URL[$key]}"
}
CHECKS=()
ANOMALIES=()
MISMATCH=0
declare -A HEAD
for key in "${!LABEL[@]}"; do
    HEAD[$key]=$(fetch "$key") || die "no answer from ${LABEL[$key]} at ${URL[$key]}"
    [[ ${HEAD[$key]%% *} == "${EXPECT[$key]}" ]] ||
        die "${LABEL[$key]} ($key) answered ${HEAD[$key]%% *}, expected ${EXPECT[$key]}: $(head -c 400 "$WORK/body.$key")"
done
same() {               # a b: bodies equal as JSON values (members sorted), request_id aside
    diff <(jq -S 'del(.request_id?)' "$WORK/body.$1") <(jq -S 'del(.request_id?)' "$WORK/body.$2") >"$WORK/diff.$1.$2" 2>&1
}
agree() {              # a b what: a must answer b's body
    if same "$1" "$2"; then
        CHECKS+=("$3")
    else
        MISMATCH=1
        say "bench: ${LABEL[$1]} ($1) and ${LABEL[$2]} ($2) answer different bodies (diff of sorted JSON, $1 first):"
        head -40 "$WORK/diff.$1.$2" >&2
    fi
}
if part single; then
    for s in get patch 422; do
        agree "h_$s" "n_$s" "$s: hookgate and nginx + njs answer the same JSON"
        agree "h_$s" "l_$s" "$s: hookgate and nginx + Lua answer the same JSON"
    done
    if same h_surf v_get; then
        CHECKS+=("surface: hookgate's Talkover surface answers the vendor's body")
    else
        CHECKS+=("surface: hookgate's Talkover surface answer differs from the vendor's body (see below)")
        SURFACE_DIFF=$(cat "$WORK/diff.h_surf.v_get")
    fi
    for key in h_422 n_422 l_422; do
        [[ ${HEAD[$key]} == *problem+json* ]] || { MISMATCH=1; say "bench: $key answered '${HEAD[$key]}', not a problem"; }
    done
fi
if part sweep; then
    for n in $SWEEP; do
        agree "h_l$n" "l_l$n" "list of $n: hookgate and nginx + Lua answer the same JSON"
        cmp -s "$WORK/body.p_l$n" "$WORK/body.v_l$n" || { MISMATCH=1; say "bench: proxy_pass changed the list of $n"; }
        got=$(jq '.data | length' "$WORK/body.h_l$n")
        [[ $got == "$n" ]] || { MISMATCH=1; say "bench: hookgate listed $got webhooks, not $n"; }
    done
fi
if part workers; then
    agree h_w2 l_w2 "get, two workers: hookgate and nginx + Lua answer the same JSON"
fi
((MISMATCH)) && die "the contenders do not do the same work; fix bench/nginx/xlate.js or xlate.lua first"

# ------------------------------------------------------------------ other processes' CPU
# Busy time (user + nice + system) of the whole machine, minus that of this script, its
# children and the servers under test: what other processes took. Loopback softirq time is
# left out on both sides.
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
machine_busy() { awk '/^cpu / { print $2 + $3 + $4; exit }' /proc/stat; }
proc_busy() {          # pid [1 = with reaped children]
    awk -v kids="${2:-0}" '{ sub(/^.*\) /, ""); print $12 + $13 + (kids ? $14 + $15 : 0) }' "/proc/$1/stat" 2>/dev/null || echo 0
}
NGINX_WORKERS=()
for pid in "${NGINX_MASTERS[@]}"; do NGINX_WORKERS+=($(pgrep -P "$pid")); done
our_busy() {
    local total pid
    total=$(proc_busy $$ 1)
    for pid in "$HG_PID" $HG2_PID "${NGINX_MASTERS[@]}" "${NGINX_WORKERS[@]}"; do
        total=$((total + $(proc_busy "$pid")))
    done
    echo "$total"
}
snapshot() { now_us; SNAP_T=$NOW; SNAP_M=$(machine_busy); SNAP_O=$(our_busy); }
foreign_pct() {        # since the last snapshot: % of one core used by other processes
    local t0=$SNAP_T m0=$SNAP_M o0=$SNAP_O
    snapshot
    awk -v m="$((SNAP_M - m0))" -v o="$((SNAP_O - o0))" -v us="$((SNAP_T - t0))" -v hz="$HZ" \
        'BEGIN { f = (m - o) / hz / (us / 1e6) * 100; if (f < 0) f = 0; printf "%.0f", f }'
}
now_us() { local t=$EPOCHREALTIME; NOW=$((10#${t/./})); }   # no fork: sets NOW
QUIET_LEFT=$QUIET_WAIT   # one budget for the whole run
wait_quiet() {         # until other processes take <= 15% of a core for 1 s, within the budget
    local pct
    while :; do
        snapshot
        sleep 1
        pct=$(foreign_pct)
        QUIET_PCT=$pct
        ((pct <= 15 || QUIET_LEFT <= 0)) && return 0
        say "bench: other processes use ${pct}% of a core; waiting for quiet (${QUIET_LEFT}s left)"
        sleep 4
        QUIET_LEFT=$((QUIET_LEFT - 5))
    done
}
wait_quiet
BEFORE_PCT=$QUIET_PCT
((BEFORE_PCT > 15)) && ANOMALIES+=("other processes used ${BEFORE_PCT}% of a core just before the load")

# ------------------------------------------------------------------ load
RAW=$WORK/raw
mkdir -p "$RAW"
RESULTS=$WORK/results.txt
: >"$RESULTS"
n_runs=0
for g in "${SETS[@]}" "${SWEEP_SETS[@]}" "${WORKER_SETS[@]}"; do set -- $g; n_runs=$((n_runs + $#)); done
n_conns=$(wc -w <<<"$CONNS")
total=$((n_runs * (n_conns * ROUNDS * DURATION + WARMUP)))
say "bench: $n_runs contenders x $n_conns connection counts x $ROUNDS rounds x ${DURATION}s (+ ${WARMUP}s warm-up each): about $((total / 60)) min $((total % 60)) s of load"

run_wrk() {            # key conns seconds outfile
    local key=$1 args=(-t1 -c"$2" -d"$3"s --latency --timeout 5s -H "$AUTH")
    [[ -n ${SCRIPT[$key]} ]] && args+=(-s "${SCRIPT[$key]}")
    timeout $(($3 + 20)) wrk "${args[@]}" "${URL[$key]}" >"$4" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID"
    local rc=$?
    WRK_PID=
    return $rc
}
parse_wrk() {          # file -> rps p50_us p99_us requests non2xx socket_errors
    awk '
        function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v + 0 }
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = us($2) }
        $1 == "99%" { p99 = us($2) }
        / requests in / { req = $1 }
        /Non-2xx or 3xx responses/ { non = $NF }
        /Socket errors/ { gsub(/[^0-9 ]/, " "); se = 0; for (i = 1; i <= NF; i++) se += $i }
        END { printf "%s %s %s %s %d %d\n", (rps == "" ? "nan" : rps), (p50 == "" ? "nan" : p50), (p99 == "" ? "nan" : p99), (req == "" ? 0 : req), non, se }
    ' "$1"
}
server_busy() {        # key -> CPU jiffies so far of the server that answers it (an nginx: its workers)
    local pid=${SERVER[$1]} p total=0 kids
    kids=$(pgrep -P "$pid")
    [[ $pid == "$HG_PID" || $pid == "$HG2_PID" ]] && kids=$pid
    for p in $kids; do total=$((total + $(proc_busy "$p"))); done
    echo "$total"
}
MAX_PCT=0
REPEATS=0
FOREIGN_SUM=0
FOREIGN_N=0
run_sets() {           # set...: warm-up, then for each -c the alternating rounds
  local g members c round n i key out attempt cpu0 cpu1 pct rps p50 p99 req non se cpu_req
  for g in "$@"; do
    read -ra members <<<"$g"
    if ((WARMUP > 0)); then
        for key in "${members[@]}"; do run_wrk "$key" 32 "$WARMUP" "$RAW/warmup.$key" || true; done
    fi
    for c in $CONNS; do
        for ((round = 1; round <= ROUNDS; round++)); do
            n=${#members[@]}
            for ((i = 0; i < n; i++)); do
                key=${members[$(((i + round - 1) % n))]}
                out=$RAW/$key.c$c.r$round
                # a run during which other processes took CPU is repeated (twice at most)
                for ((attempt = 0; ; attempt++)); do
                    snapshot
                    cpu0=$(server_busy "$key")
                    run_wrk "$key" "$c" "$DURATION" "$out" || ANOMALIES+=("$key -c$c round $round: wrk exited non-zero")
                    cpu1=$(server_busy "$key")
                    pct=$(foreign_pct)
                    ((pct <= 15 || attempt >= 2)) && break
                    say "bench: $key -c$c round $round: other processes took ${pct}% of a core; again"
                    wait_quiet
                done
                ((pct > 15)) && ANOMALIES+=("${LABEL[$key]} ($key) -c$c round $round: other processes took ${pct}% of a core")
                ((pct > MAX_PCT)) && MAX_PCT=$pct
                FOREIGN_SUM=$((FOREIGN_SUM + pct)); FOREIGN_N=$((FOREIGN_N + 1))
                REPEATS=$((REPEATS + attempt))
                read -r rps p50 p99 req non se < <(parse_wrk "$out")
                cpu_req=$(awk -v j="$((cpu1 - cpu0))" -v hz="$HZ" -v n="$req" 'BEGIN { if (n > 0) printf "%.1f", j / hz * 1e6 / n; else print "nan" }')
                echo "$key $c $round $rps $p50 $p99 $req $non $se $pct $cpu_req" >>"$RESULTS"
                if [[ ${EXPECT[$key]} == 200 ]] && ((non > 0)); then
                    ANOMALIES+=("${LABEL[$key]} ($key) -c$c round $round: $non of $req answers were not 2xx")
                elif [[ ${EXPECT[$key]} != 200 ]] && ((non != req)); then
                    ANOMALIES+=("${LABEL[$key]} ($key) -c$c round $round: $((req - non)) of $req answers were 2xx, expected ${EXPECT[$key]}")
                fi
                ((se > 0)) && ANOMALIES+=("${LABEL[$key]} ($key) -c$c round $round: $se socket errors")
                say "bench: $(printf '%-8s -c%-3s round %d: %9s req/s  p50 %7s us  p99 %7s us  others %3s%%' "$key" "$c" "$round" "$rps" "$p50" "$p99" "$pct") server CPU ${cpu_req} us/req"
            done
        done
    done
  done
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
run_sets "${SETS[@]}"
# peak RSS after the single-webhook load (the target's figure); the sweep's large lists raise it
HG_HWM_KB=$(rss_kb "$HG_PID" VmHWM)
run_sets "${SWEEP_SETS[@]}"
HG_SWEEP_HWM_KB=$(rss_kb "$HG_PID" VmHWM)
run_sets "${WORKER_SETS[@]}"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)


# ------------------------------------------------------------------ memory, after the load
GW_WORKER=$(pgrep -P "$GW_PID" | head -1)
GW_HWM_KB=$( [[ -n $GW_WORKER ]] && rss_kb "$GW_WORKER" VmHWM)
LUA_WORKER=$(pgrep -P "$LUA_PID" | head -1)
LUA_HWM_KB=$( [[ -n $LUA_WORKER ]] && rss_kb "$LUA_WORKER" VmHWM)
kill -0 "$HG_PID" 2>/dev/null || die "hookgate exited during the run: $(tail -5 "$WORK/hookgate.log")"
stop_pid "$HG_PID"; forget_pid "$HG_PID"
if [[ -n $HG2_PID ]]; then
    kill -0 "$HG2_PID" 2>/dev/null || die "hookgate (two workers) exited during the run: $(tail -5 "$WORK/hookgate2.log")"
    stop_pid "$HG2_PID"; forget_pid "$HG2_PID"
fi
for f in "$NGX"/logs/*.err; do      # nginx's own complaints (a body spilled to disk, a Lua error)
    grep -q '\[\(warn\|error\|crit\|alert\|emerg\)\]' "$f" &&
        ANOMALIES+=("$(basename "$f"): $(grep -c '\[\(warn\|error\|crit\|alert\|emerg\)\]' "$f") warnings or errors, e.g. $(grep -m1 '\[\(warn\|error\|crit\|alert\|emerg\)\]' "$f" | cut -c1-200)")
done

# ------------------------------------------------------------------ startup time
SLEEP_FIFO=$WORK/nap.fifo
mkfifo "$SLEEP_FIFO" && exec {NAPFD}<>"$SLEEP_FIFO"
nap() { read -r -t "$1" -u "$NAPFD" _; }      # a sleep without a fork
healthy() {            # port: one GET /healthz, no fork
    local fd line
    exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&"$fd"
    read -r -t 1 -u "$fd" line
    exec {fd}>&-
    [[ $line == "HTTP/1.1 200"* ]]
}
startup_once() {       # config port [VAR=value ...]; sets STARTUP_US, or returns 1
    local cfg=$1 port=$2
    shift 2
    local t0 pid ok=0
    STARTUP_US=
    now_us
    t0=$NOW
    env "${HG_ENV[@]}" "$@" "$BIN" --config "$cfg" >>"$WORK/startup.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    while :; do
        if healthy "$port" 2>/dev/null; then ok=1; break; fi
        now_us
        ((NOW - t0 > 2000000)) && break
        kill -0 "$pid" 2>/dev/null || break
        nap 0.001
    done
    now_us
    STARTUP_US=$((NOW - t0))
    stop_pid "$pid"
    forget_pid "$pid"
    ((ok))
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
STARTUP_BENCH=()
STARTUP_SHIPPED=()
for ((i = 0; i < STARTS; i++)); do
    port=$((SPORT + 2 * i))
    sed "s/^listen = .*/listen = \"127.0.0.1:$port\"/" "$WORK/hookgate.toml" >"$WORK/startup.toml"
    startup_once "$WORK/startup.toml" "$port" && STARTUP_BENCH+=("$STARTUP_US")
    # the shipped configuration: four emulated vendors and four surfaces (relative paths: cwd)
    cd "$ROOT" || die "cannot enter $ROOT"
    port=$((port + 1))
    startup_once "$ROOT/config/hookgate.toml" "$port" "HOOKGATE__LISTEN=127.0.0.1:$port" &&
        STARTUP_SHIPPED+=("$STARTUP_US")
    cd - >/dev/null || true
done
startup_ms() { printf '%s\n' "$@" | median | awk '$1 == "nan" { print "nan"; next } { printf "%.1f", $1 / 1000 }'; }
START_BENCH_MS=$(startup_ms "${STARTUP_BENCH[@]}")
START_SHIPPED_MS=$(startup_ms "${STARTUP_SHIPPED[@]}")
((${#STARTUP_BENCH[@]} == STARTS)) || ANOMALIES+=("startup (benchmark config): only ${#STARTUP_BENCH[@]} of $STARTS starts answered /healthz within 2 s")
((${#STARTUP_SHIPPED[@]} == STARTS)) || ANOMALIES+=("startup (shipped config): only ${#STARTUP_SHIPPED[@]} of $STARTS starts answered /healthz within 2 s")

# ------------------------------------------------------------------ storm
# A fresh hookgate (the same workers, 256 calls in flight as by default, the wait for a slot
# raised so that every call is made, in its turn, rather than shed) under STORM connections for
# 10 s: its peak RSS (VmHWM), then its RSS every 10 s for 30 s with no load, which is when
# memory freed by the storm must be returned.
STORM=${BENCH_STORM:-2000}
STORM_HWM_KB=; STORM_AFTER=(); STORM_LINE=
if part storm; then
    port=$((SPORT + 2 * STARTS + 2))
    sed -e "s/^listen = .*/listen = \"127.0.0.1:$port\"/" \
        -e "s/^auth = { type = \"none\" }/auth = { type = \"none\" }\nmax_pending = $STORM/" \
        "$WORK/hookgate.toml" >"$WORK/storm.toml"
    env "${HG_ENV[@]}" "$BIN" --config "$WORK/storm.toml" >"$WORK/storm.log" 2>&1 &
    ST_PID=$!
    PIDS+=("$ST_PID")
    if wait_port "$port" 5; then
        wait_quiet
        (ulimit -n $((STORM * 4 + 1000)) 2>/dev/null; wrk -t2 -c"$STORM" -d10s -H "$AUTH" "http://127.0.0.1:$port$CPATH") >"$RAW/storm" 2>&1
        read -r rps _ _ req non se < <(parse_wrk "$RAW/storm")
        STORM_HWM_KB=$(rss_kb "$ST_PID" VmHWM)
        for t in 10 20 30; do sleep 10; STORM_AFTER+=("$(rss_kb "$ST_PID" VmRSS)"); done
        STORM_LINE="$req requests, $rps req/s, $non not 2xx, $se socket errors"
        ((non > 0 || se > 0)) && ANOMALIES+=("storm: $non answers not 2xx, $se socket errors")
        kill -0 "$ST_PID" 2>/dev/null || ANOMALIES+=("storm: hookgate exited: $(tail -3 "$WORK/storm.log")")
    else
        ANOMALIES+=("storm: hookgate did not listen on $port")
    fi
    stop_pid "$ST_PID"; forget_pid "$ST_PID"
fi

# ------------------------------------------------------------------ the tables
stat() {               # key conns column(4 rps, 5 p50, 6 p99, 11 server CPU) -> median
    awk -v k="$1" -v c="$2" -v col="$3" '$1 == k && $2 == c && $col != "nan" { print $col }' "$RESULTS" | median
}
fmt_int() { awk -v v="$1" 'BEGIN { if (v == "nan" || v == "") print "n/a"; else printf "%.0f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || a == "" || b == "" || b == 0) print "nan"; else printf "%.2f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan") print "nan"; else printf "%+.0f", a - b }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "nan") print "n/a"; else if ((op == ">=" && v + 0 >= t + 0) || (op == "<=" && v + 0 <= t + 0)) print "pass"; else print "**miss**" }'; }
x() { [[ $1 == nan ]] && echo "n/a" || echo "$1×"; }
has() { [[ -n ${LABEL[$1]:-} ]]; }
# Least-squares line through (N, median CPU µs per request) of one contender: "slope intercept",
# the slope in ns per listed item, the intercept in µs (the request without items).
fit() {                # key-prefix conns
    local n
    for n in $SWEEP; do echo "$n $(stat "$1$n" "$2" 11)"; done | awk '
        $2 != "nan" { k++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
        END {
            d = k * sxx - sx * sx
            if (k < 2 || d == 0) { print "nan nan"; exit }
            b = (k * sxy - sx * sy) / d
            printf "%.1f %.1f\n", b * 1000, (sy - b * sx) / k
        }'
}

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo '?'; }
LUAJIT_PKG=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'libluajit*-5.1-2' 2>/dev/null | awk '$1 == "ii" { print $2; exit }')
REPORT=$WORK/report.md
{
    echo "# hookgate benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, ${CPU:-unknown CPU}, Linux $(uname -r);" \
        "$(nginx -v 2>&1 | sed 's/^nginx version: //'), njs $(ver libnginx-mod-http-js)," \
        "lua-nginx-module $(ver libnginx-mod-http-lua) with ${LUAJIT_PKG:-LuaJIT} $(ver "${LUAJIT_PKG:-libluajit2-5.1-2}") and lua-cjson $(ver lua-cjson)," \
        "$(wrk -v 2>&1 | awk 'NR == 1 { print $1, $2 }'); hookgate $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
        "release build of $(date -u -r "$SRC_BIN" '+%Y-%m-%d %H:%M UTC')."
    echo "Loopback, one nginx worker per nginx, hookgate with $( ((WORKERS > 0)) && echo "$WORKERS runtime worker thread(s)" || echo "its default runtime (one worker thread per core)")" \
        "(except in the two-worker scenario), nothing pinned; wrk -t1, ${DURATION} s per run," \
        "median of $ROUNDS alternating rounds; latencies in µs; server CPU per request in µs of" \
        "the process that answers the client (the vendor double's worker, the nginx worker" \
        "in front of it, or hookgate; the double's own share is not included)."
    echo "Machine load: load average $LOAD_BEFORE before the load and $LOAD_AFTER after it; other processes took" \
        "${BEFORE_PCT}% of a core just before the load, $(awk -v s="$FOREIGN_SUM" -v n="$FOREIGN_N" 'BEGIN { printf "%.0f", n ? s / n : 0 }')% on average" \
        "and at most ${MAX_PCT}% during a kept run ($REPEATS runs repeated because of them)."
    echo

    # ---------------------------------------------------------------- headline ratios
    c_list=$(echo $CONNS)
    echo "## Headline ratios"
    echo
    echo "hookgate ÷ peer, same run, same -c. req/s above 1: hookgate serves more; CPU per request above 1: hookgate spends more."
    echo
    echo "| scenario | wrk | hookgate ÷ nginx + Lua, req/s | hookgate ÷ nginx proxy_pass, req/s | hookgate ÷ nginx + Lua, CPU/req | hookgate ÷ nginx proxy_pass, CPU/req |"
    echo "|---|---|---:|---:|---:|---:|"
    headline() {       # scenario hookgate-key lua-key proxy-key
        local c hr hc
        has "$2" || return 0
        for c in $c_list; do
            hr=$(stat "$2" "$c" 4); hc=$(stat "$2" "$c" 11)
            echo "| $1 | -c$c | $(x "$(ratio "$hr" "$(stat "$3" "$c" 4)")") | $(x "$(ratio "$hr" "$(stat "$4" "$c" 4)")") |" \
                "$(x "$(ratio "$hc" "$(stat "$3" "$c" 11)")") | $(x "$(ratio "$hc" "$(stat "$4" "$c" 11)")") |"
        done
    }
    headline "GET, translated" h_get l_get p_get
    headline "GET, pass-through surface (no Lua peer)" h_surf none p_get
    headline "PATCH → PUT, translated" h_patch l_patch p_put
    headline "vendor 422 → problem" h_422 l_422 p_422
    for n in $SWEEP; do headline "list of $n" "h_l$n" "l_l$n" "p_l$n"; done
    headline "GET, translated, 2 workers each" h_w2 l_w2 p_w2
    echo

    # ---------------------------------------------------------------- single webhooks
    rows() {           # scenario hookgate-key peer-keys...
        local scen=$1 hg=$2 c k
        shift 2
        for c in $CONNS; do
            local hr hp hc
            hr=$(stat "$hg" "$c" 4)
            hp=$(stat "$hg" "$c" 5)
            hc=$(stat "$hg" "$c" 11)
            for k in "$@" "$hg"; do
                local r p50 p99 cpu rat crat dif
                r=$(stat "$k" "$c" 4); p50=$(stat "$k" "$c" 5); p99=$(stat "$k" "$c" 6); cpu=$(stat "$k" "$c" 11)
                if [[ $k == "$hg" ]]; then rat="—"; crat="—"; dif="—"
                else rat=$(x "$(ratio "$hr" "$r")"); crat=$(x "$(ratio "$hc" "$cpu")"); dif=$(minus "$hp" "$p50"); fi
                echo "| $scen | -c$c | ${LABEL[$k]} | $(fmt_int "$r") | $(fmt_int "$p50") | $(fmt_int "$p99") | $(fmt_int "$cpu") | $rat | $crat | $dif |"
            done
        done
    }
    HEAD_ROW="| scenario | wrk | contender | req/s | p50 | p99 | server CPU µs per request | hookgate ÷ this, req/s | hookgate ÷ this, CPU/req | hookgate − this, p50 |"
    if part single; then
        echo "## Single webhooks"
        echo
        echo "$HEAD_ROW"
        echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
        rows "GET, translated" h_get v_get p_get n_get l_get
        rows "GET, pass-through surface" h_surf v_get p_get
        rows "PATCH → PUT, translated" h_patch v_put p_put n_patch l_patch
        rows "vendor 422 → problem" h_422 v_422 p_422 n_422 l_422
        echo "| hookgate peak RSS (VmHWM after the single-webhook load) | | | | | | | **$(awk -v k="$HG_HWM_KB" 'BEGIN { printf "%.1f MB", k / 1024 }')** | idle $(awk -v k="$HG_IDLE_KB" 'BEGIN { printf "%.1f MB", k / 1024 }') | |"
        echo "| hookgate startup, exec → first /healthz 200 (median of $STARTS) | | | | | | | **$START_BENCH_MS ms** | shipped config: $START_SHIPPED_MS ms | |"
        echo
    fi

    # ---------------------------------------------------------------- the list-size sweep
    if part sweep; then
        echo "## List-size sweep"
        echo
        echo "\`GET …/owners/{agent}/webhooks\`; the double answers N webhooks (\`bench/lists.sh\`), the" \
            "proxy_pass and vendor rows send the vendor's own list request."
        echo
        echo "| N | wrk | contender | req/s | p50 | p99 | server CPU µs per request | hookgate ÷ this, req/s | hookgate ÷ this, CPU/req | hookgate − this, p50 |"
        echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
        for n in $SWEEP; do rows "$n" "h_l$n" "v_l$n" "p_l$n" "l_l$n"; done
        echo
        echo "Marginal CPU per listed item: the slope of a least-squares line through server CPU per" \
            "request against N ($SWEEP); the intercept is the request without items."
        echo
        echo "| contender | wrk | CPU per request at N = 0, µs | marginal CPU per listed item, ns | hookgate ÷ this, per item |"
        echo "|---|---|---:|---:|---:|"
        for c in $CONNS; do
            read -r hs hi < <(fit h_l "$c")
            for k in v_l p_l l_l h_l; do
                read -r s i < <(fit "$k" "$c")
                label=${LABEL[${k}$(awk '{ print $1 }' <<<"$SWEEP")]}
                [[ $k == h_l ]] && r="—" || r=$(x "$(ratio "$hs" "$s")")
                echo "| $label | -c$c | $i | $(fmt_int "$s") | $r |"
            done
        done
        echo
        echo "hookgate's peak RSS after the sweep: $(awk -v k="$HG_SWEEP_HWM_KB" 'BEGIN { printf "%.1f MB", k / 1024 }') (VmHWM)."
        echo
    fi

    # ---------------------------------------------------------------- two workers
    if part workers; then
        echo "## Two workers"
        echo
        echo "The translated GET (proxy_pass: the vendor's own GET) against nginx with \`worker_processes 2\`" \
            "and hookgate with \`TOKIO_WORKER_THREADS=2\`, and against one worker each, in the same alternating rounds."
        echo
        echo "| contender | wrk | req/s, 1 worker | req/s, 2 workers | 2 ÷ 1, req/s | p50, 1 → 2 | CPU µs per request, 1 → 2 |"
        echo "|---|---|---:|---:|---:|---:|---:|"
        for c in $CONNS; do
            for k in p l h; do
                r1=$(stat "${k}_w1" "$c" 4); r2=$(stat "${k}_w2" "$c" 4)
                echo "| ${LABEL[${k}_w2]%, 2 workers} | -c$c | $(fmt_int "$r1") | $(fmt_int "$r2") | $(x "$(ratio "$r2" "$r1")") |" \
                    "$(fmt_int "$(stat "${k}_w1" "$c" 5)") → $(fmt_int "$(stat "${k}_w2" "$c" 5)") |" \
                    "$(fmt_int "$(stat "${k}_w1" "$c" 11)") → $(fmt_int "$(stat "${k}_w2" "$c" 11)") |"
            done
        done
        echo
    fi

    # ---------------------------------------------------------------- targets
    c32=$(for c in $CONNS; do [[ $c == 32 ]] && echo 32; done)
    c1=$(for c in $CONNS; do [[ $c == 1 ]] && echo 1; done)
    echo "## Targets"
    echo
    echo "Ratios from the same run."
    echo
    echo "| target | measured | result |"
    echo "|---|---:|---|"
    if part single; then
        for c in $c32 $c1; do
            want=$([[ $c == 32 ]] && echo 2 || echo 1.3)
            for pair in "GET h_get l_get" "PATCH → PUT h_patch l_patch" "422 → problem h_422 l_422"; do
                set -- $pair
                name=${*:1:$(($# - 2))}; hk=${*: -2:1}; lk=${*: -1}
                r=$(ratio "$(stat "$hk" "$c" 4)" "$(stat "$lk" "$c" 4)")
                echo "| translated $name: req/s ≥ ${want}× nginx + Lua (-c$c) | ${r}× | $(verdict "$r" ">=" "$want") |"
            done
        done
        for c in $c32 $c1; do
            for pair in "GET h_get p_get" "PATCH → PUT h_patch p_put" "422 → problem h_422 p_422"; do
                set -- $pair
                name=${*:1:$(($# - 2))}; hk=${*: -2:1}; pk=${*: -1}
                r=$(ratio "$(stat "$hk" "$c" 4)" "$(stat "$pk" "$c" 4)")
                echo "| translated $name: req/s ≥ 0.9× nginx proxy_pass (-c$c) | ${r}× | $(verdict "$r" ">=" 0.9) |"
            done
            r=$(ratio "$(stat h_surf "$c" 4)" "$(stat p_get "$c" 4)")
            echo "| pass-through surface: req/s ≥ 1.0× nginx proxy_pass (-c$c) | ${r}× | $(verdict "$r" ">=" 1.0) |"
        done
    fi
    if part sweep; then
        for c in $c32 $c1; do
            for n in $SWEEP; do
                ((n < 10)) && continue
                r=$(ratio "$(stat "h_l$n" "$c" 4)" "$(stat "l_l$n" "$c" 4)")
                echo "| list of $n: req/s ≥ 2× nginx + Lua (-c$c) | ${r}× | $(verdict "$r" ">=" 2) |"
            done
            read -r hs _ < <(fit h_l "$c")
            echo "| marginal CPU per listed webhook ≤ 1000 ns (-c$c) | $(fmt_int "$hs") ns | $(verdict "$hs" "<=" 1000) |"
        done
    fi
    if part workers; then
        for c in $c32 $c1; do
            r=$(ratio "$(stat h_w2 "$c" 4)" "$(stat h_w1 "$c" 4)")
            echo "| translated GET, two workers ≥ 1.3× one worker (-c$c) | ${r}× | $(verdict "$r" ">=" 1.3) |"
        done
    fi
    if part storm && [[ -n $STORM_HWM_KB ]]; then
        mb=$(awk -v k="$STORM_HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')
        echo "| RSS under a storm of $STORM connections ≤ 64 MB (VmHWM) | $mb MB | $(verdict "$mb" "<=" 64) |"
        mb=$(awk -v k="${STORM_AFTER[-1]:-nan}" 'BEGIN { if (k == "nan") print "nan"; else printf "%.1f", k / 1024 }')
        echo "| RSS 30 s after the storm ≤ 32 MB (VmRSS) | $mb MB | $(verdict "$mb" "<=" 32) |"
    fi
    mb=$(awk -v k="$HG_HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')
    echo "| RSS under the single-webhook load ≤ 30 MB (VmHWM) | $mb MB | $(verdict "$mb" "<=" 30) |"
    echo "| startup with the $MAPPING_FILES shipped mapping files ≤ 50 ms (benchmark config) | $START_BENCH_MS ms | $(verdict "$START_BENCH_MS" "<=" 50) |"
    echo "| startup, shipped config/hookgate.toml (4 emulators, 4 surfaces) ≤ 50 ms | $START_SHIPPED_MS ms | $(verdict "$START_SHIPPED_MS" "<=" 50) |"
    echo
    if [[ -n $STORM_LINE ]]; then
        echo "Storm: $STORM_LINE; RSS 10, 20 and 30 s after it:" \
            "$(printf '%s\n' "${STORM_AFTER[@]}" | awk '{ printf "%s%.1f MB", (NR > 1 ? ", " : ""), $1 / 1024 }')."
        echo
    fi
    echo "Checks before the load (bodies compared as JSON values, members sorted, \`request_id\` aside):" \
        "$(printf '%s; ' "${CHECKS[@]}" | sed 's/; $//')."
    scale=()
    [[ -n $GW_HWM_KB ]] && scale+=("the nginx worker serving proxy_pass and njs peaked at $(awk -v k="$GW_HWM_KB" 'BEGIN { printf "%.1f MB", k / 1024 }')")
    [[ -n $LUA_HWM_KB ]] && scale+=("the nginx + Lua worker at $(awk -v k="$LUA_HWM_KB" 'BEGIN { printf "%.1f MB", k / 1024 }')")
    ((${#scale[@]})) && echo "For scale: $(printf '%s, ' "${scale[@]}" | sed 's/, $//') (VmHWM)."
    if ((${#ANOMALIES[@]})); then
        echo
        echo "Anomalies:"
        for a in "${ANOMALIES[@]}"; do echo "- $a"; done
    fi
    if [[ -n ${SURFACE_DIFF:-} ]]; then
        echo
        echo "Surface answer vs the vendor's body (\`diff\` of sorted JSON, hookgate first):"
        echo
        echo '```'
        echo "$SURFACE_DIFF"
        echo '```'
    fi
} >"$REPORT"

mkdir -p "$(dirname "$OUT")"
cp "$REPORT" "$OUT"
[[ $KEEP == 1 ]] && cp "$RESULTS" "$WORK/results.keep"
cat "$REPORT"
say "bench: written to $OUT"
