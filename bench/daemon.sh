#!/usr/bin/env bash
# The daemon with 1,000,000 decisions, nftables enforcing inside a network namespace (run as
# root): first start (fetch, store, full load), restart (restore from the store and reconcile),
# resident memory, and the time from a ban request to nftables holding it.
# Usage: sudo bench/daemon.sh [BANS]   (the list comes from bench/enforce.py's inputs)
set -euo pipefail
cd -- "$(dirname -- "$0")/.."
bans=${1:-20}
list=$PWD/target/bench/enforce/list-1m.txt
[[ -f $list ]] || { echo "no $list: run bench/enforce.py first (it generates the inputs)" >&2; exit 2; }
ns=bwdaemon
work=$(mktemp -d /tmp/bulwark-daemon-bench.XXXXXX)
port=18760
cleanup() { [[ -n ${pid-} ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; ip netns del $ns 2>/dev/null; rm -rf "$work"; }
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
sleep 5
echo "  RSS after the first round: $(( $(ps -o rss= -p "$(pgrep -f "bulwark.jar run --config $work" | head -1)") / 1024 )) MB"
kill $pid; wait $pid 2>/dev/null || true; unset pid
echo "restart (1,000,000 decisions in the store):"
start
grep -E "restored|nftables" "$work/log" | head -3 | sed 's/^/  /'
sleep 5
jpid=$(pgrep -f "bulwark.jar run --config $work" | head -1)
echo "  RSS: $(( $(ps -o rss= -p "$jpid") / 1024 )) MB"
token=$(cat "$work/state/api.token")
echo "ban to nftables, $bans bans:"
for i in $(seq 1 "$bans"); do
    address=198.18.7.$i
    t0=$(date +%s%N)
    api -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"target\": \"$address\"}" "http://127.0.0.1:$port/v1/decisions"
    t1=$(date +%s%N)
    # held: nftables' last successful apply (nft -f returned) contains it
    until api "http://127.0.0.1:$port/v1/explain/$address" | grep -q '"enforcers":\["nftables"'; do :; done
    t2=$(date +%s%N)
    echo "  $address: ban answered in $(( (t1 - t0) / 1000000 )) ms, in nftables $(( (t2 - t0) / 1000000 )) ms after the request"
done
ip netns exec $ns nft list set inet bulwark v4_hosts >/dev/null 2>&1 || true
