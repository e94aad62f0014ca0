package io.backuprelay.scheduler.schedule;

import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;

/** What the scheduler does when an account's wake-up time has come. */
public sealed interface Wake {

    AccountSchedule next();

    /** Nothing is due after all (the schedule changed since it was indexed). */
    record Nothing(AccountSchedule next) implements Wake {
    }

    /** An automatic backup is due: publish the request. */
    record Request(BackupRequested request, AccountSchedule next) implements Wake {
    }

    /** The running backup has had no outcome for too long: declare it failed. */
    record TimedOut(BackupFailed failure, AccountSchedule next) implements Wake {
    }
}
