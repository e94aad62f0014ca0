package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.azurite.AzuriteProcess;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's commands as a user runs them: {@code java -jar backuprelay-standalone.jar COMMAND}, a JVM of their
 * own on the packaged jar and its {@code lib/}. Each prints what it is for on stdout and its diagnostics on
 * stderr, never the logging framework's own status lines (logback printed them, on stdout, while the jar's
 * classpath held a logback.xml in each service's jar).
 */
class CommandLineIT {

    private static final List<String> FRAMEWORK_STATUS = List.of("ch.qos.logback", "|-INFO", "|-WARN", "|-ERROR");
    private static final String ACCOUNT = "Zoë's Café";

    @TempDir
    Path work;

    private Topics topics;
    /** Over the broker's settings: the storage's key and allowlist for restore, or another broker. */
    private Map<String, String> environment = Map.of();

    @BeforeEach
    void topics() {
        topics = new Topics(TestKafka.uniquePrefix());
        TopicProvisioner.ensureTopics(new KafkaSettings(TestKafka.bootstrapServers(), topics), 1, (short) 1);
    }

    @Test
    void monitorPrintsTheBackupsStageChangesAndTheInstancesHeartbeatsOnlyWithInstances() throws Exception {
        String backup = UUID.randomUUID().toString();
        Instant t0 = Instant.parse("2026-11-26T09:00:00Z");
        List.of(new OpsEvent(backup, ACCOUNT, OpsStage.DUMP, OpsStatus.STARTED, 0L, "dump-worker", t0),
                new OpsEvent(null, null, OpsStage.INSTANCE, OpsStatus.HEARTBEAT, null, "dump-worker", t0.plusSeconds(60))
                        .withDetail("dump-worker-7F3C"),
                new OpsEvent(backup, ACCOUNT, OpsStage.DUMP, OpsStatus.FINISHED, 12_345_678L, "dump-worker",
                        t0.plusSeconds(95)))
                .forEach(e -> KafkaProbe.send(topics.ops(), e.backupId(), Json.encode(e)));

        Run backups = untilPrinted("FINISHED", "monitor", "--from-beginning");
        Run withInstances = untilPrinted("FINISHED", "monitor", "--from-beginning", "--instances");

        assertThat(backups.stdout().lines().toList()).hasSize(3);
        assertThat(backups.stdout().lines().findFirst().orElseThrow()).startsWith("time (UTC)");
        assertThat(backups.stdout()).contains(ACCOUNT).contains(backup).contains("1 min 35 s").contains("12,345,678")
                .doesNotContain("HEARTBEAT").doesNotContain("INSTANCE");
        assertThat(backups.stderr().lines().findFirst().orElseThrow())
                .isEqualTo("Monitoring " + topics.ops() + " at " + TestKafka.bootstrapServers()
                        + ": backup stage changes; Ctrl-C stops.");
        assertThat(withInstances.stdout().lines().toList()).hasSize(4);
        assertThat(withInstances.stdout()).contains("INSTANCE").contains("HEARTBEAT").contains("dump-worker-7F3C");
        assertThat(withInstances.stderr()).contains("backup stage changes and instance heartbeats");
        assertQuiet(backups, withInstances);
    }

    @Test
    void dlqRekeyAndTokenPrintTheirOutputAlone() throws Exception {
        Run dlq = run("dlq", "list");
        Run rekey = run("rekey");
        Run token = run("token", "--account", ACCOUNT, "--email", "zoe@cafe.example", "--locale", "es");

        assertThat(dlq.exitCode()).as(dlq.stderr()).isZero();
        assertThat(dlq.stdout().lines().toList()).hasSize(2);
        assertThat(dlq.stdout()).startsWith("id ").endsWith("0 dead letter(s)\n");
        assertThat(rekey.exitCode()).as(rekey.stderr()).isZero();
        assertThat(rekey.stdout()).isEqualTo("Re-sealed 0 record(s) with master key 'k1'; 0 already current.\n");
        assertThat(token.exitCode()).as(token.stderr()).isZero();
        assertThat(token.stdout()).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+\n");
        assertQuiet(dlq, rekey, token);
    }

