package io.backuprelay.common.service;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.secret.SecretSealer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What a {@link ServiceDefinition} starts with: the settings, the broker, the process's shell and
 * clock, and the sealer of stored secrets (read from the settings once, when first asked for).
 */
public final class ServiceContext {

    private final ConfigSource config;
    private final KafkaSettings kafka;
    private final ServiceShell shell;
    private final Clock clock;
    private SecretSealer sealer;

    public ServiceContext(ConfigSource config, KafkaSettings kafka, ServiceShell shell, Clock clock) {
        this.config = config;
        this.kafka = kafka;
        this.shell = shell;
        this.clock = clock;
    }

    public ConfigSource config() {
        return config;
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public ServiceShell shell() {
        return shell;
    }

    public Clock clock() {
        return clock;
    }

    /** One sealer for every service of the process. */
    public synchronized SecretSealer sealer() {
        if (sealer == null) {
            sealer = SecretSealer.from(config);
        }
        return sealer;
    }

    /**
     * How a worker is started, the same for each: its job meters bound, its loop and views given to
     * the health endpoints, then {@code start}.
     */
    public <T extends AutoCloseable> T startWorker(JobWorker<?> jobs, List<HealthCheck> components, Callable<T> start)
            throws Exception {
        jobs.withMetrics(shell.metrics());
        components.forEach(shell::add);
        return start.call();
    }
}
