package dev.bulwark.feed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * A real HTTP server on 127.0.0.1 at a free port, serving what a test sets up. One thread per
 * exchange, so that a deliberately slow endpoint holds up no other.
 */
final class LocalFeedServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService handlers;

    LocalFeedServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        handlers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "local-feed-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(handlers);
    }

    LocalFeedServer start() {
        server.start();
        return this;
    }

    /** Answers {@code path} with a status, a body and header name-value pairs. */
    LocalFeedServer serve(String path, int status, byte[] body, String... headers) {
        return handle(path, exchange -> respond(exchange, status, body, headers));
    }

    LocalFeedServer handle(String path, HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    /** The base URL, {@code http://127.0.0.1:PORT}. */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }

    static void respond(HttpExchange exchange, int status, byte[] body, String... headers) throws IOException {
        for (int index = 0; index < headers.length; index += 2) {
            exchange.getResponseHeaders().add(headers[index], headers[index + 1]);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream output = exchange.getResponseBody()) {
            output.write(body);
        }
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream output = new GZIPOutputStream(bytes)) {
            output.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
