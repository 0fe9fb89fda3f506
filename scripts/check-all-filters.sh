#!/usr/bin/env bash
# check-all-filters.sh: every built-in filter over every annotated log there is for it, under
# the real fail2ban (see check-filters.py): Bulwark's own test logs, fail2ban's sample logs as
# installed with Debian's fail2ban package, and the newer copies in shared/samples when they
# are there. Prints one "agree N/M, strict N/M" line per filter and log; -v shows each
# disagreement. Exit status 1 when any annotation disagrees (some do, on purpose: see the
# filters' comments).
set -uo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

own=src/test/resources/dev/bulwark/detect/filters
fail2ban_logs=/usr/lib/python3/dist-packages/fail2ban/tests/files/logs
shared_logs=${BULWARK_SHARED:-../shared}/samples/logs/fail2ban
[[ -d $shared_logs ]] || shared_logs=/work/shared/samples/logs/fail2ban

status=0
for filter in sshd nginx-http-auth nginx-botsearch nginx-4xx apache-auth postfix dovecot; do
    logs=("$own/$filter")
    [[ -f $fail2ban_logs/$filter ]] && logs+=("$fail2ban_logs/$filter")
    [[ -f $shared_logs/$filter ]] && logs+=("$shared_logs/$filter")
    /usr/bin/python3 scripts/check-filters.py "$@" "$filter" "${logs[@]}" || status=1
done
exit $status
