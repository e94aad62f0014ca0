package io.backuprelay.console.activity;

import io.backuprelay.common.activity.ActivityEntry;
import java.util.List;

/**
 * One page of the activity log, newest first.
 *
 * @param next the cursor of the next (older) page, to give as {@code before}; {@code null} when there is none
 */
public record ActivityPage(List<ActivityEntry> entries, String next) {

    public ActivityPage {
        entries = List.copyOf(entries);
    }

    /** The first {@code limit} of {@code found} (newest first), with a cursor when it found more. */
    static ActivityPage of(List<ActivityEntry> found, int limit) {
        if (found.size() <= limit) {
            return new ActivityPage(found, null);
        }
        List<ActivityEntry> shown = found.subList(0, limit);
        return new ActivityPage(shown, shown.getLast().entryId());
    }
}
