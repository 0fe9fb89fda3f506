#!/usr/bin/python3
"""Runs Bulwark's built-in filters through the real fail2ban engine over annotated test logs
and counts how many "# failJSON" annotations agree.

Usage:
  scripts/check-filters.py [-v] [--filters DIR] FILTER LOG [LOG...]

FILTER is a filter name (sshd, nginx-http-auth...) in DIR (default: Bulwark's
src/main/resources/dev/bulwark/detect/filters). Each LOG is a file in fail2ban's annotated test
format: "# failJSON: {...}" before a line says whether the line must match ("match") and,
if so, what the failure holds ("host", "user", "time"...); "# filterOptions: {...}" (or a
list of them) sets the filter's init options (mode, logtype...) for the lines after it, and
"# fileOptions:", "# addFILE:", "test.condition" and "constraint" are read as fail2ban's own
sample test reads them. Run it with the system python (/usr/bin/python3), which has
fail2ban's modules.

With --count OPTIONS (a JSON object of init options, e.g. '{"mode": "aggressive"}'), each LOG
is read as a plain log instead: the failures found (an address, no "nofail") are counted,
per failregex and per address, and with -v each is printed with its line.

Two counts are printed per log, each over every (annotated line, option set) pair:
  agree  - match/no match as annotated and, for a match, the host (or ip4/ip6) as annotated;
  strict - also every other annotated field (time, user, users, attempts, dns) and one
           failregex only matching the line, as fail2ban's own test suite demands.
With -v every disagreement is printed with its line.
"""
import argparse
import datetime
import json
import os
import re
import sys
import tempfile
import time

os.environ["TZ"] = "Europe/Zurich"  # the time zone fail2ban's annotated logs were written in
time.tzset()

from fail2ban.client.filterreader import FilterReader  # noqa: E402
from fail2ban.server.filter import Filter, FileContainer  # noqa: E402
from fail2ban.server.failregex import Regex  # noqa: E402
from fail2ban.server.mytime import MyTime  # noqa: E402

TEST_NOW = 1124013600  # Sun Aug 14 12:00:00 CEST 2005, the "now" of fail2ban's sample logs
TEST_NOW_STR = datetime.datetime.utcfromtimestamp(TEST_NOW).isoformat()
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FILTERS = os.path.join(HERE, "..", "src", "main", "resources", "dev", "bulwark", "detect", "filters")
ANNOTATION = re.compile(r"^#+ ?(failJSON|(?:file|filter)Options|addFILE):(.+)$")
# fail2ban's own check: a greedy catch-all before <HOST> that is not hard-anchored at the end
RE_HOST = Regex._resolveHostTag("<HOST>")
RE_WRONG_GREED = re.compile(r"\.[+\*](?!\?)[^\$\^]*" + re.escape(RE_HOST) + r".*(?:\.[+\*].*|[^\$])$")


class Filters:
    """Filters read once per option combination, from a temporary fail2ban base directory
    whose filter.d is the directory holding Bulwark's filters."""

    def __init__(self, directory):
        self.base = tempfile.mkdtemp(prefix="bulwark-filters-")
        os.symlink(os.path.abspath(directory), os.path.join(self.base, "filter.d"))
        self.cache = {}

    def get(self, name, opts):
        key = (name, json.dumps(opts, sort_keys=True))
        if key in self.cache:
            return self.cache[key]
        flt = Filter(None)
        flt.returnRawHost = True
        flt.checkAllRegex = True
        flt.checkFindTime = False
        flt.active = True
        reader = FilterReader(name, "jail", dict(opts), basedir=self.base, share_config={})
        if not reader.read():
            sys.exit("cannot read filter %s from %s" % (name, self.base))
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
        for regex in flt.getFailRegex():
            if RE_WRONG_GREED.search(regex):
                print("WARNING %s %s: greedy catch-all before <HOST>, not hard-anchored: %s"
                      % (name, opts, regex.replace(RE_HOST, "<HOST>")))
        self.cache[key] = flt
        return flt


def expected_time(text):
    try:
        value = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        value = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f")
    return time.mktime(value.timetuple()) + value.microsecond / 1000000.0


def compare(faildata, found):
    """(agree, strict, why) for one annotated line against the failures fail2ban found."""
    want = faildata.get("match", False)
    if not found:
        return (not want, not want, "no match" if want else "")
    if not want:
        return (False, False, "matched %s" % [str(f[1]) for f in found])
    why = []
    index, fid, when, fail = found[0]
    agree = True
    for key in ("host", "ip4", "ip6"):
        if key in faildata:
            value = fail.get(key)
            if value is None and key == "host":
                value = fid
            if str(value) != str(faildata[key]):
                agree = False
                why.append("%s %s, not %s" % (key, value, faildata[key]))
    strict = agree
    if len(found) != 1:
        strict = False
        why.append("%d failregexes matched (%s)" % (len(found), [f[0] for f in found]))
    for key, value in faildata.items():
        if key in ("time", "match", "desc", "constraint", "host", "ip4", "ip6"):
            continue
        got = fail.get(key)
        if key == "attempts" and got is None:
            got = len(fail.get("matches", {}))
        if isinstance(got, (set, list, dict)):
            same = sorted(got) == sorted(value)
        else:
            same = got == value
        if not same:
            strict = False
            why.append("%s %r, not %r" % (key, got, value))
    if "time" in faildata and when != expected_time(faildata["time"]):
        strict = False
        why.append("time %s, not %s" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(when))
                                        if when else None, faildata["time"]))
    return (agree, strict, "; ".join(why))


