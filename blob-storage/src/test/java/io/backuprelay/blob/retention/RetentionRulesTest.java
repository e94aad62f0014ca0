package io.backuprelay.blob.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.Retention;
import io.backuprelay.blob.retention.RetentionRules.StoredBackup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetentionRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private final List<StoredBackup> stored = List.of(backup("a", 30), backup("b", 20), backup("c", 10), backup("d", 0));

    @Test
    void noPolicyDeletesNothing() {
        assertThat(RetentionRules.toDelete(stored, null, "d", NOW)).isEmpty();
        assertThat(RetentionRules.toDelete(stored, new Retention(null, null), "d", NOW)).isEmpty();
    }

    @Test
    void bothRulesApplyAndTheNewestIsAlwaysKept() {
        assertThat(RetentionRules.toDelete(stored, new Retention(3, 15), "d", NOW)).extracting(StoredBackup::backupId)
                .containsExactlyInAnyOrder("a", "b");
        assertThat(RetentionRules.toDelete(stored, new Retention(1, 1), "c", NOW)).extracting(StoredBackup::backupId)
                .containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aLocalClockAYearAheadAgesBackupsOnlyAsFarAsTheStoragesClockAgrees() {
        Instant aYearAhead = NOW.plus(Duration.ofDays(365));

        assertThat(RetentionRules.toDelete(stored, new Retention(null, 15), "d", aYearAhead, Optional.of(NOW)))
                .extracting(StoredBackup::backupId).containsExactlyInAnyOrder("a", "b");
        assertThat(RetentionRules.toDelete(stored, new Retention(null, 15), "d", NOW, Optional.of(aYearAhead)))
                .as("nor does a storage clock ahead of ours").extracting(StoredBackup::backupId)
                .containsExactlyInAnyOrder("a", "b");
        assertThat(RetentionRules.toDelete(stored, new Retention(3, 1), "d", aYearAhead, Optional.empty()))
                .as("with no storage clock, nothing goes for its age").extracting(StoredBackup::backupId)
                .containsExactly("a");
    }

    private static StoredBackup backup(String id, int daysAgo) {
        return new StoredBackup(id + ".dump.zst", id, NOW.minus(Duration.ofDays(daysAgo)));
    }
}
