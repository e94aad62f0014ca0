package io.backuprelay.dump;

import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.testkit.HeapMeter;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.database.PgTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The dump worker's pipeline (pg_dump → zstd-jni level 3 → SHA-256 → staging file) against the
 * shell pipeline {@code pg_dump -Fc -Z0 | zstd -3 > file} on the same database, alternating so both
 * see the same cache, and the worker's peak heap.
 *
 * <p>Run: {@code ./backuprelay bench dump DATABASE [rounds]} with a database on the local server
 * (docs/benchmarks.md says how the benchmark databases are made).
 */
public final class DumpBenchmark {

    public static void main(String[] args) throws Exception {
        String database = args.length > 0 ? args[0] : "br_bench_1g";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Files.createTempDirectory("dump-bench");
        System.out.printf("Dump benchmark on database %s: JVM %s, %d cores, max heap %d MB%n", database,
                Runtime.version(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        SourceDatabase source = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, database, "postgres", null);
        PgDumpRunner runner = new PgDumpRunner(PgTools.debian());
        ArchiveSink sink = new ArchiveSink(dir, Compression.ZSTD, 3, 0);
        for (int round = 1; round <= rounds; round++) {
            Path shellOut = dir.resolve("shell.dump.zst");
            long start = System.nanoTime();
            Process shell = new ProcessBuilder("sh", "-c", "/usr/lib/postgresql/15/bin/pg_dump -Fc -Z0 -h 127.0.0.1"
                    + " -U postgres -d " + database + " | zstd -3 -q -f -o " + shellOut).inheritIO().start();
            if (shell.waitFor() != 0) {
                throw new IllegalStateException("the shell pipeline failed");
            }
            double shellSeconds = (System.nanoTime() - start) / 1e9;
            long shellBytes = Files.size(shellOut);
            Files.delete(shellOut);

            HeapMeter.resetPeaks();
            start = System.nanoTime();
            DumpRunner.Dumped dumped = runner.dump(source, "", sink, new DumpJob("bench-" + round, List.of(),
                    Duration.ofMinutes(10), null));
            double workerSeconds = (System.nanoTime() - start) / 1e9;
            long peak = HeapMeter.peakHeap();
            Files.delete(dumped.archive().path());
            System.out.printf("round %d: shell pipeline %.1f s (%,d bytes); dump worker %.1f s (%,d bytes, SHA-256 %s…);"
                            + " ratio %.2f; worker peak heap %d MB%n", round, shellSeconds, shellBytes, workerSeconds,
                    dumped.archive().sizeBytes(), dumped.archive().sha256().substring(0, 12), workerSeconds / shellSeconds,
                    peak >> 20);
        }
    }
}
