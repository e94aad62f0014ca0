package io.backuprelay.dump;

import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.concurrent.Timers;
import io.backuprelay.common.json.Json;
import io.backuprelay.format.manifest.ManifestNames;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes staging files that belong to no live backup: partial files no dump has written to for an
 * hour (a running dump writes continuously, and a silent one is stopped long before); archives and
 * manifests of a backup recorded as succeeded, once older than the superseded age (a worker that
 * crashed after writing an archive and before announcing it dumps the backup again, and the first
 * archive is of no use: the upload worker never uploads a succeeded backup again); and any archive or
 * manifest older than the orphan age (the upload worker removes them once their outcome is committed,
 * so what is left that long was abandoned, e.g. dead-lettered).
 */
public final class StagingSweeper implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(StagingSweeper.class);
    private static final Duration PARTIAL_AGE = Duration.ofHours(1);

    private final Path stagingDir;
    private final Duration orphanAge;
    private final Clock clock;
    private final BiPredicate<String, String> succeeded;
    private final Duration supersededAge;
    private final ScheduledExecutorService timer = Timers.single("staging-sweeper");

    public StagingSweeper(Path stagingDir, Duration orphanAge, Clock clock) {
        this(stagingDir, orphanAge, clock, (account, backup) -> false, orphanAge);
    }

    /**
     * @param succeeded     whether the scheduler recorded backup (second argument) of account (first; null: any
     *                      account) as succeeded
     * @param supersededAge how old a succeeded backup's staging file must be before it is removed
     */
    public StagingSweeper(Path stagingDir, Duration orphanAge, Clock clock,
                          BiPredicate<String, String> succeeded, Duration supersededAge) {
        this.stagingDir = stagingDir;
        this.orphanAge = orphanAge;
        this.clock = clock;
        this.succeeded = succeeded;
        this.supersededAge = supersededAge;
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
                if (ManifestNames.isManifest(file.getFileName().toString()) && superseded(file, now)) {
                    String archive = ManifestNames.stagingArchiveOf(file.getFileName().toString());
                    boolean archiveRemoved = Files.deleteIfExists(stagingDir.resolve(archive));
                    Files.deleteIfExists(file);
                    log.info("Removed {} and its manifest from staging: its backup succeeded with another dump",
                            archive);
                    removed += archiveRemoved ? 2 : 1;
                    continue;
                }
                if (!Files.exists(file)) {
                    continue; // removed above with its manifest
                }
                if (unannouncedArchiveSuperseded(file, now)) {
                    Files.deleteIfExists(file);
                    log.info("Removed {} from staging: written without a manifest by a worker that crashed, and its"
                            + " backup succeeded with another dump", file.getFileName());
                    removed++;
                    continue;
                }
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

    /** A manifest, older than the superseded age, of a backup recorded as succeeded. */
    private boolean superseded(Path manifest, Instant now) {
        try {
            if (Duration.between(Files.getLastModifiedTime(manifest).toInstant(), now).compareTo(supersededAge) <= 0) {
                return false;
            }
            JsonNode read = Json.mapper().readTree(manifest.toFile());
            return succeeded.test(read.path("accountId").asText(), read.path("backupId").asText());
        } catch (IOException | RuntimeException unreadable) {
            return false; // the orphan age decides
        }
    }

    /**
     * An archive with no manifest beside it (its worker was killed between the two), older than the
     * superseded age, of a backup recorded as succeeded in any account.
     */
    private boolean unannouncedArchiveSuperseded(Path file, Instant now) throws IOException {
        String name = file.getFileName().toString();
        if (!ManifestNames.isStagingArchive(name) || name.indexOf('.') <= 0
                || Files.exists(stagingDir.resolve(ManifestNames.ofStagingArchive(name)))) {
            return false;
        }
        return Duration.between(Files.getLastModifiedTime(file).toInstant(), now).compareTo(supersededAge) > 0
                && succeeded.test(null, name.substring(0, name.indexOf('.')));
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
