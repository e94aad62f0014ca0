package io.backuprelay.common.metrics;

import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BackupStarted;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.event.DrillOutcome;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.RestoreVerified;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Backup meters from what a step committed: backups requested, dumped, completed and failed (per
 * stage), restore drills (verified or failed, per kind), the bytes of archives, and how long dumps and whole backups took. A step's worker feeds
 * it every event it publishes, after the commit.
 */
public final class BackupMeters implements Consumer<byte[]> {

    private final MeterRegistry registry;

    public BackupMeters(MeterRegistry registry) {
        this.registry = registry;
        // Counters exist at zero from the start, so a rate or an alert on them has a series before the first event.
        for (Trigger trigger : Trigger.values()) {
            Counter.builder("backuprelay.backups.requested").tag("trigger", trigger.name()).register(registry);
            Counter.builder("backuprelay.backups.completed").tag("trigger", trigger.name()).register(registry);
        }
        for (FailureStage stage : FailureStage.values()) {
            Counter.builder("backuprelay.backups.failed").tag("stage", stage.name()).register(registry);
        }
        Counter.builder("backuprelay.backups.started").register(registry);
        Counter.builder("backuprelay.backups.overdue").register(registry);
        Timer.builder("backuprelay.dump.duration").register(registry);
        Timer.builder("backuprelay.backup.duration").register(registry);
        for (DrillOutcome.Kind kind : DrillOutcome.Kind.values()) {
            for (String result : List.of("verified", "failed")) {
                Counter.builder("backuprelay.restore.drills").tag("result", result).tag("kind", kind.name()).register(registry);
            }
        }
        for (String step : List.of("dump", "upload")) {
            DistributionSummary.builder("backuprelay.archive.bytes").baseUnit("bytes").tag("step", step).register(registry);
        }
    }

    @Override
    public void accept(byte[] value) {
        if (value == null) {
            return;
        }
        BackupEvent event;
        try {
            event = Json.decode(value, BackupEvent.class);
        } catch (RuntimeException notAnEvent) {
            return; // status records, notifications, dead letters: not backup events
        }
        switch (event) {
            case BackupRequested requested -> Counter.builder("backuprelay.backups.requested")
                    .tag("trigger", requested.trigger().name()).register(registry).increment();
            case DumpReady dump -> {
                Counter.builder("backuprelay.backups.dumped").tag("engine", dump.engine().label()).register(registry).increment();
                DistributionSummary.builder("backuprelay.archive.bytes").baseUnit("bytes").tag("step", "dump")
                        .register(registry).record(dump.sizeBytes());
                Timer.builder("backuprelay.dump.duration").register(registry)
                        .record(Duration.between(dump.dumpStartedAt(), dump.dumpEndedAt()));
            }
            case BackupCompleted completed -> {
                Counter.builder("backuprelay.backups.completed").tag("trigger", completed.trigger().name())
                        .register(registry).increment();
                DistributionSummary.builder("backuprelay.archive.bytes").baseUnit("bytes").tag("step", "upload")
                        .register(registry).record(completed.sizeBytes());
                Timer.builder("backuprelay.backup.duration").register(registry).record(completed.duration());
            }
            case BackupFailed failed -> Counter.builder("backuprelay.backups.failed")
                    .tag("stage", failed.stage().name()).register(registry).increment();
            case BackupStarted ignored -> Counter.builder("backuprelay.backups.started").register(registry).increment();
            case DumpStarted ignored -> {
                // the same dump as backup.started, announced to the upload worker: not counted twice
            }
            case BackupOverdue ignored -> Counter.builder("backuprelay.backups.overdue").register(registry).increment();
            case DrillOutcome drill -> Counter.builder("backuprelay.restore.drills")
                    .tag("result", drill instanceof RestoreVerified ? "verified" : "failed")
                    .tag("kind", drill.kind().name()).register(registry).increment();
            case CopyStored copy -> Counter.builder("backuprelay.copies.stored").register(registry).increment();
            case CopyFailed copy -> Counter.builder("backuprelay.copies.failed")
                    .tag("final", Boolean.toString(!copy.willRetry())).register(registry).increment();
        }
    }
}
