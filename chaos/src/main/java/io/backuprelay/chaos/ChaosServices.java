package io.backuprelay.chaos;

import io.backuprelay.common.fault.FaultPoints;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.testkit.BrokerProcess;
import io.backuprelay.testkit.ServiceJars;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chaos run's service processes and broker: each service started from its runnable jar with its
 * own environment, killed and restarted ({@link #killOne}), the broker frozen ({@link #freezeBroker}),
 * and a watchdog that starts again what exited, telling a fault point's kill from an exit of its own.
 */
final class ChaosServices {

    private static final List<String> SERVICES = List.of("dump-worker-1", "dump-worker-2", "upload-worker-1",
            "upload-worker-2", "notifier", "scheduler", "copier", "console");
    private static final String BROKER = "broker";
    private static final Pattern HALTED = Pattern.compile("fault point (\\S+) reached");

    private final ChaosOptions options;
    private final Path work;
    private final Path staging;
    /** The network namespace one upload worker runs in, set up when the run starts (if allowed). */
    private final NetworkPartition partition;
    private final FaultSchedule faults;
    private final Map<String, ServiceProcess> services = new ConcurrentHashMap<>();
    private final ReentrantLock brokerLock = new ReentrantLock();
    private final List<String> unexpectedExits = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean started; // once every service was ready: from then on the watchdog restarts what exits
    private BrokerProcess broker;

    ChaosServices(ChaosOptions options, Path work, Path staging, NetworkPartition partition, FaultSchedule faults) {
        this.options = options;
        this.work = work;
        this.staging = staging;
        this.partition = partition;
        this.faults = faults;
    }

    FaultTarget get(String name) {
        return services.get(name);
    }

    /** The services that exited by themselves, each with its exit code and time. */
    List<String> unexpectedExits() {
        return List.copyOf(unexpectedExits);
    }

    /** Kills every service process, at the end of the run. */
    void destroyAll() {
        services.values().forEach(s -> {
            if (s.process != null) {
                s.process.destroyForcibly();
            }
        });
    }

    /** A service's process, restarted with the same environment (and, for one worker, inside the network namespace). */
    private final class ServiceProcess implements FaultTarget {
        final String name;
        final String module;
        final Map<String, String> env;
        final int port;
        final String host; // where its health endpoint listens
        final List<String> prefix; // what it runs through: ip netns exec, or nothing
        volatile Process process;
        volatile boolean down; // killed on purpose, being restarted, or held by a fault of its own

        ServiceProcess(String name, String module, Map<String, String> env, int port) {
            this(name, module, env, port, "127.0.0.1", List.of());
        }

        ServiceProcess(String name, String module, Map<String, String> env, int port, String host, List<String> prefix) {
            this.name = name;
            this.module = module;
            this.env = env;
            this.port = port;
            this.host = host;
            this.prefix = prefix;
        }

        void start() throws Exception {
            process = ServiceJars.start(prefix, jar(module), env, work.resolve(name + ".log"),
                    "-Xmx160m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:ActiveProcessorCount=1",
                    "-Djava.io.tmpdir=" + work.resolve("tmp"), "--enable-native-access=ALL-UNNAMED");
        }

        @Override
        public boolean ready() {
            return ServiceJars.ready(host, port);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Process process() {
            return process;
        }

        @Override
        public Map<String, String> env() {
            return env;
        }

        @Override
        public synchronized boolean hold() {
            if (down || process == null || !process.isAlive()) {
                return false;
            }
            down = true;
            return true;
        }

        @Override
        public synchronized void release() {
            down = false;
        }
    }

    /**
     * The module's runnable jar with its {@code lib/} (its manifest's class path), copied into the run's
     * work directory the first time: a build running beside the harness (the test suite) rewrites
     * {@code target/}, and a service restarted from a jar being rewritten would not start.
     */
    private Path jar(String module) throws Exception {
        Path built = ServiceJars.runnableJar(module);
        Path dir = work.resolve("jars").resolve(module);
        Path copy = dir.resolve(built.getFileName());
        synchronized (this) {
            if (!Files.exists(copy)) {
                Path lib = Files.createDirectories(dir.resolve("lib"));
                try (var libraries = Files.list(built.resolveSibling("lib"))) {
                    for (Path library : libraries.toList()) {
                        Files.copy(library, lib.resolve(library.getFileName()));
                    }
                }
                Files.copy(built, copy);
            }
        }
        return copy;
    }

    /**
     * Starts every service from its jar, one upload worker inside the network namespace when the run may
     * set one up, and waits until each is ready.
     */
    void start(BrokerProcess broker, KafkaSettings kafka, List<String> endpoints, String jwtSecret, int consolePort,
               int smtpPort) throws Exception {
        this.broker = broker;
        String masterKey = SecretSealer.newBase64Key();
        String allowed = String.join(",", endpoints.stream()
                .map(endpoint -> URI.create(endpoint).getScheme() + "://" + URI.create(endpoint).getAuthority()).toList());
        Map<String, String> common = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "BACKUPRELAY_TOPIC_PREFIX", kafka.topics().prefix(),
                "BACKUPRELAY_CREATE_TOPICS", "false",
                "BACKUPRELAY_MASTER_KEY", masterKey,
                "BACKUPRELAY_ALLOWED_ENDPOINTS", allowed,
                "BACKUPRELAY_STAGING_DIR", staging.toString(),
                "SERVICE_HOST", "127.0.0.1"));
        Map<String, Map<String, String>> own = new LinkedHashMap<>();
        own.put("scheduler", Map.of("SCHEDULER_STATE_DIR", work.resolve("scheduler-state").toString(),
                "SCHEDULER_TEST_DAY_LENGTH", options.get("--day", "PT10S"), "SCHEDULER_TICK_INTERVAL", "PT2S"));
        // The named fault points kill a process where a crash hurts most (FaultPoints), a share of the times they are reached.
        String points = options.get("--fault-points", "0.03");
        // Each kill right after a send is a duplicate email no protocol can prevent: a small share keeps such
        // duplicates a fraction of the emails, while still reaching the point in a long run.
        String mailPoint = options.get("--mail-sent-point", "0.001");
        String armed = FaultPoints.DUMP_WRITTEN + "=" + points + "," + FaultPoints.BLOB_COMMITTED + "=" + points + ","
                + FaultPoints.MAIL_SENT + "=" + mailPoint;
        own.put("dump-worker-1", Map.of("BACKUPRELAY_INSTANCE_ID", "dump-1", "DUMP_MIN_FREE_MB", "64",
                "DUMP_SUPERSEDED_AGE", "PT30S", "BACKUPRELAY_FAULT_POINTS", armed));
        own.put("dump-worker-2", Map.of("BACKUPRELAY_INSTANCE_ID", "dump-2", "DUMP_MIN_FREE_MB", "64",
                "DUMP_SUPERSEDED_AGE", "PT30S", "BACKUPRELAY_FAULT_POINTS", armed));
        own.put("upload-worker-1", Map.of("BACKUPRELAY_INSTANCE_ID", "upload-1", "UPLOAD_RETRY_BUDGET", "PT10M",
                "BACKUPRELAY_FAULT_POINTS", armed));
        own.put("upload-worker-2", Map.of("BACKUPRELAY_INSTANCE_ID", "upload-2", "UPLOAD_RETRY_BUDGET", "PT10M",
                "BACKUPRELAY_FAULT_POINTS", armed));
        own.put("notifier", Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(smtpPort),
                "SMTP_SECURITY", "NONE", "SMTP_FROM", "backups@chaos.example", "BACKUPRELAY_INSTANCE_ID", "notifier-1",
                "BACKUPRELAY_FAULT_POINTS", armed));
        // Quick tries: a copy destination cut by a kill of the copier or a fault is waited out within the run.
        own.put("copier", Map.of("BACKUPRELAY_INSTANCE_ID", "copier-1", "COPY_RETRY_INITIAL", "PT2S",
                "COPY_RETRY_MAX", "PT10S", "COPY_RETRY_BUDGET", "PT20M"));
        own.put("console", Map.of("CONSOLE_HOST", "127.0.0.1", "CONSOLE_PORT", Integer.toString(consolePort),
                "CONSOLE_JWT_SECRET", jwtSecret, "CONSOLE_MANUAL_BACKUPS_PER_DAY", "1000"));
        for (var entry : own.entrySet()) {
            Map<String, String> env = new HashMap<>(common);
            env.putAll(entry.getValue());
            int port = ServiceJars.freePort();
            env.put("SERVICE_PORT", Integer.toString(port));
            ServiceProcess service = new ServiceProcess(entry.getKey(), entry.getKey().replaceAll("-\\d$", ""), env, port);
            if (entry.getKey().equals(NetworkPartition.WORKER) && partition.available()) {
                // Inside the namespace: the broker's listener on the host end, its health endpoint on the namespace's address.
                env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(partition.hostAddress()));
                env.put("SERVICE_HOST", NetworkPartition.INNER_ADDRESS);
                service = new ServiceProcess(entry.getKey(), service.module, env, port, NetworkPartition.INNER_ADDRESS,
                        partition.commandPrefix());
            }
            service.start();
            services.put(entry.getKey(), service);
        }
        for (ServiceProcess service : services.values()) {
            awaitReady(service, Duration.ofMinutes(3));
        }
        started = true;
        System.out.println("chaos: " + services.size() + " service processes ready");
    }

    /** SIGKILL of a service or of the broker, chosen at random; it is started again after 0.5 to 3 s. */
    void killOne(Random r) throws Exception {
        List<String> victims = new ArrayList<>(SERVICES);
        victims.add(BROKER);
        String name = victims.get(r.nextInt(victims.size()));
        Duration pause = Duration.ofMillis(500 + r.nextInt(2500));
        if (name.equals(BROKER)) {
            brokerLock.lock();
            try {
                Instant killed = Instant.now();
                broker.kill();
                faults.count("SIGKILL broker");
                Thread.sleep(pause);
                broker.restart();
                awaitAllReady(Duration.ofMinutes(5));
                faults.recovered("SIGKILL of the broker (kill to every service ready)", killed);
                faults.window(new FaultWindow("kill broker", killed, Instant.now()));
            } finally {
                brokerLock.unlock();
            }
            return;
        }
        ServiceProcess victim = services.get(name);
        if (!victim.hold()) {
            return; // being restarted (the scheduler at the end), or held by another fault
        }
        try {
            Instant killed = Instant.now();
            new ProcessBuilder("kill", "-9", Long.toString(victim.process.pid())).start().waitFor();
            victim.process.waitFor();
            faults.count("SIGKILL " + name.replaceAll("-\\d$", ""));
            Thread.sleep(pause);
            victim.start();
            awaitReady(victim, Duration.ofMinutes(5));
            faults.recovered("SIGKILL of a service (kill to ready)", killed);
            faults.window(new FaultWindow("kill " + name, killed, Instant.now()));
        } finally {
            victim.release();
        }
    }

    /** SIGSTOP of the broker for 5 to 20 s: it keeps its sockets and answers nothing, as a frozen VM would. */
    void freezeBroker(Random r) throws Exception {
        brokerLock.lock();
        try {
            Duration pause = Duration.ofSeconds(5 + r.nextInt(16));
            Instant frozen = Instant.now();
            broker.freeze();
            Thread.sleep(pause);
            broker.thaw();
            Instant thawed = Instant.now();
            faults.window(new FaultWindow("freeze broker", frozen, thawed));
            faults.count("SIGSTOP broker (5 to 20 s)");
            awaitAllReady(Duration.ofMinutes(5));
            faults.recovered("SIGSTOP of the broker (SIGCONT to every service ready)", thawed);
        } finally {
            brokerLock.unlock();
        }
    }

    /**
     * A service killed at a fault point is started again, and counted; one that ended otherwise
     * without being killed is a finding, and is started again too.
     */
    void watchdog() throws Exception {
        for (ServiceProcess service : services.values()) {
            if (!service.down && service.process != null && !service.process.isAlive()) {
                Instant ended = Instant.now();
                String point = haltedAt(service);
                if (point != null) {
                    faults.count("SIGKILL at fault point " + point);
                } else {
                    String exit = service.name + " exited by itself with code " + service.process.exitValue() + " at " + ended;
                    unexpectedExits.add(exit);
                    System.out.println("chaos: " + exit + "; starting it again");
                }
                service.down = true;
                try {
                    service.start();
                    awaitReady(service, Duration.ofMinutes(5));
                    if (point != null) {
                        faults.recovered("SIGKILL at a fault point (exit to ready)", ended);
                        faults.window(new FaultWindow("fault point " + point + " " + service.name, ended, Instant.now()));
                    }
                } finally {
                    service.down = false;
                }
            }
        }
    }

    /** The fault point a service's last lines name, if it was killed at one. */
    private String haltedAt(ServiceProcess service) throws IOException {
        if (service.process.exitValue() != FaultPoints.EXIT_CODE) {
            return null;
        }
        List<String> lines = Files.readAllLines(work.resolve(service.name + ".log"), StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= Math.max(0, lines.size() - 30); i--) {
            Matcher halted = HALTED.matcher(lines.get(i));
            if (halted.find()) {
                return halted.group(1);
            }
        }
        return null;
    }

    private void awaitAllReady(Duration within) throws InterruptedException {
        for (ServiceProcess service : services.values()) {
            if (!service.down) {
                awaitReady(service, within);
            }
        }
    }

    private void awaitReady(ServiceProcess service, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!service.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(service.name + " was not ready after " + within + "; see its log");
            }
            if (!service.process.isAlive() && !started) {
                throw new IllegalStateException(service.name + " exited with code " + service.process.exitValue()
                        + " before it was ready; see its log");
            }
            Thread.sleep(250);
        }
    }
}
