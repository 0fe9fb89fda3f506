#!/usr/bin/python3
"""Runs fail2ban's own DateDetector over every line of fail2ban's test logs and prints, per
line, the span of the date it found and the time it parsed: the golden file that
dev.bulwark.detect.time.DateDetectorGoldenTest compares Bulwark's port against.

    TZ= /usr/bin/python3 scripts/fail2ban-dates-golden.py \
        > src/test/resources/dev/bulwark/detect/time/fail2ban-dates.golden

fail2ban's test conditions: TZ CET-01CEST-02,M3.5.0,M10.5.0 and "now" 1124013600
(2005-08-14T10:00:00Z), as fail2ban/tests/utils.py sets them. The date patterns are every
distinct `datepattern` of /etc/fail2ban/filter.d (and the test filters), read through
fail2ban's own FilterReader with the options its sample logs use, plus the default templates.

Each pattern set gets a fresh DateDetector per log file (as one filter per log would), run
over the file's lines in order, since a detector reorders its templates by hits. fail2ban
counts a template's raw regex hits on the template object, which its cache shares between all
detectors of a process; that count is reset before each run so that every run starts as a
fresh process does.

Output, tab-separated:
    # comment lines
    year    Y                       the real year when this ran (fail2ban's %ExY window)
    set     N   <json>              pattern set N: {"patterns": [...] or null for the default
                                    templates, "logtimezone": fail2ban's option where set}
    file    N   <name>  <sha256>    log file N, by its path under tests/files/logs
    file    N   (synthetic) COUNT   the last file: COUNT generated lines, each in a row
    line    <text>                  that follows (see synthetic_lines)
    run     N   F                   set N over file F (or *: all files' lines, one after the
                                    other, to one detector, which makes it switch between
                                    formats): one line follows for each line, in order, each one
                                    RESULT:
        -                           no match
        S E empty                   matched an empty date (e.g. {NONE}) at code points S..E
        S E TIME                    matched S..E, fail2ban's time (Python repr of the float)
        S E none                    matched S..E, getTime returned None (not a valid date)
        S E error:TYPE              matched S..E, getTime raised TYPE
        error:TYPE                  matchTime itself raised TYPE
"""
import datetime
import hashlib
import json
import os
import random
import sys
import time

os.environ['TZ'] = 'CET-01CEST-02,M3.5.0,M10.5.0'
time.tzset()

from fail2ban.server.mytime import MyTime  # noqa: E402

TEST_NOW = 1124013600
MyTime.setAlternateNow(TEST_NOW)
MyTime.setTime(TEST_NOW)

import fail2ban  # noqa: E402
from fail2ban.version import version as FAIL2BAN_VERSION  # noqa: E402
from fail2ban.server import datedetector  # noqa: E402
from fail2ban.server.datedetector import DateDetector  # noqa: E402
from fail2ban.client.filterreader import FilterReader  # noqa: E402
from fail2ban.client.configreader import ConfigReaderUnshared  # noqa: E402

PACKAGE = os.path.dirname(fail2ban.__file__)
LOGS = os.path.join(PACKAGE, 'tests', 'files', 'logs')
TEST_CONFIG = os.path.join(PACKAGE, 'tests', 'config')
CONFIG = '/etc/fail2ban'


def log_files():
    names = []
    for root, _, files in os.walk(LOGS):
        for name in files:
            names.append(os.path.relpath(os.path.join(root, name), LOGS))
    return sorted(names)


def lines_of(path):
    """Lines as fail2ban's FileContainer reads them: split after b'\\n', decoded, then
    stripped of trailing '\\r' and '\\n' (as the sample test does)."""
    with open(path, 'rb') as f:
        data = f.read()
    result = []
    for raw in data.split(b'\n'):
        result.append(raw.decode('utf-8', 'replace').rstrip('\r\n'))
    if data.endswith(b'\n'):
        result.pop()
    return result


def filter_options(log_path):
    """The option sets a sample log asks its filter to be tested with."""
    sets = [{}]
    for line in lines_of(log_path):
        if line.startswith('#') and 'filterOptions:' in line:
            value = json.loads(line.split('filterOptions:', 1)[1])
            for options in (value if isinstance(value, list) else [value]):
                options = dict((k, v) for k, v in options.items() if not k.startswith('test.'))
                if options not in sets:
                    sets.append(options)
    return sets


