package dev.bulwark.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The interval algebra against a brute-force reference: small universes of 96 addresses, one
 * bit each, placed where the arithmetic has its traps (the bottom and top of each family, and
 * the IPv6 boundary between the two 64-bit halves).
 */
class IpSetProperties {
    private static final int UNIVERSE = 96;
    private static final BigInteger TWO_TO_128 = BigInteger.ONE.shiftLeft(128);

    /** A universe: the family and its first address. */
    record Universe(IpFamily family, BigInteger base) {
        IpAddress address(int offset) {
            BigInteger value = base.add(BigInteger.valueOf(offset));
            return new IpAddress(family, value.shiftRight(64).longValue(), value.longValue());
        }

        IpRange range(int from, int to) {
            return new IpRange(address(from), address(to));
        }
    }

    record Case(Universe universe, List<int[]> left, List<int[]> right) {
        BitSet bits(List<int[]> ranges) {
            BitSet bits = new BitSet(UNIVERSE);
            for (int[] range : ranges) {
                bits.set(range[0], range[1] + 1);
            }
            return bits;
        }

        IpSet set(List<int[]> ranges) {
            List<IpRange> converted = new ArrayList<>();
            for (int[] range : ranges) {
                converted.add(universe.range(range[0], range[1]));
            }
            return IpSet.of(converted);
        }
    }

    @Property(tries = 1000)
    void buildHoldsExactlyTheAddedAddresses(@ForAll("cases") Case c) {
        assertMatches(c.universe(), c.set(c.left()), c.bits(c.left()));
    }

    @Property(tries = 1000)
    void union(@ForAll("cases") Case c) {
        BitSet expected = c.bits(c.left());
        expected.or(c.bits(c.right()));
        assertMatches(c.universe(), c.set(c.left()).union(c.set(c.right())), expected);
    }

    @Property(tries = 1000)
    void difference(@ForAll("cases") Case c) {
        BitSet expected = c.bits(c.left());
        expected.andNot(c.bits(c.right()));
        assertMatches(c.universe(), c.set(c.left()).difference(c.set(c.right())), expected);
    }

    @Property(tries = 1000)
    void intersection(@ForAll("cases") Case c) {
        BitSet expected = c.bits(c.left());
        expected.and(c.bits(c.right()));
        assertMatches(c.universe(), c.set(c.left()).intersection(c.set(c.right())), expected);
    }

    /** A few ranges against many apart: the intersection searches the large side instead of sweeping it. */
    @Property(tries = 1000)
    void intersectionOfFewWithMany(@ForAll("fewAndMany") Case c) {
        BitSet expected = c.bits(c.left());
        expected.and(c.bits(c.right()));
        assertThat(c.set(c.left()).rangeCount(c.universe().family())).isGreaterThan(16 * c.right().size());
        assertMatches(c.universe(), c.set(c.left()).intersection(c.set(c.right())), expected);
        assertMatches(c.universe(), c.set(c.right()).intersection(c.set(c.left())), expected);
    }

    @Property(tries = 300)
    void resultsAreCanonical(@ForAll("cases") Case c) {
        // however a set was reached, equal contents mean equal sets
        IpSet viaAlgebra = c.set(c.left()).union(c.set(c.right())).difference(c.set(c.right())).union(c.set(c.right()));
        IpSet direct = c.set(c.left()).union(c.set(c.right()));
        assertThat(viaAlgebra).isEqualTo(direct);
        assertThat(viaAlgebra.hashCode()).isEqualTo(direct.hashCode());
    }

    private static void assertMatches(Universe universe, IpSet set, BitSet expected) {
        for (int offset = 0; offset < UNIVERSE; offset++) {
            assertThat(set.contains(universe.address(offset))).as("offset %d", offset).isEqualTo(expected.get(offset));
        }
        assertThat(set.size()).isEqualTo(BigInteger.valueOf(expected.cardinality()));
        assertMinimalExactCover(universe, set, expected);
        // the other family is untouched
        IpFamily other = universe.family() == IpFamily.IPV4 ? IpFamily.IPV6 : IpFamily.IPV4;
        assertThat(set.rangeCount(other)).isZero();
    }

