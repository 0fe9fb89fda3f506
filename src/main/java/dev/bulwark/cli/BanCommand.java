package dev.bulwark.cli;

import dev.bulwark.api.ApiClient;
import dev.bulwark.api.LocalToken;
import dev.bulwark.decision.Decision;
import dev.bulwark.ip.IpRange;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark ban}: a manual decision, through the daemon. */
final class BanCommand extends DaemonCommand {
    BanCommand(OutputStream stdout, PrintWriter stderr, Clock clock, Map<String, String> environment) {
        super(stdout, stderr, clock, environment);
    }

    @Override
    CommandSpec describe() {
        CommandSpec spec = CommandSpec.create().name("ban");
        spec.usageMessage().sortOptions(false).header("Block an address or prefix by hand.").description(
                "Asks the running daemon to block TARGET (origin 'manual') for a time, or until 'bulwark unban'. "
                        + "Banning a target again replaces the earlier ban. The daemon refuses targets it never blocks: "
                        + "allowlisted, protected (loopback, private, this host, SSH peers) or broader than the prefix limit.",
                "Needs the API key: run as root (the key is in " + LocalToken.DEFAULT_FILE + "), or pass --token-file or set "
                        + ApiClient.KEY_VARIABLE + ".")
                .footer("", "Examples:", "  bulwark ban 203.0.113.7 --for 24h --reason 'SSH brute force'",
                        "  bulwark ban 2001:db8:bad::/48 --score 90 --category scan --category spam", "");
        spec.addPositional(PositionalParamSpec.builder().paramLabel("TARGET").arity("1").type(String.class)
                .description("An address, a prefix (198.51.100.0/24) or a range (a-b).").build());
        option(spec, "--for", "DURATION", "How long, e.g. 30m, 24h, 7d. Default: until unbanned.");
        option(spec, "--reason", "TEXT", "Why, for 'bulwark explain' and the history.");
        option(spec, "--score", "N", "A score from 0 to 100.");
        spec.addOption(OptionSpec.builder("--category").paramLabel("C").type(String[].class).splitRegex(",")
                .description("A category (repeat, or separate with commas), e.g. ssh, scan.").build());
        return spec;
    }

    @Override
    Call prepare(ParseResult parsed) {
        IpRange target = IpRange.parse(parsed.matchedPositionalValue(0, "").trim());
        String forText = parsed.matchedOptionValue("--for", null);
        Duration duration = forText == null ? null : Durations.parse(forText, "--for");
        if (duration != null && duration.toSeconds() < 1) {
            throw new IllegalArgumentException("--for must be at least 1s");
        }
        String reason = parsed.matchedOptionValue("--reason", null);
        String scoreText = parsed.matchedOptionValue("--score", null);
        int score = scoreText == null ? Decision.NO_SCORE : number(scoreText, "--score", 0, 100);
        List<String> categories = new ArrayList<>();
        for (String category : parsed.matchedOptionValue("--category", new String[0])) {
            if (!category.isBlank()) {
                categories.add(category.trim());
            }
        }
        return client -> {
            Decision decision = client.ban(target, duration, reason, score, categories);
            StringBuilder line = new StringBuilder("banned ").append(decision.target());
            line.append(decision.expiresAt() == null ? " until unbanned"
                    : " until " + HumanTime.absolute(decision.expiresAt(), clock.instant()));
            if (decision.hasScore()) {
                line.append(", score ").append(decision.score());
            }
            if (!decision.categories().isEmpty()) {
                line.append(", ").append(String.join(", ", decision.categories()));
            }
            if (decision.reason() != null) {
                line.append(": ").append(decision.reason());
            }
            out.println(line);
            return Main.OK;
        };
    }
}
