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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The operational endpoints of a service: {@code /health/live} (503 when a component is dead),
 * {@code /health/ready} (503 while a component cannot work), each naming every component and its
 * state in the body, and {@code /metrics} in the Prometheus format.
 */
public final class ServiceEndpoints implements Closeable {

    private final HttpServer server;
    private final PrometheusMeterRegistry registry;

    private ServiceEndpoints(HttpServer server, PrometheusMeterRegistry registry) {
        this.server = server;
        this.registry = registry;
    }

    /** @param port 0 picks a free one */
    public static ServiceEndpoints start(String host, int port, PrometheusMeterRegistry registry,
                                         Supplier<List<ComponentHealth>> components) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/health/live", exchange -> health(exchange, components.get(), ComponentHealth::live));
        server.createContext("/health/ready", exchange -> health(exchange, components.get(), ComponentHealth::ready));
        server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return new ServiceEndpoints(server, registry);
    }

    public static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    private static void health(HttpExchange exchange, List<ComponentHealth> components,
                               Predicate<ComponentHealth> probe) throws IOException {
        HealthBody health = HealthBody.of(components, probe, HealthBody.Detail.SHOWN);
        respond(exchange, health.httpStatus(), "application/json", Json.mapper().writeValueAsString(health.json()));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
