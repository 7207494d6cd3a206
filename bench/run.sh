#!/usr/bin/env bash
# hookgate against nginx, on one machine, over loopback, in one run.
#
# Starts a static vendor double (nginx answering fixed Talkover bodies), nginx as a plain
# proxy_pass, nginx + njs translating the canonical API to Talkover (bench/nginx/xlate.js), and
# hookgate (the release build) in front of the same double; checks that hookgate and njs answer
# the same bodies; drives every contender with wrk at -c32 and -c1 in alternating rounds; then
# measures hookgate's peak RSS and its startup time, and prints one Markdown table, also
# written to bench/results/latest.md. See bench/README.md.
#
# Environment (all optional):
#   BENCH_DURATION  seconds per wrk run                        (5)
#   BENCH_ROUNDS    measured rounds per scenario and -c value  (3)
#   BENCH_WARMUP    seconds of warm-up per contender, 0 = none (1)
#   BENCH_CONNS     connection counts to measure               ("32 1")
#   BENCH_STARTS    hookgate starts timed for the startup time (9)
#   BENCH_PORT      first of the loopback ports used           (18180: +0 vendor, +1 nginx,
#                                                               +2 hookgate, +10.. startups)
#   BENCH_INSTALL   1 = apt-get install what is missing        (1)
#   BENCH_OUT       where the table is written                 (bench/results/latest.md)
#   BENCH_QUIET     seconds to wait for other processes to go quiet before the load (300)
#   BENCH_WORKERS   hookgate's runtime worker threads (1, as each nginx runs one worker;
#                   0 = the runtime's default, one per core)
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

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${BENCH_OUT:-$HERE/results/latest.md}

VPORT=$PORT_BASE            # the vendor double
GPORT=$((PORT_BASE + 1))    # nginx: proxy_pass and njs
HPORT=$((PORT_BASE + 2))    # hookgate under load
SPORT=$((PORT_BASE + 10))   # hookgate startups, one port each

AGENT=9fbef0b7-8d4e-4a08-9207-66c22155721d
HOOK=9fcafbf2-7593-44d6-8cd7-1b221beba62a
VPATH=/api/v1/agents/$AGENT/webhooks/$HOOK
VPATH_422=/api/v1/agents/$AGENT/webhooks/wh-invalid
CPATH=/v1/upstreams/talkover/owners/$AGENT/webhooks/$HOOK
CPATH_422=/v1/upstreams/talkover/owners/$AGENT/webhooks/wh-invalid

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

