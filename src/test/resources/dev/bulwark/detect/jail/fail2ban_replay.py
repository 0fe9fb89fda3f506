"""Replays failures through fail2ban's own counting and banning, for JailBookAgainstFail2banTest.

fail2ban's classes do the work: FailManager and FailTicket (counting), Actions.__checkBan and
BanManager (bans, prolongations, unbans), ObserverThread.failureFound / banFound and Fail2BanDb
(bantime.increment, ban counts, the database purge). What a running fail2ban does around them
is done here in order, on one thread, with MyTime set to each failure's time: the filter's
handling of a failure (filter.py processLineAndAdd), the actions thread's check for bans
(every failure) and unbans, the observer's events at once, the fail list's cleanup and the
database's purge before each failure (fail2ban cleans the list at most every 5 s and purges
the database every hour; Bulwark drops both at the moment they are due). Recidive is a
jail fed one failure per "Ban" of another jail, as the recidive filter reads fail2ban.log.

argument: a JSON file {"jails": [{"name", "maxretry", "findtime", "bantime", "increment": {...} | null}],
        "recidive": {same} | null, "failures": [[jail, ip, time], ...] in time order}
stdout: one line per change of a ban list: "TIME JAIL IP new|prolonged END" (END -1: permanent)
"""
import json
import os
import sys
import tempfile

from fail2ban.server.database import Fail2BanDb
from fail2ban.server.jail import Jail
from fail2ban.server.mytime import MyTime
from fail2ban.server.observer import ObserverThread, Observers
from fail2ban.server.ticket import FailTicket


class Inline:
    """Runs each observer event at once instead of on the observer's thread."""

    def __init__(self, observer):
        self.observer = observer

    def add(self, name, *args):
        getattr(self.observer, name)(*args)


def make_jail(spec, database):
    jail = Jail(spec["name"], backend="polling", db=database)
    jail.isAlive = lambda: True
    jail.filter.setMaxRetry(spec["maxretry"])
    jail.filter.setFindTime(spec["findtime"])
    jail.actions.setBanTime(spec["bantime"])
    jail.filter.failManager.maxMatches = spec["maxretry"]
    increment = spec.get("increment")
    if increment:
        jail.setBanTimeExtra("increment", "true")
        jail.setBanTimeExtra("factor", str(increment.get("factor", 1)))
        if increment.get("multipliers"):
            jail.setBanTimeExtra("multipliers", " ".join(str(m) for m in increment["multipliers"]))
        if increment.get("maxtime"):
            jail.setBanTimeExtra("maxtime", str(increment["maxtime"]))
        if increment.get("overalljails"):
            jail.setBanTimeExtra("overalljails", "true")
    return jail


def ends(jail):
    return {str(t.getID()): t.getEndOfBanTime(jail.actions.getBanTime()) for t in jail.actions.banManager}


def main():
    with open(sys.argv[1]) as spec_file:
        spec = json.load(spec_file)
    directory = tempfile.mkdtemp()
    database = Fail2BanDb(os.path.join(directory, "fail2ban.sqlite3"), purgeAge=spec.get("purgeage", 86400))
    observer = ObserverThread()
    observer.add_timer = lambda *args: None  # prolongBan only tells actions; the ban list already holds the new end
    Observers.Main = Inline(observer)
    jails = {j["name"]: make_jail(j, database) for j in spec["jails"]}
    for jail in jails.values():
        database.addJail(jail)
    recidive = make_jail(spec["recidive"], database) if spec.get("recidive") else None
    if recidive:
        database.addJail(recidive)
    all_jails = list(jails.values()) + ([recidive] if recidive else [])
    known = {jail.name: {} for jail in all_jails}
    out = []

    def check(jail, now):
        while True:
            ticket = jail.getFailTicket()
            if not ticket:
                break
            jail.actions._Actions__checkBan([ticket])
        report(jail, now)

    def report(jail, now):
        current = ends(jail)
        before = known[jail.name]
        for ip, end in sorted(current.items()):
            if ip not in before:
                out.append("%d %s %s new %d" % (now, jail.name, ip, end if end != FailTicket.MAX_TIME else -1))
                if recidive is not None and jail is not recidive:
                    fail(recidive, ip, now)
            elif end != before[ip]:
                out.append("%d %s %s prolonged %d" % (now, jail.name, ip, end if end != FailTicket.MAX_TIME else -1))
        known[jail.name] = current

    def fail(jail, ip, now):
        jail.filter.failManager.cleanup(now)
        ticket = FailTicket(ip, now)
        attempts = jail.filter.failManager.addFailure(ticket)
        if attempts >= jail.filter.failManager.getMaxRetry():
            jail.filter.performBan(ip)
        Observers.Main.add("failureFound", jail, ticket)
        check(jail, now)

    for name, ip, time in spec["failures"]:
        MyTime.setTime(time)
        database.purge()
        for jail in all_jails:
            jail.actions._Actions__checkUnBan(jail.actions.unbanMaxCount)
            known[jail.name] = ends(jail)
        fail(jails[name], ip, time)

    sys.stdout.write("".join(line + "\n" for line in out))
    sys.stdout.flush()
    os._exit(0)


main()
