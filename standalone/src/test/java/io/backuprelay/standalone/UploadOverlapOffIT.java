package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code UPLOAD_OVERLAP=false}: the upload starts only on {@code DumpReady}, as before the overlap, and still stores the backup. */
class UploadOverlapOffIT {

    @TempDir
    Path dataDir;

    @Test
    void withoutOverlapABackupIsUploadedAfterItsDumpAndStoredWhole() throws Exception {
        String prefix = TestKafka.uniquePrefix();
        String masterKey = SecretSealer.newBase64Key();
        SecretSealer sealer = SecretSealer.ofBase64("k1", masterKey);
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString())
                .buildClient().createBlobContainerIfNotExists("no-overlap-" + prefix.replace(".", ""));
        try (Standalone app = TestStack.start(prefix, dataDir, masterKey, Map.of("UPLOAD_OVERLAP", "false"));
             ScratchDatabase source = ScratchDatabase.postgres()) {
            Topics topics = app.topics();
            source.execute("CREATE TABLE item (id serial PRIMARY KEY, name text)",
                    "INSERT INTO item (name) SELECT 'item ' || g FROM generate_series(1, 20000) g");
            String accountId = "acct-" + prefix.replace(".", "").substring(0, 8);
            String admin = accountId + "-admin@tenant.example";
            KafkaProbe.send(topics.accounts(), accountId, Json.encode(new Account(accountId, "Tenant " + accountId, "en",
                    "Europe/Lisbon", List.of(admin), new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432,
                    source.name(), "postgres", sealer.seal("", SecretContext.databasePassword(accountId,
                    Engine.POSTGRESQL, "127.0.0.1", 5432, source.name(), "postgres"))))));
            Connection connection = new Connection(accountId, "main", ConnectionType.AZURE_BLOB, "Main backups",
                    Azurite.ACCOUNT_NAME, container.getBlobContainerName(), "backups",
                    sealer.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey(accountId, "main",
                    Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, container.getBlobContainerName())), true, Azurite.blobEndpoint(),
                    null, null, null, null);
            KafkaProbe.send(topics.connections(), connection.key(), Json.encode(connection));

            BackupRequested request = BackupRequested.manual(accountId, "main", admin, Instant.now());
            KafkaProbe.send(topics.requests(), accountId, Json.encode(request));

            BackupCompleted completed = await().atMost(Duration.ofSeconds(90)).until(() -> KafkaProbe.records(topics.outcomes())
                    .stream().map(r -> Json.decode(r.value(), BackupEvent.class))
                    .filter(BackupCompleted.class::isInstance).map(BackupCompleted.class::cast)
                    .filter(c -> c.backupId().equals(request.backupId())).findFirst(), Optional::isPresent)
                    .orElseThrow();
            byte[] stored = container.getBlobClient(completed.destination().blobName()).downloadContent().toBytes();
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)))
                    .isEqualTo(completed.sha256());
            assertThat(completed.checks()).contains("SHA256_OF_BYTES_SENT", "CRC64_PER_BLOCK");
            await().atMost(Duration.ofSeconds(60)).until(() -> TestSmtp.messagesTo(admin).size() == 1);

            List<OpsEvent> uploads = KafkaProbe.records(topics.ops()).stream()
                    .map(r -> Json.decode(r.value(), OpsEvent.class))
                    .filter(e -> request.backupId().equals(e.backupId()) && e.stage() == OpsStage.UPLOAD
                            && e.status() == OpsStatus.STARTED).toList();
            assertThat(uploads).as("one upload, started on DumpReady, none while dumped").hasSize(1)
                    .noneMatch(e -> String.valueOf(e.detail()).contains("while dumped"));
        }
    }
}
