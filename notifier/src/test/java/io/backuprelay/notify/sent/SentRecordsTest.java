package io.backuprelay.notify.sent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SentRecordsTest {

    private static final Instant START = Instant.parse("2026-01-01T06:00:00Z");
    private static final Duration HORIZON = Duration.ofDays(30);

    /** backup.notifications as every notifier's view holds it: a write puts, a tombstone removes. */
    private final Map<String, SentNotification> topic = new HashMap<>();
    private final SentLog compacted = new SentLog() {
        @Override
        public void record(String key, SentNotification record) {
            topic.put(key, record);
        }

        @Override
        public void forget(String key) {
            topic.remove(key);
        }
    };
    private Clock clock = Clock.fixed(START, ZoneOffset.UTC);

    private SentRecords records() {
        return new SentRecords(key -> Optional.ofNullable(topic.get(key)), compacted, HORIZON, clockOf(() -> clock));
    }

    @Test
    void memoryHoldsOneHorizonOfRecordsNotEveryBackupEverMailed() {
        int perDay = 200;
        int mostHeld = 0;
        for (int day = 0; day < 400; day++) {
            clock = Clock.fixed(START.plus(Duration.ofDays(day)), ZoneOffset.UTC);
            for (int i = 0; i < perDay; i++) {
                Instant occurred = clock.instant().minus(Duration.ofMinutes(i));
                topic.put("b-" + day + "-" + i, mail("<b-" + day + "-" + i + ".completed@backuprelay>", occurred));
            }
            records().forgetExpired(Map.copyOf(topic)); // as the hourly round does, once a day here
            mostHeld = Math.max(mostHeld, topic.size());
        }

        // 80,000 backups mailed; at most the horizon, its day of margin and today's are held.
        assertThat(mostHeld).isLessThanOrEqualTo(perDay * (30 + 1 + 1));
        assertThat(topic).hasSizeGreaterThanOrEqualTo(perDay * 30);
        assertThat(topic.values()).allMatch(r -> !records().pastHorizon(r.occurredAt().plus(SentRecords.MARGIN)));
    }

    @Test
    void aRecordIsForgottenOnlyADayAfterItsEventLeftTheHorizon() {
        Instant occurred = START.minus(HORIZON).minusSeconds(1);
        topic.put("b-1", mail("<b-1.completed@backuprelay>", occurred));
        SentRecords records = records();

        assertThat(records.pastHorizon(occurred)).isTrue();
        assertThat(records.forgetExpired(Map.copyOf(topic))).isZero();
        assertThat(records.find("b-1")).isPresent();

        clock = Clock.fixed(START.plus(SentRecords.MARGIN), ZoneOffset.UTC);
        assertThat(records.forgetExpired(Map.copyOf(topic))).isEqualTo(1);
        assertThat(records.find("b-1")).isEmpty();
    }

    @Test
    void anEventWithinTheHorizonIsNotPastIt() {
        assertThat(records().pastHorizon(START.minus(HORIZON).plusSeconds(1))).isFalse();
        assertThat(records().pastHorizon(START)).isFalse();
    }

    @Test
    void anAcceptedEmailIsRecordedSoThatARestartedNotifierKnowsItWasSent() throws Exception {
        records().accepted(mail("<b-2.completed@backuprelay>", START));

        SentRecords afterRestart = records();
        assertThat(afterRestart.mailed("<b-2.completed@backuprelay>")).isTrue();
        assertThat(afterRestart.mailed("<b-2.completed.requester@backuprelay>")).isFalse();
    }

    @Test
    void anAcceptedEmailWhoseRecordCannotBeWrittenIsStillKnownToThisNotifier() throws Exception {
        SentLog away = new SentLog() {
            @Override
            public void record(String key, SentNotification record) throws Exception {
                throw new TimeoutException("the broker is away");
            }

            @Override
            public void forget(String key) {
            }
        };
        SentRecords records = new SentRecords(key -> Optional.empty(), away, HORIZON, clock);

        records.accepted(mail("<b-3.completed@backuprelay>", START));

        assertThat(records.mailed("<b-3.completed@backuprelay>")).isTrue();
    }

    @Test
    void aRecordWrittenBeforeRecordsCarriedTheirEventsTimeAgesFromWhenItWasSent() {
        SentNotification old = new SentNotification("b-4", "acme", "BackupCompleted", "<b-4.completed@backuprelay>",
                List.of("ana@acme.example"), START, null);
        assertThat(old.occurredAt()).isEqualTo(START);
    }

    private static SentNotification mail(String messageId, Instant occurredAt) {
        return new SentNotification(messageId, "Acme Ñandú \"Ltd\"", "BackupCompleted", messageId,
                List.of("Ana.Pérez@acme.example"), occurredAt.plusSeconds(5), occurredAt);
    }

    /** A clock that reads the test's current one, so one SentRecords sees time pass. */
    private static Clock clockOf(Supplier<Clock> current) {
        return new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return current.get().instant();
            }
        };
    }
}
