package dev.bulwark.cli;

import dev.bulwark.api.ApiJson;
import dev.bulwark.api.Status;
import dev.bulwark.api.Status.EnforcerStatus;
import dev.bulwark.api.Status.JailStatus;
import dev.bulwark.detect.jail.JailsConfig;
import dev.bulwark.feed.FeedStatus;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark status}: the daemon at a glance. */
final class StatusCommand extends DaemonCommand {
    StatusCommand(OutputStream stdout, PrintWriter stderr, Clock clock, Map<String, String> environment) {
        super(stdout, stderr, clock, environment);
    }

    @Override
    CommandSpec describe() {
        CommandSpec spec = CommandSpec.create().name("status");
        spec.usageMessage().sortOptions(false).header("Show the running daemon at a glance.").description(
                "Prints the daemon's version and uptime, the decisions it holds, what is enforced, each feed's last fetch "
                        + "and each enforcer's last apply, with the last error of any that failed, and each jail's logs, "
                        + "offenders failing now, bans in force, and failures and bans since the start.");
        jsonFlag(spec);
        return spec;
    }

    @Override
    Call prepare(ParseResult parsed) {
        boolean json = parsed.hasMatchedOption("--json");
        return client -> {
            Status status = client.status();
            if (json) {
                printJson(ApiJson.status(status));
            } else {
                print(status, clock.instant());
            }
            return Main.OK;
        };
    }

    private void print(Status status, Instant now) {
        out.println("bulwark " + status.version() + ", running since " + HumanTime.absolute(status.startedAt(), now)
                + ", snapshot " + status.snapshotVersion());
        TextTable summary = new TextTable();
        summary.row("Decisions:", status.decisions() + " live, " + status.monitored() + " monitored");
        summary.row("Enforced:", status.blockedV4() + " IPv4 and " + status.blockedV6() + " IPv6 prefixes");
        summary.print(out, "");
        out.println();
        if (status.feeds().isEmpty()) {
            out.println("Feeds: none");
        } else {
            out.println("Feeds:");
            TextTable feeds = new TextTable("NAME", "RESULT", "ENTRIES", "LAST SUCCESS", "NEXT TRY", "FAILURES", "ERROR");
            for (FeedStatus feed : status.feeds()) {
                feeds.row(feed.name(), feed.lastResult(), Long.toString(feed.entries()), HumanTime.relative(feed.lastSuccess(), now),
                        feed.nextTry() == null ? null : HumanTime.relative(feed.nextTry(), now), Integer.toString(feed.consecutiveFailures()),
                        feed.error());
            }
            feeds.print(out, "  ");
        }
        if (status.enforcers().isEmpty()) {
            out.println("Enforcers: none");
        } else {
            out.println("Enforcers:");
            TextTable enforcers = new TextTable("NAME", "LAST APPLY", "TOOK", "SUMMARY", "ERROR");
            for (EnforcerStatus enforcer : status.enforcers()) {
                enforcers.row(enforcer.name(), HumanTime.relative(enforcer.lastApply(), now),
                        enforcer.lastDuration() == null ? null : HumanTime.span(enforcer.lastDuration()), enforcer.lastSummary(),
                        enforcer.error());
            }
            enforcers.print(out, "  ");
        }
        if (!status.jails().isEmpty()) {
            out.println("Jails:");
            TextTable jails = new TextTable("NAME", "FAILING", "BANNED", "FAILURES", "BANS", "LINES", "LOGS");
            for (JailStatus jail : status.jails()) {
                String logs = jail.logs().isEmpty() ? (jail.name().equals(JailsConfig.RECIDIVE) ? "(the jails' bans)" : "(none yet)")
                        : String.join(", ", jail.logs());
                if (jail.forgotten() > 0) {
                    logs += "; " + jail.forgotten() + " offenders forgotten (too many failing at once)";
                }
                jails.row(jail.name(), Long.toString(jail.failing()), Long.toString(jail.banned()), Long.toString(jail.failures()),
                        Long.toString(jail.bans()), Long.toString(jail.lines()), logs);
            }
            jails.print(out, "  ");
        }
    }
}
