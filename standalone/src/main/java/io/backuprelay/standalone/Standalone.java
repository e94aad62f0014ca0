package io.backuprelay.standalone;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.concurrent.Loops;
import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.hook.HookSettings;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.SharedClients;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceDefinition;
import io.backuprelay.common.service.ServiceEndpoints;
import io.backuprelay.common.service.ServiceProcess;
import io.backuprelay.common.service.ServiceShell;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.ConsoleServer;
import io.backuprelay.console.ConsoleSettings;
import io.backuprelay.notify.mail.MailVariables;
import io.backuprelay.scheduler.SchedulerSettings;
import io.backuprelay.verify.VerifierSettings;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every service in one JVM. Against {@code KAFKA_BOOTSTRAP_SERVERS} when it is set; otherwise an
 * embedded single-node broker whose data lives under {@code BACKUPRELAY_DATA_DIR} (default
 * {@code ./data}), as do staging, the mail outbox, the scheduler's state and, on first start, a
 * generated master key. Its services share their views of the compacted topics and their plain
 * producers ({@link SharedClients}): one reader thread per topic, not one per service and topic.
 */
public final class Standalone implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(Standalone.class);

    private final ServiceShell shell;
    private EmbeddedKafka broker;
    private ServiceProcess process;
    private SharedClients.Sharing sharing;

    /** Started in this JVM, as in tests: a fatal error is logged, and the JVM is left to its owner. */
    public static Standalone start(ConfigSource environment) throws Exception {
        return start(environment, code -> log.error("backuprelay would exit with code {} now", code));
    }

    /**
     * As {@link #start(ConfigSource)}, each service's endpoint policy made by {@code endpoints} of the
     * one its settings declare: how a test allows its emulator, the same for every service.
     */
    public static Standalone startWithEndpoints(ConfigSource environment, UnaryOperator<EndpointPolicy> endpoints)
            throws Exception {
        return start(environment, code -> log.error("backuprelay would exit with code {} now", code), endpoints);
    }

    /** @param exit how the process ends on a fatal error ({@code System::exit} from the command line) */
    public static Standalone start(ConfigSource environment, IntConsumer exit) throws Exception {
        return start(environment, exit, UnaryOperator.identity());
    }

    private static Standalone start(ConfigSource environment, IntConsumer exit, UnaryOperator<EndpointPolicy> endpoints)
            throws Exception {
        Standalone standalone = new Standalone(exit);
        try {
            standalone.startAll(environment, Services.all(endpoints));
            return standalone;
        } catch (Exception e) {
            standalone.close();
            throw e;
        }
    }

    private Standalone(IntConsumer exit) {
        // From JDK 25 a virtual thread waiting in a selector holds no carrier; before, Jetty's acceptor and selector
        // would each hold one, and the JDK's server costs no more.
        this.shell = new ServiceShell("standalone", exit)
                .servedBy(Loops.VIRTUAL ? JettyEndpoints::start : ServiceEndpoints.JDK);
    }

    private void startAll(ConfigSource environment, List<ServiceDefinition> services) throws Exception {
        Path dataDir = CommonSettings.DATA_DIR.read(environment).toAbsolutePath();
        Files.createDirectories(dataDir);
        ConfigSource config = withLocalDefaults(environment, dataDir);
        sharing = SharedClients.share(); // before the first service asks for a view or a producer
        if (!CommonSettings.KAFKA_BOOTSTRAP_SERVERS.isSet(config)) {
            broker = EmbeddedKafka.start(dataDir, StandaloneSettings.KAFKA_PORT.read(config),
                    StandaloneSettings.KAFKA_CONTROLLER_PORT.read(config));
            config = config.with(Map.of(CommonSettings.KAFKA_BOOTSTRAP_SERVERS.name(), broker.bootstrapServers()));
        }
        process = ServiceProcess.start("standalone", services, config, shell);
    }

    /** The health of every component, as the endpoints report it. */
    public ServiceShell shell() {
        return shell;
    }

    public KafkaSettings kafka() {
        return process.kafka();
    }

    public Topics topics() {
        return kafka().topics();
    }

    /** The port the console listens on. */
    public int consolePort() {
        return process.services().stream().filter(ConsoleServer.class::isInstance).map(ConsoleServer.class::cast)
                .findFirst().orElseThrow().port();
    }

    /**
     * Staging, outbox, the scheduler's state directory and the master key default to folders of the data directory;
     * the scheduler keeps its schedules in memory unless told otherwise.
     */
    static ConfigSource withLocalDefaults(ConfigSource config, Path dataDir) throws IOException {
        Map<String, String> defaults = new HashMap<>();
        putIfUnset(config, defaults, CommonSettings.STAGING_DIR, dataDir.resolve("staging"));
        putIfUnset(config, defaults, VerifierSettings.STAGING_DIR, dataDir.resolve("drill"));
        putIfUnset(config, defaults, MailVariables.OUTBOX_DIR, dataDir.resolve("outbox"));
        putIfUnset(config, defaults, SchedulerSettings.STATE_DIR, dataDir.resolve("scheduler-state"));
        // One machine's schedules load from the changelogs in a moment; RocksDB would hold three threads and
        // native memory for them (docs/benchmarks.md, "Footprint").
        putIfUnset(config, defaults, SchedulerSettings.STATE_STORE, "memory");
        if (!CommonSettings.MASTER_KEY.isSet(config) && !CommonSettings.MASTER_KEYS.isSet(config)) {
            defaults.put(CommonSettings.MASTER_KEY.name(), localSecret(dataDir.resolve("master.key")));
        }
        if (!ConsoleSettings.JWT_SECRET.isSet(config) && !ConsoleSettings.JWKS_URL.isSet(config)) {
            defaults.put(ConsoleSettings.JWT_SECRET.name(), localSecret(dataDir.resolve("console.secret")));
        }
        int consolePort = ConsoleSettings.PORT.read(config);
        if (!HookSettings.PAGE_URL.isSet(config) && consolePort > 0) {
            // On one machine the page is the console's own: Slack, Teams and webhook messages link to it.
            String host = ConsoleSettings.HOST.read(config);
            defaults.put(HookSettings.PAGE_URL.name(), "http://" + ("0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":"
                    + consolePort + "/");
        }
        return config.with(defaults);
    }

    private static void putIfUnset(ConfigSource config, Map<String, String> defaults, Setting<?> setting, Object value) {
        if (!setting.isSet(config)) {
            defaults.put(setting.name(), value.toString());
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
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.stream().anyMatch(p -> !p.name().startsWith("OWNER_"))) {
            // Anyone else who can read it can open every stored password and key, or mint console tokens.
            throw new ConfigException(file.toString(), "is readable or writable by others ("
                    + PosixFilePermissions.toString(mode) + "); it holds a secret: chmod 600 " + file);
        }
        return Files.readString(file).trim();
    }

    /** Stops the services in the reverse order of their start: workers finish or cancel their jobs first. */
    @Override
    public void close() {
        if (process != null) {
            process.close();
        } else {
            shell.close();
        }
        if (sharing != null) {
            sharing.close();
        }
        if (broker != null) {
            try {
                broker.close();
            } catch (Exception e) {
                log.warn("Stopping the embedded broker failed: {}", e.toString());
            }
        }
    }
}
