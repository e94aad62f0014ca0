package io.backuprelay.common.service;

import io.backuprelay.common.concurrent.Timers;
import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.FatalErrors;
import io.backuprelay.common.health.HealthCheck;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every process of backuprelay has once, whatever it runs (one worker, the console, or all of
 * them in the standalone mode): one meter registry, the health of each component it was given,
 * {@code /health/live}, {@code /health/ready} and {@code /metrics}, a gauge per component state,
 * and the exit on a fatal error.
 */
public final class ServiceShell implements FatalErrors, Closeable {

    /** The exit code of a process stopped by a fatal error. */
    public static final int FATAL_EXIT = 1;

    private static final Logger log = LoggerFactory.getLogger(ServiceShell.class);

    private final PrometheusMeterRegistry registry;
    private final List<HealthCheck> components = new CopyOnWriteArrayList<>();
    private final IntConsumer exit;
    private final AtomicBoolean exiting = new AtomicBoolean();
    private volatile ServiceEndpoints.Server server = ServiceEndpoints.JDK;
    private volatile ServiceEndpoints.Served endpoints;
    // A virtual thread: it reads the components' flags every 2 s and waits otherwise. What it looks for, a component
    // that is dead, a platform thread of its own would not find sooner.
    private final ScheduledExecutorService watchdog = Timers.single("health-watchdog");

    /** @param exit how the process ends on a fatal error ({@code System::exit} in a real process) */
    public ServiceShell(String service, IntConsumer exit) {
        this.registry = ServiceEndpoints.newRegistry();
        this.registry.config().commonTags("service", service);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        this.exit = exit;
    }

    public PrometheusMeterRegistry metrics() {
        return registry;
    }

    /** Adds a component to the health endpoints, with the gauges {@code backuprelay.component.live/ready}. */
    public <T extends HealthCheck> T add(T component) {
        components.add(component);
        String name = component.health().name();
        Gauge.builder("backuprelay.component.live", component, c -> c.health().live() ? 1 : 0)
                .tag("component", name).description("1 while the component is alive").register(registry);
        Gauge.builder("backuprelay.component.ready", component, c -> c.health().ready() ? 1 : 0)
                .tag("component", name).description("1 while the component can do its work").register(registry);
        return component;
    }

    public List<ComponentHealth> health() {
        return components.stream().map(HealthCheck::health).toList();
    }

    public boolean live() {
        return health().stream().allMatch(ComponentHealth::live);
    }

    public boolean ready() {
        return health().stream().allMatch(ComponentHealth::ready);
    }

    /** What {@link #serve} serves the endpoints with, instead of the JDK's HTTP server; before {@code serve}. */
    public ServiceShell servedBy(ServiceEndpoints.Server server) {
        this.server = server;
        return this;
    }

    /** Serves the health and metrics endpoints; port 0 picks a free one. */
    public ServiceShell serve(String host, int port) throws IOException {
        endpoints = server.start(host, port, path -> ServiceEndpoints.answer(path, registry, this::health));
        return this;
    }

    public int port() {
        return endpoints.port();
    }

    /**
     * Checks every few seconds that each component is alive; a dead one (a worker loop, a view, the
     * Streams client) is fatal, since nothing in the process can bring it back.
     */
    public ServiceShell watch() {
        watchdog.scheduleWithFixedDelay(() -> health().stream().filter(c -> !c.live()).findFirst()
                .ifPresent(dead -> fatal(dead.name(), new IllegalStateException(dead.name() + " is dead: " + dead.detail()))),
                2, 2, TimeUnit.SECONDS);
        return this;
    }

    /** Stops watching, before the components are stopped on purpose. */
    public void stopWatching() {
        watchdog.shutdownNow();
    }

    /** Logs the error and ends the process with {@link #FATAL_EXIT}, once, from a thread of its own. */
    @Override
    public void fatal(String component, Throwable error) {
        log.error("{} cannot go on; the process exits with code {} so that it is restarted", component, FATAL_EXIT,
                error);
        if (exiting.compareAndSet(false, true)) {
            // Not on the failing thread: exiting runs the shutdown hooks, which wait for that thread.
            Thread.ofPlatform().name("fatal-exit").start(() -> exit.accept(FATAL_EXIT));
        }
    }

    @Override
    public void close() {
        stopWatching();
        if (endpoints != null) {
            endpoints.close();
        }
    }
}
