package io.backuprelay.dump.postgres;

import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.database.CredentialFiles;
import io.backuprelay.database.PgTools;
import io.backuprelay.dump.runner.DumpFailedException;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpProcess;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.dump.runner.SourceInterruption;
import io.backuprelay.dump.runner.SourceLock;
import io.backuprelay.dump.runner.ToolVersion;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.dump.archive.ArchiveFile;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.database.ArchiveListing;
import io.backuprelay.database.DatabaseContents;
import io.backuprelay.database.InventoryReader;
import io.backuprelay.database.ToolMissingException;
import io.backuprelay.dump.runner.Completeness;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pg_dump -Fc -Z0}: the custom format (what {@code pg_restore} reads, table by table), not
 * compressed by pg_dump so nothing is compressed twice. The password reaches pg_dump through a
 * private password file, never its arguments.
 */
public final class PgDumpRunner implements DumpRunner {

    static final DumpFormat FORMAT = DumpFormat.PG_DUMP_CUSTOM;

    private final PgTools tools;
    private final CredentialFiles credentials;
    private final SourceTls tls;
    private final PostgresProbe probe;
    private final boolean countRows;

    /** With the system's CA bundle for {@code VERIFY_FULL}. */
    public PgDumpRunner(PgTools tools) {
        this(tools, CredentialFiles.forInstance("shared"));
    }

    /** With the system's CA bundle for {@code VERIFY_FULL}. */
    public PgDumpRunner(PgTools tools, CredentialFiles credentials) {
        this(tools, credentials, SourceTls.SYSTEM_CAS);
    }

    public PgDumpRunner(PgTools tools, CredentialFiles credentials, SourceTls tls) {
        this(tools, credentials, tls, true);
    }

    /** @param countRows exact row counts in the inventory ({@code count(*)} of each table, in the dump's snapshot) */
    public PgDumpRunner(PgTools tools, CredentialFiles credentials, SourceTls tls, boolean countRows) {
        this.tools = tools;
        this.credentials = credentials;
        this.tls = tls;
        this.probe = new PostgresProbe(tls);
        this.countRows = countRows;
    }

    @Override
    public Dumped dump(SourceDatabase source, String password, ArchiveSink sink, DumpJob job)
            throws DumpFailedException, IOException, InterruptedException {
        // The inventory is read in the very snapshot pg_dump dumps: exported here, imported by pg_dump.
        // Named from its first moment: pg_dump's own session is the one called backuprelay. The
        // server's version is asked on it too, so that a small backup opens one session, not two.
        try (Connection snapshot = probe.connect(source, password, Duration.ZERO, "backuprelay-inventory")) {
            PostgresProbe.ServerVersion server = probe.serverVersion(snapshot, source);
            Path pgDump;
            try {
                pgDump = tools.forServerMajor(server.major());
            } catch (ToolMissingException e) {
                throw new DumpFailedException(e.getMessage());
            }
            String toolVersion = ToolVersion.of(pgDump.toString());
            lockAccount(snapshot, source, job.exclusive()); // held by this session until the dump ends
            String snapshotId = exportSnapshot(snapshot, source);
            CompletableFuture<DatabaseContents> inventory = new CompletableFuture<>();
            Thread.ofVirtual().name("inventory-" + job.backupId()).start(() -> {
                try {
                    inventory.complete(InventoryReader.postgresContents(snapshot, source.schema(), countRows));
                } catch (SQLException | RuntimeException e) {
                    inventory.completeExceptionally(e);
                }
            });
            Path passFile = writePassFile(source, password);
            Path partial = sink.newPartialFile(job.backupId());
            ArchiveListing listing = ArchiveListing.pgRestoreList(pgDump.resolveSibling("pg_restore"));
            try {
                List<String> command = new ArrayList<>(List.of(pgDump.toString(),
                        "--format=custom", "--compress=0", "--no-password", "--snapshot=" + snapshotId,
                        "--host=" + source.host(), "--port=" + source.port(),
                        "--username=" + source.username(), "--dbname=" + conninfoDbname(source.database())));
                if (source.schema() != null) {
                    command.add("--schema=" + source.schema());
                }
                job.opened().archive(partial, FORMAT);
                Map<String, String> env = new HashMap<>(tls.libpq(source.tls()));
                env.putAll(Map.of("PGPASSFILE", passFile.toString(), "PGCONNECT_TIMEOUT", "15", "PGAPPNAME", "backuprelay"));
                DumpProcess.Outcome outcome = DumpProcess.run("pg_dump", command, env, sink, partial, job, listing);
                if (outcome.exitCode() != 0) {
                    throw DumpFailedException.of("pg_dump could not dump " + source.describe() + ": "
                            + DumpProcess.failure(outcome, password).replaceFirst("^pg_dump: ", ""),
                            SourceInterruption.inToolOutput(outcome.stderrTail()));
                }
                if (outcome.archive().dumpBytes() == 0) {
                    throw new DumpFailedException("pg_dump ended without writing anything for " + source.describe() + ".");
                }
                DatabaseContents inDatabase = await(inventory, source);
                Completeness.check(source, inDatabase.objects(), listing.finish().identities(), "pg_dump",
                        new PgReadPrivileges(snapshot));
                ArchiveFile archive = sink.complete(partial, job.backupId(), outcome.archive());
                return new Dumped(archive, server.text(), toolVersion, FORMAT, List.of(), inDatabase.inventory());
            } finally {
                listing.abandon();
                Files.deleteIfExists(partial);
                Files.deleteIfExists(passFile);
            }
        } catch (SQLException e) {
            throw onSnapshot(source, e); // closing the snapshot's connection
        }
    }

