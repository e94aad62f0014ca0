package io.backuprelay.common.service;

import io.backuprelay.common.concurrent.Timers;
import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.kafka.KafkaSettings;
import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Asks the cluster who its nodes are every few seconds: the process is not ready while no answer
 * came for a while. A client that merely waits on an unreachable broker does not notice by itself.
 */
public final class BrokerProbe implements HealthCheck, Closeable {

    private static final Duration EVERY = Duration.ofSeconds(3);
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(3);
    private static final Duration STALE_AFTER = Duration.ofSeconds(10);

    private final Admin admin;
    private final ScheduledExecutorService timer = Timers.single("broker-probe");
    private volatile long lastAnswerNanos;
    private volatile boolean everAnswered;
    private volatile String lastProblem = "no answer yet";

    public BrokerProbe(KafkaSettings kafka) {
        var props = kafka.common("backuprelay-broker-probe-" + kafka.instanceId());
        // One probe must end before the next one starts.
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ANSWER_WITHIN.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ANSWER_WITHIN.toMillis());
        this.admin = Admin.create(props);
    }

    public BrokerProbe start() {
        timer.scheduleWithFixedDelay(this::probe, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void probe() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) ANSWER_WITHIN.toMillis()))
                    .nodes().get(ANSWER_WITHIN.toMillis() + 500, TimeUnit.MILLISECONDS);
            lastAnswerNanos = System.nanoTime();
            everAnswered = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            lastProblem = e.getCause() != null ? e.getCause().toString() : e.toString();
        }
    }

    @Override
    public ComponentHealth health() {
        boolean fresh = everAnswered && System.nanoTime() - lastAnswerNanos < STALE_AFTER.toNanos();
        return fresh
                ? ComponentHealth.up("kafka", "broker answered")
                : ComponentHealth.notReady("kafka", "broker unreachable: " + lastProblem);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
