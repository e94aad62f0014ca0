package io.backuprelay.upload.store;

import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobTarget;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.BlobNaming;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.secret.SecretUnavailableException;
import java.util.Optional;
import java.util.function.Function;

/** Where a dump's archive goes: the blob named for it in its connection's container, with the connection's credential. */
final class BlobTargets {

    private final Function<String, Optional<Connection>> connections;
    private final SecretSealer sealer;

    BlobTargets(Function<String, Optional<Connection>> connections, SecretSealer sealer) {
        this.connections = connections;
        this.sealer = sealer;
    }

    /** @throws UploadFailedException (permanent) when the connection is gone or its credential cannot be opened */
    BlobTarget of(DumpReady dump) throws UploadFailedException {
        Optional<Connection> found = connections.apply(Connection.key(dump.accountId(), dump.connectionId()));
        if (found.isEmpty()) {
            throw new UploadFailedException("The connection '" + dump.connectionId() + "' of account '"
                    + dump.accountId() + "' does not exist (it may have been deleted).");
        }
        Connection connection = found.get();
        String blobName = BlobNaming.blobName(connection.path(), dump);
        try {
            return new BlobTarget(connection, BlobCredential.of(connection, sealer), blobName);
        } catch (SecretUnavailableException e) {
            throw new UploadFailedException("The upload worker cannot read the stored credential of connection '"
                    + dump.connectionId() + "': " + e.getMessage());
        }
    }

    /** Empty when there is none to reach: the upload on {@code DumpReady} says why. */
    Optional<BlobTarget> of(DumpStarted started) {
        Optional<Connection> found = connections.apply(Connection.key(started.accountId(), started.connectionId()));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Connection connection = found.get();
        BlobCredential credential;
        try {
            credential = BlobCredential.of(connection, sealer);
        } catch (SecretUnavailableException e) {
            return Optional.empty();
        }
        return Optional.of(new BlobTarget(connection, credential, BlobNaming.blobName(connection.path(), started)));
    }
}
