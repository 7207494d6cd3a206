#!/usr/bin/env bash
# Soak test: hookgate under steady load for a long time must keep its memory and file
# descriptors flat and answer every request with a 2xx.
#
#   scripts/soak.sh [DURATION_SECONDS]        (default 600)
#
# 1. Builds the release binary and starts the gateway on the embedded default configuration
#    (four emulated vendors, served by the same process) on a free loopback port.
# 2. Creates one webhook through the canonical API and measures the peak rate of canonical GETs
#    of it for PEAK_SECONDS (default 10) with wrk (closed loop, WRK_CONNECTIONS connections).
# 3. Holds half that rate with oha, whose `-q` fixes the request rate (wrk cannot): nine in ten
#    requests are canonical GETs, one in ten a canonical PATCH of the same webhook. First a
#    warm-up of WARMUP_SECONDS (default 60), then DURATION_SECONDS, sampling the gateway's RSS
#    (/proc/PID/status VmRSS) and open descriptors (/proc/PID/fd) every SAMPLE_SECONDS (5).
# 4. Prints requests, non-2xx answers, RSS at start (first sample after the warm-up), end and
#    max with the growth from start to end, and descriptors at start and end, and exits non-zero
#    if RSS grew by 5% or more, descriptors grew by more than FD_TOLERANCE (default 4), or any
#    request failed or was answered with anything but a 2xx.
#
# Descriptors are counted with the load stopped (after a two-second pause) before and after
# the measured run, so client connections are closed both times; what stays open is the
# listeners, the runtime's own descriptors and the connection pool to the emulators, both of
# whose ends live in the gateway's process. The tolerance covers that pool, which holds as many
# idle connections as were in flight when the load stopped (bounded by the oha connections).
#
# wrk comes from apt-get and oha from crates.io (`cargo install oha --locked`), each installed
# when missing. Everything started is stopped on exit; samples are kept in target/soak/.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-600}
peak_seconds=${PEAK_SECONDS:-10}
warmup_seconds=${WARMUP_SECONDS:-60}
sample_seconds=${SAMPLE_SECONDS:-5}
wrk_connections=${WRK_CONNECTIONS:-32}
oha_connections=${OHA_CONNECTIONS:-16}
fd_tolerance=${FD_TOLERANCE:-4}
max_growth_percent=5

for n in "$duration" "$peak_seconds" "$warmup_seconds" "$sample_seconds"; do
  if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [DURATION_SECONDS]" >&2
    exit 64
  fi
done

if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if ! command -v oha >/dev/null 2>&1; then
  cargo install oha --locked
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is required" >&2; exit 1; }
done

echo "== building"
cargo build --release --locked --quiet

out=target/soak
mkdir -p "$out"
log=$out/gateway.log
samples=$out/samples.csv
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting the gateway"
HOOKGATE__LISTEN=127.0.0.1:0 HOOKGATE__LOG__FORMAT=json HOOKGATE__LOG__LEVEL=info \
  target/release/hookgate --config config/hookgate.toml >"$log" 2>&1 &
gateway=$!
pids+=("$gateway")
addr=
for _ in $(seq 100); do
  addr=$(grep '"gateway listening"' "$log" | grep -o '"addr":"[0-9.:]*"' | cut -d'"' -f4 | head -1 || true)
  [[ -n $addr ]] && break
  kill -0 "$gateway" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
if [[ -z $addr ]]; then
  echo "the gateway did not say where it listens" >&2
  cat "$log" >&2
  exit 1
fi
gw=http://$addr
owner=9fbef0b7-8d4e-4a08-9207-66c22155721d
collection=$gw/v1/upstreams/talkover/owners/$owner/webhooks
created=$(curl -sf -H 'content-type: application/json' "$collection" \
  -d '{"description":"soak","url":"https://example.com/hook","events":["event_phone_call_started"]}')
