#!/usr/bin/env bash
# The daemon with 1,000,000 decisions, nftables enforcing inside a network namespace (run as
# root): first start (fetch, store, full load), restart (restore from the store and reconcile),
# resident memory, and the time from a ban request to nftables holding it.
# Usage: sudo bench/daemon.sh [BANS] [LIST]   (LIST defaults to bench/enforce.py's list-1m.txt:
# 990,000 addresses and 10,000 prefixes; run bench/enforce.py first to generate it)
set -euo pipefail
cd -- "$(dirname -- "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bans=${1:-20}
list=$(realpath "${2:-$PWD/target/bench/enforce/list-1m.txt}")
[[ -f $list ]] || { echo "no $list: run bench/enforce.py first (it generates the inputs)" >&2; exit 2; }
ns=bwdaemon
work=$(mktemp -d /tmp/bulwark-daemon-bench.XXXXXX)
port=18760
cleanup() { cp "$work/log" /tmp/bulwark-daemon-last.log 2>/dev/null; [[ -n ${pid-} ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; ip netns del $ns 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ip netns add $ns
ip netns exec $ns ip link set lo up
cat >"$work/bulwark.yml" <<YAML
state_dir: $work/state
api: { listen: 127.0.0.1:$port }
policy: { protect: [loopback, private, link-local, multicast] }
feeds:
  - { name: big, url: $list, every: 24h }
enforce:
  - nftables: { hooks: [input] }
YAML
./bulwark --version >/dev/null   # builds the jar if needed
start() {
    local started=$(date +%s.%N)
    ip netns exec $ns ./bulwark run --config "$work/bulwark.yml" >"$work/log" 2>&1 &
    pid=$!
    until grep -q "API on" "$work/log"; do sleep 0.05; kill -0 $pid || { cat "$work/log"; exit 1; }; done
    echo "  running after $(echo "$(date +%s.%N) - $started" | bc) s"
}
api() { ip netns exec $ns curl -s "$@"; }
echo "first start (empty store):"
start
# the first round: fetch, 1,000,000 decisions into the store, full load into nftables
until grep -q "nftables.*state 2" "$work/log"; do sleep 0.2; done
grep -E "feed big|nftables" "$work/log" | sed 's/^/  /'
# resident memory once idle: the launcher's periodic collection comes after a minute without one
sleep 70
echo "  RSS after the first round, idle 70 s: $(( $(ps -o rss= -p "$(pgrep -f "bulwark.jar run --config $work" | head -1)") / 1024 )) MB"
kill $pid; wait $pid 2>/dev/null || true; unset pid
echo "restart (1,000,000 decisions in the store):"
start
grep -E "restored|nftables" "$work/log" | head -3 | sed 's/^/  /'
# the restart fetches the feed again (unchanged: it touches the 1,000,000 decisions in the store),
# and the bans below are measured on an idle daemon: wait until the process uses under 5% of a
# core for a second
jpid=$(wait_idle "$work")
echo "  RSS once the restart's round is done: $(( $(ps -o rss= -p "$jpid") / 1024 )) MB"
sleep 70
echo "  RSS after 70 s more, idle: $(( $(ps -o rss= -p "$jpid") / 1024 )) MB"
# HISTOGRAM=1: what the heap holds, largest classes first (jcmd from the same JDK)
if [[ -n ${HISTOGRAM-} ]]; then
    "$(dirname "$(readlink -f "/proc/$jpid/exe")")/jcmd" "$jpid" GC.class_histogram | head -22 | sed 's/^/  /'
    "$(dirname "$(readlink -f "/proc/$jpid/exe")")/jcmd" "$jpid" GC.heap_info | sed 's/^/  /'
    echo "  RSS after that full GC: $(( $(ps -o rss= -p "$jpid") / 1024 )) MB"
fi
token=$(cat "$work/state/api.token")
echo "ban to nftables, $bans bans:"
# The end of each ban's apply is read from the daemon's own log line (its time, in ms, is taken
# right after nft -f returned), not polled over the API: polling would compete with the daemon for
# the same two cores. A pause between bans lets each one start from an idle daemon.
applies() { grep -c "Reconciler: nftables: incremental" "$work/log" || true; }
for i in $(seq 1 "$bans"); do
    address=198.18.$i.1
    before=$(applies)
    t0=$(date +%s%N)
    api -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"target\": \"$address\"}" "http://127.0.0.1:$port/v1/decisions"
    t1=$(date +%s%N)
    until (( $(applies) > before )); do sleep 0.005; done
    line=$(grep "Reconciler: nftables: incremental" "$work/log" | sed -n "$((before + 1))p")
    t2=$(date -d "${line%% *}" +%s%N)
    echo "  $address: ban answered in $(( (t1 - t0) / 1000000 )) ms, in nftables $(( (t2 - t0) / 1000000 )) ms after the request"
    sleep 0.2
done
echo "the enforcer's own account of those applies (its nft -f included):"
grep "Reconciler: nftables: incremental" "$work/log" | tail -n "$bans" | sed 's/^.*Reconciler: /  /'
