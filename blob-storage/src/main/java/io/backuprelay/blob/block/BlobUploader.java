package io.backuprelay.blob.block;

import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.blob.AzureBlobStore;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.blob.BlobErrors;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongConsumer;

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
 *   <li>The block list is committed only where it overwrites no blob the caller keeps ({@link BlockCommit}).</li>
 *   <li>Memory: one buffer of a block per parallel send, whatever the archive's size.</li>
 *   <li>Transient errors are retried by the SDK's pipeline; what is left becomes a reason
 *       ({@link BlobTransferException}).</li>
 * </ul>
 */
public final class BlobUploader {

    static final long MIN_BLOCK_BYTES = BlockLayout.MIN_BLOCK_BYTES;

    private final Settings settings;

    /** @param access the service's way to storage: its endpoint policy, its stores */
    public BlobUploader(BlobAccess access, int concurrency) {
        this(access, concurrency, AzureBlobStore.BlockChecksum.CRC64);
    }

    public BlobUploader(BlobAccess access, int concurrency, AzureBlobStore.BlockChecksum checksum) {
        this(access, concurrency, checksum, BlockListener.NONE);
    }

    BlobUploader(BlobAccess access, int concurrency, AzureBlobStore.BlockChecksum checksum, BlockListener listener) {
        this.settings = new Settings(access, concurrency, checksum, listener);
    }

    /**
     * How blocks are sent: to stores handed out by {@code access}, how many at once, with which
     * checksum first, and who is told of each.
     */
    record Settings(BlobAccess access, int concurrency, AzureBlobStore.BlockChecksum checksum, BlockListener listener) {
    }

    /** Where this uploader reaches storage: the stores of other blobs of the same service (retention). */
    public BlobAccess access() {
        return settings.access();
    }

    /** Told about each block as it is sent (its buffer, read afresh for each try); tests use it to interrupt an upload or corrupt a block. */
    interface BlockListener {
        BlockListener NONE = (index, data) -> { };

        void beforeSend(int index, byte[] data);
    }

    /** As {@link #upload(BlobTarget, ArchiveFile, Occupant.Rule, LongConsumer)}, telling no one the progress. */
    public UploadedBlob upload(BlobTarget target, ArchiveFile archive, Occupant.Rule occupants)
            throws BlobTransferException {
        return upload(target, archive, occupants, sentSoFar -> { });
    }

