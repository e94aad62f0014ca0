package io.backuprelay.dump;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes staging files that belong to no live backup: partial files no dump has written to for an
 * hour (a running dump writes continuously, and a silent one is stopped long before), and archives
 * or manifests older than the orphan age (the upload worker removes them once their outcome is
 * committed, so what is left that long was abandoned, e.g. dead-lettered).
 */
public final class StagingSweeper implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(StagingSweeper.class);
    private static final Duration PARTIAL_AGE = Duration.ofHours(1);

    private final Path stagingDir;
    private final Duration orphanAge;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("staging-sweeper").factory());

    public StagingSweeper(Path stagingDir, Duration orphanAge, Clock clock) {
        this.stagingDir = stagingDir;
        this.orphanAge = orphanAge;
        this.clock = clock;
    }

    public StagingSweeper start(Duration every) {
        timer.scheduleWithFixedDelay(this::sweepQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** @return how many files it removed */
    public int sweep() throws IOException {
        if (!Files.isDirectory(stagingDir)) {
            return 0;
        }
        Instant now = clock.instant();
        int removed = 0;
        try (Stream<Path> files = Files.list(stagingDir)) {
            for (Path file : files.toList()) {
                FileTime modified = Files.getLastModifiedTime(file);
                Duration age = Duration.between(modified.toInstant(), now);
                boolean partial = file.getFileName().toString().endsWith(".partial");
                if (age.compareTo(partial ? PARTIAL_AGE : orphanAge) > 0 && Files.deleteIfExists(file)) {
                    log.info("Removed {} from staging: it belongs to no live backup ({} old)", file.getFileName(), age);
                    removed++;
                }
            }
        }
        return removed;
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (IOException | RuntimeException e) {
            log.warn("Sweeping {} failed: {}", stagingDir, e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
