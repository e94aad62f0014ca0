package io.backuprelay.standalone;

import io.backuprelay.azurite.AzuriteProcess;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.ServiceJars;
import io.backuprelay.testkit.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The footprint at rest (docs/benchmarks.md, "Footprint"): the standalone with its embedded broker, and each
 * service's runnable jar, each started as its own process with the JVM options its deployment uses
 * ({@code deploy/jvm/standalone.options}, {@code deploy/jvm/service.options}), then left idle; the resident
 * memory and the threads of each, from {@code /proc}, {@code idle} seconds after it answered ready, and the
 * highest resident memory seen meanwhile.
 *
 * <p>{@code ./backuprelay bench footprint [idle seconds] [standalone options] [service options] [checkout]}: an
 * options file, or {@code none} for the JVM's defaults (what the figures were before issue 30); the jars of another
 * checkout's build (an earlier commit's, for a comparison), by default this one's.
 */
public final class FootprintBenchmark {

    static final long STANDALONE_RSS_MB = 300;
    static final long STANDALONE_THREADS = 100;
    static final long SERVICE_RSS_MB = 150;
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final List<String> SERVICES = List.of("scheduler", "dump-worker", "upload-worker", "notifier",
            "verifier", "copier", "console");

    private FootprintBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path root = args.length > 3 ? Path.of(args[3]) : AzuriteProcess.home().getParent().getParent();
        int idle = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        String standaloneOptions = args.length > 1 ? args[1] : root.resolve("deploy/jvm/standalone.options").toString();
        String serviceOptions = args.length > 2 ? args[2] : root.resolve("deploy/jvm/service.options").toString();
        Path work = Files.createTempDirectory("backuprelay-footprint-");
        System.out.printf("Idle %d s after ready; %d cores, Java %s; jars of %s; options: standalone %s, services %s;"
                + " work in %s%n", idle, Runtime.getRuntime().availableProcessors(), Runtime.version(), root,
                standaloneOptions, serviceOptions, work);
        List<String> rows = new ArrayList<>();
        rows.add(standalone(root, work, idle, standaloneOptions));
        rows.addAll(services(root, work, idle, serviceOptions));
        System.out.println();
        System.out.println("| process | resident at " + idle + " s | highest resident while idle | threads | target |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.exit(0); // the in-JVM broker's threads
    }

    /** The standalone, its broker embedded, as {@code ./backuprelay standalone} runs it. */
    private static String standalone(Path root, Path work, int idle, String options) throws Exception {
        Path data = Files.createDirectories(work.resolve("standalone"));
        int servicePort = ServiceJars.freePort();
        Map<String, String> env = Map.of("BACKUPRELAY_DATA_DIR", data.toString(),
                "BACKUPRELAY_KAFKA_PORT", Integer.toString(ServiceJars.freePort()),
                "BACKUPRELAY_KAFKA_CONTROLLER_PORT", Integer.toString(ServiceJars.freePort()),
                "SERVICE_PORT", Integer.toString(servicePort), "CONSOLE_PORT", Integer.toString(ServiceJars.freePort()),
                "MALLOC_ARENA_MAX", "2");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions(options));
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-jar",
                root.resolve("standalone/target/backuprelay-standalone.jar").toString(), "standalone"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("standalone.log").toFile()));
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            awaitReady("standalone", process, servicePort);
            ProcSample sample = ProcSample.idle(Map.of("standalone", process), idle).get("standalone");
            return sample.row("standalone (embedded broker)", STANDALONE_RSS_MB, STANDALONE_THREADS);
        } finally {
            ServiceJars.stop(List.of(process), STOP_GRACE);
        }
    }

    /** Each service's runnable jar, as its image runs it, all at once against a broker of this JVM. */
    private static List<String> services(Path root, Path work, int idle, String options) throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        TopicProvisioner.ensureTopics(new KafkaSettings(TestKafka.bootstrapServers(), topics), 6, (short) 1);
        Map<String, String> common = Map.of("KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                "BACKUPRELAY_TOPIC_PREFIX", topics.prefix(), "BACKUPRELAY_CREATE_TOPICS", "false",
                "BACKUPRELAY_MASTER_KEY", SecretSealer.newBase64Key(), "SERVICE_HOST", "127.0.0.1",
                "MALLOC_ARENA_MAX", "2");
        Map<String, Process> processes = new LinkedHashMap<>();
        Map<String, Integer> ports = new HashMap<>();
        try {
            for (String service : SERVICES) {
                Path dir = Files.createDirectories(work.resolve(service));
                Map<String, String> env = new HashMap<>(common);
                int port = ServiceJars.freePort();
                env.put("SERVICE_PORT", Integer.toString(port));
                env.put("BACKUPRELAY_STAGING_DIR", Files.createDirectories(dir.resolve("staging")).toString());
                env.put("DRILL_STAGING_DIR", Files.createDirectories(dir.resolve("drill")).toString());
                env.put("SCHEDULER_STATE_DIR", dir.resolve("scheduler-state").toString());
                env.put("BACKUPRELAY_OUTBOX_DIR", Files.createDirectories(dir.resolve("outbox")).toString());
                env.put("CONSOLE_PORT", Integer.toString(ServiceJars.freePort()));
                env.put("CONSOLE_JWT_SECRET", SecretSealer.newBase64Key());
                processes.put(service, ServiceJars.start(ServiceJars.runnableJar(root, service), env,
                        work.resolve(service + ".log"), optionsWith(options, "--enable-native-access=ALL-UNNAMED",
                                "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")))));
                ports.put(service, port);
            }
            for (var entry : processes.entrySet()) {
                awaitReady(entry.getKey(), entry.getValue(), ports.get(entry.getKey()));
            }
            Map<String, ProcSample> samples = ProcSample.idle(processes, idle);
            List<String> rows = new ArrayList<>();
            samples.forEach((service, sample) -> rows.add(sample.row(service + " jar", SERVICE_RSS_MB, 0)));
            return rows;
        } finally {
            ServiceJars.stop(processes.values(), STOP_GRACE);
        }
    }

    private static void awaitReady(String name, Process process, int port) throws InterruptedException {
        if (!ServiceJars.awaitReady(() -> ServiceJars.ready(port), () -> process, Duration.ofMinutes(3),
                name + " was not ready within 3 minutes; see its log")) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; see its log");
        }
    }

    private static String[] optionsWith(String file, String... more) throws Exception {
        List<String> options = new ArrayList<>(jvmOptions(file));
        options.addAll(List.of(more));
        return options.toArray(String[]::new);
    }

    /** The file's options as {@code java @file} reads them (one or more a line), or none. */
    static List<String> jvmOptions(String file) throws Exception {
        if ("none".equals(file)) {
            return List.of();
        }
        return Files.readAllLines(Path.of(file)).stream().map(String::strip).filter(line -> !line.isEmpty())
                .flatMap(line -> List.of(line.split("\\s+")).stream()).toList();
    }
}
