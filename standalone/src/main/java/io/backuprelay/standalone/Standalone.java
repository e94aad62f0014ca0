package io.backuprelay.standalone;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.BrokerProbe;
import io.backuprelay.common.service.ServiceShell;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.ConsoleConfig;
import io.backuprelay.console.ConsoleData;
import io.backuprelay.console.ConsoleServer;
import io.backuprelay.dump.DumpWorker;
import io.backuprelay.dump.DumpWorkerConfig;
import io.backuprelay.notify.NotifierConfig;
import io.backuprelay.notify.NotifierWorker;
import io.backuprelay.verify.VerifierConfig;
import io.backuprelay.verify.VerifierWorker;
import io.backuprelay.notify.mail.MailSettings;
import io.backuprelay.scheduler.Scheduler;
import io.backuprelay.scheduler.SchedulerConfig;
import io.backuprelay.upload.UploadWorker;
import io.backuprelay.upload.UploadWorkerConfig;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every service in one JVM. Against {@code KAFKA_BOOTSTRAP_SERVERS} when it is set; otherwise an
 * embedded single-node broker whose data lives under {@code BACKUPRELAY_DATA_DIR} (default
 * {@code ./data}), as do staging, the mail outbox, the scheduler's state and, on first start, a
 * generated master key.
 */
