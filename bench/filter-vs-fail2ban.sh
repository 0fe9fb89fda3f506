#!/usr/bin/env bash
# bulwark filter-test against fail2ban-regex, whole process, on the same generated logs with
# fail2ban's own stock filters: a 500,000-line sshd auth log (sshd.conf) and a 500,000-line
# nginx access log with scanners (nginx-botsearch.conf). Prints each tool's counts (they must
# agree), then times both in alternating rounds (bench/interleaved.py: medians of wall and CPU).
# Usage: bench/filter-vs-fail2ban.sh [LINES] [ROUNDS]   (needs fail2ban: apt-get install fail2ban)
set -euo pipefail
cd -- "$(dirname -- "$0")/.."
lines=${1:-500000}
rounds=${2:-5}
work=${BENCH_DIR:-/tmp/bulwark-filter-bench}
mkdir -p "$work"
python=/usr/bin/python3
[[ -s $work/sshd-$lines.log ]] || "$python" bench/gen-sshd-log.py "$lines" > "$work/sshd-$lines.log"
[[ -s $work/nginx-$lines.log ]] || "$python" bench/gen-nginx-log.py "$lines" > "$work/nginx-$lines.log"
./bulwark --version >/dev/null   # builds the jar if needed
for pair in "sshd-$lines.log sshd" "nginx-$lines.log nginx-botsearch"; do
    set -- $pair
    log=$work/$1
    filter=/etc/fail2ban/filter.d/$2.conf
    echo "== $1 with $filter"
    echo "-- fail2ban-regex:"
    fail2ban-regex "$log" "$filter" | grep -E '^Lines:|^Failregex: [0-9]+ total'
    echo "-- bulwark filter-test:"
    ./bulwark filter-test "$log" "$filter" | grep -E '^lines:'
    "$python" bench/interleaved.py "$rounds" 1 "fail2ban-regex=fail2ban-regex $log $filter" \
        "bulwark=./bulwark filter-test $log $filter"
done
