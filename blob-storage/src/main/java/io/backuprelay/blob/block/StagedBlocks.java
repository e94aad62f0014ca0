package io.backuprelay.blob.block;

import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.BlobStore;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocks Azure holds staged, not committed, for one blob, when an upload starts: a block counts
 * as sent only when an id naming its index and its content, as read from the local file now, is
 * there with its length ({@link BlockIds}).
 */
final class StagedBlocks {

    private static final Logger log = LoggerFactory.getLogger(StagedBlocks.class);

    private final Map<String, Long> staged;

    private StagedBlocks(Map<String, Long> staged) {
        this.staged = staged;
    }

    static StagedBlocks of(AzureBlobStore store, String blobName) {
        Map<String, Long> staged = store.uncommittedBlocks(blobName);
        if (staged.keySet().stream().anyMatch(id -> id.length() != BlockIds.LENGTH)) {
            // Ids of another length (another id scheme): Azure refuses to stage a block whose id
            // length differs from those staged, so they go first (only while no blob is committed).
            log.info("Discarding {} staged block(s) of {} with ids of another scheme", staged.size(), blobName);
            store.discardUncommitted(blobName);
            return new StagedBlocks(Map.of());
        }
        return new StagedBlocks(staged);
    }

    /** Whether Azure holds a block of this id (index and content) and this length. */
    boolean holds(String id, int length) {
        return staged.getOrDefault(id, -1L) == length;
    }
}
