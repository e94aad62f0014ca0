package io.backuprelay.chaos;

import com.azure.storage.blob.BlobContainerClient;
import io.backuprelay.format.archive.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The same work by hand, as a shell script would do it for each database, {@code parallelism} at once:
 * {@code pg_dump -Fc -Z0 | zstd -3} (or {@code mariadb-dump --single-transaction | zstd -3}) to a file,
 * then the SDK's {@code uploadFromFile} of it. No inventory, no check, no manifest, no email.
 */
final class FleetByHand {

    /** The whole run's seconds, and each database's. */
    record Result(double seconds, List<Double> each) {
    }

    private FleetByHand() {
    }

    static Result run(List<FleetDatabases.Database> databases, int parallelism, BlobContainerClient container, Path dir)
            throws Exception {
        List<Double> each = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallelism)) {
            List<Future<?>> jobs = new ArrayList<>();
            for (FleetDatabases.Database database : databases) {
                jobs.add(pool.submit(() -> {
                    long began = System.nanoTime();
                    Path file = dir.resolve(database.name() + ".dump.zst");
                    sh(dumpCommand(database) + " | zstd -q -3 -f -o " + file);
                    container.getBlobClient("by-hand/" + database.name() + ".dump.zst").uploadFromFile(file.toString(), true);
                    Files.delete(file);
                    each.add((System.nanoTime() - began) / 1e9);
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
        }
        return new Result((System.nanoTime() - start) / 1e9, List.copyOf(each));
    }

    private static String dumpCommand(FleetDatabases.Database database) {
        return database.engine() == Engine.MARIADB
                ? "mariadb-dump --single-transaction -h 127.0.0.1 -P " + database.port() + " -u root " + database.name()
                : "/usr/lib/postgresql/15/bin/pg_dump -Fc -Z0 -h 127.0.0.1 -p " + database.port() + " -U postgres "
                        + database.name();
    }

    private static void sh(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed");
        }
    }
}
