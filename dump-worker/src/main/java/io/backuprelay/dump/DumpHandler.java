package io.backuprelay.dump;

import io.backuprelay.dump.runner.DumpFailedException;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpProcess;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.format.manifest.ManifestNames;
import io.backuprelay.format.manifest.BackupManifest;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.common.fault.FaultPoints;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.PrivateFiles;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupIds;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BackupStarted;
import io.backuprelay.common.kafka.EventPublisher;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.kafka.PoisonMessageException;
import io.backuprelay.common.kafka.RetryingHandler;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.secret.SecretUnavailableException;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.dump.archive.ArchiveSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code BackupRequested} → a staged archive with its manifest and {@code DumpReady}, or {@code BackupFailed} (stage DUMP). */
public final class DumpHandler implements JobHandler<BackupRequested> {

    private static final Logger log = LoggerFactory.getLogger(DumpHandler.class);

    /**
     * What the dump step reads of each account, each a view of a compacted topic.
     *
     * @param statuses each account's {@code BackupStatus}: a request whose backup already succeeded is acknowledged without a dump
     * @param catchUp  brings the three up to date with what was written before the request, at the start of each
     *                 job; the lookups themselves then read without asking the broker again
     */
    public record Lookups(Function<String, Optional<Account>> accounts,
                          Function<String, Optional<BackupSettings>> settings,
                          Function<String, Optional<BackupStatus>> statuses,
                          Runnable catchUp) {
    }

    /**
     * What a dump is made with, and within which limits.
     *
     * @param runners a dump tool's runner for each engine this worker dumps
     * @param sealer  opens the stored database passwords
     * @param sink    writes the archive into staging
     * @param limits  the stall timeout, the lock wait, the free space and the tries of an interrupted dump
     */
    public record Tools(Map<Engine, DumpRunner> runners, SecretSealer sealer, ArchiveSink sink,
                        DumpWorkerConfig limits) {

        public Tools {
            runners = Map.copyOf(runners);
        }
    }

    private final Topics topics;
    private final Function<String, Optional<Account>> accounts;
    private final Function<String, Optional<BackupSettings>> settings;
    private final Map<Engine, DumpRunner> runners;
    private final SecretSealer sealer;
    private final ArchiveSink sink;
    private final DumpWorkerConfig config;
    private final ServiceOps ops;
    private final Clock clock;
    private final Function<String, Optional<BackupStatus>> statuses;
    private final Runnable catchUp;
    private final EventPublisher events;
    private final String instanceId;
    private static final Duration SPACE_POLL = Duration.ofSeconds(5);
    private ToLongFunction<Path> freeSpace = DumpHandler::usableSpace;
    /** Waits before another try of an interrupted dump; an interrupt (shutdown, a cancelled job) ends the wait and the job. */
    private RetryingHandler.Sleeper pause = RetryingHandler.Sleeper.REAL;

    /**
     * @param events     where {@code BackupStarted} goes at the start of each dump
     * @param instanceId this worker instance, named in {@code BackupStarted}
     */
    public DumpHandler(Topics topics, Lookups lookups, Tools tools, OpsPublisher ops, EventPublisher events,
                       String instanceId, Clock clock) {
        this.statuses = lookups.statuses();
        this.catchUp = lookups.catchUp();
        this.events = events;
        this.instanceId = instanceId;
        this.topics = topics;
        this.accounts = lookups.accounts();
        this.settings = lookups.settings();
        this.runners = tools.runners();
        this.sealer = tools.sealer();
        this.sink = tools.sink();
        this.config = tools.limits();
        this.ops = new ServiceOps(ops, "dump-worker", clock);
        this.clock = clock;
    }