    @Test
    void restoreSaysOnStderrThatTheContainerHoldsNoBackupOfTheAccount() throws Exception {
        String container = "restore-" + UUID.randomUUID().toString().substring(0, 8);
        new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainer(container);
        environment = Map.of("AZURE_STORAGE_KEY", Azurite.ACCOUNT_KEY, "BACKUPRELAY_ALLOWED_ENDPOINTS", Azurite.origin());

        Run restore = run("restore", "--account", ACCOUNT, "--latest", "--storage-account", Azurite.ACCOUNT_NAME,
                "--container", container, "--endpoint", Azurite.blobEndpoint(), "--to-file",
                work.resolve("Zoë's dump.sql").toString());
        Run help = run("restore", "--help");
        Run wrong = run("restore", "--latest");

        assertThat(restore.exitCode()).isEqualTo(1);
        assertThat(restore.stdout()).isEmpty();
        assertThat(restore.stderr()).startsWith("restore failed: No backup under ").contains("in the container");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).startsWith("usage: backuprelay restore SOURCE TARGET");
        assertThat(help.stderr()).isEmpty();
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.stdout()).isEmpty();
        assertThat(wrong.stderr()).startsWith("restore: give one of --blob-url");
        assertQuiet(restore, help, wrong);
    }

    @Test
    void aCommandSaysInOneLineThatNoBrokerAnswersAndGivesItsUsageWhenAsked() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        environment = Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closed);

        Run monitor = run("monitor");
        Run dlq = run("dlq", "list");
        Run help = run("monitor", "--help");

        assertThat(monitor.exitCode()).isEqualTo(1);
        assertThat(monitor.stdout()).isEmpty();
        assertThat(monitor.stderr()).isEqualTo("monitor: no Kafka broker answers at 127.0.0.1:" + closed
                + ". Start one with ./backuprelay standalone (or demo), or set KAFKA_BOOTSTRAP_SERVERS to your cluster's.\n");
        assertThat(dlq.exitCode()).isEqualTo(1);
        assertThat(dlq.stderr()).startsWith("dlq: no Kafka broker answers at 127.0.0.1:" + closed).hasLineCount(1);
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).startsWith("usage: backuprelay monitor").contains("--instances");
        assertThat(help.stderr()).isEmpty();
        assertQuiet(monitor, dlq, help);
    }

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private static void assertQuiet(Run... runs) {
        for (Run run : runs) {
            for (String status : FRAMEWORK_STATUS) {
                assertThat(run.stdout()).as("stdout").doesNotContain(status);
                assertThat(run.stderr()).as("stderr").doesNotContain(status);
            }
        }
    }

    /** The command, to its end. */
    private Run run(String... args) throws Exception {
        Process process = start(args);
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the command ends").isTrue();
        return collected(process, args);
    }

    /** A command that goes on until stopped: stopped (as Ctrl-C stops it) once its stdout has {@code text}. */
    private Run untilPrinted(String text, String... args) throws Exception {
        Process process = start(args);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out(args)).contains(text));
        } finally {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        return collected(process, args);
    }

    private Process start(String... args) throws Exception {
        Path jar = AzuriteProcess.home().getParent().getParent().resolve("standalone/target/backuprelay-standalone.jar");
        assertThat(jar).as("the packaged jar (the package phase makes it)").exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24) {
            // As ./backuprelay runs a JDK 24 or newer: the storage clients' Netty uses sun.misc.Unsafe.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(out(args).toFile()).redirectError(err(args).toFile());
        // The user's environment (its locale above all), without settings of this project that would steer the command.
        builder.environment().keySet().removeIf(name -> name.startsWith("BACKUPRELAY_") || name.startsWith("KAFKA_")
                || name.startsWith("AZURE_") || name.startsWith("CONSOLE_") || name.equals("DATA_DIR"));
        builder.environment().putAll(Map.of("KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                "BACKUPRELAY_TOPIC_PREFIX", topics.prefix(), "DATA_DIR", work.resolve("data").toString()));
        builder.environment().putAll(environment);
        return builder.start();
    }

    private Run collected(Process process, String... args) throws Exception {
        return new Run(process.exitValue(), Files.readString(out(args), StandardCharsets.UTF_8),
                Files.readString(err(args), StandardCharsets.UTF_8));
    }

    private Path out(String... args) {
        return work.resolve(Integer.toHexString(List.of(args).hashCode()) + ".out");
    }

    private Path err(String... args) {
        return work.resolve(Integer.toHexString(List.of(args).hashCode()) + ".err");
    }
}
