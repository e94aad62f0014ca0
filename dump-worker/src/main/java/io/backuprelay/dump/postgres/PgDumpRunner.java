package io.backuprelay.dump.postgres;

import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.dump.DumpFailedException;
import io.backuprelay.dump.DumpProcess;
import io.backuprelay.dump.DumpRunner;
import io.backuprelay.dump.archive.ArchiveFile;
import io.backuprelay.dump.archive.ArchiveSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * {@code pg_dump -Fc -Z0}: the custom format (what {@code pg_restore} reads, table by table), not
 * compressed by pg_dump so nothing is compressed twice. The password reaches pg_dump through a
 * private password file, never its arguments.
 */
public final class PgDumpRunner implements DumpRunner {

    private final PgDumpTools tools;

    public PgDumpRunner(PgDumpTools tools) {
        this.tools = tools;
    }

    @Override
    public Dumped dump(SourceDatabase source, String password, ArchiveSink sink, String backupId)
            throws DumpFailedException, IOException, InterruptedException {
        PostgresProbe.ServerVersion server = PostgresProbe.serverVersion(source, password);
        Path pgDump = tools.forServerMajor(server.major());
        Path passFile = writePassFile(source, password);
        Path partial = sink.newPartialFile(backupId);
        try {
            List<String> command = List.of(pgDump.toString(),
                    "--format=custom", "--compress=0", "--no-password",
                    "--host=" + source.host(), "--port=" + source.port(),
                    "--username=" + source.username(), "--dbname=" + source.database());
            DumpProcess.Outcome outcome = DumpProcess.run(command,
                    Map.of("PGPASSFILE", passFile.toString(), "PGCONNECT_TIMEOUT", "15", "PGAPPNAME", "backuprelay"),
                    sink, partial);
            if (outcome.exitCode() != 0) {
                throw new DumpFailedException(failureReason(source, outcome, password));
            }
            if (outcome.archive().dumpBytes() == 0) {
                throw new DumpFailedException("pg_dump ended without writing anything for " + source.describe() + ".");
            }
            ArchiveFile archive = sink.complete(partial, backupId, outcome.archive());
            return new Dumped(archive, server.text(), "pg_dump-custom");
        } finally {
            Files.deleteIfExists(partial);
            Files.deleteIfExists(passFile);
        }
    }

    private static String failureReason(SourceDatabase source, DumpProcess.Outcome outcome, String password) {
        String detail = outcome.stderrTail().lines()
                .filter(line -> line.contains("error") || line.contains("FATAL"))
                .reduce((first, second) -> second)
                .orElse(outcome.exitCode() > 128 || outcome.exitCode() < 0
                        ? "it was stopped by a signal"
                        : "it exited with code " + outcome.exitCode());
        if (password != null && !password.isEmpty()) {
            detail = detail.replace(password, "***");
        }
        return "pg_dump could not dump " + source.describe() + ": " + detail.replaceFirst("^pg_dump: ", "");
    }

    /** The password file format of libpq: host:port:database:username:password, with ':' and '\' escaped. */
    private static Path writePassFile(SourceDatabase source, String password) throws IOException {
        Path file = Files.createTempFile("backuprelay-", ".pgpass",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        String line = String.join(":", escape(source.host()), Integer.toString(source.port()),
                escape(source.database()), escape(source.username()), escape(password == null ? "" : password));
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }
}
