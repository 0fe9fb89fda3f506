package dev.bulwark.cli;

import dev.bulwark.api.ApiJson;
import dev.bulwark.api.Explanation;
import dev.bulwark.decision.Action;
import dev.bulwark.decision.Decision;
import dev.bulwark.decision.HistoryEntry;
import dev.bulwark.ip.IpAddress;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark explain}: whether an address is blocked, by which decisions, where, and since when. */
final class ExplainCommand extends DaemonCommand {
    ExplainCommand(OutputStream stdout, PrintWriter stderr, Clock clock, Map<String, String> environment) {
        super(stdout, stderr, clock, environment);
    }

    @Override
    CommandSpec describe() {
        CommandSpec spec = CommandSpec.create().name("explain");
        spec.usageMessage().sortOptions(false).header("Say whether an address is blocked, and why.").description(
                "Asks the running daemon about ADDRESS: whether it is blocked or monitored, every decision that names it "
                        + "(origin, score, categories, first and last seen, expiry, reason), the allowlist entry or "
                        + "protected range that keeps it from being blocked, the enforcers that hold it, and the history "
                        + "of those decisions.");
        spec.addPositional(PositionalParamSpec.builder().paramLabel("ADDRESS").arity("1").type(String.class)
                .description("One IPv4 or IPv6 address.").build());
        jsonFlag(spec);
        return spec;
    }

    @Override
    Call prepare(ParseResult parsed) {
        IpAddress address = IpAddress.parse(parsed.matchedPositionalValue(0, "").trim());
        boolean json = parsed.hasMatchedOption("--json");
        return client -> {
            Explanation explanation = client.explain(address);
            if (json) {
                printJson(ApiJson.explanation(explanation));
            } else {
                print(explanation, clock.instant());
            }
            return Main.OK;
        };
    }

    private void print(Explanation explanation, Instant now) {
        out.println(explanation.address() + ": " + verdict(explanation, now));
        if (!explanation.decisions().isEmpty()) {
            out.println();
            out.println("Decisions:");
            TextTable table = new TextTable("ORIGIN", "TARGET", "ACTION", "SCORE", "CATEGORIES", "FIRST SEEN", "LAST SEEN", "EXPIRES", "REASON");
            for (Decision decision : explanation.decisions()) {
                table.row(decision.origin(), decision.target().toString(), decision.action().label(), score(decision.score()),
                        String.join(",", decision.categories()), decision.firstSeen().toString(), decision.lastSeen().toString(),
                        HumanTime.absolute(decision.expiresAt(), now), decision.reason());
            }
            table.print(out, "  ");
        }
        out.println();
        TextTable facts = new TextTable();
        facts.row("Allowlisted by:", orNone(explanation.allowedBy()));
        facts.row("Protected as:", orNone(explanation.protectedBy()));
        facts.row("Enforced by:", explanation.enforcers().isEmpty() ? "none" : String.join(", ", explanation.enforcers()));
        facts.print(out, "");
        if (!explanation.history().isEmpty()) {
            out.println();
            out.println("History (newest first):");
            TextTable table = new TextTable("AT", "CHANGE", "BY", "ORIGIN", "TARGET", "ACTION", "SCORE", "EXPIRES");
            for (HistoryEntry entry : explanation.history()) {
                Decision decision = entry.decision();
                table.row(entry.at().toString(), entry.change().label(), entry.by(), decision.origin(), decision.target().toString(),
                        decision.action().label(), score(decision.score()),
                        decision.expiresAt() == null ? "never" : decision.expiresAt().toString());
            }
            table.print(out, "  ");
        }
    }

    private static String verdict(Explanation explanation, Instant now) {
        if (explanation.blocked()) {
            return "BLOCKED" + (explanation.score() == Decision.NO_SCORE ? "" : ", score " + explanation.score())
                    + (explanation.expiresAt() == null ? ", no expiry" : ", until " + HumanTime.absolute(explanation.expiresAt(), now));
        }
        if (explanation.allowedBy() != null) {
            return "not blocked: allowlisted by " + explanation.allowedBy();
        }
        if (explanation.protectedBy() != null) {
            return "not blocked: protected (" + explanation.protectedBy() + ")";
        }
        if (explanation.action() == Action.MONITOR) {
            return "not blocked, monitored" + (explanation.score() == Decision.NO_SCORE ? "" : " (score " + explanation.score() + ")");
        }
        if (!explanation.decisions().isEmpty()) {
            return "not blocked (the decisions that name it are below the block score)";
        }
        return "not blocked; no decision names it";
    }

    private static String orNone(String text) {
        return text == null ? "none" : text;
    }

    private static String score(int score) {
        return score == Decision.NO_SCORE ? null : Integer.toString(score);
    }
}
