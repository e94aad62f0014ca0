package io.backuprelay.common.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.metrics.BackupMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackupMetersTest {

    @Test
    void countsRequestsAndFailuresPerStageAndIgnoresWhatIsNotAnEvent() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BackupMeters meters = new BackupMeters(registry);
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());

        meters.accept(Json.encode(request));
        meters.accept(Json.encode(BackupFailed.of(request, FailureStage.UPLOAD, "refused", Instant.now())));
        meters.accept(Json.encode(BackupFailed.of(request, FailureStage.UPLOAD, "refused", Instant.now())));
        meters.accept("{\"accountId\":\"acme\"}".getBytes());
        meters.accept(null);

        assertThat(registry.get("backuprelay.backups.requested").tag("trigger", "MANUAL").counter().count()).isEqualTo(1);
        assertThat(registry.get("backuprelay.backups.failed").tag("stage", "UPLOAD").counter().count()).isEqualTo(2);
    }
}
