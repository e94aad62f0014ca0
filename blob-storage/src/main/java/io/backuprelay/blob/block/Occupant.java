package io.backuprelay.blob.block;

import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.blob.BlobStore;

/**
 * What a blob found under the name is to a commit that overwrites nothing by accident: the commit
 * is conditional (only if no blob of that name exists), and when one does, the caller's
 * {@link Rule} says which of these it is.
 */
public enum Occupant {
    /** This very archive, committed by an earlier try whose answer was lost: the commit is done. */
    THIS_ARCHIVE,
    /** Holds nothing of value (what discarding staged blocks leaves): replaced, only if still this version. */
    LEFTOVER,
    /** Anything else: never overwritten; the commit fails as {@link BlobTransferException.Kind#OCCUPIED}. */
    KEPT;

    /** How the caller tells a blob found under the name apart. */
    @FunctionalInterface
    public interface Rule {
        Occupant of(BlobStore.StoredBlob found);
    }
}