    /**
     * The database as a quoted connection parameter: {@code --dbname} takes a whole connection
     * string, so a bare name such as {@code host=10.1.2.3 dbname=postgres} would redirect the dump.
     */
    static String conninfoDbname(String database) {
        return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** The advisory lock's two keys: backuprelay's class, and the account's number in it. */
    static final int LOCK_CLASS = 0x42524c59; // "BRLY"

    static int lockKey(String key) {
        return ByteBuffer.wrap(SourceLock.digest(key)).getInt() & 0x7fffffff;
    }

    /**
     * A session-level advisory lock per account ({@code pg_try_advisory_lock(class, key)}): the server
     * drops it when this connection ends, however the worker ends; a worker that is frozen, its
     * connection still open, keeps it, and another worker's dump of the account waits.
     */
    private static void lockAccount(Connection connection, SourceDatabase source, DumpJob.Exclusive exclusive)
            throws DumpFailedException, InterruptedException, SQLException {
        int key = lockKey(exclusive.key());
        SourceLock.acquire(source, exclusive, () -> {
            try (var statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
                statement.setInt(1, LOCK_CLASS);
                statement.setInt(2, key);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        }, () -> {
            try (var statement = connection.prepareStatement("SELECT l.pid, a.client_addr, a.backend_start"
                    + " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                    + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
                    + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    + " AND l.classid::bigint = ? AND l.objid::bigint = ?")) {
                statement.setLong(1, LOCK_CLASS);
                statement.setLong(2, key);
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        return "its session has just ended";
                    }
                    return "session " + rs.getInt(1) + (rs.getString(2) == null ? "" : " from " + rs.getString(2))
                            + (rs.getTimestamp(3) == null ? "" : ", connected since " + rs.getTimestamp(3).toInstant());
                }
            }
        });
    }

    private String exportSnapshot(Connection connection, SourceDatabase source) throws DumpFailedException {
        try (Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try (ResultSet id = statement.executeQuery("SELECT pg_export_snapshot()")) {
                id.next();
                return id.getString(1);
            }
        } catch (SQLException e) {
            throw onSnapshot(source, e);
        }
    }

    /** An error on the open snapshot connection: interrupted when the server ended or lost the session. */
    private DumpFailedException onSnapshot(SourceDatabase source, SQLException e) {
        return DumpFailedException.of(probe.reason(source, e), SourceInterruption.inSqlState(e));
    }

    private DatabaseContents await(CompletableFuture<DatabaseContents> inventory, SourceDatabase source)
            throws DumpFailedException, InterruptedException {
        try {
            return inventory.get();
        } catch (ExecutionException e) {
            throw DumpFailedException.of("Could not list what " + source.describe() + " holds, to check the archive: "
                    + (e.getCause() instanceof SQLException sql ? probe.reason(source, sql) : e.getCause().toString()),
                    e.getCause() instanceof SQLException sql && SourceInterruption.inSqlState(sql));
        }
    }

    private Path writePassFile(SourceDatabase source, String password) throws IOException {
        return credentials.pgPassFile(source.host(), source.port(), source.database(), source.username(), password);
    }
}
