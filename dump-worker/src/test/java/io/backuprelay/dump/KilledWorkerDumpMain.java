package io.backuprelay.dump;

import io.backuprelay.database.CredentialFiles;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.database.PgTools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A dump worker reduced to one dump, run as a child JVM that the test kills with SIGKILL mid-dump. */
public final class KilledWorkerDumpMain {

    /** The instance id the killed worker writes its partial files under. */
    static final String OWNER = "dump-killed";

    private KilledWorkerDumpMain() {
    }

    /** @param args database name, staging directory, credentials directory */
    public static void main(String[] args) throws Exception {
        SourceDatabase source = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, args[0], "postgres", null);
        new PgDumpRunner(PgTools.debian(), new CredentialFiles(Path.of(args[2])))
                .dump(source, "", new ArchiveSink(Path.of(args[1]), Compression.ZSTD, 3, 0, OWNER),
                        new DumpJob("killed-" + args[0], List.of(), Duration.ofMinutes(10), null));
    }
}