def date_pattern(name, basedir, options):
    reader = FilterReader(name, 'jail', dict(options), basedir=basedir)
    reader.read()
    reader.getOptions({})
    for command in reader.convert():
        if command[0] == 'set' and command[2] == 'datepattern':
            value = command[3]
            return [p for p in (s.strip() for s in value.split('\n')) if p]
    return None


def pattern_sets():
    sets = [None]
    for basedir, accept in ((CONFIG, lambda n: n != 'common'), (TEST_CONFIG, lambda n: n.startswith('zzz-'))):
        directory = os.path.join(basedir, 'filter.d')
        for conf in sorted(os.listdir(directory)):
            if not conf.endswith('.conf'):
                continue
            name = conf[:-len('.conf')]
            if not accept(name):
                continue
            log = os.path.join(LOGS, name)
            for options in filter_options(log) if os.path.isfile(log) else [{}]:
                try:
                    patterns = date_pattern(name, basedir, options)
                except Exception as e:  # pragma: no cover - a filter that does not read
                    print('# %s %r: %s' % (name, options, e))
                    continue
                if patterns is not None and patterns not in sets:
                    sets.append(patterns)
    return sets


# Sets beyond the filters' own, for what those leave out: the empty date, the long epoch,
# unbounded and raw patterns, zone names and offsets, the rarer directives (%B %A %U %W %w %j
# %y %I %p %Exz), dates without a year or a day, a default log time zone.
EXTRA_SETS = [
    {'patterns': ['{NONE}']},
    {'patterns': ['{DEFAULT}']},
    {'patterns': ['%H:%M:%S', '{DEFAULT}']},
    {'patterns': ['LEPOCH']},
    {'patterns': ['{^LN-BEG}LEPOCH', '{^LN-BEG}TAI64N']},
    {'patterns': ['TAI64N', 'EPOCH']},
    {'patterns': [r'(?<=\[){EPOCH}(?=\])']},
    {'patterns': ['%H:%M:%S']},
    {'patterns': ['{UNB}%H:%M:%S']},
    {'patterns': ['%d/%b/%Y']},
    {'patterns': ['%b %d']},
    {'patterns': ['%m-%d']},
    {'patterns': ['^%B %Exd %I:%ExM:%ExS**', '%A, %d %B %Y %l:%M:%S %p']},
    {'patterns': ['%b %Y', '%I:%M(?: %p)?']},
    {'patterns': ['%j %H:%M:%S', '%y %U %a %H:%M', '%y %W %w %H:%M']},
    {'patterns': ['^%ExY-%Exm-%Exd %H:%M:%S(?: ?%Exz)?', '(?:%ExZ )?%b %d %k:%M:%S']},
    {'patterns': ['{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?', '(?:%Z )?%b %d %H:%M:%S']},
    {'patterns': [r'\d+ %d %b %H:%M', '**%ExH%ExM%ExS**', r'(?i)\btime=%s**' % '%Y%m%d']},
    {'patterns': None, 'logtimezone': 'UTC+0300'},
    {'patterns': ['{^LN-BEG}'], 'logtimezone': 'UTC'},
    {'patterns': ['^%b %d %H:%M:%S', '%H:%M:%S'], 'logtimezone': 'CET+0130'},
]


# The sets that are also run over all logs at once: the default templates, sets that include
# them, and some single patterns.
MIXED_SETS = [
    None, ['{^LN-BEG}'], ['^[^\\[]*\\[({DATE})', '{^LN-BEG}'], ['{NONE}'], ['%H:%M:%S', '{DEFAULT}'],
    ['{UNB}%H:%M:%S'], ['{^LN-BEG}%ExY(?P<_sep>[-/.])%m(?P=_sep)%d[T ]%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?',
                        '{^LN-BEG}(?:%a )?%b %d %H:%M:%S(?:\\.%f)?(?: %ExY)?', '^[^\\[]*\\[({DATE})', '{^LN-BEG}'],
]


