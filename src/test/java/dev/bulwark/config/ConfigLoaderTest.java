package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.api.ApiConfig;
import dev.bulwark.daemon.DaemonConfig;
import dev.bulwark.decision.Action;
import dev.bulwark.detect.jail.Increment;
import dev.bulwark.detect.jail.JailConfig;
import dev.bulwark.detect.jail.JailFilter;
import dev.bulwark.detect.jail.JailRules;
import dev.bulwark.detect.jail.JailSource;
import dev.bulwark.detect.jail.JailsConfig;
import dev.bulwark.enforce.EnforcerConfig;
import dev.bulwark.enforce.Hook;
import dev.bulwark.enforce.RuleSettings;
import dev.bulwark.enforce.Verdict;
import dev.bulwark.feed.FeedConfig;
import dev.bulwark.feed.format.FeedFormat;
import dev.bulwark.feed.format.ParseOptions;
import dev.bulwark.ip.IpSet;
import dev.bulwark.policy.PolicyConfig;
import dev.bulwark.policy.ProtectedCategory;
import dev.bulwark.policy.Protection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @TempDir
    Path directory;

    private Path write(String name, String text, String permissions) throws IOException {
        Path file = directory.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    private ConfigResult load(String yaml) throws IOException {
        return load(yaml, Map.of());
    }

    private ConfigResult load(String yaml, Map<String, String> environment) throws IOException {
        return new ConfigLoader(environment).load(write("bulwark.yml", yaml, "rw-------"));
    }

    /** The problems without the file name: {@code LINE:COLUMN: key: message}. */
    private static List<String> located(List<ConfigProblem> problems) {
        List<String> lines = new ArrayList<>();
        for (ConfigProblem problem : problems) {
            lines.add(problem.line() + ":" + problem.column() + ": " + problem.key() + ": " + problem.message());
        }
        return lines;
    }

    private static List<String> errors(ConfigResult result) {
        assertThat(result.config()).as("no configuration when there are errors").isNull();
        return located(result.errors());
    }

    @Test
    void everyKeyReachesItsRecord() throws IOException {
        write("allow.txt", "# office\n198.51.100.7\n2001:db8:1::/48  # branch\n", "rw-------");
        ConfigResult result = load("""
                state_dir: state
                api:
                  listen: "[::1]:9000"
                  keys:
                    - name: monitoring
                      sha256: "sha256:HASH"
                  edl_allow: [192.0.2.10, 198.51.100.0/28]
                policy:
                  block_score: 70
                  monitor_score: 40
                  default_ttl: 12h
                  protect: [loopback, private]
                  admin: [198.51.100.0/24, "2001:db8:42::/48"]
                  max_prefix: { ipv4: 16, ipv6: 48 }
                allow:
                  - 203.0.113.0/24
                  - 192.0.2.1-192.0.2.9
                  - file:allow.txt
                feeds:
                  - name: scored
                    url: https://api.example.net/threats?limit=1000
                    format: json
                    json: { items: threats, ip: ip_address, score: threat_score }
                    headers: { X-API-Key: "${env:API_KEY}", Accept: application/json }
                    every: 1h30m
                    jitter: 1m
                    min_score: 50
                    ttl: 2d
                    shrink_guard: 25%
                    action: monitor
                    timeout: 10s
                    retries: 5
                    max_size: 1GiB
                    categories: [scanner, bruteforce]
                  - name: list
                    url: lists/drop.csv
                    format: csv
                    csv: { column: 2, score: risk }
                    every: 12h
                    jitter: 50%
                    shrink_guard: 0.3
                enforce:
                  - nftables: { table: edge, hooks: [input, forward, output], action: reject, log: true, priority: -5 }
                  - ipset: { hooks: "input,forward", action: drop, log: "bulwark drop: ", iptables: iptables-legacy }
                  - dry-run: {}
                  - file: { path: out/edl.txt, family: 6 }
                """.replace("HASH", HASH.toUpperCase()), Map.of("API_KEY", "k-123"));

        assertThat(result.errors()).isEmpty();
        DaemonConfig config = result.config();
        assertThat(config.source()).isEqualTo(directory.resolve("bulwark.yml"));
        assertThat(config.stateDir()).isEqualTo(directory.resolve("state"));

        assertThat(config.api()).isEqualTo(new ApiConfig("::1", 9000, List.of(new ApiConfig.ApiKey("monitoring", HASH)),
                IpSet.of("192.0.2.10", "198.51.100.0/28")));

        PolicyConfig policy = config.policy();
        assertThat(policy.blockScore()).isEqualTo(70);
        assertThat(policy.monitorScore()).isEqualTo(40);
        assertThat(policy.defaultTtl()).isEqualTo(Duration.ofHours(12));
        assertThat(policy.protection().ranges()).isEqualTo(ProtectedCategory.LOOPBACK.ranges().union(ProtectedCategory.PRIVATE.ranges()));
        assertThat(policy.checkSelf()).isFalse();
        assertThat(policy.adminNetworks()).isEqualTo(IpSet.of("198.51.100.0/24", "2001:db8:42::/48"));
        assertThat(policy.allow()).isEqualTo(IpSet.of("203.0.113.0/24", "192.0.2.1-192.0.2.9", "198.51.100.7", "2001:db8:1::/48"));
        assertThat(policy.maxPrefixIpv4()).isEqualTo(16);
        assertThat(policy.maxPrefixIpv6()).isEqualTo(48);

        assertThat(config.feeds()).containsExactly(
                new FeedConfig("scored", "https://api.example.net/threats?limit=1000", FeedFormat.JSON,
                        new ParseOptions(null, null, "ip_address", "threat_score", "threats"),
                        Map.of("X-API-Key", "k-123", "Accept", "application/json"), Duration.ofMinutes(90), Duration.ofMinutes(1), 50,
                        Duration.ofDays(2), 0.25, Action.MONITOR, Duration.ofSeconds(10), 5, List.of("scanner", "bruteforce"), 1L << 30),
                new FeedConfig("list", directory.resolve("lists/drop.csv").toString(), FeedFormat.CSV, new ParseOptions("2", "risk", null, null, null),
                        Map.of(), Duration.ofHours(12), Duration.ofHours(6), 0, null, 0.3, Action.BLOCK, FeedConfig.DEFAULT_TIMEOUT,
                        FeedConfig.DEFAULT_RETRIES, List.of(), FeedConfig.DEFAULT_MAX_SIZE));

        assertThat(config.enforce()).containsExactly(
                new EnforcerConfig.Nftables("edge", new RuleSettings(EnumSet.allOf(Hook.class), Verdict.REJECT, "bulwark: ", -5)),
                new EnforcerConfig.Ipset("iptables-legacy", new RuleSettings(EnumSet.of(Hook.INPUT, Hook.FORWARD), Verdict.DROP, "bulwark drop: ",
                        RuleSettings.DEFAULT_PRIORITY)),
                new EnforcerConfig.DryRun(),
                new EnforcerConfig.File(directory.resolve("out/edl.txt"), 6));

        assertThat(located(result.warnings())).containsExactly("12:12: policy.protect: not protected: self (this host's addresses, "
                + "its gateways and SSH peers); a feed that lists them can cut this host off. Keep them unless that is intended");
    }

    @Test
    void absentKeysTakeTheirDefaults() throws IOException {
        ConfigResult result = load("""
                feeds:
                  - name: drop
                    url: https://feeds.example.net/drop.txt
                enforce:
                  - nftables:
                  - file: { path: /srv/edl/all.txt }
                """);

        assertThat(result.errors()).isEmpty();
        assertThat(result.warnings()).isEmpty();
        DaemonConfig config = result.config();
        assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/bulwark"));
        assertThat(config.api()).isEqualTo(ApiConfig.defaults());
        assertThat(config.api().host()).isEqualTo("127.0.0.1");
        assertThat(config.api().port()).isEqualTo(8750);
        PolicyConfig policy = config.policy();
        PolicyConfig defaults = PolicyConfig.defaults();
        assertThat(List.of(policy.blockScore(), policy.monitorScore(), policy.maxPrefixIpv4(), policy.maxPrefixIpv6())).containsExactly(60, 30, 8, 32);
        assertThat(policy.defaultTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(policy.protection().ranges()).isEqualTo(defaults.protection().ranges());
        assertThat(policy.checkSelf()).isTrue();
        assertThat(policy.adminNetworks().isEmpty()).isTrue();
        assertThat(policy.allow().isEmpty()).isTrue();
        assertThat(config.feeds()).containsExactly(new FeedConfig("drop", "https://feeds.example.net/drop.txt", null, ParseOptions.DEFAULTS,
                Map.of(), Duration.ofHours(1), Duration.ofMinutes(6), 0, null, 0.5, Action.BLOCK, Duration.ofSeconds(30), 2, List.of(),
                256L << 20));
        assertThat(config.enforce()).containsExactly(new EnforcerConfig.Nftables("bulwark", RuleSettings.defaults()),
                new EnforcerConfig.File(Path.of("/srv/edl/all.txt"), 0));
    }

    @Test
    void anEmptyFileIsValidButWarnsThatNothingIsFetchedOrEnforced() throws IOException {
        ConfigResult result = load("# nothing yet\n");

        assertThat(result.ok()).isTrue();
        assertThat(result.config().feeds()).isEmpty();
        assertThat(result.config().enforce()).isEmpty();
        assertThat(located(result.warnings())).containsExactly(
                "0:0: feeds: no feeds: only bans made by hand will be enforced; add e.g. feeds: [{name: drop, url: https://feeds.example.net/drop.txt}]",
                "0:0: enforce: no enforcers: nothing will be enforced, decisions are only recorded; add e.g. enforce: [{nftables: {hooks: [input]}}]");
    }

    @Test
    void withoutEnforceNothingIsEnforcedAndTheWarningSaysSo() throws IOException {
        ConfigResult result = load("feeds: [{name: drop, url: /srv/feeds/drop.txt}]\n");

        assertThat(result.ok()).isTrue();
        assertThat(result.config().enforce()).isEmpty();
        assertThat(result.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.severity()).isEqualTo(ConfigProblem.Severity.WARNING);
            assertThat(warning.message()).startsWith("no enforcers: nothing will be enforced");
        });
    }

    @Test
    void anUnknownKeyNamesItsPlaceTheKnownKeysAndTheNearestOne() throws IOException {
        ConfigResult result = load("""
                feeds:
                  - name: drop
                    url: https://feeds.example.net/drop.txt
                    evry: 12h
                polcy:
                  block_score: 70
                """);

        assertThat(errors(result)).containsExactly(
                "4:5: feeds[0].evry: unknown key 'evry' (did you mean 'every'?); the keys of feeds[0] are: name, url, format, csv, json, "
                        + "headers, every, jitter, min_score, ttl, shrink_guard, action, timeout, retries, max_size, categories",
                "5:1: polcy: unknown key 'polcy' (did you mean 'policy'?); the keys at the top level are: state_dir, history, api, policy, allow, feeds, enforce, jails, jail_defaults, recidive");
    }

    @Test
    void aHyphenForAnUnderscoreIsSuggestedAndAFarOffKeyIsNot() throws IOException {
        ConfigResult result = load("""
                policy:
                  block-score: 70
                  colour: red
                enforce:
                  - dry_run: {}
                """);

        assertThat(errors(result)).containsExactly(
                "2:3: policy.block-score: unknown key 'block-score' (did you mean 'block_score'?); the keys of policy are: "
                        + "block_score, monitor_score, default_ttl, protect, admin, max_prefix",
                "3:3: policy.colour: unknown key 'colour'; the keys of policy are: block_score, monitor_score, default_ttl, protect, admin, max_prefix",
                "5:5: enforce[0].dry_run: unknown key 'dry_run' (did you mean 'dry-run'?); the keys of enforce[0] are: nftables, ipset, dry-run, file");
    }

    @Test
    void wrongTypesAreErrorsThatSayWhatToWrite() throws IOException {
        ConfigResult result = load("""
                api:
                  listen: 8750
                policy:
                  block_score: sixty
                  monitor_score: "40"
                  protect: {loopback: true}
                  max_prefix: [8, 32]
                feeds: {name: drop}
                enforce:
                  - nftables: { log: yes, priority: high }
                """);

        assertThat(errors(result)).containsExactly(
                "2:11: api.listen: '8750' is not host:port: write e.g. 127.0.0.1:8750, [::1]:8750 or 0.0.0.0:8750 (an IPv6 address in brackets, a port from 0 to 65535)",
                "4:16: policy.block_score: expected a whole number from 0 to 100, found 'sixty'",
                "5:18: policy.monitor_score: expected a whole number from 0 to 100, found the quoted text '40': remove the quotes",
                "6:12: policy.protect: expected a list, found a mapping; write e.g. [loopback, private, self]",
                "7:15: policy.max_prefix: expected a mapping of keys (ipv4, ipv6), found a list",
                "8:8: feeds: expected a list, found a mapping; write e.g. [{name: drop, url: https://feeds.example.net/drop.txt}]",
                "10:22: enforce[0].nftables.log: 'yes' would be the log prefix: write true or false, or quote a prefix (\"yes\")",
                "10:37: enforce[0].nftables.priority: expected a whole number from -400 to 400, found 'high'");
    }

    @Test
    void badDurationsAndScoresOutOfRangeAreErrors() throws IOException {
        ConfigResult result = load("""
                policy:
                  block_score: 50
                  monitor_score: 55
                  default_ttl: 24
                feeds:
                  - name: drop
                    url: https://feeds.example.net/drop.txt
                    every: 12 hours
                    min_score: 101
                    ttl: 0s
                    shrink_guard: 50
                    timeout: 0ms
                    retries: -1
                  - name: fast
                    url: https://feeds.example.net/fast.txt
                    every: 500ms
                    jitter: 2h
                  - name: spread
                    url: https://feeds.example.net/spread.txt
                    every: 1m
                    jitter: 90s
                """);

        assertThat(errors(result)).containsExactly(
                "3:18: policy.monitor_score: must not be above block_score (50), not 55: scores from monitor_score up to block_score "
                        + "are monitored, from block_score up blocked",
                "4:16: policy.default_ttl: '24' is not a duration: add a unit, e.g. 24s, 24m or 24h",
                "8:12: feeds[0].every: '12 hours' is not a duration: write e.g. 30s, 15m, 4h, 1h30m or 7d (units ms, s, m, h, d)",
                "9:16: feeds[0].min_score: must be from 0 to 100, not 101",
                "10:10: feeds[0].ttl: must be at least 1s, not 0s",
                "11:19: feeds[0].shrink_guard: must be from 0 to 1, not '50': for a percentage write 50%",
                "12:14: feeds[0].timeout: must be more than 0",
                "13:14: feeds[0].retries: must be from 0 to 10, not -1",
                "16:12: feeds[1].every: must be at least 1s, not 500ms",
                "21:13: feeds[2].jitter: must not exceed every (1m), not 1m30s: it spreads each fetch over part of the interval");
    }

    @Test
    void feedNamesMustBeUniqueAndManualIsReserved() throws IOException {
        ConfigResult result = load("""
                feeds:
                  - name: drop
                    url: https://feeds.example.net/drop.txt
                  - name: drop
                    url: https://feeds.example.net/drop-again.txt
                  - name: manual
                    url: https://feeds.example.net/mine.txt
                  - name: Bad Name
                    url: https://feeds.example.net/bad.txt
                """);

        assertThat(errors(result)).containsExactly(
                "4:11: feeds[1].name: feed name 'drop' is already used at line 2: names must be unique, they are the origin of each decision",
                "6:11: feeds[2].name: 'manual' is reserved for bans made with bulwark ban and the API: choose another name",
                "8:11: feeds[3].name: 'Bad Name' is not a feed name: use 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit");
    }

    @Test
    void aDuplicateYamlKeyIsAnErrorAtItsSecondPlace() throws IOException {
        ConfigResult result = load("""
                feeds:
                  - name: drop
                    url: https://feeds.example.net/drop.txt
                    every: 12h
                    every: 1h
                feeds: []
                """);

        assertThat(errors(result)).containsExactly(
                "5:5: feeds[0].every: duplicate key: 'every' is already set at line 4; keep one of them",
                "6:1: feeds: duplicate key: 'feeds' is already set at line 1; keep one of them");
    }

    @Test
    void missingRequiredKeysAreNamedAtTheirMapping() throws IOException {
        ConfigResult result = load("""
                api:
                  keys:
                    - name: ops
                feeds:
                  - url: https://feeds.example.net/drop.txt
                  - name: drop
                enforce:
                  - file: { family: both }
                """);

        assertThat(errors(result)).containsExactly(
                "3:7: api.keys[0]: missing key 'sha256': add e.g. sha256: the key's SHA-256 in hex (printf %s KEY | sha256sum)",
                "5:5: feeds[0]: missing key 'name': add e.g. name: drop",
                "6:5: feeds[1]: missing key 'url': add e.g. url: https://feeds.example.net/drop.txt",
                "8:11: enforce[0].file: missing key 'path': add e.g. path: /var/lib/bulwark/edl.txt");
    }

    @Test
    void enforceEntriesTakeTheCommandLineValuesAndExplainMisindentation() throws IOException {
        ConfigResult result = load("""
                enforce:
                  - nftables:
                    hooks: [input]
                  - ipset: { hooks: [input, inptu], action: deny, iptables: iptables-nf }
                  - nftables: { table: 9lives }
                  - dry-run
                  - file: { path: edl.txt, family: 5 }
                  - dry-run: { verbose: true }
                """);

        assertThat(errors(result)).containsExactly(
                "3:5: enforce[0].hooks: 'hooks' is not a backend: to set it for nftables, indent it under nftables:",
                "4:29: enforce[1].ipset.hooks[1]: unknown hook 'inptu': use input, forward and/or output (did you mean 'input'?)",
                "4:45: enforce[1].ipset.action: unknown action 'deny': use drop (silently) or reject (with an ICMP error or TCP reset)",
                "4:61: enforce[1].ipset.iptables: iptables must be iptables, iptables-nft or iptables-legacy, not 'iptables-nf'",
                "5:24: enforce[2].nftables.table: table name '9lives' must be a letter then up to 31 letters, digits or underscores",
                "6:5: enforce[3]: each entry is one backend (nftables, ipset, dry-run, file) with its settings; write e.g. - dry-run: {}",
                "7:36: enforce[4].file.family: expected 4, 6 or both, found '5'",
                "8:16: enforce[5].dry-run.verbose: unknown key 'verbose': enforce[5].dry-run takes no keys, write {}");
    }

    @Test
    void twoEnforcersOfOneTargetAreRefused() throws IOException {
        ConfigResult result = load("""
                enforce:
                  - nftables: {}
                  - nftables: { table: bulwark, hooks: [output] }
                """);

        assertThat(errors(result)).containsExactly(
                "3:5: enforce[1].nftables: the same nftables table inet bulwark is already enforced at line 2: two enforcers would fight over it; keep one");
    }

    @Test
    void invalidYamlIsOneErrorAtItsPlace() throws IOException {
        ConfigResult result = load("""
                feeds:
                  - name: drop
                   url: https://feeds.example.net/drop.txt
                """);

        assertThat(errors(result)).singleElement().asString().startsWith("3:").contains(": null: not valid YAML: ");
    }

    @Test
    void tabsAreExplained() throws IOException {
        ConfigResult result = load("policy:\n\tblock_score: 60\n");

        assertThat(errors(result)).singleElement().asString().startsWith("2:1: null: not valid YAML: ").contains("Do not use").contains("for indentation");
    }

    @Test
    void aTopLevelThatIsNoMappingIsRefused() throws IOException {
        ConfigResult result = load("- feeds\n- enforce\n");

        assertThat(errors(result)).containsExactly("1:1: null: the configuration must be a mapping of keys (state_dir, history, api, policy, allow, feeds, enforce, jails, "
                + "jail_defaults, recidive), "
                + "one a line such as 'feeds:'");
    }

    @Test
    void aMissingFileIsAnErrorThatSaysWhereConfigurationIsLookedFor() {
        ConfigResult result = new ConfigLoader(Map.of()).load(directory.resolve("absent.yml"));

        assertThat(result.ok()).isFalse();
        assertThat(result.errors()).singleElement().asString().isEqualTo(directory.resolve("absent.yml")
                + ": no such file: write one (see packaging/bulwark.yml), or name another with --config FILE or BULWARK_CONFIG");
        assertThatThrownBy(result::orThrow).isInstanceOf(ConfigException.class).hasMessageContaining("absent.yml: no such file");
    }

    @Test
    void allErrorsOfAFileAreReportedTogetherInFileOrder() throws IOException {
        ConfigResult result = load("""
                state_dir: /var/lib/bulwark
                api: { listen: "::1:8750" }
                policy:
                  default_ttl: forever
                allow: [203.0.113.0/24, 203.0.113.300]
                feeds:
                  - name: drop
                    url: ftp://feeds.example.net/drop.txt
                    format: xml
                enforce:
                  - nftables: { hooks: [sideways] }
                """);

        assertThat(errors(result)).containsExactly(
                "2:16: api.listen: '::1:8750' is not host:port: write e.g. 127.0.0.1:8750, [::1]:8750 or 0.0.0.0:8750 "
                        + "(an IPv6 address in brackets, a port from 0 to 65535)",
                "4:16: policy.default_ttl: 'forever' is not a duration: write e.g. 30s, 15m, 4h, 1h30m or 7d (units ms, s, m, h, d)",
                "5:25: allow[1]: not an IP address, prefix or range: '203.0.113.300' (IPv4 octet out of range); "
                        + "write e.g. 192.0.2.0/24, 2001:db8::/32, 198.51.100.7 or 192.0.2.1-192.0.2.9",
                "8:10: feeds[0].url: unsupported feed URL scheme in 'ftp://feeds.example.net/drop.txt': use a path, file:, http: or https:",
                "9:13: feeds[0].format: unknown format 'xml': use auto (detect from the content), text, csv, json or stix",
                "11:25: enforce[0].nftables.hooks[0]: unknown hook 'sideways': use input, forward and/or output");
        assertThatThrownBy(result::orThrow).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).hasSize(6));
    }

    @Test
    void anAllowFileErrorNamesThatFilesLine() throws IOException {
        Path allow = write("lists/allow.txt", "# offices\n192.0.2.1\n  bogus  # typo\n2001:db8::/48\n", "rw-------");
        ConfigResult result = load("allow:\n  - file:lists/allow.txt\n  - file:lists/none.txt\n");

        assertThat(result.errors()).extracting(ConfigProblem::toString).containsExactly(
                directory.resolve("bulwark.yml") + ":3:5: allow[1]: allowlist file " + directory.resolve("lists/none.txt")
                        + " does not exist: create it (one address, prefix or range a line) or correct the path",
                allow + ":3:3: allow[0]: 'bogus' is not an address, prefix or range (" + errorOf("bogus")
                        + "); write one such as 192.0.2.0/24, 2001:db8::/32, 198.51.100.7 or 192.0.2.1-192.0.2.9 a line, # for comments");
    }

    private static String errorOf(String text) {
        dev.bulwark.ip.IpParser parser = new dev.bulwark.ip.IpParser();
        byte[] bytes = dev.bulwark.ip.IpParser.ascii(text);
        assertThat(parser.parseRange(bytes, 0, bytes.length)).isFalse();
        return parser.error();
    }

    @Test
    void everyJailKeyReachesItsRecord() throws IOException {
        Path conf = write("filters/my-app.conf", "[Definition]\nfailregex = ^fail from <HOST>$\n", "rw-------");
        ConfigResult result = load("""
                jail_defaults:
                  maxretry: 3
                  findtime: 15m
                  bantime: 1h
                  ignoreip: 127.0.0.1/8 ::1 192.0.2.10
                  increment: { factor: 2, maxtime: 1w, rndtime: 5m, forget_after: 2d }
                  ipv6_prefix: 56
                  from_start: true
                  categories: [bruteforce, ssh]
                recidive:
                  maxretry: 4
                  bantime: 2w
                  ignoreip: [198.51.100.0/24]
                jails:
                  - name: sshd
                    filter: sshd[mode=aggressive]
                    logpath: [/var/log/auth.log, "/var/log/secure*"]
                    ignoreip: [203.0.113.0/24]
                  - name: my-app
                    filter: filters/my-app.conf
                    filter_options: { port: "8080" }
                    logpath: logs/app.log
                    maxretry: 10
                    findtime: 1m
                    bantime: forever
                    increment: { multipliers: 1 5 30, overalljails: true }
                    ipv6_prefix: 128
                    from_start: false
                    categories: [web]
                  - name: postfix
                    journal: [_SYSTEMD_UNIT=postfix.service, +, _COMM=smtpd]
                    journal_path: journal/remote
                    increment: false
                  - name: dovecot
                    enabled: false
                    logpath: /var/log/mail.log
                enforce: [dry-run: {}]
                """);

        assertThat(result.errors()).isEmpty();
        JailsConfig jails = result.config().jails();
        Increment defaults = new Increment(true, 2, List.of(), Duration.ofDays(7), Duration.ofMinutes(5), false, Duration.ofDays(2));
        IpSet ignored = IpSet.of("127.0.0.0/8", "::1", "192.0.2.10");
        assertThat(jails.jails()).containsExactly(
                new JailConfig(new JailRules("sshd", 3, Duration.ofMinutes(15), Duration.ofHours(1), ignored.union(IpSet.of("203.0.113.0/24")),
                        defaults, 56, List.of("bruteforce", "ssh")), new JailFilter("sshd", null, Map.of("mode", "aggressive")),
                        new JailSource.LogFiles(List.of("/var/log/auth.log", "/var/log/secure*")), true),
                new JailConfig(new JailRules("my-app", 10, Duration.ofMinutes(1), null, ignored,
                        new Increment(true, 2, List.of(1, 5, 30), Duration.ofDays(7), Duration.ofMinutes(5), true, Duration.ofDays(2)), 128,
                        List.of("web")), new JailFilter(null, conf, Map.of("port", "8080")),
                        new JailSource.LogFiles(List.of(directory.resolve("logs/app.log").toString())), false),
                new JailConfig(new JailRules("postfix", 3, Duration.ofMinutes(15), Duration.ofHours(1), ignored,
                        new Increment(false, 2, List.of(), Duration.ofDays(7), Duration.ofMinutes(5), false, Duration.ofDays(2)), 56,
                        List.of("bruteforce", "ssh")), new JailFilter("postfix", null, Map.of()),
                        new JailSource.Journal(List.of("_SYSTEMD_UNIT=postfix.service", "+", "_COMM=smtpd"),
                                directory.resolve("journal/remote").toString()), true));
        assertThat(jails.recidive()).isEqualTo(new JailRules("recidive", 4, Duration.ofDays(1), Duration.ofDays(14),
                ignored.union(IpSet.of("198.51.100.0/24")), defaults, 56, List.of("bruteforce", "recidive")));
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void maxSizeIsBytesOrKibMibGibOfAtLeastOneKib() throws IOException {
        ConfigResult result = load("""
                feeds:
                  - { name: a, url: https://feeds.example.net/a.txt, max_size: 2048 }
                  - { name: b, url: https://feeds.example.net/b.txt, max_size: 512KiB }
                  - { name: c, url: https://feeds.example.net/c.txt, max_size: 512 }
                  - { name: d, url: https://feeds.example.net/d.txt, max_size: 5 MB }
                """);

        assertThat(errors(result)).containsExactly(
                "4:64: feeds[2].max_size: must be at least 1KiB, not '512'",
                "5:64: feeds[3].max_size: '5 MB' is not a size: write a size such as 256MiB or 1GiB (units B, KiB, MiB, GiB)");
        assertThat(load("feeds: [{ name: a, url: https://feeds.example.net/a.txt, max_size: 512KiB }]\n").config().feeds())
                .extracting(FeedConfig::maxSize).containsExactly(512L << 10);
        assertThat(load("feeds: [{ name: a, url: https://feeds.example.net/a.txt, max_size: 2048 }]\n").config().feeds())
                .extracting(FeedConfig::maxSize).containsExactly(2048L);
    }

    @Test
    void theHistoryIsKeptNinetyDaysUnlessTheConfigurationSaysHowLongOrForever() throws IOException {
        assertThat(load("").config().historyKeep()).isEqualTo(Duration.ofDays(90));
        assertThat(load("history: 2w\n").config().historyKeep()).isEqualTo(Duration.ofDays(14));
        assertThat(load("history: forever\n").config().historyKeep()).isNull();

        assertThat(errors(load("history: 12h\n"))).containsExactly("1:10: history: must be at least 1d, not 12h");
        assertThat(errors(load("history: 90\n"))).containsExactly("1:10: history: '90' is not a duration: add a unit, e.g. 90s, 90m or 90h");
    }

    @Test
    void aJailTakesFail2bansDefaultsItsNameAsFilterAndTheRecidiveRule() throws IOException {
        ConfigResult result = load("""
                jails:
                  - name: sshd
                    logpath: /var/log/auth.log
                  - name: nginx-http-auth
                    journal: true
                """);

        assertThat(result.errors()).isEmpty();
        assertThat(result.warnings()).as("jails are something to enforce, even without feeds").extracting(ConfigProblem::message)
                .noneMatch(message -> message.startsWith("no feeds"));
        JailsConfig jails = result.config().jails();
        assertThat(jails.jails()).containsExactly(
                new JailConfig(JailRules.defaults("sshd"), new JailFilter("sshd", null, Map.of()), new JailSource.LogFiles(List.of("/var/log/auth.log")),
                        false),
                new JailConfig(JailRules.defaults("nginx-http-auth"), new JailFilter("nginx-http-auth", null, Map.of()),
                        new JailSource.Journal(List.of()), false));
        JailRules sshd = jails.jails().getFirst().rules();
        assertThat(List.of(sshd.maxRetry(), sshd.ipv6Prefix())).containsExactly(5, 64);
        assertThat(List.of(sshd.findTime(), sshd.banTime())).containsExactly(Duration.ofMinutes(10), Duration.ofMinutes(10));
        assertThat(sshd.increment().enabled()).isFalse();
        assertThat(jails.recidive()).isEqualTo(JailsConfig.defaultRecidive());
        assertThat(List.of(jails.recidive().maxRetry(), jails.recidive().findTime(), jails.recidive().banTime()))
                .containsExactly(5, Duration.ofDays(1), Duration.ofDays(7));

        assertThat(load("").config().jails()).isEqualTo(JailsConfig.none());
        assertThat(load("recidive: false\njails: [{name: sshd, logpath: /var/log/auth.log}]\n").config().jails().recidive()).isNull();
        assertThat(load("recidive: {enabled: false}\njails: [{name: sshd, logpath: /var/log/auth.log}]\n").config().jails().recidive()).isNull();
    }

    @Test
    void aBantimeOfForeverOrANegativeNumberIsPermanentAndIncrementTrueTurnsEscalationOn() throws IOException {
        for (String permanent : List.of("forever", "-1", "-1s", "\"-1\"")) {
            ConfigResult result = load("jails: [{name: sshd, logpath: /var/log/auth.log, bantime: " + permanent + "}]\n");
            assertThat(result.errors()).as(permanent).isEmpty();
            assertThat(result.config().jails().jails().getFirst().rules().permanent()).as(permanent).isTrue();
        }
        ConfigResult result = load("""
                jail_defaults: { increment: { maxtime: 1d } }
                jails:
                  - { name: a, filter: sshd, logpath: /var/log/a.log, increment: true }
                  - { name: b, filter: sshd, logpath: /var/log/b.log, increment: { enabled: false } }
                  - { name: c, filter: sshd, logpath: /var/log/c.log, increment: { factor: 1.5 } }
                """);
        assertThat(result.config().jails().jails()).extracting(jail -> jail.rules().increment())
                .containsExactly(new Increment(true, 1, List.of(), Duration.ofDays(1), Duration.ZERO, false, Increment.DEFAULT_FORGET_AFTER),
                        new Increment(false, 1, List.of(), Duration.ofDays(1), Duration.ZERO, false, Increment.DEFAULT_FORGET_AFTER),
                        new Increment(true, 1.5, List.of(), Duration.ofDays(1), Duration.ZERO, false, Increment.DEFAULT_FORGET_AFTER));
    }

    @Test
    void jailErrorsNameTheirLineAndSayWhatToWrite() throws IOException {
        ConfigResult result = load("""
                jail_defaults:
                  bantime: 600
                  ipv6_prefix: 16
                jails:
                  - name: sshd
                    logpath: /var/log/auth.log
                    maxretry: 0
                    findtime: 10 minutes
                    ignoreip: [192.0.2.0/24, office.example.com, 192.0.2.300]
                    increment: { factor: "2.0 / 2.885385", formula: "ban.Time * 2", multipliers: [1, 0] }
                    action: iptables
                  - name: sshd
                    logpath: /var/log/auth.log
                  - name: recidive
                    logpath: /var/log/fail2ban.log
                  - name: nginx-4xx
                    logpath: /var/log/web.log
                    journal: [_SYSTEMD_UNIT=nginx.service]
                  - name: postfix
                    journal: [postfix.service]
                  - name: app
                    filter: filters/none.conf
                    logpath: /var/log/app[.log
                  - name: noisy
                    filter: "sshd[mode=aggressive"
                    filter_options: { mode: ddos }
                  - name: dovecot
                """);

        assertThat(errors(result)).containsExactly(
                "2:12: jail_defaults.bantime: '600' is not a duration: add a unit, e.g. 600s, 600m or 600h",
                "3:16: jail_defaults.ipv6_prefix: /16 is broader than policy.max_prefix.ipv6 (/32): its bans would be refused; "
                        + "write 32 to 128 (64 bans a host's whole /64)",
                "7:15: jails[0].maxretry: must be from 1 to 1000000, not 0",
                "8:15: jails[0].findtime: '10 minutes' is not a duration: write e.g. 30s, 15m, 4h, 1h30m or 7d (units ms, s, m, h, d)",
                "9:30: jails[0].ignoreip[1]: 'office.example.com' is a DNS name: ignoreip takes addresses and prefixes only "
                        + "(a name may resolve to something else tomorrow); write its address, e.g. 192.0.2.10",
                "9:50: jails[0].ignoreip[2]: not an IP address, prefix or range: '192.0.2.300' (IPv4 octet out of range); "
                        + "write e.g. 192.0.2.0/24, 2001:db8::/32, 198.51.100.7 or 192.0.2.1-192.0.2.9",
                "10:26: jails[0].increment.factor: expected a positive number such as 1 or 1.5, found '2.0 / 2.885385' "
                        + "(fail2ban's Python expressions are not evaluated: write their value)",
                "10:44: jails[0].increment.formula: fail2ban's bantime.formula is Python, which Bulwark does not run: its default formula "
                        + "is built in (bantime * 2^bans * factor); for other growth write factor or multipliers",
                "10:86: jails[0].increment.multipliers[1]: '0' is not a multiplier: write whole numbers from 1, e.g. [1, 2, 4, 8]",
                "11:5: jails[0].action: unknown key 'action'; the keys of jails[0] are: " + String.join(", ", JailsSection.JAIL_KEYS),
                "12:11: jails[1].name: jail name 'sshd' is already used at line 5: names must be unique, they are the origin of each ban (jail:sshd)",
                "14:11: jails[2].name: 'recidive' is the built-in rule across jails: set it under recidive: (e.g. recidive: {bantime: 2w}), "
                        + "or give this jail another name",
                "18:5: jails[3].journal: a jail reads logpath or the journal, not both: remove one, or make two jails",
                "20:15: jails[4].journal[0]: 'postfix.service' is not a journal match: write FIELD=value such as _SYSTEMD_UNIT=sshd.service, "
                        + "or + between alternatives; or journal: true for the filter's own journalmatch",
                "22:13: jails[5].filter: filter file " + directory.resolve("filters/none.conf") + " does not exist: correct the path, "
                        + "or name a built-in filter such as sshd",
                "23:14: jails[5].logpath: '/var/log/app[.log' is not a path or glob: Missing ']; write e.g. /var/log/nginx/*error.log",
                "24:5: jails[6]: missing key 'logpath': add e.g. logpath: /var/log/auth.log, or journal: true to read the systemd journal",
                "25:13: jails[6].filter: 'sshd[mode=aggressive' is not a filter: write a name such as sshd, with options as "
                        + "sshd[mode=aggressive], or a path to a .conf file",
                "27:5: jails[7]: missing key 'logpath': add e.g. logpath: /var/log/auth.log, or journal: true to read the systemd journal");
    }

    @Test
    void journalPathIsTheDirectoryOfTheJournalAJailReads() throws IOException {
        ConfigResult result = load("""
                jails:
                  - name: sshd
                    logpath: /var/log/auth.log
                    journal_path: /var/log/journal/remote
                  - name: postfix
                    journal: true
                    journal_path: ""
                """);

        assertThat(errors(result)).containsExactly(
                "4:5: jails[0].journal_path: journal_path is the directory of the journal a jail reads: add journal: true, or remove journal_path",
                "7:19: jails[1].journal_path: is empty: write the journal's directory, such as /var/log/journal/remote");
    }

    @Test
    void aFilterOptionGivenTwiceIsAnError() throws IOException {
        ConfigResult result = load("""
                jails:
                  - name: sshd
                    filter: sshd[mode=aggressive]
                    filter_options: { mode: ddos }
                    logpath: /var/log/auth.log
                """);

        assertThat(errors(result)).containsExactly(
                "4:23: jails[0].filter_options.mode: option mode is also given in filter: sshd[mode=aggressive]; keep one");
    }

    @Test
    void protectTakesAllNoneOrAListAndSelfOrSshPeersSwitchTheHostCheck() throws IOException {
        ConfigResult all = load("policy: { protect: all }\nfeeds: [{name: a, url: /a}]\nenforce: [dry-run: {}]\n");
        assertThat(all.warnings()).isEmpty();
        assertThat(all.config().policy().protection().ranges()).isEqualTo(Protection.all().ranges());
        assertThat(all.config().policy().checkSelf()).isTrue();

        ConfigResult none = load("policy: { protect: none }\nfeeds: [{name: a, url: /a}]\nenforce: [dry-run: {}]\n");
        assertThat(none.config().policy().protection().ranges().isEmpty()).isTrue();
        assertThat(none.config().policy().checkSelf()).isFalse();
        assertThat(located(none.warnings())).containsExactly("1:20: policy.protect: not protected: loopback, self (this host's addresses, "
                + "its gateways and SSH peers); a feed that lists them can cut this host off. Keep them unless that is intended");

        ConfigResult list = load("policy: { protect: [loopback, ssh-peers] }\nfeeds: [{name: a, url: /a}]\nenforce: [dry-run: {}]\n");
        assertThat(list.warnings()).isEmpty();
        assertThat(list.config().policy().protection().ranges()).isEqualTo(ProtectedCategory.LOOPBACK.ranges());
        assertThat(list.config().policy().checkSelf()).isTrue();

        assertThat(errors(load("policy: { protect: [loopback, privat, none] }\n"))).containsExactly(
                "1:31: policy.protect[1]: unknown protected range 'privat' (did you mean 'private'?): use all, none, or some of "
                        + "loopback, unspecified, private, link-local, multicast, broadcast, self, ssh-peers",
                "1:39: policy.protect[2]: 'none' cannot be combined with other ranges: write protect: none, or list the ranges");
    }

    @Test
    void secretsComeFromTheEnvironmentAndFromFiles() throws IOException {
        write("secrets/token", "from-a-file\n", "rw-------");
        ConfigResult result = load("""
                api:
                  keys: [{name: ops, sha256: "${env:OPS_KEY_HASH}"}]
                feeds:
                  - name: scored
                    url: "https://api.example.net/v1/list?key=${env:URL_KEY}"
                    headers:
                      Authorization: "Bearer ${env:TOKEN}"
                      X-Api-Key: ${file:secrets/token}
                """, Map.of("OPS_KEY_HASH", HASH, "URL_KEY", "u-1", "TOKEN", "t-2"));

        assertThat(result.errors()).isEmpty();
        assertThat(result.config().api().keys()).containsExactly(new ApiConfig.ApiKey("ops", HASH));
        FeedConfig feed = result.config().feeds().getFirst();
        assertThat(feed.url()).isEqualTo("https://api.example.net/v1/list?key=u-1");
        assertThat(feed.headers()).containsExactly(Map.entry("Authorization", "Bearer t-2"), Map.entry("X-Api-Key", "from-a-file"));
    }

    @Test
    void aMissingVariableOrSecretFileIsAnErrorNamingTheKeyAndLine() throws IOException {
        ConfigResult result = load("""
                feeds:
                  - name: scored
                    url: https://api.example.net/v1/list
                    headers:
                      X-Api-Key: "${env:SCORED_API_KEY}"
                      X-Other: "${env:EMPTY}"
                      X-Token: "${file:/nonexistent/token}"
                      X-More: "${vault:kv/token}"
                      X-Half: "${env:TOKEN"
                """, Map.of("EMPTY", ""));

        assertThat(errors(result)).containsExactly(
                "5:18: feeds[0].headers.X-Api-Key: environment variable SCORED_API_KEY is not set: set it where Bulwark runs "
                        + "(e.g. Environment= or EnvironmentFile= in its systemd unit)",
                "6:16: feeds[0].headers.X-Other: environment variable EMPTY is empty: set it where Bulwark runs "
                        + "(e.g. Environment= or EnvironmentFile= in its systemd unit)",
                "7:16: feeds[0].headers.X-Token: secret file /nonexistent/token does not exist: create it (chmod 600) or correct the path",
                "8:15: feeds[0].headers.X-More: unknown reference '${vault:kv/token}': write ${env:NAME} or ${file:PATH}",
                "9:15: feeds[0].headers.X-Half: '${' without a closing '}': write ${env:NAME} or ${file:PATH}");
    }

    @Test
    void aSecretValueNeverAppearsInAnErrorWarningOrToString() throws IOException {
        String secret = "S3CRET-value-0042";
        write("secrets/multi-line", "abc\n" + secret + "\n", "rw-r--r--");
        write("secrets/readable", secret + "\n", "rw-r--r--");
        Map<String, String> environment = Map.of("TOKEN", secret);
        ConfigResult failed = load("""
                api:
                  keys: [{name: ops, sha256: "${env:TOKEN}"}]
                policy:
                  default_ttl: ${env:TOKEN}
                  block_score: ${env:TOKEN}
                feeds:
                  - name: leak
                    url: "ftp://${env:TOKEN}@example.net/"
                    every: ${file:secrets/readable}
                    headers: { X-Api-Key: "${file:secrets/multi-line}" }
                """, environment);
        assertThat(failed.errors()).hasSize(6);
        assertThat(failed.warnings()).isNotEmpty();
        assertThat(failed.errors()).extracting(ConfigProblem::message).allSatisfy(message -> assertThat(message).contains("the value"));
        assertThat(failed.toString() + failed.errors() + failed.warnings()).doesNotContain(secret);

        ConfigResult loaded = load("""
                api:
                  keys: [{name: ops, sha256: "%s"}]
                feeds:
                  - name: ok
                    url: "https://api.example.net/list?token=${env:TOKEN}"
                    headers: { X-Api-Key: "${env:TOKEN}", X-Other: "${file:secrets/readable}" }
                enforce: [dry-run: {}]
                """.formatted(HASH), environment);
        assertThat(loaded.ok()).isTrue();
        assertThat(loaded.config().feeds().getFirst().headers()).containsEntry("X-Api-Key", secret);
        assertThat(loaded.toString() + loaded.config() + loaded.warnings()).doesNotContain(secret);
    }

    @Test
    void aConfigurationHoldingLiteralSecretsMustNotBeReadableByOthers() throws IOException {
        String yaml = """
                feeds:
                  - name: scored
                    url: https://api.example.net/v1/list
                    headers: { X-API-Key: literal-key-123, Accept: application/json }
                enforce: [dry-run: {}]
                """;
        Path readable = write("readable.yml", yaml, "rw-r--r--");
        Path groupReadable = write("group.yml", yaml, "rw-r-----");
        Path owner = write("owner.yml", yaml, "rw-------");
        ConfigLoader loader = new ConfigLoader(Map.of());

        assertThat(loader.load(readable).warnings()).extracting(ConfigProblem::toString)
                .containsExactly(readable + ": warning: " + readable + " is readable by others and holds secrets: chmod 600 " + readable);
        assertThat(loader.load(groupReadable).warnings()).hasSize(1);
        assertThat(loader.load(owner).warnings()).isEmpty();
    }

    @Test
    void apiKeysCountAsSecretsAndHarmlessHeadersOrReferencesDoNot() throws IOException {
        ConfigLoader loader = new ConfigLoader(Map.of("KEY", "k"));
        Path withApiKey = write("api.yml", "api: {keys: [{name: ops, sha256: %s}]}\nfeeds: [{name: a, url: /a}]\nenforce: [dry-run: {}]\n"
                .formatted(HASH), "rw-r--r--");
        Path harmless = write("harmless.yml", """
                feeds:
                  - name: a
                    url: https://feeds.example.net/a.txt
                    headers: { Accept: text/plain, X-API-Key: "${env:KEY}" }
                enforce: [dry-run: {}]
                """, "rw-r--r--");

        assertThat(loader.load(withApiKey).warnings()).extracting(ConfigProblem::message)
                .containsExactly(withApiKey + " is readable by others and holds secrets: chmod 600 " + withApiKey);
        assertThat(loader.load(harmless).warnings()).isEmpty();
    }

    @Test
    void aSecretFileReadableByOthersIsWarnedOfAtItsReference() throws IOException {
        Path open = write("keys/open", "k1\n", "rw-r--r--");
        write("keys/closed", "k2\n", "rw-------");
        ConfigResult result = load("""
                feeds:
                  - name: a
                    url: https://feeds.example.net/a.txt
                    headers: { X-Key: "${file:keys/open}", X-Other: "${file:keys/closed}" }
                enforce: [dry-run: {}]
                """);

        assertThat(result.ok()).isTrue();
        assertThat(located(result.warnings())).containsExactly(
                "4:23: feeds[0].headers.X-Key: " + open + " is readable by others and holds secrets: chmod 600 " + open);
    }

    @Test
    void theSampleConfigurationLoadsWithoutErrors() {
        ConfigResult result = new ConfigLoader(Map.of("ABUSEIPDB_API_KEY", "sample-key")).load(Path.of("packaging/bulwark.yml"));

        assertThat(result.errors()).isEmpty();
        assertThat(result.warnings()).isEmpty();
        DaemonConfig config = result.config();
        assertThat(config.feeds()).extracting(FeedConfig::name)
                .containsExactly("spamhaus-drop", "spamhaus-drop-v6", "firehol-level1", "feodotracker", "abuseipdb");
        assertThat(config.feeds().getLast().headers()).containsEntry("Key", "sample-key");
        assertThat(config.enforce()).containsExactly(new EnforcerConfig.Nftables("bulwark",
                new RuleSettings(EnumSet.allOf(Hook.class), Verdict.DROP, null, RuleSettings.DEFAULT_PRIORITY)));
        assertThat(config.jails().jails()).extracting(jail -> jail.name() + " " + jail.filter().name() + " " + jail.rules().maxRetry())
                .containsExactly("sshd sshd 5");
    }

    @Test
    void theFileIsTheOptionThenTheVariableThenTheDefault() {
        assertThat(ConfigLoader.locate("/srv/b.yml", Map.of("BULWARK_CONFIG", "/etc/other.yml"))).isEqualTo(Path.of("/srv/b.yml"));
        assertThat(ConfigLoader.locate(null, Map.of("BULWARK_CONFIG", "/etc/other.yml"))).isEqualTo(Path.of("/etc/other.yml"));
        assertThat(ConfigLoader.locate(null, Map.of("BULWARK_CONFIG", " "))).isEqualTo(Path.of("/etc/bulwark/bulwark.yml"));
        assertThat(ConfigLoader.locate(null, Map.of())).isEqualTo(DaemonConfig.DEFAULT_FILE);
    }
}
