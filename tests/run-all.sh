#!/usr/bin/env bash
# Builds sluiced and runs every test through CTest: doctest unit tests and
# end-to-end tests (the built binary against loopback HTTP servers), then the
# same suite again on an ASan + UBSan build (tests/run-sanitizers.sh; skip
# it with SLUICED_SKIP_SANITIZERS=1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash packaging/install-deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j2
ctest --test-dir "$build" --output-on-failure -j2 --timeout 900
if [ "${SLUICED_SKIP_SANITIZERS:-0}" != 1 ]; then
  bash tests/run-sanitizers.sh
fi
