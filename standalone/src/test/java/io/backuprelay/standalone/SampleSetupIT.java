package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.SampleSetup;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose file's one-shot init (SampleSetup), against a running stack: after it, a first
 * backup of the sample database is in the storage and its email in the mail server. Compose
 * itself cannot run here (no container engine); this is what its init service runs.
 */
class SampleSetupIT {

    private static final String SECRET = "sample-setup-secret-" + UUID.randomUUID();

    @TempDir
    Path dataDir;

    @Test
    void theSampleAccountIsRegisteredAndItsFirstBackupStoredAndMailed() throws Exception {
        try (ScratchDatabase sample = ScratchDatabase.postgres();
             Standalone app = TestStack.start(TestKafka.uniquePrefix(), dataDir, SecretSealer.newBase64Key(), Map.of(
                     "BACKUPRELAY_TOPIC_PARTITIONS", "2",
                     "CONSOLE_PORT", "0",
                     "CONSOLE_JWT_SECRET", SECRET,
                     // The sample storage is an operator's entry the sample account is granted, as in the demo.
                     "BACKUPRELAY_ALLOWED_ENDPOINTS", Azurite.origin()))) {
            sample.execute("CREATE TABLE greeting (id int PRIMARY KEY, text text)",
                    "INSERT INTO greeting VALUES (1, 'hello')");
            String account = "sample-" + UUID.randomUUID().toString().substring(0, 8);
            String container = "sample-" + UUID.randomUUID().toString().substring(0, 8);
            String admin = account + "@sample.example";
            ByteArrayOutputStream printed = new ByteArrayOutputStream();

            String backupId = new SampleSetup(new ConfigSource(Map.ofEntries(
                    Map.entry("CONSOLE_URL", "http://127.0.0.1:" + app.consolePort()),
                    Map.entry("CONSOLE_JWT_SECRET", SECRET),
                    Map.entry("SAMPLE_ACCOUNT", account),
                    Map.entry("SAMPLE_ADMIN_EMAIL", admin),
                    Map.entry("SAMPLE_DB_HOST", "127.0.0.1"),
                    Map.entry("SAMPLE_DB_NAME", sample.name()),
                    Map.entry("SAMPLE_DB_USER", "postgres"),
                    Map.entry("SAMPLE_STORAGE_ACCOUNT", Azurite.ACCOUNT_NAME),
                    Map.entry("SAMPLE_STORAGE_KEY", Azurite.ACCOUNT_KEY),
                    Map.entry("SAMPLE_STORAGE_ENDPOINT", Azurite.blobEndpoint()),
                    Map.entry("SAMPLE_CONTAINER", container),
                    Map.entry("BACKUPRELAY_ALLOWED_ENDPOINTS", Azurite.origin()))),
                    new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Registered account " + account)
                    .contains("Asked for the first backup: " + backupId);
            await().atMost(Duration.ofSeconds(120)).until(() -> TestSmtp.messagesTo(admin).size() == 1);
            assertThat(TestSmtp.messagesTo(admin).getFirst().getSubject()).startsWith("Database backup completed");
            assertThat(new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                    .getBlobContainerClient(container).listBlobs().stream().map(b -> b.getName()).toList())
                    .anyMatch(name -> name.startsWith("backups/" + account + "/") && name.contains(backupId)
                            && name.endsWith(".dump.zst"));
        }
    }
}