for v in DURATION ROUNDS WARMUP STARTS PORT_BASE QUIET_WAIT WORKERS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
((DURATION >= 1 && ROUNDS >= 1 && STARTS >= 1)) || die "BENCH_DURATION, BENCH_ROUNDS and BENCH_STARTS must be at least 1"
for c in $CONNS; do [[ $c =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONNS holds '$c', not a connection count"; done

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
have_tools() {
    command -v nginx >/dev/null && command -v wrk >/dev/null && command -v jq >/dev/null &&
        command -v curl >/dev/null && [[ -f /usr/lib/nginx/modules/ngx_http_js_module.so ]]
}
if ! have_tools; then
    [[ $INSTALL == 1 ]] || die "missing nginx, njs, wrk, jq or curl, and BENCH_INSTALL=0"
    [[ $(id -u) == 0 ]] || die "installing nginx-light libnginx-mod-http-js wrk jq curl needs root"
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then     # no distro service may start on its own
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d &&
            POLICY_CREATED=1
    fi
    say "bench: installing nginx-light libnginx-mod-http-js wrk jq curl"
    timeout 600 apt-get update -qq >"$WORK/apt.log" 2>&1 || die "apt-get update failed: $(tail -3 "$WORK/apt.log")"
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends \
        nginx-light libnginx-mod-http-js wrk jq curl >>"$WORK/apt.log" 2>&1 ||
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
for p in $VPORT $GPORT $HPORT $(seq "$SPORT" $((SPORT + 2 * STARTS))); do
    port_open "$p" && die "port $p is in use; set BENCH_PORT to a free range"
done

# ------------------------------------------------------------------ nginx: double and peers
NGX=$WORK/nginx
mkdir -p "$NGX/conf" "$NGX/logs" "$NGX/tmp" "$NGX/js"
for f in up gw; do
    sed -e "s#@PREFIX@#$NGX#g" -e "s#@VENDOR_PORT@#$VPORT#g" -e "s#@GW_PORT@#$GPORT#g" \
        "$HERE/nginx/$f.conf" >"$NGX/conf/$f.conf"
done
cp "$HERE/nginx/xlate.js" "$NGX/js/xlate.js"

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

# ------------------------------------------------------------------ hookgate under load
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
# tokio reads TOKIO_WORKER_THREADS when the program sets no worker count; unset, one per core.
HG_ENV=(RUST_LOG=warn)
((WORKERS > 0)) && HG_ENV+=(TOKIO_WORKER_THREADS="$WORKERS")
env "${HG_ENV[@]}" "$BIN" --config "$WORK/hookgate.toml" >"$WORK/hookgate.log" 2>&1 &
HG_PID=$!
PIDS+=("$HG_PID")
wait_port "$HPORT" 5 || die "hookgate did not listen on $HPORT: $(tail -5 "$WORK/hookgate.log")"
rss_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
HG_IDLE_KB=$(rss_kb "$HG_PID" VmRSS)

# ------------------------------------------------------------------ contenders
# key -> label, URL, wrk script, expected status
declare -A LABEL URL SCRIPT EXPECT
contender() { LABEL[$1]=$2; URL[$1]=$3; SCRIPT[$1]=$4; EXPECT[$1]=$5; }
V=http://127.0.0.1:$VPORT G=http://127.0.0.1:$GPORT H=http://127.0.0.1:$HPORT
contender v_get   "vendor double, direct"          "$V$VPATH"                        ""                         200
contender p_get   "nginx proxy_pass"               "$G/surfaces/talkover$VPATH"      ""                         200
contender n_get   "nginx + njs"                    "$G$CPATH"                        ""                         200
contender h_get   "**hookgate**"                   "$H$CPATH"                        ""                         200
contender h_surf  "**hookgate** (surface)"         "$H/surfaces/talkover$VPATH"      ""                         200
contender v_put   "vendor double, direct (PUT)"    "$V$VPATH"                        "$HERE/wrk/put.lua"        200
contender p_put   "nginx proxy_pass (PUT)"         "$G/surfaces/talkover$VPATH"      "$HERE/wrk/put.lua"        200
contender n_patch "nginx + njs"                    "$G$CPATH"                        "$HERE/wrk/patch.lua"      200
contender h_patch "**hookgate**"                   "$H$CPATH"                        "$HERE/wrk/patch.lua"      200
contender v_422   "vendor double, direct (PUT)"    "$V$VPATH_422"                    "$HERE/wrk/put.lua"        422
contender p_422   "nginx proxy_pass (PUT)"         "$G/surfaces/talkover$VPATH_422"  "$HERE/wrk/put.lua"        422
contender n_422   "nginx + njs"                    "$G$CPATH_422"                    "$HERE/wrk/patch.lua"      422
contender h_422   "**hookgate**"                   "$H$CPATH_422"                    "$HERE/wrk/patch.lua"      422
# Groups share one request shape; each round runs every member once, in rotating order.
SETS=("v_get p_get n_get h_get h_surf" "v_put p_put n_patch h_patch" "v_422 p_422 n_422 h_422")
AUTH="Authorization: Bearer bench-token"   # every contender gets it; the surface requires one

# ------------------------------------------------------------------ same answers?
PATCH_BODY=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$HERE/wrk/patch.lua")
fetch() {              # key -> "status content-type" on line 1, body after
    local key=$1 args=(-s -S -m 5 -H "$AUTH" -o "$WORK/body.$key" -w '%{http_code} %{content_type}')
    case ${SCRIPT[$key]} in
    *patch.lua) args+=(-X PATCH -H 'Content-Type: application/merge-patch+json' --data-binary "$PATCH_BODY") ;;
    *put.lua) args+=(-X PUT -H 'Content-Type: application/json' --data-binary "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$HERE/wrk/put.lua")") ;;
    esac
    curl "${args[@]}" "${URL[$key]}"
}
CHECKS=()
ANOMALIES=()
MISMATCH=0
for key in "${!LABEL[@]}"; do
    head=$(fetch "$key") || die "no answer from ${LABEL[$key]} at ${URL[$key]}"
    [[ ${head%% *} == "${EXPECT[$key]}" ]] ||
        die "${LABEL[$key]} ($key) answered ${head%% *}, expected ${EXPECT[$key]}: $(head -c 400 "$WORK/body.$key")"
done
same() {               # a b: bodies equal as JSON, request_id aside
    diff <(jq -S 'del(.request_id)' "$WORK/body.$1") <(jq -S 'del(.request_id)' "$WORK/body.$2") >"$WORK/diff.$1.$2" 2>&1
}
for pair in "h_get n_get" "h_patch n_patch" "h_422 n_422"; do
    set -- $pair
    if same "$1" "$2"; then
        CHECKS+=("${1#h_}: hookgate and nginx + njs answer the same body")
    else
        MISMATCH=1
        say "bench: hookgate ($1) and nginx + njs ($2) answer different bodies:"
        cat "$WORK/diff.$1.$2" >&2
    fi
