package io.backuprelay.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupWindow;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupIds;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.format.archive.Engine;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backup-window rule of {@link ScheduleRules}, as plain functions of the state and of times the test
 * chooses: where each automatic backup falls, over daylight-saving changes, retries and manual backups.
 */
class WindowScheduleTest {

    private static final String ACCOUNT = "Café \"Crème\" S.A.";
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    private final ScheduleRules rules = new ScheduleRules(Duration.ofHours(6));
    private AccountSchedule schedule;

    // ---- the rule ----

    @Test
    void automaticBackupsStartAtTheSameLocalTimeEveryIntervalWhereverInTheWindowTheyRan() {
        windowed("01:00", 180, "Europe/Madrid", BackupType.EVERY_7_DAYS);
        manualSuccess(Instant.parse("2027-01-04T15:00:00Z")); // 16:00: the schedule counts from the next window
        List<Instant> runs = new ArrayList<>();
        for (int i = 0; i < 120; i++) { // more than two years, over five daylight-saving changes
            Instant due = rules.nextRunAt(schedule).orElseThrow();
            runs.add(due);
            // the rate limit lets it start anywhere in its window
            Instant startedAt = due.plus(Duration.ofMinutes((i * 37L) % 170));
            succeed(requestAt(startedAt), startedAt.plus(Duration.ofMinutes(20)));
        }

        ZoneId madrid = ZoneId.of("Europe/Madrid");
        for (int i = 0; i < runs.size(); i++) {
            ZonedDateTime local = runs.get(i).atZone(madrid);
            assertThat(local.toLocalTime()).as("run %d", i).isEqualTo(LocalTime.of(1, 0));
            assertThat(local.toLocalDate()).isEqualTo(runs.getFirst().atZone(madrid).toLocalDate().plusDays(7L * i));
        }
        assertThat(runs.getFirst()).isEqualTo(Instant.parse("2027-01-12T00:00:00Z"));
        assertThat(runs.get(10)).isEqualTo(Instant.parse("2027-03-23T00:00:00Z")); // +01:00
        assertThat(runs.get(11)).isEqualTo(Instant.parse("2027-03-29T23:00:00Z")); // 01:00 +02:00 on the 30th
    }

    @Test
    void aManualBackupDoesNotMoveTheScheduleOfAnAccountWithAWindow() {
        windowed("01:00", 180, "UTC", BackupType.EVERY_7_DAYS);
        manualSuccess(Instant.parse("2027-05-03T09:00:00Z"));
        Instant due = Instant.parse("2027-05-11T01:00:00Z");
        assertThat(rules.nextRunAt(schedule)).contains(due);

        manualSuccess(Instant.parse("2027-05-08T02:00:00Z")); // in the window, too
        manualSuccess(Instant.parse("2027-05-10T17:00:00Z"));

        assertThat(rules.nextRunAt(schedule)).contains(due);
        BackupRequested request = requestAt(due);
        assertThat(request.backupId()).isEqualTo(BackupIds.scheduled(ACCOUNT, due));
        succeed(request, due.plus(Duration.ofMinutes(30)));
        manualSuccess(Instant.parse("2027-05-12T12:00:00Z"));
        assertThat(rules.nextRunAt(schedule)).contains(Instant.parse("2027-05-18T01:00:00Z"));
    }

    @Test
    void withoutAWindowAManualBackupStillStartsTheNextIntervalAsBefore() {
        schedule = rules.onConnection(AccountSchedule.empty(ACCOUNT), "main", true);
        schedule = rules.onSettings(schedule, new BackupSettings(ACCOUNT, BackupType.EVERY_7_DAYS, "main", null, null, null));
        manualSuccess(Instant.parse("2027-05-03T09:00:00Z"));
        manualSuccess(Instant.parse("2027-05-05T09:00:00Z"));

        assertThat(rules.nextRunAt(schedule)).contains(Instant.parse("2027-05-12T09:10:00Z"));
    }

    @Test
    void aManualBackupAfterAFailedSlotServesItAndTheNextAutomaticOneIsTheNextSlot() {
        windowed("01:00", 60, "UTC", BackupType.EVERY_7_DAYS);
        manualSuccess(Instant.parse("2027-05-03T09:00:00Z"));
        Instant due = Instant.parse("2027-05-11T01:00:00Z");
        fail(requestAt(due), due.plus(Duration.ofMinutes(5)));
        assertThat(rules.nextRunAt(schedule)).contains(due.plus(Duration.ofMinutes(20)));

        manualSuccess(Instant.parse("2027-05-11T08:00:00Z"));

        assertThat(rules.nextRunAt(schedule)).contains(Instant.parse("2027-05-18T01:00:00Z"));
        assertThat(requestAt(Instant.parse("2027-05-18T01:00:00Z")).attempt()).isEqualTo(1);
    }

