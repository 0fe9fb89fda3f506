package dev.bulwark.api;

import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpParser;
import dev.bulwark.ip.IpSet;

/**
 * Which requests need an API key. Writes always do; reads from loopback never do; other clients
 * need one for everything but {@code /healthz}, and but {@code /v1/blocklist} when they are in the
 * configured EDL networks (firewall appliances polling the list, which cannot send headers).
 */
final class Access {
    static final String HEALTH = "/healthz";
    static final String BLOCKLIST = "/v1/blocklist";

    private final IpSet edlNetworks;

    Access(IpSet edlNetworks) {
        this.edlNetworks = edlNetworks;
    }

    /** Whether a request needs a key; {@code client} is the peer's address, null when it is not one. */
    boolean needsKey(boolean write, String path, IpAddress client) {
        if (write) {
            return true;
        }
        if (path.equals(HEALTH) || client != null && isLoopback(client)) {
            return false;
        }
        return !(path.equals(BLOCKLIST) && client != null && edlNetworks.contains(client));
    }

    static boolean isWrite(String method) {
        return !method.equals("GET") && !method.equals("HEAD");
    }

    /** 127.0.0.0/8 and ::1 (an IPv4-mapped ::ffff:127.x.y.z is parsed as IPv4). */
    static boolean isLoopback(IpAddress address) {
        if (address.family() == IpFamily.IPV4) {
            return (address.low() >>> 24) == 127;
        }
        return address.high() == 0 && address.low() == 1;
    }

    /**
     * The peer's address as the servlet container gives it ({@code 127.0.0.1}, {@code [::1]},
     * {@code 0:0:0:0:0:0:0:1}, {@code fe80::1%eth0}), or null when it is none (a Unix socket).
     * Never a header: {@code X-Forwarded-For} is the client's to forge.
     */
    static IpAddress parseRemote(String remote) {
        if (remote == null) {
            return null;
        }
        int from = 0;
        int to = remote.length();
        if (to > 1 && remote.charAt(0) == '[' && remote.charAt(to - 1) == ']') {
            from = 1;
            to--;
        }
        int zone = remote.indexOf('%', from);
        if (zone >= 0 && zone < to) {
            to = zone;
        }
        IpParser parser = new IpParser();
        byte[] bytes = IpParser.ascii(remote);
        if (!parser.parseSingle(bytes, from, to)) {
            return null;
        }
        return new IpAddress(parser.family(), parser.firstHigh(), parser.firstLow());
    }
}
