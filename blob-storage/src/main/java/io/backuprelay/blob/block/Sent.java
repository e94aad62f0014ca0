package io.backuprelay.blob.block;

import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.AzureBlobStore.BlockChecksum;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one attempt sent of an archive.
 *
 * @param bytes     the bytes read, in order, from the start of the archive
 * @param sha256    their SHA-256, hex
 * @param sentBytes what this attempt sent (less than {@code bytes} when an earlier one staged blocks)
 * @param checksums the checksums the blocks sent carried
 * @param blockIds  the ids of the archive's blocks, in order: what the commit lists
 */
public record Sent(long bytes, String sha256, long sentBytes, Set<BlockChecksum> checksums, List<String> blockIds) {

    static final Sent NONE = new Sent(0, "", 0, Set.of(), List.of());

    public Sent {
        blockIds = List.copyOf(blockIds);
    }

    /** The per-block checks to report: those used, or the configured one when every block was sent before. */
    List<BlockChecksum> checks(BlockChecksum configured) {
        Set<BlockChecksum> used = checksums.isEmpty() ? Set.of(configured) : checksums;
        List<BlockChecksum> checks = new ArrayList<>();
        if (used.contains(BlockChecksum.CRC64)) {
            checks.add(BlockChecksum.CRC64);
        }
        if (used.contains(BlockChecksum.MD5)) {
            checks.add(BlockChecksum.MD5);
        }
        return List.copyOf(checks);
    }
}
