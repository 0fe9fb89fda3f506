package dev.bulwark.enforce;

/** What to install or do when a program or kernel feature is missing. */
public final class Tools {
    private Tools() {
    }

    public static String installHint(String program) {
        String name = program.substring(program.lastIndexOf('/') + 1);
        if (name.startsWith("nft")) {
            return "install the nftables package, e.g. apt-get install nftables";
        }
        if (name.startsWith("ipset")) {
            return "install the ipset package, e.g. apt-get install ipset";
        }
        if (name.startsWith("ip6tables") || name.startsWith("iptables")) {
            return "install the iptables package, e.g. apt-get install iptables";
        }
        if (name.equals("ip") || name.equals("ss")) {
            return "install the iproute2 package, e.g. apt-get install iproute2";
        }
        return "install " + name;
    }

    /**
     * A sentence for a program's failure when its message points at a missing privilege or kernel
     * feature, else null.
     */
    public static String diagnose(String program, String message) {
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("operation not permitted") || lower.contains("permission denied")
                || lower.contains("you must be root") || lower.contains("must be run as root")) {
            return program + " needs root or CAP_NET_ADMIN: run bulwark as root, or pass --dry-run to see what it would do";
        }
        if (lower.contains("operation not supported") || lower.contains("protocol not supported")
                || lower.contains("kernel error received: ipset protocol error") || lower.contains("cannot open session to kernel")
                || lower.contains("can't initialize") || lower.contains("module is not loaded")) {
            return program + " reports missing kernel support: load the modules ("
                    + (program.startsWith("nft") ? "modprobe nf_tables nft_set_hash nft_set_rbtree" : "modprobe ip_set ip_set_hash_net xt_set")
                    + ") or use a kernel built with them";
        }
        return null;
    }

    /** The first line of a program's message: nft follows it with the offending script line and carets. */
    public static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
