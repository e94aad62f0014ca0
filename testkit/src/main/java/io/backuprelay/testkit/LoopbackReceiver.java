package io.backuprelay.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;

/**
 * Endpoints on 127.0.0.1 (the JDK's HTTP server) that record every request they get, answering each path with the
 * status its supplier gives at that moment (200 unless told) and a body ("ok" below 300, else "unavailable", unless
 * told): the webhook, Slack, Teams and heartbeat endpoints of the channel tests.
 */
public final class LoopbackReceiver implements AutoCloseable {

    /** One request as the endpoint got it. */
    public record Received(String method, Map<String, List<String>> headers, String body, Instant at, int answered) {

        /** The header's first value, whatever the case of its name; null when it was not sent. */
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final Map<String, List<Received>> received = new ConcurrentHashMap<>();
    private final Map<String, IntSupplier> statuses = new ConcurrentHashMap<>();
    private final Map<String, String> bodies = new ConcurrentHashMap<>();

    public LoopbackReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}, the origin a test's policy allows. */
    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String url(String path) {
        return origin() + path;
    }

    /** What the path answers from now on: the status its supplier gives at each request. */
    public void answer(String path, IntSupplier status) {
        statuses.put(path, status);
    }

    /** The same, with this body (none for a 204). */
    public void answer(String path, IntSupplier status, String body) {
        statuses.put(path, status);
        bodies.put(path, body);
    }

    /** The requests the path got so far, in order. */
    public List<Received> at(String path) {
        return List.copyOf(received.getOrDefault(path, List.of()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int status = statuses.getOrDefault(path, () -> 200).getAsInt();
        Map<String, List<String>> headers = new ConcurrentHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, new ArrayList<>(values)));
        received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>())
                .add(new Received(exchange.getRequestMethod(), headers, body, Instant.now(), status));
        byte[] answer = bodies.getOrDefault(path, status < 300 ? "ok" : "unavailable").getBytes(StandardCharsets.UTF_8);
        if (status == 204 || answer.length == 0) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
