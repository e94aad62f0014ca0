package io.backuprelay.upload.azure;

import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobErrors;
import io.backuprelay.common.account.Connection;
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

/**
 * Puts one staged archive into an Azure container as a block blob, and reads it back to verify it.
 *
 * <ul>
 *   <li>Blocks of max(8 MiB, size / 45,000), so no blob nears Azure's 50,000-block limit, sent in
 *       parallel; each carries its MD5, so Azure rejects a block corrupted on the way.</li>
 *   <li>Block IDs derive from the backupId and the block's index: an upload that starts again after a
 *       crash asks Azure for the blocks already staged and sends only the missing ones.</li>
 *   <li>Memory: one buffer of a block per parallel send, whatever the archive's size.</li>
 *   <li>Transient errors are retried by the SDK's pipeline; what is left becomes a reason.</li>
 * </ul>
 */
public final class BlobUploader {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BlobUploader.class);

    /** Azure allows 50,000 blocks a blob; staying at 45,000 leaves room. */
    static final long MAX_BLOCKS = 45_000;
    static final long MIN_BLOCK_BYTES = 8L * 1024 * 1024;

    private final int concurrency;
    private final BlockListener listener;

    public BlobUploader(int concurrency) {
        this(concurrency, BlockListener.NONE);
    }

    BlobUploader(int concurrency, BlockListener listener) {
        this.concurrency = concurrency;
        this.listener = listener;
    }

    /** Told about each block as it is sent (its buffer, read afresh for each try); tests use it to interrupt an upload or corrupt a block. */
    interface BlockListener {
        BlockListener NONE = (index, data) -> { };

        void beforeSend(int index, byte[] data);
    }

    /** max(8 MiB, size / 45,000): no blob comes near Azure's block limit. */
    public static long blockSize(long archiveBytes) {
        return Math.max(MIN_BLOCK_BYTES, (archiveBytes + MAX_BLOCKS - 1) / MAX_BLOCKS);
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
                               java.util.function.LongConsumer progress)
            throws UploadFailedException {
        long blockSize = blockSize(sizeBytes);
        BlobStore store = BlobStore.of(connection, credential);
        int count = (int) ((sizeBytes + blockSize - 1) / blockSize);
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(blockId(backupId, i));
        }
        try {
            Map<String, Long> staged = store.uncommittedBlocks(blobName);
            AtomicLong sent = new AtomicLong();
            String sha256 = sendMissing(store, blobName, file, sizeBytes, blockSize, ids, staged, sent, progress);
            if (!sha256.equals(expectedSha256)) {
                throw new UploadFailedException("The staged archive of backup " + backupId + " changed after the dump:"
                        + " its SHA-256 is " + sha256 + ", the dump's was " + expectedSha256 + ". It was not committed.",
                        UploadFailedException.Kind.ARCHIVE_CHANGED);
            }
            return new UploadedBlob(store.url(blobName), store.commitBlocks(blobName, ids, metadata, accessTier), sent.get());
        } catch (BlobStorageException e) {
            throw failure(connection, e);
        } catch (ArchiveReadException e) {
            throw new UploadFailedException(e.getMessage(), e.kind);
        } catch (UncheckedIOException e) {
            throw new UploadFailedException("The upload worker could not read the staged archive: " + e.getCause().getMessage());
        } catch (RuntimeException e) {
            throw unreachable(connection, e);
        }
    }

    /**
     * Reads the archive block by block, in order, hashing every byte read (SHA-256 over the whole
     * archive), and sends the blocks Azure does not hold yet, several at once, each with its MD5.
     *
     * @return the SHA-256 of the bytes read, hex
     */
    private String sendMissing(BlobStore store, String blobName, Path file, long sizeBytes, long blockSize, List<String> ids,
                               Map<String, Long> staged, AtomicLong sent, java.util.function.LongConsumer progress) {
        // One buffer per parallel send, reused: the heap holds concurrency × block size, whatever the archive's size.
        java.util.concurrent.BlockingQueue<byte[]> buffers = new java.util.concurrent.ArrayBlockingQueue<>(concurrency + 1);
        for (int i = 0; i < concurrency + 1; i++) {
            buffers.add(new byte[(int) Math.min(blockSize, sizeBytes)]);
        }
        MessageDigest sha256 = digest("SHA-256");
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            if (channel.size() != sizeBytes) {
                throw new ArchiveReadException("The staged archive has " + channel.size() + " bytes, the dump wrote "
                        + sizeBytes + ". It was not committed.", UploadFailedException.Kind.ARCHIVE_CHANGED);
            }
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < ids.size() && !failed.get(); i++) {
                long offset = i * blockSize;
                int length = (int) Math.min(blockSize, sizeBytes - offset);
                byte[] buffer = buffers.take();
                read(channel, offset, buffer, length);
                sha256.update(buffer, 0, length);
                if (staged.getOrDefault(ids.get(i), -1L) == length) {
                    buffers.add(buffer); // an earlier attempt sent it, and Azure checked its MD5 then
                    continue;
                }
                int index = i;
                pending.add(senders.submit(() -> {
                    try {
                        stage(store, blobName, ids.get(index), index, channel, offset, buffer, length);
                        progress.accept(sent.addAndGet(length));
                    } catch (RuntimeException | IOException e) {
                        failed.set(true);
                        throw e;
                    } finally {
                        buffers.add(buffer);
                    }
                    return null;
                }));
            }
            for (Future<?> future : pending) {
                future.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("The upload was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw new IllegalStateException(e.getCause());
        }
        return java.util.HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * Sends one block, read and hashed already, with its MD5. A block Azure finds corrupted on the way
     * is read again and sent once more; if the archive now reads differently, it changed under us.
     */
    private void stage(BlobStore store, String blobName, String id, int index, FileChannel channel, long offset,
                       byte[] buffer, int length) throws IOException {
        byte[] md5 = md5(buffer, length);
        for (int attempt = 1; ; attempt++) {
            listener.beforeSend(index, buffer);
            try {
                store.stageBlock(blobName, id, buffer, length, md5);
                return;
            } catch (BlobStore.BlockCorruptedException e) {
                if (attempt >= 2) {
                    throw e;
                }
                log.warn("Azure refused block {} of {}: its content did not match its MD5; sending it again", index, id);
                read(channel, offset, buffer, length);
                if (!java.util.Arrays.equals(md5(buffer, length), md5)) {
                    throw new ArchiveReadException("Block " + index + " of the staged archive reads differently than a"
                            + " moment ago: the archive changed during the upload. It was not committed.",
                            UploadFailedException.Kind.ARCHIVE_CHANGED);
                }
            }
        }
    }

    /** The staged archive is not what the dump wrote; carried out of the sending threads. */
    private static final class ArchiveReadException extends RuntimeException {
        final UploadFailedException.Kind kind;

        ArchiveReadException(String message, UploadFailedException.Kind kind) {
            super(message);
            this.kind = kind;
        }
    }

    /** Same length for every block of a blob, as Azure requires; unique to the backup and the index. */
    static String blockId(String backupId, int index) {
        String raw = backupId + "-" + String.format(Locale.ROOT, "%06d", index);
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
            return store.find(blobName).map(found -> new UploadedBlob(store.url(blobName), found, 0));
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
    public record UploadedBlob(String url, BlobStore.StoredBlob stored, long bytesSent) {

        public long size() {
            return stored.sizeBytes();
        }

        public Map<String, String> metadata() {
            return stored.metadata();
        }
    }
}
