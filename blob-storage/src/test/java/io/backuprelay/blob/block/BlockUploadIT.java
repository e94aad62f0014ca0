package io.backuprelay.blob.block;

import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.blob.AzureBlobStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlockListType;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.FaultProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobTarget;
import io.backuprelay.blob.Crc64Nvme;

/** Block uploads against Azurite: resuming after a crash, a corrupted block, the access tier. */
class BlockUploadIT {

    /** The emulator's origin is the only one allowed beyond Azure's hosts. */
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(Azurite.origin()));

    private static final BlobCredential KEY =
            BlobCredential.accountKey(Azurite.ACCOUNT_KEY);

    /** Every blob here has a name of its own: none is there to be kept or replaced. */
    private static final Occupant.Rule KEEP_ANY = found -> Occupant.KEPT;

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
        BlobUploader crashing = new BlobUploader(ACCESS, 1, AzureBlobStore.BlockChecksum.CRC64, (index, data) -> {
            if (index == 3) {
                throw new IllegalStateException("worker killed");
            }
        });
        assertThatThrownBy(() -> crashing.upload(target("b/x.dump.zst"),
                archiveFile(backupId, archive, archiveSha256()), KEEP_ANY)).isInstanceOf(BlobTransferException.class);
        assertThat(container.getBlobClient("b/x.dump.zst").exists()).as("nothing committed yet").isFalse();
        long stagedBefore = container.getBlobClient("b/x.dump.zst").getBlockBlobClient()
                .listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks().stream()
                .mapToLong(Block::getSizeLong).sum();
        assertThat(stagedBefore).as("the blocks sent before the crash").isGreaterThanOrEqualTo(3 * BLOCK);

        UploadedBlob blob = new BlobUploader(ACCESS, 4).upload(target("b/x.dump.zst"),
                new ArchiveFile(backupId, archive, SIZE, archiveSha256(), Map.of("backupid", backupId)), KEEP_ANY);

        assertThat(blob.bytesSent()).as("only what Azure did not hold").isEqualTo(SIZE - stagedBefore).isLessThan(SIZE);
        assertThat(blob.size()).isEqualTo(SIZE);
        assertThat(sha256(container.getBlobClient("b/x.dump.zst").downloadContent().toBytes()))
                .isEqualTo(sha256(Files.readAllBytes(archive)));
    }

    @ParameterizedTest
    @EnumSource(AzureBlobStore.BlockChecksum.class)
    void aBlockCorruptedOnTheWayIsRejectedByAzureAndSentAgain(AzureBlobStore.BlockChecksum checksum) throws Exception {
        List<Integer> sends = new CopyOnWriteArrayList<>();
        BlobUploader flipping = new BlobUploader(ACCESS, 2, checksum, (index, data) -> {
            sends.add(index);
            if (index == 1 && sends.stream().filter(i -> i == 1).count() == 1) {
                data[1000] ^= 0x20; // one flipped bit, after the checksum was taken
            }
        });

        UploadedBlob blob = flipping.upload(target("flip.dump.zst"),
                archiveFile(UUID.randomUUID().toString(), archive, archiveSha256()), KEEP_ANY);

        assertThat(sends.stream().filter(i -> i == 1).count()).as("block 1 was refused once, then sent again").isEqualTo(2);
        assertThat(blob.bytesSent()).isEqualTo(SIZE);
        assertThat(blob.blockChecks()).containsExactly(checksum);
        assertThat(sha256(container.getBlobClient("flip.dump.zst").downloadContent().toBytes()))
                .isEqualTo(sha256(Files.readAllBytes(archive)));
    }

    @Test
    void aServiceThatDoesNotEchoTheCrc64GetsEveryBlockWithItsMd5() throws Exception {
        try (FaultProxy oldService = FaultProxy.start(Azurite.blobEndpoint())
                .hideAnswerHeader("x-ms-content-crc64", "x-ms-content-xxx64")) {
            Connection behindIt = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "d", Azurite.ACCOUNT_NAME,
                    container.getBlobContainerName(), "", new SealedSecret("k1", "unused"), true,
                    oldService.endpointFor(Azurite.blobEndpoint()), null, null, null, null);

            BlobAccess throughIt = new BlobAccess(EndpointPolicy.allowing(Azurite.origin(), oldService.origin()));
            UploadedBlob blob = new BlobUploader(throughIt, 2).upload(new BlobTarget(behindIt, KEY, "no-crc64.dump.zst"),
                    archiveFile(UUID.randomUUID().toString(), archive, archiveSha256()), KEEP_ANY);

            assertThat(blob.blockChecks()).as("no block counted as CRC64-checked").containsExactly(AzureBlobStore.BlockChecksum.MD5);
            assertThat(sha256(container.getBlobClient("no-crc64.dump.zst").downloadContent().toBytes()))
                    .isEqualTo(archiveSha256());
        }
    }

    @Test
    void azureRefusesABlockWhoseContentDoesNotMatchItsCrc64AndEchoesTheOneThatDoes() {
        AzureBlobStore store = ACCESS.azure(connection, KEY);
        byte[] block = new byte[4096];
        new Random(3).nextBytes(block);
        byte[] crc = Crc64Nvme.of(block, 0, block.length);
        byte[] wrong = crc.clone();
        wrong[0] ^= 1;

        assertThatThrownBy(() -> store.stageBlock("crc.bin", BlockIds.of("k", 0, crc), block, block.length,
                AzureBlobStore.BlockChecksum.CRC64, wrong))
                .isInstanceOf(AzureBlobStore.BlockCorruptedException.class)
                .hasCauseInstanceOf(BlobStorageException.class)
                .satisfies(e -> assertThat(((BlobStorageException) e.getCause())
                        .getErrorCode().toString()).isEqualTo("Crc64Mismatch"));
        assertThat(store.stageBlock("crc.bin", BlockIds.of("k", 0, crc), block, block.length,
                AzureBlobStore.BlockChecksum.CRC64, crc)).as("accepted, and Azure echoed the same CRC64").isTrue();
    }

    @Test
    void aStagedArchiveAlteredAfterTheDumpIsNeverCommitted() throws Exception {
        String dumped = archiveSha256();
        byte[] altered = Files.readAllBytes(archive);
        altered[(int) (2 * BLOCK + 5)] ^= 0x01; // same size, one bit flipped
        Files.write(archive, altered);

        assertThatThrownBy(() -> new BlobUploader(ACCESS, 4).upload(target("altered.dump.zst"),
                archiveFile(UUID.randomUUID().toString(), archive, dumped), KEEP_ANY))
                .isInstanceOfSatisfying(BlobTransferException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BlobTransferException.Kind.ARCHIVE_CHANGED);
                    assertThat(e.getMessage()).contains("changed after the dump").contains(dumped);
                });
        assertThat(container.getBlobClient("altered.dump.zst").exists()).as("never committed").isFalse();
    }

    @Test
    void aStagedArchiveOfAnotherSizeIsNeverCommitted() throws Exception {
        String dumped = archiveSha256();
        Files.write(archive, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);

        assertThatThrownBy(() -> new BlobUploader(ACCESS, 4).upload(target("longer.dump.zst"),
                archiveFile(UUID.randomUUID().toString(), archive, dumped), KEEP_ANY))
                .isInstanceOfSatisfying(BlobTransferException.class,
                        e -> assertThat(e.kind()).isEqualTo(BlobTransferException.Kind.ARCHIVE_CHANGED));
        assertThat(container.getBlobClient("longer.dump.zst").exists()).isFalse();
    }

    @Test
    void theBlobGetsTheAccessTierOfTheConnection() throws Exception {
        new BlobUploader(ACCESS, 4).upload(new BlobTarget(connection("COOL"), KEY, "cool.dump.zst"),
                archiveFile(UUID.randomUUID().toString(), archive, archiveSha256()), KEEP_ANY);

        assertThat(container.getBlobClient("cool.dump.zst").getProperties().getAccessTier()).isEqualTo(AccessTier.COOL);
    }

    @Test
    void anArchiveBeingDumpedIsSentBlockByBlockAndCommittedOnceWhole() throws Exception {
        DumpAttempt attempt = dumpAttempt("1a2b3c4d");
        byte[] content = Files.readAllBytes(archive);
        BlobUploader uploader = new BlobUploader(ACCESS, 2);
        var followed = followInTheBackground(uploader, attempt, "follow.dump.zst");
        long stagedWhileWriting;
        try (var out = Files.newOutputStream(attempt.partial())) {
            out.write(content, 0, (int) (3 * BLOCK + 10));
            out.flush();
            stagedWhileWriting = awaitStaged("follow.dump.zst", 3 * BLOCK);
            out.write(content, (int) (3 * BLOCK + 10), content.length - (int) (3 * BLOCK + 10));
        }
        Files.move(attempt.partial(), attempt.complete(), StandardCopyOption.ATOMIC_MOVE);

        Sent sent = followed.get(60, TimeUnit.SECONDS).orElseThrow();
        assertThat(stagedWhileWriting).as("three whole blocks sent before the dump ended").isEqualTo(3 * BLOCK);
        assertThat(sent.bytes()).isEqualTo(SIZE);
        assertThat(sent.sha256()).isEqualTo(archiveSha256());
        assertThat(container.getBlobClient("follow.dump.zst").exists()).as("nothing committed before DumpReady").isFalse();

        UploadedBlob blob = uploader.commitFollowed(target("follow.dump.zst"),
                archiveFile(attempt.backupId(), attempt.complete(), archiveSha256()), sent, KEEP_ANY);
        assertThat(blob.size()).isEqualTo(SIZE);
        assertThat(blob.blockChecks()).containsExactly(AzureBlobStore.BlockChecksum.CRC64);
        assertThat(sha256(container.getBlobClient("follow.dump.zst").downloadContent().toBytes()))
                .isEqualTo(archiveSha256());
    }

    @Test
    void aDumpThatFailsHalfwayLeavesNoCommittedBlobAndNoStagedBlocks() throws Exception {
        DumpAttempt attempt = dumpAttempt("5e6f7a8b");
        byte[] content = Files.readAllBytes(archive);
        var followed = followInTheBackground(new BlobUploader(ACCESS, 2), attempt, "failed.dump.zst");
        try (var out = Files.newOutputStream(attempt.partial())) {
            out.write(content, 0, (int) (2 * BLOCK + 10));
            out.flush();
            awaitStaged("failed.dump.zst", 2 * BLOCK);
        }
        Files.delete(attempt.partial()); // what the dump worker does when its tool fails

        assertThat(followed.get(60, TimeUnit.SECONDS)).isEmpty();
        assertThat(container.getBlobClient("failed.dump.zst").exists()).as("no blob").isFalse();
        assertThat(ACCESS.azure(connection, KEY).uncommittedBlocks("failed.dump.zst")).as("its blocks discarded").isEmpty();
    }

    @Test
    void anUploadStoppedWhileFollowingTheDumpResumesFromTheBlocksItSent() throws Exception {
        DumpAttempt attempt = dumpAttempt("0c0d0e0f");
        byte[] content = Files.readAllBytes(archive);
        BlobUploader dying = new BlobUploader(ACCESS, 1, AzureBlobStore.BlockChecksum.CRC64, (index, data) -> {
            if (index == 2) {
                throw new IllegalStateException("upload worker killed");
            }
        });
        var followed = followInTheBackground(dying, attempt, "resumed.dump.zst");
        Files.write(attempt.partial(), content);
        assertThatThrownBy(() -> followed.get(60, TimeUnit.SECONDS)).as("the follower died")
                .isInstanceOf(ExecutionException.class);
        Files.move(attempt.partial(), attempt.complete(), StandardCopyOption.ATOMIC_MOVE);
        long stagedBefore = ACCESS.azure(connection, KEY).uncommittedBlocks("resumed.dump.zst").values().stream()
                .mapToLong(Long::longValue).sum();
        assertThat(stagedBefore).as("blocks sent before it died: 0 and 1 at least, never block 2")
                .isGreaterThanOrEqualTo(2 * BLOCK).isLessThan(SIZE);

        UploadedBlob blob = new BlobUploader(ACCESS, 4).upload(target("resumed.dump.zst"),
                archiveFile(attempt.backupId(), attempt.complete(), archiveSha256()), KEEP_ANY);

        assertThat(blob.bytesSent()).as("only what the follower had not sent").isEqualTo(SIZE - stagedBefore);
        assertThat(sha256(container.getBlobClient("resumed.dump.zst").downloadContent().toBytes()))
                .isEqualTo(archiveSha256());
    }

    /** A dump attempt's files in staging: the one being written, and its name once whole. */
    private record DumpAttempt(String backupId, Path partial, Path complete) {
    }

    private DumpAttempt dumpAttempt(String token) {
        String backupId = UUID.randomUUID().toString();
        return new DumpAttempt(backupId, staging.resolve(backupId + "." + token + ".w1.archive.partial"),
                staging.resolve(backupId + "." + token + ".archive"));
    }

    /** What {@code uploader} sends of the archive written to {@code partial}, followed on another thread. */
    private CompletableFuture<Optional<Sent>> followInTheBackground(
            BlobUploader uploader, DumpAttempt attempt, String blobName) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return uploader.follow(target(blobName), attempt.backupId(), attempt.partial(), attempt.complete(),
                        Duration.ofSeconds(30), sent -> { });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits (30 s at most) until Azure holds at least {@code bytes} of uncommitted blocks of the blob; returns how many it holds. */
    private long awaitStaged(String blobName, long bytes) {
        return Awaitility.await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> ACCESS.azure(connection, KEY)
                        .uncommittedBlocks(blobName).values().stream().mapToLong(Long::longValue).sum(), staged -> staged >= bytes);
    }

    @Test
    void blockIdsHaveOneLengthAndDifferForEachDumpAttemptAndEachContent() {
        String first = BlockIds.attemptKey("b", "b.1a2b3c4d.archive");
        String second = BlockIds.attemptKey("b", "b.9f8e7d6c.archive");
        byte[] bytes = {1, 2, 3};
        byte[] other = {1, 2, 4};
        assertThat(BlockIds.of(first, 1, bytes, 3)).hasSameSizeAs(BlockIds.of(first, 49_999, new byte[0], 0))
                .hasSize(BlockIds.LENGTH)
                .hasSameSizeAs(BlockIds.of(second, 1, bytes, 3))
                .isNotEqualTo(BlockIds.of(second, 1, bytes, 3))
                .isNotEqualTo(BlockIds.of(first, 1, other, 3))
                .isEqualTo(BlockIds.of(first, 1, bytes, 3));
        assertThat(Base64.getDecoder().decode(BlockIds.of(first, 49_999, bytes, 3)))
                .as("within Azure's 64 bytes before encoding").hasSizeLessThanOrEqualTo(64);
    }

    /**
     * A staging file of the same name whose bytes changed (a shared or reused staging directory)
     * after some of its blocks were sent: those blocks are not taken for the new bytes' by their id
     * and length; each block is sent again, and the blob holds exactly the archive as it is now.
     */
    @Test
    void aBlockStagedFromOtherBytesIsSentAgainNotCommittedAsThisArchives() throws Exception {
        String backupId = UUID.randomUUID().toString();
        Path file = staging.resolve(backupId + ".5a5a5a5a.archive");
        Files.copy(archive, file);
        BlobUploader crashing = new BlobUploader(ACCESS, 1, AzureBlobStore.BlockChecksum.CRC64, (index, data) -> {
            if (index == 3) {
                throw new IllegalStateException("worker killed");
            }
        });
        assertThatThrownBy(() -> crashing.upload(target("changed.dump.zst"),
                archiveFile(backupId, file, archiveSha256()), KEEP_ANY)).isInstanceOf(BlobTransferException.class);
        assertThat(ACCESS.azure(connection, KEY).uncommittedBlocks("changed.dump.zst")).as("blocks 0 to 2 staged")
                .hasSizeGreaterThanOrEqualTo(3);
        byte[] now = new byte[(int) SIZE];
        new Random(8).nextBytes(now); // same name, same size, other bytes
        Files.write(file, now);

        UploadedBlob blob = new BlobUploader(ACCESS, 4).upload(target("changed.dump.zst"),
                archiveFile(backupId, file, sha256(now)), KEEP_ANY);

        assertThat(blob.bytesSent()).as("no block of the old bytes reused").isEqualTo(SIZE);
        assertThat(sha256(container.getBlobClient("changed.dump.zst").downloadContent().toBytes()))
                .isEqualTo(sha256(now));
    }

    private BlobTarget target(String blobName) {
        return new BlobTarget(connection, KEY, blobName);
    }

    /** The archive as its dump announced it, with no metadata. */
    private static ArchiveFile archiveFile(String backupId, Path file, String sha256) {
        return new ArchiveFile(backupId, file, SIZE, sha256, Map.of());
    }

    private Connection connection(String tier) {
        return new Connection("acme", "main", ConnectionType.AZURE_BLOB, "d", Azurite.ACCOUNT_NAME,
                container.getBlobContainerName(), "", new SealedSecret("k1", "unused"), true, Azurite.blobEndpoint(),
                tier, null, null, null);
    }

    private String archiveSha256() throws Exception {
        return sha256(Files.readAllBytes(archive));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
