package dev.bulwark.detect.jail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.detect.Failure;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JailBookTest {
    static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    static final Increment DOUBLING = new Increment(true, 1, List.of(), null, Duration.ZERO, false, Increment.DEFAULT_FORGET_AFTER);

    @TempDir
    Path directory;

    static JailRules sshd() {
        return JailRules.defaults("sshd");
    }

    static JailRules rules(String name, Duration banTime, Increment increment) {
        return new JailRules(name, 5, Duration.ofMinutes(10), banTime, IpSet.empty(), increment, 64, List.of("bruteforce"));
    }

    static JailBook book(JailRules... rules) throws IOException {
        return book(new MemoryBanCounts(), null, rules);
    }

    static JailBook book(BanCounts counts, JailRules recidive, JailRules... rules) throws IOException {
        List<JailConfig> jails = new ArrayList<>();
        for (JailRules rule : rules) {
            jails.add(new JailConfig(rule, new JailFilter(rule.name(), null, Map.of()),
                    new JailSource.LogFiles(List.of("/var/log/auth.log")), false));
        }
        return new JailBook(new JailsConfig(jails, recidive), counts, new Random(1));
    }

    static Failure failure(String id, Instant time) {
        return new Failure(id, time, List.of("sshd[1234]: Failed password for root from " + id + " port 22 ssh2"));
    }

    /** Failures of {@code id}, {@code spacing} apart from {@code from}, each read at its own time; the bans they caused. */
    static List<Ban> fail(JailBook book, String jail, String id, Instant from, int count, Duration spacing) {
        List<Ban> bans = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            Instant at = from.plus(spacing.multipliedBy(index));
            bans.addAll(book.failure(jail, failure(id, at), at));
        }
        return bans;
    }

    /** Bans {@code id} once in {@code jail}: maxretry failures a second apart from {@code from}; the bans made. */
    static List<Ban> banOnce(JailBook book, String jail, String id, Instant from) {
        List<Ban> bans = new ArrayList<>();
        for (int index = 0; index < 50 && bans.stream().noneMatch(ban -> ban.jail().equals(jail)); index++) {
            Instant at = from.plusSeconds(index);
            bans.addAll(book.failure(jail, failure(id, at), at));
        }
        return bans;
    }

    @Test
    void fiveFailuresWithinFindTimeBanForTheBanTimeFromTheLastOne() throws IOException {
        JailBook book = book(sshd());

        List<Ban> first = fail(book, "sshd", "192.0.2.7", START, 4, Duration.ofSeconds(48));
        assertThat(first).isEmpty();
        assertThat(book.pendingFailures("sshd", "192.0.2.7", START.plusSeconds(144))).isEqualTo(4);
        Instant fifth = START.plusSeconds(192);
        List<Ban> bans = book.failure("sshd", failure("192.0.2.7", fifth), fifth);

        assertThat(bans).singleElement().satisfies(ban -> {
            assertThat(ban.kind()).isEqualTo(Ban.Kind.NEW);
            assertThat(ban.target()).isEqualTo(IpRange.parse("192.0.2.7"));
            assertThat(ban.origin()).isEqualTo("jail:sshd");
            assertThat(ban.at()).isEqualTo(fifth);
            assertThat(ban.banTime()).isEqualTo(Duration.ofMinutes(10));
            assertThat(ban.expiresAt()).isEqualTo(fifth.plus(Duration.ofMinutes(10)));
            assertThat(ban.banCount()).isEqualTo(1);
            assertThat(ban.failures()).isEqualTo(5);
            assertThat(ban.firstFailure()).isEqualTo(START);
            assertThat(ban.lines()).hasSize(5);
            assertThat(ban.reason()).isEqualTo("5 failures in 3m12s (10m): sshd[1234]: Failed password for root from 192.0.2.7 port 22 ssh2");
        });
        assertThat(book.pendingFailures("sshd", "192.0.2.7", fifth)).as("the count starts afresh after a ban").isZero();
    }

    @Test
    void failuresFindTimeAfterTheLatestStartAfreshAndAnOlderSpreadIsScaledToItsRate() throws IOException {
        JailBook book = book(sshd());
        fail(book, "sshd", "192.0.2.7", START, 4, Duration.ofSeconds(1));
        // the latest was at +3s: at +603s it lies findtime back, and fail2ban's cleanup has dropped it
        Instant late = START.plusSeconds(603);
        assertThat(book.failure("sshd", failure("192.0.2.7", late), late)).isEmpty();
        assertThat(book.pendingFailures("sshd", "192.0.2.7", late)).isEqualTo(1);

        JailBook other = book(sshd());
        fail(other, "sshd", "192.0.2.8", START, 4, Duration.ofSeconds(1));
        // at +602s the four are kept but spread over 602s: round(4 / 602 * 600) = 4, plus this one: banned
        Instant justInTime = START.plusSeconds(602);
        assertThat(other.failure("sshd", failure("192.0.2.8", justInTime), justInTime)).singleElement()
                .satisfies(ban -> assertThat(ban.firstFailure()).isEqualTo(justInTime.minus(Duration.ofMinutes(10))));

        JailBook slow = book(sshd());
        // one failure every 3 minutes: never 5 within 10 minutes, and the scaled count never reaches 5 either
        assertThat(fail(slow, "sshd", "192.0.2.9", START, 40, Duration.ofMinutes(3))).isEmpty();
    }

    @Test
    void failuresWhileBannedProlongTheBanToTheirTimePlusBanTimeWithoutCountingAnotherBan() throws IOException {
        JailBook book = book(sshd());
        Ban first = fail(book, "sshd", "192.0.2.7", START, 5, Duration.ofSeconds(10)).getFirst();

        List<Ban> again = fail(book, "sshd", "192.0.2.7", START.plusSeconds(120), 5, Duration.ofSeconds(10));

        Instant fifth = START.plusSeconds(160);
        assertThat(again).singleElement().satisfies(ban -> {
            assertThat(ban.kind()).isEqualTo(Ban.Kind.PROLONGED);
            assertThat(ban.expiresAt()).isEqualTo(fifth.plus(Duration.ofMinutes(10))).isAfter(first.expiresAt());
            assertThat(ban.banCount()).isEqualTo(1);
            assertThat(ban.reason()).startsWith("5 failures in 40s (prolonged, 10m): ");
        });
        assertThat(book.banCount("sshd", "192.0.2.7", fifth)).isEqualTo(1);
        // after the ban ended, the next five are a second ban
        Instant later = fifth.plus(Duration.ofMinutes(11));
        assertThat(fail(book, "sshd", "192.0.2.7", later, 5, Duration.ofSeconds(1))).singleElement()
                .satisfies(ban -> assertThat(List.of(ban.kind(), ban.banCount())).containsExactly(Ban.Kind.NEW, 2));
    }

    @Test
    void repeatedBansGrowAsFail2bansFormula() throws IOException {
        JailBook book = book(rules("sshd", Duration.ofMinutes(10), DOUBLING));

        List<Ban> bans = successiveBans(book, "sshd", 6);

        assertThat(bans).extracting(Ban::banCount).containsExactly(1, 2, 3, 4, 5, 6);
        // fail2ban 1.0.2, jail.getBanTimeExtra("evformula") with Time=600 and Count=1..5; the first ban is bantime
        assertThat(bans).extracting(ban -> ban.banTime().toSeconds()).containsExactly(600L, 1200L, 2400L, 4800L, 9600L, 19200L);
    }

    @Test
    void aKnownOffendersFailuresCountMoreAsFail2bansObserverCountsThem() throws IOException {
        JailBook book = book(rules("sshd", Duration.ofMinutes(10), DOUBLING));
        List<Integer> failuresToBan = new ArrayList<>();
        Instant at = START;
        for (int round = 0; round < 4; round++) {
            int failures = 0;
            List<Ban> bans = List.of();
            while (bans.isEmpty()) {
                Instant time = at.plusSeconds(failures++);
                bans = book.failure("sshd", failure("192.0.2.7", time), time);
            }
            failuresToBan.add(failures);
            at = bans.getFirst().expiresAt().plusSeconds(1);
        }
        // each failure counts 1, then 2, 3, 5 (2^n / 2 + 1 after n bans, at most maxretry 5)
        assertThat(failuresToBan).containsExactly(5, 3, 2, 1);
    }

    @Test
    void maxtimeCapsTheIncrementAndMultipliersReplaceTheFormula() throws IOException {
        Increment capped = new Increment(true, 1, List.of(), Duration.ofHours(1), Duration.ZERO, false, Increment.DEFAULT_FORGET_AFTER);
        Increment multiplied = new Increment(true, 1, List.of(1, 5, 30, 60), null, Duration.ZERO, false, Increment.DEFAULT_FORGET_AFTER);
        Increment factor = new Increment(true, 1.5, List.of(), null, Duration.ZERO, false, Increment.DEFAULT_FORGET_AFTER);
        JailBook book = book(rules("capped", Duration.ofMinutes(10), capped), rules("multiplied", Duration.ofMinutes(1), multiplied),
                rules("factor", Duration.ofMinutes(10), factor));

        assertThat(banTimes(book, "capped", 6)).containsExactly(600L, 1200L, 2400L, 3600L, 3600L, 3600L);
        // fail2ban: bantime.multipliers = 1 5 30 60 with bantime 60: 60, 300, 1800, 3600, then the last multiplier
        assertThat(banTimes(book, "multiplied", 6)).containsExactly(60L, 300L, 1800L, 3600L, 3600L, 3600L);
        // fail2ban: bantime.factor = 1.5: 600 * 2^n * 1.5 from the second ban
        assertThat(banTimes(book, "factor", 4)).containsExactly(600L, 1800L, 3600L, 7200L);
    }

    /** Bans of one address in {@code jail}, each made a second after the last one ended. */
    private static List<Ban> successiveBans(JailBook book, String jail, int rounds) {
        List<Ban> bans = new ArrayList<>();
        Instant at = START;
        for (int round = 0; round < rounds; round++) {
            Ban ban = banOnce(book, jail, "198.51.100.1", at).getFirst();
            bans.add(ban);
            at = ban.expiresAt().plusSeconds(1);
        }
        return bans;
    }

    private static List<Long> banTimes(JailBook book, String jail, int rounds) {
        return successiveBans(book, jail, rounds).stream().map(ban -> ban.banTime().toSeconds()).toList();
    }

    @Test
    void rndtimeAddsUpToItsLengthDrawnFromTheGivenRandom() throws IOException {
        Increment random = new Increment(true, 1, List.of(), null, Duration.ofMinutes(4), false, Increment.DEFAULT_FORGET_AFTER);
        JailBook book = new JailBook(new JailsConfig(List.of(new JailConfig(rules("sshd", Duration.ofMinutes(10), random),
                new JailFilter("sshd", null, Map.of()), new JailSource.Journal(List.of()), false)), null), new MemoryBanCounts(),
                new FixedRandom(0.5));

        Ban first = banOnce(book, "sshd", "192.0.2.7", START).getFirst();
        Ban second = banOnce(book, "sshd", "192.0.2.7", first.expiresAt().plusSeconds(1)).getFirst();

        assertThat(first.banTime()).as("a first ban is never changed").isEqualTo(Duration.ofMinutes(10));
        assertThat(second.banTime()).isEqualTo(Duration.ofMinutes(22));
    }

    /** Always draws the same number. */
    private record FixedRandom(double value) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only nextDouble");
        }

        @Override
        public double nextDouble() {
            return value;
        }
    }

    @Test
    void overalljailsCountsTheOffendersBansInEveryJail() throws IOException {
        Increment overall = new Increment(true, 1, List.of(), null, Duration.ZERO, true, Increment.DEFAULT_FORGET_AFTER);
        JailBook book = book(rules("sshd", Duration.ofMinutes(10), overall), rules("nginx", Duration.ofMinutes(10), overall),
                rules("postfix", Duration.ofMinutes(10), DOUBLING));

        Ban ssh = banOnce(book, "sshd", "192.0.2.7", START).getFirst();
        Ban nginx = banOnce(book, "nginx", "192.0.2.7", START.plusSeconds(60)).getFirst();
        Ban postfix = banOnce(book, "postfix", "192.0.2.7", START.plusSeconds(120)).getFirst();

        assertThat(ssh.banTime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(nginx.banTime()).as("one ban before, in sshd").isEqualTo(Duration.ofMinutes(20));
        assertThat(nginx.banCount()).isEqualTo(2);
        assertThat(postfix.banTime()).as("without overalljails only its own bans count").isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void fiveBansWithinADayByAnyJailsAreBannedForAWeekByTheRecidiveRule() throws IOException {
        JailBook book = book(new MemoryBanCounts(), JailsConfig.defaultRecidive(), sshd(), JailRules.defaults("nginx"));
        List<Ban> bans = new ArrayList<>();
        Instant at = START;
        for (int round = 0; round < 5; round++) {
            bans.addAll(banOnce(book, round % 2 == 0 ? "sshd" : "nginx", "192.0.2.7", at));
            at = at.plus(Duration.ofHours(3));
        }

        assertThat(bans).extracting(Ban::jail).containsExactly("sshd", "nginx", "sshd", "nginx", "sshd", "recidive");
        Ban recidive = bans.getLast();
        assertThat(recidive.origin()).isEqualTo("jail:recidive");
        assertThat(recidive.target()).isEqualTo(IpRange.parse("192.0.2.7"));
        assertThat(recidive.banTime()).isEqualTo(Duration.ofDays(7));
        assertThat(recidive.expiresAt()).isEqualTo(bans.get(4).at().plus(Duration.ofDays(7)));
        assertThat(recidive.reason()).isEqualTo("5 bans in 12h (1w): [sshd] Ban 192.0.2.7");

        JailBook spread = book(new MemoryBanCounts(), JailsConfig.defaultRecidive(), sshd());
        List<Ban> slow = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
            slow.addAll(banOnce(spread, "sshd", "192.0.2.8", START.plus(Duration.ofHours(7).multipliedBy(round))));
        }
        assertThat(slow).as("bans 7h apart: never 5 within a day").extracting(Ban::jail).containsOnly("sshd");
    }

    @Test
    void ignoreipAddressesAndPrefixesAreNeverCounted() throws IOException {
        JailRules rules = new JailRules("sshd", 1, Duration.ofMinutes(10), Duration.ofMinutes(10), IpSet.of("192.0.2.7", "198.51.100.0/24"),
                Increment.DISABLED, 64, List.of());
        JailBook book = book(rules);

        assertThat(fail(book, "sshd", "192.0.2.7", START, 3, Duration.ofSeconds(1))).isEmpty();
        assertThat(fail(book, "sshd", "198.51.100.200", START, 3, Duration.ofSeconds(1))).isEmpty();
        assertThat(fail(book, "sshd", "192.0.2.8", START, 1, Duration.ofSeconds(1))).hasSize(1);
    }

    @Test
    void anIpv6OffenderIsCountedAndBannedAsItsPrefix() throws IOException {
        JailBook book = book(sshd());
        List<Ban> bans = new ArrayList<>();
        for (int host = 1; host <= 5; host++) {
            Instant at = START.plusSeconds(host);
            bans.addAll(book.failure("sshd", failure("2001:db8:1:2::" + host, at), at));
        }
        assertThat(bans).singleElement().satisfies(ban -> {
            assertThat(ban.target()).isEqualTo(IpRange.parse("2001:db8:1:2::/64"));
            assertThat(ban.id()).isEqualTo("2001:db8:1:2::/64");
        });

        JailRules perAddress = new JailRules("sshd", 5, Duration.ofMinutes(10), Duration.ofMinutes(10), IpSet.empty(), Increment.DISABLED, 128,
                List.of());
        JailBook exact = book(perAddress);
        for (int host = 1; host <= 5; host++) {
            Instant at = START.plusSeconds(host);
            assertThat(exact.failure("sshd", failure("2001:db8:1:2::" + host, at), at)).isEmpty();
        }
    }

    @Test
    void theIpv6PrefixOfAnAddressIsItsNetworkOfThatLength() {
        IpAddress address = IpAddress.parse("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
        for (int length : new int[] {1, 32, 48, 56, 63, 64, 65, 96, 127}) {
            assertThat(Offender.ipv6Prefix(address, length)).as("/" + length).isEqualTo(IpRange.parse(address + "/" + length));
        }
    }

    @Test
    void aPrefixHoldingAnIgnoredAddressIsNotBannedWholeButPerAddress() throws IOException {
        JailRules rules = new JailRules("sshd", 2, Duration.ofMinutes(10), Duration.ofMinutes(10), IpSet.of("2001:db8:1:2::1"),
                Increment.DISABLED, 64, List.of());
        JailBook book = book(rules);

        assertThat(fail(book, "sshd", "2001:db8:1:2::1", START, 3, Duration.ofSeconds(1))).isEmpty();
        assertThat(book.failure("sshd", failure("2001:db8:1:2::5", START), START)).isEmpty();
        assertThat(book.failure("sshd", failure("2001:db8:1:2::6", START), START)).as("counted apart from ::5").isEmpty();
        assertThat(book.failure("sshd", failure("2001:db8:1:2::5", START), START)).singleElement()
                .satisfies(ban -> assertThat(ban.target()).isEqualTo(IpRange.parse("2001:db8:1:2::5")));
    }

    @Test
    void aPermanentBanHasNoExpiryIsNeverIncrementedOrProlonged() throws IOException {
        JailBook book = book(rules("sshd", null, DOUBLING));

        Ban ban = banOnce(book, "sshd", "192.0.2.7", START).getFirst();
        assertThat(ban.permanent()).isTrue();
        assertThat(ban.expiresAt()).isNull();
        assertThat(ban.reason()).contains("(permanent)");
        assertThat(fail(book, "sshd", "192.0.2.7", START.plus(Duration.ofDays(30)), 10, Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void aFailureIdThatIsNoAddressIsBannedButCannotBeEnforced() throws IOException {
        JailBook book = book(sshd());

        Ban ban = fail(book, "sshd", "root", START, 5, Duration.ofSeconds(1)).getFirst();

        assertThat(ban.enforceable()).isFalse();
        assertThat(ban.target()).isNull();
        assertThat(ban.id()).isEqualTo("root");
        assertThat(ban.offender()).isEqualTo("root");
        assertThat(book.banCount("sshd", "root", START)).isEqualTo(1);
    }

    @Test
    void banCountsSurviveARestartInTheirSqliteFile() throws IOException {
        Path file = directory.resolve("jails.db");
        Instant second;
        try (SqliteBanCounts counts = SqliteBanCounts.open(file)) {
            JailBook book = book(counts, null, rules("sshd", Duration.ofMinutes(10), DOUBLING));
            Ban first = banOnce(book, "sshd", "192.0.2.7", START).getFirst();
            second = first.expiresAt().plusSeconds(1);
        }
        try (SqliteBanCounts counts = SqliteBanCounts.open(file)) {
            JailBook restarted = book(counts, null, rules("sshd", Duration.ofMinutes(10), DOUBLING));
            Ban again = banOnce(restarted, "sshd", "192.0.2.7", second).getFirst();
            assertThat(again.banCount()).isEqualTo(2);
            assertThat(again.banTime()).isEqualTo(Duration.ofMinutes(20));
        }
        try (SqliteBanCounts counts = SqliteBanCounts.open(file)) {
            assertThat(counts.load()).singleElement().satisfies(count -> {
                assertThat(count.jail()).isEqualTo("sshd");
                assertThat(count.offender()).isEqualTo("192.0.2.7");
                assertThat(count.count()).isEqualTo(2);
                assertThat(count.banTime()).isEqualTo(Duration.ofMinutes(20));
            });
        }
    }

    @Test
    void failuresNotYetBannedAreCountedOnAfterACleanRestartInTheirSqliteFile() throws IOException {
        Path file = directory.resolve("jails.db");
        JailRules nginx = rules("nginx", Duration.ofMinutes(10), Increment.DISABLED);
        try (SqliteBanCounts counts = SqliteBanCounts.open(file)) {
            JailBook book = book(counts, null, sshd(), nginx);
            fail(book, "sshd", "192.0.2.7", START, 4, Duration.ofSeconds(10));
            // a line with a quote, a backslash and a newline of its own: kept as it was
            book.failure("nginx", new Failure("198.51.100.9", START, List.of("GET /a\"b\\c\nd")), START);
            fail(book, "sshd", "192.0.2.8", START.minus(Duration.ofMinutes(20)), 1, Duration.ZERO);
            assertThat(book.keepPending(START.plusSeconds(40))).as("the aged one is not kept").isEqualTo(2);
        }
        try (SqliteBanCounts counts = SqliteBanCounts.open(file)) {
            JailBook restarted = book(counts, null, sshd());
            assertThat(restarted.restorePending(START.plusSeconds(60))).as("nginx is no longer configured").isEqualTo(1);
            assertThat(restarted.pendingFailures("sshd", "192.0.2.7", START.plusSeconds(60))).isEqualTo(4);

            List<Ban> bans = restarted.failure("sshd", failure("192.0.2.7", START.plusSeconds(60)), START.plusSeconds(60));

            assertThat(bans).singleElement().satisfies(ban -> {
                assertThat(ban.failures()).as("the four before the restart and the one after").isEqualTo(5);
                assertThat(ban.firstFailure()).isEqualTo(START);
                assertThat(ban.lines()).hasSize(5);
            });
            assertThat(counts.takePending()).as("taken once: a crash after the start does not bring them back").isEmpty();
        }
        try (SqliteBanCounts counts = SqliteBanCounts.open(file)) {
            counts.putPending(List.of(new PendingFailures("nginx", "198.51.100.9", 1, 2, 1, List.of("GET /a\"b\\c\nd"))));
        }
        try (SqliteBanCounts counts = SqliteBanCounts.open(file)) {
            assertThat(counts.takePending()).containsExactly(new PendingFailures("nginx", "198.51.100.9", 1, 2, 1, List.of("GET /a\"b\\c\nd")));
        }
    }

    @Test
    void pendingFailuresOlderThanFindtimeAtTheStartAreNotTakenUp() throws IOException {
        MemoryBanCounts counts = new MemoryBanCounts();
        JailBook book = book(counts, null, sshd());
        fail(book, "sshd", "192.0.2.7", START, 2, Duration.ofSeconds(10));
        book.keepPending(START.plusSeconds(10));

        JailBook later = book(counts, null, sshd());
        assertThat(later.restorePending(START.plus(Duration.ofMinutes(11)))).isZero();
        assertThat(later.summaries(START.plus(Duration.ofMinutes(11))).getFirst().failing()).isZero();
    }

    @Test
    void aBanCountIsForgottenThreeBanTimesAndForgetAfterAfterTheBan() throws IOException {
        MemoryBanCounts counts = new MemoryBanCounts();
        JailBook book = book(counts, null, rules("sshd", Duration.ofMinutes(10), DOUBLING));
        Ban first = banOnce(book, "sshd", "192.0.2.7", START).getFirst();
        Instant remembered = first.at().plus(Duration.ofMinutes(30)).plus(Duration.ofDays(1));

        assertThat(book.banCount("sshd", "192.0.2.7", remembered)).isEqualTo(1);
        assertThat(book.banCount("sshd", "192.0.2.7", remembered.plusSeconds(1))).isZero();
        Ban afresh = banOnce(book, "sshd", "192.0.2.7", remembered.plusSeconds(1)).getFirst();
        assertThat(afresh.banCount()).isEqualTo(1);
        assertThat(afresh.banTime()).isEqualTo(Duration.ofMinutes(10));

        book.sweep(afresh.at().plus(Duration.ofDays(2)));
        assertThat(counts.load()).as("the sweep removes it from the store").isEmpty();
    }

    @Test
    void timesFromTheLogAreTakenAsFail2bansFilterTakesThem() throws IOException {
        JailBook live = book(sshd());
        // read as written, an hour-old time (a wrong time zone) counts as now
        for (int index = 0; index < 4; index++) {
            live.failure("sshd", failure("192.0.2.7", START.minus(Duration.ofHours(1))), START.plusSeconds(index));
        }
        Ban ban = live.failure("sshd", failure("192.0.2.7", START.plus(Duration.ofHours(5))), START.plusSeconds(4)).getFirst();
        assertThat(ban.at()).as("a future time is now").isEqualTo(START.plusSeconds(4));

        JailBook backlog = book(sshd());
        Instant now = START.plus(Duration.ofHours(1));
        for (int index = 0; index < 10; index++) {
            assertThat(backlog.backlogFailure("sshd", failure("192.0.2.8", START.plusSeconds(index)), now)).as("older than findtime").isEmpty();
        }
        List<Ban> recent = new ArrayList<>();
        for (int index = 0; index < 5; index++) {
            recent.addAll(backlog.backlogFailure("sshd", failure("192.0.2.8", now.minus(Duration.ofMinutes(5)).plusSeconds(index)), now));
        }
        assertThat(recent).singleElement().satisfies(made -> assertThat(made.at()).isEqualTo(now.minus(Duration.ofMinutes(5)).plusSeconds(4)));
    }

    @Test
    void aBanThatWouldAlreadyHaveEndedIsNotMade() throws IOException {
        JailBook book = book(rules("sshd", Duration.ofMinutes(1), Increment.DISABLED));
        Instant now = START.plus(Duration.ofMinutes(5));
        List<Ban> bans = new ArrayList<>();
        for (int index = 0; index < 5; index++) {
            bans.addAll(book.backlogFailure("sshd", failure("192.0.2.7", START.plusSeconds(index)), now));
        }
        assertThat(bans).isEmpty();
    }

    @Test
    void aRestoredBanIsProlongedNotMadeAgain() throws IOException {
        JailBook book = book(sshd());
        book.restore("sshd", IpRange.parse("192.0.2.7"), START.plus(Duration.ofMinutes(5)));
        book.restore("gone", IpRange.parse("192.0.2.8"), START.plus(Duration.ofMinutes(5)));

        assertThat(fail(book, "sshd", "192.0.2.7", START, 5, Duration.ofSeconds(1))).singleElement()
                .satisfies(ban -> assertThat(ban.kind()).isEqualTo(Ban.Kind.PROLONGED));
    }

    @Test
    void anUnknownJailIsAnErrorNamingTheJails() throws IOException {
        JailBook book = book(sshd());
        assertThatThrownBy(() -> book.failure("ssh", failure("192.0.2.7", START), START))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no jail named 'ssh'; the jails are [sshd]");
    }

    @Test
    void aLongOrControlCharacterLineIsBoundedInTheReason() throws IOException {
        JailRules once = new JailRules("web", 1, Duration.ofMinutes(10), Duration.ofMinutes(10), IpSet.empty(), Increment.DISABLED, 64, List.of());
        JailBook book = book(once);
        Ban ban = book.failure("web", new Failure("192.0.2.7", START, List.of("GET /" + "a".repeat(1000) + "\u001b[31m")), START).getFirst();

        assertThat(ban.reason()).hasSize(Ban.REASON_LIMIT).startsWith("1 failure in 0s (10m): GET /aaa").endsWith("...");
        Ban control = book.failure("web", new Failure("192.0.2.8", START, List.of("bad\u001b[31mline\ttab")), START).getFirst();
        assertThat(control.reason()).isEqualTo("1 failure in 0s (10m): bad [31mline tab");
    }

    @Test
    void summariesCountFailingOffendersBansInForceAndTotalsSinceTheStart() throws IOException {
        JailBook book = book(sshd(), rules("nginx", Duration.ofMinutes(10), Increment.DISABLED));

        banOnce(book, "sshd", "192.0.2.7", START);
        fail(book, "sshd", "192.0.2.8", START, 2, Duration.ofSeconds(1));
        fail(book, "nginx", "198.51.100.1", START, 1, Duration.ZERO);

        assertThat(book.summaries(START.plusSeconds(10))).containsExactly(
                new JailBook.Summary("sshd", 1, 1, 7, 1, 0),
                new JailBook.Summary("nginx", 1, 0, 1, 0, 0));
        // findtime (10 minutes) later the failing offenders are aged; the ban (10 minutes from its last failure at +4 s) has ended
        assertThat(book.summaries(START.plus(Duration.ofMinutes(11)))).containsExactly(
                new JailBook.Summary("sshd", 0, 0, 7, 1, 0),
                new JailBook.Summary("nginx", 0, 0, 1, 0, 0));
    }

    @Test
    void aDistributedAttackOfMoreOffendersThanTheBoundForgetsTheLeastRecentlyFailing() throws IOException {
        JailRules rules = rules("sshd", Duration.ofMinutes(10), Increment.DISABLED);
        JailBook book = book(rules);
        // the first offender fails, then the bound's worth of others, each once; then the first again
        Instant at = START;
        book.failure("sshd", failure("10.0.0.1", at), at);
        for (int index = 0; index < JailBook.MAX_OFFENDERS; index++) {
            String address = "10." + (1 + (index >> 16)) + "." + (index >> 8 & 255) + "." + (index & 255);
            book.failure("sshd", failure(address, at), at);
        }

        JailBook.Summary summary = book.summaries(at).get(0);
        assertThat(summary.failing()).isEqualTo(JailBook.MAX_OFFENDERS);
        assertThat(summary.forgotten()).isEqualTo(1);
        // the one forgotten was the first, whose only failure was the oldest: its count starts again
        assertThat(book.pendingFailures("sshd", "10.0.0.1", at)).isZero();
        assertThat(book.pendingFailures("sshd", "10.1.0.1", at)).isEqualTo(1);

        // an offender that fails again moves to the back: it is not the next forgotten
        book.failure("sshd", failure("10.1.0.2", at), at);
        book.failure("sshd", failure("192.0.2.1", at), at);
        assertThat(book.pendingFailures("sshd", "10.1.0.2", at)).isEqualTo(2);
        assertThat(book.pendingFailures("sshd", "10.1.0.0", at)).isZero();
        assertThat(book.summaries(at).get(0).forgotten()).isEqualTo(2);
    }

    @Test
    void offendersWhoseFailuresAgedMakeRoomBeforeAnyLiveOneIsForgotten() throws IOException {
        JailRules rules = new JailRules("sshd", 5, Duration.ofSeconds(30), Duration.ofMinutes(10), IpSet.empty(), Increment.DISABLED, 64,
                List.of("bruteforce"));
        JailBook book = book(rules);
        for (int index = 0; index < JailBook.MAX_OFFENDERS; index++) {
            String address = "10." + (1 + (index >> 16)) + "." + (index >> 8 & 255) + "." + (index & 255);
            book.failure("sshd", failure(address, START), START);
        }
        // 45 seconds on, before the next sweep (a minute after the first), findtime (30 s) has passed for them all
        Instant aged = START.plusSeconds(45);
        book.failure("sshd", failure("192.0.2.1", aged), aged);

        JailBook.Summary summary = book.summaries(aged).get(0);
        assertThat(summary.forgotten()).isZero();
        assertThat(summary.failing()).isEqualTo(1);
        assertThat(book.pendingFailures("sshd", "192.0.2.1", aged)).isEqualTo(1);
    }
}
