package io.backuprelay.common.concurrent;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Timers that run on a virtual thread. A timer spends its life waiting for its next task, and a
 * waiting virtual thread holds no platform thread: the standalone ran a dozen platform threads that
 * did nothing but wait (heartbeats, probes, sweeps, Micrometer's polls of the Kafka clients' metrics),
 * a tenth of its threads at rest (docs/benchmarks.md, "Footprint"). A task that blocks on I/O still
 * works: the JDK gives the virtual thread's carrier back while it waits, or adds one.
 */
public final class Timers {

    private static final ScheduledExecutorService CLIENT_METRICS = single("kafka-client-metrics");

    private Timers() {
    }

    /** A timer of its own, its tasks one at a time. */
    public static ScheduledExecutorService single(String name) {
        return Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name(name).factory());
    }

    /**
     * The process's one timer for Micrometer's polls of the Kafka clients' metrics, passed to every
     * {@code KafkaClientMetrics} (which would otherwise start a thread of its own for each client, and
     * never stop it unless closed). Never shut down: it lives as long as the process.
     */
    public static ScheduledExecutorService clientMetrics() {
        return CLIENT_METRICS;
    }
}
