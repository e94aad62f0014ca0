package io.backuprelay.dump.postgres;

import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.dump.CredentialFiles;
import io.backuprelay.dump.DumpFailedException;
import io.backuprelay.dump.DumpJob;
import io.backuprelay.dump.DumpProcess;
import io.backuprelay.dump.DumpRunner;
import io.backuprelay.dump.ToolVersion;
import io.backuprelay.dump.archive.ArchiveFile;
import io.backuprelay.dump.archive.ArchiveSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code pg_dump -Fc -Z0}: the custom format (what {@code pg_restore} reads, table by table), not
 * compressed by pg_dump so nothing is compressed twice. The password reaches pg_dump through a
 * private password file, never its arguments.
 */
public final class PgDumpRunner implements DumpRunner {

    private final PgDumpTools tools;
    private final CredentialFiles credentials;

    public PgDumpRunner(PgDumpTools tools) {
        this(tools, CredentialFiles.forInstance("shared"));
    }

    public PgDumpRunner(PgDumpTools tools, CredentialFiles credentials) {
        this.tools = tools;
        this.credentials = credentials;
    }

    @Override
    public Dumped dump(SourceDatabase source, String password, ArchiveSink sink, DumpJob job)
            throws DumpFailedException, IOException, InterruptedException {
        PostgresProbe.ServerVersion server = PostgresProbe.serverVersion(source, password);
        Path pgDump = tools.forServerMajor(server.major());
        Path passFile = writePassFile(source, password);
        String toolVersion = ToolVersion.of(pgDump.toString());
        Path partial = sink.newPartialFile(job.backupId());
        try {
            List<String> command = new ArrayList<>(List.of(pgDump.toString(),
                    "--format=custom", "--compress=0", "--no-password",
                    "--host=" + source.host(), "--port=" + source.port(),
                    "--username=" + source.username(), "--dbname=" + source.database()));
            if (source.schema() != null) {
                command.add("--schema=" + source.schema());
            }
            DumpProcess.Outcome outcome = DumpProcess.run("pg_dump", command,
                    Map.of("PGPASSFILE", passFile.toString(), "PGCONNECT_TIMEOUT", "15", "PGAPPNAME", "backuprelay"),
                    sink, partial, job);
            if (outcome.exitCode() != 0) {
                throw new DumpFailedException("pg_dump could not dump " + source.describe() + ": "
                        + DumpProcess.failure(outcome, password).replaceFirst("^pg_dump: ", ""));
            }
            if (outcome.archive().dumpBytes() == 0) {
                throw new DumpFailedException("pg_dump ended without writing anything for " + source.describe() + ".");
            }
            ArchiveFile archive = sink.complete(partial, job.backupId(), outcome.archive());
            return new Dumped(archive, server.text(), toolVersion, "pg_dump-custom",
                    server.tableCount());
        } finally {
            Files.deleteIfExists(partial);
            Files.deleteIfExists(passFile);
        }
    }

    private Path writePassFile(SourceDatabase source, String password) throws IOException {
        return credentials.pgPassFile(source.host(), source.port(), source.database(), source.username(), password);
    }
}
