#!/usr/bin/env python3
"""Kernel enforcement benchmarks of docs/BENCHMARKS.md, side by side with the raw tools, in the
same run: each round runs every case once, in turn (interleaved), each in a fresh network
namespace; medians over the rounds.

usage: bench/enforce.py [ROUNDS] [ONE_BY_ONE_ROUNDS]     (as root; needs nft, ipset, ip)
The one-by-one baselines (10,000 process runs each) default to one round; the nft one adds to a
plain hash set, its fastest case: into an interval set nft re-reads the set before every add.

Inputs (written to target/bench/enforce, seeded):
  list-1m.txt    1,000,000 IPv4 elements: 990,000 single addresses and 10,000 prefixes /24-/28,
                 none adjacent, so the compiled list keeps exactly 1,000,000 elements
  list-next.txt  the same with 10,000 elements removed and 10,000 addresses added (1% churn)
  list-10k.txt   10,000 single addresses
  raw-*.nft, raw-*.ipset  the same elements as plain nft / ipset restore scripts (the kernel's floor)
"""
import os
import random
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.path.join(ROOT, "target", "bench", "enforce")
BULWARK = os.path.join(ROOT, "bulwark")


def ip(value):
    return "%d.%d.%d.%d" % (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)


def generate():
    os.makedirs(DIR, exist_ok=True)
    rng = random.Random(42)
    singles = set()
    while len(singles) < 1_000_000:
        # 1.0.0.0 - 99.255.255.255, last octet 4k+1: never adjacent, never mergeable
        singles.add(((rng.randrange(1 << 24, 100 << 24)) & ~3) | 1)
    singles = sorted(singles)
    rng.shuffle(singles)
    kept, spare = singles[:990_000], singles[990_000:]
    blocks = rng.sample(range((100 << 16) // 2, (127 << 16) // 2), 10_000)
    prefixes = [(block * 2 << 8, rng.randint(24, 28)) for block in blocks]
    elements = ["%s" % ip(v) for v in kept] + ["%s/%d" % (ip(v), n) for v, n in prefixes]
    rng.shuffle(elements)
    removed = set(rng.sample(elements, 10_000))
    added = ["%s" % ip(v) for v in spare]
    following = [e for e in elements if e not in removed] + added
    write_list("list-1m.txt", elements)
    write_list("list-next.txt", following)
    write_list("list-10k.txt", [ip(v) for v in kept[:10_000]])
    hosts = [e for e in elements if "/" not in e]
    nets = [e for e in elements if "/" in e]
    with open(os.path.join(DIR, "raw-full.nft"), "w") as f:
        f.write("table inet raw {\n set v4 { type ipv4_addr; flags interval,timeout; }\n"
                " set v4_hosts { type ipv4_addr; flags timeout; }\n"
                " chain input { type filter hook input priority -10; policy accept;\n"
                "  ip saddr @v4_hosts drop\n  ip saddr @v4 drop\n }\n}\n")
        chunks(f, "add element inet raw v4_hosts", hosts)
        chunks(f, "add element inet raw v4", nets)
    with open(os.path.join(DIR, "raw-full-interval.nft"), "w") as f:
        f.write("table inet raw {\n set v4 { type ipv4_addr; flags interval,timeout; }\n"
                " chain input { type filter hook input priority -10; policy accept;\n  ip saddr @v4 drop\n }\n}\n")
        chunks(f, "add element inet raw v4", elements)
    with open(os.path.join(DIR, "raw-delta.nft"), "w") as f:
        chunks(f, "delete element inet raw v4_hosts", [e for e in removed if "/" not in e])
        chunks(f, "delete element inet raw v4", [e for e in removed if "/" in e])
        chunks(f, "add element inet raw v4_hosts", added)
    with open(os.path.join(DIR, "raw-full.ipset"), "w") as f:
        f.write("create raw hash:net family inet hashsize 524288 maxelem 2097152 timeout 0\n")
        f.writelines("add raw %s\n" % e for e in elements)
    with open(os.path.join(DIR, "raw-delta.ipset"), "w") as f:
        f.writelines("del raw %s\n" % e for e in removed)
        f.writelines("add raw %s\n" % e for e in added)


def chunks(f, head, items):
    for i in range(0, len(items), 1000):
        f.write("%s { %s }\n" % (head, ", ".join(items[i:i + 1000])))


def write_list(name, items):
    with open(os.path.join(DIR, name), "w") as f:
        f.write("\n".join(items) + "\n")


class Namespace:
    count = 0

    def __enter__(self):
        Namespace.count += 1
        self.name = "bwbench%d" % Namespace.count
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "delete", self.name], check=True)

    def argv(self, *command):
        return ["ip", "netns", "exec", self.name] + list(command)


