#!/usr/bin/env python3
"""Writes the benchmark inputs of docs/BENCHMARKS.md into a directory (default: target/bench).

v4.txt      1,000,000 IPv4 lines: about 90% single addresses, 10% prefixes /16-/28, shuffled
v6.txt      1,000,000 IPv6 lines: about 90% single addresses, 10% prefixes /32-/64, shuffled
allow.txt   10,000 IPv4 addresses
allow6.txt  10,000 IPv6 addresses
Seeded, so every run and every machine gets the same files.
"""
import os
import random
import sys


def ipv4(value):
    return "%d.%d.%d.%d" % (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)


def ipv6(value):
    groups = ["%x" % ((value >> (112 - 16 * i)) & 0xFFFF) for i in range(8)]
    return ":".join(groups)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "target/bench"
    if out.startswith("-"):
        sys.exit("usage: bench/generate.py [OUTPUT_DIR]   (default target/bench)")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(42)
    lines = []
    for _ in range(1_000_000):
        if rng.random() < 0.9:
            lines.append(ipv4(rng.getrandbits(32)))
        else:
            length = rng.randint(16, 28)
            value = rng.getrandbits(32) & ((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF)
            lines.append("%s/%d" % (ipv4(value), length))
    rng.shuffle(lines)
    with open(os.path.join(out, "v4.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "allow.txt"), "w") as f:
        f.write("\n".join(ipv4(rng.getrandbits(32)) for _ in range(10_000)) + "\n")
    lines = []
    for _ in range(1_000_000):
        # inside 2000::/3, where global unicast lives
        value = (0x2 << 125) | rng.getrandbits(125)
        if rng.random() < 0.9:
            lines.append(ipv6(value))
        else:
            length = rng.randint(32, 64)
            value &= ((1 << 128) - 1) ^ ((1 << (128 - length)) - 1)
            lines.append("%s/%d" % (ipv6(value), length))
    rng.shuffle(lines)
    with open(os.path.join(out, "v6.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "allow6.txt"), "w") as f:
        f.write("\n".join(ipv6((0x2 << 125) | rng.getrandbits(125)) for _ in range(10_000)) + "\n")


if __name__ == "__main__":
    main()
