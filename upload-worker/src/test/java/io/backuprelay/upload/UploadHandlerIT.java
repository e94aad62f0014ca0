package io.backuprelay.upload;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.BlobNaming;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobProperties;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.PoisonMessageException;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload step against Azurite: what lands in the container, and what a super-admin is told when it cannot. */
class UploadHandlerIT {

    /** The emulator's origin is allowed beyond Azure's hosts, as a service's settings would list it. */
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(Azurite.origin()));

    /**
     * The wall clock, for the handler too: Azurite checks SAS tokens against the real time, so a
     * handler on a fixed clock would judge a token's expiry on another day than the service does.
     */
    private final Clock clock = Clock.systemUTC();
    private final Instant NOW = clock.instant();

    @TempDir
    Path staging;

    private final SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
    private final Map<String, Connection> connections = new HashMap<>();
    private final Topics topics = new Topics("t.");
    private BlobContainerClient container;
    private StoreArchive store;
    private UploadHandler handler;

    @BeforeEach
    void setUp() {
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("uploads-" + UUID.randomUUID().toString().substring(0, 8));
        store = storeArchive();
        handler = handler(store);
    }

    /** The store step on the connections of this test, sending 4 blocks at once. */
    private StoreArchive storeArchive() {
        return new StoreArchive(key -> Optional.ofNullable(connections.get(key)), sealer, new BlobUploader(ACCESS, 4),
                ServiceOps.unpublished("upload-worker", clock));
    }

    private UploadHandler handler(StoreArchive store) {
        ServiceOps ops = ServiceOps.unpublished("upload-worker", clock);
        return new UploadHandler(topics, staging, store, new AfterStore(new BlobUploader(ACCESS, 4), id -> Optional.empty(),
                ops, clock), StorageRetry.defaults(), ops, clock);
    }

    @Test
    void uploadsTheArchiveVerifiesItAndRemovesTheStagedFileOnlyAfterCommit() throws Exception {
        connect("main", container.getBlobContainerName(), Azurite.ACCOUNT_KEY);
        DumpReady dump = stage(3 * 1024 * 1024 + 17);

        JobResult result = handler.handle(dump, context());

        BackupCompleted completed = (BackupCompleted) outcome(result);
        ZonedDateTime requested = dump.requestedAt().atZone(ZoneOffset.UTC);
        assertThat(completed.destination().blobName()).isEqualTo("tenants/acme/"
                + DateTimeFormatter.ofPattern("yyyy/MM").format(requested) + "/acme-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(requested) + "-"
                + dump.backupId() + ".dump.zst");
        BlobProperties properties = container.getBlobClient(completed.destination().blobName()).getProperties();
        assertThat(properties.getBlobSize()).isEqualTo(dump.sizeBytes());
        assertThat(properties.getMetadata()).containsEntry("sha256", dump.sha256()).containsEntry("writtenby", "backuprelay");
        assertThat(container.getBlobClient(completed.destination().blobName()).downloadContent().toBytes())
                .isEqualTo(Files.readAllBytes(staging.resolve(dump.stagingFile())));
        assertThat(staging.resolve(dump.stagingFile())).exists();

        result.afterCommit().run();

        assertThat(staging.resolve(dump.stagingFile())).doesNotExist();
    }

    /** A writer to backup.dumps could name any file of the worker's machine: only staging is read. */
    @Test
    void anArchiveNamedOutsideStagingIsPoisonAndNothingIsRead() throws Exception {
        connect("main", container.getBlobContainerName(), Azurite.ACCOUNT_KEY);
        DumpReady staged = stage(1_000);
        Path outside = Files.writeString(staging.getParent().resolve("outside-" + UUID.randomUUID() + ".dump.zst"), "secret");
        DumpReady aimed = new DumpReady(1, "e", staged.backupId(), "acme", NOW, Trigger.MANUAL, "main", staged.requestedAt(),
                "../" + outside.getFileName(), 6, staged.sha256(), Engine.POSTGRESQL, "15.19", DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD,
                Encryption.NONE,
                staged.requestedAt(), NOW, 1, null, null, null, 0, List.of(), null);

        assertThatThrownBy(() -> handler.handle(aimed, context()))
                .isInstanceOf(PoisonMessageException.class)
                .hasMessageContaining("outside the staging directory");
        assertThat(container.listBlobs().stream().map(b -> b.getName()).toList()).noneMatch(n -> n.contains(staged.backupId()));
        assertThat(outside).exists();
        Files.delete(outside);
    }

    @Test
    void aRedeliveredDumpOfAStoredBackupCompletesWithoutSendingItAgain() throws Exception {
        connect("main", container.getBlobContainerName(), Azurite.ACCOUNT_KEY);
        DumpReady dump = stage(100_000);
        BackupCompleted first = (BackupCompleted) outcome(handler.handle(dump, context()));
        String etag = container.getBlobClient(first.destination().blobName()).getProperties().getETag();
        Files.delete(staging.resolve(dump.stagingFile())); // the first attempt's after-commit step ran

        BackupCompleted again = (BackupCompleted) outcome(handler.handle(dump, context()));

        assertThat(again.destination()).isEqualTo(first.destination());
        assertThat(container.getBlobClient(first.destination().blobName()).getProperties().getETag()).isEqualTo(etag);
    }

    /**
     * Found by the chaos run (seed 12): a dump worker halted after writing an archive dumps the backup
     * again, and the first archive stayed in staging for 48 hours. The dump worker now removes the
     * archives of succeeded backups, which is safe because no upload of a succeeded backup happens.
     */
    @Test
    void aDumpOfABackupAlreadyRecordedAsSucceededIsNeitherUploadedNorReportedAndItsArchiveGoes() throws Exception {
        connect("main", container.getBlobContainerName(), Azurite.ACCOUNT_KEY);
        DumpReady dump = stage(50_000);
        var done = new BackupStatus.OutcomeSummary(dump.backupId(), true,
                Trigger.MANUAL, NOW, 10L, "other-blob", null, null, null, null, null, null);
        handler.withStatuses(account -> Optional.of(new BackupStatus(account, NOW,
                dump.backupId(), done, null, List.of(done), BackupType.MANUAL, null, null, 0,
                null)));

        JobResult result = handler.handle(dump, context());

        assertThat(result.outputs()).as("no second outcome").isEmpty();
        assertThat(container.listBlobs()).as("no second blob").isEmpty();
        result.afterCommit().run();
        assertThat(staging.resolve(dump.stagingFile())).doesNotExist();
    }

    @Test
    void aRejectedAccessKeyIsReportedAsSuch() throws Exception {
        byte[] wrongKey = new byte[64];
        new Random(1).nextBytes(wrongKey);
        connect("main", container.getBlobContainerName(), Base64.getEncoder().encodeToString(wrongKey));
        DumpReady dump = stage(1000);

        BackupFailed failed = (BackupFailed) outcome(handler.handle(dump, context()));

        assertThat(failed.stage()).isEqualTo(FailureStage.UPLOAD);
        // Azure answers a wrong key with AuthenticationFailed, the emulator with AuthorizationFailure: both name the key.
        assertThat(failed.reason()).startsWith("Storage account 'devstoreaccount1' refused the access key: the key is wrong")
                .contains("Update the key of the connection 'main'");
    }

    @Test
    void aMissingContainerIsNamed() throws Exception {
        connect("main", "no-such-container", Azurite.ACCOUNT_KEY);
        DumpReady dump = stage(1000);

        BackupFailed failed = (BackupFailed) outcome(handler.handle(dump, context()));

        assertThat(failed.reason()).isEqualTo("The container 'no-such-container' does not exist in storage account"
                + " 'devstoreaccount1'. Create it, or correct the connection.");
    }

    @Test
    void aSasTokenWorksInsteadOfTheKeyAndASoonExpiringOneIsWarnedAbout() throws Exception {
        String sas = sas(OffsetDateTime.now(clock).plusDays(5));
        connectWithSas(sas);
        DumpReady dump = stage(2000);

        BackupCompleted completed = (BackupCompleted) outcome(handler.handle(dump, context()));

        assertThat(container.getBlobClient(completed.destination().blobName()).exists()).isTrue();
        assertThat(completed.warnings()).singleElement().asString()
                .startsWith("The SAS token of the connection 'main' expires on ")
                .endsWith("Replace it before then, or backups to this connection will fail.")
                .doesNotContain(sas);
    }

    @Test
    void anExpiredSasTokenFailsTheUploadNamingTheToken() throws Exception {
        connectWithSas(sas(OffsetDateTime.now(clock).minusHours(1)));
        DumpReady dump = stage(2000);

        BackupFailed failed = (BackupFailed) outcome(handler.handle(dump, context()));

        assertThat(failed.reason()).isEqualTo("Storage account 'devstoreaccount1' rejected the SAS token of the"
                + " connection 'main' (it may have expired, or lack a permission). Replace the token.");
    }

    @Test
    void anArchiveAlteredAfterTheDumpIsNeverCommittedAndTheBackupIsDumpedAgain() throws Exception {
        connect("main", container.getBlobContainerName(), Azurite.ACCOUNT_KEY);
        DumpReady dump = stage(9 * 1024 * 1024 + 3);
        Path file = staging.resolve(dump.stagingFile());
        byte[] altered = Files.readAllBytes(file);
        altered[8 * 1024 * 1024 + 1] ^= 0x04; // same size, one bit flipped in the second block
        Files.write(file, altered);

        JobResult result = handler.handle(dump, context());

        assertThat(container.listBlobs().stream().count()).as("nothing committed").isZero();
        assertThat(result.outputs()).singleElement().satisfies(output -> {
            assertThat(output.topic()).isEqualTo(topics.requests());
            BackupRequested again = Json.decode(output.value(), BackupRequested.class);
            assertThat(again.backupId()).isEqualTo(dump.backupId());
            assertThat(again.slotAt()).isEqualTo(dump.slotAt());
            assertThat(again.redumps()).isEqualTo(1);
        });
        result.afterCommit().run();
        assertThat(file).as("the altered archive is removed once the new request is committed").doesNotExist();
    }

    @Test
    void whatTheDumpWarnedAboutReachesTheCompletedBackup() throws Exception {
        connect("main", container.getBlobContainerName(), Azurite.ACCOUNT_KEY);
        DumpReady staged = stage(1000);
        DumpReady warned = new DumpReady(1, "e", staged.backupId(), "acme", NOW, Trigger.MANUAL, "main",
                staged.requestedAt(), staged.stagingFile(), 1000, staged.sha256(), Engine.MARIADB, "10.11", DumpFormat.MARIADB_SQL,
                Compression.ZSTD, Encryption.NONE, staged.requestedAt(), NOW, 1, null, staged.slotAt(), "ana@acme.example", 0,
                List.of("The backup user 'backup' cannot read stored procedures and functions"), null);

        BackupCompleted completed = (BackupCompleted) outcome(handler.handle(warned, context()));

        assertThat(completed.warnings()).contains("The backup user 'backup' cannot read stored procedures and functions");
    }

    @Test
    void aBackupWhoseArchiveKeepsChangingFailsAfterTwoFreshDumps() throws Exception {
        connect("main", container.getBlobContainerName(), Azurite.ACCOUNT_KEY);
        DumpReady staged = stage(2000);
        Files.write(staging.resolve(staged.stagingFile()), new byte[2000]);
        DumpReady thirdDump = new DumpReady(1, "e", staged.backupId(), "acme", NOW, Trigger.MANUAL, "main",
                staged.requestedAt(), staged.stagingFile(), 2000, staged.sha256(), Engine.POSTGRESQL, "15.19", DumpFormat.PG_DUMP_CUSTOM,
                Compression.ZSTD, Encryption.NONE, staged.requestedAt(), NOW, 1, null, staged.slotAt(), "ana@acme.example", 2, List.of(), null);

        BackupFailed failed = (BackupFailed) outcome(handler.handle(thirdDump, context()));

        assertThat(failed.reason()).contains("changed after the dump").contains("dumped afresh 2 times");
    }

    @Test
    void withReadBackTheStoredBlobIsDownloadedAndComparedAndTheEventSaysSo() throws Exception {
        connect("main", container.getBlobContainerName(), Azurite.ACCOUNT_KEY);
        DumpReady dump = stage(1_000_000);
        UploadHandler readingBack = handler(storeArchive().withReadBack());

        BackupCompleted completed = (BackupCompleted) outcome(readingBack.handle(dump, context()));
        BackupCompleted inFlightOnly = (BackupCompleted) outcome(handler.handle(stage(1000), context()));

        assertThat(completed.checks()).containsExactly("SHA256_OF_BYTES_SENT", "CRC64_PER_BLOCK", "READ_BACK_SHA256");
        assertThat(inFlightOnly.checks()).containsExactly("SHA256_OF_BYTES_SENT", "CRC64_PER_BLOCK");
    }

    @Test
    void anArchiveAnnouncedByDumpStartedIsSentWhileItIsDumpedAndCommittedOnDumpReady() throws Exception {
        connect("main", container.getBlobContainerName(), Azurite.ACCOUNT_KEY);
        store.withOverlap(2, Duration.ofSeconds(30));
        String backupId = UUID.randomUUID().toString();
        byte[] content = new byte[20 * 1024 * 1024 + 5];
        new Random(11).nextBytes(content);
        Instant requested = NOW.minusSeconds(60);
        var started = new DumpStarted(1, "s", backupId, "acme", NOW, "main",
                backupId + ".a1b2c3d4.w1.archive.partial", backupId + ".a1b2c3d4.archive", Engine.POSTGRESQL, DumpFormat.PG_DUMP_CUSTOM,
                Compression.ZSTD, Encryption.NONE, requested, 1);
        String blobName = BlobNaming.blobName("/tenants/", started);

        assertThat(handler.started(started).outputs()).as("nothing published for the announcement").isEmpty();
        Path partial = staging.resolve(started.partialFile());
        try (var out = Files.newOutputStream(partial)) {
            out.write(content, 0, 17 * 1024 * 1024);
            out.flush();
            var store = ACCESS.azure(connections.get(Connection.key("acme", "main")),
                    BlobCredential.accountKey(Azurite.ACCOUNT_KEY));
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(store.uncommittedBlocks(blobName))
                            .as("two whole 8 MiB blocks sent while the dump writes").hasSize(2));
            out.write(content, 17 * 1024 * 1024, content.length - 17 * 1024 * 1024);
        }
        Files.move(partial, staging.resolve(started.stagingFile()), StandardCopyOption.ATOMIC_MOVE);
        DumpReady dump = new DumpReady(1, "e", backupId, "acme", NOW, Trigger.MANUAL, "main", requested,
                started.stagingFile(), content.length,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), Engine.POSTGRESQL, "15.19",
                DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE, requested, NOW, 1, null, null, null, 0, List.of(), null);

        BackupCompleted completed = (BackupCompleted) outcome(handler.handle(dump, context()));

        assertThat(completed.destination().blobName()).isEqualTo(blobName);
        assertThat(completed.checks()).containsExactly("SHA256_OF_BYTES_SENT", "CRC64_PER_BLOCK");
        assertThat(container.getBlobClient(blobName).downloadContent().toBytes()).isEqualTo(content);
    }

    private String sas(OffsetDateTime expiry) {
        var permissions = new BlobContainerSasPermission().setReadPermission(true)
                .setWritePermission(true).setCreatePermission(true).setAddPermission(true).setListPermission(true)
                .setDeletePermission(true);
        return container.generateSas(new BlobServiceSasSignatureValues(expiry, permissions)
                .setStartTime(OffsetDateTime.now(clock).minusHours(2)));
    }

    private void connectWithSas(String sas) {
        Connection connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "test", Azurite.ACCOUNT_NAME,
                container.getBlobContainerName(), "/tenants/", null, true, Azurite.blobEndpoint(), null,
                sealer.seal(sas, SecretContext.sasToken("acme", "main",
                        Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, container.getBlobContainerName())), null, null);
        connections.put(connection.key(), connection);
    }

    @Test
    void aDeletedConnectionIsNamed() throws Exception {
        DumpReady dump = stage(1000);

        BackupFailed failed = (BackupFailed) outcome(handler.handle(dump, context()));

        assertThat(failed.reason()).isEqualTo("The connection 'main' of account 'acme' does not exist (it may have been deleted).");
    }

    private void connect(String connectionId, String containerName, String key) {
        Connection connection = new Connection("acme", connectionId, ConnectionType.AZURE_BLOB, "test",
                Azurite.ACCOUNT_NAME, containerName, "/tenants/",
                sealer.seal(key, SecretContext.accessKey("acme", connectionId,
                        Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, containerName)), true, Azurite.blobEndpoint(),
                        null, null, null, null);
        connections.put(connection.key(), connection);
    }

    private DumpReady stage(int bytes) throws Exception {
        String backupId = UUID.randomUUID().toString();
        byte[] content = new byte[bytes];
        new Random(bytes).nextBytes(content);
        Path file = staging.resolve(backupId + ".dump.zst");
        Files.write(file, content);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Instant requested = NOW.minusSeconds(60);
        return new DumpReady(1, "e", backupId, "acme", NOW, Trigger.MANUAL, "main", requested, file.getFileName().toString(),
                bytes, sha256, Engine.POSTGRESQL, "15.19", DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE,
                requested, NOW, 1, null, null, null, 0, List.of(), null);
    }

    private static JobContext context() {
        return new JobContext("t.backup.dumps", 0, 0, "acme", 1);
    }

    private BackupOutcome outcome(JobResult result) {
        assertThat(result.outputs()).hasSize(1);
        assertThat(result.outputs().getFirst().topic()).isEqualTo(topics.outcomes());
        return Json.decode(result.outputs().getFirst().value(), BackupOutcome.class);
    }
}
