package io.backuprelay.copy;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.Immutability;
import io.backuprelay.format.blob.BlobNames;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a copy goes: the same name under the copy connection's account folder as under the destination's, so a
 * copy is found (and restored, and kept by retention) exactly as the original is.
 */
final class CopyPlace {

    private CopyPlace() {
    }

    /**
     * The copy's blob name.
     *
     * @throws IllegalArgumentException when the stored blob is not under the destination's account folder
     */
    static String nameAt(Connection target, Connection source, String accountId, String sourceBlobName) {
        String sourceFolder = BlobNames.accountFolder(source.path(), accountId);
        if (!sourceBlobName.startsWith(sourceFolder)) {
            throw new IllegalArgumentException("the stored blob " + sourceBlobName + " is not under the account's folder "
                    + sourceFolder + " of its destination");
        }
        return BlobNames.accountFolder(target.path(), accountId) + sourceBlobName.substring(sourceFolder.length());
    }

    /** How the copy connection keeps a copy written {@code now}; empty when it asks for no immutability. */
    static Optional<BlobStore.Protection> protection(Connection target, Instant now) {
        Immutability asked = target.immutability();
        return asked == null ? Optional.empty() : Optional.of(new BlobStore.Protection(now.plus(asked.period()),
                asked.mode() == Immutability.Mode.LOCKED, asked.legalHold()));
    }
}