done
if same h_surf v_get; then
    CHECKS+=("surface: hookgate's Talkover surface answers the vendor's body")
else
    CHECKS+=("surface: hookgate's Talkover surface answer differs from the vendor's body (see below)")
    SURFACE_DIFF=$(cat "$WORK/diff.h_surf.v_get")
fi
for key in h_422 n_422; do
    head=$(fetch "$key")
    [[ $head == *problem+json* ]] || { MISMATCH=1; say "bench: $key answered '$head', not a problem"; }
done
((MISMATCH)) && die "the contenders do not do the same work; fix bench/nginx/xlate.js first"

# ------------------------------------------------------------------ other processes' CPU
# Busy time (user + nice + system) of the whole machine, minus that of this script, its
# children and the servers under test: what other processes took. Loopback softirq time is
# left out on both sides.
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
machine_busy() { awk '/^cpu / { print $2 + $3 + $4; exit }' /proc/stat; }
proc_busy() {          # pid [1 = with reaped children]
    awk -v kids="${2:-0}" '{ sub(/^.*\) /, ""); print $12 + $13 + (kids ? $14 + $15 : 0) }' "/proc/$1/stat" 2>/dev/null || echo 0
}
our_busy() {
    local total pid
    total=$(proc_busy $$ 1)
    for pid in "$HG_PID" "$UP_PID" "$GW_PID" $(pgrep -P "$UP_PID") $(pgrep -P "$GW_PID"); do
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
for g in "${SETS[@]}"; do set -- $g; n_runs=$((n_runs + $#)); done
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
server_busy() {        # key -> CPU jiffies so far of the server that answers it
    local pid pids total=0
    case $1 in
    v_*) pids=$(pgrep -P "$UP_PID") ;;
    p_* | n_*) pids=$(pgrep -P "$GW_PID") ;;
    *) pids=$HG_PID ;;
    esac
    for pid in $pids; do total=$((total + $(proc_busy "$pid"))); done
    echo "$total"
}
MAX_PCT=0
REPEATS=0
for g in "${SETS[@]}"; do
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


# ------------------------------------------------------------------ memory, after the load
HG_HWM_KB=$(rss_kb "$HG_PID" VmHWM)
HG_END_KB=$(rss_kb "$HG_PID" VmRSS)
GW_WORKER=$(pgrep -P "$GW_PID" | head -1)
GW_HWM_KB=$( [[ -n $GW_WORKER ]] && rss_kb "$GW_WORKER" VmHWM)
kill -0 "$HG_PID" 2>/dev/null || die "hookgate exited during the run: $(tail -5 "$WORK/hookgate.log")"
stop_pid "$HG_PID"; forget_pid "$HG_PID"

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