def timed(argv, stdin=None):
    with open(stdin) if stdin else open(os.devnull) as source:
        start = time.perf_counter()
        result = subprocess.run(argv, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(argv), result.stderr))
    match = re.search(r"elements in (\d+) ms", result.stderr)
    return wall, (int(match.group(1)) / 1000.0 if match else None)


def state_dir(tag):
    path = os.path.join(DIR, "state-" + tag)
    subprocess.run(["rm", "-rf", path], check=True)
    return path


def bulwark(ns, backend, state, name):
    return ns.argv(BULWARK, "enforce", "--backend", backend, "--state-dir", state, os.path.join(DIR, name))


def case_nft_raw_full(results):
    with Namespace() as ns:
        record(results, "nft raw full (same two sets)", timed(ns.argv("nft", "-f", os.path.join(DIR, "raw-full.nft"))))
        record(results, "nft raw incremental 1%", timed(ns.argv("nft", "-f", os.path.join(DIR, "raw-delta.nft"))))


def case_nft_raw_interval(results):
    with Namespace() as ns:
        record(results, "nft raw full (one interval set)", timed(ns.argv("nft", "-f", os.path.join(DIR, "raw-full-interval.nft"))))


def case_nft_bulwark(results):
    state = state_dir("nft")
    with Namespace() as ns:
        record(results, "bulwark nftables full", timed(bulwark(ns, "nftables", state, "list-1m.txt")))
        record(results, "bulwark nftables incremental 1%", timed(bulwark(ns, "nftables", state, "list-next.txt")))


def case_ipset_raw(results):
    with Namespace() as ns:
        record(results, "ipset raw full (restore)", timed(ns.argv("ipset", "restore"), os.path.join(DIR, "raw-full.ipset")))
        record(results, "ipset raw incremental 1%", timed(ns.argv("ipset", "restore", "-exist"), os.path.join(DIR, "raw-delta.ipset")))


def case_ipset_bulwark(results):
    state = state_dir("ipset")
    with Namespace() as ns:
        record(results, "bulwark ipset full", timed(bulwark(ns, "ipset", state, "list-1m.txt")))
        record(results, "bulwark ipset incremental 1%", timed(bulwark(ns, "ipset", state, "list-next.txt")))


def one_by_one(ns, setup, command_for):
    for argv in setup:
        subprocess.run(ns.argv(*argv), check=True)
    with open(os.path.join(DIR, "list-10k.txt")) as f:
        addresses = f.read().split()
    start = time.perf_counter()
    for address in addresses:
        subprocess.run(ns.argv(*command_for(address)), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, None


def case_one_by_one(results):
    with Namespace() as ns:
        record(results, "10k: nft add element, one per address", one_by_one(
            ns, [["nft", "add table inet raw; add set inet raw v4 { type ipv4_addr; }"]],
            lambda a: ["nft", "add", "element", "inet", "raw", "v4", "{ %s }" % a]))
    with Namespace() as ns:
        record(results, "10k: bulwark nftables", timed(bulwark(ns, "nftables", state_dir("10k-nft"), "list-10k.txt")))
    with Namespace() as ns:
        record(results, "10k: ipset add, one per address", one_by_one(
            ns, [["ipset", "create", "raw", "hash:net"]], lambda a: ["ipset", "add", "raw", a]))
    with Namespace() as ns:
        record(results, "10k: bulwark ipset", timed(bulwark(ns, "ipset", state_dir("10k-ipset"), "list-10k.txt")))


def record(results, name, measured):
    wall, inner = measured
    print("  %s: %.3f s%s" % (name, wall, "" if inner is None else " (apply %.3f s)" % inner), flush=True)
    results.setdefault(name, ([], []))
    results[name][0].append(wall)
    if inner is not None:
        results[name][1].append(inner)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    slow_rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if not os.path.exists(os.path.join(DIR, "raw-delta.ipset")):
        generate()
    subprocess.run([BULWARK, "--version"], check=True, stdout=subprocess.DEVNULL)
    results = {}
    for _ in range(rounds):
        for case in (case_nft_raw_full, case_nft_bulwark, case_nft_raw_interval, case_ipset_raw, case_ipset_bulwark):
            case(results)
    for _ in range(slow_rounds):
        case_one_by_one(results)
    width = max(len(name) for name in results)
    for name, (walls, inner) in results.items():
        extra = "; apply step alone (report) median %.3f s" % statistics.median(inner) if inner else ""
        print("%-*s  median %7.3f s  (min %.3f, max %.3f; %d rounds)%s" % (
            width, name, statistics.median(walls), min(walls), max(walls), len(walls), extra))


if __name__ == "__main__":
    main()
