package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bulwark compile} on feeds served over HTTP by a real server on loopback. */
class CompileFromUrlTest {
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void startServer() throws IOException {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            gzip.write("# scanners\n203.0.113.0/25\n203.0.113.128/25\n198.51.100.7\n".getBytes(StandardCharsets.US_ASCII));
        }
        byte[] body = gzipped.toByteArray();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/list.txt", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream output = exchange.getResponseBody()) {
                output.write(body);
            }
        });
        server.createContext("/gone.txt", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
    }

    @Test
    void compilesAGzippedFeedFromAUrlWithoutShowingItsKey() {
        CommandRun run = CommandRun.of("compile", base + "/list.txt?api_key=SECRET123&limit=5");
        assertThat(run.code()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("198.51.100.7\n203.0.113.0/24\n");
        assertThat(run.stderr()).contains("feed " + base + "/list.txt?api_key=***&limit=5 (text): 3 read, 3 accepted")
                .doesNotContain("SECRET123");
    }

    @Test
    void aFailedFetchFailsTheRunWithoutShowingTheKey() {
        CommandRun run = CommandRun.of("compile", base + "/list.txt", base + "/gone.txt?token=SECRET123");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr()).contains("HTTP status 404", "token=***", "nothing written").doesNotContain("SECRET123");
    }
}
