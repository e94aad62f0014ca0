package io.backuprelay.blob.block;

/**
 * Where each block of an archive lies, by its index alone: 8 MiB each for the first 10,000, then
 * 16, 32, 64 and 256 MiB for each next 10,000, so a block's place never depends on the archive's
 * final size and blocks can be sent while the dump still writes; up to 3.6 TiB within Azure's
 * 50,000 blocks.
 */
final class BlockLayout {

    /** Blocks of each size before the next size. */
    static final int TIER_BLOCKS = 10_000;
    static final long MIN_BLOCK_BYTES = 8L * 1024 * 1024;
    private static final long[] TIER_BYTES = {MIN_BLOCK_BYTES, 2 * MIN_BLOCK_BYTES, 4 * MIN_BLOCK_BYTES,
            8 * MIN_BLOCK_BYTES, 32 * MIN_BLOCK_BYTES};
    /** Azure allows 50,000 blocks a blob. */
    static final int MAX_BLOCKS = TIER_BLOCKS * TIER_BYTES.length;
    private static final long MAX_ARCHIVE_BYTES = start(MAX_BLOCKS);

    private BlockLayout() {
    }

    /** The size of block {@code index}, whatever the archive's size (the last block of an archive may be shorter). */
    static long sizeAt(int index) {
        return TIER_BYTES[Math.min(index / TIER_BLOCKS, TIER_BYTES.length - 1)];
    }

    /** Where block {@code index} starts in the archive. */
    static long start(int index) {
        long start = 0;
        for (int tier = 0; tier < TIER_BYTES.length && index > 0; tier++) {
            int inTier = Math.min(index, TIER_BLOCKS);
            start += inTier * TIER_BYTES[tier];
            index -= inTier;
        }
        return start;
    }

    /** How many blocks an archive of this size takes. */
    static int count(long archiveBytes) {
        int count = 0;
        while (start(count) < archiveBytes) {
            count++;
        }
        return count;
    }

    /** The largest archive the block layout holds. */
    static long maxArchiveBytes() {
        return MAX_ARCHIVE_BYTES;
    }
}