id=$(printf '%s' "$created" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
url=$collection/$id
echo "gateway $gw (pid $gateway), webhook $url"

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$gateway/status"; }
fd_count() { find "/proc/$gateway/fd" -mindepth 1 -maxdepth 1 | wc -l; }

echo "== peak: wrk, $wrk_connections connections, ${peak_seconds}s"
peak=$(wrk -t2 -c"$wrk_connections" -d"${peak_seconds}s" "$url" | tee "$out/peak.txt" |
  sed -n 's/^Requests\/sec:[[:space:]]*\([0-9]*\).*/\1/p')
cat "$out/peak.txt"
if grep -q "Non-2xx" "$out/peak.txt"; then
  echo "wrk saw non-2xx answers at peak" >&2
  exit 1
fi
rate=$((peak / 2))
patch_rate=$((rate / 10))
get_rate=$((rate - patch_rate))
if ((patch_rate < 1)); then
  echo "peak rate $peak/s is too low to soak" >&2
  exit 1
fi
echo "peak $peak req/s; holding $rate req/s ($get_rate GET + $patch_rate PATCH)"

# Starts the fixed-rate load for $1 seconds in the background, writing oha's JSON summaries to
# $2-get.json and $2-patch.json; sets get_pid and patch_pid.
load() {
  oha -z "$1s" -w -q "$get_rate" -c "$oha_connections" --no-tui --output-format json \
    "$url" >"$2-get.json" 2>"$2-get.err" &
  get_pid=$!
  pids+=("$get_pid")
  oha -z "$1s" -w -q "$patch_rate" -c 2 --no-tui --output-format json -m PATCH \
    -H 'content-type: application/json' -d '{"description":"soak","max_retries":3}' \
    "$url" >"$2-patch.json" 2>"$2-patch.err" &
  patch_pid=$!
  pids+=("$patch_pid")
}
running() { kill -0 "$get_pid" 2>/dev/null || kill -0 "$patch_pid" 2>/dev/null; }

echo "== warm-up: ${warmup_seconds}s"
load "$warmup_seconds" "$out/warmup"
wait "$get_pid" "$patch_pid" || true
sleep 2
fd_start=$(fd_count)

echo "== soak: ${duration}s, sampling every ${sample_seconds}s"
load "$duration" "$out/soak"
echo "seconds,rss_kb,fds" >"$samples"
began=$SECONDS
rss_start=
rss_max=0
rss_end=
fd_min=
fd_max=0
while running; do
  sleep "$sample_seconds"
  running || break
  rss=$(rss_kb)
  fds=$(fd_count)
  echo "$((SECONDS - began)),$rss,$fds" >>"$samples"
  rss_start=${rss_start:-$rss}
  rss_end=$rss
  if ((rss > rss_max)); then rss_max=$rss; fi
  if ((fds > fd_max)); then fd_max=$fds; fi
  if [[ -z $fd_min ]] || ((fds < fd_min)); then fd_min=$fds; fi
done
wait "$get_pid" "$patch_pid" || true
sleep 2
fd_end=$(fd_count)
kill -0 "$gateway" 2>/dev/null || { echo "the gateway died" >&2; cat "$log" >&2; exit 1; }

summary() {
  python3 - "$@" <<'EOF'
import json, sys
requests = non2xx = errors = 0
for path in sys.argv[1:]:
    with open(path) as f:
        report = json.load(f)
    for status, n in report.get("statusCodeDistribution", {}).items():
        requests += n
        if not 200 <= int(status) < 300:
            non2xx += n
    errors += sum(report.get("errorDistribution", {}).values())
print(requests, non2xx, errors)
EOF
}
read -r requests non2xx errors < <(summary "$out/soak-get.json" "$out/soak-patch.json")
growth=$(python3 -c "print(f'{($rss_end - $rss_start) * 100 / $rss_start:.2f}')")

echo "== result ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores)"
echo "peak rate:          $peak req/s (wrk, ${peak_seconds}s, $wrk_connections connections)"
echo "held rate:          $rate req/s for ${duration}s after ${warmup_seconds}s warm-up"
echo "requests:           $requests"
echo "non-2xx:            $non2xx"
echo "failed requests:    $errors"
echo "RSS start/end/max:  $((rss_start / 1024)) / $((rss_end / 1024)) / $((rss_max / 1024)) MiB ($rss_start / $rss_end / $rss_max kB)"
echo "RSS growth:         $growth %"
echo "fds start/end:      $fd_start / $fd_end idle (tolerance +$fd_tolerance); $fd_min to $fd_max under load"
echo "samples:            $samples"

status=0
if python3 -c "import sys; sys.exit(0 if $growth >= $max_growth_percent else 1)"; then
  echo "FAIL: RSS grew by $growth % (limit $max_growth_percent %)" >&2
  status=1
fi
if ((fd_end > fd_start + fd_tolerance)); then
  echo "FAIL: descriptors grew from $fd_start to $fd_end" >&2
  status=1
fi
if ((non2xx > 0 || errors > 0 || requests == 0)); then
  echo "FAIL: $non2xx non-2xx answers and $errors failed requests of $requests" >&2
  status=1
fi
exit "$status"