def mixed(spec):
    return spec['patterns'] in MIXED_SETS


MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()
DAYS = 'Mon Tue Wed Thu Fri Sat Sun'.split()


def synthetic_lines(count=2500, seed=2005):
    """Lines that make a detector work: several dates in one line at moving places, formats that
    change every few lines, dates a day or a year ahead of now, invalid dates, zones, DST nights,
    odd characters at the edges. Seeded, so the same lines every time."""
    rnd = random.Random(seed)

    def two(n):
        return '%02d' % n

    def date(kind):
        y = rnd.choice([2003, 2004, 2005, 2005, 2005, 2006, 2012, 2019, 2031])
        mo = rnd.choice([1, 3, 8, 8, 8, 10, 12, rnd.randint(1, 12)])
        d = rnd.choice([1, 13, 14, 15, 16, 27, 30, 31, rnd.randint(1, 31)])
        if mo == 2 and rnd.random() < 0.5:
            d = rnd.choice([28, 29, 30])
        h = rnd.choice([0, 2, 9, 11, 12, 21, 23, rnd.randint(0, 24)])
        mi, se = rnd.randint(0, 59), rnd.choice([0, 30, 59, rnd.randint(0, 61)])
        zone = rnd.choice(['', '', '', ' +0200', ' -05:00', 'Z', ' UTC', ' CEST', ' ABC', ' +01'])
        frac = rnd.choice(['', '', '.123', ',456', '.1234567'])
        mon = MONTHS[(mo - 1) % 12] if rnd.random() < 0.95 else rnd.choice(['aug', 'AUG', 'Auf'])
        if kind == 0:
            return '%d-%s-%s%s%s:%s:%s%s%s' % (y, two(mo), two(d), rnd.choice(['T', ' ', '  ']), two(h), two(mi), two(se), frac, zone)
        if kind == 1:
            return '%s %2d %s:%s:%s' % (mon, d, two(h), two(mi), two(se))
        if kind == 2:
            return '%s %s %2d %s:%s:%s %d' % (rnd.choice(DAYS), mon, d, two(h), two(mi), two(se), y)
        if kind == 3:
            return '%s/%s/%d:%s:%s:%s %s' % (two(d), mon, y, two(h), two(mi), two(se), rnd.choice(['+0000', '+0200', '-0700']))
        if kind == 4:
            return '%s:%s:%s' % (rnd.choice([two(h), str(h)]), two(mi), str(se))
        if kind == 5:
            return '%s%s%s %2d:%s:%s' % (two(y % 100), two(mo), two(d), h, two(mi), two(se))
        if kind == 6:
            return str(rnd.choice([1124013600, 1124013600 - rnd.randint(0, 10 ** 8), 1124099999])) + rnd.choice(['', '.5', '.123456'])
        if kind == 7:
            return '%s-%s-%d %s:%s:%s' % (two(d), two(mo), y, two(h), two(mi), two(se))
        if kind == 8:
            return '%s %d, %d %d:%s:%s %s' % (mon, d, y, rnd.randint(0, 13), two(mi), two(se), rnd.choice(['AM', 'PM', 'pm']))
        return '@4000000042%014x' % rnd.randint(0, 16 ** 14 - 1)

    words = ['server', 'sshd[1234]:', 'host', 'mysqld[99]:', 'error', 'x', '[', ']', '-', '--', '|', 'ü', '日本', 'a1', '']
    lines = []
    kind = 0
    while len(lines) < count:
        if rnd.random() < 0.3:
            kind = rnd.randint(0, 9)
        second = rnd.randint(0, 9)
        for _ in range(rnd.randint(1, 12)):
            prefix = ' '.join(rnd.choice(words) for _ in range(rnd.choice([0, 0, 0, 1, 2, 3])))
            if prefix:
                prefix += rnd.choice([' ', '', ': '])
            middle = ' '.join(rnd.choice(words) for _ in range(rnd.randint(0, 4)))
            shape = rnd.random()
            if shape < 0.55:
                line = prefix + date(kind) + ' ' + middle
            elif shape < 0.8:
                line = prefix + date(kind) + ' ' + middle + ' ' + date(second)
            elif shape < 0.9:
                line = prefix + middle + ' ' + date(second) + rnd.choice(['', ']', ' x', '1'])
            elif shape < 0.97:
                line = prefix + rnd.choice(['[', '(', '<', '##', 'audit(']) + date(kind) + rnd.choice([']', ')', '>', ':101)', ''])
            else:
                line = rnd.choice(['', ' ', middle])
            lines.append(line.replace('\t', ' '))
    lines = lines[:count]
    # Around the nights the clocks change, in several orders: glibc's mktime resolves a time
    # the fall-back hour repeats by its previous answer. (Under the test zone's rule DST ends at
    # 02:00 CEST, so 01:00-01:59 repeats; where the real Europe/Zurich ends it at 03:00.)
    dst = []
    for before in ['2005-08-01 12:00:00', '2005-01-01 12:00:00', '2005-10-30 00:59:59', '2005-10-30 02:00:00']:
        for ambiguous in ['2005-10-30 01:30:00', '2005-10-30 01:00:00', '2005-10-30 02:30:00', '2005-03-27 02:30:00']:
            dst += [before + ' x', ambiguous + ' y', 'Oct 31 01:30:00 host z', ambiguous + ' w']
    dst += ['1975-07-01 12:00:00 old', '1999-07-01 12:00:00 old', '2005-03-27 01:59:59 a', '2005-03-27 03:00:00 b']
    half = len(lines) // 2
    return lines[:half] + dst + lines[half:]