# ------------------------------------------------------------------ the table
stat() {               # key conns column(4 rps, 5 p50, 6 p99, 11 server CPU) -> median
    awk -v k="$1" -v c="$2" -v col="$3" '$1 == k && $2 == c && $col != "nan" { print $col }' "$RESULTS" | median
}
fmt_int() { awk -v v="$1" 'BEGIN { if (v == "nan") print "n/a"; else printf "%.0f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "nan"; else printf "%.2f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan") print "nan"; else printf "%+.0f", a - b }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "nan") print "n/a"; else if ((op == ">=" && v + 0 >= t + 0) || (op == "<=" && v + 0 <= t + 0)) print "pass"; else print "**miss**" }'; }

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
REPORT=$WORK/report.md
{
    echo "# hookgate benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, ${CPU:-unknown CPU}, Linux $(uname -r);" \
        "$(nginx -v 2>&1 | sed 's/^nginx version: //'), njs $(dpkg-query -W -f '${Version}' libnginx-mod-http-js 2>/dev/null || echo '?')," \
        "$(wrk -v 2>&1 | awk 'NR == 1 { print $1, $2 }'); hookgate $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
        "release build of $(date -u -r "$SRC_BIN" '+%Y-%m-%d %H:%M UTC')."
    echo "Loopback, one nginx worker per nginx, hookgate with $( ((WORKERS > 0)) && echo "$WORKERS runtime worker thread(s)" || echo "its default runtime (one worker thread per core)"), nothing pinned; wrk -t1, ${DURATION} s per run," \
        "median of $ROUNDS alternating rounds; latencies in µs; server CPU per request in µs of" \
        "the process that answers the client (the vendor double's worker, the nginx worker" \
        "in front of it, or hookgate; the double's own share is not included). Other processes took" \
        "${BEFORE_PCT}% of a core just before the load and at most ${MAX_PCT}% during a kept run" \
        "($REPEATS runs repeated because of them)."
    echo
    echo "| scenario | wrk | contender | req/s | p50 | p99 | server CPU per request | hookgate ÷ this, req/s | hookgate − this, p50 |"
    echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
    rows() {           # scenario hookgate-key peer-keys...
        local scen=$1 hg=$2 c k
        shift 2
        for c in $CONNS; do
            local hr hp
            hr=$(stat "$hg" "$c" 4)
            hp=$(stat "$hg" "$c" 5)
            for k in "$@" "$hg"; do
                local r p50 p99 cpu rat dif
                r=$(stat "$k" "$c" 4); p50=$(stat "$k" "$c" 5); p99=$(stat "$k" "$c" 6); cpu=$(stat "$k" "$c" 11)
                if [[ $k == "$hg" ]]; then rat="—"; dif="—"; else rat="$(ratio "$hr" "$r")×"; dif="$(minus "$hp" "$p50")"; fi
                echo "| $scen | -c$c | ${LABEL[$k]} | $(fmt_int "$r") | $(fmt_int "$p50") | $(fmt_int "$p99") | $(fmt_int "$cpu") | $rat | $dif |"
            done
        done
    }
    rows "GET, translated" h_get v_get p_get n_get
    rows "GET, pass-through surface" h_surf v_get p_get
    rows "PATCH → PUT, translated" h_patch v_put p_put n_patch
    rows "vendor 422 → problem" h_422 v_422 p_422 n_422
    echo "| hookgate peak RSS (VmHWM after all runs) | | | | | | | **$(awk -v k="$HG_HWM_KB" 'BEGIN { printf "%.1f MB", k / 1024 }')** | idle $(awk -v k="$HG_IDLE_KB" 'BEGIN { printf "%.1f MB", k / 1024 }') |"
    echo "| hookgate startup, exec → first /healthz 200 (median of $STARTS) | | | | | | | **$START_BENCH_MS ms** | shipped config: $START_SHIPPED_MS ms |"
    echo
    c32=$(for c in $CONNS; do [[ $c == 32 ]] && echo 32; done)
    c1=$(for c in $CONNS; do [[ $c == 1 ]] && echo 1; done)
    echo "Targets (ratios from the same run):"
    echo
    echo "| target | measured | result |"
    echo "|---|---:|---|"
    if [[ -n $c32 ]]; then
        for pair in "GET h_get n_get" "PATCH h_patch n_patch" "422 → problem h_422 n_422"; do
            set -- $pair
            name=${*:1:$(($# - 2))}; hk=${*: -2:1}; nk=${*: -1}
            r=$(ratio "$(stat "$hk" 32 4)" "$(stat "$nk" 32 4)")
            echo "| translated $name: req/s ≥ 1.5× nginx + njs (-c32) | ${r}× | $(verdict "$r" ">=" 1.5) |"
        done
        r=$(ratio "$(stat h_surf 32 4)" "$(stat p_get 32 4)")
        echo "| pass-through surface: req/s ≥ 0.9× nginx proxy_pass (-c32) | ${r}× | $(verdict "$r" ">=" 0.9) |"
    fi
    if [[ -n $c1 ]]; then
        for pair in "GET h_get v_get" "surface h_surf v_get" "PATCH h_patch v_put" "422 → problem h_422 v_422"; do
            set -- $pair
            name=${*:1:$(($# - 2))}; hk=${*: -2:1}; vk=${*: -1}
            d=$(minus "$(stat "$hk" 1 5)" "$(stat "$vk" 1 5)")
            echo "| $name: added p50 over the vendor double ≤ 50 µs (-c1) | $d µs | $(verdict "$d" "<=" 50) |"
        done
    fi
    mb=$(awk -v k="$HG_HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')
    echo "| RSS under load ≤ 30 MB (VmHWM) | $mb MB | $(verdict "$mb" "<=" 30) |"
    echo "| startup with the $MAPPING_FILES shipped mapping files ≤ 50 ms (benchmark config) | $START_BENCH_MS ms | $(verdict "$START_BENCH_MS" "<=" 50) |"
    echo "| startup, shipped config/hookgate.toml (4 emulators, 4 surfaces) ≤ 50 ms | $START_SHIPPED_MS ms | $(verdict "$START_SHIPPED_MS" "<=" 50) |"
    echo
    echo "Checks before the load: $(printf '%s; ' "${CHECKS[@]}" | sed 's/; $//')."
    [[ -n $GW_HWM_KB ]] && echo "For scale: the nginx worker serving proxy_pass and njs peaked at $(awk -v k="$GW_HWM_KB" 'BEGIN { printf "%.1f MB", k / 1024 }') (VmHWM)."
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
