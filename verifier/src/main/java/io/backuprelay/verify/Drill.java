package io.backuprelay.verify;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.common.PrivateFiles;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.DrillOutcome.Kind;
import io.backuprelay.format.BackupFormatException;
import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.reader.ArchiveStream;
import io.backuprelay.format.reader.CappedInputStream;
import io.backuprelay.database.DatabaseTarget;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.format.manifest.BackupManifest;
import io.backuprelay.format.manifest.ManifestNames;
import io.backuprelay.database.RestoreException;
import io.backuprelay.database.Restorer;
import io.backuprelay.verify.VerifierConfig.DrillServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One restore drill of one stored backup. Nothing the tenant can write is trusted: the blob's
 * SHA-256, size, engine and format come from the {@code BackupCompleted} event, not from the manifest
 * beside the blob; the blob is copied into the verifier's own staging and hashed, and only a copy
 * whose SHA-256 equals the event's reaches a restore tool. The restore runs as the drill server's
 * minimal user ({@link DrillRole}) within the drill's budget, in a scratch database that is dropped
 * after; the manifest, capped in size, gives only the inventory to compare with. It never connects
 * to the tenant's database.
 */
final class Drill {

    private static final Logger log = LoggerFactory.getLogger(Drill.class);
    private static final byte[] AGE_HEADER = "age-encryption.org/v1\n".getBytes(StandardCharsets.US_ASCII);

    private final VerifierConfig config;
    private final Feed restorer;

    /** How a verified copy reaches the drill server: {@link Restorer#feed}, or a test's recording of it. */
    @FunctionalInterface
    interface Feed {
        void feed(DatabaseTarget target, String password, boolean clean, InputStream dump, Restorer.Untrusted untrusted)
                throws IOException, InterruptedException;
    }

    Drill(VerifierConfig config, Restorer restorer) {
        this(config, (Feed) restorer::feed);
    }

