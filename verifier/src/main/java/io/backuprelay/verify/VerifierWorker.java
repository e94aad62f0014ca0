package io.backuprelay.verify;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.HealthCheck;
import io.backuprelay.database.Restorer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The verifier: consumes {@code backup.outcomes} in its own consumer group and drills the completed
 * backups its accounts' policies ask for, one drill per partition at a time, {@code DRILL_CONCURRENCY} at
 * once per instance, once every drill server's user is known to be minimal ({@link DrillGate}).
 */
public final class VerifierWorker implements java.io.Closeable {

    private final JobWorker<BackupEvent> worker;
    private final OpsPublisher ops;
    private final List<CompactedTopicView<?>> views;
    private final DrillGate gate;

    public VerifierWorker(KafkaSettings kafka, VerifierConfig config, SecretSealer sealer, Clock clock) {
        var settings = new CompactedTopicView<>(kafka, "verifier-settings", kafka.topics().settings(),
                bytes -> Json.decode(bytes, BackupSettings.class));
        var connections = new CompactedTopicView<>(kafka, "verifier-connections", kafka.topics().connections(),
                bytes -> Json.decode(bytes, Connection.class));
        var statuses = new CompactedTopicView<>(kafka, "verifier-status", kafka.topics().status(),
                bytes -> Json.decode(bytes, BackupStatus.class));
        var accounts = new CompactedTopicView<>(kafka, "verifier-accounts", kafka.topics().accounts(),
                bytes -> Json.decode(bytes, io.backuprelay.common.account.Account.class));
        // The storage origins an operator granted each account: no other listed origin serves its connections.
        io.backuprelay.blob.EndpointPolicy.grantsFrom(accounts);
        this.views = List.of(settings, connections, statuses, accounts);
        this.ops = OpsPublisher.kafka(kafka, "verifier-ops");
        DrillHandler handler = new DrillHandler(kafka.topics(),
                new DrillHandler.Lookups(settings::get, connections::get, statuses::get), sealer,
                new Drill(config, Restorer.standard()), ops, clock);
        this.worker = new JobWorker<>(new JobWorkerConfig("verifier", kafka.topics().prefix() + VerifierConfig.GROUP_ID,
                kafka.topics().outcomes(), kafka.topics().deadLetters(), config.concurrency(), Duration.ofSeconds(30),
                config.retry()),
                kafka, bytes -> Json.decode(bytes, BackupEvent.class), handler);
        this.gate = new DrillGate(java.util.stream.Stream.of(config.postgres(), config.mariadb())
                .flatMap(java.util.Optional::stream).toList(), Duration.ofMinutes(1));
    }

    public VerifierWorker start() {
        views.forEach(CompactedTopicView::start);
        gate.start(worker::start); // no drill before every drill server's user is known to be minimal
        return this;
    }

    /** The loop and the views, for the health endpoints. */
    public List<HealthCheck> components() {
        List<HealthCheck> components = new ArrayList<>(views);
        components.add(0, worker);
        components.add(1, gate);
        return components;
    }

    public JobWorker<BackupEvent> jobs() {
        return worker;
    }

    @Override
    public void close() {
        gate.close();
        worker.close();
        ops.close();
        views.forEach(CompactedTopicView::close);
    }
}
