package dev.bulwark.cli;

import dev.bulwark.ip.IpRange;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/** {@code bulwark unban}: removes a manual decision, through the daemon. */
final class UnbanCommand extends DaemonCommand {
    UnbanCommand(OutputStream stdout, PrintWriter stderr, Clock clock, Map<String, String> environment) {
        super(stdout, stderr, clock, environment);
    }

    @Override
    CommandSpec describe() {
        CommandSpec spec = CommandSpec.create().name("unban");
        spec.usageMessage().sortOptions(false).header("Remove a ban made by hand or by a jail.").description(
                "Asks the running daemon to remove the manual decision and the jails' decisions on exactly TARGET (a jail "
                        + "bans it again only after maxretry new failures). Decisions of feeds are not removed (they end with "
                        + "their feed, or add the address to the allowlist); 'bulwark explain ADDRESS' shows which hold an "
                        + "address. Exits 1 when there was no such decision on TARGET.",
                "Needs the API key, as 'bulwark ban' does.");
        spec.addPositional(PositionalParamSpec.builder().paramLabel("TARGET").arity("1").type(String.class)
                .description("The address, prefix or range exactly as banned.").build());
        return spec;
    }

    @Override
    Call prepare(ParseResult parsed) {
        IpRange target = IpRange.parse(parsed.matchedPositionalValue(0, "").trim());
        return client -> {
            client.unban(target);
            out.println("unbanned " + target);
            return Main.OK;
        };
    }
}