    @Test
    void aRetryStaysInsideAnOpenWindowAcrossMidnightAndOtherwiseWaitsForTheNextWindow() {
        windowed("23:00", 180, "Europe/Madrid", BackupType.EVERY_7_DAYS); // 21:00Z to 00:00Z in summer
        manualSuccess(Instant.parse("2027-06-01T10:00:00Z"));
        Instant slot = Instant.parse("2027-06-08T21:00:00Z");
        assertThat(rules.nextRunAt(schedule)).contains(slot);

        fail(requestAt(slot), Instant.parse("2027-06-08T21:10:00Z"));
        assertThat(rules.nextRunAt(schedule)).contains(Instant.parse("2027-06-08T21:25:00Z")); // 15 min, open
        fail(requestAt(Instant.parse("2027-06-08T21:25:00Z")), Instant.parse("2027-06-08T21:30:00Z"));
        Instant pastMidnight = Instant.parse("2027-06-08T22:30:00Z"); // 1 h later: 00:30 local, still open
        assertThat(rules.nextRunAt(schedule)).contains(pastMidnight);
        fail(requestAt(pastMidnight), Instant.parse("2027-06-08T22:35:00Z"));
        Instant nextWindow = Instant.parse("2027-06-09T21:00:00Z"); // 4 h later it is closed: the next 23:00
        assertThat(rules.nextRunAt(schedule)).contains(nextWindow);
        assertThat(rules.requestDue(schedule, Instant.parse("2027-06-09T02:35:00Z"))).isFalse();

        BackupRequested retry = requestAt(nextWindow);
        assertThat(retry.trigger()).isEqualTo(Trigger.RETRY);
        assertThat(retry.backupId()).isEqualTo(BackupIds.scheduled(ACCOUNT, slot, 4));
        succeed(retry, Instant.parse("2027-06-09T23:30:00Z"));
        assertThat(rules.nextRunAt(schedule)).as("counted from the window it ran in")
                .contains(Instant.parse("2027-06-16T21:00:00Z"));
    }

    @Test
    void aBackupTheRateLimitHeldPastItsWindowWaitsForTheNextOneAndAManualBackupMeanwhileServesIt() {
        windowed("01:00", 15, "UTC", BackupType.EVERY_7_DAYS);
        manualSuccess(Instant.parse("2027-05-03T09:00:00Z"));
        Instant due = Instant.parse("2027-05-11T01:00:00Z");
        schedule = rules.heldBack(schedule, due);
        assertThat(rules.status(schedule).state()).as("held, but the window is open").isEqualTo(ScheduleState.SCHEDULED);

        Wake closed = rules.onWake(schedule, Instant.parse("2027-05-11T01:15:00Z"));
        schedule = closed.next();

        assertThat(closed).isInstanceOf(Wake.Nothing.class);
        assertThat(rules.status(schedule).state()).isEqualTo(ScheduleState.WINDOW_TOO_SHORT);
        assertThat(rules.status(schedule).nextDueAt()).isEqualTo(Instant.parse("2027-05-12T01:00:00Z"));
        assertThat(schedule.wakeAt()).isEqualTo(Instant.parse("2027-05-12T01:00:00Z"));
        assertThat(rules.dueAt(schedule)).as("its due time is kept, so it goes first").contains(due);
        assertThat(rules.requestDue(schedule, Instant.parse("2027-05-11T12:00:00Z"))).isFalse();

        manualSuccess(Instant.parse("2027-05-11T12:00:00Z"));

        assertThat(rules.status(schedule).state()).isEqualTo(ScheduleState.SCHEDULED);
        assertThat(rules.status(schedule).nextDueAt()).isEqualTo(Instant.parse("2027-05-18T01:00:00Z"));
    }

    @Test
    void aBackupDueWhileTheSchedulerWasStoppedWaitsForTheNextWindowWithoutBlamingTheWindow() {
        windowed("01:00", 15, "UTC", BackupType.EVERY_7_DAYS);
        manualSuccess(Instant.parse("2027-05-03T09:00:00Z"));

        schedule = rules.onWake(schedule, Instant.parse("2027-05-11T09:00:00Z")).next();

        assertThat(rules.status(schedule).state()).isEqualTo(ScheduleState.SCHEDULED);
        assertThat(rules.status(schedule).nextDueAt()).isEqualTo(Instant.parse("2027-05-12T01:00:00Z"));
        BackupRequested request = requestAt(Instant.parse("2027-05-12T01:00:00Z"));
        assertThat(request.backupId()).as("the slot it stands for").isEqualTo(
                BackupIds.scheduled(ACCOUNT, Instant.parse("2027-05-11T01:00:00Z")));
    }

