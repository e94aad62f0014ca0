package io.backuprelay.verify;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.common.event.DrillOutcome.Kind;
import io.backuprelay.database.ArchiveStream;
import io.backuprelay.database.DatabaseTarget;
import io.backuprelay.database.Inventory;
import io.backuprelay.database.Manifest;
import io.backuprelay.database.RestoreException;
import io.backuprelay.database.Restorer;
import io.backuprelay.verify.VerifierConfig.DrillServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One restore drill of one stored backup: streams the blob from the account's container, hashes it
 * against the manifest and, when the backup is not encrypted and a drill server for its engine is
 * configured, restores it into a scratch database there, compares that with the manifest's
 * inventory, and drops it. It never connects to the tenant's database.
 */
final class Drill {

    private static final Logger log = LoggerFactory.getLogger(Drill.class);
    private static final byte[] AGE_HEADER = "age-encryption.org/v1\n".getBytes(StandardCharsets.US_ASCII);

    private final VerifierConfig config;
    private final Restorer restorer;

    Drill(VerifierConfig config, Restorer restorer) {
        this.config = config;
        this.restorer = restorer;
    }

    /**
     * What the drill found.
     *
     * @param differences the objects or row counts that did not match, when a restored database was compared
     */
    record Finding(boolean passed, Kind kind, String detail, List<String> differences) {
    }

    /**
     * @throws DrillUnavailableException when the drill could not run (storage or drill server unreachable):
     *                                   nothing is known of the backup, and the drill is tried again later
     */
    Finding run(BlobStore store, String blobName, String expectedSha256) throws InterruptedException {
        Optional<byte[]> manifestBytes = store.readSmall(blobName + ".manifest.json");
        if (manifestBytes.isEmpty()) {
            return new Finding(false, Kind.INTEGRITY_ONLY, "The manifest " + blobName + ".manifest.json is missing beside"
                    + " the backup, so nothing says what the blob should hold.", List.of());
        }
        Manifest manifest;
        try {
            manifest = io.backuprelay.common.json.Json.mapper().readValue(manifestBytes.get(), Manifest.class);
        } catch (IOException e) {
            return new Finding(false, Kind.INTEGRITY_ONLY, "The manifest beside the backup cannot be read: "
                    + e.getMessage(), List.of());
        }
        if (expectedSha256 != null && !expectedSha256.equals(manifest.sha256())) {
            return new Finding(false, Kind.INTEGRITY_ONLY, "The manifest names SHA-256 " + manifest.sha256()
                    + " but the backup was stored with " + expectedSha256 + ".", List.of());
        }
        Optional<DrillServer> server = manifest.encrypted() ? Optional.empty()
                : manifest.postgres() ? config.postgres() : config.mariadb();
        return server.isPresent() ? restore(store, blobName, manifest, server.get()) : integrityOnly(store, blobName, manifest);
    }

    /** An encrypted backup (the verifier holds no private key) or an engine without a drill server. */
    private Finding integrityOnly(BlobStore store, String blobName, Manifest manifest) {
        try (InputStream blob = store.read(blobName)) {
            ArchiveStream archive = manifest.encrypted() ? ArchiveStream.hashing(blob) : ArchiveStream.open(blob, manifest, null);
            if (manifest.encrypted()) {
                byte[] header = archive.plain().readNBytes(AGE_HEADER.length);
                if (!java.util.Arrays.equals(header, AGE_HEADER)) {
                    archive.finishAndHash();
                    return new Finding(false, Kind.INTEGRITY_ONLY, "The blob does not start with an age header,"
                            + " although the manifest says it is encrypted.", List.of());
                }
            } else {
                archive.plain().transferTo(java.io.OutputStream.nullOutputStream()); // decompresses it all
            }
            String sha256 = archive.finishAndHash();
            if (!sha256.equals(manifest.sha256())) {
                return corrupted(Kind.INTEGRITY_ONLY, sha256, manifest);
            }
            String what = manifest.encrypted() ? "SHA-256 of the encrypted blob and its age header checked; it is not"
                    + " restored, because the verifier does not hold the private key"
                    : "SHA-256 checked and the archive decompressed; no drill server is configured for "
                    + manifest.engine() + ", so it was not restored";
            return new Finding(true, Kind.INTEGRITY_ONLY, what, List.of());
        } catch (IOException e) {
            return new Finding(false, Kind.INTEGRITY_ONLY, "The archive cannot be read back: " + e.getMessage(), List.of());
        } catch (RuntimeException e) {
            throw new DrillUnavailableException("The blob " + blobName + " could not be read: " + e.getMessage(), e);
        }
    }

    private Finding restore(BlobStore store, String blobName, Manifest manifest, DrillServer server)
            throws InterruptedException {
        DatabaseTarget scratch = server.target().withDatabase("drill_" + UUID.randomUUID().toString().replace("-", "")
                .substring(0, 16));
        create(server, scratch);
        try {
            String failure = null;
            String sha256;
            try (InputStream blob = store.read(blobName)) {
                ArchiveStream archive = ArchiveStream.open(blob, manifest, null);
                try {
                    restorer.feed(scratch, server.password(), false, archive.plain());
                } catch (RestoreException | IOException e) {
                    failure = e.getMessage();
                }
                sha256 = archive.finishAndHash();
            } catch (IOException | RuntimeException e) {
                throw new DrillUnavailableException("The blob " + blobName + " could not be read: " + e.getMessage(), e);
            }
            if (!sha256.equals(manifest.sha256())) {
                return corrupted(Kind.RESTORE, sha256, manifest);
            }
            if (failure != null) {
                return new Finding(false, Kind.RESTORE, "The backup did not restore: " + failure, List.of());
            }
            if (manifest.inventory() == null) {
                return new Finding(true, Kind.RESTORE, "Restored: " + Restorer.inventory(scratch, server.password())
                        .summary() + " (the manifest lists no inventory to compare with)", List.of());
            }
            Inventory restored = Restorer.inventory(scratch, server.password());
            List<String> differences = manifest.inventory().missingFrom(restored, true);
            if (!differences.isEmpty()) {
                return new Finding(false, Kind.RESTORE, "The restored database differs from the backup's inventory in "
                        + differences.size() + " place(s).", differences);
            }
            return new Finding(true, Kind.RESTORE, restored.summary(), List.of());
        } finally {
            drop(server, scratch);
        }
    }

    private static Finding corrupted(Kind kind, String sha256, Manifest manifest) {
        return new Finding(false, kind, "The stored blob is corrupted: its SHA-256 is " + sha256 + ", the manifest says "
                + manifest.sha256() + ".", List.of());
    }

    private static void create(DrillServer server, DatabaseTarget scratch) {
        execute(server, "CREATE DATABASE " + quoted(scratch));
    }

    private static void drop(DrillServer server, DatabaseTarget scratch) {
        try {
            execute(server, "DROP DATABASE IF EXISTS " + quoted(scratch) + (scratch.postgres() ? " WITH (FORCE)" : ""));
        } catch (DrillUnavailableException e) {
            log.warn("The scratch database {} could not be dropped: {}", scratch.describe(), e.getMessage());
        }
    }

    private static String quoted(DatabaseTarget scratch) {
        return scratch.postgres() ? "\"" + scratch.database() + "\"" : "`" + scratch.database() + "`";
    }

    private static void execute(DrillServer server, String sql) {
        try (Connection connection = Restorer.connect(server.target(), server.password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new DrillUnavailableException("The drill server " + server.target().describe() + " refused '" + sql
                    + "': " + e.getMessage(), e);
        }
    }
}
