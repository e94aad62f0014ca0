package io.backuprelay.dump;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.EventPublisher;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.view.AccountViews;
import io.backuprelay.database.CredentialFiles;
import io.backuprelay.database.PgTools;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.dump.mariadb.MariaDbDumpRunner;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.dump.runner.DumpRunner;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dump step: reads {@code backup.requests}, writes {@code backup.dumps} or {@code backup.outcomes}. */
public final class DumpWorker implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(DumpWorker.class);

    private final AccountViews views;
    private final CompactedTopicView<BackupStatus> statuses;
    private final EventPublisher events;
    private final OpsPublisher ops;
    private final StagingSweeper sweeper;
    private final CredentialFiles credentials;
    private final ArchiveSink sink;
    private final Duration sweepEvery;
    private final JobWorker<BackupRequested> worker;

    public DumpWorker(KafkaSettings kafka, DumpWorkerConfig config, SecretSealer sealer, Clock clock) {
        this.views = new AccountViews(kafka, "dump-worker");
        CompactedTopicView<Account> accounts = views.accounts();
        CompactedTopicView<BackupSettings> settings = views.settings();
        this.statuses = views.statuses();
        this.ops = OpsPublisher.kafka(kafka, "dump-worker-ops");
        this.events = EventPublisher.kafka(kafka, "dump-worker-events");
        this.sweeper = new StagingSweeper(config.stagingDir(), config.orphanAge(), clock,
                (account, backup) -> (account == null ? statuses.snapshot().values().stream()
                        : statuses.get(account).stream()).anyMatch(status -> status.succeeded(backup)),
                config.supersededAge());
        this.sweepEvery = Collections.min(List.of(config.supersededAge(), Duration.ofMinutes(10)));
        this.credentials = CredentialFiles.forInstance(kafka.instanceId());
        this.sink = new ArchiveSink(config.stagingDir(), config.compression(), config.zstdLevel(), config.zstdWorkers(),
                kafka.instanceId());
        Map<Engine, DumpRunner> runners = Map.of(
                Engine.POSTGRESQL, new PgDumpRunner(PgTools.debian(), credentials, config.sourceTls()),
                Engine.MARIADB, MariaDbDumpRunner.standard(credentials, config.sourceTls()));
        DumpHandler handler = new DumpHandler(kafka.topics(),
                new DumpHandler.Lookups(accounts::current, settings::current, statuses::current,
                        () -> CompactedTopicView.syncAll(List.of(accounts, settings, statuses))),
                new DumpHandler.Tools(runners, sealer, sink, config),
                ops, events, kafka.instanceId(), clock);
        this.worker = new JobWorker<>(new JobWorkerConfig("dump-worker", kafka.topics().prefix() + DumpWorkerConfig.GROUP_ID,
                kafka.topics().requests(), kafka.topics().deadLetters(), config.concurrency(), config.shutdownGrace(), null),
                kafka, bytes -> Json.decode(bytes, BackupRequested.class), handler);
    }

    public DumpWorker start() {
        try {
            credentials.sweep();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot sweep the credential directory " + credentials.dir(), e);
        }
        try {
            int removed = sink.removeOwnPartials();
            if (removed > 0) {
                log.info("Removed {} half-written archive(s) a crash of this instance left in staging", removed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clear this instance's partial files in staging", e);
        }
        views.start();
        sweeper.start(sweepEvery);
        worker.start();
        return this;
    }

    /** The loop and the views, for the health endpoints. */
    public List<HealthCheck> components() {
        List<HealthCheck> components = new ArrayList<>(views.components());
        components.addFirst(worker);
        return components;
    }

    public JobWorker<BackupRequested> jobs() {
        return worker;
    }

    @Override
    public void close() {
        worker.close();
        sweeper.close();
        ops.close();
        events.close();
        views.close();
    }
}
