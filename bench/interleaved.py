#!/usr/bin/env python3
"""Times commands round-robin: each round runs every command once, in turn, so that the drift
of a shared machine falls on all of them alike (hyperfine runs one command's rounds together).

usage: interleaved.py ROUNDS WARMUP NAME=COMMAND [NAME=COMMAND...]
Each COMMAND is split on blanks and run without a shell, its output discarded. Prints, per
command, the median, min and max wall time and the median CPU time (user + system).
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def run(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    rounds, warmup = int(sys.argv[1]), int(sys.argv[2])
    commands = [arg.split("=", 1) for arg in sys.argv[3:]]
    for _ in range(warmup):
        for _, command in commands:
            run(command.split())
    walls = {name: [] for name, _ in commands}
    cpus = {name: [] for name, _ in commands}
    for _ in range(rounds):
        for name, command in commands:
            wall, cpu = run(command.split())
            walls[name].append(wall)
            cpus[name].append(cpu)
    width = max(len(name) for name, _ in commands)
    for name, command in commands:
        print("%-*s  median %.3f s  (min %.3f, max %.3f; CPU median %.3f s; %d rounds)" % (
            width, name, statistics.median(walls[name]), min(walls[name]), max(walls[name]),
            statistics.median(cpus[name]), rounds))
    print()
    for name, command in commands:
        print("  %-*s  %s" % (width, name, command))


if __name__ == "__main__":
    main()
