package io.backuprelay.standalone.restore;

import io.backuprelay.common.concurrent.Timers;
import java.io.PrintStream;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** A progress line on standard error every two seconds: bytes read of the archive, share and rate. */
final class Progress implements AutoCloseable {

    private final PrintStream err;
    private final long total;
    private final long started = System.nanoTime();
    private final ScheduledExecutorService timer = Timers.single("restore-progress");

    Progress(PrintStream err, long total) {
        this.err = err;
        this.total = total;
    }

    void follow(LongSupplier bytesRead) {
        timer.scheduleAtFixedRate(() -> print(bytesRead.getAsLong()), 2, 2, TimeUnit.SECONDS);
    }

    void done(long bytes) {
        timer.shutdownNow();
        print(bytes);
    }

    private void print(long bytes) {
        double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
        err.printf("%,d of %,d bytes (%d%%), %.1f MB/s%n", bytes, total, total == 0 ? 100 : bytes * 100 / total,
                bytes / seconds / 1_000_000);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
