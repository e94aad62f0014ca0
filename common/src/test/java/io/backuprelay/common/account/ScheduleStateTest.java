package io.backuprelay.common.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.Trigger;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one rule of where an account stands, for the scheduler's status and the page before it has one. */
class ScheduleStateTest {

    @Test
    void aRunningBackupWinsThenPausedAutomaticBackupsThenTheFirstSuccess() {
        assertThat(ScheduleState.of(true, false, false)).isEqualTo(ScheduleState.RUNNING);
        assertThat(ScheduleState.of(true, true, true)).isEqualTo(ScheduleState.RUNNING);
        assertThat(ScheduleState.of(false, false, true)).isEqualTo(ScheduleState.MANUAL_ONLY);
        assertThat(ScheduleState.of(false, true, false)).isEqualTo(ScheduleState.AWAITING_FIRST_MANUAL_BACKUP);
        assertThat(ScheduleState.of(false, true, true)).isEqualTo(ScheduleState.SCHEDULED);
    }

    @Test
    void anAccountTheSchedulerHasNotSeenAwaitsItsFirstManualBackupOnlyWithAnAutomaticType() {
        assertThat(BackupStatus.unseen("Café \"Nord\"", BackupType.EVERY_7_DAYS).state())
                .isEqualTo(ScheduleState.AWAITING_FIRST_MANUAL_BACKUP);
        assertThat(BackupStatus.unseen("Café \"Nord\"", BackupType.MANUAL).state()).isEqualTo(ScheduleState.MANUAL_ONLY);
    }

    @Test
    void aRequestedBackupTheSchedulerDoesNotShowYetRuns() {
        BackupStatus.InFlight requested = new BackupStatus.InFlight("b-1", Trigger.MANUAL,
                Instant.parse("2026-03-01T10:00:00Z"), 1);
        BackupStatus running = BackupStatus.unseen("Café \"Nord\"", BackupType.MANUAL).withRequested(requested);

        assertThat(running.state()).isEqualTo(ScheduleState.RUNNING);
        assertThat(running.inFlight()).isEqualTo(requested);
    }
}
