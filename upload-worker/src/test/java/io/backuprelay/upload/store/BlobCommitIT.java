package io.backuprelay.upload.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobTarget;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.blob.block.ArchiveFile;
import io.backuprelay.blob.block.BlobUploader;
import io.backuprelay.blob.block.Sent;
import io.backuprelay.blob.block.UploadedBlob;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.testkit.Azurite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commit of a block list never overwrites a blob stored under the backup's name. */
class BlobCommitIT {

    /** The emulator's origin is allowed beyond Azure's hosts, as a service's settings would list it. */
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(Azurite.origin()));

    private static final BlobCredential KEY = BlobCredential.accountKey(Azurite.ACCOUNT_KEY);
    private static final String BLOB = "tenants/acme/2026/11/acme-20261126T095900Z-b.dump.zst";

    @TempDir
    Path staging;

    private BlobContainerClient container;
    private Connection connection;
    private final String backupId = UUID.randomUUID().toString();
    private final BlobUploader uploader = new BlobUploader(ACCESS, 2);
    private final BackupBlobs blobs = new BackupBlobs(uploader);
    private BlobTarget target;

    @BeforeEach
    void setUp() {
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("commit-" + UUID.randomUUID().toString().substring(0, 8));
        connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "d", Azurite.ACCOUNT_NAME,
                container.getBlobContainerName(), "", new SealedSecret("k1", "unused"), true, Azurite.blobEndpoint(),
                null, null, null, null);
        target = new BlobTarget(connection, KEY, BLOB);
    }

    @Test
    void aCommitAppliedWhoseAnswerWasLostIsTakenAsDoneWhenTriedAgainAndWritesNothing() throws Exception {
        Path file = archive("1a2b3c4d", 1);
        Sent sent = followWhole(file);
        UploadedBlob first = blobs.commitFollowed(target, archiveFile(file), sent);
        String etag = container.getBlobClient(BLOB).getProperties().getETag();

        // The same commit again, as the SDK's pipeline sends it when the first one's answer timed out.
        UploadedBlob again = blobs.commitFollowed(target, archiveFile(file), sent);

        assertThat(again.size()).isEqualTo(first.size());
        assertThat(again.metadata()).containsEntry("sha256", sha256(file));
        assertThat(container.getBlobClient(BLOB).getProperties().getETag()).as("not written a second time").isEqualTo(etag);
    }

    @Test
    void anotherDumpOfTheSameBackupNeverOverwritesTheOneStored() throws Exception {
        Path stored = archive("1a2b3c4d", 1);
        blobs.upload(target, archiveFile(stored), sent -> { });
        String etag = container.getBlobClient(BLOB).getProperties().getETag();
        Path second = archive("9f8e7d6c", 2);

        assertThatThrownBy(() -> blobs.upload(target, archiveFile(second), sent -> { }))
                .isInstanceOfSatisfying(UploadFailedException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UploadFailedException.Kind.ALREADY_STORED);
                    assertThat(e.getMessage()).contains("already stored").contains(BLOB);
                });
        assertThat(container.getBlobClient(BLOB).getProperties().getETag()).isEqualTo(etag);
        assertThat(sha256(container.getBlobClient(BLOB).downloadContent().toBytes())).isEqualTo(sha256(stored));
    }

    @Test
    void aBlobOfAnotherSystemUnderTheNameIsNeverOverwritten() throws Exception {
        container.getBlobClient(BLOB).upload(BinaryData.fromString("someone else's export"));
        Path file = archive("1a2b3c4d", 1);

        assertThatThrownBy(() -> blobs.upload(target, archiveFile(file), sent -> { }))
                .isInstanceOfSatisfying(UploadFailedException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UploadFailedException.Kind.PERMANENT);
                    assertThat(e.getMessage()).contains("is not backup " + backupId).contains("not overwritten");
                });
        assertThat(container.getBlobClient(BLOB).downloadContent().toString()).isEqualTo("someone else's export");
    }

    /** What discarding a follower's blocks leaves when it stops between committing an empty list and deleting it. */
    @Test
    void anEmptyBlobLeftByDiscardedBlocksIsReplaced() throws Exception {
        container.getBlobClient(BLOB).getBlockBlobClient().commitBlockList(List.of());
        Path file = archive("1a2b3c4d", 1);

        UploadedBlob blob = blobs.upload(target, archiveFile(file), sent -> { });

        assertThat(blob.size()).isEqualTo(Files.size(file));
        assertThat(sha256(container.getBlobClient(BLOB).downloadContent().toBytes())).isEqualTo(sha256(file));
    }

    private Path archive(String token, long seed) throws Exception {
        byte[] content = new byte[300_000];
        new Random(seed).nextBytes(content);
        return Files.write(staging.resolve(UUID.randomUUID() + "." + token + ".archive"), content);
    }

    /** What a follower sends of a file that is already whole. */
    private Sent followWhole(Path file) throws Exception {
        return uploader.follow(target, backupId, staging.resolve("absent.partial"), file,
                Duration.ofSeconds(5), sent -> { }).orElseThrow();
    }

    private ArchiveFile archiveFile(Path file) throws Exception {
        return new ArchiveFile(backupId, file, Files.size(file), sha256(file), metadata(file));
    }

    private Map<String, String> metadata(Path file) throws Exception {
        return Map.of("backupid", backupId, "sha256", sha256(file));
    }

    private static String sha256(Path file) throws Exception {
        return sha256(Files.readAllBytes(file));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
