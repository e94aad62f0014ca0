package io.backuprelay.upload.azure;

import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobErrors;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.upload.UploadFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.time.Duration;
import java.nio.file.Files;

/**
 * Puts one staged archive into an Azure container as a block blob, and reads it back to verify it.
 *
 * <ul>
 *   <li>Blocks laid out by their index alone ({@link BlockLayout}), so blocks can be sent while the
 *       dump still writes ({@link #follow}); up to 3.6 TiB within Azure's 50,000 blocks.</li>
 *   <li>Each block carries its CRC-64/NVME ({@code x-ms-content-crc64}), or its MD5 where the service
 *       does not confirm the CRC64, so Azure rejects a block corrupted on the way.</li>
 *   <li>Block IDs name the backup, the staging file of this dump attempt and each block's content
 *       ({@link BlockIds}): an upload that starts again after a crash asks Azure for the blocks
 *       already staged and sends only those missing or staged from other bytes, and a newer dump of
 *       the same backup never meets an older attempt's blocks.</li>
 *   <li>The block list is committed only where it overwrites no stored backup ({@link BlobCommit}).</li>
 *   <li>Memory: one buffer of a block per parallel send, whatever the archive's size.</li>
 *   <li>Transient errors are retried by the SDK's pipeline; what is left becomes a reason.</li>
 * </ul>
 */
