package io.backuprelay.common.service;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.config.Settings;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.ops.Heartbeat;
import io.backuprelay.common.ops.OpsPublisher;
import java.io.Closeable;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one start sequence of a process, whether it runs one service (a runnable jar) or all of them
 * (the standalone mode): the topics made sure of, the broker probe, the heartbeat, each service in
 * the order given, health and metrics served, the components watched. {@link #close} stops them in
 * the reverse order of their start, so workers finish or cancel their jobs first.
 */
public final class ServiceProcess implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);

    private final ServiceShell shell;
    private final KafkaSettings kafka;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final List<AutoCloseable> services = new ArrayList<>();

    private ServiceProcess(ServiceShell shell, KafkaSettings kafka) {
        this.shell = shell;
        this.kafka = kafka;
    }

    /**
     * Starts {@code definitions} in one process named {@code name}; what started is stopped again
     * when a later step fails.
     */
    public static ServiceProcess start(String name, List<? extends ServiceDefinition> definitions, ConfigSource config,
                                       ServiceShell shell) throws Exception {
        KafkaSettings kafka = KafkaSettings.from(config);
        log.info("{} reads {}", name, Settings.describe(config, settingsOf(definitions)));
        ServiceProcess process = new ServiceProcess(shell, kafka);
        try {
            process.startAll(name, definitions, config);
            return process;
        } catch (Exception e) {
            process.close();
            throw e;
        }
    }

    /** Every setting a process running {@code definitions} reads: the common ones, then each service's. */
    public static List<Setting<?>> settingsOf(List<? extends ServiceDefinition> definitions) {
        List<Setting<?>> settings = new ArrayList<>(CommonSettings.EVERY_SERVICE);
        definitions.forEach(definition -> definition.settings().stream().filter(s -> !settings.contains(s))
                .forEach(settings::add));
        return settings;
    }

    private void startAll(String name, List<? extends ServiceDefinition> definitions, ConfigSource config)
            throws Exception {
        TopicProvisioner.prepare(kafka, config);
        Clock clock = Clock.systemUTC();
        running.push(shell);
        running.push(shell.add(new BrokerProbe(kafka).start()));
        OpsPublisher beats = OpsPublisher.kafka(kafka, name + "-heartbeat-" + kafka.instanceId());
        running.push(beats);
        running.push(Heartbeat.start(beats, name, kafka.instanceId(), CommonSettings.HEARTBEAT_INTERVAL.read(config),
                clock));
        ServiceContext context = new ServiceContext(config, kafka, shell, clock);
        for (ServiceDefinition definition : definitions) {
            AutoCloseable service = definition.start(context);
            running.push(service);
            services.add(service);
        }
        String host = CommonSettings.SERVICE_HOST.read(config);
        shell.serve(host, CommonSettings.SERVICE_PORT.read(config)).watch();
        log.info("{} is running against {} (topics {}, instance {}); health and metrics on http://{}:{}/health/ready"
                        + " and /metrics", name, kafka.bootstrapServers(),
                kafka.topics().prefix().isEmpty() ? "unprefixed" : "prefixed '" + kafka.topics().prefix() + "'",
                kafka.instanceId(), host, shell.port());
    }

    public ServiceShell shell() {
        return shell;
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    /** What each service's start returned, in the order of the definitions. */
    public List<AutoCloseable> services() {
        return List.copyOf(services);
    }

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
