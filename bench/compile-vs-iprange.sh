#!/usr/bin/env bash
# Whole-process comparison of `bulwark compile` with FireHOL's iprange on the same input, in the
# same run, medians of several runs (hyperfine). Usage: bench/compile-vs-iprange.sh [DIR]
# DIR holds the inputs of bench/generate.py (written there when missing); RUNS sets the count.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/target/bench}
runs=${RUNS:-5}
for tool in hyperfine iprange python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 1; }
done
[[ -f $dir/v6.txt ]] || python3 "$root/bench/generate.py" "$dir"
bulwark=$root/bulwark
# the first runs build the jar and the start-up cache; they are not measured
"$bulwark" compile "$dir/allow.txt" -q >/dev/null
"$bulwark" compile "$dir/allow.txt" -q >/dev/null

echo "== same result: bulwark's list and iprange's, IPv4"
"$bulwark" compile "$dir/v4.txt" --allow "$dir/allow.txt" --protect none --max-prefix 0 -q > "$dir/bulwark-v4.txt"
iprange "$dir/v4.txt" --except "$dir/allow.txt" > "$dir/iprange-v4.txt"
if cmp -s "$dir/bulwark-v4.txt" "$dir/iprange-v4.txt"; then
    echo "identical: $(wc -l < "$dir/bulwark-v4.txt") lines"
else
    echo "DIFFERENT" >&2
    exit 1
fi

echo "== 1,000,000 IPv4 lines + 10,000 allowed addresses"
hyperfine --style basic -N --warmup 1 --runs "$runs" --export-json "$dir/v4.json" \
    -n "bulwark compile" "$bulwark compile $dir/v4.txt --allow $dir/allow.txt --protect none --max-prefix 0 -q" \
    -n "bulwark compile, default protection" "$bulwark compile $dir/v4.txt --allow $dir/allow.txt -q" \
    -n "iprange" "iprange $dir/v4.txt --except $dir/allow.txt"

echo "== 1,000,000 IPv6 lines + 10,000 allowed addresses (iprange 1.0.4 has no IPv6)"
hyperfine --style basic -N --warmup 1 --runs "$runs" --export-json "$dir/v6.json" \
    -n "bulwark compile IPv6" "$bulwark compile $dir/v6.txt --allow $dir/allow6.txt --max-prefix 0,0 -q"

echo "== medians"
python3 - "$dir/v4.json" "$dir/v6.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    for result in json.load(open(path))["results"]:
        print("%-40s median %7.3f s  (min %.3f, max %.3f, %d runs)" % (
            result["command"], result["median"], result["min"], result["max"], len(result["times"])))
PY

echo "== memory: the 1M IPv4 list compiled under a 256 MB heap limit, and the process's peak RSS"
for heap in 256m 128m; do
    if BULWARK_JAVA_OPTS="-Xmx$heap" /usr/bin/time -f "  -Xmx$heap: ok, peak RSS %M KB, %e s" \
        "$bulwark" compile "$dir/v4.txt" --allow "$dir/allow.txt" -q -o /dev/null; then :; else echo "  -Xmx$heap: failed"; fi
done
BULWARK_JAVA_OPTS="-Xmx256m" /usr/bin/time -f "  IPv6 -Xmx256m: ok, peak RSS %M KB, %e s" \
    "$bulwark" compile "$dir/v6.txt" --allow "$dir/allow6.txt" --max-prefix 0,0 -q -o /dev/null || echo "  IPv6 -Xmx256m: failed"
/usr/bin/time -f "  iprange: peak RSS %M KB, %e s" iprange "$dir/v4.txt" --except "$dir/allow.txt" > /dev/null
