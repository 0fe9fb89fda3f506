#!/usr/bin/env bash
# The floor under bulwark filter-test on this machine (bench/floor/RegexFloor.java: PCRE2 straight
# on the mapped log, none of a filter's other work), whole process, under C1 and under C2, on the
# generated sshd logs of bench/filter-vs-fail2ban.sh. Needs a JDK 22+ (FFM) and libpcre2-8.
# Usage: bench/regex-floor.sh [ROUNDS]
set -euo pipefail
cd -- "$(dirname -- "$0")/.."
rounds=${1:-3}
work=${BENCH_DIR:-/tmp/bulwark-filter-bench}
python=/usr/bin/python3
for lines in 500000 1000000; do
    [[ -s $work/sshd-$lines.log ]] || "$python" bench/gen-sshd-log.py "$lines" > "$work/sshd-$lines.log"
done
./bulwark --version >/dev/null   # builds target/classes and the jar if needed
. scripts/find-jdk.sh
bulwark_find_jdk --javac
out=target/regex-floor
mkdir -p "$out"
"$JAVA_HOME/bin/javac" -nowarn -d "$out/classes" -cp target/classes bench/floor/RegexFloor.java
"$JAVA_HOME/bin/jar" cf "$out/floor.jar" -C "$out/classes" .
filter=/etc/fail2ban/filter.d/sshd.conf
main=dev.bulwark.detect.filter.RegexFloor
# an AOT cache needs jars on the class path; trained on the 500,000-line log itself, with C2
java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -Xlog:all=off -cp $out/floor.jar:target/bulwark.jar"
$java -XX:AOTCacheOutput="$out/floor.aot" $main "$work/sshd-500000.log" $filter >/dev/null
args=()
for lines in 500000 1000000; do
    args+=("C1-$lines=$java -XX:TieredStopAtLevel=1 $main $work/sshd-$lines.log $filter")
    args+=("C2-$lines=$java $main $work/sshd-$lines.log $filter")
done
args+=("C2-aot-500000=$java -XX:AOTCache=$out/floor.aot $main $work/sshd-500000.log $filter")
"$python" bench/interleaved.py "$rounds" 1 "${args[@]}"