    @Override
    public JobResult handle(BackupRequested request, JobContext context) throws InterruptedException {
        if (!BackupIds.isSafe(request.backupId())) {
            throw new PoisonMessageException("backupId '" + request.backupId()
                    + "' is not a backup id (letters, digits, '-'): it would name a file outside staging");
        }
        catchUp.run(); // one round trip to the broker for the account, its settings and its status
        if (alreadySucceeded(request)) {
            log.info("Backup {} of account {} already completed; the request is acknowledged without a dump",
                    request.backupId(), request.accountId());
            return JobResult.of();
        }
        Optional<Account> account = accounts.apply(request.accountId());
        if (account.isEmpty()) {
            return failed(request, "The account '" + request.accountId() + "' is not registered with the backup service.");
        }
        var source = account.get().source();
        if (!source.problems().isEmpty()) {
            return failed(request, "The registered database settings of this account are not valid (" + String.join(", ",
                    source.problems()) + "): the operators must correct them.");
        }
        DumpRunner runner = runners.get(source.engine());
        if (runner == null) {
            return failed(request, "Backups of " + source.engine() + " databases are not supported by this worker.");
        }
        List<String> recipients = settings.apply(request.accountId()).map(BackupSettings::encryptionRecipients)
                .orElse(List.of());
        Instant started = clock.instant();
        log.info("Dumping backup {} of account {} ({} {}{})", request.backupId(), request.accountId(), source.engine(),
                source.describe(), recipients.isEmpty() ? "" : ", encrypted to " + recipients.size() + " recipient(s)");
        ops.publish(ops.event(request.backupId(), request.accountId(), OpsStage.DUMP, OpsStatus.STARTED).withBytes(0L)
                .withTime(started));
        events.publish(topics.outcomes(), request.accountId(), BackupStarted.of(request, instanceId, started));
        try {
            awaitFreeSpace(request);
            String password = source.password() == null ? "" : sealer.open(source.password(),
                    source.passwordContext(request.accountId()));
            DumpJob job = new DumpJob(request.backupId(), recipients, config.stallTimeout(), bytes -> ops.publish(
                    ops.event(request.backupId(), request.accountId(), OpsStage.DUMP, OpsStatus.PROGRESS).withBytes(bytes)),
                    // Announced before the tool writes a byte, so the upload can send blocks as they are written.
                    (partial, format) -> events.publish(topics.dumps(), request.accountId(), DumpStarted.of(request,
                            partial.getFileName().toString(), sink.completeName(partial), source.engine(),
                            new ArchiveFormat(format, sink.compression(), Encryption.forRecipients(recipients)),
                            clock.instant())),
                    new DumpJob.Exclusive(request.accountId(), config.lockWait(), waitingFor -> {
                        log.warn("Backup {} of account {} waits {}", request.backupId(), request.accountId(), waitingFor);
                        ops.publish(request.backupId(), request.accountId(), OpsStage.DUMP, OpsStatus.WAITING, waitingFor);
                    }));
            DumpRunner.Dumped dumped = dumpRetryingInterruptions(request, runner, source, password, job);
            Instant ended = clock.instant();
            String manifest = writeManifest(request, source.engine(), dumped, recipients, started, ended);
            log.info("Dumped backup {} of account {}: {} bytes in {}", request.backupId(), request.accountId(),
                    dumped.archive().sizeBytes(), Duration.between(started, ended));
            ops.publish(ops.event(request.backupId(), request.accountId(), OpsStage.DUMP, OpsStatus.FINISHED)
                    .withBytes(dumped.archive().sizeBytes()).withTime(ended));
            DumpReady ready = new DumpReady(DumpReady.CURRENT_VERSION, UUID.randomUUID().toString(), request.backupId(),
                    request.accountId(), ended, request.trigger(), request.connectionId(), request.occurredAt(),
                    dumped.archive().path().getFileName().toString(), dumped.archive().sizeBytes(),
                    dumped.archive().sha256(), source.engine(), dumped.serverVersion(), dumped.format(),
                    dumped.archive().compression(), dumped.archive().encryption(), started, ended, request.attempt(),
                    manifest, request.slotAt(), request.requestedBy(), request.redumps(), dumped.warnings(),
                    request.requester());
            FaultPoints.reach(FaultPoints.DUMP_WRITTEN);
            return JobResult.of(Output.json(topics.dumps(), request.accountId(), ready));
        } catch (DumpFailedException e) {
            return failed(request, e.getMessage());
        } catch (SecretUnavailableException e) {
            return failed(request, "The backup worker cannot read the stored database password: " + e.getMessage());
        } catch (IOException e) {
            return failed(request, "The backup worker could not write the archive to its staging area ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ").");
        }
    }

