#!/usr/bin/env python3
"""Writes a syslog-style sshd auth log for benchmarks: LINES lines (default 500,000), one second
apart from SEED's start, a fixed mix of failures (failed password/publickey, invalid users, PAM
failures, max attempts, probes), successes (accepted logins, sessions) and noise (CRON,
systemd, kernel). Deterministic for a given seed, so Bulwark and fail2ban read the same bytes.

Usage: bench/gen-sshd-log.py [LINES] [SEED] > auth.log
"""
import random
import sys
from datetime import datetime, timedelta

lines = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
attackers = ["%d.%d.%d.%d" % (rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)) for _ in range(2000)]
attackers6 = ["2001:db8:%x:%x::%x" % (rng.randint(0, 0xffff), rng.randint(0, 0xffff), rng.randint(1, 0xffff)) for _ in range(100)]
users = ["root", "admin", "test", "oracle", "ubuntu", "git", "postgres", "user", "pi", "ftpuser", "guest", "deploy"]
friends = ["10.0.0.%d" % n for n in range(2, 40)]
host = "web-01"
start = datetime(2026, 11, 30, 0, 0, 0)


def attacker():
    return rng.choice(attackers6) if rng.random() < 0.03 else rng.choice(attackers)


def pid():
    return rng.randint(1000, 65000)


def port():
    return rng.randint(1024, 65535)


failures = [
    lambda: "sshd[%d]: Failed password for %s from %s port %d ssh2" % (pid(), rng.choice(users), attacker(), port()),
    lambda: "sshd[%d]: Failed password for invalid user %s from %s port %d ssh2" % (pid(), rng.choice(users), attacker(), port()),
    lambda: "sshd[%d]: Invalid user %s from %s port %d" % (pid(), rng.choice(users), attacker(), port()),
    lambda: "sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root" % (pid(), attacker()),
    lambda: "sshd[%d]: error: maximum authentication attempts exceeded for root from %s port %d ssh2 [preauth]" % (pid(), attacker(), port()),
    lambda: "sshd[%d]: Failed publickey for %s from %s port %d ssh2: RSA SHA256:%s" % (pid(), rng.choice(users), attacker(), port(), "x" * 43),
    lambda: "sshd[%d]: User root from %s not allowed because not listed in AllowUsers" % (pid(), attacker()),
]
probes = [
    lambda: "sshd[%d]: Connection closed by authenticating user %s %s port %d [preauth]" % (pid(), rng.choice(users), attacker(), port()),
    lambda: "sshd[%d]: Received disconnect from %s port %d:11: Bye Bye [preauth]" % (pid(), attacker(), port()),
    lambda: "sshd[%d]: Disconnected from invalid user %s %s port %d [preauth]" % (pid(), rng.choice(users), attacker(), port()),
    lambda: "sshd[%d]: Did not receive identification string from %s port %d" % (pid(), attacker(), port()),
    lambda: "sshd[%d]: Connection closed by %s port %d [preauth]" % (pid(), attacker(), port()),
]
successes = [
    lambda: "sshd[%d]: Accepted publickey for deploy from %s port %d ssh2: ED25519 SHA256:%s" % (pid(), rng.choice(friends), port(), "y" * 43),
    lambda: "sshd[%d]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)" % pid(),
    lambda: "sshd[%d]: pam_unix(sshd:session): session closed for user deploy" % pid(),
    lambda: "sshd[%d]: Server listening on 0.0.0.0 port 22." % pid(),
]
noise = [
    lambda: "CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)" % pid(),
    lambda: "CRON[%d]: pam_unix(cron:session): session closed for user root" % pid(),
    lambda: "systemd-logind[%d]: New session %d of user deploy." % (pid(), rng.randint(1, 9999)),
    lambda: "systemd[1]: Started Session %d of User deploy." % rng.randint(1, 9999),
    lambda: "kernel: [%d.%06d] [UFW BLOCK] IN=eth0 OUT= MAC=00:00 SRC=%s DST=192.0.2.10 LEN=40 PROTO=TCP SPT=%d DPT=23" % (
        rng.randint(1, 999999), rng.randint(0, 999999), attacker(), port()),
    lambda: "sudo[%d]:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl status nginx" % pid(),
]
kinds = [(failures, 0.35), (probes, 0.20), (successes, 0.15), (noise, 0.30)]
out = sys.stdout
buffer = []
for n in range(lines):
    t = start + timedelta(seconds=n * 86400 * 0.9 / lines)
    pick = rng.random()
    for group, share in kinds:
        if pick < share:
            break
        pick -= share
    message = rng.choice(group)()
    buffer.append("%s %2d %s %s %s\n" % (t.strftime("%b"), t.day, t.strftime("%H:%M:%S"), host, message))
    if len(buffer) >= 10000:
        out.write("".join(buffer))
        buffer.clear()
out.write("".join(buffer))
