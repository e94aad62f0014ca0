package io.backuprelay.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupStarted;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupIds;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.event.DrillOutcome;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.RestoreFailed;
import io.backuprelay.common.event.RestoreVerified;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.format.archive.Engine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every scheduling rule, on the real topology, with the clock driven by the test. */
class SchedulerTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-26T09:00:00Z");
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path stateDir;

    private final Topics topics = Topics.unprefixed();
    private final MutableClock clock = new MutableClock(T0);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> settings;
    private TestInputTopic<String, byte[]> connections;
    private TestInputTopic<String, byte[]> requestsIn;
    private TestInputTopic<String, byte[]> outcomesIn;
    private TestOutputTopic<String, byte[]> requestsOut;
    private TestOutputTopic<String, byte[]> outcomesOut;
    private TestOutputTopic<String, byte[]> status;
    private final List<BackupRequested> requested = new ArrayList<>();
    private final Map<String, BackupStatus> latestStatus = new HashMap<>();

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    // ---- status (what the backup page shows) ----

    @Test
    void anAccountThatNeverHadABackupShowsNeverAndItsRunningBackup() {
        start(1000);
        BackupRequested request = BackupRequested.manual("acme", "main", "ana@acme.example", T0);
        send(requestsIn, request);

        BackupStatus current = status("acme");
        assertThat(current.lastSuccessAt()).isNull();
        assertThat(current.state()).isEqualTo(ScheduleState.RUNNING);
        assertThat(current.inFlight().backupId()).isEqualTo(request.backupId());
    }

    @Test
    void aCompletedBackupSetsTheLastBackupTimeAndAFailureKeepsIt() {
        start(1000);
        BackupRequested first = manualBackup("acme", T0);
        complete(first, T0.plusSeconds(60));
        BackupRequested second = manualBackup("acme", T0.plusSeconds(3600));
        send(outcomesIn, BackupFailed.of(second, FailureStage.DUMP, "Cannot reach the database server", T0.plusSeconds(3605)));

        BackupStatus current = status("acme");
        assertThat(current.lastSuccessAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(current.inFlight()).isNull();
        assertThat(current.lastOutcome().failedStage()).isEqualTo(FailureStage.DUMP);
        assertThat(current.lastOutcome().failureReason()).isEqualTo("Cannot reach the database server");
        assertThat(current.recent()).extracting(BackupStatus.OutcomeSummary::backupId)
                .containsExactly(second.backupId(), first.backupId());
    }

    @Test
    void aRedeliveredOutcomeOrRequestChangesNothing() {
        start(1000);
        BackupRequested request = manualBackup("acme", T0);
        BackupCompleted done = completed(request, T0.plusSeconds(60));
        send(outcomesIn, done);
        send(outcomesIn, done);
        send(requestsIn, request);

        assertThat(status("acme").recent()).hasSize(1);
        assertThat(status("acme").inFlight()).isNull();
    }

    @Test
    void aDrillsFindingIsKeptBesideItsBackupAndOnlyARestoreCountsAsTheLastVerifiedRestore() {
        start(1000);
        BackupRequested first = manualBackup("acme", T0);
        complete(first, T0.plusSeconds(60));
        BackupRequested second = manualBackup("acme", T0.plusSeconds(120));
        complete(second, T0.plusSeconds(180));

        send(outcomesIn, RestoreVerified.of(first.backupId(), "acme",
                DrillOutcome.Kind.RESTORE, "2 tables (10 rows)", T0.plusSeconds(200), 900));
        send(outcomesIn, RestoreVerified.of(second.backupId(), "acme",
                DrillOutcome.Kind.INTEGRITY_ONLY, "checksum", T0.plusSeconds(210), 100));
        send(outcomesIn, RestoreFailed.of("not-a-recent-backup", "acme",
                DrillOutcome.Kind.RESTORE, "corrupted", List.of(), T0.plusSeconds(220)));

        BackupStatus current = status("acme");
        assertThat(current.recent()).extracting(o -> o.restoreCheck() == null ? null : o.restoreCheck().detail())
                .containsExactly("checksum", "2 tables (10 rows)");
        assertThat(current.lastRestoreCheck().orElseThrow().backupId()).isEqualTo(second.backupId());
        assertThat(current.lastVerifiedRestore().orElseThrow().backupId()).isEqualTo(first.backupId());
        assertThat(current.lastOutcome().restoreCheck().kind())
                .isEqualTo(DrillOutcome.Kind.INTEGRITY_ONLY);
    }

    @Test
    void eachCopyIsKeptBesideItsBackupAndARetryNewsNeverHidesAStoredCopy() {
        start(1000);
        BackupRequested request = manualBackup("acme", T0);
        BackupCompleted backup = completed(request, T0.plusSeconds(60));
        send(outcomesIn, backup);
        BlobLocation offsite = new BlobLocation("AKIAEXAMPLE", "acme-offsite", "acme/x.dump.zst", "https://s3/x");

        send(outcomesIn, CopyFailed.of(backup, "offsite", 1, "Cannot reach the bucket", T0.plusSeconds(70),
                T0.plusSeconds(80)));
        assertThat(status("acme").lastOutcome().copy("offsite").orElseThrow()).satisfies(copy -> {
            assertThat(copy.state()).isEqualTo(BackupStatus.CopyState.State.RETRYING);
            assertThat(copy.nextAttemptAt()).isEqualTo(T0.plusSeconds(80));
            assertThat(copy.reason()).isEqualTo("Cannot reach the bucket");
        });

        send(outcomesIn, CopyStored.of(backup, "offsite", 2, offsite, List.of("READ_BACK_SHA256"), T0.plusSeconds(90))
                .immutable(T0.plus(Duration.ofDays(30)), false));
        send(outcomesIn, CopyFailed.of(backup, "offsite", 1, "a late retry's news", T0.plusSeconds(95), T0.plusSeconds(99)));
        send(outcomesIn, CopyFailed.of(backup, "archive", 4, "the bucket does not exist", T0.plusSeconds(96), null));

        BackupStatus current = status("acme");
        assertThat(current.lastSuccessAt()).as("the destination's").isEqualTo(T0.plusSeconds(60));
        assertThat(current.lastOutcome().copies()).extracting(BackupStatus.CopyState::connectionId,
                BackupStatus.CopyState::state, BackupStatus.CopyState::attempt).containsExactly(
                tuple("archive", BackupStatus.CopyState.State.FAILED, 4),
                tuple("offsite", BackupStatus.CopyState.State.STORED, 2));
        assertThat(current.recent().getFirst().copy("offsite").orElseThrow().immutableUntil())
                .isEqualTo(T0.plus(Duration.ofDays(30)));
    }

    @Test
    void keepsAccountsApartAndSkipsAMalformedEvent() {
        start(1000);
        requestsIn.pipeInput("acme", "{not json".getBytes(StandardCharsets.UTF_8));
        BackupRequested acme = BackupRequested.manual("acme", "main", "ana", T0);
        send(requestsIn, acme);
        complete(manualBackup("globex", T0), T0.plusSeconds(30));

        assertThat(status("acme").lastSuccessAt()).isNull();
        assertThat(status("acme").inFlight().backupId()).isEqualTo(acme.backupId());
        assertThat(status("globex").lastSuccessAt()).isEqualTo(T0.plusSeconds(30));
    }

    // ---- the rules of automatic backups ----

    @Test
    void neverBacksUpAutomaticallyBeforeTheFirstSuccessfulManualBackup() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);

        assertThat(status("acme").state()).isEqualTo(ScheduleState.AWAITING_FIRST_MANUAL_BACKUP);
        assertThat(status("acme").nextDueAt()).isNull();
        advanceTo(T0.plus(Duration.ofDays(365)));
        assertThat(drainRequests()).isEmpty();

        BackupRequested manual = manualBackup("acme", clock.instant());
        send(outcomesIn, BackupFailed.of(manual, FailureStage.DUMP, "unreachable", clock.instant()));
        advanceTo(clock.instant().plus(Duration.ofDays(30)));
        assertThat(drainRequests()).as("a failed first backup does not start the schedule").isEmpty();
        assertThat(status("acme").state()).isEqualTo(ScheduleState.AWAITING_FIRST_MANUAL_BACKUP);
    }

    @Test
    void theNextBackupIsDueOneIntervalAfterTheLastSuccessfulOne() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        Instant lastSuccess = T0.plusSeconds(90);
        complete(manualBackup("acme", T0), lastSuccess);
        Instant due = lastSuccess.plus(Duration.ofDays(7));

        assertThat(status("acme").state()).isEqualTo(ScheduleState.SCHEDULED);
        assertThat(status("acme").nextDueAt()).isEqualTo(due);
        advanceTo(due.minusSeconds(1));
        assertThat(drainRequests()).isEmpty();
        advanceTo(due);
        List<BackupRequested> requests = drainRequests();

        assertThat(requests).hasSize(1);
        BackupRequested request = requests.getFirst();
        assertThat(request.trigger()).isEqualTo(Trigger.SCHEDULED);
        assertThat(request.attempt()).isEqualTo(1);
        assertThat(request.connectionId()).isEqualTo("main");
        assertThat(request.backupId()).isEqualTo(BackupIds.scheduled("acme", due));
        assertThat(status("acme").state()).isEqualTo(ScheduleState.RUNNING);

        // Its success starts the next interval.
        complete(request, due.plus(Duration.ofMinutes(5)));
        assertThat(status("acme").nextDueAt()).isEqualTo(due.plus(Duration.ofMinutes(5)).plus(Duration.ofDays(7)));
    }

    @Test
    void aShortenedDayOfTheChaosHarnessShortensEveryIntervalAndNothingElse() {
        start(1000, Duration.ofSeconds(20));
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);
        Instant due = T0.plus(Duration.ofSeconds(140));

        assertThat(status("acme").nextDueAt()).isEqualTo(due);
        advanceTo(due.minusSeconds(1));
        assertThat(drainRequests()).isEmpty();
        advanceTo(due);
        assertThat(drainRequests()).singleElement().satisfies(request -> {
            assertThat(request.trigger()).isEqualTo(Trigger.SCHEDULED);
            assertThat(request.backupId()).isEqualTo(BackupIds.scheduled("acme", due));
        });
    }

    @Test
    void everyIntervalOfTheProductIsHonoured() {
        start(1000);
        for (BackupType type : List.of(BackupType.EVERY_7_DAYS, BackupType.EVERY_15_DAYS, BackupType.EVERY_30_DAYS)) {
            String account = "acct-" + type;
            automatic(account, type);
            complete(manualBackup(account, T0), T0);
            assertThat(status(account).nextDueAt()).isEqualTo(T0.plus(type.interval().orElseThrow()));
        }
    }

    @Test
    void changingTheTypeRecomputesTheNextDueDateAtOnce() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);
        assertThat(status("acme").nextDueAt()).isEqualTo(T0.plus(Duration.ofDays(7)));

        automatic("acme", BackupType.EVERY_30_DAYS);

        assertThat(status("acme").nextDueAt()).isEqualTo(T0.plus(Duration.ofDays(30)));
        advanceTo(T0.plus(Duration.ofDays(8)));
        assertThat(drainRequests()).isEmpty();
        advanceTo(T0.plus(Duration.ofDays(30)));
        assertThat(drainRequests()).hasSize(1);
    }

    @Test
    void switchingToManualStopsAutomaticBackupsAndSwitchingBackResumesThem() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);

        send(settings, "acme", new BackupSettings("acme", BackupType.MANUAL, "main", null, null, null));
        assertThat(status("acme").state()).isEqualTo(ScheduleState.MANUAL_ONLY);
        assertThat(status("acme").nextDueAt()).isNull();
        advanceTo(T0.plus(Duration.ofDays(20)));
        assertThat(drainRequests()).isEmpty();

        automatic("acme", BackupType.EVERY_7_DAYS);
        assertThat(status("acme").state()).isEqualTo(ScheduleState.SCHEDULED);
        tick();
        assertThat(drainRequests()).as("overdue once resumed: requested once").hasSize(1);
    }

    @Test
    void clearingTheDestinationStopsAutomaticBackups() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);

        send(settings, "acme", new BackupSettings("acme", BackupType.EVERY_7_DAYS, null, null, null, null));

        assertThat(status("acme").state()).isEqualTo(ScheduleState.MANUAL_ONLY);
        assertThat(status("acme").pausedReason()).isEqualTo("No destination repository is chosen.");
        advanceTo(T0.plus(Duration.ofDays(8)));
        assertThat(drainRequests()).isEmpty();
    }

    @Test
    void disablingTheDestinationConnectionStopsAutomaticBackupsAndEnablingItResumesThem() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);

        connection("acme", "main", false);
        assertThat(status("acme").pausedReason())
                .isEqualTo("The destination connection 'main' is not enabled for automatic backup.");
        advanceTo(T0.plus(Duration.ofDays(8)));
        assertThat(drainRequests()).isEmpty();

        connection("acme", "main", true);
        tick();
        assertThat(drainRequests()).hasSize(1);
    }

    @Test
    void deletingTheDestinationConnectionStopsAutomaticBackups() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);

        connections.pipeInput(Connection.key("acme", "main"), null);

        assertThat(status("acme").pausedReason()).isEqualTo("The destination connection 'main' no longer exists.");
        advanceTo(T0.plus(Duration.ofDays(8)));
        assertThat(drainRequests()).isEmpty();
    }

    @Test
    void nothingIsScheduledWhileABackupRuns() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);
        Instant due = T0.plus(Duration.ofDays(7));
        BackupRequested manual = manualBackup("acme", due.minusSeconds(60));

        advanceTo(due.plus(Duration.ofMinutes(30)));
        assertThat(drainRequests()).as("the manual backup is still running").isEmpty();

        complete(manual, due.plus(Duration.ofMinutes(31)));
        advanceTo(due.plus(Duration.ofMinutes(40)));
        assertThat(drainRequests()).as("its success is the new last backup").isEmpty();
        assertThat(status("acme").nextDueAt()).isEqualTo(due.plus(Duration.ofMinutes(31)).plus(Duration.ofDays(7)));
    }

    @Test
    void aBackupWithNoOutcomeAfterTheTimeoutIsDeclaredFailedSoTheAccountIsNeverBlocked() {
        start(1000);
        BackupRequested manual = manualBackup("acme", T0);
        Instant startedAt = T0.plus(Duration.ofHours(1));
        started(manual, startedAt);

        advanceTo(startedAt.plus(Duration.ofHours(6)).minusSeconds(1));
        assertThat(drainOutcomes()).as("the timeout counts from the start, not the request").isEmpty();
        advanceTo(startedAt.plus(Duration.ofHours(6)));
        List<BackupFailed> failures = drainOutcomes();

        assertThat(failures).hasSize(1);
        BackupFailed timeout = failures.getFirst();
        assertThat(timeout.backupId()).isEqualTo(manual.backupId());
        assertThat(timeout.stage()).isEqualTo(FailureStage.TIMEOUT);
        assertThat(timeout.reason()).isEqualTo("The backup had no outcome 6 h after a worker started it, so it was declared failed.");
        assertThat(timeout.willRetry()).isFalse();
        assertThat(status("acme").state()).isNotEqualTo(ScheduleState.RUNNING);
        assertThat(status("acme").lastOutcome().failedStage()).isEqualTo(FailureStage.TIMEOUT);
    }

    @Test
    void aBackupWaitingForAWorkerIsNeverTimedOutNorRequestedTwice() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);
        Instant due = T0.plus(Duration.ofDays(7));
        advanceTo(due);
        BackupRequested scheduled = drainRequests().getFirst();

        advanceTo(due.plus(Duration.ofHours(7)));
        advanceTo(due.plus(Duration.ofDays(2)));
        assertThat(drainOutcomes()).as("a queued backup is not timed out").isEmpty();
        assertThat(drainRequests()).as("nor requested again").isEmpty();
        assertThat(status("acme").state()).isEqualTo(ScheduleState.RUNNING);
        assertThat(status("acme").inFlight().startedAt()).isNull();

        Instant startedAt = due.plus(Duration.ofDays(2)).plusSeconds(5);
        started(scheduled, startedAt);
        assertThat(status("acme").inFlight().startedAt()).isEqualTo(startedAt);
        advanceTo(startedAt.plus(Duration.ofHours(6)));
        assertThat(drainOutcomes()).extracting(BackupFailed::stage).containsExactly(FailureStage.TIMEOUT);
    }

    @Test
    void aTimedOutAutomaticBackupIsRetriedAndALateSuccessStillCounts() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);
        Instant due = T0.plus(Duration.ofDays(7));
        advanceTo(due);
        BackupRequested scheduled = drainRequests().getFirst();
        started(scheduled, due);

        advanceTo(due.plus(Duration.ofHours(6)));
        BackupFailed timeout = drainOutcomes().getFirst();
        assertThat(timeout.willRetry()).isTrue();
        assertThat(timeout.nextRetryAt()).isEqualTo(due.plus(Duration.ofHours(6)).plus(Duration.ofMinutes(15)));
        assertThat(status("acme").nextDueAt()).isEqualTo(timeout.nextRetryAt());

        complete(scheduled, due.plus(Duration.ofHours(7)));
        assertThat(status("acme").lastSuccessAt()).isEqualTo(due.plus(Duration.ofHours(7)));
        assertThat(status("acme").consecutiveFailures()).isZero();
    }

    @Test
    void aFailedAutomaticBackupIsRetriedWithBackoffUntilOneSucceeds() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        complete(manualBackup("acme", T0), T0);
        Instant due = T0.plus(Duration.ofDays(7));
        advanceTo(due);
        BackupRequested attempt = drainRequests().getFirst();

        List<Duration> expectedWaits = List.of(Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(4), DAY, DAY);
        for (int i = 0; i < expectedWaits.size(); i++) {
            Instant failedAt = clock.instant().plusSeconds(30);
            BackupFailed failed = BackupFailed.of(attempt, FailureStage.UPLOAD, "Storage account refused", failedAt);
            send(outcomesIn, failed);
            Instant retryAt = failedAt.plus(expectedWaits.get(i));
            assertThat(failed.willRetry()).as("a worker does not decide retries").isFalse();
            assertThat(status("acme").nextDueAt()).as("the scheduler does, on the status").isEqualTo(retryAt);
            assertThat(status("acme").consecutiveFailures()).isEqualTo(i + 1);

            advanceTo(retryAt.minusSeconds(1));
            assertThat(drainRequests()).isEmpty();
            advanceTo(retryAt);
            List<BackupRequested> retries = drainRequests();
            assertThat(retries).hasSize(1);
            attempt = retries.getFirst();
            assertThat(attempt.trigger()).isEqualTo(Trigger.RETRY);
            assertThat(attempt.attempt()).isEqualTo(i + 2);
            assertThat(attempt.backupId()).isEqualTo(BackupIds.scheduled("acme", due, i + 2));
        }

        complete(attempt, clock.instant().plusSeconds(60));
        assertThat(status("acme").consecutiveFailures()).isZero();
        assertThat(status("acme").nextDueAt()).isEqualTo(clock.instant().plusSeconds(60).plus(Duration.ofDays(7)));
    }

    @Test
    void afterDowntimeEachDueAccountIsRequestedOnceOldestFirstWithinTheRate() {
        start(3);
        for (int i = 0; i < 10; i++) {
            String account = "acct-" + i;
            automatic(account, BackupType.EVERY_7_DAYS);
            complete(manualBackup(account, T0), T0.plus(Duration.ofHours(10 - i))); // acct-9 is due first
        }

        advanceTo(T0.plus(Duration.ofDays(30))); // the scheduler was down for weeks
        List<String> order = new ArrayList<>();
        drainRequests().forEach(r -> order.add(r.accountId()));
        assertThat(order).as("one minute's budget at once").containsExactly("acct-9", "acct-8", "acct-7");
        for (int minute = 1; minute <= 5; minute++) {
            advanceTo(clock.instant().plus(Duration.ofSeconds(20)));
            drainRequests().forEach(r -> order.add(r.accountId()));
        }
        assertThat(order).as("one request every 20 seconds").hasSize(8);
        advanceTo(clock.instant().plus(Duration.ofMinutes(10)));
        drainRequests().forEach(r -> order.add(r.accountId()));

        assertThat(order).containsExactly("acct-9", "acct-8", "acct-7", "acct-6", "acct-5", "acct-4", "acct-3", "acct-2",
                "acct-1", "acct-0");
    }

    @Test
    void overdueBackupsAreReportedAtOneAndAHalfIntervalsAtMostOnceADayUntilOneSucceeds() {
        start(1000);
        automatic("acme", BackupType.EVERY_7_DAYS);
        BackupRequested first = manualBackup("acme", T0);
        complete(first, T0);

        advanceTo(T0.plus(Duration.ofDays(10)));
        assertThat(overdueAlerts()).isEmpty();
        advanceTo(T0.plus(Duration.ofHours(252))); // 10.5 days: 1.5 × 7 days without a success
        List<BackupOverdue> alerts = overdueAlerts();
        assertThat(alerts).hasSize(1);
        assertThat(alerts.getFirst().accountId()).isEqualTo("acme");
        assertThat(alerts.getFirst().lastSuccessAt()).isEqualTo(T0);
        assertThat(alerts.getFirst().backupId()).isEqualTo(first.backupId());

        advanceTo(T0.plus(Duration.ofHours(252 + 23)));
        assertThat(overdueAlerts()).as("not twice the same day").isEmpty();
        advanceTo(T0.plus(Duration.ofHours(252 + 24)));
        assertThat(overdueAlerts()).hasSize(1);

        drainRequests().forEach(r -> complete(r, clock.instant()));
        BackupRequested manual = manualBackup("acme", clock.instant());
        complete(manual, clock.instant());
        advanceTo(clock.instant().plus(Duration.ofDays(3)));
        assertThat(overdueAlerts()).as("a success ends the reminders").isEmpty();
    }

    @Test
    void anAccountWithoutAutomaticBackupsIsNeverOverdue() {
        start(1000);
        send(settings, "acme", new BackupSettings("acme", BackupType.MANUAL, null, null, null, null));
        complete(manualBackup("acme", T0), T0);

        advanceTo(T0.plus(Duration.ofDays(90)));

        assertThat(overdueAlerts()).isEmpty();
    }

    @Test
    void aScheduledBackupIdDerivesFromTheAccountAndTheDueSlot() {
        start(1000);
        automatic("acme", BackupType.EVERY_15_DAYS);
        complete(manualBackup("acme", T0), T0);
        advanceTo(T0.plus(Duration.ofDays(15)));

        BackupRequested request = drainRequests().getFirst();

        assertThat(request.backupId()).isEqualTo(BackupIds.scheduled("acme", T0.plus(Duration.ofDays(15))));
        assertThat(BackupIds.scheduled("acme", T0.plus(Duration.ofDays(15)))).isEqualTo(request.backupId());
    }

    // ---- fixture ----

    private void start(int requestsPerMinute) {
        start(requestsPerMinute, DAY);
    }

    private void start(int requestsPerMinute, Duration dayLength) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scheduler-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class);
        SchedulerConfig config = new SchedulerConfig(stateDir, TICK, requestsPerMinute, Duration.ofHours(6))
                .withDayLength(dayLength);
        driver = new TopologyTestDriver(SchedulerTopology.build(topics, config, clock, requestsPerMinute), props, T0);
        StringSerializer keys = new StringSerializer();
        ByteArraySerializer values = new ByteArraySerializer();
        settings = driver.createInputTopic(topics.settings(), keys, values);
        connections = driver.createInputTopic(topics.connections(), keys, values);
        requestsIn = driver.createInputTopic(topics.requests(), keys, values);
        outcomesIn = driver.createInputTopic(topics.outcomes(), keys, values);
        requestsOut = driver.createOutputTopic(topics.requests(), new StringDeserializer(), new ByteArrayDeserializer());
        outcomesOut = driver.createOutputTopic(topics.outcomes(), new StringDeserializer(), new ByteArrayDeserializer());
        status = driver.createOutputTopic(topics.status(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void automatic(String account, BackupType type) {
        connection(account, "main", true);
        send(settings, account, new BackupSettings(account, type, "main", null, null, null));
    }

    private void connection(String account, String connectionId, boolean enabled) {
        Connection connection = new Connection(account, connectionId, ConnectionType.AZURE_BLOB, "d", "acmeblobs",
                "backups", "", new SealedSecret("k1", "x"), enabled, null, null, null, null, null);
        send(connections, connection.key(), connection);
    }

    private BackupRequested manualBackup(String account, Instant at) {
        BackupRequested request = BackupRequested.manual(account, "main", "admin", at);
        send(requestsIn, request);
        return request;
    }

    private void started(BackupRequested request, Instant at) {
        send(outcomesIn, new BackupStarted(1, "s-" + request.backupId(), request.backupId(),
                request.accountId(), at, request.trigger(), request.attempt(), "dump-1"));
    }

    private void complete(BackupRequested request, Instant at) {
        send(outcomesIn, completed(request, at));
    }

    private static BackupCompleted completed(BackupRequested request, Instant at) {
        return new BackupCompleted(0, "e-" + request.backupId(), request.backupId(), request.accountId(), at,
                request.trigger(), new BlobLocation("acmeblobs", "backups", request.accountId() + "/x.dump.zst", "http://x"),
                1234L, "abc", Engine.POSTGRESQL, request.occurredAt(), at, List.of(), null, List.of(), null, null, null);
    }

    /** Moves the injected clock and lets the scheduler tick. */
    private void advanceTo(Instant instant) {
        clock.set(instant);
        tick();
    }

    private void tick() {
        driver.advanceWallClockTime(TICK);
    }

    private static void send(TestInputTopic<String, byte[]> topic, BackupEvent event) {
        topic.pipeInput(event.accountId(), Json.encode(event));
    }

    private static void send(TestInputTopic<String, byte[]> topic, String key, Object value) {
        topic.pipeInput(key, Json.encode(value));
    }

    private List<BackupRequested> drainRequests() {
        List<BackupRequested> out = new ArrayList<>();
        requestsOut.readValuesToList().forEach(v -> out.add(Json.decode(v, BackupRequested.class)));
        requested.addAll(out);
        return out;
    }

    private final List<BackupEvent> emitted = new ArrayList<>();

    private List<BackupFailed> drainOutcomes() {
        drainEmitted();
        List<BackupFailed> out = emitted.stream().filter(BackupFailed.class::isInstance).map(BackupFailed.class::cast).toList();
        emitted.removeIf(BackupFailed.class::isInstance);
        return out;
    }

    private List<BackupOverdue> overdueAlerts() {
        drainEmitted();
        List<BackupOverdue> out = emitted.stream().filter(BackupOverdue.class::isInstance).map(BackupOverdue.class::cast).toList();
        emitted.removeIf(BackupOverdue.class::isInstance);
        return out;
    }

    private void drainEmitted() {
        outcomesOut.readValuesToList().forEach(v -> emitted.add(Json.decode(v, BackupEvent.class)));
    }

    private BackupStatus status(String accountId) {
        status.readKeyValuesToList().forEach(kv -> latestStatus.put(kv.key, Json.decode(kv.value, BackupStatus.class)));
        return latestStatus.get(accountId);
    }
}
