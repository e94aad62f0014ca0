package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.azurite.AzuriteProcess;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./backuprelay demo}, run as a person runs it, on free ports. */
class DemoIT {

    @TempDir
    Path dataDir;

    @Test
    void theDemoBacksUpASampleDatabaseIntoAzuriteAndWritesTheEmail() throws Exception {
        Path root = AzuriteProcess.home().getParent().getParent();
        ProcessBuilder builder = new ProcessBuilder(List.of(root.resolve("backuprelay").toString(), "demo"))
                .directory(root.toFile()).redirectErrorStream(true);
        int kafkaPort = freePort();
        builder.environment().putAll(Map.of(
                "BACKUPRELAY_DATA_DIR", dataDir.toString(),
                "BACKUPRELAY_KAFKA_PORT", Integer.toString(kafkaPort),
                "BACKUPRELAY_KAFKA_CONTROLLER_PORT", Integer.toString(freePort()),
                "BACKUPRELAY_TOPIC_PARTITIONS", "3",
                "CONSOLE_PORT", Integer.toString(freePort()),
                "DEMO_AZURITE_PORT", Integer.toString(freePort()),
                "SERVICE_PORT", Integer.toString(freePort())));
        Process demo = builder.start();
        try {
            Map<String, String> printed = readUntilReady(demo);

            String blob = printed.get("blob");
            String container = blob.substring(0, blob.indexOf('/'));
            String blobName = blob.substring(blob.indexOf('/') + 1);
            var client = new BlobServiceClientBuilder().connectionString("DefaultEndpointsProtocol=http;AccountName="
                    + AzuriteProcess.ACCOUNT_NAME + ";AccountKey=" + AzuriteProcess.ACCOUNT_KEY + ";BlobEndpoint="
                    + printed.get("azurite") + ";").buildClient();
            assertThat(client.getBlobContainerClient(container).getBlobClient(blobName).getProperties().getBlobSize())
                    .isPositive();
            Path email = Path.of(printed.get("email"));
            assertThat(email).exists();
            try (var in = Files.newInputStream(email)) {
                var message = new MimeMessage(Session.getInstance(new Properties()), in);
                assertThat(message.getSubject()).isEqualTo("Database backup completed — Demo Company");
                assertThat(TestSmtp.text(message)).contains(blobName).contains(container);
            }
            assertThat(printed.get("console")).startsWith("http://127.0.0.1:").contains("#token=" + printed.get("token"));

            // Sized for one machine (docs/operations.md, "Memory and threads"): the embedded broker's internal topics
            // have one partition each, and the scheduler's schedules live in memory, with nothing of RocksDB on disk.
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
                var internal = admin.describeTopics(List.of("__consumer_offsets", "__transaction_state"))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
                assertThat(internal.values()).extracting(topic -> topic.partitions().size()).containsExactly(1, 1);
            }
            try (Stream<Path> state = Files.walk(dataDir)) {
                assertThat(state.map(Path::toString)).noneMatch(file -> file.contains("rocksdb"));
            }
        } finally {
            demo.destroy(); // SIGTERM, as Ctrl-C
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo stops on SIGTERM").isTrue();
        }
    }

    private static Map<String, String> readUntilReady(Process demo) throws Exception {
        CompletableFuture<Map<String, String>> ready = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            Map<String, String> printed = new HashMap<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.append(line).append('\n');
                    var match = Pattern.compile("^  (\\w+):\\s+(\\S+)$").matcher(line);
                    if (match.matches()) {
                        printed.put(match.group(1), match.group(2));
                    }
                    if (line.startsWith("Press Ctrl-C")) {
                        ready.complete(printed);
                    }
                }
                ready.completeExceptionally(new AssertionError("the demo ended before it was ready:\n" + output));
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
        });
        return ready.get(5, TimeUnit.MINUTES);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
