package io.backuprelay.common.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthBody;
import io.backuprelay.common.json.Json;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The operational endpoints of a service: {@code /health/live} (503 when a component is dead),
 * {@code /health/ready} (503 while a component cannot work), each naming every component and its
 * state in the body, and {@code /metrics} in the Prometheus format. What they answer is decided here;
 * a {@link Server} carries it: the JDK's HTTP server in each service's jar, the standalone's own Jetty
 * (which costs no platform thread) in the standalone.
 */
public final class ServiceEndpoints {

    /** What a GET of one of the paths answers. */
    public record Answer(int status, String type, String body) {

        public byte[] bytes() {
            return body.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** What serves the endpoints' answers on a host and port. */
    @FunctionalInterface
    public interface Server {

        /** @param port 0 picks a free one; {@code answers} is empty for a path that is not served (404) */
        Served start(String host, int port, Function<String, Optional<Answer>> answers) throws IOException;
    }

    /** Endpoints being served: where, and what stops them. */
    public interface Served extends Closeable {

        int port();

        @Override
        void close();
    }

    /** The JDK's HTTP server (a dispatcher thread and a timer thread), requests on virtual threads. */
    public static final Server JDK = ServiceEndpoints::jdk;

    private ServiceEndpoints() {
    }

    public static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** The answer to a GET of {@code path}, or empty when it is none of the endpoints. */
    public static Optional<Answer> answer(String path, PrometheusMeterRegistry registry,
                                          Supplier<List<ComponentHealth>> components) {
        return switch (path) {
            case "/health/live" -> Optional.of(health(components.get(), ComponentHealth::live));
            case "/health/ready" -> Optional.of(health(components.get(), ComponentHealth::ready));
            case "/metrics" -> Optional.of(new Answer(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
            default -> Optional.empty();
        };
    }

    private static Answer health(List<ComponentHealth> components, Predicate<ComponentHealth> probe) {
        HealthBody health = HealthBody.of(components, probe, HealthBody.Detail.SHOWN);
        try {
            return new Answer(health.httpStatus(), "application/json", Json.mapper().writeValueAsString(health.json()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Served jdk(String host, int port, Function<String, Optional<Answer>> answers) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/", exchange -> respond(exchange, answers.apply(exchange.getRequestURI().getPath())
                .orElse(new Answer(404, "text/plain; charset=utf-8", "Not found"))));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return new Served() {
            @Override
            public int port() {
                return server.getAddress().getPort();
            }

            @Override
            public void close() {
                server.stop(0);
            }
        };
    }

    private static void respond(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.bytes();
        exchange.getResponseHeaders().add("Content-Type", answer.type());
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
