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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongConsumer;
import java.time.Duration;
import java.nio.file.Files;
import io.backuprelay.blob.Crc64Nvme;

/**
 * Puts one staged archive into an Azure container as a block blob, and reads it back to verify it.
 *
 * <ul>
 *   <li>Blocks laid out by their index alone ({@link #blockStart}): 8 MiB each for the first 10,000,
 *       then 16, 32, 64 and 256 MiB for each next 10,000, so a block's place never depends on the
 *       archive's final size and blocks can be sent while the dump still writes
 *       ({@link #follow}); up to 3.6 TiB within Azure's 50,000 blocks.</li>
 *   <li>Each block carries its CRC-64/NVME ({@code x-ms-content-crc64}), or its MD5 where the service
 *       does not confirm the CRC64, so Azure rejects a block corrupted on the way.</li>
 *   <li>Block IDs derive from the backup and the staging file of this dump attempt: an upload that
 *       starts again after a crash asks Azure for the blocks already staged and sends only the
 *       missing ones, and a newer dump of the same backup never meets an older attempt's blocks.</li>
 *   <li>Memory: one buffer of a block per parallel send, whatever the archive's size.</li>
 *   <li>Transient errors are retried by the SDK's pipeline; what is left becomes a reason.</li>
 * </ul>
 */
