package io.backuprelay.copy;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.blob.StorageFailures;
import io.backuprelay.blob.retention.RetentionSweep;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.CopyDestination;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.format.blob.BlobNames;
import io.backuprelay.format.manifest.ManifestNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One try of one copy: the stored blob streamed from the destination into the copy destination, where the store
 * checks each part on arrival and keeps the copy only if, read back, its SHA-256 is the backup's as the upload
 * worker recorded it in {@code BackupCompleted} (never the metadata beside the blob, which the tenant can
 * rewrite); then the manifest beside it, then the copy destination's own retention. A copy already there whose
 * bytes hash to the backup's is not sent again.
 */
final class CopyOne {

    private static final Logger log = LoggerFactory.getLogger(CopyOne.class);

    /** The checks a stored copy passed. */
    static final List<String> CHECKS = List.of("CHECKSUM_PER_PART", BackupCompleted.Check.READ_BACK_SHA256.name());

    private final Function<Connection, BlobStore> stores;
    private final ServiceOps ops;
    private final Clock clock;

    /** @param stores each connection's store, under the copier's endpoint policy and the account's grants */
    CopyOne(Function<Connection, BlobStore> stores, ServiceOps ops, Clock clock) {
        this.stores = stores;
        this.ops = ops;
        this.clock = clock;
    }

    /** The pair of places one copy goes between. */
    record Route(Connection source, Connection target, CopyDestination copy) {
    }

    /**
     * @throws BlobTransferException transient (tried again) or permanent (given up), with the reason
     */
    CopyStored copy(BackupCompleted backup, Route route, int attempt) throws BlobTransferException {
        String sourceName = backup.destination().blobName();
        String name;
        try {
            name = CopyPlace.nameAt(route.target(), route.source(), backup.accountId(), sourceName);
        } catch (IllegalArgumentException e) {
            throw BlobTransferException.of(e.getMessage(), false);
        }
        BlobStore from = open(route.source());
        BlobStore to = open(route.target());
        Instant now = clock.instant();
        Optional<BlobStore.Protection> protection = CopyPlace.protection(route.target(), now);
        BlobStore.StoredBlob stored = alreadyThere(to, name, backup, route.target()).orElse(null);
        if (stored == null) {
            stored = send(from, to, sourceName, name, backup, route, protection);
        }
        copyManifest(from, to, sourceName, name, route.target());
        retention(to, route, backup);
        BlobStore.Protection kept = stored.protection() != null ? stored.protection() : protection.orElse(null);
        CopyStored copied = CopyStored.of(backup, route.target().connectionId(), attempt,
                new BlobLocation(route.target().keyOwner(), route.target().containerName(), name, to.url(name)), CHECKS,
                clock.instant());
        return kept == null ? copied : copied.immutable(kept.retainUntil(), kept.legalHold());
    }

    private BlobStore open(Connection connection) throws BlobTransferException {
        try {
            return stores.apply(connection);
        } catch (RuntimeException e) {
            throw StorageFailures.of(connection, e);
        }
    }

    private BlobStore.StoredBlob send(BlobStore from, BlobStore to, String sourceName, String name,
                                      BackupCompleted backup, Route route, Optional<BlobStore.Protection> protection)
            throws BlobTransferException {
        BlobStore.StoredBlob original;
        try {
            original = from.find(sourceName).orElseThrow(() -> new IllegalStateException("gone"));
        } catch (IllegalStateException gone) {
            throw BlobTransferException.of("The backup's blob " + sourceName + " is no longer at its destination '"
                    + route.source().connectionId() + "': there is nothing to copy.", false);
        } catch (RuntimeException e) {
            throw StorageFailures.of(route.source(), e);
        }
        try (InputStream in = from.read(sourceName)) {
            return to.put(name, in, backup.sizeBytes(), backup.sha256(), original.metadata(), protection);
        } catch (IOException e) {
            throw StorageFailures.of(route.source(), new UncheckedIOException(e));
        } catch (RuntimeException e) {
            throw StorageFailures.of(route.target(), e);
        }
    }

    /** The copy of an earlier try, or of a replayed outcome, if its bytes are the backup's. */
    private Optional<BlobStore.StoredBlob> alreadyThere(BlobStore to, String name, BackupCompleted backup,
                                                        Connection target) throws BlobTransferException {
        try {
            Optional<BlobStore.StoredBlob> found = to.find(name);
            if (found.isEmpty() || !to.readBack(name).is(backup.sizeBytes(), backup.sha256())) {
                return Optional.empty();
            }
            log.info("The copy of backup {} at '{}' is already there and whole; not sent again", backup.backupId(),
                    target.connectionId());
            return found;
        } catch (IOException e) {
            throw StorageFailures.of(target, new UncheckedIOException(e));
        } catch (RuntimeException e) {
            throw StorageFailures.of(target, e);
        }
    }

    /** The manifest travels with the copy; one that cannot be copied leaves the copy stored, with a log line. */
    private void copyManifest(BlobStore from, BlobStore to, String sourceName, String name, Connection target) {
        try {
            from.readSmall(ManifestNames.ofBlob(sourceName))
                    .ifPresent(manifest -> to.putSmall(ManifestNames.ofBlob(name), manifest, null));
        } catch (RuntimeException e) {
            log.warn("The manifest of {} could not be copied to '{}': {}", sourceName, target.connectionId(),
                    e.toString());
        }
    }

    /** The copy destination's own retention, after a verified copy only; it never fails the copy. */
    private void retention(BlobStore to, Route route, BackupCompleted backup) {
        if (route.copy().retention() == null) {
            return;
        }
        try {
            RetentionSweep.Sweep sweep = RetentionSweep.apply(to, BlobNames.accountFolder(route.target().path(),
                    backup.accountId()), backup.accountId(), route.copy().retention(), backup.backupId(),
                    clock.instant());
            for (String deleted : sweep.deleted()) {
                ops.publish(backup.backupId(), backup.accountId(), OpsStage.RETENTION, OpsStatus.DELETED,
                        route.target().connectionId() + ": " + deleted);
            }
            for (RetentionSweep.Kept kept : sweep.kept()) {
                ops.publish(backup.backupId(), backup.accountId(), OpsStage.RETENTION, OpsStatus.KEPT,
                        route.target().connectionId() + ": " + kept.reason());
            }
        } catch (RuntimeException e) {
            log.warn("Retention at copy destination '{}' of account {} could not run this time: {}",
                    route.target().connectionId(), backup.accountId(), e.toString());
        }
    }
}
