package io.backuprelay.chaos;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.chaos.Audit.Fate;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyOutcome;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The copies, audited as the backups are: every completed backup must have a copy at the copy destination, stored
 * (a {@code CopyStored}, never a given-up {@code CopyFailed}) and read back whole from there with the backup's
 * SHA-256, whatever kind of store the copy destination is.
 */
final class CopyAudit {

    /**
     * One completed backup's copy.
     *
     * @param outcome  its last final copy outcome, or null when none arrived
     * @param found    whether the copy's object is at the copy destination
     * @param sha256   the SHA-256 of the object's bytes as read back; null when not found
     * @param expected the backup's SHA-256, from its {@code BackupCompleted}
     */
    record Copy(String backupId, CopyOutcome outcome, boolean found, String sha256, String expected) {
    }

    private CopyAudit() {
    }

    /** The final copy outcome of each backup (a stored copy wins over any failure of another try). */
    static Map<String, CopyOutcome> outcomes(Audit audit, Topics topics) {
        Map<String, CopyOutcome> finals = new HashMap<>();
        audit.read(topics.outcomes(), (key, value) -> {
            BackupEvent event = decode(value);
            if (event instanceof CopyStored stored) {
                finals.put(stored.backupId(), stored);
            } else if (event instanceof CopyFailed failed && !failed.willRetry()) {
                finals.merge(failed.backupId(), failed, (known, late) -> known instanceof CopyStored ? known : late);
            }
        });
        return finals;
    }

    /** Waits until every completed backup has a final copy outcome, at most {@code patience}. */
    static Map<String, CopyOutcome> settle(Audit audit, Topics topics, Map<String, Fate> fates, Duration patience)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        Map<String, CopyOutcome> finals = outcomes(audit, topics);
        while (completed(fates).stream().anyMatch(c -> !finals.containsKey(c.backupId())) && System.nanoTime() < deadline) {
            Thread.sleep(3000); // polled from outside, like the outcomes in Settling: the audit reads only the topics
            finals.putAll(outcomes(audit, topics));
        }
        long copied = completed(fates).stream().filter(c -> finals.get(c.backupId()) instanceof CopyStored).count();
        System.out.printf("chaos: %d of %d completed backups copied to the copy destination%n", copied,
                completed(fates).size());
        return finals;
    }

    /** Each completed backup's copy, read back from the copy destination. */
    static List<Copy> check(BlobStore copies, Map<String, Fate> fates, Map<String, CopyOutcome> finals) throws Exception {
        List<Copy> checked = new ArrayList<>();
        for (BackupCompleted done : completed(fates)) {
            CopyOutcome outcome = finals.get(done.backupId());
            if (!(outcome instanceof CopyStored stored)) {
                checked.add(new Copy(done.backupId(), outcome, false, null, done.sha256()));
                continue;
            }
            String name = stored.location().blobName();
            boolean found = copies.find(name).isPresent();
            checked.add(new Copy(done.backupId(), outcome, found, found ? copies.readBack(name).sha256() : null, done.sha256()));
        }
        return checked;
    }

    private static List<BackupCompleted> completed(Map<String, Fate> fates) {
        return fates.values().stream().filter(Fate::settled).flatMap(f -> f.completion().stream()).toList();
    }

    private static BackupEvent decode(byte[] value) {
        try {
            return value == null ? null : Json.decode(value, BackupEvent.class);
        } catch (RuntimeException poisonOrOtherType) {
            return null;
        }
    }
}
