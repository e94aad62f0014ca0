package io.backuprelay.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on loopback in front of Azurite that injects storage faults: for a while, every
 * request gets the given status and Azure error code instead of reaching the emulator. Requests keep
 * their path, query and headers, so Shared Key signatures stay valid through it.
 */
public final class FaultProxy implements Closeable {

    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    private final HttpServer server;
    private final URI target;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger faulted = new AtomicInteger();
    private volatile Fault fault;

    private record Fault(int status, String errorCode, long untilNanos) {
    }

    private FaultProxy(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** @param blobEndpoint where to forward, e.g. Azurite's {@code http://127.0.0.1:10000/devstoreaccount1} */
    public static FaultProxy start(String blobEndpoint) {
        try {
            URI uri = URI.create(blobEndpoint);
            return new FaultProxy(URI.create(uri.getScheme() + "://" + uri.getAuthority()));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the fault proxy", e);
        }
    }

    /** The blob endpoint to give a connection: the proxy's address with the target endpoint's path. */
    public String endpointFor(String blobEndpoint) {
        URI uri = URI.create(blobEndpoint);
        return "http://127.0.0.1:" + server.getAddress().getPort() + uri.getRawPath();
    }

    /** Every request, for {@code duration}, gets {@code status} with {@code x-ms-error-code: errorCode}. */
    public void failFor(Duration duration, int status, String errorCode) {
        fault = new Fault(status, errorCode, System.nanoTime() + duration.toNanos());
    }

    public void heal() {
        fault = null;
    }

    public int forwardedRequests() {
        return forwarded.get();
    }

    public int faultedRequests() {
        return faulted.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Fault now = fault;
            if (now != null && System.nanoTime() < now.untilNanos()) {
                faulted.incrementAndGet();
                exchange.getResponseHeaders().add("x-ms-error-code", now.errorCode());
                byte[] error = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + now.errorCode()
                        + "</Code><Message>injected by the fault proxy</Message></Error>").getBytes();
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
                if ("HEAD".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(now.status(), -1);
                } else {
                    exchange.sendResponseHeaders(now.status(), error.length);
                    exchange.getResponseBody().write(error);
                }
                return;
            }
            forward(exchange, body);
        }
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException {
        forwarded.incrementAndGet();
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(60))
                .method(exchange.getRequestMethod(), body.length == 0 && !"PUT".equals(exchange.getRequestMethod())
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        response.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.equals("transfer-encoding") && !lower.equals("connection")
                    && !(lower.equals("content-length") && !"HEAD".equals(exchange.getRequestMethod()))) {
                values.forEach(value -> exchange.getResponseHeaders().add(name, value));
            }
        });
        byte[] payload = response.body();
        boolean noBody = "HEAD".equals(exchange.getRequestMethod()) || payload.length == 0;
        exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : payload.length);
        if (!noBody) {
            exchange.getResponseBody().write(payload);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
    }

    /** The header names the proxy does not pass on (hop-by-hop, or set by the HTTP client itself). */
    static List<String> notForwarded() {
        return List.copyOf(NOT_FORWARDED);
    }
}