def reset_shared_hits():
    for value in list(datedetector.DD_patternCache._cache.values()):
        value[0].hits = 0
    for template in DateDetector._defCache.templates:
        template.hits = 0


def new_detector(spec):
    reset_shared_hits()
    detector = DateDetector()
    detector.default_tz = spec.get('logtimezone')
    patterns = spec['patterns']
    if patterns is not None:
        for pattern in patterns:
            detector.appendTemplate(pattern)
    return detector


def result(detector, line):
    try:
        match = detector.matchTime(line)
    except Exception as e:
        return 'error:' + type(e).__name__
    if not match[0]:
        return '-'
    start, end = match[0].start(1), match[0].end(1)
    text = line[start:end]
    if not text:
        return '%d\t%d\tempty' % (start, end)
    try:
        date = detector.getTime(text, match)
    except Exception as e:
        return '%d\t%d\terror:%s' % (start, end, type(e).__name__)
    if date is None:
        return '%d\t%d\tnone' % (start, end)
    return '%d\t%d\t%r' % (start, end, date[0])


def main():
    out = sys.stdout
    out.write('# fail2ban %s, Python %s, TZ %s, now %d (%s)\n' % (
        FAIL2BAN_VERSION, sys.version.split()[0], os.environ['TZ'], TEST_NOW,
        datetime.datetime.utcfromtimestamp(TEST_NOW).isoformat() + 'Z'))
    out.write('year\t%d\n' % datetime.datetime.now().year)
    sets = [{'patterns': p} for p in pattern_sets()] + EXTRA_SETS
    for index, spec in enumerate(sets):
        out.write('set\t%d\t%s\n' % (index, json.dumps(spec, sort_keys=True)))
    files = log_files()
    contents = []
    for index, name in enumerate(files):
        path = os.path.join(LOGS, name)
        with open(path, 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        out.write('file\t%d\t%s\t%s\n' % (index, name, digest))
        contents.append(lines_of(path))
    synthetic = synthetic_lines()
    out.write('file\t%d\t(synthetic)\t%d\n' % (len(files), len(synthetic)))
    for line in synthetic:
        out.write('line\t%s\n' % line)
    contents.append(synthetic)
    for set_index, spec in enumerate(sets):
        for file_index, lines in enumerate(contents):
            detector = new_detector(spec)
            out.write('run\t%d\t%d\n' % (set_index, file_index))
            for line in lines:
                out.write(result(detector, line) + '\n')
        if mixed(spec):
            detector = new_detector(spec)
            out.write('run\t%d\t*\n' % set_index)
            for lines in contents:
                for line in lines:
                    out.write(result(detector, line) + '\n')


if __name__ == '__main__':
    main()
