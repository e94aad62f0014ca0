package io.backuprelay.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobImmutabilityPolicyMode;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.backuprelay.blob.BlobStore.Protection;
import io.backuprelay.blob.BlobStore.StoredBlob;
import io.backuprelay.blob.retention.RetentionSweep;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.Immutability;
import io.backuprelay.common.account.Retention;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.ImmutableAzure;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Version-level immutability through {@link ImmutableAzure}, the stand-in in front of Azurite. */
class ImmutableBlobIT {

    private static final ImmutableAzure AZURE = ImmutableAzure.start();
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(AZURE.origin(), Azurite.origin()));
    private static final BlobCredential KEY = BlobCredential.accountKey(Azurite.ACCOUNT_KEY);
    /** A tenant's folder as tenants name themselves: spaces, quotes, non-ASCII. */
    private static final String FOLDER = "tenants/Zoë's \"Bäckerei\" Müller & Söhne/";

    private BlobContainerClient platform;
    private AzureBlobStore store;
    /** When the last backup of the test was asked for: an hour ago, then a second later each. */
    private Instant requested = Instant.now().minus(Duration.ofHours(1));

    @AfterAll
    static void stop() {
        AZURE.close();
    }

    @BeforeEach
    void setUp() {
        // The platform's own client, with the account key, through the stand-in.
        platform = new BlobServiceClientBuilder().connectionString("DefaultEndpointsProtocol=http;AccountName="
                        + Azurite.ACCOUNT_NAME + ";AccountKey=" + Azurite.ACCOUNT_KEY + ";BlobEndpoint="
                        + AZURE.blobEndpoint() + ";").buildClient()
                .createBlobContainerIfNotExists("immutable-" + UUID.randomUUID().toString().substring(0, 8));
        store = ACCESS.azure(connection(AZURE.blobEndpoint(), new Immutability(7, Immutability.Mode.UNLOCKED, false)),
                KEY);
    }

    @Test
    void aBlobPutWithProtectionIsStoredWholeAndCarriesItsPolicyAndLegalHold() throws Exception {
        byte[] content = bytes(9 << 20); // two blocks
        Instant until = Instant.now().plus(Duration.ofDays(3));
        String name = FOLDER + "backup 1.dump.zst";

        StoredBlob stored = store.put(name, new ByteArrayInputStream(content), content.length, sha256(content),
                Map.of("backupid", "b-1"), Optional.of(new Protection(until, false, true)));

        assertThat(stored.sizeBytes()).isEqualTo(content.length);
        assertThat(stored.metadata()).containsEntry("backupid", "b-1");
        assertThat(stored.protection().retainUntil()).isCloseTo(until, within(1, ChronoUnit.SECONDS));
        assertThat(stored.protection().legalHold()).isTrue();
        assertThat(stored.protection().locked()).isFalse();
        var properties = platform.getBlobClient(name).getProperties();
        assertThat(properties.getImmutabilityPolicy().getPolicyMode()).isEqualTo(BlobImmutabilityPolicyMode.UNLOCKED);
        assertThat(properties.hasLegalHold()).isTrue();
        assertThat(platform.getBlobClient(name).downloadContent().toBytes()).isEqualTo(content);
        assertThat(store.find(name).orElseThrow().protectedAt(Instant.now())).isTrue();
        var listed = platform.listBlobs(new ListBlobsOptions().setPrefix(name).setDetails(new BlobListDetails()
                .setRetrieveImmutabilityPolicy(true).setRetrieveLegalHold(true)), null).iterator().next();
        assertThat(listed.getProperties().getImmutabilityPolicy().getExpiryTime().toInstant())
                .isCloseTo(until, within(1, ChronoUnit.SECONDS));
        assertThat(listed.getProperties().getImmutabilityPolicy().getPolicyMode())
                .isEqualTo(BlobImmutabilityPolicyMode.UNLOCKED);
        assertThat(listed.getProperties().hasLegalHold()).isTrue();
    }

    @Test
    void theAccountKeyItselfCannotDeleteAProtectedBlobBeforeItsDateButCanOnceTheUnlockedPolicyIsGone()
            throws Exception {
        byte[] content = bytes(1000);
        String name = FOLDER + "backup \"2\".dump.zst";
        store.put(name, new ByteArrayInputStream(content), content.length, sha256(content), Map.of(),
                Optional.of(new Protection(Instant.now().plus(Duration.ofDays(7)), false, false)));
        var blob = platform.getBlobClient(name);

        assertThatThrownBy(blob::delete).isInstanceOfSatisfying(BlobStorageException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(409);
            assertThat(e.getErrorCode()).isEqualTo(BlobErrorCode.BLOB_IMMUTABLE_DUE_TO_POLICY);
        });
        assertThatThrownBy(() -> blob.upload(BinaryData.fromString("overwritten"), true))
                .isInstanceOfSatisfying(BlobStorageException.class, e -> assertThat(e.getStatusCode()).isEqualTo(409));
        assertThatThrownBy(() -> store.delete(name)).isInstanceOf(BlobStore.ProtectedBlobException.class)
                .hasMessageContaining("kept by its immutability policy until");
        assertThat(blob.downloadContent().toBytes()).isEqualTo(content);

        blob.deleteImmutabilityPolicy();
        assertThat(store.delete(name)).isTrue();
        assertThat(blob.exists()).isFalse();
    }

    @Test
    void aLockedPolicyCannotBeRemoved() throws Exception {
        byte[] content = bytes(500);
        String name = FOLDER + "locked.dump.zst";
        store.put(name, new ByteArrayInputStream(content), content.length, sha256(content), Map.of(),
                Optional.of(new Protection(Instant.now().plus(Duration.ofDays(1)), true, false)));

        assertThatThrownBy(() -> platform.getBlobClient(name).deleteImmutabilityPolicy())
                .isInstanceOfSatisfying(BlobStorageException.class, e -> assertThat(e.getStatusCode()).isEqualTo(409));
        assertThat(store.find(name).orElseThrow().protection().locked()).isTrue();
    }

    @Test
    void contentThatIsNotWhatWasAnnouncedIsNeverCommitted() throws Exception {
        byte[] content = bytes(2000);
        String name = FOLDER + "changed.dump.zst";

        assertThatThrownBy(() -> store.put(name, new ByteArrayInputStream(content), content.length,
                sha256(new byte[]{1}), Map.of(), Optional.empty()))
                .isInstanceOfSatisfying(BlobTransferException.class,
                        e -> assertThat(e.kind()).isEqualTo(BlobTransferException.Kind.ARCHIVE_CHANGED));
        assertThat(store.find(name)).isEmpty();
    }

    @Test
    void aPutThatStoppedMidwaySendsOnlyTheBlocksNotStagedYetWhenTriedAgain() throws Exception {
        byte[] content = bytes(20 << 20); // blocks of 8, 8 and 4 MiB
        String name = FOLDER + "resumed.dump.zst";
        InputStream breaking = new FilterInputStream(new ByteArrayInputStream(content)) {
            private long read;

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (read >= 17 << 20) {
                    throw new IOException("the source went away");
                }
                int n = super.read(buffer, offset, (int) Math.min(length, (17 << 20) - read));
                read += Math.max(n, 0);
                return n;
            }
        };
        assertThatThrownBy(() -> store.put(name, breaking, content.length, sha256(content), Map.of(),
                Optional.empty())).isInstanceOf(BlobTransferException.class).hasMessageContaining("could not be read");
        int blocksBefore = AZURE.requests("block");

        store.put(name, new ByteArrayInputStream(content), content.length, sha256(content), Map.of(),
                Optional.empty());

        assertThat(AZURE.requests("block") - blocksBefore).as("only the third block is sent again").isEqualTo(1);
        assertThat(platform.getBlobClient(name).downloadContent().toBytes()).isEqualTo(content);
    }

    @Test
    void retentionKeepsAProtectedBackupAndSaysUntilWhen() throws Exception {
        Instant until = Instant.now().plus(Duration.ofDays(5));
        ours("b-old", null);
        ours("b-protected", new Protection(until, false, false));
        ours("b-new", null);
        int refusedBefore = AZURE.refusals();

        RetentionSweep.Sweep sweep = RetentionSweep.apply(store, FOLDER, "acme", new Retention(1, null), "b-new",
                Instant.now());

        assertThat(sweep.deleted()).containsExactly(FOLDER + "b-old.dump.zst");
        assertThat(sweep.kept()).singleElement().satisfies(kept -> {
            assertThat(kept.blobName()).isEqualTo(FOLDER + "b-protected.dump.zst");
            assertThat(kept.until().orElseThrow()).isCloseTo(until, within(1, ChronoUnit.SECONDS));
            assertThat(kept.reason()).startsWith(FOLDER + "b-protected.dump.zst kept by policy until 20");
        });
        assertThat(AZURE.refusals()).as("no delete of the protected blob was even tried").isEqualTo(refusedBefore);
        assertThat(platform.getBlobClient(FOLDER + "b-protected.dump.zst").exists()).isTrue();
        assertThat(platform.getBlobClient(FOLDER + "b-protected.dump.zst.manifest.json").exists()).isTrue();
        assertThat(platform.getBlobClient(FOLDER + "b-old.dump.zst").exists()).isFalse();
    }

    @Test
    void theProbeSaysTheStandInSupportsVersionLevelImmutabilityAndPlainAzuriteDoesNot() {
        Immutability asked = new Immutability(30, Immutability.Mode.LOCKED, true);

        ConnectionProbe.Result standIn = ACCESS.probe(connection(AZURE.blobEndpoint(), asked), KEY);
        ConnectionProbe.Result azurite = ACCESS.probe(connection(Azurite.blobEndpoint(), asked), KEY);
        ConnectionProbe.Result notAsked = ACCESS.probe(connection(AZURE.blobEndpoint(), null), KEY);

        assertThat(standIn.ok()).isTrue();
        assertThat(standIn.immutability()).startsWith("yes: ").contains("locked for 30 days, under a legal hold");
        assertThat(azurite.ok()).isTrue();
        assertThat(azurite.immutability()).startsWith("no: ").contains("does not have version-level immutability");
        assertThat(notAsked.immutability()).isNull();
    }

    private void ours(String backupId, Protection protection) throws Exception {
        byte[] content = ("content of " + backupId).getBytes();
        requested = requested.plusSeconds(1); // each backup asked for after the one before, for keepLast's order
        store.put(FOLDER + backupId + ".dump.zst", new ByteArrayInputStream(content), content.length,
                sha256(content), Map.of("writtenby", "backuprelay", "accountid", "acme", "backupid", backupId,
                        "requestedat", requested.toString()), Optional.ofNullable(protection));
        platform.getBlobClient(FOLDER + backupId + ".dump.zst.manifest.json").upload(BinaryData.fromString("{}"));
    }

    private Connection connection(String endpoint, Immutability immutability) {
        return new Connection("acme", "main", ConnectionType.AZURE_BLOB, "d", Azurite.ACCOUNT_NAME,
                platform.getBlobContainerName(), FOLDER, new SealedSecret("k1", "x"), true, endpoint, null, null, null,
                immutability);
    }

    private static byte[] bytes(int size) {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        return content;
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
