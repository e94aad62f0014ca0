package io.backuprelay.console.activity;

import io.backuprelay.common.activity.ActivityAction;
import io.backuprelay.common.activity.ActivityEntry;
import io.backuprelay.common.activity.ActivityEntry.Change;
import io.backuprelay.common.activity.ActivityIds;
import io.backuprelay.common.kafka.WaitingReads;
import io.backuprelay.console.auth.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each account's activity log: who did what to it, and when ({@code backup.activity}).
 *
 * <p>An action is recorded once it has been checked and before it takes effect or its answer is
 * given ({@link #record}): a log that cannot be written stops the action with a 503
 * ({@link NotRecordedException}), so nothing is done, and no download link or test result given,
 * that the log does not have. The other way round is possible: when the action's own write fails
 * after its entry was written, the log holds an entry for an action the caller was told failed.
 *
 * <p>A read first catches up with the topic ({@link ActivityReader#catchUp}), so it sees what was
 * written before it by this console or another. A read that waits for that holds a request thread:
 * {@value #WAITING_PER_ACCOUNT} of one account (or of the operators) and {@value #WAITING_IN_ALL} in
 * all may wait at a time; one more is refused at once (503).
 */
public final class ActivityLog {

    private static final Logger log = LoggerFactory.getLogger(ActivityLog.class);

    /** Changes with nothing changed are not recorded: a save that changed nothing did nothing. */
    private static final Set<ActivityAction> CHANGES = EnumSet.of(ActivityAction.SETTINGS_CHANGED,
            ActivityAction.CONNECTION_CHANGED, ActivityAction.CHANNEL_CHANGED, ActivityAction.ACCOUNT_CHANGED);

    /** Writes one entry to the topic, keyed by its account, and returns once the cluster has it; throws when it cannot. */
    @FunctionalInterface
    public interface Writer {
        void write(ActivityEntry entry);
    }

    /** The log could not be written: the action it was for is not done. */
    public static final class NotRecordedException extends RuntimeException {
        NotRecordedException(Throwable cause) {
            super("The activity log cannot be written right now, so this was not done; try again in a moment", cause);
        }
    }

    /** Reads of one account's log (or of the operators') that may wait for the topic at once. */
    static final int WAITING_PER_ACCOUNT = 2;
    /** Reads that may wait for the topic at once, in all. */
    static final int WAITING_IN_ALL = 8;
    private static final String OPERATORS = "";

    private final ActivityReader reader;
    private final Writer writer;
    private final Clock clock;
    private final WaitingReads waiting = new WaitingReads(WAITING_PER_ACCOUNT, WAITING_IN_ALL,
            "Too many reads of this activity log are waiting", "Too many reads of the activity log are waiting");

    public ActivityLog(ActivityReader reader, Writer writer, Clock clock) {
        this.reader = reader;
        this.writer = writer;
        this.clock = clock;
    }

    /** {@link #record(Principal, String, ActivityAction, String, List, Map)} with no details. */
    public ActivityEntry record(Principal who, String accountId, ActivityAction action, String target,
                                List<Change> changes) {
        return record(who, accountId, action, target, changes, Map.of());
    }

    /**
     * Records that {@code who} did {@code action} to the account, and returns once the cluster has
     * it. Call it after the action was checked and before it takes effect (or, for a test, before
     * its result is answered).
     *
     * @param target  what it was done to (a connection, backup or channel id); {@code null} for the account itself
     * @param changes what changed ({@code Changes.between(before, after)}); a change action with none is not recorded
     * @param details what else says what happened; never a secret
     * @return the entry written, or {@code null} when a change changed nothing
     * @throws NotRecordedException when the log cannot be written: the caller answers 503 and does nothing
     */
    public ActivityEntry record(Principal who, String accountId, ActivityAction action, String target,
                                List<Change> changes, Map<String, String> details) {
        if (CHANGES.contains(action) && changes.isEmpty()) {
            return null;
        }
        Instant at = clock.instant();
        ActivityEntry entry = new ActivityEntry(ActivityEntry.VERSION, ActivityIds.next(at), accountId, at,
                new ActivityEntry.Actor(who.subject(), who.email(), who.role().claim()), action, target, changes,
                details);
        try {
            writer.write(entry);
        } catch (RuntimeException e) {
            log.warn("Could not record {} on account {}: {}", action, accountId, e.getMessage());
            throw new NotRecordedException(e);
        }
        return entry;
    }

    /** The account's entries, newest first, older than the cursor {@code before} ({@code null}: from the newest). */
    public ActivityPage page(String accountId, String before, int limit) {
        catchUp(accountId);
        return reader.page(accountId, before, limit);
    }

    /** Every account's entries (or one account's, when {@code accountId} is given), newest first. */
    public ActivityPage all(String accountId, String before, int limit) {
        catchUp(OPERATORS);
        return accountId == null ? reader.all(before, limit) : reader.page(accountId, before, limit);
    }

    /** Catches up with the topic, unless too many reads of this account, or in all, wait already. */
    private void catchUp(String reads) {
        waiting.await(reads, reader::catchUp);
    }

    /** How many reads of the account's log wait for the topic now. */
    int waitingReads(String accountId) {
        return waiting.waiting(accountId);
    }
}
