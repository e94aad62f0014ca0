package io.backuprelay.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.RetryingHandler;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.FaultProxy;
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
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storage faults injected between the upload worker and Azurite by an HTTP proxy. */
class StorageFaultsIT {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path staging;

    private final SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
    private final Topics topics = new Topics("t.");
    private final ConcurrentLinkedQueue<OpsEvent> ops = new ConcurrentLinkedQueue<>();
    private FaultProxy proxy;
    private BlobContainerClient container;
    private Connection connection;

    @BeforeEach
    void setUp() {
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("faults-" + UUID.randomUUID().toString().substring(0, 8));
        proxy = FaultProxy.start(Azurite.blobEndpoint());
        connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "test", Azurite.ACCOUNT_NAME,
                container.getBlobContainerName(), "tenants",
                sealer.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey("acme", "main",
                        proxy.endpointFor(Azurite.blobEndpoint()), Azurite.ACCOUNT_NAME, container.getBlobContainerName())), true,
                proxy.endpointFor(Azurite.blobEndpoint()), null, null, null, null);
    }

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aMinuteOfServerBusyIsWaitedOutFromTheStagedArchiveWithoutASecondDump() throws Exception {
        DumpReady dump = stage(9 * 1024 * 1024 + 5);
        proxy.failFor(Duration.ofSeconds(60), 503, "ServerBusy");
        long started = System.nanoTime();
        UploadHandler handler = handler(Duration.ofMinutes(5));
        // What the alert "an upload retrying for more than 10 minutes" reads, sampled while it retries.
        List<Duration> retrying = new CopyOnWriteArrayList<>();
        var sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> retrying.add(handler.longestRetry()), 0, 500, TimeUnit.MILLISECONDS);

        JobResult result;
        try {
            result = handler.handle(dump, context());
        } finally {
            sampler.shutdownNow();
        }

        assertThat(retrying).as("the gauge grows while the upload retries").anyMatch(d -> d.toSeconds() >= 30);
        assertThat(handler.longestRetry()).as("and is zero once it is done").isZero();
        BackupCompleted completed = (BackupCompleted) outcome(result);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(proxy.faultedRequests()).isPositive();
        assertThat(container.getBlobClient(completed.destination().blobName()).downloadContent().toBytes())
                .isEqualTo(Files.readAllBytes(staging.resolve(dump.stagingFile())));
        assertThat(container.listBlobs().stream().filter(b -> !b.getName().endsWith(".manifest.json")).count())
                .as("one backup, one blob").isEqualTo(1);
        assertThat(ops).anyMatch(e -> e.status() == OpsStatus.RETRIED);
        assertThat(staging.resolve(dump.stagingFile())).as("kept until the outcome is committed").exists();
        result.afterCommit().run();
        assertThat(staging.resolve(dump.stagingFile())).doesNotExist();
    }

    @Test
    void aRejectedKeyFailsAtOnceWithTheReason() throws Exception {
        DumpReady dump = stage(1000);
        proxy.failFor(Duration.ofMinutes(10), 403, "AuthenticationFailed");
        long started = System.nanoTime();

        JobResult result = handler(Duration.ofMinutes(5)).handle(dump, context());

        BackupFailed failed = (BackupFailed) outcome(result);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(failed.reason()).contains("rejected the access key").contains("'main'");
        assertThat(ops).noneMatch(e -> e.status() == OpsStatus.RETRIED);
        assertThat(proxy.faultedRequests()).as("a permanent fault is not retried").isLessThanOrEqualTo(2);
    }

    @Test
    void aTransientFaultThatOutlastsTheBudgetFailsSayingSo() throws Exception {
        DumpReady dump = stage(1000);
        proxy.failFor(Duration.ofMinutes(10), 500, "InternalError");

        BackupFailed failed = (BackupFailed) outcome(handler(Duration.ofSeconds(3)).handle(dump, context()));

        assertThat(failed.reason()).contains("HTTP 500").contains("gave up");
    }

    private UploadHandler handler(Duration budget) {
        BlobUploader uploader = new BlobUploader(new BlobAccess(EndpointPolicy.allowing(proxy.origin())), 2); // the proxy, as a service's settings would list it
        ServiceOps events = new ServiceOps(ops::add, "upload-worker", Clock.systemUTC());
        return new UploadHandler(topics, staging,
                new StoreArchive(key -> Optional.of(connection), sealer, uploader, events),
                new AfterStore(uploader, id -> Optional.empty(), events, Clock.systemUTC()),
                new StorageRetry(budget, Duration.ofSeconds(2), RetryingHandler.Sleeper.REAL), events,
                Clock.systemUTC());
    }

    private DumpReady stage(int bytes) throws Exception {
        String backupId = UUID.randomUUID().toString();
        byte[] content = new byte[bytes];
        new Random(bytes).nextBytes(content);
        Path file = staging.resolve(backupId + ".abcd1234.archive");
        Files.write(file, content);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        return new DumpReady(1, "e", backupId, "acme", NOW, Trigger.MANUAL, "main", NOW, file.getFileName().toString(),
                bytes, sha256, Engine.POSTGRESQL, "15.19", DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE, NOW, NOW, 1, null, null, null, 0, List.of(), null);
    }

    private static JobContext context() {
        return new JobContext("t.backup.dumps", 0, 0, "acme", 1);
    }

    private BackupOutcome outcome(JobResult result) {
        assertThat(result.outputs()).hasSize(1);
        return Json.decode(result.outputs().getFirst().value(), BackupOutcome.class);
    }
}
