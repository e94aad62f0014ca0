package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ServiceJars;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload worker process killed with SIGKILL while it sends an archive that is still being dumped:
 * its successor, on {@code DumpReady}, sends only the blocks Azure does not hold, and stores the backup whole.
 */
class UploadWorkerKilledWhileFollowingIT {

    private static final int MIB = 1024 * 1024;

    @TempDir
    Path work;

    @Test
    void theUploadResumesFromTheBlocksSentBeforeTheKill() throws Exception {
        String prefix = TestKafka.uniquePrefix();
        Topics topics = new Topics(prefix);
        String masterKey = SecretSealer.newBase64Key();
        SecretSealer sealer = SecretSealer.ofBase64("k1", masterKey);
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString())
                .buildClient().createBlobContainerIfNotExists("killed-" + prefix.replace(".", ""));
        Connection connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "Main", Azurite.ACCOUNT_NAME,
                container.getBlobContainerName(), "tenants", sealer.seal(Azurite.ACCOUNT_KEY,
                SecretContext.accessKey("acme", "main",
                Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, container.getBlobContainerName())), true, Azurite.blobEndpoint(),
                null, null, null, null);
        Path staging = Files.createDirectories(work.resolve("staging"));
        int port = ServiceJars.freePort();
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                "BACKUPRELAY_TOPIC_PREFIX", prefix,
                "BACKUPRELAY_TOPIC_PARTITIONS", "2",
                "BACKUPRELAY_MASTER_KEY", masterKey,
                "BACKUPRELAY_STAGING_DIR", staging.toString(),
                "BACKUPRELAY_INSTANCE_ID", "upload-1",
                "BACKUPRELAY_ALLOWED_ENDPOINTS", Azurite.blobEndpoint().replaceFirst("(//[^/]+)/.*", "$1"),
                "SERVICE_HOST", "127.0.0.1",
                "SERVICE_PORT", Integer.toString(port),
                "UPLOAD_BLOCK_PARALLELISM", "1"));
        Path jar = ServiceJars.runnableJar("upload-worker");

        Process first = ServiceJars.start(jar, env, work.resolve("first.log"));
        Process second = null;
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> ServiceJars.ready(port));
            KafkaProbe.send(topics.connections(), connection.key(), Json.encode(connection));
            // The emulator's origin is an operator's entry: the account must be granted it.
            KafkaProbe.send(topics.accounts(), "acme", Json.encode(new Account("acme", "Acme",
                    "en", "UTC", List.of("ops@acme.example"), new SourceDatabase(
                    Engine.POSTGRESQL, "127.0.0.1", 5432, "acme", "postgres", null),
                    List.of(Azurite.blobEndpoint().replaceFirst("(//[^/]+)/.*", "$1")))));

            String backupId = UUID.randomUUID().toString();
            Instant slot = Instant.now();
            DumpStarted started = new DumpStarted(1, UUID.randomUUID().toString(), backupId, "acme", slot, "main",
                    backupId + ".0badcafe.dump-1.archive.partial", backupId + ".0badcafe.archive", Engine.POSTGRESQL,
                    DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE, slot, 1);
            byte[] content = new byte[40 * MIB + 12_345];
            new Random(17).nextBytes(content);
            Path partial = staging.resolve(started.partialFile());
            String blobName = "tenants/acme/" + DateTimeFormatter.ofPattern("yyyy/MM")
                    .withZone(ZoneOffset.UTC).format(slot) + "/acme-" + DateTimeFormatter
                    .ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(slot) + "-" + backupId
                    + ".dump.zst";
            AzureBlobStore store = new BlobAccess(EndpointPolicy.allowing(Azurite.origin())).store(connection.blobEndpoint(),
                    Azurite.ACCOUNT_NAME, container.getBlobContainerName(), BlobCredential.accountKey(Azurite.ACCOUNT_KEY));

            try (OutputStream out = Files.newOutputStream(partial)) {
                out.write(content, 0, 3 * 8 * MIB + 10); // three whole blocks while "the dump" writes
                out.flush();
                KafkaProbe.send(topics.dumps(), "acme", Json.encode(started));
                await().atMost(Duration.ofSeconds(60)).until(() -> store.uncommittedBlocks(blobName).size() >= 2);
                first.destroyForcibly(); // SIGKILL, mid-follow
                assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
                out.write(content, 3 * 8 * MIB + 10, content.length - (3 * 8 * MIB + 10));
            }
            long stagedBeforeTheKill = store.uncommittedBlocks(blobName).values().stream().mapToLong(Long::longValue).sum();
            Files.move(partial, staging.resolve(started.stagingFile()), StandardCopyOption.ATOMIC_MOVE);

            second = ServiceJars.start(jar, env, work.resolve("second.log"));
            await().atMost(Duration.ofSeconds(90)).until(() -> ServiceJars.ready(port));
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            KafkaProbe.send(topics.dumps(), "acme", Json.encode(new DumpReady(1, UUID.randomUUID().toString(), backupId,
                    "acme", Instant.now(), Trigger.MANUAL, "main", slot, started.stagingFile(), content.length, sha256,
                    Engine.POSTGRESQL, "15.19", DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE, slot, Instant.now(), 1, null, slot, null, 0, List.of(),
                    null)));

            BackupCompleted completed = await().atMost(Duration.ofSeconds(90)).until(() -> KafkaProbe.records(
                            topics.outcomes()).stream().map(r -> Json.decode(r.value(), BackupEvent.class))
                    .filter(BackupCompleted.class::isInstance).map(BackupCompleted.class::cast)
                    .filter(c -> c.backupId().equals(backupId)).findFirst(), Optional::isPresent).orElseThrow();
            assertThat(completed.destination().blobName()).isEqualTo(blobName);
            assertThat(container.getBlobClient(blobName).downloadContent().toBytes()).isEqualTo(content);
            List<OpsEvent> finished = KafkaProbe.records(topics.ops()).stream()
                    .map(r -> Json.decode(r.value(), OpsEvent.class))
                    .filter(e -> backupId.equals(e.backupId()) && e.stage() == OpsStage.UPLOAD
                            && e.status() == OpsStatus.FINISHED).toList();
            assertThat(stagedBeforeTheKill).as("blocks the killed worker sent").isGreaterThanOrEqualTo(2L * 8 * MIB);
            assertThat(finished).singleElement().satisfies(e -> assertThat(e.bytes())
                    .as("the successor sent only what Azure did not hold").isEqualTo(content.length - stagedBeforeTheKill));
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }
}
