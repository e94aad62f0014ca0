package io.backuprelay.dump;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.DatabaseEngine;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.secret.SecretUnavailableException;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.dump.archive.ArchiveSink;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code BackupRequested} → a staged archive and {@code DumpReady}, or {@code BackupFailed} (stage DUMP). */
public final class DumpHandler implements JobHandler<BackupRequested> {

    private static final Logger log = LoggerFactory.getLogger(DumpHandler.class);

    private final Topics topics;
    private final Function<String, Optional<Account>> accounts;
    private final Map<DatabaseEngine, DumpRunner> runners;
    private final SecretSealer sealer;
    private final ArchiveSink sink;
    private final Clock clock;

    public DumpHandler(Topics topics, Function<String, Optional<Account>> accounts, Map<DatabaseEngine, DumpRunner> runners,
                       SecretSealer sealer, ArchiveSink sink, Clock clock) {
        this.topics = topics;
        this.accounts = accounts;
        this.runners = Map.copyOf(runners);
        this.sealer = sealer;
        this.sink = sink;
        this.clock = clock;
    }

    @Override
    public JobResult handle(BackupRequested request, JobContext context) throws InterruptedException {
        Optional<Account> account = accounts.apply(request.accountId());
        if (account.isEmpty()) {
            return failed(request, "The account '" + request.accountId() + "' is not registered with the backup service.");
        }
        var source = account.get().source();
        DumpRunner runner = runners.get(source.engine());
        if (runner == null) {
            return failed(request, "Backups of " + source.engine() + " databases are not supported by this worker.");
        }
        Instant started = clock.instant();
        log.info("Dumping backup {} of account {} ({} {})", request.backupId(), request.accountId(), source.engine(),
                source.describe());
        try {
            String password = source.password() == null ? "" : sealer.open(source.password());
            DumpRunner.Dumped dumped = runner.dump(source, password, sink, request.backupId());
            Instant ended = clock.instant();
            log.info("Dumped backup {} of account {}: {} bytes in {}", request.backupId(), request.accountId(),
                    dumped.archive().sizeBytes(), Duration.between(started, ended));
            DumpReady ready = new DumpReady(DumpReady.CURRENT_VERSION, UUID.randomUUID().toString(), request.backupId(),
                    request.accountId(), ended, request.trigger(), request.connectionId(), request.occurredAt(),
                    dumped.archive().path().getFileName().toString(), dumped.archive().sizeBytes(),
                    dumped.archive().sha256(), source.engine().name(), dumped.serverVersion(), dumped.format(),
                    dumped.archive().compression(), "none", started, ended, request.attempt());
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

    private JobResult failed(BackupRequested request, String reason) {
        log.warn("Backup {} of account {} failed at the dump: {}", request.backupId(), request.accountId(), reason);
        return JobResult.of(Output.json(topics.outcomes(), request.accountId(),
                BackupFailed.of(request, FailureStage.DUMP, reason, clock.instant())));
    }
}
