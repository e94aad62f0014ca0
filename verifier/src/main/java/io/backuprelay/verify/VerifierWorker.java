package io.backuprelay.verify;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.view.AccountViews;
import io.backuprelay.database.Restorer;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The verifier: consumes {@code backup.outcomes} in its own consumer group and drills the completed
 * backups its accounts' policies ask for, one drill per partition at a time, {@code DRILL_CONCURRENCY} at
 * once per instance, once every drill server's user is known to be minimal ({@link DrillGate}).
 */
public final class VerifierWorker implements Closeable {

    private final JobWorker<BackupEvent> worker;
    private final OpsPublisher ops;
    private final AccountViews views;
    private final DrillGate gate;

    public VerifierWorker(KafkaSettings kafka, VerifierConfig config, SecretSealer sealer, Clock clock) {
        this.views = new AccountViews(kafka, "verifier");
        var settings = views.settings();
        var connections = views.connections();
        var statuses = views.statuses();
        // The storage origins an operator granted each account: no other listed origin serves its connections.
        BlobAccess storage = new BlobAccess(config.endpoints().withGrantsFrom(views.accounts()));
        this.ops = OpsPublisher.kafka(kafka, "verifier-ops");
        DrillHandler handler = new DrillHandler(kafka.topics(),
                new DrillHandler.Lookups(settings::get, connections::get, statuses::get), sealer, storage,
                new Drill(config, Restorer.standard()), ops, clock);
        this.worker = new JobWorker<>(new JobWorkerConfig("verifier", kafka.topics().prefix() + VerifierConfig.GROUP_ID,
                kafka.topics().outcomes(), kafka.topics().deadLetters(), config.concurrency(), Duration.ofSeconds(30),
                config.retry()),
                kafka, bytes -> Json.decode(bytes, BackupEvent.class), handler);
        this.gate = new DrillGate(Stream.of(config.postgres(), config.mariadb())
                .flatMap(Optional::stream).toList(), Duration.ofMinutes(1));
    }

    public VerifierWorker start() {
        views.start();
        gate.start(worker::start); // no drill before every drill server's user is known to be minimal
        return this;
    }

    /** The loop and the views, for the health endpoints. */
    public List<HealthCheck> components() {
        List<HealthCheck> components = new ArrayList<>(views.components());
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
        views.close();
    }
}
