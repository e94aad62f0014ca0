package io.backuprelay.notify.sent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the notifier already mailed, as recorded on {@code backup.notifications} (each email under
 * {@code mail/<Message-ID>} as soon as it went out, each event once all its emails did), and for how long
 * that is kept. An event older than the horizon is not mailed (again), and its records are
 * forgotten a day later: the notifier holds the records of one horizon in memory, not those of
 * every backup it ever mailed.
 */
public final class SentRecords {

    private static final Logger log = LoggerFactory.getLogger(SentRecords.class);
    /** Records go a day after the horizon, so a job that checked the horizon just before still finds them. */
    static final Duration MARGIN = Duration.ofDays(1);
    private static final String MAIL = "mail/";
    private static final int UNRECORDED_KEPT = 1_000;

    private final Function<String, Optional<SentNotification>> lookup;
    private final SentLog sentLog;
    private final Duration horizon;
    private final Clock clock;
    /** Emails whose record could not be written (the broker was away): a retry in this process skips them. */
    private final Set<String> unrecorded = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > UNRECORDED_KEPT;
                }
            }));

    /**
     * @param lookup  the record under a key of {@code backup.notifications}, after catching up with the topic
     * @param horizon how old an event may be and still be mailed
     */
    public SentRecords(Function<String, Optional<SentNotification>> lookup, SentLog sentLog, Duration horizon,
                       Clock clock) {
        this.lookup = lookup;
        this.sentLog = sentLog;
        this.horizon = horizon;
        this.clock = clock;
    }

    public Duration horizon() {
        return horizon;
    }

    /** Whether an event that happened then is too old to be mailed: its record may be gone already. */
    public boolean pastHorizon(Instant occurredAt) {
        return occurredAt.isBefore(clock.instant().minus(horizon));
    }

    /** The record of an event's emails: under its backupId, {@code overdue/…} or {@code drill/…}. */
    public Optional<SentNotification> find(String key) {
        return lookup.apply(key);
    }

    /** Whether the email with this Message-ID went out already, sent by any notifier. */
    public boolean mailed(String messageId) {
        return unrecorded.contains(messageId) || lookup.apply(MAIL + messageId).isPresent();
    }

    /**
     * Records an email as soon as the mail server accepted it, before anything else is done: a
     * retry, in this process or after a restart or a move of the partition to another notifier,
     * then does not send it again. The event's own record follows with the job. When this record
     * cannot be written, this process still remembers it.
     */
    public void accepted(SentNotification mail) throws InterruptedException {
        try {
            sentLog.record(MAIL + mail.messageId(), mail);
        } catch (InterruptedException e) {
            unrecorded.add(mail.messageId());
            throw e;
        } catch (Exception e) {
            unrecorded.add(mail.messageId());
            log.warn("Could not record that {} was sent ({}); only this notifier knows it until the job commits",
                    mail.messageId(), e.toString());
        }
    }

    /**
     * Forgets, with a tombstone each, the records whose event is older than the horizon and a day.
     *
     * @param records every record as the notifier holds it now
     * @return how many it forgot
     */
    public int forgetExpired(Map<String, SentNotification> records) {
        Instant before = clock.instant().minus(horizon).minus(MARGIN);
        int forgotten = 0;
        for (var record : records.entrySet()) {
            if (record.getValue().occurredAt().isBefore(before)) {
                sentLog.forget(record.getKey());
                forgotten++;
            }
        }
        if (forgotten > 0) {
            log.info("Forgot {} sent-mail record(s) of events before {}, past the {} horizon", forgotten, before, horizon);
        }
        return forgotten;
    }
}
