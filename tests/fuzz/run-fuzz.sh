#!/usr/bin/env bash
# Builds the libFuzzer targets (clang++, ASan + UBSan) and runs each for a
# fixed time, starting from the seed corpora in tests/fuzz/corpus/<target>/.
#
#   tests/fuzz/run-fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 20. 0 runs every seed once and then
# FUZZ_RUNS (default 0) mutations: a quick, deterministic-length smoke run.
# TARGET: json expr decode config cron link units (default: all).
#
# Environment:
#   FUZZ_BUILD_DIR  build folder (default build-fuzz, under the repository)
#   FUZZ_WORK_DIR   corpora grown by the runs and crash artifacts
#                   (default $FUZZ_BUILD_DIR/work; the seeds are never changed)
#   FUZZ_JOBS       targets run at once (default 1)
#   FUZZ_MERGE=1    after the runs, merge the inputs that add coverage into
#                   tests/fuzz/corpus/<target>/ (libFuzzer -merge=1, minimal)
#   FUZZ_ARGS       extra libFuzzer flags for every target
#
# Prints one line per target (execs, exec/s, new inputs, findings) and a
# total; exits 1 when any target found a crash, leak, timeout or OOM. Each
# finding is saved under $FUZZ_WORK_DIR/artifacts/<target>/ and reproduced
# with `$FUZZ_BUILD_DIR/fuzz_<target> ARTIFACT`. docs/reliability.md has the
# figures of the long runs.
#
# The build does not touch CMakeLists.txt: tests/fuzz/targets.cmake is
# injected with CMAKE_PROJECT_INCLUDE and adds the fuzz_* executables to a
# clang++ build of the project's libraries.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

seconds=${1:-20}
shift || true
all_targets=(json expr decode config cron link units)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi
for t in "${targets[@]}"; do
  [ -f "tests/fuzz/fuzz_$t.cpp" ] || { echo "run-fuzz: unknown target $t (expected: ${all_targets[*]})" >&2; exit 2; }
done

build=${FUZZ_BUILD_DIR:-build-fuzz}
work=${FUZZ_WORK_DIR:-$build/work}
jobs=${FUZZ_JOBS:-1}
clangxx=${FUZZ_CXX:-clang++}
command -v "$clangxx" >/dev/null || { echo "run-fuzz: $clangxx not found (packaging/install-deps.sh installs clang)" >&2; exit 2; }

t0=$(date +%s)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$clangxx" -DSLUICED_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link -Wno-char-subscripts" \
  -DCMAKE_PROJECT_INCLUDE="$root/tests/fuzz/targets.cmake" >/dev/null
if ! cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' "${targets[@]}") >"$build/fuzz-build.log" 2>&1; then
  grep -E -B2 -A6 'error|FAILED' "$build/fuzz-build.log" | head -80 >&2
  echo "run-fuzz: build failed (full log: $build/fuzz-build.log)" >&2
  exit 2
fi
t1=$(date +%s)
echo "run-fuzz: built ${#targets[@]} targets in $((t1 - t0)) s ($build)"

if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && ! command -v llvm-symbolizer >/dev/null && [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local t=$1 corpus="$work/corpus/$t" art="$work/artifacts/$t" log="$work/logs/$t.log"
  mkdir -p "$corpus" "$art" "$(dirname "$log")"
  rm -f "$log.rc"
  local args=(-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$art/")
  if [ "$seconds" = 0 ]; then
    args+=(-runs="${FUZZ_RUNS:-0}")
  else
    args+=(-max_total_time="$seconds")
  fi
  [ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
  # shellcheck disable=SC2086
  local rc=0
  "$build/fuzz_$t" "${args[@]}" ${FUZZ_ARGS:-} "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  echo "$rc" >"$log.rc"
}

pids=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.2; done
done
wait "${pids[@]}" 2>/dev/null || true

fstat() { grep -m1 "^stat::$2:" "$1" 2>/dev/null | awk '{print $2}' || true; }
failed=0
total=0
printf '%-8s %12s %10s %8s %8s  %s\n' target execs exec/s new corpus findings
for t in "${targets[@]}"; do
  log="$work/logs/$t.log"
  rc=$(cat "$log.rc" 2>/dev/null || echo 99)
  execs=$(fstat "$log" number_of_executed_units); execs=${execs:-0}
  rate=$(fstat "$log" average_exec_per_sec); rate=${rate:-0}
  new=$(fstat "$log" new_units_added); new=${new:-0}
  ncorp=$(find "$work/corpus/$t" "tests/fuzz/corpus/$t" -type f | wc -l)
  total=$((total + execs))
  finding=none
  if [ "$rc" != 0 ]; then
    failed=1
    finding=$(grep -m1 -oE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer): [^ ]+|runtime error: .*|FUZZ_CHECK failed: .*' "$log" || echo "exit $rc")
  fi
  printf '%-8s %12s %10s %8s %8s  %s\n' "$t" "$execs" "$rate" "$new" "$ncorp" "$finding"
done
echo "run-fuzz: ${#targets[@]} targets, ${seconds} s each, $total execs in all, $(( $(date +%s) - t1 )) s of fuzzing"

if [ "$failed" != 0 ]; then
  for t in "${targets[@]}"; do
    rc=$(cat "$work/logs/$t.log.rc" 2>/dev/null || echo 99)
    [ "$rc" = 0 ] && continue
    echo "---- fuzz_$t: exit $rc; log $work/logs/$t.log (tail):"
    grep -vE '^#[0-9]+|^INFO:' "$work/logs/$t.log" | tail -40
    for a in "$work/artifacts/$t"/*; do
      [ -f "$a" ] && echo "reproduce: $build/fuzz_$t $a"
    done
  done
  exit 1
fi

if [ "${FUZZ_MERGE:-0}" = 1 ]; then
  for t in "${targets[@]}"; do
    before=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
    "$build/fuzz_$t" -merge=1 -max_len=65536 "tests/fuzz/corpus/$t" "$work/corpus/$t" >"$work/logs/$t.merge.log" 2>&1
    echo "run-fuzz: merged $t: $before -> $(find "tests/fuzz/corpus/$t" -type f | wc -l) seeds"
  done
fi
