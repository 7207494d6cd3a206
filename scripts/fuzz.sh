#!/usr/bin/env bash
# Fuzzes hookgate: builds the cargo-fuzz targets of fuzz/ and runs each for RUNS executions
# (default 1000000) on its committed seed corpus, then prints executions, time and result per
# target. Exits non-zero when any target crashes (panics, fails an assertion, runs out of
# memory or time); the crashing input is saved under fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [RUNS] [TARGET...]
#   scripts/fuzz.sh --replay [TARGET...]
#
# Needs only stable Rust: cargo-fuzz is installed when missing, the targets are built without a
# sanitizer (`-s none`, libFuzzer's coverage instrumentation only), and RUSTC_BOOTSTRAP=1 lets
# stable rustc take the few unstable flags cargo-fuzz passes. Inputs the fuzzer finds go to
# fuzz/target/corpus/<target>/ (ignored by git), so a run never changes fuzz/corpus/.
#
# --replay is the short form CI runs: no cargo-fuzz and no instrumentation, the targets are
# built with plain cargo in the root's target/ (reusing the test build's dependencies) and every
# committed seed is run through its target once.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets() { sed -n 's/^name = "\([a-z_]*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^hookgate-fuzz$'; }

if [[ ${1:-} == --replay ]]; then
  shift
  if (($# > 0)); then targets=("$@"); else mapfile -t targets < <(all_targets); fi
  echo "== building ${targets[*]} (uninstrumented)"
  CARGO_TARGET_DIR=target cargo build --manifest-path fuzz/Cargo.toml --locked --bins --quiet
  for target in "${targets[@]}"; do
    seeds=(fuzz/corpus/"$target"/*)
    # libFuzzer runs each file named on its command line once and fails on the first crash.
    if ! target/debug/"$target" "${seeds[@]}" >"target/fuzz-$target.log" 2>&1; then
      tail -40 "target/fuzz-$target.log" >&2
      echo "$target: crashed on a seed" >&2
      exit 1
    fi
    echo "$target: ${#seeds[@]} seeds ok"
  done
  exit 0
fi

runs=${1:-1000000}
shift || true
if ! [[ $runs =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [RUNS] [TARGET...]" >&2
  exit 64
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
# The same flags for build and run, so that `run` finds the build up to date. cargo-fuzz
# defaults to one codegen unit per crate; 16 let LLVM use every core, for slightly slower
# executions (FUZZ_CODEGEN_UNITS=1 restores the default).
flags=(-s none --codegen-units "${FUZZ_CODEGEN_UNITS:-16}")

if (($# > 0)); then
  targets=("$@")
else
  mapfile -t targets < <(all_targets)
fi

echo "== building ${targets[*]}"
start=$SECONDS
cargo fuzz build "${flags[@]}"
echo "built in $((SECONDS - start)) s"

logs=fuzz/target/logs
mkdir -p "$logs"
summary=()
failed=()
for target in "${targets[@]}"; do
  work=fuzz/target/corpus/$target
  mkdir -p "$work"
  echo "== $target: $runs runs"
  start=$SECONDS
  status=0
  # The scratch folder comes first: libFuzzer adds what it finds to the first folder only.
  cargo fuzz run "${flags[@]}" "$target" "$work" "fuzz/corpus/$target" -- \
    -runs="$runs" -print_final_stats=1 >"$logs/$target.log" 2>&1 || status=$?
  took=$((SECONDS - start))
  # libFuzzer's own count and time (`Done N runs in S second(s)`), without cargo's start-up.
  done_line=$(grep -a '^Done [0-9]* runs in' "$logs/$target.log" | tail -1 || true)
  executed=$(awk '{print $2}' <<<"$done_line")
  seconds=$(awk '{print $5}' <<<"$done_line")
  if [[ -n $seconds ]]; then
    took=$seconds
  fi
  rate=$(awk -v n="${executed:-0}" -v s="$took" 'BEGIN { if (s > 0) printf "%d", n / s; else print "-" }')
  if ((status == 0)); then
    result=ok
  else
    result="FAILED (exit $status, log $logs/$target.log)"
    failed+=("$target")
    grep -E -A 12 "panicked at|ERROR: libFuzzer|SUMMARY|Test unit written" "$logs/$target.log" | head -40 || true
  fi
  summary+=("$(printf '%-20s %12s runs %6s s %8s exec/s  %s' "$target" "${executed:-?}" "$took" "${rate:-?}" "$result")")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
