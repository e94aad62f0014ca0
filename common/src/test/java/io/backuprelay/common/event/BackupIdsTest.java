package io.backuprelay.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
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

    @Test
    void scheduledIdsAreTheNameBasedUuidsTheyWereBefore() {
        List<String> accounts = List.of("acme", "Müller & Söhne GmbH", "O'Brien \"Pubs\" Ltd", "東京 商事", "", "a@b#3",
                "emoji \uD83D\uDE80 tenant", "x".repeat(300));
        Instant slot = Instant.parse("2026-12-03T00:00:00.123456789Z");
        for (String account : accounts) {
            for (int attempt : new int[] {0, 1, 2, 17}) {
                String name = account + "@" + slot + (attempt <= 1 ? "" : "#" + attempt);
                assertThat(BackupIds.scheduled(account, slot, attempt))
                        .isEqualTo(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString());
            }
            assertThat(BackupIds.scheduled(account, Instant.EPOCH))
                    .isEqualTo(UUID.nameUUIDFromBytes((account + "@1970-01-01T00:00:00Z").getBytes(StandardCharsets.UTF_8))
                            .toString());
        }
        assertThat(BackupIds.nameUuid(new byte[0])).isEqualTo(UUID.nameUUIDFromBytes(new byte[0]));
        assertThat(BackupIds.nameUuid(new byte[] {(byte) 0xff, 0, (byte) 0x80}))
                .isEqualTo(UUID.nameUUIDFromBytes(new byte[] {(byte) 0xff, 0, (byte) 0x80}));
    }
}
