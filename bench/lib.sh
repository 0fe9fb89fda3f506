# Shared by the bench scripts: source it.

# cpu_ticks PID: the user and system CPU the process has used, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wait_idle WORK: waits until the daemon started with --config WORK/... (found by its command
# line) uses under 5% of a core for a second, so that what is measured next runs on an idle
# daemon, not beside its start-up or a feed round; prints its pid.
wait_idle() {
    local jpid a b
    jpid=$(pgrep -f "bulwark.jar run --config $1" | head -1)
    while :; do
        a=$(cpu_ticks "$jpid"); sleep 1; b=$(cpu_ticks "$jpid")
        (( b - a < 5 )) && break
    done
    printf '%s\n' "$jpid"
}
