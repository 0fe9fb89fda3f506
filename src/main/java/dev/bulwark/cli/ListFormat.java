package dev.bulwark.cli;

import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpSet;
import dev.bulwark.ip.PrefixWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How a compiled list is written. {@code plain}: one prefix a line. {@code nft}: a script for
 * {@code nft -f} that loads the sets {@code v4} and {@code v6} of table {@code inet bulwark} in
 * one transaction. {@code ipset}: a script for {@code ipset restore} that fills fresh sets and
 * swaps them for {@code bulwark-v4} and {@code bulwark-v6}. {@code json}: two arrays.
 */
public enum ListFormat {
    PLAIN,
    NFT,
    IPSET,
    JSON;

    static final String NFT_TABLE = "bulwark";
    static final String IPSET_PREFIX = "bulwark-";
    /** Fixed, so that {@code create -exist} sees the same parameters on every load; ipset allocates by use, not by maxelem. */
    static final int IPSET_MAX_ELEMENTS = 1 << 24;
    private static final int NFT_ELEMENTS_PER_LINE = 1000;

    public static ListFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown output format '" + name + "': use plain, nft, ipset or json");
        }
    }

    /** How many prefixes of each family were written. */
    public record Written(long ipv4, long ipv6) {
    }

    /** Writes the set; returns the prefix counts, so that a summary need not decompose the set again. */
    public Written write(IpSet set, OutputStream output) throws IOException {
        PrefixWriter out = new PrefixWriter(output);
        switch (this) {
            case PLAIN -> {
                writePrefixes(set, IpFamily.IPV4, out, "", "\n", 0);
                writePrefixes(set, IpFamily.IPV6, out, "", "\n", 0);
            }
            case NFT -> writeNft(set, out);
            case IPSET -> writeIpset(set, out);
            case JSON -> writeJson(set, out);
        }
        out.flush();
        return new Written(out.written(IpFamily.IPV4), out.written(IpFamily.IPV6));
    }

    private static void writeNft(IpSet set, PrefixWriter out) throws IOException {
        out.text("#!/usr/sbin/nft -f\n# Bulwark blocklist: load with nft -f FILE (one atomic transaction)\n");
        out.text("table inet " + NFT_TABLE + " {\n"
                + "\tset v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n"
                + "\tset v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n"
                + "}\n");
        for (IpFamily family : IpFamily.values()) {
            String name = family == IpFamily.IPV4 ? "v4" : "v6";
            out.text("flush set inet " + NFT_TABLE + " " + name + "\n");
            if (set.rangeCount(family) > 0) {
                String head = "add element inet " + NFT_TABLE + " " + name + " { ";
                writePrefixes(set, family, out, head, " }\n", NFT_ELEMENTS_PER_LINE);
            }
        }
    }

    private static void writeIpset(IpSet set, PrefixWriter out) throws IOException {
        for (IpFamily family : IpFamily.values()) {
            String name = IPSET_PREFIX + (family == IpFamily.IPV4 ? "v4" : "v6");
            String fresh = name + "-new";
            String options = " hash:net family " + (family == IpFamily.IPV4 ? "inet" : "inet6")
                    + " maxelem " + IPSET_MAX_ELEMENTS + " -exist\n";
            out.text("create " + name + options);
            out.text("create " + fresh + options);
            out.text("flush " + fresh + "\n");
            int bits = family.bits();
            byte[] head = ("add " + fresh + " ").getBytes(StandardCharsets.US_ASCII);
            set.forEachPrefix(family, (high, low, length) -> {
                if (length == 0) {
                    // hash:net takes prefixes of 1 to 32 (128) bits: write /0 as its two halves
                    out.line(head, family, high, low, 1);
                    out.line(head, family, family == IpFamily.IPV4 ? 0 : 1L << 63, family == IpFamily.IPV4 ? 1L << (bits - 1) : 0, 1);
                    return;
                }
                out.line(head, family, high, low, length);
            });
            out.text("swap " + fresh + " " + name + "\n");
            out.text("destroy " + fresh + "\n");
        }
    }

    private static void writeJson(IpSet set, PrefixWriter out) throws IOException {
        out.text("{\"ipv4\":[");
        writePrefixes(set, IpFamily.IPV4, out, "\"", "\"", -1);
        out.text("],\"ipv6\":[");
        writePrefixes(set, IpFamily.IPV6, out, "\"", "\"", -1);
        out.text("]}\n");
    }

    /**
     * Writes each prefix between {@code before} and {@code after}. {@code perLine} 0: each on its
     * own; -1: all comma-separated; n: comma-separated groups of n, each group wrapped.
     */
    private static void writePrefixes(IpSet set, IpFamily family, PrefixWriter out, String before, String after, int perLine) throws IOException {
        byte[] open = before.getBytes(StandardCharsets.US_ASCII);
        byte[] close = after.getBytes(StandardCharsets.US_ASCII);
        long[] written = new long[1];
        set.forEachPrefix(family, (high, low, length) -> {
            if (perLine == 0) {
                out.line(open, family, high, low, length, close);
                return;
            }
            if (perLine < 0) {
                if (written[0]++ > 0) {
                    out.bytes(COMMA);
                }
                out.line(open, family, high, low, length, close);
                return;
            }
            long position = written[0]++ % perLine;
            if (position == 0 && written[0] > 1) {
                out.bytes(close);
            }
            out.bytes(position == 0 ? open : COMMA_SPACE);
            out.prefix(family, high, low, length);
        });
        if (perLine > 0 && written[0] > 0) {
            out.bytes(close);
        }
    }

    private static final byte[] COMMA = {','};
    private static final byte[] COMMA_SPACE = {',', ' '};
}
