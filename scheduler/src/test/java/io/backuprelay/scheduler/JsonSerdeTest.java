package io.backuprelay.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.scheduler.schedule.AccountSchedule;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {

    private static final String ACCOUNT = "Zoë's \"Bäckerei\" GmbH";
    private final Serde<AccountSchedule> store = JsonSerde.forStore(AccountSchedule.class);

    @Test
    void aStoredScheduleReadsBackWithItsTimesToTheNanosecond() {
        AccountSchedule schedule = schedule(Instant.parse("2026-11-26T10:15:30.123456789Z"),
                Instant.parse("1969-12-31T23:59:59.999999999Z"));

        byte[] bytes = store.serializer().serialize("t", schedule);

        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .contains("\"wakeAt\":1795688130123456789").contains("\"lastSuccessAt\":-1");
        assertThat(store.deserializer().deserialize("t", bytes)).isEqualTo(schedule);
    }

    @Test
    void timesBeyondWhatNanosecondsCoverAreStoredAsText() {
        AccountSchedule schedule = schedule(Instant.parse("2400-01-01T00:00:00.5Z"), Instant.parse("1500-01-01T00:00:00Z"));

        assertThat(store.deserializer().deserialize("t", store.serializer().serialize("t", schedule))).isEqualTo(schedule);
    }

    @Test
    void schedulesStoredInTheEarlierFormsStillRead() {
        String decimalSeconds = "{\"accountId\":\"Zoë's \\\"Bäckerei\\\" GmbH\",\"wakeAt\":1795688130.123456789,"
                + "\"lastSuccessAt\":1795688100.000000000,\"consecutiveFailures\":0}";
        String isoText = "{\"accountId\":\"Zoë's \\\"Bäckerei\\\" GmbH\",\"wakeAt\":\"2026-11-26T10:15:30.123456789Z\","
                + "\"lastSuccessAt\":\"2026-11-26T10:15:00Z\",\"consecutiveFailures\":0}";

        for (String stored : List.of(decimalSeconds, isoText)) {
            AccountSchedule read = store.deserializer().deserialize("t", stored.getBytes(StandardCharsets.UTF_8));
            assertThat(read.accountId()).isEqualTo(ACCOUNT);
            assertThat(read.wakeAt()).isEqualTo(Instant.parse("2026-11-26T10:15:30.123456789Z"));
            assertThat(read.lastSuccessAt()).isEqualTo(Instant.parse("2026-11-26T10:15:00Z"));
        }
    }

    private static AccountSchedule schedule(Instant wakeAt, Instant lastSuccessAt) {
        return new AccountSchedule(ACCOUNT, new BackupSettings(ACCOUNT, BackupType.EVERY_7_DAYS, "main", null, null, null),
                Map.of("main", true), lastSuccessAt, "b-1", null, null, List.of(), 0, null, wakeAt, null, null, null, null);
    }
}
