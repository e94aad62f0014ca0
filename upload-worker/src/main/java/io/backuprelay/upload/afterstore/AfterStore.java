package io.backuprelay.upload.afterstore;

import io.backuprelay.format.blob.BlobNames;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobTarget;
import io.backuprelay.blob.BlobTransferException;
import io.backuprelay.blob.block.BlobUploader;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.Retention;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.blob.retention.RetentionSweep;
import io.backuprelay.upload.store.UploadFailedException;
import io.backuprelay.format.manifest.ManifestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows once a backup is stored and verified: its manifest beside the blob and what the
 * super-administrator should be warned of, before the outcome; the account's retention after it.
 * Nothing here turns a stored backup into a failure: a manifest that cannot be stored is a warning
 * (only a transient fault is tried again, with the rest), and retention that cannot run waits for
 * the next backup.
 */
public final class AfterStore {

    private static final Logger log = LoggerFactory.getLogger(AfterStore.class);
    private static final Duration SAS_WARNING = Duration.ofDays(14);

    private final BlobUploader uploader;
    private final Function<String, Optional<BackupSettings>> settings;
    private final ServiceOps ops;
    private final Clock clock;

    /** @param ops the upload worker's ops events */
    public AfterStore(BlobUploader uploader, Function<String, Optional<BackupSettings>> settings, ServiceOps ops,
                      Clock clock) {
        this.uploader = uploader;
        this.settings = settings;
        this.ops = ops;
        this.clock = clock;
    }

    /**
     * Stores the manifest beside the blob, and gathers the warnings the completed backup carries: the
     * dump's, a SAS token that expires soon, a manifest that could not be stored.
     *
     * @param manifest the dump's manifest in staging; null when it wrote none
     * @throws UploadFailedException (transient) when storing the manifest met a transient fault
     */
    public List<String> manifestAndWarnings(DumpReady dump, BlobTarget target, Path manifest)
            throws UploadFailedException {
        List<String> warnings = new ArrayList<>(dump.warnings());
        warnings.addAll(credentialWarnings(target.connection(), target.credential(), dump));
        storeManifest(target, manifest).ifPresent(warnings::add);
        return warnings;
    }

    /**
     * The manifest beside the blob. A transient fault is retried with the rest (the blob is found
     * stored and is not sent again); a permanent one leaves the backup complete, with a warning.
     */
    private Optional<String> storeManifest(BlobTarget target, Path manifest) throws UploadFailedException {
        if (manifest == null || !Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        try {
            uploader.uploadSmall(target.named(ManifestNames.ofBlob(target.blobName())), manifest);
            return Optional.empty();
        } catch (BlobTransferException e) {
            if (e.isTransient()) {
                throw UploadFailedException.of(e);
            }
            log.warn("The manifest of {} could not be stored: {}", target.blobName(), e.getMessage());
            return Optional.of("The backup is stored and verified, but its manifest could not be stored beside it: "
                    + e.getMessage());
        }
    }

    /** A SAS token that stops working within 14 days is worth an email now, while backups still succeed. */
    private List<String> credentialWarnings(Connection connection, BlobCredential credential, DumpReady dump) {
        return credential.sasExpiry()
                .filter(expiry -> expiry.isBefore(clock.instant().plus(SAS_WARNING)))
                .map(expiry -> {
                    ops.publish(dump.backupId(), dump.accountId(), OpsStage.UPLOAD, OpsStatus.CREDENTIAL_EXPIRING,
                            connection.connectionId() + " " + expiry);
                    return List.of("The SAS token of the connection '" + connection.connectionId() + "' expires on "
                            + expiry + ". Replace it before then, or backups to this connection will fail.");
                })
                .orElse(List.of());
    }

    /** After a verified success only: a failed backup never makes room by deleting older ones. */
    public void applyRetention(DumpReady dump, BlobTarget target) {
        Retention policy = settings.apply(dump.accountId()).map(BackupSettings::retention).orElse(null);
        if (policy == null) {
            return;
        }
        Connection connection = target.connection();
        try {
            RetentionSweep.Sweep sweep = RetentionSweep.apply(uploader.access().store(target),
                    BlobNames.accountFolder(connection.path(), dump.accountId()), dump.accountId(), policy,
                    dump.backupId(), clock.instant());
            for (String deleted : sweep.deleted()) {
                log.info("Retention of account {} deleted {}", dump.accountId(), deleted);
                ops.publish(dump.backupId(), dump.accountId(), OpsStage.RETENTION, OpsStatus.DELETED, deleted);
            }
            for (RetentionSweep.Kept kept : sweep.kept()) {
                log.info("Retention of account {}: {}", dump.accountId(), kept.reason());
                ops.publish(dump.backupId(), dump.accountId(), OpsStage.RETENTION, OpsStatus.KEPT, kept.reason());
            }
        } catch (RuntimeException e) {
            log.warn("Retention of account {} could not run this time: {}", dump.accountId(), e.toString());
        }
    }
}