    /**
     * Sends the archive's blocks Azure does not hold yet and commits them, in the target's access tier,
     * only if the bytes read for sending, in order, have the archive's size and SHA-256.
     *
     * @param occupants what a blob found under the name is to this commit
     * @param progress  told the bytes this attempt has sent so far, after each block Azure accepted
     * @return the committed blob and how many bytes this attempt sent
     * @throws BlobTransferException of kind ARCHIVE_CHANGED when the file is not the archive announced
     */
    public UploadedBlob upload(BlobTarget target, ArchiveFile archive, Occupant.Rule occupants, LongConsumer progress)
            throws BlobTransferException {
        if (archive.sizeBytes() > BlockLayout.maxArchiveBytes()) {
            throw new BlobTransferException("The archive of backup " + archive.backupId() + " has " + archive.sizeBytes()
                    + " bytes, more than the " + BlockLayout.maxArchiveBytes() + " a blob of 50,000 blocks holds here.",
                    BlobTransferException.Kind.PERMANENT);
        }
        AzureBlobStore store = settings.access().store(target);
        String blobName = target.blobName();
        String attempt = BlockIds.attemptKey(archive.backupId(), archive.file().getFileName().toString());
        try (FileChannel channel = FileChannel.open(archive.file(), StandardOpenOption.READ)) {
            if (channel.size() != archive.sizeBytes()) {
                throw new BlobTransferException("The staged archive has " + channel.size() + " bytes, the dump wrote "
                        + archive.sizeBytes() + ". It was not committed.", BlobTransferException.Kind.ARCHIVE_CHANGED);
            }
            Sent sent;
            try (BlockStream blocks = new BlockStream(store, blobName, attempt, channel,
                    StagedBlocks.of(store, blobName), progress, settings)) {
                blocks.sendUpTo(archive.sizeBytes(), true);
                sent = blocks.finish();
            }
            return commit(store, target, archive, sent, occupants);
        } catch (IOException e) {
            throw new BlobTransferException("The upload worker could not read the staged archive: " + e.getMessage(),
                    BlobTransferException.Kind.PERMANENT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("The upload was interrupted", e);
        } catch (RuntimeException e) {
            throw Failures.translate(target.connection(), e);
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
    public Optional<Sent> follow(BlobTarget target, String backupId, Path partial, Path complete, Duration idle,
                                 LongConsumer progress) throws BlobTransferException, InterruptedException {
        return ArchiveFollower.follow(target, backupId, partial, complete, idle, progress, settings);
    }

    /**
     * Commits blocks {@link #follow} sent, once the archive's SHA-256 is known: only if the bytes read
     * for sending, in order, have it.
     */
    public UploadedBlob commitFollowed(BlobTarget target, ArchiveFile archive, Sent sent, Occupant.Rule occupants)
            throws BlobTransferException {
        AzureBlobStore store = settings.access().store(target);
        try {
            return commit(store, target, archive, sent, occupants);
        } catch (RuntimeException e) {
            throw Failures.translate(target.connection(), e);
        }
    }

    private UploadedBlob commit(AzureBlobStore store, BlobTarget target, ArchiveFile archive, Sent sent,
                                Occupant.Rule occupants) throws BlobTransferException {
        if (sent.bytes() != archive.sizeBytes() || !sent.sha256().equals(archive.sha256())) {
            throw new BlobTransferException("The staged archive of backup " + archive.backupId() + " changed after the"
                    + " dump: its SHA-256 is " + sent.sha256() + " over " + sent.bytes() + " bytes, the dump's was "
                    + archive.sha256() + " over " + archive.sizeBytes() + ". It was not committed.",
                    BlobTransferException.Kind.ARCHIVE_CHANGED);
        }
        try {
            return new UploadedBlob(store.url(target.blobName()), BlockCommit.commit(store, target, archive,
                    sent.blockIds(), occupants), sent.sentBytes(), sent.checks(settings.checksum()));
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.INVALID_BLOCK_LIST) {
                throw new BlobTransferException("Blocks of backup " + archive.backupId() + " staged earlier are no"
                        + " longer in storage account '" + target.connection().storageAccountName() + "'; they are sent"
                        + " again.", BlobTransferException.Kind.TRANSIENT);
            }
            throw e;
        }
    }

    /** A small file (a manifest) as the target blob, overwriting an earlier attempt's. */
    public void uploadSmall(BlobTarget target, Path file) throws BlobTransferException {
        try {
            settings.access().store(target).putSmall(target.blobName(), Files.readAllBytes(file), null);
        } catch (IOException e) {
            throw new BlobTransferException("The manifest " + file.getFileName() + " cannot be read from staging: "
                    + e.getMessage(), BlobTransferException.Kind.PERMANENT);
        } catch (BlobStorageException e) {
            throw Failures.failure(target.connection(), e);
        } catch (RuntimeException e) {
            throw Failures.unreachable(target.connection(), e);
        }
    }

    /**
     * The read-back check of {@code UPLOAD_VERIFY=readback}: downloads the committed blob, streamed,
     * and compares its SHA-256 with the archive's. A blob that reads back differently is deleted, so
     * that the next try sends it whole again.
     *
     * @throws BlobTransferException TRANSIENT when it read back differently (it was deleted)
     */
    public void verifyByReadBack(BlobTarget target, String expectedSha256) throws BlobTransferException {
        String read = readBackSha256(target);
        if (!read.equals(expectedSha256)) {
            delete(target);
            throw new BlobTransferException("The blob " + target.blobName() + " read back from storage account '"
                    + target.connection().storageAccountName() + "' has SHA-256 " + read + ", not the archive's "
                    + expectedSha256 + "; it was deleted and is sent again.", BlobTransferException.Kind.TRANSIENT);
        }
    }

    private String readBackSha256(BlobTarget target) throws BlobTransferException {
        try {
            return settings.access().store(target).readBack(target.blobName()).sha256();
        } catch (BlobStorageException e) {
            throw Failures.failure(target.connection(), e);
        } catch (IOException e) {
            throw BlobTransferException.of(BlobErrors.unreachable(target.connection(), new UncheckedIOException(e)),
                    true);
        } catch (RuntimeException e) {
            throw Failures.unreachable(target.connection(), e);
        }
    }

    private void delete(BlobTarget target) throws BlobTransferException {
        try {
            settings.access().store(target).delete(target.blobName());
        } catch (BlobStore.ProtectedBlobException e) {
            throw new BlobTransferException(e.getMessage() + "; it read back differently than the archive, and stays"
                    + " until then.", BlobTransferException.Kind.PERMANENT);
        } catch (BlobStorageException e) {
            throw Failures.failure(target.connection(), e);
        } catch (RuntimeException e) {
            throw Failures.unreachable(target.connection(), e);
        }
    }

    /** The blob's properties if it exists, to find a backup that an earlier attempt already stored. */
    public Optional<UploadedBlob> find(BlobTarget target) throws BlobTransferException {
        AzureBlobStore store = settings.access().store(target);
        try {
            return store.find(target.blobName()).map(found -> new UploadedBlob(store.url(target.blobName()), found, 0,
                    Sent.NONE.checks(settings.checksum())));
        } catch (BlobStorageException e) {
            throw Failures.failure(target.connection(), e);
        } catch (RuntimeException e) {
            throw Failures.unreachable(target.connection(), e);
        }
    }
}