public final class BlobUploader {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BlobUploader.class);

    /** Blocks of each size before the next size. */
    static final int TIER_BLOCKS = 10_000;
    static final long MIN_BLOCK_BYTES = 8L * 1024 * 1024;
    private static final long[] TIER_BYTES = {MIN_BLOCK_BYTES, 2 * MIN_BLOCK_BYTES, 4 * MIN_BLOCK_BYTES,
            8 * MIN_BLOCK_BYTES, 32 * MIN_BLOCK_BYTES};
    /** Azure allows 50,000 blocks a blob. */
    static final int MAX_BLOCKS = TIER_BLOCKS * TIER_BYTES.length;

    private final int concurrency;
    private final BlobStore.BlockChecksum checksum;
    private final BlockListener listener;

    public BlobUploader(int concurrency) {
        this(concurrency, BlobStore.BlockChecksum.CRC64);
    }

    public BlobUploader(int concurrency, BlobStore.BlockChecksum checksum) {
        this(concurrency, checksum, BlockListener.NONE);
    }

    BlobUploader(int concurrency, BlobStore.BlockChecksum checksum, BlockListener listener) {
        this.concurrency = concurrency;
        this.checksum = checksum;
        this.listener = listener;
    }

    /** Told about each block as it is sent (its buffer, read afresh for each try); tests use it to interrupt an upload or corrupt a block. */
    interface BlockListener {
        BlockListener NONE = (index, data) -> { };

        void beforeSend(int index, byte[] data);
    }

    /** The size of block {@code index}, whatever the archive's size (the last block of an archive may be shorter). */
    static long blockSizeAt(int index) {
        return TIER_BYTES[Math.min(index / TIER_BLOCKS, TIER_BYTES.length - 1)];
    }

    /** Where block {@code index} starts in the archive. */
    static long blockStart(int index) {
        long start = 0;
        for (int tier = 0; tier < TIER_BYTES.length && index > 0; tier++) {
            int inTier = Math.min(index, TIER_BLOCKS);
            start += inTier * TIER_BYTES[tier];
            index -= inTier;
        }
        return start;
    }

    /** How many blocks an archive of this size takes. */
    static int blockCount(long archiveBytes) {
        int count = 0;
        while (blockStart(count) < archiveBytes) {
            count++;
        }
        return count;
    }

    private static final long MAX_ARCHIVE_BYTES = blockStart(MAX_BLOCKS);

    /** The largest archive the block layout holds. */
    static long maxArchiveBytes() {
        return MAX_ARCHIVE_BYTES;
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
        if (sizeBytes > maxArchiveBytes()) {
            throw new UploadFailedException("The archive of backup " + backupId + " has " + sizeBytes + " bytes, more than"
                    + " the " + maxArchiveBytes() + " a blob of 50,000 blocks holds here.");
        }
        BlobStore store = BlobStore.of(connection, credential);
        String attempt = attemptKey(backupId, file.getFileName().toString());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() != sizeBytes) {
                throw new UploadFailedException("The staged archive has " + channel.size() + " bytes, the dump wrote "
                        + sizeBytes + ". It was not committed.", UploadFailedException.Kind.ARCHIVE_CHANGED);
            }
            Sent sent;
            try (BlockStream blocks = new BlockStream(store, blobName, attempt, channel, store.uncommittedBlocks(blobName),
                    progress)) {
                blocks.sendUpTo(sizeBytes, true);
                sent = blocks.finish();
            }
            return commit(connection, store, backupId, blobName, attempt, sent, sizeBytes, expectedSha256, metadata,
                    accessTier);
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
        String attempt = attemptKey(backupId, complete.getFileName().toString());
        FileChannel channel = openWhenThere(partial, complete, idle);
        if (channel == null) {
            return Optional.empty();
        }
        try (channel; BlockStream blocks = new BlockStream(store, blobName, attempt, channel,
                store.uncommittedBlocks(blobName), progress)) {
            long seen = -1;
            long changed = System.nanoTime();
            while (true) {
                boolean writing = Files.exists(partial);
                boolean whole = !writing && Files.exists(complete);
                long available = channel.size();
                if (available > maxArchiveBytes()) {
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
            return commit(connection, store, backupId, blobName, attemptKey(backupId, file.getFileName().toString()), sent,
                    sizeBytes, expectedSha256, metadata, accessTier);
        } catch (RuntimeException e) {
            throw translate(connection, e);
        }
    }

    private UploadedBlob commit(Connection connection, BlobStore store, String backupId, String blobName, String attempt,
                                Sent sent, long sizeBytes, String expectedSha256, Map<String, String> metadata,
                                String accessTier) throws UploadFailedException {
        if (sent.bytes() != sizeBytes || !sent.sha256().equals(expectedSha256)) {
            throw new UploadFailedException("The staged archive of backup " + backupId + " changed after the dump:"
                    + " its SHA-256 is " + sent.sha256() + " over " + sent.bytes() + " bytes, the dump's was "
                    + expectedSha256 + " over " + sizeBytes + ". It was not committed.",
                    UploadFailedException.Kind.ARCHIVE_CHANGED);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0, count = blockCount(sizeBytes); i < count; i++) {
            ids.add(blockId(attempt, i));
        }
        try {
            return new UploadedBlob(store.url(blobName), store.commitBlocks(blobName, ids, metadata, accessTier),
                    sent.sentBytes(), sent.checks(checksum));
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
        if (e instanceof ArchiveReadException read) {
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
     */
    public record Sent(long bytes, String sha256, long sentBytes, java.util.Set<BlobStore.BlockChecksum> checksums) {

        /** The per-block checks to report: those used, or the configured one when every block was sent before. */
        static final Sent NONE = new Sent(0, "", 0, java.util.Set.of());

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

    /**
     * Reads an archive block by block, in order, hashing every byte read (SHA-256 over the whole
     * archive), and sends the blocks Azure does not hold yet, several at once, each with its checksum.
     * The reading thread may stop at any block boundary and go on later ({@link #sendUpTo}), so it can
     * follow a file that is still being written.
     */
    private final class BlockStream implements AutoCloseable {

        private final BlobStore store;
        private final String blobName;
        private final String attempt;
        private final FileChannel channel;
        private final Map<String, Long> staged;
        private final LongConsumer progress;
        private final MessageDigest sha256 = digest("SHA-256");
        // One buffer per parallel send, reused: the heap holds (concurrency + 1) blocks, whatever the archive's size.
        private final BlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(concurrency + 1);
        private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
        private final List<Future<?>> pending = new ArrayList<>();
        private final AtomicLong sent = new AtomicLong();
        private final java.util.Set<BlobStore.BlockChecksum> used = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final AtomicBoolean failed = new AtomicBoolean();
        private volatile BlobStore.BlockChecksum current = checksum;
        private int next;
        private long read;

        BlockStream(BlobStore store, String blobName, String attempt, FileChannel channel, Map<String, Long> staged,
                    LongConsumer progress) {
            this.store = store;
            this.blobName = blobName;
            this.attempt = attempt;
            this.channel = channel;
            this.staged = staged;
            this.progress = progress;
            for (int i = 0; i <= concurrency; i++) {
                buffers.add(new byte[0]);
            }
        }

        int staged() {
            return next;
        }

        /** Reads and sends every block that ends at or before {@code available}; with {@code last}, the tail too. */
        void sendUpTo(long available, boolean last) throws IOException, InterruptedException {
            while (!failed.get()) {
                long start = blockStart(next);
                long end = start + blockSizeAt(next);
                if (end > available && !(last && start < available)) {
                    break;
                }
                int length = (int) (Math.min(end, available) - start);
                byte[] buffer = buffers.take();
                if (buffer.length < length) {
                    buffer = new byte[length];
                }
                read(channel, start, buffer, length);
                sha256.update(buffer, 0, length);
                read = start + length;
                int index = next++;
                String id = blockId(attempt, index);
                if (staged.getOrDefault(id, -1L) == length) {
                    buffers.add(buffer); // an earlier attempt sent it, and Azure checked it then
                    continue;
                }
                byte[] block = buffer;
                pending.add(senders.submit(() -> {
                    try {
                        stage(id, index, start, block, length);
                        progress.accept(sent.addAndGet(length));
                    } catch (RuntimeException | IOException e) {
                        failed.set(true);
                        throw e;
                    } finally {
                        buffers.add(block);
                    }
                    return null;
                }));
            }
            rethrowFailure();
        }

        /** Waits for every block sent; throws what failed. */
        Sent finish() throws InterruptedException {
            for (Future<?> future : pending) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    failed.set(true);
                }
            }
            rethrowFailure();
            return new Sent(read, java.util.HexFormat.of().formatHex(sha256.digest()), sent.get(), java.util.Set.copyOf(used));
        }

        /** After a send failed: waits for the others, then throws the first failure. */
        private void rethrowFailure() throws InterruptedException {
            if (!failed.get()) {
                return;
            }
            Throwable first = null;
            for (Future<?> future : pending) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    first = first == null ? e.getCause() : first;
                }
            }
            if (first instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (first instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw new IllegalStateException("A block could not be sent", first);
        }

        /**
         * Sends one block, read and hashed already, with its checksum. A block Azure finds corrupted on
         * the way is read again and sent once more; if the archive now reads differently, it changed under us.
         */
        private void stage(String id, int index, long offset, byte[] buffer, int length) throws IOException {
            BlobStore.BlockChecksum algorithm = current;
            byte[] sum = checksum(algorithm, buffer, length);
            for (int tries = 1; ; tries++) {
                listener.beforeSend(index, buffer);
                try {
                    if (store.stageBlock(blobName, id, buffer, length, algorithm, sum)) {
                        used.add(algorithm);
                        return;
                    }
                    // The service did not confirm the CRC64: it does not check it. MD5 from now on, and this block again.
                    if (current == BlobStore.BlockChecksum.CRC64) {
                        current = BlobStore.BlockChecksum.MD5;
                        log.warn("Storage did not confirm the CRC64 of block {} of {}; blocks carry their MD5 instead",
                                index, blobName);
                    }
                    algorithm = BlobStore.BlockChecksum.MD5;
                    sum = checksum(algorithm, buffer, length);
                    tries = 0;
                } catch (BlobStore.BlockCorruptedException e) {
                    if (tries >= 2) {
                        throw e;
                    }
                    log.warn("Azure refused block {} of {}: its content did not match its {}; sending it again", index,
                            blobName, algorithm);
                    read(channel, offset, buffer, length);
                    if (!java.util.Arrays.equals(checksum(algorithm, buffer, length), sum)) {
                        throw new ArchiveReadException("Block " + index + " of the staged archive reads differently than a"
                                + " moment ago: the archive changed during the upload. It was not committed.",
                                UploadFailedException.Kind.ARCHIVE_CHANGED);
                    }
                }
            }
        }

        @Override
        public void close() {
            senders.shutdownNow();
        }
    }

    private static byte[] checksum(BlobStore.BlockChecksum algorithm, byte[] data, int length) {
        if (algorithm == BlobStore.BlockChecksum.CRC64) {
            return Crc64Nvme.of(data, 0, length);
        }
        MessageDigest md5 = digest("MD5");
        md5.update(data, 0, length);
        return md5.digest();
    }

    /** The staged archive is not what the dump wrote; carried out of the sending threads. */
    private static final class ArchiveReadException extends RuntimeException {
        final UploadFailedException.Kind kind;

        ArchiveReadException(String message, UploadFailedException.Kind kind) {
            super(message);
            this.kind = kind;
        }
    }

    /**
     * The blocks of one dump attempt: 16 hex digits of the SHA-256 of the backup and the staging
     * file's name (which carries the attempt's own token), so that no two attempts share a block.
     */
    static String attemptKey(String backupId, String stagingFile) {
        return java.util.HexFormat.of().formatHex(digest("SHA-256").digest((backupId + "/" + stagingFile)
                .getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    /** Same length for every block of a blob, as Azure requires; unique to the attempt and the index. */
    static String blockId(String attemptKey, int index) {
        String raw = attemptKey + "-" + String.format(Locale.ROOT, "%06d", index);
        return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static void read(FileChannel channel, long offset, byte[] buffer, int length) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, length);
        while (target.hasRemaining()) {
            if (channel.read(target, offset + target.position()) < 0) {
                throw new IOException("The staged archive is shorter than announced");
            }
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
        MessageDigest sha256 = digest("SHA-256");
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
                    Sent.NONE.checks(checksum)));
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

    private static byte[] md5(byte[] data, int length) {
        MessageDigest md5 = digest("MD5");
        md5.update(data, 0, length);
        return md5.digest();
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
