#!/usr/bin/env bash
# Whole-process comparison of `bulwark compile` with FireHOL's iprange on the same input, in the
# same run: the commands take turns (bench/interleaved.py), medians over ROUNDS rounds.
# Usage: bench/compile-vs-iprange.sh [DIR]   (DIR holds bench/generate.py's inputs; written when missing)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/target/bench}
rounds=${ROUNDS:-10}
for tool in iprange python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 1; }
done
[[ -f $dir/v6.txt ]] || python3 "$root/bench/generate.py" "$dir"
bulwark=$root/bulwark
# the first run builds the jar and the start-up cache; it is not measured
"$bulwark" --version

echo
echo "== same result: bulwark's list and iprange's, IPv4"
"$bulwark" compile "$dir/v4.txt" --allow "$dir/allow.txt" --protect none --max-prefix 0 -q > "$dir/bulwark-v4.txt"
iprange "$dir/v4.txt" --except "$dir/allow.txt" > "$dir/iprange-v4.txt"
if cmp -s "$dir/bulwark-v4.txt" "$dir/iprange-v4.txt"; then
    echo "identical: $(wc -l < "$dir/bulwark-v4.txt") lines"
else
    echo "DIFFERENT" >&2
    exit 1
fi

echo
echo "== 1,000,000 IPv4 lines + 10,000 allowed addresses; 1,000,000 IPv6 lines + 10,000 allowed (iprange 1.0.4 has no IPv6)"
python3 "$root/bench/interleaved.py" "$rounds" 1 \
    "bulwark=$bulwark compile $dir/v4.txt --allow $dir/allow.txt --protect none --max-prefix 0 -q" \
    "bulwark-defaults=$bulwark compile $dir/v4.txt --allow $dir/allow.txt -q" \
    "iprange=iprange $dir/v4.txt --except $dir/allow.txt" \
    "bulwark-ipv6=$bulwark compile $dir/v6.txt --allow $dir/allow6.txt --max-prefix 0,0 -q"

echo
echo "== memory: compiled under a heap limit, and the process's peak RSS"
for heap in 256m 128m; do
    BULWARK_JAVA_OPTS="-Xmx$heap" /usr/bin/time -f "  IPv4 -Xmx$heap: ok, peak RSS %M KB, %e s" \
        "$bulwark" compile "$dir/v4.txt" --allow "$dir/allow.txt" -q -o /dev/null || echo "  IPv4 -Xmx$heap: failed"
done
BULWARK_JAVA_OPTS="-Xmx256m" /usr/bin/time -f "  IPv6 -Xmx256m: ok, peak RSS %M KB, %e s" \
    "$bulwark" compile "$dir/v6.txt" --allow "$dir/allow6.txt" --max-prefix 0,0 -q -o /dev/null || echo "  IPv6 -Xmx256m: failed"
/usr/bin/time -f "  iprange: peak RSS %M KB, %e s" iprange "$dir/v4.txt" --except "$dir/allow.txt" > /dev/null