public final class BlobUploader {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BlobUploader.class);

    static final long MIN_BLOCK_BYTES = BlockLayout.MIN_BLOCK_BYTES;

    private final Settings settings;

    public BlobUploader(int concurrency) {
        this(concurrency, BlobStore.BlockChecksum.CRC64);
    }

    public BlobUploader(int concurrency, BlobStore.BlockChecksum checksum) {
        this(concurrency, checksum, BlockListener.NONE);
    }

    BlobUploader(int concurrency, BlobStore.BlockChecksum checksum, BlockListener listener) {
        this.settings = new Settings(concurrency, checksum, listener);
    }

    /** How blocks are sent: how many at once, with which checksum first, and who is told of each. */
    record Settings(int concurrency, BlobStore.BlockChecksum checksum, BlockListener listener) {
    }

    /** Told about each block as it is sent (its buffer, read afresh for each try); tests use it to interrupt an upload or corrupt a block. */
    interface BlockListener {
        BlockListener NONE = (index, data) -> { };

        void beforeSend(int index, byte[] data);
    }

    /**
     * @param expectedSha256 the dump's SHA-256 of the archive: the block list is committed only if the
     *                       bytes read for sending, in order, have it
     * @param accessTier     {@code HOT}, {@code COOL}, {@code COLD}, or {@code null} for the account's default
     * @return the committed blob and how many bytes this attempt sent
     * @throws UploadFailedException of kind ARCHIVE_CHANGED when the staged archive is not what was dumped
     */
    public UploadedBlob upload(Connection connection, BlobCredential credential, String backupId, String blobName, Path file,
                               long sizeBytes, String expectedSha256, Map<String, String> metadata, String accessTier)
            throws UploadFailedException {
        return upload(connection, credential, backupId, blobName, file, sizeBytes, expectedSha256, metadata, accessTier,
                sentSoFar -> { });
    }

    /** @param progress told the bytes this attempt has sent so far, after each block Azure accepted */
    public UploadedBlob upload(Connection connection, BlobCredential credential, String backupId, String blobName, Path file,
                               long sizeBytes, String expectedSha256, Map<String, String> metadata, String accessTier,
                               LongConsumer progress)
            throws UploadFailedException {
        if (sizeBytes > BlockLayout.maxArchiveBytes()) {
            throw new UploadFailedException("The archive of backup " + backupId + " has " + sizeBytes + " bytes, more than"
                    + " the " + BlockLayout.maxArchiveBytes() + " a blob of 50,000 blocks holds here.");
        }
        BlobStore store = BlobStore.of(connection, credential);
        String attempt = BlockIds.attemptKey(backupId, file.getFileName().toString());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() != sizeBytes) {
                throw new UploadFailedException("The staged archive has " + channel.size() + " bytes, the dump wrote "
                        + sizeBytes + ". It was not committed.", UploadFailedException.Kind.ARCHIVE_CHANGED);
            }
            Sent sent;
            try (BlockStream blocks = new BlockStream(store, blobName, attempt, channel,
                    StagedBlocks.of(store, blobName), progress, settings)) {
                blocks.sendUpTo(sizeBytes, true);
                sent = blocks.finish();
            }
            return commit(connection, store, backupId, blobName, sent, sizeBytes, expectedSha256, metadata, accessTier);
        } catch (IOException e) {
            throw new UploadFailedException("The upload worker could not read the staged archive: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("The upload was interrupted", e);
        } catch (RuntimeException e) {
            throw translate(connection, e);
        }
    }

    /**
     * Sends the blocks of an archive while its dump still writes it: every block as soon as the file
     * holds it whole, then, once the dump has given the file its final name, the rest. Blocks already
     * staged by an earlier attempt of the same file are not sent again.
     *
     * @param partial  the file the dump writes
     * @param complete the name the dump gives it when it is whole
     * @param idle     how long the file may stay the same size before this gives up
     * @return what was sent, when the dump completed the file; empty when the dump removed it (it
     *         failed or was cancelled: the blocks sent are discarded) or stopped writing for {@code idle}
     */
    public Optional<Sent> follow(Connection connection, BlobCredential credential, String backupId, String blobName,
                                 Path partial, Path complete, Duration idle, LongConsumer progress)
            throws UploadFailedException, InterruptedException {
        BlobStore store = BlobStore.of(connection, credential);
        String attempt = BlockIds.attemptKey(backupId, complete.getFileName().toString());
        FileChannel channel = openWhenThere(partial, complete, idle);
        if (channel == null) {
            return Optional.empty();
        }
        try (channel; BlockStream blocks = new BlockStream(store, blobName, attempt, channel,
                StagedBlocks.of(store, blobName), progress, settings)) {
            long seen = -1;
            long changed = System.nanoTime();
            while (true) {
                boolean writing = Files.exists(partial);
                boolean whole = !writing && Files.exists(complete);
                long available = channel.size();
                if (available > BlockLayout.maxArchiveBytes()) {
                    return Optional.empty(); // the upload on DumpReady says why
                }
                if (whole) {
                    blocks.sendUpTo(available, true);
                    return Optional.of(blocks.finish());
                }
                if (!writing) {
                    blocks.finish();
                    log.info("The dump of backup {} ended without an archive; discarding its {} staged block(s)", backupId,
                            blocks.staged());
                    store.discardUncommitted(blobName);
                    return Optional.empty();
                }
                blocks.sendUpTo(available, false);
                if (available != seen) {
                    seen = available;
                    changed = System.nanoTime();
                } else if (System.nanoTime() - changed > idle.toNanos()) {
                    log.warn("The archive {} of backup {} has not grown for {}; its upload waits for DumpReady", partial
                            .getFileName(), backupId, idle);
                    blocks.finish();
                    return Optional.empty();
                }
                Thread.sleep(FOLLOW_POLL.toMillis());
            }
        } catch (IOException e) {
            throw new UploadFailedException("The upload worker could not read the archive being dumped: " + e.getMessage(),
                    true);
        } catch (RuntimeException e) {
            throw translate(connection, e);
        }
    }

    /**
     * How often a follower looks at the file being dumped. Polling, not file-change notification:
     * staging may be a volume shared between hosts (NFS, a cloud file share), where notifications do
     * not cross from the writer's host; and the dump announces no progress beyond the file itself.
     * A tenth of a second is small beside the second an 8 MiB block takes to dump.
     */
    private static final Duration FOLLOW_POLL = Duration.ofMillis(100);

    /** The partial file once it exists (the dump announces itself just before creating it); null when it never came. */
    private static FileChannel openWhenThere(Path partial, Path complete, Duration idle) throws InterruptedException,
            UploadFailedException {
        long deadline = System.nanoTime() + Math.min(idle.toNanos(), Duration.ofMinutes(1).toNanos());
        while (true) {
            for (Path path : List.of(partial, complete)) {
                try {
                    return FileChannel.open(path, StandardOpenOption.READ);
                } catch (java.nio.file.NoSuchFileException e) {
                    // not (yet, or any more) under this name
                } catch (IOException e) {
                    throw new UploadFailedException("The upload worker cannot open " + path.getFileName() + ": " + e, true);
                }
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            Thread.sleep(FOLLOW_POLL.toMillis());
        }
    }

    /**
     * Commits blocks {@link #follow} sent, once the dump's SHA-256 is known: only if the bytes read
     * for sending, in order, have it.
     */
    public UploadedBlob commitFollowed(Connection connection, BlobCredential credential, String backupId, String blobName,
                                       Path file, Sent sent, long sizeBytes, String expectedSha256,
                                       Map<String, String> metadata, String accessTier) throws UploadFailedException {
        BlobStore store = BlobStore.of(connection, credential);
        try {
            return commit(connection, store, backupId, blobName, sent, sizeBytes, expectedSha256, metadata, accessTier);
        } catch (RuntimeException e) {
            throw translate(connection, e);
        }
    }

    private UploadedBlob commit(Connection connection, BlobStore store, String backupId, String blobName, Sent sent,
                                long sizeBytes, String expectedSha256, Map<String, String> metadata, String accessTier)
            throws UploadFailedException {
        if (sent.bytes() != sizeBytes || !sent.sha256().equals(expectedSha256)) {
            throw new UploadFailedException("The staged archive of backup " + backupId + " changed after the dump:"
                    + " its SHA-256 is " + sent.sha256() + " over " + sent.bytes() + " bytes, the dump's was "
                    + expectedSha256 + " over " + sizeBytes + ". It was not committed.",
                    UploadFailedException.Kind.ARCHIVE_CHANGED);
        }
        try {
            return new UploadedBlob(store.url(blobName), BlobCommit.commit(store, backupId, blobName, sent.blockIds(),
                    sizeBytes, expectedSha256, metadata, accessTier), sent.sentBytes(), sent.checks(settings.checksum()));
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == com.azure.storage.blob.models.BlobErrorCode.INVALID_BLOCK_LIST) {
                throw new UploadFailedException("Blocks of backup " + backupId + " staged earlier are no longer in storage"
                        + " account '" + connection.storageAccountName() + "'; they are sent again.", true);
            }
            throw e;
        }
    }

    private UploadFailedException translate(Connection connection, RuntimeException e) {
        if (e instanceof BlobStorageException storage) {
            return failure(connection, storage);
        }
        if (e instanceof BlockStream.ArchiveReadException read) {
            return new UploadFailedException(read.getMessage(), read.kind);
        }
        if (e instanceof UncheckedIOException io) {
            return new UploadFailedException("The upload worker could not read the staged archive: "
                    + io.getCause().getMessage());
        }
        return unreachable(connection, e);
    }

    /**
     * What one attempt sent of an archive.
     *
     * @param bytes     the bytes read, in order, from the start of the archive
     * @param sha256    their SHA-256, hex
     * @param sentBytes what this attempt sent (less than {@code bytes} when an earlier one staged blocks)
     * @param checksums the checksums the blocks sent carried
     * @param blockIds  the ids of the archive's blocks, in order: what the commit lists
     */
    public record Sent(long bytes, String sha256, long sentBytes, java.util.Set<BlobStore.BlockChecksum> checksums,
                       List<String> blockIds) {

        static final Sent NONE = new Sent(0, "", 0, java.util.Set.of(), List.of());

        public Sent {
            blockIds = List.copyOf(blockIds);
        }

        /** The per-block checks to report: those used, or the configured one when every block was sent before. */
        List<String> checks(BlobStore.BlockChecksum configured) {
            var used = checksums.isEmpty() ? java.util.Set.of(configured) : checksums;
            List<String> checks = new ArrayList<>();
            if (used.contains(BlobStore.BlockChecksum.CRC64)) {
                checks.add(BackupCompleted.Check.CRC64_PER_BLOCK.name());
            }
            if (used.contains(BlobStore.BlockChecksum.MD5)) {
                checks.add(BackupCompleted.Check.MD5_PER_BLOCK.name());
            }
            return checks;
        }
    }

    /** A small file (a manifest) beside the archive, overwriting an earlier attempt's. */
    public void uploadSmall(Connection connection, BlobCredential credential, String blobName, Path file) throws UploadFailedException {
        try {
            BlobStore.of(connection, credential).putSmall(blobName, java.nio.file.Files.readAllBytes(file), null);
        } catch (IOException e) {
            throw new UploadFailedException("The manifest " + file.getFileName() + " cannot be read from staging: "
                    + e.getMessage(), false);
        } catch (BlobStorageException e) {
            throw failure(connection, e);
        } catch (RuntimeException e) {
            throw unreachable(connection, e);
        }
    }

    /**
     * Downloads the blob, streamed, and returns the SHA-256 of what Azure gives back (hex): the
     * read-back check of {@code UPLOAD_VERIFY=readback}.
     */
    public String readBackSha256(Connection connection, BlobCredential credential, String blobName)
            throws UploadFailedException {
        MessageDigest sha256 = BlockStream.digest("SHA-256");
        try (var in = BlobStore.of(connection, credential).read(blobName)) {
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                sha256.update(buffer, 0, read);
            }
        } catch (BlobStorageException e) {
            throw failure(connection, e);
        } catch (IOException e) {
            throw new UploadFailedException(BlobErrors.unreachable(connection, new UncheckedIOException(e)), true);
        } catch (RuntimeException e) {
            throw unreachable(connection, e);
        }
        return java.util.HexFormat.of().formatHex(sha256.digest());
    }

    /** Deletes a blob that failed its read-back, so that the next try sends it whole again. */
    public void delete(Connection connection, BlobCredential credential, String blobName) throws UploadFailedException {
        try {
            BlobStore.of(connection, credential).delete(blobName);
        } catch (BlobStorageException e) {
            throw failure(connection, e);
        } catch (RuntimeException e) {
            throw unreachable(connection, e);
        }
    }

    /** The blob's properties if it exists, to find a backup that an earlier attempt already stored. */
    public Optional<UploadedBlob> find(Connection connection, BlobCredential credential, String blobName) throws UploadFailedException {
        BlobStore store = BlobStore.of(connection, credential);
        try {
            return store.find(blobName).map(found -> new UploadedBlob(store.url(blobName), found, 0,
                    Sent.NONE.checks(settings.checksum())));
        } catch (BlobStorageException e) {
            throw failure(connection, e);
        } catch (RuntimeException e) {
            throw unreachable(connection, e);
        }
    }

    private static UploadFailedException failure(Connection connection, BlobStorageException e) {
        return new UploadFailedException(BlobErrors.reason(connection, e), BlobErrors.isTransient(e));
    }

    /** No answer from Azure (a timeout, a reset, a name that did not resolve): worth trying again. */
    private static UploadFailedException unreachable(Connection connection, RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
            throw e; // the worker stops: not a storage fault
        }
        return new UploadFailedException(BlobErrors.unreachable(connection, e), true);
    }

    /**
     * A blob as Azure reports it after the commit.
     *
     * @param bytesSent what this attempt sent (less than the size when it resumed an earlier one)
     */
    public record UploadedBlob(String url, BlobStore.StoredBlob stored, long bytesSent, List<String> blockChecks) {

        public long size() {
            return stored.sizeBytes();
        }

        public Map<String, String> metadata() {
            return stored.metadata();
        }
    }
}