    @Test
    void withTheChaosHarnessesShortDaysEachSlotIsTheFirstWindowStartAfterThePlainInterval() {
        ScheduleRules shortDays = new ScheduleRules(Duration.ofHours(6), Duration.ofSeconds(20));
        schedule = shortDays.onConnection(AccountSchedule.empty(ACCOUNT), "main", true);
        schedule = shortDays.onSettings(schedule, new BackupSettings(ACCOUNT, BackupType.EVERY_7_DAYS, "main", null, null,
                null).withWindow(new BackupWindow(LocalTime.of(1, 0), 15, "UTC")));
        BackupRequested manual = BackupRequested.manual(ACCOUNT, "main", "ana@acme.example",
                Instant.parse("2027-05-03T09:00:00Z"));
        schedule = shortDays.onEvent(schedule, manual);
        schedule = shortDays.onEvent(schedule, new BackupCompleted(0, "e-1", manual.backupId(), ACCOUNT,
                Instant.parse("2027-05-03T09:10:00Z"), Trigger.MANUAL, new BlobLocation("acmeblobs", "backups", "x", "http://x"),
                1L, "abc", Engine.POSTGRESQL, manual.occurredAt(), Instant.parse("2027-05-03T09:10:00Z"), List.of(), "main",
                List.of(), null, null, null));

        // the anchor's window opens 2027-05-04 01:00; the first window start after 7 days of 20 s (01:02:20) is the next day's
        assertThat(shortDays.nextRunAt(schedule)).contains(Instant.parse("2027-05-05T01:00:00Z"));
    }

    // ---- daylight saving: every run over the change, never skipped, never doubled ----

    @Test
    void madridSpringForwardWithAWindowInTheMissingHour() {
        windowed("02:30", 60, "Europe/Madrid", BackupType.EVERY_7_DAYS); // 2027-03-28 02:00 -> 03:00
        manualSuccess(Instant.parse("2027-03-20T10:00:00Z"));

        assertThat(runEveryFiveMinutes("2027-03-20T10:30:00Z", "2027-04-12T00:00:00Z")).containsExactly(
                Instant.parse("2027-03-28T01:30:00Z"), // 03:30 +02:00: 02:30 did not exist
                Instant.parse("2027-04-04T00:30:00Z"), // 02:30 +02:00
                Instant.parse("2027-04-11T00:30:00Z"));
    }

    @Test
    void madridFallBackWithAWindowInTheRepeatedHourRunsOnce() {
        windowed("02:30", 60, "Europe/Madrid", BackupType.EVERY_7_DAYS); // 2027-10-31 03:00 -> 02:00
        manualSuccess(Instant.parse("2027-10-23T10:00:00Z"));

        assertThat(runEveryFiveMinutes("2027-10-23T10:30:00Z", "2027-11-08T00:00:00Z")).containsExactly(
                Instant.parse("2027-10-31T00:30:00Z"), // the first 02:30, +02:00; the second one (01:30Z) is not a window
                Instant.parse("2027-11-07T01:30:00Z")); // 02:30 +01:00
    }

    @Test
    void madridFallBackRetriesOnlyInsideTheFirstHalfPastTwo() {
        windowed("02:30", 60, "Europe/Madrid", BackupType.EVERY_7_DAYS);
        manualSuccess(Instant.parse("2027-10-23T10:00:00Z"));
        Instant slot = Instant.parse("2027-10-31T00:30:00Z");

        fail(requestAt(slot), Instant.parse("2027-10-31T00:40:00Z"));
        fail(requestAt(Instant.parse("2027-10-31T00:55:00Z")), Instant.parse("2027-10-31T01:00:00Z"));

        assertThat(rules.requestDue(schedule, Instant.parse("2027-10-31T01:30:00Z"))).as("the second 02:30").isFalse();
        assertThat(rules.nextRunAt(schedule)).contains(Instant.parse("2027-11-01T01:30:00Z"));
    }

    @Test
    void saoPauloHistoricalChangesAtMidnight() {
        windowed("00:30", 60, "America/Sao_Paulo", BackupType.EVERY_7_DAYS); // 2018-11-04 00:00 -> 01:00
        manualSuccess(Instant.parse("2018-10-27T12:00:00Z"));
        assertThat(runEveryFiveMinutes("2018-10-27T12:30:00Z", "2018-11-12T00:00:00Z")).containsExactly(
                Instant.parse("2018-11-04T03:30:00Z"), // 01:30 -02:00
                Instant.parse("2018-11-11T02:30:00Z"));

        windowed("23:30", 60, "America/Sao_Paulo", BackupType.EVERY_7_DAYS); // 2019-02-17 00:00 -> 02-16 23:00
        manualSuccess(Instant.parse("2019-02-09T12:00:00Z"));
        assertThat(runEveryFiveMinutes("2019-02-09T12:30:00Z", "2019-02-25T00:00:00Z")).containsExactly(
                Instant.parse("2019-02-17T01:30:00Z"), // the first 23:30 of the 16th; the second (02:30Z) is not a window
                Instant.parse("2019-02-24T02:30:00Z"));
    }