    /**
     * Tries the dump again, up to {@link DumpWorkerConfig#interruptionRetries} more times with a
     * doubling wait, when the source ended its session mid-dump. Each try writes (and announces)
     * its own staging file; a failed try's runner has removed its partial file.
     */
    private DumpRunner.Dumped dumpRetryingInterruptions(BackupRequested request, DumpRunner runner,
                                                        SourceDatabase source,
                                                        String password, DumpJob job)
            throws DumpFailedException, IOException, InterruptedException {
        Duration backoff = config.interruptionBackoff();
        for (int tried = 1; ; tried++) {
            try {
                return runner.dump(source, password, sink, job);
            } catch (DumpFailedException e) {
                if (!e.interrupted()) {
                    throw e;
                }
                if (tried > config.interruptionRetries()) {
                    throw tried == 1 ? e : DumpFailedException.interrupted(e.getMessage() + " (tried " + tried + " times)");
                }
                log.warn("Backup {} of account {}: the source ended the dump's session (try {} of {}), trying again in {}: {}",
                        request.backupId(), request.accountId(), tried, config.interruptionRetries() + 1, backoff,
                        e.getMessage());
                ops.publish(request.backupId(), request.accountId(), OpsStage.DUMP, OpsStatus.RETRIED,
                        "the source database ended the dump's session (try " + tried + " of "
                                + (config.interruptionRetries() + 1) + "), trying again in "
                                + DumpProcess.human(backoff) + ": " + e.getMessage());
                pause.sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    /** Replaces the wait between tries of an interrupted dump, for a test. */
    DumpHandler withPause(RetryingHandler.Sleeper pause) {
        this.pause = pause;
        return this;
    }

    private boolean alreadySucceeded(BackupRequested request) {
        return statuses.apply(request.accountId()).map(status -> status.succeeded(request.backupId())).orElse(false);
    }

    /**
     * Waits up to {@link DumpWorkerConfig#spaceWait} for the free space a dump needs: staging fills
     * and empties as other backups are dumped and uploaded, and a moment's peak must not fail a backup.
     */
    private void awaitFreeSpace(BackupRequested request) throws IOException, DumpFailedException, InterruptedException {
        PrivateFiles.directory(sink.stagingDir());
        long deadline = System.nanoTime() + config.spaceWait().toNanos();
        boolean told = false;
        while (true) {
            long free;
            try {
                free = freeSpace.applyAsLong(sink.stagingDir());
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (free >= config.minFreeBytes()) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                throw new DumpFailedException("The backup worker's staging area has only " + (free >> 20) + " MB free, and"
                        + " a dump needs at least " + (config.minFreeBytes() >> 20) + " MB; it waited "
                        + config.spaceWait().toSeconds() + " s for space. The operators must free space.");
            }
            if (!told) {
                told = true;
                log.warn("Backup {} of account {} waits for staging space: {} MB free, {} MB needed", request.backupId(),
                        request.accountId(), free >> 20, config.minFreeBytes() >> 20);
                ops.publish(ops.event(request.backupId(), request.accountId(), OpsStage.DUMP, OpsStatus.WAITING).withBytes(free)
                        .withDetail("for free space in staging: " + (free >> 20) + " MB free, "
                                + (config.minFreeBytes() >> 20) + " MB needed"));
            }
            Thread.sleep(Math.min(SPACE_POLL.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces how free space in staging is measured, for a test. */
    DumpHandler withFreeSpace(ToLongFunction<Path> probe) {
        this.freeSpace = probe;
        return this;
    }

    private String writeManifest(BackupRequested request, Engine engine, DumpRunner.Dumped dumped,
                                 List<String> recipients, Instant started, Instant ended) throws IOException {
        BackupManifest manifest = new BackupManifest(request.backupId(), request.accountId(), engine,
                dumped.serverVersion(), dumped.toolVersion(), dumped.format(), dumped.archive().compression(),
                dumped.archive().encryption(), recipients, dumped.archive().sizeBytes(), dumped.archive().sha256(),
                started, ended, dumped.tableCount(), dumped.inventory());
        String name = ManifestNames.ofStagingArchive(dumped.archive().path().getFileName().toString());
        Path partial = sink.stagingDir().resolve(name + ".partial");
        PrivateFiles.write(partial, manifest.toJson());
        Files.move(partial, sink.stagingDir().resolve(name), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        return name;
    }

    private JobResult failed(BackupRequested request, String reason) {
        log.warn("Backup {} of account {} failed at the dump: {}", request.backupId(), request.accountId(), reason);
        ops.publish(request.backupId(), request.accountId(), OpsStage.DUMP, OpsStatus.FAILED, null);
        return JobResult.of(Output.json(topics.outcomes(), request.accountId(),
                BackupFailed.of(request, FailureStage.DUMP, reason, clock.instant())));
    }
}
