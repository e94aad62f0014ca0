package io.backuprelay.scheduler;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.event.BackupEvent;

/** What reaches the schedule processor, from any of its input topics. */
sealed interface ScheduleInput {

    /** @param settings {@code null} when the settings were deleted */
    record SettingsChanged(BackupSettings settings) implements ScheduleInput {
    }

    /** @param enabled {@code null} when the connection was deleted */
    record ConnectionChanged(String connectionId, Boolean enabled) implements ScheduleInput {
    }

    record EventSeen(BackupEvent event) implements ScheduleInput {
    }
}