    @Test
    void bogotaWithoutDaylightSavingAndAtItsChangeOf1992() {
        windowed("01:00", 120, "America/Bogota", BackupType.EVERY_7_DAYS);
        manualSuccess(Instant.parse("2027-03-01T12:00:00Z"));
        assertThat(runEveryFiveMinutes("2027-03-01T12:30:00Z", "2027-03-24T00:00:00Z")).containsExactly(
                Instant.parse("2027-03-09T06:00:00Z"), Instant.parse("2027-03-16T06:00:00Z"),
                Instant.parse("2027-03-23T06:00:00Z"));

        windowed("00:30", 60, "America/Bogota", BackupType.EVERY_7_DAYS); // 1992-05-03 00:00 -> 01:00
        manualSuccess(Instant.parse("1992-04-25T12:00:00Z"));
        assertThat(runEveryFiveMinutes("1992-04-25T12:30:00Z", "1992-05-11T00:00:00Z")).containsExactly(
                Instant.parse("1992-05-03T05:30:00Z"), // 01:30 -04:00
                Instant.parse("1992-05-10T04:30:00Z"));
    }

    @Test
    void kolkataOpensAtOneInTheMorningLocalWhichIsTheEveningBeforeInUtc() {
        windowed("01:00", 120, "Asia/Kolkata", BackupType.EVERY_15_DAYS);
        manualSuccess(Instant.parse("2027-01-10T12:00:00Z"));

        assertThat(runEveryFiveMinutes("2027-01-10T12:30:00Z", "2027-02-15T00:00:00Z")).containsExactly(
                Instant.parse("2027-01-25T19:30:00Z"), // 01:00 on the 26th, 15 days after the window
                Instant.parse("2027-02-09T19:30:00Z")); // that followed the manual backup
    }

    // ---- fixture ----

    private void windowed(String start, int minutes, String zone, BackupType type) {
        schedule = rules.onConnection(AccountSchedule.empty(ACCOUNT), "main", true);
        schedule = rules.onSettings(schedule, new BackupSettings(ACCOUNT, type, "main", null, null, null)
                .withWindow(new BackupWindow(LocalTime.parse(start), minutes, zone)));
    }

    private void manualSuccess(Instant at) {
        BackupRequested request = BackupRequested.manual(ACCOUNT, "main", "ana@acme.example", at);
        schedule = rules.onEvent(schedule, request);
        succeed(request, at.plus(Duration.ofMinutes(10)));
    }

    /** The scheduler wakes at {@code at} and must request a backup. */
    private BackupRequested requestAt(Instant at) {
        assertThat(rules.requestDue(schedule, at)).as("due at %s", at).isTrue();
        Wake wake = rules.onWake(schedule, at);
        assertThat(wake).isInstanceOf(Wake.Request.class);
        schedule = wake.next();
        return ((Wake.Request) wake).request();
    }

    private void succeed(BackupRequested request, Instant endedAt) {
        schedule = rules.onEvent(schedule, new BackupCompleted(0, "e-" + request.backupId(), request.backupId(),
                ACCOUNT, endedAt, request.trigger(), new BlobLocation("acmeblobs", "backups", "x.dump.zst", "http://x"),
                1234L, "abc", Engine.POSTGRESQL, request.occurredAt(), endedAt, List.of(), "main", List.of(), null, null,
                null));
    }

    private void fail(BackupRequested request, Instant at) {
        schedule = rules.onEvent(schedule, BackupFailed.of(request, FailureStage.UPLOAD, "Storage account refused", at));
    }

    /**
     * Looks at the account every five minutes, as the scheduler's ticks do, and lets each automatic backup
     * succeed twenty minutes after it is requested; the times at which requests went out.
     */
    private List<Instant> runEveryFiveMinutes(String from, String to) {
        List<Instant> requested = new ArrayList<>();
        BackupRequested running = null;
        for (Instant t = Instant.parse(from); t.isBefore(Instant.parse(to)); t = t.plus(FIVE_MINUTES)) {
            if (running != null && !t.isBefore(running.occurredAt().plus(Duration.ofMinutes(20)))) {
                succeed(running, t);
                running = null;
            }
            if (rules.requestDue(schedule, t)) {
                running = requestAt(t);
                requested.add(t);
            } else {
                assertThat(rules.onWake(schedule, t)).isInstanceOf(Wake.Nothing.class);
            }
        }
        return requested;
    }
}
