package io.backuprelay.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BackupIdsTest {

    @Test
    void manualIdsAreVersion7AndSortByTime() {
        String earlier = BackupIds.newManual(Instant.parse("2026-11-26T09:00:00Z"));
        String later = BackupIds.newManual(Instant.parse("2026-11-26T09:00:01Z"));
        assertThat(UUID.fromString(earlier).version()).isEqualTo(7);
        assertThat(earlier).isLessThan(later);
        assertThat(BackupIds.newManual(Instant.EPOCH)).isNotEqualTo(BackupIds.newManual(Instant.EPOCH));
    }

    @Test
    void theSameDueSlotOfTheSameAccountIsTheSameBackup() {
        Instant slot = Instant.parse("2026-12-03T00:00:00Z");
        assertThat(BackupIds.scheduled("acme", slot)).isEqualTo(BackupIds.scheduled("acme", slot));
        assertThat(BackupIds.scheduled("acme", slot)).isNotEqualTo(BackupIds.scheduled("globex", slot));
        assertThat(BackupIds.scheduled("acme", slot)).isNotEqualTo(BackupIds.scheduled("acme", slot.plusSeconds(1)));
    }
}
