package io.backuprelay.common.service;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import java.io.Closeable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each service runs on its own ({@code java -jar}, one per container): configuration from the
 * environment (a wrong value stops it with exit code 2, naming the variable), the backup topics made
 * sure of, the service started inside a {@link ServiceShell} (health, metrics, exit code 1 on a
 * fatal error) with the broker probe among its components, and a clean stop on SIGTERM.
 */
public final class ServiceMain {

    private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

    /** Starts the service from its configuration, adding its components to the shell. */
    @FunctionalInterface
    public interface Starter {
        Closeable start(ConfigSource config, KafkaSettings kafka, ServiceShell shell) throws Exception;
    }

    private ServiceMain() {
    }

    public static void run(String name, Starter starter) throws Exception {
        ConfigSource config = ConfigSource.fromEnvironment();
        ServiceShell shell = new ServiceShell(name, System::exit);
        Closeable service;
        BrokerProbe probe;
        io.backuprelay.common.ops.OpsPublisher beats;
        io.backuprelay.common.ops.Heartbeat heartbeat;
        try {
            KafkaSettings kafka = KafkaSettings.from(config);
            TopicProvisioner.prepare(kafka, config);
            probe = shell.add(new BrokerProbe(kafka).start());
            service = starter.start(config, kafka, shell);
            shell.serve(config.string("SERVICE_HOST", "0.0.0.0"), config.integer("SERVICE_PORT", 8081, 0, 65535)).watch();
            log.info("{} is running against {} as instance {}; health and metrics on port {}", name,
                    kafka.bootstrapServers(), kafka.instanceId(), shell.port());
            beats = io.backuprelay.common.ops.OpsPublisher.kafka(kafka, name + "-heartbeat-" + kafka.instanceId());
            heartbeat = io.backuprelay.common.ops.Heartbeat.start(beats, name, kafka.instanceId(),
                    config.duration("BACKUPRELAY_HEARTBEAT_INTERVAL", java.time.Duration.ofMinutes(1)),
                    java.time.Clock.systemUTC());
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Closeable started = service;
        BrokerProbe startedProbe = probe;
        io.backuprelay.common.ops.Heartbeat startedHeartbeat = heartbeat;
        io.backuprelay.common.ops.OpsPublisher startedBeats = beats;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shell.stopWatching();
            startedHeartbeat.close();
            startedBeats.close();
            try {
                started.close();
            } catch (Exception e) {
                log.warn("{} did not stop cleanly: {}", name, e.toString());
            }
            startedProbe.close();
            shell.close();
            stopped.countDown();
        }, name + "-shutdown"));
        stopped.await();
    }
}
