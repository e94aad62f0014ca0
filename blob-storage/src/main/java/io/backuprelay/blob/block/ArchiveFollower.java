package io.backuprelay.blob.block;

import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobTarget;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the blocks of an archive while its dump still writes it: every block as soon as the file
 * holds it whole, then, once the dump has given the file its final name, the rest. Blocks already
 * staged by an earlier attempt of the same file are not sent again.
 */
final class ArchiveFollower {

    private static final Logger log = LoggerFactory.getLogger(ArchiveFollower.class);

    /**
     * How often a follower looks at the file being dumped. Polling, not file-change notification:
     * staging may be a volume shared between hosts (NFS, a cloud file share), where notifications do
     * not cross from the writer's host; and the dump announces no progress beyond the file itself.
     * A tenth of a second is small beside the second an 8 MiB block takes to dump.
     */
    private static final Duration FOLLOW_POLL = Duration.ofMillis(100);

    private ArchiveFollower() {
    }

    /** See {@link BlobUploader#follow}. */
    static Optional<Sent> follow(BlobTarget target, String backupId, Path partial, Path complete, Duration idle,
                                 LongConsumer progress, BlobUploader.Settings settings) throws BlobTransferException, InterruptedException {
        AzureBlobStore store = settings.access().store(target);
        String blobName = target.blobName();
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
            throw new BlobTransferException("The upload worker could not read the archive being dumped: " + e.getMessage(),
                    BlobTransferException.Kind.TRANSIENT);
        } catch (RuntimeException e) {
            throw Failures.translate(target.connection(), e);
        }
    }

    /** The partial file once it exists (the dump announces itself just before creating it); null when it never came. */
    private static FileChannel openWhenThere(Path partial, Path complete, Duration idle) throws InterruptedException,
            BlobTransferException {
        long deadline = System.nanoTime() + Math.min(idle.toNanos(), Duration.ofMinutes(1).toNanos());
        while (true) {
            for (Path path : List.of(partial, complete)) {
                try {
                    return FileChannel.open(path, StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    // not (yet, or any more) under this name
                } catch (IOException e) {
                    throw new BlobTransferException("The upload worker cannot open " + path.getFileName() + ": " + e,
                            BlobTransferException.Kind.TRANSIENT);
                }
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            Thread.sleep(FOLLOW_POLL.toMillis());
        }
    }
}
