package io.backuprelay.console.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.activity.ActivityAction;
import io.backuprelay.common.activity.ActivityEntry;
import io.backuprelay.common.activity.ActivityEntry.Change;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.ViewUnavailableException;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.auth.Principal;
import io.backuprelay.console.auth.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Recording: who, what and when from the caller's token and the console's clock; a log that cannot be written stops the action. */
class ActivityLogTest {

    private static final Instant NOW = Instant.parse("2026-12-06T16:30:00Z");
    private static final Principal JOSE = new Principal("auth0|José Núñez", "jose.nunez@tenant.example",
            "Acme Ñandú", Role.SUPERADMIN, "es");

    private final List<ActivityEntry> written = new ArrayList<>();
    private final ActivityLog log = new ActivityLog(null, written::add, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void anEntrySaysWhoDidWhatToWhatAndWhen() {
        ActivityEntry entry = log.record(JOSE, "Acme Ñandú", ActivityAction.DOWNLOAD_GIVEN, "b-1", List.of(),
                Map.of("copy", "c-offsite"));

        assertThat(written).containsExactly(entry);
        assertThat(entry.actor()).isEqualTo(new ActivityEntry.Actor("auth0|José Núñez", "jose.nunez@tenant.example",
                "superadmin"));
        assertThat(entry.at()).isEqualTo(NOW);
        assertThat(entry.accountId()).isEqualTo("Acme Ñandú");
        assertThat(entry.target()).isEqualTo("b-1");
        assertThat(entry.details()).containsEntry("copy", "c-offsite");
    }

    @Test
    void aChangeThatChangedNothingIsNotRecordedButEveryOtherActionIs() {
        assertThat(log.record(JOSE, "Acme Ñandú", ActivityAction.SETTINGS_CHANGED, null, List.of())).isNull();
        assertThat(log.record(JOSE, "Acme Ñandú", ActivityAction.CONNECTION_CHANGED, "c-1", List.of())).isNull();
        log.record(JOSE, "Acme Ñandú", ActivityAction.SETTINGS_CHANGED, null,
                List.of(new Change("backupType", "MANUAL", "EVERY_7_DAYS", false)));
        log.record(JOSE, "Acme Ñandú", ActivityAction.CONNECTION_TESTED, "c-1", List.of());

        assertThat(written).extracting(ActivityEntry::action)
                .containsExactly(ActivityAction.SETTINGS_CHANGED, ActivityAction.CONNECTION_TESTED);
    }

    @Test
    void whenTheLogCannotBeWrittenTheCallerIsStopped() {
        ActivityLog broken = new ActivityLog(null, entry -> {
            throw new IllegalStateException("Could not write to backup.activity: timed out");
        }, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThatThrownBy(() -> broken.record(JOSE, "Acme Ñandú", ActivityAction.BACKUP_REQUESTED, "b-2", List.of()))
                .isInstanceOf(ActivityLog.NotRecordedException.class)
                .hasMessageContaining("was not done");
    }

    /** Reads wait for the topic holding a request thread each: two of one account at a time, the third refused at once. */
    @Test
    void anAccountsReadsWaitTwoAtATimeAndAnotherAccountIsNotHeldBack() {
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
        // No broker answers on port 1: the reader never catches up, so reads wait.
        try (ActivityReader never = new ActivityReader(new KafkaSettings("127.0.0.1:1", new Topics("waiting-activity.")),
                "activity-test", 10)) {
            ActivityLog waiting = new ActivityLog(never, written::add, Clock.fixed(NOW, ZoneOffset.UTC));
            readers.submit(() -> waiting.page("Acme Ñandú", null, 10));
            readers.submit(() -> waiting.page("Acme Ñandú", null, 10));
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting.waitingReads("Acme Ñandú") == 2);

            assertThatThrownBy(() -> waiting.page("Acme Ñandú", null, 10)).isInstanceOf(ViewUnavailableException.class)
                    .hasMessageContaining("Too many reads of this activity log are waiting");
            readers.submit(() -> waiting.page("Globex", null, 10));
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting.waitingReads("Globex") == 1);
            assertThat(waiting.waitingReads("Acme Ñandú")).isEqualTo(2);
        } finally {
            readers.shutdownNow(); // the waiting reads end when their wait times out
        }
    }
}
