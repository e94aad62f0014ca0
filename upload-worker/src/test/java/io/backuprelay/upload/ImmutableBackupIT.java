package io.backuprelay.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobImmutabilityPolicy;
import com.azure.storage.blob.models.BlobImmutabilityPolicyMode;
import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.blob.block.BlobUploader;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.Immutability;
import io.backuprelay.common.account.Retention;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.ImmutableAzure;
import io.backuprelay.upload.afterstore.AfterStore;
import io.backuprelay.upload.store.StoreArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups of a connection that asks for immutability, stored through {@link ImmutableAzure} in front of Azurite. */
class ImmutableBackupIT {

    private static final ImmutableAzure AZURE = ImmutableAzure.start();
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(AZURE.origin()));
    /** A tenant that names its folder as people do: spaces, quotes, non-ASCII. */
    private static final String PATH = "/Kunden von \"Zoë's Bäckerei\" – Zürich/";

    /** The wall clock: the stand-in, like Azure, judges a policy's date by the real time. */
    private final Clock clock = Clock.systemUTC();
    /** An hour before the test: its backups are asked for a second apart from there. */
    private final Instant slot = clock.instant().minusSeconds(3600);
    private int asked;
    private final SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
    private final Map<String, Connection> connections = new HashMap<>();
    private final Topics topics = new Topics("t.");
    private final List<OpsEvent> events = new CopyOnWriteArrayList<>();
    private Retention retention;
    private BlobContainerClient platform;
    private UploadHandler handler;

    @TempDir
    Path staging;

    @AfterAll
    static void stop() {
        AZURE.close();
    }

    @BeforeEach
    void setUp() {
        // The platform's own client, holding the storage account's key, through the stand-in.
        platform = new BlobServiceClientBuilder().connectionString("DefaultEndpointsProtocol=http;AccountName="
                        + Azurite.ACCOUNT_NAME + ";AccountKey=" + Azurite.ACCOUNT_KEY + ";BlobEndpoint="
                        + AZURE.blobEndpoint() + ";").buildClient()
                .createBlobContainerIfNotExists("worm-" + UUID.randomUUID().toString().substring(0, 8));
        ServiceOps ops = new ServiceOps(events::add, "upload-worker", clock);
        StoreArchive store = new StoreArchive(key -> Optional.ofNullable(connections.get(key)), sealer,
                new BlobUploader(ACCESS, 4), ops);
        AfterStore afterStore = new AfterStore(new BlobUploader(ACCESS, 4), account -> Optional.ofNullable(retention)
                .map(kept -> new BackupSettings(account, BackupType.MANUAL, "main", List.of(), List.of(), kept, null)),
                ops, clock);
        handler = new UploadHandler(topics, staging, store, afterStore, StorageRetry.defaults(), ops, clock);
    }

    @Test
    void anImmutableBackupIsStoredUnderItsPolicyAndLegalHoldAndTheOutcomeSaysUntilWhen() throws Exception {
        connect(new Immutability(30, Immutability.Mode.UNLOCKED, true));
        DumpReady dump = stage(5 * 1024 * 1024 + 3);
        Instant before = Instant.now();

        BackupCompleted completed = (BackupCompleted) outcome(handler.handle(dump, context()));

        var properties = platform.getBlobClient(completed.destination().blobName()).getProperties();
        assertThat(properties.getImmutabilityPolicy().getPolicyMode()).isEqualTo(BlobImmutabilityPolicyMode.UNLOCKED);
        assertThat(properties.getImmutabilityPolicy().getExpiryTime().toInstant())
                .isBetween(before.plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS),
                        Instant.now().plus(Duration.ofDays(30)));
        assertThat(properties.hasLegalHold()).isTrue();
        assertThat(properties.getBlobSize()).isEqualTo(dump.sizeBytes());
        assertThat(completed.immutableUntil())
                .isCloseTo(properties.getImmutabilityPolicy().getExpiryTime().toInstant(), within(1, ChronoUnit.SECONDS));
        assertThat(completed.destination().blobName()).contains("Zoë's Bäckerei");
    }

    @Test
    void theAccountKeyCannotDeleteTheBackupBeforeItsDateAndCanOnceTheUnlockedPolicyIsRemoved() throws Exception {
        connect(new Immutability(1, Immutability.Mode.UNLOCKED, false));
        BackupCompleted completed = (BackupCompleted) outcome(handler.handle(stage(70_000), context()));
        var blob = platform.getBlobClient(completed.destination().blobName());

        assertThatThrownBy(blob::delete).isInstanceOfSatisfying(BlobStorageException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(409);
            assertThat(e.getErrorCode()).isEqualTo(BlobErrorCode.BLOB_IMMUTABLE_DUE_TO_POLICY);
        });
        assertThat(blob.exists()).isTrue();

        blob.deleteImmutabilityPolicy();
        blob.delete();
        assertThat(blob.exists()).isFalse();
    }

    @Test
    void retentionKeepsTheProtectedBackupAndSaysUntilWhen() throws Exception {
        connect(new Immutability(10, Immutability.Mode.LOCKED, false));
        retention = new Retention(1, null);
        BackupCompleted first = (BackupCompleted) outcome(handler.handle(stage(40_000), context()));
        events.clear();
        int refusedBefore = AZURE.refusals();

        BackupCompleted second = (BackupCompleted) outcome(handler.handle(stage(41_000), context()));

        assertThat(platform.getBlobClient(first.destination().blobName()).exists()).isTrue();
        assertThat(platform.getBlobClient(second.destination().blobName()).exists()).isTrue();
        assertThat(events).filteredOn(event -> event.status() == OpsStatus.DELETED).isEmpty();
        assertThat(AZURE.refusals()).as("no delete of the protected blob was even tried").isEqualTo(refusedBefore);
        assertThat(events).filteredOn(event -> event.status() == OpsStatus.KEPT).singleElement()
                .satisfies(kept -> assertThat(kept.detail()).isEqualTo(first.destination().blobName()
                        + " kept by policy until " + first.immutableUntil().truncatedTo(ChronoUnit.SECONDS)));
    }

    @Test
    void aRedoOfAStoredImmutableBackupFindsItStored() throws Exception {
        connect(new Immutability(3, Immutability.Mode.UNLOCKED, false));
        DumpReady dump = stage(60_000);
        BackupCompleted first = (BackupCompleted) outcome(handler.handle(dump, context()));
        String etag = platform.getBlobClient(first.destination().blobName()).getProperties().getETag();

        BackupCompleted again = (BackupCompleted) outcome(handler.handle(dump, context()));

        assertThat(again.destination()).isEqualTo(first.destination());
        assertThat(again.immutableUntil()).isEqualTo(first.immutableUntil());
        assertThat(platform.getBlobClient(first.destination().blobName()).getProperties().getETag()).isEqualTo(etag);
    }

    @Test
    void aWriteTheServiceRefusesAsImmutableIsReportedAsSuchWithItsDate() throws Exception {
        connect(null);
        DumpReady dump = stage(30_000);
        String name = ((BackupCompleted) outcome(handler.handle(dump, context()))).destination().blobName();
        var blob = platform.getBlobClient(name);
        blob.delete();
        blob.upload(BinaryData.fromBytes(new byte[0])); // an empty blob, as a follower's discarded blocks leave
        Instant until = Instant.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
        blob.setImmutabilityPolicy(new BlobImmutabilityPolicy().setExpiryTime(until.atOffset(ZoneOffset.UTC))
                .setPolicyMode(BlobImmutabilityPolicyMode.UNLOCKED));

        BackupFailed failed = (BackupFailed) outcome(handler.handle(dump, context()));

        assertThat(failed.reason()).isEqualTo("The blob " + name + " is kept by its immutability policy until " + until
                + " in container '" + platform.getBlobContainerName() + "'; backup " + dump.backupId()
                + " was not written over it.");
        assertThat(blob.getProperties().getBlobSize()).isZero();
    }

    private void connect(Immutability immutability) {
        String containerName = platform.getBlobContainerName();
        Connection connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "WORM", Azurite.ACCOUNT_NAME,
                containerName, PATH, sealer.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey("acme", "main",
                AZURE.blobEndpoint(), Azurite.ACCOUNT_NAME, containerName)), true, AZURE.blobEndpoint(), null, null,
                null, immutability);
        connections.put(connection.key(), connection);
    }

    private DumpReady stage(int bytes) throws Exception {
        String backupId = UUID.randomUUID().toString();
        byte[] content = new byte[bytes];
        new Random(bytes).nextBytes(content);
        Path file = staging.resolve(backupId + ".dump.zst");
        Files.write(file, content);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Instant now = clock.instant();
        // Each backup asked for a second after the one before: blob names carry the second, and keepLast the order.
        Instant requested = slot.plusSeconds(++asked);
        return new DumpReady(1, "e", backupId, "acme", now, Trigger.MANUAL, "main", requested,
                file.getFileName().toString(), bytes, sha256, Engine.POSTGRESQL, "15.19", DumpFormat.PG_DUMP_CUSTOM,
                Compression.ZSTD, Encryption.NONE, requested, now, 1, null, null, null, 0, List.of(), null);
    }

    private static JobContext context() {
        return new JobContext("t.backup.dumps", 0, 0, "acme", 1);
    }

    private BackupOutcome outcome(JobResult result) {
        assertThat(result.outputs()).hasSize(1);
        return Json.decode(result.outputs().getFirst().value(), BackupOutcome.class);
    }
}
