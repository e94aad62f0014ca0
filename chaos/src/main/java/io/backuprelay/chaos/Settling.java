package io.backuprelay.chaos;

import io.backuprelay.chaos.Audit.Fate;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The end of a run: waiting, from outside, until every backup asked for has settled and been mailed. */
final class Settling {

    private Settling() {
    }

    /** Waits until every backup asked for has a final outcome (at most 15 minutes). */
    static Map<String, Fate> settle(Audit audit, Map<String, String> asked) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        Instant since = Instant.now();
        Map<String, Fate> fates;
        while (true) {
            fates = audit.fates(asked);
            long open = fates.values().stream().filter(f -> !f.settled()).count();
            if (open == 0 || System.nanoTime() > deadline) {
                System.out.printf("chaos: %d backups settled in %d s after the load (%d not)%n", fates.size() - open,
                        Duration.between(since, Instant.now()).toSeconds(), open);
                break;
            }
            Thread.sleep(3000);
        }
        // Then the emails: a mail server that refused for a while is retried with growing delays.
        fates = audit.fates(asked);
        Instant settled = Instant.now();
        long mailDeadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < mailDeadline) {
            Audit.Emails mailed = Audit.received(List.of());
            if (fates.values().stream().filter(Fate::settled).allMatch(mailed::mailedItsOutcome)) {
                break;
            }
            Thread.sleep(3000);
        }
        Audit.Emails mailed = Audit.received(List.of());
        System.out.printf("chaos: %d of %d settled backups mailed, %d s after they settled%n",
                fates.values().stream().filter(f -> f.settled() && mailed.mailedItsOutcome(f)).count(),
                fates.values().stream().filter(Fate::settled).count(), Duration.between(settled, Instant.now()).toSeconds());
        // The dump workers remove a superseded dump's files once the scheduler records its backup as
        // succeeded: wait for the scheduler to record each account's newest outcome (it records an
        // account's outcomes in order), then for any duplicate that would follow and the sweep (every
        // 30 s, of files 30 s old).
        Map<String, Fate> now = audit.fates(asked);
        Map<String, String> newest = new HashMap<>();
        now.values().stream().filter(Fate::settled)
                .sorted(Comparator.comparing((Fate f) -> f.last().occurredAt()))
                .forEach(f -> newest.put(f.account(), f.backupId()));
        Instant mailedAt = Instant.now();
        long statusDeadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        long recorded;
        while (true) {
            Map<String, Set<String>> byScheduler = audit.recordedByScheduler();
            recorded = newest.entrySet().stream()
                    .filter(e -> byScheduler.getOrDefault(e.getKey(), Set.of()).contains(e.getValue())).count();
            if (recorded == newest.size() || System.nanoTime() > statusDeadline) {
                break;
            }
            Thread.sleep(3000); // polled from outside, like the outcomes and emails above
        }
        System.out.printf("chaos: the scheduler recorded the newest outcome of %d of %d accounts, %d s after they were"
                + " mailed%n", recorded, newest.size(), Duration.between(mailedAt, Instant.now()).toSeconds());
        Thread.sleep(70_000);
        return audit.fates(asked);
    }
}
