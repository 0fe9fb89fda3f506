#!/usr/bin/env bash
# The lookup API under load: starts ApiServerBenchmark (the real ApiServer, a view answering from an
# IpSet of 1,000,000 random /32s) on loopback, then wrk on one blocked and one unlisted address.
# Prints wrk's numbers and the server's CPU time per request. wrk and the server share the machine.
# With BARE=1, a bare Jetty handler answering the same bytes to everything, for scale.
# Usage: JAVA_HOME=/path/to/jdk21+ bench/api-lookup.sh [SECONDS]   (needs wrk: apt-get install wrk)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-15}
port=${PORT:-8751}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
cd "$root"
./mvnw -q -o test-compile
./mvnw -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
log=$(mktemp)
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx1g -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" dev.bulwark.api.ApiServerBenchmark "$port" ${BARE:+bare} > "$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 60); do grep -qE "not blocked|bare" "$log" && break; sleep 1; done
cat "$log"
blocked=$(awk '/^blocked:/{print $2}' "$log")
unlisted=$(awk '/^not blocked:/{print $3}' "$log")
if [[ -n ${BARE:-} ]]; then blocked=/v1/ip/18.172.63.251; unlisted=$blocked; fi
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
ticks=$(getconf CLK_TCK)
wrk -t2 -c64 -d10s "http://127.0.0.1:$port$blocked" > /dev/null   # warm-up: JIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for path in "$blocked" "$unlisted"; do
    before=$(cpu)
    out=$(wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port$path")
    after=$(cpu)
    echo "$out"
    requests=$(echo "$out" | awk '/requests in/{print $1}')
    echo "server CPU per request: $(awk -v t=$((after - before)) -v r="$requests" -v hz="$ticks" 'BEGIN{printf "%.1f us", t / hz * 1e6 / r}')"
    echo
done
