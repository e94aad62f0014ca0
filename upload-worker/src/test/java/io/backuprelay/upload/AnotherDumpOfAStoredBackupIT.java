package io.backuprelay.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.blob.block.BlobUploader;
import io.backuprelay.upload.afterstore.AfterStore;
import io.backuprelay.upload.store.StoreArchive;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup dumped twice (its request redelivered, or asked for twice) before the first dump's
 * success was recorded: the second archive reaches the upload worker when the first is stored and
 * reported already, under the same blob name.
 */
class AnotherDumpOfAStoredBackupIT {

    /** The emulator's origin is allowed beyond Azure's hosts, as a service's settings would list it. */
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(Azurite.origin()));

    private final Clock clock = Clock.systemUTC();

    @TempDir
    Path staging;

    private final SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
    private final Map<String, Connection> connections = new HashMap<>();
    private final Topics topics = new Topics("t.");
    private BlobContainerClient container;
    private UploadHandler handler;

    @BeforeEach
    void setUp() {
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("twice-" + UUID.randomUUID().toString().substring(0, 8));
        Connection connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "test",
                Azurite.ACCOUNT_NAME, container.getBlobContainerName(), "/tenants/",
                sealer.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey("acme", "main",
                        Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, container.getBlobContainerName())),
                true, Azurite.blobEndpoint(), null, null, null, null);
        connections.put(connection.key(), connection);
        BlobUploader uploader = new BlobUploader(ACCESS, 4);
        ServiceOps ops = ServiceOps.unpublished("upload-worker", clock);
        handler = new UploadHandler(topics, staging,
                new StoreArchive(key -> Optional.ofNullable(connections.get(key)), sealer, uploader, ops),
                new AfterStore(uploader, id -> Optional.empty(), ops, clock),
                StorageRetry.defaults(), ops, clock);
    }

    @Test
    void theSecondDumpIsAcknowledgedWithoutOverwritingTheStoredBackupOrReportingItAgain() throws Exception {
        String backupId = UUID.randomUUID().toString();
        DumpReady first = stage(backupId, "1a2b3c4d", 1);
        BackupCompleted stored = (BackupCompleted) outcome(handler.handle(first, context()));
        var blob = container.getBlobClient(stored.destination().blobName());
        String etag = blob.getProperties().getETag();
        DumpReady second = stage(backupId, "9f8e7d6c", 2);

        JobResult result = handler.handle(second, context());

        assertThat(result.outputs()).as("no second outcome").isEmpty();
        assertThat(blob.getProperties().getETag()).as("the stored backup is not overwritten").isEqualTo(etag);
        assertThat(blob.getProperties().getMetadata()).containsEntry("sha256", first.sha256());
        assertThat(sha256(blob.downloadContent().toBytes())).isEqualTo(first.sha256());
        result.afterCommit().run();
        assertThat(staging.resolve(second.stagingFile())).as("the second archive is of no further use").doesNotExist();
    }

    private DumpReady stage(String backupId, String attempt, long seed) throws Exception {
        byte[] content = new byte[200_000];
        new Random(seed).nextBytes(content);
        Path file = Files.write(staging.resolve(backupId + "." + attempt + ".archive"), content);
        Instant requested = Instant.parse("2026-11-26T09:59:00Z"); // the same slot, so the same blob name
        return new DumpReady(1, UUID.randomUUID().toString(), backupId, "acme", clock.instant(), Trigger.MANUAL,
                "main", requested, file.getFileName().toString(), content.length, sha256(content), Engine.POSTGRESQL, "15.19",
                DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE, clock.instant(), clock.instant(), 1, null, null, null, 0, List.of(), null);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static JobContext context() {
        return new JobContext("t.backup.dumps", 0, 0, "acme", 1);
    }

    private BackupOutcome outcome(JobResult result) {
        assertThat(result.outputs()).hasSize(1);
        return Json.decode(result.outputs().getFirst().value(), BackupOutcome.class);
    }
}
