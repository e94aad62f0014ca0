package io.backuprelay.common.event;

import io.backuprelay.format.blob.BlobNames;

/**
 * Where the backup a dump event describes goes inside the container: {@link BlobNames} names it
 * from the event's account, slot, backup id and archive format.
 */
public final class BlobNaming {

    private BlobNaming() {
    }

    public static String blobName(String path, DumpReady dump) {
        return BlobNames.blobName(path, dump.accountId(), dump.slotAt(), dump.backupId(), dump.archiveFormat());
    }

    /** The same blob, named from the announcement of the dump that will fill it. */
    public static String blobName(String path, DumpStarted dump) {
        return BlobNames.blobName(path, dump.accountId(), dump.slotAt(), dump.backupId(), dump.archiveFormat());
    }
}
