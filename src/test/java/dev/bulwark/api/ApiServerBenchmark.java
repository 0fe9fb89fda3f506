package dev.bulwark.api;

import dev.bulwark.decision.Action;
import dev.bulwark.decision.Decision;
import dev.bulwark.ip.IpAddress;
import dev.bulwark.ip.IpFamily;
import dev.bulwark.ip.IpRange;
import dev.bulwark.ip.IpSet;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The lookup hot path under load: starts the API on loopback with a view that answers from a
 * real {@link IpSet} of 1,000,000 random /32s, prints the port and an address of each kind, and
 * serves until killed. Drive it with wrk (see docs/BENCHMARKS.md):
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) dev.bulwark.api.ApiServerBenchmark 8751
 * wrk -t2 -c64 -d15s --latency http://127.0.0.1:8751/v1/ip/ADDRESS
 * </pre>
 *
 * With {@code 8751 bare}, a bare Jetty handler instead, for scale.
 */
public final class ApiServerBenchmark {
    private ApiServerBenchmark() {
    }

    public static void main(String[] arguments) throws Exception {
        int port = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 8751;
        if (arguments.length > 1 && arguments[1].equals("bare")) {
            bare(port);
            return;
        }
        int count = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 1_000_000;
        SplittableRandom random = new SplittableRandom(42);
        IpSet.Builder builder = IpSet.builder();
        long first = -1;
        for (int i = 0; i < count; i++) {
            long value = random.nextLong(1L << 32);
            builder.addIpv4(value, value);
            if (first < 0) {
                first = value;
            }
        }
        IpSet blocked = builder.build();
        long absent = random.nextLong(1L << 32);
        while (blocked.containsIpv4(absent)) {
            absent = random.nextLong(1L << 32);
        }
        ApiServer server = new ApiServer(new SetView(blocked), List.of(), IpSet.empty());
        server.start("127.0.0.1", port);
        System.out.println("listening on 127.0.0.1:" + server.port() + " with " + blocked.rangeCount(IpFamily.IPV4) + " ranges");
        System.out.println("blocked:     /v1/ip/" + IpAddress.ipv4(first));
        System.out.println("not blocked: /v1/ip/" + IpAddress.ipv4(absent));
        Thread.currentThread().join();
    }

    /**
     * For scale: a bare Jetty core handler on a platform-thread pool that writes the not-blocked
     * answer for every request, the floor for any server on this machine with wrk beside it.
     */
    private static void bare(int port) throws Exception {
        byte[] body = ApiJson.lookup(new Explanation(IpAddress.parse("18.172.63.251"), false, null, Decision.NO_SCORE, null,
                List.of(), null, null, List.of(), List.of()));
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiServer.JSON);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        server.start();
        System.out.println("bare Jetty listening on 127.0.0.1:" + port + ", " + body.length + " bytes for every request");
        server.join();
    }

    /** A daemon whose only decisions are one feed's /32s. */
    private static final class SetView implements DaemonView {
        private static final Instant SEEN = Instant.parse("2026-11-23T10:00:00Z");
        private static final Instant EXPIRES = Instant.parse("2026-11-24T10:00:00Z");
        private static final List<String> CATEGORIES = List.of("scan");
        private static final List<String> ENFORCERS = List.of("nftables");

        private final IpSet blocked;

        SetView(IpSet blocked) {
            this.blocked = blocked;
        }

        @Override
        public Explanation explain(IpAddress address, boolean withHistory) {
            if (!blocked.contains(address)) {
                return new Explanation(address, false, null, Decision.NO_SCORE, null, List.of(), null, null, List.of(), List.of());
            }
            Decision decision = new Decision("bench-feed", new IpRange(address, address), Action.BLOCK, 80, CATEGORIES, "in the feed",
                    SEEN, SEEN, EXPIRES);
            return new Explanation(address, true, Action.BLOCK, 80, EXPIRES, List.of(decision), null, null, ENFORCERS, List.of());
        }

        @Override
        public List<Decision> decisions(String origin, int limit) {
            return List.of();
        }

        @Override
        public Decision ban(IpRange target, java.time.Duration duration, String reason, int score, List<String> categories, String by) {
            throw new IllegalArgumentException("read-only benchmark");
        }

        @Override
        public boolean unban(IpRange target, String by) {
            return false;
        }

        @Override
        public Blocklist blocklist(IpFamily family, int minScore) {
            return new Blocklist("", "0", 0);
        }

        @Override
        public Status status() {
            return new Status("bench", SEEN, 1, blocked.rangeCount(IpFamily.IPV4), 0, 0, 0, List.of(), List.of(), List.of());
        }

        @Override
        public String metrics() {
            return "";
        }
    }
}