public final class Standalone implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(Standalone.class);

    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final ServiceShell shell;
    private KafkaSettings kafka;
    private ConsoleServer console;

    /** Started in this JVM, as in tests: a fatal error is logged, and the JVM is left to its owner. */
    public static Standalone start(ConfigSource environment) throws Exception {
        return start(environment, code -> log.error("backuprelay would exit with code {} now", code));
    }

    /** @param exit how the process ends on a fatal error ({@code System::exit} from the command line) */
    public static Standalone start(ConfigSource environment, java.util.function.IntConsumer exit) throws Exception {
        Standalone standalone = new Standalone(exit);
        try {
            standalone.startAll(environment);
            return standalone;
        } catch (Exception e) {
            standalone.close();
            throw e;
        }
    }

    private Standalone(java.util.function.IntConsumer exit) {
        this.shell = new ServiceShell("standalone", exit);
    }

    private void startAll(ConfigSource environment) throws Exception {
        Path dataDir = environment.path("BACKUPRELAY_DATA_DIR", Path.of("data")).toAbsolutePath();
        Files.createDirectories(dataDir);
        ConfigSource config = withLocalDefaults(environment, dataDir);
        if (config.optional("KAFKA_BOOTSTRAP_SERVERS").isEmpty()) {
            EmbeddedKafka broker = EmbeddedKafka.start(dataDir,
                    config.integer("BACKUPRELAY_KAFKA_PORT", 9092, 1, 65535),
                    config.integer("BACKUPRELAY_KAFKA_CONTROLLER_PORT", 9093, 1, 65535));
            running.push(broker);
            config = config.with(Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()));
        }
        kafka = KafkaSettings.from(config);
        TopicProvisioner.prepare(kafka, config);
        SecretSealer sealer = SecretSealer.from(config);
        Clock clock = Clock.systemUTC();
        io.backuprelay.blob.EndpointPolicy.install(io.backuprelay.blob.EndpointPolicy.from(config));

        running.push(shell);
        running.push(shell.add(new BrokerProbe(kafka).start()));
        io.backuprelay.common.ops.OpsPublisher beats = io.backuprelay.common.ops.OpsPublisher.kafka(kafka,
                "standalone-heartbeat-" + kafka.instanceId());
        running.push(beats);
        running.push(io.backuprelay.common.ops.Heartbeat.start(beats, "standalone", kafka.instanceId(),
                config.duration("BACKUPRELAY_HEARTBEAT_INTERVAL", java.time.Duration.ofMinutes(1)), clock));
        Scheduler scheduler = shell.add(new Scheduler(kafka, SchedulerConfig.from(config), clock)
                .withMetrics(shell.metrics()).start());
        running.push(scheduler);
        DumpWorker dump = new DumpWorker(kafka, DumpWorkerConfig.from(config), sealer, clock);
        running.push(startWorker(dump.jobs(), dump.components(), dump::start));
        UploadWorker upload = new UploadWorker(kafka, UploadWorkerConfig.from(config), sealer, clock);
        upload.withRetryGauge(shell.metrics());
        running.push(startWorker(upload.jobs(), upload.components(), upload::start));
        MailSettings mail = MailSettings.from(config);
        log.info("Mail: {}", mail);
        NotifierWorker notifier = new NotifierWorker(kafka, mail, NotifierConfig.from(config), sealer, clock);
        running.push(startWorker(notifier.jobs(), notifier.components(), notifier::start));
        VerifierWorker verifier = new VerifierWorker(kafka, VerifierConfig.from(config), sealer, clock);
        running.push(startWorker(verifier.jobs(), verifier.components(), verifier::start));
        String host = config.string("SERVICE_HOST", "127.0.0.1");
        shell.serve(host, config.integer("SERVICE_PORT", 8081, 0, 65535));
        log.info("Health and metrics on http://{}:{}/health/ready and /metrics", host, shell.port());
        ConsoleData data = new ConsoleData(kafka).start();
        data.components().forEach(shell::add);
        console = new ConsoleServer(data, ConsoleConfig.from(config), sealer, clock, shell);
        running.push(console);
        shell.watch();
        log.info("backuprelay is running against {} (topics {}, instance {})", kafka.bootstrapServers(),
                kafka.topics().prefix().isEmpty() ? "unprefixed" : "prefixed '" + kafka.topics().prefix() + "'",
                kafka.instanceId());
    }

    private AutoCloseable startWorker(io.backuprelay.common.kafka.JobWorker<?> jobs,
                                      java.util.List<io.backuprelay.common.service.HealthCheck> components,
                                      java.util.concurrent.Callable<? extends AutoCloseable> start) throws Exception {
        jobs.withMetrics(shell.metrics());
        components.forEach(shell::add);
        return start.call();
    }

    /** The health of every component, as the endpoints report it. */
    public ServiceShell shell() {
        return shell;
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public Topics topics() {
        return kafka.topics();
    }

    /** The port the console listens on. */
    public int consolePort() {
        return console.port();
    }

    /** Staging, outbox, scheduler state and the master key default to folders of the data directory. */
    static ConfigSource withLocalDefaults(ConfigSource config, Path dataDir) throws IOException {
        Map<String, String> defaults = new HashMap<>();
        putIfUnset(config, defaults, "BACKUPRELAY_STAGING_DIR", dataDir.resolve("staging").toString());
        putIfUnset(config, defaults, "DRILL_STAGING_DIR", dataDir.resolve("drill").toString());
        putIfUnset(config, defaults, "BACKUPRELAY_OUTBOX_DIR", dataDir.resolve("outbox").toString());
        putIfUnset(config, defaults, "SCHEDULER_STATE_DIR", dataDir.resolve("scheduler-state").toString());
        if (config.optional("BACKUPRELAY_MASTER_KEY").isEmpty() && config.optional("BACKUPRELAY_MASTER_KEYS").isEmpty()) {
            defaults.put("BACKUPRELAY_MASTER_KEY", localSecret(dataDir.resolve("master.key")));
        }
        if (config.optional("CONSOLE_JWT_SECRET").isEmpty() && config.optional("CONSOLE_JWKS_URL").isEmpty()) {
            defaults.put("CONSOLE_JWT_SECRET", localSecret(dataDir.resolve("console.secret")));
        }
        return config.with(defaults);
    }

    private static void putIfUnset(ConfigSource config, Map<String, String> defaults, String name, String value) {
        if (config.optional(name).isEmpty()) {
            defaults.put(name, value);
        }
    }

    /** A secret of this machine's, made on first start and readable by its owner only. */
    static String localSecret(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, SecretSealer.newBase64Key());
            log.info("Generated a secret in {}", file);
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.stream().anyMatch(p -> !p.name().startsWith("OWNER_"))) {
            // Anyone else who can read it can open every stored password and key, or mint console tokens.
            throw new io.backuprelay.common.config.ConfigException(file.toString(), "is readable or writable by others ("
                    + PosixFilePermissions.toString(mode) + "); it holds a secret: chmod 600 " + file);
        }
        return Files.readString(file).trim();
    }

    /** Stops the services in the reverse order of their start: workers finish or cancel their jobs first. */
    @Override
    public void close() {
        shell.stopWatching();
        while (!running.isEmpty()) {
            AutoCloseable service = running.pop();
            try {
                service.close();
            } catch (Exception e) {
                log.warn("Stopping {} failed: {}", service.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
