package io.backuprelay.blob;

import java.util.Optional;

/**
 * A blob could not be written, read or verified, with a reason a super-administrator can act on
 * and what may help: {@link Kind#TRANSIENT} faults (timeouts, 5xx, throttling, resets) may pass if
 * tried again; {@link Kind#PERMANENT} ones (a rejected key, a missing container, an immutability
 * policy) do not; {@link Kind#ARCHIVE_CHANGED} means the file read is not the one announced (another
 * size or SHA-256); {@link Kind#OCCUPIED} means a blob the caller's {@code Occupant.Rule} keeps is
 * under the name, and it was not overwritten ({@link #occupant()}).
 */
public final class BlobTransferException extends Exception {

    public enum Kind { TRANSIENT, PERMANENT, ARCHIVE_CHANGED, OCCUPIED }

    private final Kind kind;
    private final BlobStore.StoredBlob occupant;

    public BlobTransferException(String reason, Kind kind) {
        this(reason, kind, null);
    }

    private BlobTransferException(String reason, Kind kind, BlobStore.StoredBlob occupant) {
        super(reason);
        this.kind = kind;
        this.occupant = occupant;
    }

    /** The commit found {@code occupant} under the name, and the caller's rule keeps it. */
    public static BlobTransferException occupied(BlobStore.StoredBlob occupant) {
        return new BlobTransferException("A blob named " + occupant.name() + " is already in the container; it is not"
                + " overwritten.", Kind.OCCUPIED, occupant);
    }

    public static BlobTransferException of(String reason, boolean transientFault) {
        return new BlobTransferException(reason, transientFault ? Kind.TRANSIENT : Kind.PERMANENT);
    }

    public Kind kind() {
        return kind;
    }

    public boolean isTransient() {
        return kind == Kind.TRANSIENT;
    }

    /** The blob kept under the name, for {@link Kind#OCCUPIED}. */
    public Optional<BlobStore.StoredBlob> occupant() {
        return Optional.ofNullable(occupant);
    }
}
