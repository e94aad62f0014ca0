package io.backuprelay.upload.store;

import io.backuprelay.blob.BlobTransferException;

/**
 * An upload that failed, with a reason a super-administrator can act on, and what may help:
 * {@link Kind#TRANSIENT} faults (timeouts, 5xx, throttling, resets) are retried from the staged
 * archive; {@link Kind#PERMANENT} ones (a rejected key, a missing container, an immutability policy)
 * are not; {@link Kind#ARCHIVE_CHANGED} means the staged archive is not what was dumped, and only a
 * fresh dump helps; {@link Kind#ALREADY_STORED} means another dump of the same backup is stored under
 * its name already, and is not overwritten.
 */
public final class UploadFailedException extends Exception {

    public enum Kind { TRANSIENT, PERMANENT, ARCHIVE_CHANGED, ALREADY_STORED }

    private final Kind kind;

    public UploadFailedException(String reason) {
        this(reason, Kind.PERMANENT);
    }

    public UploadFailedException(String reason, boolean transientFault) {
        this(reason, transientFault ? Kind.TRANSIENT : Kind.PERMANENT);
    }

    public UploadFailedException(String reason, Kind kind) {
        super(reason);
        this.kind = kind;
    }

    /**
     * A failure of the blob adapter, of the same kind and with its reason. What an
     * {@link BlobTransferException.Kind#OCCUPIED} blob is to the backup is told by {@link FoundBlob}; here
     * it counts as permanent.
     */
    public static UploadFailedException of(BlobTransferException e) {
        return new UploadFailedException(e.getMessage(), switch (e.kind()) {
            case TRANSIENT -> Kind.TRANSIENT;
            case PERMANENT, OCCUPIED -> Kind.PERMANENT;
            case ARCHIVE_CHANGED -> Kind.ARCHIVE_CHANGED;
        });
    }

    public boolean isTransient() {
        return kind == Kind.TRANSIENT;
    }

    public Kind kind() {
        return kind;
    }
}
