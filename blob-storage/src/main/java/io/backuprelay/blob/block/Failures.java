package io.backuprelay.blob.block;

import io.backuprelay.blob.BlobTransferException;
import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.blob.BlobErrors;
import io.backuprelay.common.account.Connection;
import java.io.UncheckedIOException;

/** What went wrong under a transfer, as a {@link BlobTransferException} in plain words. */
final class Failures {

    private Failures() {
    }

    /** Anything thrown while blocks were read, sent or committed. */
    static BlobTransferException translate(Connection connection, RuntimeException e) {
        if (e instanceof BlobStorageException storage) {
            return failure(connection, storage);
        }
        if (e instanceof BlockStream.ArchiveReadException read) {
            return new BlobTransferException(read.getMessage(), read.kind);
        }
        if (e instanceof UncheckedIOException io) {
            return new BlobTransferException("The upload worker could not read the staged archive: "
                    + io.getCause().getMessage(), BlobTransferException.Kind.PERMANENT);
        }
        return unreachable(connection, e);
    }

    /** Azure's answer: transient (408, 429, 5xx and their codes) or not, with its reason. */
    static BlobTransferException failure(Connection connection, BlobStorageException e) {
        return BlobTransferException.of(BlobErrors.reason(connection, e), BlobErrors.isTransient(e));
    }

    /** No answer from Azure (a timeout, a reset, a name that did not resolve): worth trying again. */
    static BlobTransferException unreachable(Connection connection, RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
            throw e; // the worker stops: not a storage fault
        }
        return BlobTransferException.of(BlobErrors.unreachable(connection, e), true);
    }
}
