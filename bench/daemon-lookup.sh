#!/usr/bin/env bash
# The lookup API of the whole daemon under wrk: `bulwark run` (the launcher's defaults) with one
# file feed of 1,000,000 IPv4 entries (bench/enforce.py's list-1m.txt) and the dry-run enforcer,
# so that it needs no root; once the feed is loaded and the daemon idle, wrk asks for one listed
# and one unlisted address over loopback. Prints wrk's numbers, the daemon's CPU time per request
# and its resident memory. wrk and the daemon share the machine's cores.
# Usage: bench/daemon-lookup.sh [SECONDS] [LIST]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd -- "$(dirname -- "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
seconds=${1:-15}
list=$(realpath "${2:-$PWD/target/bench/enforce/list-1m.txt}")
[[ -f $list ]] || { echo "no $list: run bench/enforce.py first (it generates the inputs)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
port=${PORT:-18761}
work=$(mktemp -d /tmp/bulwark-lookup-bench.XXXXXX)
cleanup() { [[ -n ${pid-} ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cat >"$work/bulwark.yml" <<YAML
state_dir: $work/state
api: { listen: 127.0.0.1:$port }
policy: { protect: [loopback, private, link-local, multicast] }
feeds:
  - { name: big, url: $list, every: 24h }
enforce:
  - dry-run: {}
YAML
./bulwark --version >/dev/null   # builds the jar if needed
./bulwark run --config "$work/bulwark.yml" >"$work/log" 2>&1 &
pid=$!
until grep -q "feed big: ok" "$work/log"; do sleep 0.2; kill -0 $pid || { cat "$work/log"; exit 1; }; done
jpid=$(wait_idle "$work")
grep -E "feed big: ok" "$work/log" | sed 's/^/  /'
listed=$(grep -m1 -v '/' "$list" | tr -d '[:space:]')
unlisted=198.18.200.1
curl -s "http://127.0.0.1:$port/v1/ip/$listed" | head -c 300; echo
curl -s "http://127.0.0.1:$port/v1/ip/$unlisted"; echo
wrk -t2 -c64 -d10s "http://127.0.0.1:$port/v1/ip/$listed" >/dev/null   # warm-up: JIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ticks=$(getconf CLK_TCK)
for address in "$listed" "$unlisted"; do
    before=$(cpu_ticks "$jpid")
    out=$(wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port/v1/ip/$address")
    after=$(cpu_ticks "$jpid")
    echo "GET /v1/ip/$address"
    echo "$out" | sed 's/^/  /'
    requests=$(echo "$out" | awk '/requests in/{print $1}')
    echo "  daemon CPU per request: $(awk -v t=$((after - before)) -v r="$requests" -v hz="$ticks" 'BEGIN{printf "%.1f us", t / hz * 1e6 / r}')"
done
echo "RSS after the runs: $(( $(ps -o rss= -p "$jpid") / 1024 )) MB"