    /**
     * The prefixes cover exactly the expected addresses, ascending, disjoint, and minimal: no two
     * of them are siblings that one shorter prefix could replace.
     */
    private static void assertMinimalExactCover(Universe universe, IpSet set, BitSet expected) {
        int bits = universe.family().bits();
        List<BigInteger[]> prefixes = new ArrayList<>();
        set.forEachPrefix(universe.family(), (high, low, length) ->
                prefixes.add(new BigInteger[] {U128.toBigInteger(high, low), BigInteger.valueOf(length)}));
        BitSet covered = new BitSet(UNIVERSE);
        BigInteger previousEnd = BigInteger.ONE.negate();
        for (BigInteger[] prefix : prefixes) {
            BigInteger start = prefix[0];
            int length = prefix[1].intValue();
            BigInteger blockSize = BigInteger.ONE.shiftLeft(bits - length);
            assertThat(start.mod(blockSize)).as("prefix aligned").isZero();
            assertThat(start).as("ascending and disjoint").isGreaterThan(previousEnd);
            BigInteger end = start.add(blockSize).subtract(BigInteger.ONE);
            previousEnd = end;
            BigInteger offsetStart = start.subtract(universe.base());
            BigInteger offsetEnd = end.subtract(universe.base());
            assertThat(offsetStart.signum()).as("inside the universe").isGreaterThanOrEqualTo(0);
            assertThat(offsetEnd).as("inside the universe").isLessThan(BigInteger.valueOf(UNIVERSE));
            covered.set(offsetStart.intValueExact(), offsetEnd.intValueExact() + 1);
        }
        assertThat(covered).isEqualTo(expected);
        for (int index = 1; index < prefixes.size(); index++) {
            BigInteger[] before = prefixes.get(index - 1);
            BigInteger[] after = prefixes.get(index);
            if (before[1].equals(after[1]) && before[1].intValue() > 0) {
                BigInteger parentSize = BigInteger.ONE.shiftLeft(bits - before[1].intValue() + 1);
                boolean siblings = before[0].divide(parentSize).equals(after[0].divide(parentSize));
                assertThat(siblings).as("siblings %s and %s should have merged", before[0], after[0]).isFalse();
            }
        }
    }

    private static Arbitrary<Universe> universes() {
        return Arbitraries.of(
                new Universe(IpFamily.IPV4, BigInteger.ZERO),
                new Universe(IpFamily.IPV4, BigInteger.valueOf(0x100000000L - UNIVERSE)),
                new Universe(IpFamily.IPV4, BigInteger.valueOf(0xC0000200L - 40)),
                new Universe(IpFamily.IPV6, BigInteger.ZERO.add(BigInteger.ONE.shiftLeft(112))),
                new Universe(IpFamily.IPV6, BigInteger.ONE.shiftLeft(64).subtract(BigInteger.valueOf(32))),
                new Universe(IpFamily.IPV6, TWO_TO_128.subtract(BigInteger.valueOf(UNIVERSE))));
    }

    @Provide
    Arbitrary<Case> fewAndMany() {
        // single addresses at even offsets never touch: 34 to 48 intervals against 0 to 2 ranges
        Arbitrary<List<int[]>> many = Arbitraries.integers().between(0, UNIVERSE / 2 - 1).set().ofMinSize(34).ofMaxSize(48)
                .map(halves -> halves.stream().map(half -> new int[] {2 * half, 2 * half}).toList());
        Arbitrary<int[]> range = Arbitraries.integers().between(0, UNIVERSE - 1).list().ofSize(2)
                .map(pair -> new int[] {Math.min(pair.get(0), pair.get(1)), Math.max(pair.get(0), pair.get(1))});
        return Combinators.combine(universes(), many, range.list().ofMinSize(0).ofMaxSize(2)).as(Case::new);
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Universe> universes = universes();
        Arbitrary<int[]> range = Arbitraries.integers().between(0, UNIVERSE - 1).list().ofSize(2)
                .map(pair -> new int[] {Math.min(pair.get(0), pair.get(1)), Math.max(pair.get(0), pair.get(1))});
        Arbitrary<int[]> shortRange = Arbitraries.integers().between(0, UNIVERSE - 1).flatMap(start ->
                Arbitraries.integers().between(start, Math.min(UNIVERSE - 1, start + 5)).map(end -> new int[] {start, end}));
        Arbitrary<int[]> anyRange = Arbitraries.oneOf(range, shortRange, shortRange);
        Arbitrary<List<int[]>> ranges = anyRange.list().ofMinSize(0).ofMaxSize(12);
        return Combinators.combine(universes, ranges, ranges).as(Case::new);
    }
}
