package io.backuprelay.common.service;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.Closeable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each service runs on its own ({@code java -jar}, one per container): configuration from the
 * environment (a wrong value stops it with exit code 2, naming the variable), the backup topics made
 * sure of, the service started, {@code /health/*} and {@code /metrics} on {@code SERVICE_PORT}, and
 * a clean stop on SIGTERM.
 */
public final class ServiceMain {

    private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

    /** A started service. */
    public interface Running extends Closeable {

        boolean ready();

        @Override
        void close();

        /** A service that is ready while {@code ready} says so, and stops with {@code close}. */
        static Running of(java.util.function.BooleanSupplier ready, Runnable close) {
            return new Running() {
                @Override
                public boolean ready() {
                    return ready.getAsBoolean();
                }

                @Override
                public void close() {
                    close.run();
                }
            };
        }
    }

    /** Starts the service from its configuration, registering its meters. */
    @FunctionalInterface
    public interface Starter {
        Running start(ConfigSource config, KafkaSettings kafka, PrometheusMeterRegistry metrics) throws Exception;
    }

    private ServiceMain() {
    }

    public static void run(String name, Starter starter) throws Exception {
        ConfigSource config = ConfigSource.fromEnvironment();
        Running service;
        ServiceEndpoints endpoints;
        try {
            KafkaSettings kafka = KafkaSettings.from(config);
            TopicProvisioner.ensureTopics(kafka, config.integer("BACKUPRELAY_TOPIC_PARTITIONS", 6, 1, 1000),
                    (short) config.integer("BACKUPRELAY_TOPIC_REPLICATION", 1, 1, 5));
            PrometheusMeterRegistry metrics = ServiceEndpoints.newRegistry();
            metrics.config().commonTags("service", name);
            service = starter.start(config, kafka, metrics);
            endpoints = ServiceEndpoints.start(config.string("SERVICE_HOST", "0.0.0.0"),
                    config.integer("SERVICE_PORT", 8081, 0, 65535), metrics, service::ready);
            log.info("{} is running against {}; health and metrics on port {}", name, kafka.bootstrapServers(),
                    endpoints.port());
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Running started = service;
        ServiceEndpoints open = endpoints;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            started.close();
            open.close();
            stopped.countDown();
        }, name + "-shutdown"));
        stopped.await();
    }
}
