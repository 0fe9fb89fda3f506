package dev.bulwark.api;

import dev.bulwark.api.ApiServer.ApiError;
import dev.bulwark.decision.StoreException;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/ip/{address}} on Jetty's core API, in front of Javalin's servlet: the lookup is
 * the hot path, and the servlet layer (request wrappers, sessions, Javalin's context, response
 * compression) cost more than the lookup itself. Same rules, same JSON, same errors as the other
 * routes.
 *
 * <p>The handler declares itself non-blocking, so Jetty runs lookups on the thread that read
 * the request, without a hand-off (docs/BENCHMARKS.md). That holds only because
 * {@link DaemonView#explain} without history answers from memory: it must never wait for the
 * store or a lock held for long, or every connection waits with it. Every other request is
 * handed to a virtual thread and goes on to Javalin there, as Jetty's QoSHandler resumes requests.
 */
final class LookupHandler extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(LookupHandler.class);
    private static final String PREFIX = "/v1/ip/";
    private static final String ENDPOINT = "/v1/ip";
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, ApiServer.JSON);

    private final ApiServer server;
    private final Executor blocking;

    LookupHandler(ApiServer server, Executor blocking) {
        this.server = server;
        this.blocking = blocking;
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /** Javalin's routes may block (a ban waits for the store): they run on a virtual thread. */
    private boolean dispatch(Request request, Response response, Callback callback) {
        blocking.execute(() -> {
            try {
                if (!super.handle(request, response, callback)) {
                    Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable e) {
                Response.writeError(request, response, callback, e);
            }
        });
        return true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (path == null || !path.startsWith(PREFIX) || !"GET".equals(request.getMethod())) {
            return dispatch(request, response, callback);
        }
        int end = path.length() - (path.endsWith("/") ? 1 : 0);
        String address = path.substring(PREFIX.length(), Math.max(PREFIX.length(), end));
        if (address.indexOf('/') >= 0) {
            return dispatch(request, response, callback);
        }
        int status = 200;
        byte[] body;
        try {
            HttpFields headers = request.getHeaders();
            server.authenticate(headers.get(HttpHeader.AUTHORIZATION), headers.get("X-API-Key"), "GET", ENDPOINT,
                    Request.getRemoteAddr(request));
            body = server.lookup(address.indexOf('%') >= 0 ? URIUtil.decodePath(address) : address);
        } catch (ApiError e) {
            status = e.status;
            body = ApiJson.error(e.getMessage());
        } catch (StoreException e) {
            LOG.warn("API GET {}: the store failed: {}", path, e.getMessage());
            status = 503;
            body = ApiJson.error("the decision store failed: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("API GET {} failed", path, e);
            status = 500;
            body = ApiJson.error("internal error: " + e);
        }
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(JSON_TYPE);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
