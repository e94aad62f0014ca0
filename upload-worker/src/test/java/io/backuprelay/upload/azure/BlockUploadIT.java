package io.backuprelay.upload.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.AccessTier;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.upload.UploadFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Block uploads against Azurite: resuming after a crash, a corrupted block, the access tier. */
class BlockUploadIT {

    private static final io.backuprelay.blob.BlobCredential KEY =
            io.backuprelay.blob.BlobCredential.accountKey(Azurite.ACCOUNT_KEY);

    private static final long BLOCK = BlobUploader.MIN_BLOCK_BYTES;
    private static final long SIZE = 4 * BLOCK + 123_457; // five blocks, the last one short

    @TempDir
    Path staging;

    private BlobContainerClient container;
    private Connection connection;
    private Path archive;

    @BeforeEach
    void setUp() throws Exception {
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("blocks-" + UUID.randomUUID().toString().substring(0, 8));
        connection = connection(null);
        archive = staging.resolve("archive");
        byte[] content = new byte[(int) SIZE];
        new Random(7).nextBytes(content);
        Files.write(archive, content);
    }

    @Test
    void anUploadKilledMidWaySendsOnlyTheMissingBlocksWhenItStartsAgain() throws Exception {
        String backupId = UUID.randomUUID().toString();
        BlobUploader crashing = new BlobUploader(1, (index, data) -> {
            if (index == 3) {
                throw new IllegalStateException("worker killed");
            }
        });
        assertThatThrownBy(() -> crashing.upload(connection, KEY, backupId, "b/x.dump.zst", archive, SIZE,
                archiveSha256(), Map.of(), null)).isInstanceOf(UploadFailedException.class);
        assertThat(container.getBlobClient("b/x.dump.zst").exists()).as("nothing committed yet").isFalse();
        long stagedBefore = container.getBlobClient("b/x.dump.zst").getBlockBlobClient()
                .listBlocks(com.azure.storage.blob.models.BlockListType.UNCOMMITTED).getUncommittedBlocks().stream()
                .mapToLong(com.azure.storage.blob.models.Block::getSizeLong).sum();
        assertThat(stagedBefore).as("the blocks sent before the crash").isGreaterThanOrEqualTo(3 * BLOCK);

        BlobUploader.UploadedBlob blob = new BlobUploader(4).upload(connection, KEY, backupId,
                "b/x.dump.zst", archive, SIZE, archiveSha256(), Map.of("backupid", backupId), null);

        assertThat(blob.bytesSent()).as("only what Azure did not hold").isEqualTo(SIZE - stagedBefore).isLessThan(SIZE);
        assertThat(blob.size()).isEqualTo(SIZE);
        assertThat(sha256(container.getBlobClient("b/x.dump.zst").downloadContent().toBytes()))
                .isEqualTo(sha256(Files.readAllBytes(archive)));
    }

    @Test
    void aBlockCorruptedOnTheWayIsRejectedByAzureAndSentAgain() throws Exception {
        List<Integer> sends = new CopyOnWriteArrayList<>();
        BlobUploader flipping = new BlobUploader(2, (index, data) -> {
            sends.add(index);
            if (index == 1 && sends.stream().filter(i -> i == 1).count() == 1) {
                data[1000] ^= 0x20; // one flipped bit, after the MD5 was taken
            }
        });

        BlobUploader.UploadedBlob blob = flipping.upload(connection, KEY, UUID.randomUUID().toString(),
                "flip.dump.zst", archive, SIZE, archiveSha256(), Map.of(), null);

        assertThat(sends.stream().filter(i -> i == 1).count()).as("block 1 was refused once, then sent again").isEqualTo(2);
        assertThat(blob.bytesSent()).isEqualTo(SIZE);
        assertThat(sha256(container.getBlobClient("flip.dump.zst").downloadContent().toBytes()))
                .isEqualTo(sha256(Files.readAllBytes(archive)));
    }

    @Test
    void aStagedArchiveAlteredAfterTheDumpIsNeverCommitted() throws Exception {
        String dumped = archiveSha256();
        byte[] altered = Files.readAllBytes(archive);
        altered[(int) (2 * BLOCK + 5)] ^= 0x01; // same size, one bit flipped
        Files.write(archive, altered);

        assertThatThrownBy(() -> new BlobUploader(4).upload(connection, KEY, UUID.randomUUID().toString(),
                "altered.dump.zst", archive, SIZE, dumped, Map.of(), null))
                .isInstanceOfSatisfying(UploadFailedException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UploadFailedException.Kind.ARCHIVE_CHANGED);
                    assertThat(e.getMessage()).contains("changed after the dump").contains(dumped);
                });
        assertThat(container.getBlobClient("altered.dump.zst").exists()).as("never committed").isFalse();
    }

    @Test
    void aStagedArchiveOfAnotherSizeIsNeverCommitted() throws Exception {
        String dumped = archiveSha256();
        Files.write(archive, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

        assertThatThrownBy(() -> new BlobUploader(4).upload(connection, KEY, UUID.randomUUID().toString(),
                "longer.dump.zst", archive, SIZE, dumped, Map.of(), null))
                .isInstanceOfSatisfying(UploadFailedException.class,
                        e -> assertThat(e.kind()).isEqualTo(UploadFailedException.Kind.ARCHIVE_CHANGED));
        assertThat(container.getBlobClient("longer.dump.zst").exists()).isFalse();
    }

    @Test
    void theBlobGetsTheAccessTierOfTheConnection() throws Exception {
        new BlobUploader(4).upload(connection("COOL"), KEY, UUID.randomUUID().toString(), "cool.dump.zst",
                archive, SIZE, archiveSha256(), Map.of(), "COOL");

        assertThat(container.getBlobClient("cool.dump.zst").getProperties().getAccessTier()).isEqualTo(AccessTier.COOL);
    }

    @Test
    void blocksStayWellUnderAzuresLimitForAnySize() {
        for (long size : new long[] {1, 100L << 20, 1L << 40, 5L << 40}) {
            long block = BlobUploader.blockSize(size);
            assertThat((size + block - 1) / block).isLessThanOrEqualTo(45_000);
            assertThat(block).isGreaterThanOrEqualTo(BLOCK);
        }
        assertThat(BlobUploader.blockId("b", 1)).hasSameSizeAs(BlobUploader.blockId("b", 44_999));
    }

    private Connection connection(String tier) {
        return new Connection("acme", "main", ConnectionType.AZURE_BLOB, "d", Azurite.ACCOUNT_NAME,
                container.getBlobContainerName(), "", new SealedSecret("k1", "unused"), true, Azurite.blobEndpoint(), tier);
    }

    private String archiveSha256() throws Exception {
        return sha256(Files.readAllBytes(archive));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
