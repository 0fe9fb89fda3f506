#!/usr/bin/python3
"""Prints how fail2ban itself reads each filter: for every filter file in the given filter.d
directories, with no init options and with each option set its annotated test log names
(# filterOptions lines), the combined options after fail2ban's includes, interpolation and tag
substitution (prefregex, failregex, ignoreregex, maxlines, datepattern), and each regular
expression after fail2ban's tag resolution. One JSON object per line. Bulwark's
FilterDefinitionTest compares its own reading with this output.

Usage: fail2ban-filter-options.py FILTER_DIR... > src/test/resources/detect/fail2ban-filter-options.jsonl
(FILTER_DIR: a directory holding filter.d/, such as /etc/fail2ban)
"""
import json
import os
import re
import sys

from fail2ban.client.filterreader import FilterReader
from fail2ban.server.failregex import Regex

LOGS = "/usr/lib/python3/dist-packages/fail2ban/tests/files/logs"


def option_sets(name):
    sets = [{}]
    path = os.path.join(LOGS, name)
    if not os.path.isfile(path):
        return sets
    common = {}
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = re.match(r"^#+ ?(filterOptions|fileOptions):(.+)$", line.rstrip("\r\n"))
            if not match:
                continue
            data = json.loads(match.group(2))
            if match.group(1) == "fileOptions":
                common = data
                continue
            for opts in data if isinstance(data, list) else [data]:
                merged = dict(common)
                merged.update(opts)
                merged = {k: str(v) for k, v in merged.items() if not k.startswith("test.")}
                if merged not in sets:
                    sets.append(merged)
    return sets


def main():
    for basedir in sys.argv[1:]:
        for file in sorted(os.listdir(os.path.join(basedir, "filter.d"))):
            if not file.endswith(".conf") or file.endswith("common.conf"):
                continue
            name = file[:-5]
            for opts in option_sets(name):
                out = {"dir": basedir, "filter": name, "options": opts}
                try:
                    reader = FilterReader(name, "jail", dict(opts), basedir=basedir)
                    reader.read()
                    reader.getOptions({})
                    combined = reader.getCombined()
                    for key in ("prefregex", "failregex", "ignoreregex", "maxlines", "datepattern"):
                        value = combined.get(key)
                        out[key] = None if value is None else str(value)
                    out["failregex_resolved"] = [Regex._resolveHostTag(r) for r in (combined.get("failregex") or "").split("\n") if r]
                except Exception as error:  # reported, compared: Bulwark must refuse the same filters
                    out["error"] = "%s: %s" % (type(error).__name__, error)
                print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
