package io.backuprelay.dump.mariadb;

import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.database.ArchiveListing;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.dump.runner.Completeness;
import io.backuprelay.database.CredentialFiles;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.dump.runner.DumpFailedException;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpProcess;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.dump.runner.SourceInterruption;
import io.backuprelay.dump.runner.SourceLock;
import io.backuprelay.dump.runner.ToolVersion;
import io.backuprelay.dump.archive.ArchiveFile;
import io.backuprelay.dump.archive.ArchiveSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code mariadb-dump} (or {@code mysqldump}) with {@code --single-transaction --quick --routines
 * --triggers --events}: a consistent SQL dump of one database, streamed. Credentials reach the tool
 * through a private options file, never its arguments.
 */
public final class MariaDbDumpRunner implements DumpRunner {

    static final DumpFormat FORMAT = DumpFormat.MARIADB_SQL;

    private final List<Path> searchPath;
    private final CredentialFiles credentials;
    private final SourceTls tls;
    private final MariaDbProbe probe;

    /** With the system's CA bundle for {@code VERIFY_FULL}. */
    public MariaDbDumpRunner(List<Path> searchPath) {
        this(searchPath, CredentialFiles.forInstance("shared"), SourceTls.SYSTEM_CAS);
    }

    public MariaDbDumpRunner(List<Path> searchPath, CredentialFiles credentials, SourceTls tls) {
        this.searchPath = List.copyOf(searchPath);
        this.credentials = credentials;
        this.tls = tls;
        this.probe = new MariaDbProbe(tls);
    }

    /** With the system's CA bundle for {@code VERIFY_FULL}. */
    public static MariaDbDumpRunner standard() {
        return standard(CredentialFiles.forInstance("shared"), SourceTls.SYSTEM_CAS);
    }

    /** The tools where Debian and the official images install them. */
    public static MariaDbDumpRunner standard(CredentialFiles credentials, SourceTls tls) {
        return new MariaDbDumpRunner(List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin")), credentials, tls);
    }

    @Override
    public Dumped dump(SourceDatabase source, String password, ArchiveSink sink, DumpJob job)
            throws DumpFailedException, IOException, InterruptedException {
        try (Connection lock = probe.connect(source, password)) {
            lockAccount(lock, source, job.exclusive()); // held by this session until the dump ends
            return dumpLocked(source, password, sink, job);
        } catch (SQLException e) {
            throw DumpFailedException.of(probe.reason(source, e), SourceInterruption.inSqlState(e));
        }
    }

    /** The name of the account's lock ({@code GET_LOCK} names are server-wide, at most 64 characters). */
    static String lockName(String key) {
        return "backuprelay-dump:" + HexFormat.of().formatHex(SourceLock.digest(key), 0, 20);
    }

    /**
     * A named lock per account ({@code GET_LOCK(name, 0)}) on a connection open for the whole dump:
     * the server drops it when the connection ends, however the worker ends.
     */
    private static void lockAccount(Connection connection, SourceDatabase source, DumpJob.Exclusive exclusive)
            throws DumpFailedException, InterruptedException, SQLException {
        String name = lockName(exclusive.key());
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION wait_timeout = 31536000"); // idle for as long as the dump runs
        }
        SourceLock.acquire(source, exclusive, () -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT GET_LOCK(?, 0)")) {
                statement.setString(1, name);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) == 1;
                }
            }
        }, () -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT p.ID, p.HOST, p.TIME"
                    + " FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(?)")) {
                statement.setString(1, name);
                try (ResultSet rs = statement.executeQuery()) {
                    return rs.next() ? "connection " + rs.getLong(1) + " from " + rs.getString(2) + ", for "
                            + rs.getLong(3) + " s" : "a connection this user cannot see";
                }
            }
        });
    }

    private Dumped dumpLocked(SourceDatabase source, String password, ArchiveSink sink, DumpJob job)
            throws DumpFailedException, IOException, InterruptedException {
        MariaDbProbe.Server server = probe.check(source, password);
        Path tool = tool().orElseThrow(() -> new DumpFailedException(
                "Neither mariadb-dump nor mysqldump is installed on the backup worker."));
        Path options = writeOptionsFile(source, password);
        String toolVersion = ToolVersion.of(tool.toString());
        Path partial = sink.newPartialFile(job.backupId());
        try {
            List<String> command = List.of(tool.toString(), "--defaults-extra-file=" + options,
                    "--single-transaction", "--quick", "--routines", "--triggers", "--events", "--hex-blob",
                    "--no-tablespaces", "--default-character-set=utf8mb4", "--", source.database());
            ArchiveListing listing = ArchiveListing.sqlStream();
            job.opened().archive(partial, FORMAT);
            DumpProcess.Outcome outcome = DumpProcess.run(tool.getFileName().toString(), command, Map.of(), sink,
                    partial, job, listing);
            String name = tool.getFileName().toString();
            if (outcome.exitCode() != 0) {
                throw DumpFailedException.of(name + " could not dump " + source.describe() + ": "
                        + DumpProcess.failure(outcome, password).replaceFirst("^" + name + ": ", ""),
                        SourceInterruption.inToolOutput(outcome.stderrTail()));
            }
            if (outcome.archive().dumpBytes() == 0) {
                throw new DumpFailedException(name + " ended without writing anything for " + source.describe() + ".");
            }
            ArchiveListing.Listed inArchive = listing.finish();
            Completeness.check(source, server.contents().objects(), inArchive.identities(), name,
                    new MariaDbReadPrivileges(probe, source, password));
            // The objects as the database listed them; the rows as the archive holds them.
            Inventory listed = server.inventory();
            Inventory inventory = new Inventory(List.of(), inArchive.rows(), listed.views(), listed.sequences(),
                    listed.routines(), listed.triggers(), listed.events(), List.of());
            ArchiveFile archive = sink.complete(partial, job.backupId(), outcome.archive());
            return new Dumped(archive, server.version(), toolVersion, FORMAT, List.of(), inventory);
        } finally {
            Files.deleteIfExists(partial);
            Files.deleteIfExists(options);
        }
    }

    private Optional<Path> tool() {
        for (String name : List.of("mariadb-dump", "mysqldump")) {
            for (Path dir : searchPath) {
                if (Files.isExecutable(dir.resolve(name))) {
                    return Optional.of(dir.resolve(name));
                }
            }
        }
        return Optional.empty();
    }

    /** The client options file: readable by this user only, removed when the dump ends. */
    private Path writeOptionsFile(SourceDatabase source, String password) throws IOException, DumpFailedException {
        return credentials.mariadbOptionsFile(source.host(), source.port(), source.username(), password,
                tls.mariadbOptions(source.tls()));
    }
}