    Drill(VerifierConfig config, Feed restorer) {
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
     * @throws DrillUnavailableException when the drill could not run (storage or drill server unreachable,
     *                                   or the drill server's user not minimal): nothing is known of the
     *                                   backup, and the drill is tried again later
     */
    Finding run(BlobStore store, BackupCompleted completed) throws InterruptedException {
        String blobName = completed.destination().blobName();
        Optional<Inventory> inventory;
        try {
            inventory = inventory(store, blobName, completed);
        } catch (ManifestProblem e) {
            return new Finding(false, Kind.INTEGRITY_ONLY, e.getMessage(), List.of());
        }
        BackupManifest trusted = trusted(completed, inventory.orElse(null));
        Optional<DrillServer> server = trusted == null || trusted.encrypted() ? Optional.empty()
                : trusted.postgres() ? config.postgres() : config.mariadb();
        if (server.isPresent() && completed.sizeBytes() > config.budget().maxBlobBytes()) {
            return integrityOnly(store, blobName, completed, trusted, " It is larger than the drill's budget ("
                    + (config.budget().maxBlobBytes() >> 20) + " MB, DRILL_MAX_BLOB_MB), so it was not restored.");
        }
        return server.isPresent() ? restore(store, blobName, completed, trusted, server.get())
                : integrityOnly(store, blobName, completed, trusted, "");
    }

    /** What the event says of the archive, with the manifest's inventory; null when an older event does not say. */
    private static BackupManifest trusted(BackupCompleted completed, Inventory inventory) {
        ArchiveFormat archive = completed.archive();
        if (archive == null) {
            return null;
        }
        if (completed.engine() == null) {
            throw new DrillUnavailableException("The backup's event names no engine, so this verifier cannot read it.");
        }
        return new BackupManifest(completed.backupId(), completed.accountId(), completed.engine(), null, null,
                archive.format(), archive.compression(), archive.encryption(), List.of(), completed.sizeBytes(),
                completed.sha256(), null, null, 0, inventory);
    }

    /** The manifest's inventory, when the manifest is this backup's; the manifest is read up to its budget. */
    private Optional<Inventory> inventory(BlobStore store, String blobName, BackupCompleted completed)
            throws ManifestProblem {
        String name = ManifestNames.ofBlob(blobName);
        int max = config.budget().maxManifestBytes();
        Optional<byte[]> bytes;
        try {
            bytes = store.readSmall(name, max);
        } catch (RuntimeException e) {
            throw new DrillUnavailableException("The manifest " + name + " could not be read: " + e.getMessage(), e);
        }
        if (bytes.isEmpty()) {
            throw new ManifestProblem("The manifest " + name + " is missing beside the backup, so nothing says what the"
                    + " blob should hold.");
        }
        if (bytes.get().length > max) {
            throw new ManifestProblem("The manifest beside the backup is larger than the drill reads ("
                    + (max >> 10) + " KB, DRILL_MAX_MANIFEST_KB); it was not read.");
        }
        BackupManifest manifest;
        try {
            manifest = BackupManifest.parse(bytes.get());
        } catch (BackupFormatException e) {
            throw new ManifestProblem("The manifest beside the backup cannot be read: " + e.getMessage());
        }
        if (!completed.sha256().equals(manifest.sha256())) {
            throw new ManifestProblem("The manifest names SHA-256 " + manifest.sha256() + " but the backup was stored with "
                    + completed.sha256() + ".");
        }
        return Optional.ofNullable(manifest.inventory());
    }

    /** A manifest the drill cannot use: the backup fails its drill for it. */
    private static final class ManifestProblem extends Exception {
        ManifestProblem(String message) {
            super(message);
        }
    }

    /**
     * An encrypted backup (the verifier holds no private key), an engine without a drill server, a
     * backup over the budget or one whose event predates the archive's format: the blob is hashed as
     * it streams, never more bytes than the backup had.
     */
    private Finding integrityOnly(BlobStore store, String blobName, BackupCompleted completed, BackupManifest trusted,
                                  String why) {
        try (InputStream blob = new CappedInputStream(store.read(blobName), completed.sizeBytes())) {
            boolean encrypted = trusted == null || trusted.encrypted();
            ArchiveStream archive = encrypted ? ArchiveStream.hashing(blob) : ArchiveStream.open(blob, trusted, null);
            if (trusted != null && trusted.encrypted()) {
                byte[] header = archive.plain().readNBytes(AGE_HEADER.length);
                if (!Arrays.equals(header, AGE_HEADER)) {
                    archive.finishAndHash();
                    return new Finding(false, Kind.INTEGRITY_ONLY, "The blob does not start with an age header,"
                            + " although the backup was encrypted.", List.of());
                }
            }
            archive.plain().transferTo(OutputStream.nullOutputStream()); // hashes it all, decompressing a plain one
            String sha256 = archive.finishAndHash();
            if (!sha256.equals(completed.sha256())) {
                return corrupted(Kind.INTEGRITY_ONLY, sha256, completed);
            }
            String what = trusted == null ? "SHA-256 checked; the backup's event does not say how it is written, so it"
                    + " was not restored"
                    : trusted.encrypted() ? "SHA-256 of the encrypted blob and its age header checked; it is not"
                    + " restored, because the verifier does not hold the private key"
                    : why.isEmpty() ? "SHA-256 checked and the archive decompressed; no drill server is configured for "
                    + trusted.engine() + ", so it was not restored"
                    : "SHA-256 checked and the archive decompressed." + why;
            return new Finding(true, Kind.INTEGRITY_ONLY, what, List.of());
        } catch (CappedInputStream.Exceeded e) {
            return tooLong(Kind.INTEGRITY_ONLY, completed);
        } catch (IOException e) {
            return new Finding(false, Kind.INTEGRITY_ONLY, "The archive cannot be read back: " + e.getMessage(), List.of());
        } catch (RuntimeException e) {
            throw new DrillUnavailableException("The blob " + blobName + " could not be read: " + e.getMessage(), e);
        }
    }

    private Finding restore(BlobStore store, String blobName, BackupCompleted completed, BackupManifest trusted,
                            DrillServer server) throws InterruptedException {
        Path copy;
        try {
            copy = copyVerified(store, blobName, completed);
        } catch (CappedInputStream.Exceeded e) {
            return tooLong(Kind.RESTORE, completed);
        } catch (Corrupted e) {
            return corrupted(Kind.RESTORE, e.sha256, completed);
        }
        try {
            checkRole(server);
            DatabaseTarget scratch = server.target().withDatabase("drill_" + UUID.randomUUID().toString()
                    .replace("-", "").substring(0, 16));
            create(server, scratch);
            try {
                try (InputStream blob = Files.newInputStream(copy)) {
                    ArchiveStream archive = ArchiveStream.open(blob, trusted, null);
                    restorer.feed(scratch, server.password(), false, archive.plain(), new Restorer.Untrusted(
                            config.budget().timeout(), config.budget().maxPlainBytes()));
                } catch (RestoreException | BackupFormatException | IOException e) {
                    return new Finding(false, Kind.RESTORE, "The backup did not restore: " + e.getMessage(), List.of());
                }
                Inventory restored;
                try {
                    restored = Restorer.inventory(scratch, server.password(), config.budget().timeout());
                } catch (RestoreException e) {
                    if (e.getCause() instanceof SQLException sql && ("57014".equals(sql.getSQLState())
                            || "70100".equals(sql.getSQLState()))) {
                        return new Finding(false, Kind.RESTORE, "The restored database could not be read within the"
                                + " drill's time budget (" + config.budget().timeout().toSeconds() + " s): "
                                + e.getMessage(), List.of());
                    }
                    throw e;
                }
                if (trusted.inventory() == null) {
                    return new Finding(true, Kind.RESTORE, "Restored: " + restored.summary()
                            + " (the manifest lists no inventory to compare with)", List.of());
                }
                List<String> differences = trusted.inventory().missingFrom(restored, true);
                if (!differences.isEmpty()) {
                    return new Finding(false, Kind.RESTORE, "The restored database differs from the backup's inventory in "
                            + differences.size() + " place(s).", differences);
                }
                return new Finding(true, Kind.RESTORE, restored.summary(), List.of());
            } finally {
                drop(server, scratch);
            }
        } finally {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                log.warn("The drill's copy {} could not be removed: {}", copy, e.toString());
            }
        }
    }

    /**
     * The blob, copied into the verifier's staging as it is hashed; the copy is kept only when its
     * SHA-256 equals the event's, so no tool ever reads bytes that are not the backup's.
     */
    private Path copyVerified(BlobStore store, String blobName, BackupCompleted completed)
            throws CappedInputStream.Exceeded, Corrupted {
        Path copy = null;
        try {
            Path staging = PrivateFiles.directory(config.budget().staging());
            copy = staging.resolve("drill-" + UUID.randomUUID() + ".blob");
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (InputStream blob = new DigestInputStream(new CappedInputStream(store.read(blobName), completed.sizeBytes()), sha256);
                 OutputStream out = PrivateFiles.create(copy)) {
                blob.transferTo(out);
            }
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (!actual.equals(completed.sha256())) {
                throw new Corrupted(actual);
            }
            Path verified = copy;
            copy = null;
            return verified;
        } catch (CappedInputStream.Exceeded e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DrillUnavailableException("The blob " + blobName + " could not be copied for the drill: "
                    + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException e) {
                    log.warn("The drill's copy {} could not be removed: {}", copy, e.toString());
                }
            }
        }
    }

    private static final class Corrupted extends Exception {
        final String sha256;

        Corrupted(String sha256) {
            super("corrupted");
            this.sha256 = sha256;
        }
    }

    /** The drill server's user, checked again before each restore: an operator may have changed it. */
    private static void checkRole(DrillServer server) {
        Optional<String> problem;
        try {
            problem = DrillRole.problem(server);
        } catch (SQLException e) {
            throw new DrillUnavailableException("The drill server " + server.target().describe() + " could not be asked"
                    + " about its user: " + e.getMessage(), e);
        }
        problem.ifPresent(p -> {
            throw new DrillUnavailableException(p);
        });
    }

    private static Finding corrupted(Kind kind, String sha256, BackupCompleted completed) {
        return new Finding(false, kind, "The stored blob is corrupted: its SHA-256 is " + sha256 + ", the backup was"
                + " stored with " + completed.sha256() + ". No restore tool ran on it.", List.of());
    }

    private static Finding tooLong(Kind kind, BackupCompleted completed) {
        return new Finding(false, kind, "The stored blob is corrupted: it is longer than the " + completed.sizeBytes()
                + " bytes the backup stored. No restore tool ran on it.", List.of());
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
