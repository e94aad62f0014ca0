package io.backuprelay.blob.block;

import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.Crc64Nvme;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an archive block by block, in order, hashing every byte read (SHA-256 over the whole
 * archive), and sends the blocks Azure does not hold yet, several at once, each with its checksum
 * and an id naming its content ({@link BlockIds}). The reading thread may stop at any block
 * boundary and go on later ({@link #sendUpTo}), so it can follow a file that is still being written.
 */
final class BlockStream implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlockStream.class);

    private final AzureBlobStore store;
    private final String blobName;
    private final String attempt;
    private final FileChannel channel;
    private final StagedBlocks staged;
    private final LongConsumer progress;
    private final BlobUploader.BlockListener listener;
    private final MessageDigest sha256 = digest("SHA-256");
    // One buffer per parallel send, reused: the heap holds (concurrency + 1) blocks, whatever the archive's size.
    private final BlockingQueue<byte[]> buffers;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Future<?>> pending = new ArrayList<>();
    private final Map<Integer, String> ids = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final Set<AzureBlobStore.BlockChecksum> used = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean failed = new AtomicBoolean();
    private volatile AzureBlobStore.BlockChecksum current;
    private int next;
    private long read;

    /** @param progress told the bytes sent so far, after each block Azure accepted */
    BlockStream(AzureBlobStore store, String blobName, String attempt, FileChannel channel, StagedBlocks staged,
                LongConsumer progress, BlobUploader.Settings settings) {
        this.store = store;
        this.blobName = blobName;
        this.attempt = attempt;
        this.channel = channel;
        this.staged = staged;
        this.progress = progress;
        this.listener = settings.listener();
        this.current = settings.checksum();
        this.buffers = new ArrayBlockingQueue<>(settings.concurrency() + 1);
        for (int i = 0; i <= settings.concurrency(); i++) {
            buffers.add(new byte[0]);
        }
    }

    int staged() {
        return next;
    }

    /** Reads and sends every block that ends at or before {@code available}; with {@code last}, the tail too. */
    void sendUpTo(long available, boolean last) throws IOException, InterruptedException {
        while (!failed.get()) {
            long start = BlockLayout.start(next);
            long end = start + BlockLayout.sizeAt(next);
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
            byte[] block = buffer;
            pending.add(senders.submit(() -> {
                try {
                    byte[] crc64 = Crc64Nvme.of(block, 0, length);
                    String id = BlockIds.of(attempt, index, crc64);
                    ids.put(index, id);
                    if (!staged.holds(id, length)) { // else an earlier attempt sent these very bytes, and Azure checked them
                        stage(id, index, start, block, length, crc64);
                        progress.accept(sent.addAndGet(length));
                    }
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
        List<String> blockIds = new ArrayList<>(next);
        for (int i = 0; i < next; i++) {
            blockIds.add(ids.get(i));
        }
        return new Sent(read, HexFormat.of().formatHex(sha256.digest()), sent.get(), Set.copyOf(used),
                blockIds);
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
    private void stage(String id, int index, long offset, byte[] buffer, int length, byte[] crc64) throws IOException {
        AzureBlobStore.BlockChecksum algorithm = current;
        byte[] sum = algorithm == AzureBlobStore.BlockChecksum.CRC64 ? crc64 : checksum(algorithm, buffer, length);
        for (int tries = 1; ; tries++) {
            listener.beforeSend(index, buffer);
            try {
                if (store.stageBlock(blobName, id, buffer, length, algorithm, sum)) {
                    used.add(algorithm);
                    return;
                }
                // The service did not confirm the CRC64: it does not check it. MD5 from now on, and this block again.
                if (current == AzureBlobStore.BlockChecksum.CRC64) {
                    current = AzureBlobStore.BlockChecksum.MD5;
                    log.warn("Storage did not confirm the CRC64 of block {} of {}; blocks carry their MD5 instead",
                            index, blobName);
                }
                algorithm = AzureBlobStore.BlockChecksum.MD5;
                sum = checksum(algorithm, buffer, length);
                tries = 0;
            } catch (AzureBlobStore.BlockCorruptedException e) {
                if (tries >= 2) {
                    throw e;
                }
                log.warn("Azure refused block {} of {}: its content did not match its {}; sending it again", index,
                        blobName, algorithm);
                read(channel, offset, buffer, length);
                if (!Arrays.equals(checksum(algorithm, buffer, length), sum)) {
                    throw new ArchiveReadException("Block " + index + " of the staged archive reads differently than a"
                            + " moment ago: the archive changed during the upload. It was not committed.",
                            BlobTransferException.Kind.ARCHIVE_CHANGED);
                }
            }
        }
    }

    @Override
    public void close() {
        senders.shutdownNow();
    }

    private static byte[] checksum(AzureBlobStore.BlockChecksum algorithm, byte[] data, int length) {
        if (algorithm == AzureBlobStore.BlockChecksum.CRC64) {
            return Crc64Nvme.of(data, 0, length);
        }
        MessageDigest md5 = digest("MD5");
        md5.update(data, 0, length);
        return md5.digest();
    }

    private static void read(FileChannel channel, long offset, byte[] buffer, int length) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, length);
        while (target.hasRemaining()) {
            if (channel.read(target, offset + target.position()) < 0) {
                throw new IOException("The staged archive is shorter than announced");
            }
        }
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The staged archive is not what the dump wrote; carried out of the sending threads. */
    static final class ArchiveReadException extends RuntimeException {
        final BlobTransferException.Kind kind;

        ArchiveReadException(String message, BlobTransferException.Kind kind) {
            super(message);
            this.kind = kind;
        }
    }
}
