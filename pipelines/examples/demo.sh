#!/usr/bin/env bash
# The demo: installs dependencies, builds sluiced, serves Debian's iso-codes
# JSON files from a loopback HTTP server, runs the example pipelines once,
# shows their output, and stops the server. No internet needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash packaging/install-deps.sh
# The same build type as tests/run-all.sh and the README, so the two Quick
# start commands share build/ without rebuilding it.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target sluiced
bin=$root/build/sluiced
data=/usr/share/iso-codes/json
out=${DEMO_OUT:-$(mktemp -d /tmp/sluiced-demo.XXXXXX)}
portfile=$(mktemp)
python3 tests/e2e/http_server.py --dir "$data" --port-file "$portfile" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$portfile"' EXIT
for _ in $(seq 50); do [ -s "$portfile" ] && break; sleep 0.1; done
export DEMO_URL="http://127.0.0.1:$(cat "$portfile")" DEMO_OUT="$out"
echo "== sluiced check"
"$bin" check pipelines/examples
echo "== sluiced test"
"$bin" test pipelines/examples
echo "== sluiced run --once (logs on stderr, as json)"
"$bin" run --once --log-format json pipelines/examples
echo "== output in $out"
wc -l "$out"/*.ndjson
echo "-- first lines of countries.ndjson"
head -n 3 "$out/countries.ndjson"
echo "-- first lines of languages.ndjson"
head -n 3 "$out/languages.ndjson"
