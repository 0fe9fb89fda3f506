#!/usr/bin/env bash
# Time to mitigate: from one failing sshd line appended to a jail's log to its address in the
# kernel's set. The real daemon (./bulwark run, the launcher's defaults) enforces through
# nftables (or, with BACKEND=ipset, ipset + iptables) inside a network namespace, with one jail (built-in sshd filter, maxretry 1) on a log
# file. For each of BANS new addresses one line is written (one write(2) of one whole line, on a
# file opened with O_APPEND: the log is never buffered), and the time until the kernel holds the
# address is taken by `nft monitor elements` running in the namespace: the kernel sends each
# committed element to it over netlink as the transaction commits, so the observer does not poll.
# Its own delay is bounded first, with `nft add element` into a table of its own: the event's
# timestamp is compared with nft's exit, which comes after the commit (it is printed: the event
# comes before the exit). ipset reports no events: with BACKEND=ipset one long-lived `ipset -`
# asks `test bulwark-v4 ADDRESS` every half millisecond instead, its delay bounded the same way
# with `ipset add` into a set of its own. The daemon's log then splits each ban's time (see the end).
# BACKGROUND > 0: a file feed of that many /24 prefixes is loaded and enforced before the bans.
# Usage: sudo bench/detect-mitigate.sh [BANS] [BACKGROUND]   (defaults 200 and 0; as root)
# Environment: BACKEND (nftables or ipset, default nftables), PAUSE (seconds between bans, default 0.1), KEEP_LOG=FILE (copy the daemon's log there,
# and each ban's address, wall-clock write time in ns and latency in ms to FILE.bans.tsv).
set -euo pipefail
cd -- "$(dirname -- "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bans=${1:-200}
background=${2:-0}
pause=${PAUSE:-0.1}
backend=${BACKEND:-nftables}
[[ $backend == nftables || $backend == ipset ]] || { echo "BACKEND is nftables or ipset, not $backend" >&2; exit 2; }
ns=bwdetect$$
work=$(mktemp -d /tmp/bulwark-detect-bench.XXXXXX)
port=18762
cleanup() {
    [[ -n ${KEEP_LOG-} ]] && { cp "$work/log" "$KEEP_LOG"; cp "$work/bans.tsv" "$KEEP_LOG.bans.tsv"; } 2>/dev/null
    [[ -n ${pid-} ]] && kill "$pid" 2>/dev/null
    # whatever else still runs in the namespace (the observer, if the measurement failed)
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
feeds="feeds: []"
if (( background > 0 )); then
    # BACKGROUND /24s from 11.0.0.0 up: public (not protected by the policy below), none adjacent
    python3 -c '
import sys
n = int(sys.argv[1])
for i in range(n):
    k = 2 * i
    print("%d.%d.%d.0/24" % (11 + k // 65536, (k // 256) % 256, k % 256))' "$background" >"$work/feed.txt"
    feeds="feeds: [{ name: big, url: $work/feed.txt, every: 24h }]"
fi
: >"$work/auth.log"
cat >"$work/bulwark.yml" <<YAML
state_dir: $work/state
api: { listen: 127.0.0.1:$port }
policy: { protect: [loopback, private, link-local, multicast] }
$feeds
jails:
  - { name: sshd, filter: sshd, logpath: [$work/auth.log], maxretry: 1, findtime: 10m, bantime: 1h }
enforce:
  - $backend: { hooks: [input] }
YAML
./bulwark --version >/dev/null   # builds the jar if needed
ip netns exec "$ns" ./bulwark run --config "$work/bulwark.yml" >"$work/log" 2>&1 &
pid=$!
until grep -q "API on" "$work/log"; do sleep 0.05; kill -0 $pid || { cat "$work/log"; exit 1; }; done
if (( background > 0 )); then
    until grep -q "feed big: " "$work/log"; do sleep 0.1; kill -0 $pid || { cat "$work/log"; exit 1; }; done
    until (( $(grep -c "Reconciler: $backend: " "$work/log") >= 2 )); do sleep 0.1; kill -0 $pid || { cat "$work/log"; exit 1; }; done
fi
# measure from an idle daemon: wait until it uses under 5% of a core for a second
jpid=$(wait_idle "$work")
grep -E "restored|feed big|Reconciler" "$work/log" | sed 's/^/  /'
if [[ $backend == nftables ]]; then
    echo "elements in the kernel before the bans: $(ip netns exec "$ns" nft list table inet bulwark | grep -o '[0-9]\+\.[0-9]\+\.[0-9]\+\.[0-9]\+' | wc -l)"
else
    echo "elements in the kernel before the bans: $(ip netns exec "$ns" ipset list bulwark-v4 -t | sed -n 's/^Number of entries: //p')"
fi
echo "$bans bans, one line each, $pause s apart; the daemon has $background other decisions enforced"
python3 - "$ns" "$work/auth.log" "$bans" "$pause" "$work/bans.tsv" "$backend" <<'PY'
import atexit, math, os, re, signal, statistics, subprocess, sys, threading, time

ns, log, bans, pause, out, backend = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
seen = {}
cond = threading.Condition()
ADDRESS = re.compile(r"(?<![\d.])(\d+\.\d+\.\d+\.\d+)(?![\d.])")

if backend == "nftables":
    # its own session: `ip netns exec` runs nft as its child, and both are stopped together
    monitor = subprocess.Popen(["ip", "netns", "exec", ns, "nft", "monitor", "elements"], stdout=subprocess.PIPE, text=True, bufsize=1,
                               start_new_session=True)
    atexit.register(lambda: os.killpg(monitor.pid, signal.SIGTERM))

    def read():
        for line in monitor.stdout:
            now = time.monotonic_ns()
            if not line.startswith("add element"):
                continue
            with cond:
                for address in ADDRESS.findall(line):
                    seen.setdefault(address, now)
                cond.notify_all()
else:
    # ipset has no monitor: one interactive `ipset -` is asked about the addresses awaited, in turn
    asker = subprocess.Popen(["ip", "netns", "exec", ns, "ipset", "-"], stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, text=True, bufsize=1, start_new_session=True)
    atexit.register(lambda: os.killpg(asker.pid, signal.SIGTERM))
    wanted = {}  # address -> set name

    def read():
        while True:
            with cond:
                while not wanted:
                    cond.wait()
                asked = list(wanted.items())
            for address, name in asked:
                asker.stdin.write("test %s %s\n" % (name, address))
                answer = asker.stderr.readline()
                now = time.monotonic_ns()
                if " is in set " in answer:
                    with cond:
                        wanted.pop(address, None)
                        seen.setdefault(address, now)
                        cond.notify_all()
            time.sleep(0.0005)

threading.Thread(target=read, daemon=True).start()

def await_seen(address, deadline_s, name="bulwark-v4"):
    deadline = time.monotonic() + deadline_s
    with cond:
        if backend == "ipset" and address not in seen:
            wanted[address] = name
            cond.notify_all()
        while address not in seen:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            cond.wait(left)
        return seen[address]

def nft(*args):
    subprocess.run(["ip", "netns", "exec", ns, "nft", *args], check=True)

def stats(name, values):
    values = sorted(values)
    def pct(p):
        return values[max(0, math.ceil(p / 100 * len(values)) - 1)]
    print("  %-38s n=%d median %.1f ms, p90 %.1f, p99 %.1f, max %.1f" % (name, len(values), statistics.median(values), pct(90), pct(99),
                                                                       values[-1]))

if backend == "nftables":
    # the observer's own delay: an element added by nft into a table of the bench's own, from
    # before nft starts (an upper bound: nft's start is in it) to the monitor's timestamp
    nft("add", "table", "inet", "bench_observer")
    nft("add", "set", "inet", "bench_observer", "s", "{ type ipv4_addr; }")
    # nft monitor reads the whole ruleset before it reports (seconds beside 100,000 elements), and
    # what is committed before then it never reports: add elements until it reports one
    deadline = time.monotonic() + 60
    for i in range(1000):
        nft("add", "element", "inet", "bench_observer", "s", "{ 198.51.100.%d }" % (i % 250 + 1))
        if await_seen("198.51.100.%d" % (i % 250 + 1), 1) is not None:
            break
        if time.monotonic() > deadline:
            sys.exit("the observer reported nothing in 60 s: is nft monitor working here?")
    probe = []
    for i in range(20):
        address = "192.0.2.%d" % (i + 1)
        started = time.monotonic_ns()
        nft("add", "element", "inet", "bench_observer", "s", "{ %s }" % address)
        ended = time.monotonic_ns()
        at = await_seen(address, 5)
        if at is None:
            sys.exit("the observer saw no element in 5 s: is nft monitor working here?")
        probe.append(((at - started) / 1e6, (ended - at) / 1e6))
    nft("delete", "table", "inet", "bench_observer")
    print("observer: nft monitor elements. A bare `nft add element` of one address into a table of its own took %.1f ms (median, process"
          " start to exit: nft's floor beside this ruleset); its event was timestamped %.2f ms (median) before nft had exited"
          % (statistics.median(a + b for a, b in probe), statistics.median(b for a, b in probe)))
else:
    # the observer's own delay: an address added by ipset into a set of the bench's own, from before ipset starts
    subprocess.run(["ip", "netns", "exec", ns, "ipset", "create", "bench-observer", "hash:ip"], check=True)
    probe = []
    for i in range(20):
        address = "192.0.2.%d" % (i + 1)
        started = time.monotonic_ns()
        subprocess.run(["ip", "netns", "exec", ns, "ipset", "add", "bench-observer", address], check=True)
        ended = time.monotonic_ns()
        at = await_seen(address, 5, "bench-observer")
        if at is None:
            sys.exit("the observer saw no address in 5 s: is ipset working here?")
        probe.append(((at - started) / 1e6, (at - ended) / 1e6))
    subprocess.run(["ip", "netns", "exec", ns, "ipset", "destroy", "bench-observer"], check=True)
    print("observer: ipset test, asked every 0.5 ms. A bare `ipset add` of one address into a set of its own took %.1f ms (median,"
          " process start to exit); the observer saw it %.2f ms (median) after ipset had exited"
          % (statistics.median(a - b for a, b in probe), statistics.median(b for a, b in probe)))

fd = os.open(log, os.O_WRONLY | os.O_APPEND)
latencies = []
rows = []
missed = 0
for i in range(bans):
    # odd last octets only: no two bans are adjacent, so none merges with another into a prefix
    block = i // 125
    address = "198.%d.%d.%d" % (18 + block // 256, block % 256, 2 * (i % 125) + 1)
    line = "%s bench sshd[%d]: Failed password for root from %s port 4242 ssh2\n" % (time.strftime("%b %e %H:%M:%S"), 10000 + i, address)
    data = line.encode()
    wall = time.time_ns()
    written = time.monotonic_ns()
    os.write(fd, data)
    at = await_seen(address, 10)
    if at is None:
        missed += 1
        print("  %s: not in the kernel after 10 s" % address)
        continue
    latency = (at - written) / 1e6
    latencies.append(latency)
    rows.append("%s\t%d\t%.3f" % (address, wall, latency))
    time.sleep(pause)
os.close(fd)
with open(out, "w") as file:
    file.write("\n".join(rows) + "\n")
print("line written to address in the kernel's set:")
stats("all bans", latencies)
if len(latencies) > 20:
    stats("after the first 20 (JIT warm)", latencies[20:])
if missed:
    print("  %d bans not seen within 10 s" % missed)
PY
# The daemon's own account, from its log (times in whole ms): the line's write to the jail's
# "ban ADDRESS" line, which is written once the decision is stored (the ban count and the
# decision, each an SQLite commit with its fsync) and published: the detection path (tail,
# filter, jail, store, compile); and the apply that took the ban to the kernel as the Reconciler
# times it (nft list chains, nft -f, the enforcer's state file).
python3 - "$work/log" "$work/bans.tsv" <<'PY'
import datetime, math, re, statistics, sys
def millis(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp() * 1e3
banned, applies = {}, []
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) INFO  LogDetection: jail sshd: ban ([0-9.]+): ", line)
    if m:
        banned[m.group(2)] = millis(m.group(1))
    m = re.match(r"(\S+) INFO  Reconciler: (?:nftables|ipset): incremental: .*\(state \d+, (\d+) ms\)", line)
    if m:
        applies.append((millis(m.group(1)), int(m.group(2))))
detection, nft = [], []
for line in open(sys.argv[2]).read().split("\n"):
    if not line:
        continue
    address, wall, latency = line.split("\t")
    if address not in banned:
        continue
    detection.append(max(0.0, banned[address] - int(wall) / 1e6))
    # the first apply to end at or after the ban was published
    after = [apply for apply in applies if apply[0] >= banned[address]]
    if after:
        nft.append(after[0][1])
def show(name, values):
    values = sorted(values)
    if not values:
        return
    p = lambda q: values[max(0, math.ceil(q / 100 * len(values)) - 1)]
    print("  %-38s median %.1f ms, p90 %.1f, p99 %.1f, max %.1f" % (name, statistics.median(values), p(90), p(99), values[-1]))
print("the daemon's log, per ban:")
show("write to the ban's log line", detection)
show("the apply, as the Reconciler times it", nft)
PY
