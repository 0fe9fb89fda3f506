package dev.bulwark.cli;

import dev.bulwark.api.ApiClient.Decisions;
import dev.bulwark.api.ApiJson;
import dev.bulwark.api.ApiServer;
import dev.bulwark.decision.Decision;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark list}: the live decisions. */
final class ListCommand extends DaemonCommand {
    ListCommand(OutputStream stdout, PrintWriter stderr, Clock clock, Map<String, String> environment) {
        super(stdout, stderr, clock, environment);
    }

    @Override
    CommandSpec describe() {
        CommandSpec spec = CommandSpec.create().name("list");
        spec.usageMessage().sortOptions(false).header("List the live decisions.").description(
                "Prints the decisions the running daemon holds, of every origin (feeds, jails, manual) or of one, "
                        + "ordered by origin then target.");
        option(spec, "--origin", "NAME", "Only this origin: a feed's name, a jail's, or manual.");
        option(spec, "--limit", "N", "At most N decisions (1 to " + ApiServer.MAX_LIMIT + "). Default: " + ApiServer.DEFAULT_LIMIT + ".");
        jsonFlag(spec);
        return spec;
    }

    @Override
    Call prepare(ParseResult parsed) {
        String origin = parsed.matchedOptionValue("--origin", null);
        String limitText = parsed.matchedOptionValue("--limit", null);
        int limit = limitText == null ? ApiServer.DEFAULT_LIMIT : number(limitText, "--limit", 1, ApiServer.MAX_LIMIT);
        boolean json = parsed.hasMatchedOption("--json");
        return client -> {
            Decisions page = client.decisions(origin, limit);
            if (json) {
                printJson(ApiJson.decisions(page.decisions(), page.truncated()));
                return Main.OK;
            }
            if (page.decisions().isEmpty()) {
                out.println(origin == null ? "no decisions" : "no decisions of origin " + origin);
                return Main.OK;
            }
            Instant now = clock.instant();
            TextTable table = new TextTable("ORIGIN", "TARGET", "ACTION", "SCORE", "EXPIRES", "CATEGORIES", "REASON");
            for (Decision decision : page.decisions()) {
                table.row(decision.origin(), decision.target().toString(), decision.action().label(),
                        decision.hasScore() ? Integer.toString(decision.score()) : null, HumanTime.relative(decision.expiresAt(), now),
                        String.join(",", decision.categories()), decision.reason());
            }
            table.print(out, "");
            int count = page.decisions().size();
            out.println(count + (count == 1 ? " decision" : " decisions"));
            if (page.truncated()) {
                stderr.println("bulwark list: showing the first " + count + "; pass --limit N for more (at most " + ApiServer.MAX_LIMIT + ")");
            }
            return Main.OK;
        };
    }
}
