package io.backuprelay.dump;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.database.CredentialFiles;
import io.backuprelay.database.PgTools;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.dump.postgres.PgDumpRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the inventory's exact row counts cost a dump: the dump worker's PostgreSQL path with the
 * counts ({@code count(*)} of every table, in the dump's snapshot, while pg_dump runs) against the
 * same path with the objects only, alternating on the same database.
 *
 * <p>Run: {@code ./backuprelay bench inventory DATABASE [rounds]} (docs/benchmarks.md).
 */
public final class InventoryBenchmark {

    public static void main(String[] args) throws Exception {
        String database = args.length > 0 ? args[0] : "br_bench_1g";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Files.createTempDirectory("inventory-bench");
        SourceDatabase source = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, database, "postgres", null);
        CredentialFiles credentials = new CredentialFiles(Files.createTempDirectory("inventory-bench-credentials"));
        ArchiveSink sink = new ArchiveSink(dir, Compression.ZSTD, 3, 0);
        System.out.printf("Inventory benchmark on %s, %d cores%n", database, Runtime.getRuntime().availableProcessors());
        for (int round = 1; round <= rounds; round++) {
            double without = run(new PgDumpRunner(PgTools.debian(), credentials, SourceTls.SYSTEM_CAS, false), source,
                    sink, "objects-" + round);
            double with = run(new PgDumpRunner(PgTools.debian(), credentials, SourceTls.SYSTEM_CAS, true), source,
                    sink, "counts-" + round);
            System.out.printf("round %d: dump with objects only %.1f s; with exact row counts %.1f s; cost %+.1f %%%n",
                    round, without, with, (with / without - 1) * 100);
        }
    }

    private static double run(PgDumpRunner runner, SourceDatabase source, ArchiveSink sink, String id) throws Exception {
        long start = System.nanoTime();
        DumpRunner.Dumped dumped = runner.dump(source, "", sink, new DumpJob(id, List.of(), Duration.ofMinutes(30), null));
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.delete(dumped.archive().path());
        System.out.printf("  %s: %.1f s, %s%n", id, seconds, dumped.inventory().summary());
        return seconds;
    }
}
