#!/usr/bin/env python3
"""Writes an nginx access log in the default "combined" format for benchmarks: LINES lines
(default 500,000) of ordinary traffic (pages, assets, 200/304/301, a few 404s of missing assets)
mixed with scanners probing for admin panels, webmail, wp-login.php, cgi-bin and phpMyAdmin
(404s), from a few hundred addresses. Deterministic for a given seed.

Usage: bench/gen-nginx-log.py [LINES] [SEED] > access.log
"""
import random
import sys
from datetime import datetime, timedelta

lines = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
visitors = ["%d.%d.%d.%d" % (rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)) for _ in range(5000)]
scanners = ["%d.%d.%d.%d" % (rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)) for _ in range(300)]
pages = ["/", "/about", "/blog/2026/11/kernel-sets", "/docs/install", "/pricing", "/contact", "/blog/feed.xml", "/search?q=nftables"]
assets = ["/static/app.css", "/static/app.js", "/img/logo.svg", "/favicon.ico", "/static/fonts/inter.woff2"]
probes = ["/wp-login.php", "/wp-admin.php", "/phpmyadmin/index.php", "/pma/scripts/setup.php", "/myadmin/", "/cgi-bin/test.cgi",
          "/roundcube/", "/webmail/src/login.php", "/admin/phpMyAdmin/", "/mysqladmin/", "/xampp/phpmyadmin/", "/horde/imp/"]
agents = ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
          'curl/8.5.0', 'Googlebot/2.1 (+http://www.google.com/bot.html)']
start = datetime(2026, 11, 30, 0, 0, 0)
buffer = []
out = sys.stdout
for n in range(lines):
    t = start + timedelta(seconds=n * 86400 * 0.9 / lines)
    stamp = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
    pick = rng.random()
    if pick < 0.12:
        host, method, path, status = rng.choice(scanners), rng.choice(["GET", "GET", "POST", "HEAD"]), rng.choice(probes), 404
    elif pick < 0.60:
        host, method, path, status = rng.choice(visitors), "GET", rng.choice(pages), rng.choice([200, 200, 200, 304, 301])
    elif pick < 0.97:
        host, method, path, status = rng.choice(visitors), "GET", rng.choice(assets), rng.choice([200, 304])
    else:
        host, method, path, status = rng.choice(visitors), "GET", "/static/old-%d.png" % rng.randint(1, 99), 404
    size = 0 if status in (304,) else rng.randint(150, 90000)
    referer = "-" if rng.random() < 0.5 else "https://example.org" + rng.choice(pages)
    buffer.append('%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s"\n' % (host, stamp, method, path, status, size, referer, rng.choice(agents)))
    if len(buffer) >= 10000:
        out.write("".join(buffer))
        buffer.clear()
out.write("".join(buffer))
