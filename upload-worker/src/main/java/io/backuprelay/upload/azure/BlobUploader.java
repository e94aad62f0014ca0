package io.backuprelay.upload.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.backuprelay.blob.BlobContainers;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
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
     * @param accessTier {@code HOT}, {@code COOL}, {@code COLD}, or {@code null} for the account's default
     * @return the committed blob and how many bytes this attempt sent
     */
    public UploadedBlob upload(Connection connection, BlobCredential credential, String backupId, String blobName, Path file,
                               long sizeBytes, Map<String, String> metadata, String accessTier) throws UploadFailedException {
        long blockSize = blockSize(sizeBytes);
        BlobClient blob = container(connection, credential, blockSize).getBlobClient(blobName);
        BlockBlobClient blocks = blob.getBlockBlobClient();
        int count = (int) ((sizeBytes + blockSize - 1) / blockSize);
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(blockId(backupId, i));
        }
        try {
            Map<String, Long> staged = uncommittedBlocks(blocks);
            AtomicLong sent = new AtomicLong();
            sendMissing(blocks, file, sizeBytes, blockSize, ids, staged, sent);
            blocks.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(ids)
                    .setHeaders(new BlobHttpHeaders().setContentType("application/octet-stream"))
                    .setMetadata(metadata)
                    .setTier(accessTier == null ? null : AccessTier.fromString(capitalized(accessTier))), null, Context.NONE);
            return new UploadedBlob(blob.getBlobUrl(), blob.getProperties(), sent.get());
        } catch (BlobStorageException e) {
            throw failure(connection, e);
        } catch (UncheckedIOException e) {
            throw new UploadFailedException("The upload worker could not read the staged archive: " + e.getCause().getMessage());
        } catch (RuntimeException e) {
            throw unreachable(connection, e);
        }
    }

    private void sendMissing(BlockBlobClient blocks, Path file, long sizeBytes, long blockSize, List<String> ids,
                             Map<String, Long> staged, AtomicLong sent) {
        // One buffer per parallel send, reused: the heap holds concurrency × block size, whatever the archive's size.
        java.util.concurrent.BlockingQueue<byte[]> buffers = new java.util.concurrent.ArrayBlockingQueue<>(concurrency);
        int missing = 0;
        for (int i = 0; i < ids.size(); i++) {
            missing += staged.getOrDefault(ids.get(i), -1L) == Math.min(blockSize, sizeBytes - i * blockSize) ? 0 : 1;
        }
        for (int i = 0; i < Math.min(concurrency, missing); i++) {
            buffers.add(new byte[(int) Math.min(blockSize, sizeBytes)]);
        }
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < ids.size() && !failed.get(); i++) {
                long offset = i * blockSize;
                int length = (int) Math.min(blockSize, sizeBytes - offset);
                if (staged.getOrDefault(ids.get(i), -1L) == length) {
                    continue; // an earlier attempt sent it, and Azure checked its MD5 then
                }
                byte[] buffer = buffers.take();
                if (failed.get()) {
                    break; // a block failed: stop sending, the next attempt resumes from what Azure has
                }
                int index = i;
                pending.add(senders.submit(() -> {
                    try {
                        stage(blocks, ids.get(index), index, channel, offset, buffer, length);
                        sent.addAndGet(length);
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
    }

    /** Sends one block with its MD5; a block Azure finds corrupted is read and sent once more. */
    private void stage(BlockBlobClient blocks, String id, int index, FileChannel channel, long offset, byte[] buffer,
                       int length) throws IOException {
        for (int attempt = 1; ; attempt++) {
            read(channel, offset, buffer, length);
            byte[] md5 = md5(buffer, length);
            listener.beforeSend(index, buffer);
            try {
                blocks.stageBlockWithResponse(new BlockBlobStageBlockOptions(id,
                        BinaryData.fromByteBuffer(ByteBuffer.wrap(buffer, 0, length))).setContentMd5(md5), null, Context.NONE);
                return;
            } catch (BlobStorageException e) {
                if (!corrupted(e) || attempt >= 2) {
                    throw e;
                }
                log.warn("Azure refused block {} of {}: its content did not match its MD5; sending it again", index, id);
            }
        }
    }

    /** Azure answers Md5Mismatch; the emulator answers InvalidOperation and says so in the message. */
    private static boolean corrupted(BlobStorageException e) {
        return e.getErrorCode() == BlobErrorCode.MD5MISMATCH
                || e.getStatusCode() == 400 && String.valueOf(e.getServiceMessage()).toLowerCase(Locale.ROOT).contains("md5");
    }

    private static Map<String, Long> uncommittedBlocks(BlockBlobClient blocks) {
        try {
            Map<String, Long> staged = new HashMap<>();
            for (Block block : blocks.listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks()) {
                staged.put(block.getName(), block.getSizeLong());
            }
            return staged;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Map.of(); // nothing staged yet
            }
            throw e;
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
        BlobClient blob = container(connection, credential, MIN_BLOCK_BYTES).getBlobClient(blobName);
        try {
            blob.uploadFromFile(file.toString(), true);
        } catch (BlobStorageException e) {
            throw failure(connection, e);
        } catch (RuntimeException e) {
            throw unreachable(connection, e);
        }
    }

    /** The blob's properties if it exists, to find a backup that an earlier attempt already stored. */
    public Optional<UploadedBlob> find(Connection connection, BlobCredential credential, String blobName) throws UploadFailedException {
        BlobClient blob = container(connection, credential, MIN_BLOCK_BYTES).getBlobClient(blobName);
        try {
            return Optional.of(new UploadedBlob(blob.getBlobUrl(), blob.getProperties(), 0));
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.BLOB_NOT_FOUND || e.getStatusCode() == 404) {
                return Optional.empty();
            }
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

    private static BlobContainerClient container(Connection connection, BlobCredential credential, long blockSize) {
        // Each try gets time to send one block at a slow 1 MiB/s, and never less than a minute.
        int tryTimeoutSeconds = (int) Math.max(60, blockSize / (1024 * 1024));
        return BlobContainers.client(connection, credential, tryTimeoutSeconds, 4);
    }

    private static String capitalized(String tier) {
        String lower = tier.toLowerCase(Locale.ROOT);
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    private static byte[] md5(byte[] data, int length) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(data, 0, length);
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A blob as Azure reports it after the commit.
     *
     * @param bytesSent what this attempt sent (less than the size when it resumed an earlier one)
     */
    public record UploadedBlob(String url, BlobProperties properties, long bytesSent) {

        public long size() {
            return properties.getBlobSize();
        }

        public Map<String, String> metadata() {
            return properties.getMetadata() == null ? Map.of() : properties.getMetadata();
        }
    }
}
