#!/usr/bin/env bash
# Builds sluiced with AddressSanitizer + UndefinedBehaviorSanitizer (g++,
# -DSLUICED_SANITIZE=ON) in build-asan and runs the whole CTest suite (unit
# tests and the end-to-end tests, which then drive the sanitized binary).
#
#   tests/run-sanitizers.sh [extra ctest args, e.g. -R unit_]
#
# Every sanitizer report fails the run, even one from a process whose exit
# status a test does not look at (a daemon stopped with SIGTERM, a child of
# a child): ASan and LeakSanitizer reports are written to files under
# $build/sanitizer-logs/, UBSan's (which the combined runtime always prints
# to stderr) are searched for in $build/ctest-output.log, and all are listed
# at the end. UBSan stops the process at the first error
# (-fno-sanitize-recover=undefined); LeakSanitizer is on (detect_leaks=1).
#
# Environment: ASAN_BUILD_DIR (default build-asan), CTEST_JOBS (default 2).
# docs/reliability.md "Sanitizers" has the timings.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${ASAN_BUILD_DIR:-build-asan}
logs="$root/$build/sanitizer-logs"

t0=$(date +%s)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICED_SANITIZE=ON >/dev/null
cmake --build "$build" -j2 | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
[ -x "$build/sluiced" ] || { echo "run-sanitizers: build failed" >&2; exit 2; }
t1=$(date +%s)
echo "run-sanitizers: built in $((t1 - t0)) s ($build)"

rm -rf "$logs"
mkdir -p "$logs"
# log_path: one file per reporting process, so nothing is lost in a test's
# captured output. The report's exit status (1) still fails the process.
export ASAN_OPTIONS="detect_leaks=1:log_path=$logs/asan:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:${ASAN_OPTIONS_EXTRA:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}"

status=0
ctest --test-dir "$build" --output-on-failure -j"${CTEST_JOBS:-2}" --timeout 900 \
  --output-log "$logs/../ctest-output.log" "$@" || status=$?
t2=$(date +%s)

# UBSan reports of the combined runtime go to stderr, not to log_path: look
# for them in the output of every test (passing ones included).
if grep -q -E 'runtime error: |ERROR: (Address|Leak)Sanitizer' "$logs/../ctest-output.log" 2>/dev/null; then
  grep -E -A8 'runtime error: |ERROR: (Address|Leak)Sanitizer' "$logs/../ctest-output.log" >"$logs/from-test-output" || true
fi
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
  echo "run-sanitizers: sanitizer reports:"
  for f in $reports; do
    echo "==== $f"
    head -60 "$f"
  done
  status=1
fi
echo "run-sanitizers: ctest took $((t2 - t1)) s; $(echo -n "$reports" | grep -c . || true) sanitizer report(s); exit $status"
exit $status
