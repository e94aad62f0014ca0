package io.backuprelay.dump;

import io.backuprelay.database.CredentialFiles;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.format.archive.Compression;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.testkit.ScratchDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed with SIGKILL while pg_dump runs: the tool must not outlive it and keep its locks
 * on the tenant's database, and its password file must not outlive the worker's restart.
 */
class DumpToolsDieWithTheirWorkerIT {

    @TempDir
    Path dir;

    @Test
    void pgDumpEndsWhenItsWorkerIsKilledAndTheRestartSweepsItsPasswordFileAndItsPartialArchive() throws Exception {
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path credentials = dir.resolve("credentials");
        try (ScratchDatabase db = ScratchDatabase.postgres(); Connection lock = db.connect()) {
            db.execute("CREATE TABLE invoice (id serial PRIMARY KEY, total numeric)");
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                // pg_dump waits on this lock, holding its own on the rest of the database, until it is stopped.
                statement.execute("LOCK TABLE invoice IN ACCESS EXCLUSIVE MODE");
            }
            Process worker = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), KilledWorkerDumpMain.class.getName(), db.name(),
                    staging.toString(), credentials.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> dumpSessionsWaitingOnTheLock(db) > 0);
                assertThat(credentials).isDirectoryContaining(p -> p.toString().endsWith(".pgpass"));

                worker.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup in the JVM

                await().atMost(Duration.ofSeconds(20)).until(() -> dumpSessions(db) == 0);
                assertThat(ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().orElse("").contains("pg_dump")
                                && p.info().commandLine().orElse("").contains(db.name())))
                        .as("no pg_dump of this database is left").isEmpty();
            } finally {
                worker.destroyForcibly();
            }
            lock.rollback();
        }
        assertThat(new CredentialFiles(credentials).sweep()).as("the restarted worker sweeps the password file").isEqualTo(1);
        // Found by the chaos run (seed 11): half-written archives of killed workers stayed in staging for an hour.
        Path othersPartial = Files.writeString(staging.resolve("other-backup.0a1b2c3d.dump-other.archive.partial"), "x");
        try (var left = Files.list(staging)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("the killed worker left its partial archive").anyMatch(n -> n.endsWith("." + KilledWorkerDumpMain.OWNER
                            + ".archive.partial"));
        }
        assertThat(new ArchiveSink(staging, Compression.ZSTD, 3, 0, KilledWorkerDumpMain.OWNER).removeOwnPartials())
                .as("the restarted instance removes its predecessor's partial archive").isEqualTo(1);
        try (var left = Files.list(staging)) {
            assertThat(left).as("and nothing of another instance").containsExactly(othersPartial);
        }
        try (var left = Files.list(credentials)) {
            assertThat(left).isEmpty();
        }
        assertThat(Files.getPosixFilePermissions(credentials)).containsOnly(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE);
    }

    private static int dumpSessions(ScratchDatabase db) throws Exception {
        return count(db, "");
    }

    private static int dumpSessionsWaitingOnTheLock(ScratchDatabase db) throws Exception {
        return count(db, " AND wait_event_type = 'Lock'");
    }

    private static int count(ScratchDatabase db, String condition) throws Exception {
        try (Connection connection = db.connect(); Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.name()
                     + "' AND application_name = 'backuprelay'" + condition)) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
