"""fail2ban's verdict on a whole log, for DetectAgainstFail2banTest: its own Filter reads each line
(as a jail does: the first failregex that matches wins, hosts as written, no DNS) with MyTime at
NOW, and the failures go through fail2ban's own counting and banning (jail/fail2ban_replay.py)
in the log's time.

usage: fail2ban_detect.py LOG FILTER_CONF NOW MAXRETRY FINDTIME BANTIME REPLAY_SCRIPT
stdout: one line per ban: "TIME IP" (TIME in epoch seconds)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ["TZ"] = "UTC"
time.tzset()

from fail2ban.client.filterreader import FilterReader  # noqa: E402
from fail2ban.server.filter import Filter  # noqa: E402
from fail2ban.server.mytime import MyTime  # noqa: E402

log, conf, now, maxretry, findtime, bantime, replay = sys.argv[1:8]
MyTime.setTime(float(now))
basedir = os.path.dirname(os.path.dirname(os.path.abspath(conf)))
name = os.path.basename(conf)[:-len(".conf")]
flt = Filter(None)
flt.returnRawHost = True
flt.checkFindTime = False
flt.active = True
reader = FilterReader(name, "jail", {}, basedir=basedir)
reader.read()
reader.getOptions({})
for opt in reader.convert():
    values = opt[3] if opt[0] == "multi-set" else [opt[3]]
    for value in values:
        if opt[2] == "prefregex":
            flt.prefRegex = value
        elif opt[2] == "addfailregex":
            flt.addFailRegex(value)
        elif opt[2] == "addignoreregex":
            flt.addIgnoreRegex(value)
        elif opt[2] == "maxlines":
            flt.setMaxLines(value)
        elif opt[2] == "datepattern":
            flt.setDatePattern(value)
failures = []
with open(log, encoding="utf-8", errors="replace") as lines:
    for line in lines:
        if not line.endswith("\n"):
            continue  # a jail waits for the end of a line
        for _, fid, when, fail in flt.processLine(line.rstrip("\r\n")):
            if fid is None or fail.get("nofail") or when is None:
                continue
            failures.append(["detect", str(fid), when])
spec = {"jails": [{"name": "detect", "maxretry": int(maxretry), "findtime": int(findtime), "bantime": int(bantime), "increment": None}],
        "recidive": None, "failures": failures}
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
    json.dump(spec, out)
try:
    result = subprocess.run([sys.executable, replay, out.name], check=True, capture_output=True, text=True)
finally:
    os.unlink(out.name)
for row in result.stdout.splitlines():
    parts = row.split()
    if len(parts) >= 4 and parts[3] == "new":
        print(parts[0], parts[2])