def check(filters, name, path, verbose):
    MyTime.setTime(TEST_NOW)
    total = agreed = strict_agreed = 0
    files = [path]
    common = {}
    tests = None
    i = 0
    while i < len(files):
        filename = files[i]
        i += 1
        log = FileContainer(filename, "UTF-8", doOpen=True)
        log.waitForLineEnd = False
        ignore_block = False
        faildata = {}
        lineno = 0
        lines = iter(log)
        for line in lines:
            lineno += 1
            m = ANNOTATION.match(line)
            if m:
                data = json.loads(m.group(2))
                if m.group(1) == "fileOptions":
                    common = data
                    continue
                if m.group(1) == "filterOptions":
                    tests = []
                    ignore_block = False
                    for opts in data if isinstance(data, list) else [data]:
                        merged = dict(common)
                        merged.update(opts)
                        if merged.get("test.condition"):
                            ignore_block = not eval(merged["test.condition"], {"name": name})
                        if not ignore_block:
                            fopts = dict((k, v) for k, v in merged.items() if not k.startswith("test."))
                            tests.append((filters.get(name, fopts), merged))
                    continue
                if m.group(1) == "addFILE":
                    added = os.path.join(os.path.dirname(filename), data)
                    if os.path.isfile(added):
                        files.append(added)
                    else:
                        print("  (%s names %s, which is not beside it: skipped)" % (filename, data))
                    continue
                faildata = data
                line = next(lines)
                lineno += 1
            elif ignore_block or line.startswith("#") or not line.strip():
                continue
            else:
                faildata = {}
            if ignore_block:
                continue
            if not tests:
                tests = [(filters.get(name, dict((k, v) for k, v in common.items() if not k.startswith("test."))), common)]
            line = line.rstrip("\r\n")
            for flt, opts in tests:
                if faildata.get("constraint") and not eval(faildata["constraint"], {"name": name, "opts": opts}):
                    continue
                if opts.get("logtype") != "journal":
                    ret = flt.processLine(line)
                else:
                    jline = opts.get("test.prefix-line", "") + line
                    ret = flt.processLine(("", TEST_NOW_STR, jline), TEST_NOW)
                found = [r for r in (ret or []) if r[1] is not None and not r[3].get("nofail")]
                agree, strict, why = compare(faildata, found)
                total += 1
                agreed += agree
                strict_agreed += strict
                if verbose and (not agree or not strict):
                    shown = {k: v for k, v in opts.items() if k != "test.condition"}
                    print("  %s %s:%d %s %s\n    %s\n    %s" % ("DISAGREE" if not agree else "strict-only",
                          os.path.basename(filename), lineno, shown, why, line[:220], faildata))
    return total, agreed, strict_agreed


def count(filters, name, opts, path, verbose):
    """Counts the failures (an address, no nofail) fail2ban finds in a plain log."""
    import collections
    flt = filters.get(name, opts)
    regexes = flt.getFailRegex()
    per_regex = collections.Counter()
    per_host = collections.Counter()
    lines = matched = 0
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            lines += 1
            line = line.rstrip("\r\n")
            if opts.get("logtype") == "journal":
                ret = flt.processLine(("", TEST_NOW_STR, line), TEST_NOW)
            else:
                ret = flt.processLine(line)
            found = [r for r in (ret or []) if r[1] is not None and not r[3].get("nofail")]
            if found:
                matched += 1
                for index, fid, when, fail in found[:1]:
                    per_regex[index] += 1
                    per_host[str(fid)] += 1
                    if verbose:
                        print("  %s  %s" % (fid, line[:200]))
    print("%s %s %s: %d lines, %d with a failure, %d addresses" % (name, opts, path, lines, matched, len(per_host)))
    for index, n in sorted(per_regex.items()):
        print("  regex %2d: %6d  %s" % (index, n, regexes[index].replace(RE_HOST, "<HOST>")[:120]))
    for host, n in per_host.most_common(5):
        print("  top address %s: %d" % (host, n))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--filters", default=DEFAULT_FILTERS)
    parser.add_argument("--count", metavar="OPTIONS", help="count failures in plain logs, with these init options (JSON)")
    parser.add_argument("filter")
    parser.add_argument("logs", nargs="+")
    args = parser.parse_args()
    if args.count is not None:
        for path in args.logs:
            count(Filters(args.filters), args.filter, json.loads(args.count), path, args.verbose)
        return
    bad = 0
    for path in args.logs:
        filters = Filters(args.filters)  # fresh per log, as each of fail2ban's sample tests starts
        total, agreed, strict = check(filters, args.filter, path, args.verbose)
        print("%s %s: agree %d/%d, strict %d/%d" % (args.filter, path, agreed, total, strict, total))
        bad += total - agreed
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
