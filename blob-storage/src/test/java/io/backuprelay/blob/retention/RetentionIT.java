package io.backuprelay.blob.retention;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.Retention;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.testkit.Azurite;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retention on a container that also holds blobs of other systems and other accounts. */
class RetentionIT {

    /** The emulator's origin is allowed beyond Azure's hosts, as a service's settings would list it. */
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(Azurite.origin()));

    private static final BlobCredential KEY =
            BlobCredential.accountKey(Azurite.ACCOUNT_KEY);

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    private BlobContainerClient container;
    private Connection connection;

    @BeforeEach
    void setUp() {
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("retention-" + UUID.randomUUID().toString().substring(0, 8));
        connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "d", Azurite.ACCOUNT_NAME,
                container.getBlobContainerName(), "backups", new SealedSecret("k1", "x"), true, Azurite.blobEndpoint(),
                null, null, null, null);
        ours("acme", "b-40d", NOW.minus(Duration.ofDays(40)));
        ours("acme", "b-10d", NOW.minus(Duration.ofDays(10)));
        ours("acme", "b-5d", NOW.minus(Duration.ofDays(5)));
        ours("acme", "b-1d", NOW.minus(Duration.ofDays(1)));
        ours("acme", "b-now", NOW);
        ours("globex", "g-90d", NOW.minus(Duration.ofDays(90)));
        put("backups/acme/notes-from-another-tool.txt", Map.of());
        put("backups/acme/2026/01/exported-by-someone.dump.zst", Map.of("writtenby", "other-tool", "accountid", "acme"));
        put("backups/acme/2025/01/old-without-metadata.dump.zst", Map.of());
    }

    @Test
    void keepLastKeepsExactlyTheNewestOfOurOwnAndNothingElseIsTouched() {
        List<String> deleted = RetentionSweep.apply(ACCESS.store(connection, KEY), "backups/acme/", "acme",
                new Retention(2, null), "b-now", NOW).deleted();

        assertThat(deleted).hasSize(3);
        assertThat(names()).containsExactlyInAnyOrder(
                "backups/acme/b-1d.dump.zst", "backups/acme/b-1d.dump.zst.manifest.json",
                "backups/acme/b-now.dump.zst", "backups/acme/b-now.dump.zst.manifest.json",
                "backups/globex/g-90d.dump.zst", "backups/globex/g-90d.dump.zst.manifest.json",
                "backups/acme/notes-from-another-tool.txt",
                "backups/acme/2026/01/exported-by-someone.dump.zst",
                "backups/acme/2025/01/old-without-metadata.dump.zst");
    }

    @Test
    void maxAgeDeletesOnlyWhatIsOlderThanItsDays() {
        List<String> deleted = RetentionSweep.apply(ACCESS.store(connection, KEY), "backups/acme/", "acme",
                new Retention(null, 7), "b-now", NOW).deleted();

        assertThat(deleted).containsExactlyInAnyOrder("backups/acme/b-40d.dump.zst", "backups/acme/b-10d.dump.zst");
        assertThat(names()).contains("backups/acme/b-5d.dump.zst", "backups/globex/g-90d.dump.zst",
                "backups/acme/2025/01/old-without-metadata.dump.zst");
    }

    @Test
    void theNewestSuccessfulBackupIsNeverDeletedWhateverThePolicy() {
        List<String> deleted = RetentionSweep.apply(ACCESS.store(connection, KEY), "backups/acme/", "acme",
                new Retention(1, 1), "b-1d", NOW.plus(Duration.ofDays(30))).deleted();

        assertThat(deleted).doesNotContain("backups/acme/b-1d.dump.zst");
        assertThat(names()).contains("backups/acme/b-1d.dump.zst");
    }

    /**
     * This machine's clock jumps a year ahead (a bad NTP answer, a VM restored from a snapshot): by it,
     * every backup is a year old. The storage service's clock says they are days old, and none is
     * deleted for its age.
     */
    @Test
    void aLocalClockAYearAheadDeletesNothingTheStoragesClockCallsYoung() {
        Instant storageNow = Instant.now(); // Azurite's clock is this machine's real one
        ours("initech", "i-6d", storageNow.minus(Duration.ofDays(6)));
        ours("initech", "i-3d", storageNow.minus(Duration.ofDays(3)));
        ours("initech", "i-now", storageNow);
        Clock aYearAhead = Clock.offset(Clock.systemUTC(), Duration.ofDays(365));

        List<String> deleted = RetentionSweep.apply(ACCESS.store(connection, KEY), "backups/initech/", "initech",
                new Retention(null, 7), "i-now", aYearAhead.instant()).deleted();

        assertThat(deleted).isEmpty();
        assertThat(names()).contains("backups/initech/i-6d.dump.zst", "backups/initech/i-3d.dump.zst");
    }

    private void ours(String account, String backupId, Instant requestedAt) {
        Map<String, String> metadata = new HashMap<>(Map.of("writtenby", "backuprelay", "accountid", account,
                "backupid", backupId, "requestedat", requestedAt.toString()));
        put("backups/" + account + "/" + backupId + ".dump.zst", metadata);
        put("backups/" + account + "/" + backupId + ".dump.zst.manifest.json", Map.of());
    }

    private void put(String name, Map<String, String> metadata) {
        var blob = container.getBlobClient(name);
        blob.upload(BinaryData.fromString("content of " + name));
        if (!metadata.isEmpty()) {
            blob.setMetadata(metadata);
        }
    }

    private List<String> names() {
        return container.listBlobs().stream().map(BlobItem::getName).toList();
    }
}
