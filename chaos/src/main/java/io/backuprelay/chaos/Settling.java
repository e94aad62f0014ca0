package io.backuprelay.chaos;

import io.backuprelay.chaos.Audit.Fate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

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
            Audit.Emails mailed = Audit.emails(java.util.Set.of());
            if (fates.values().stream().filter(Fate::settled).allMatch(mailed::mailedItsOutcome)) {
                break;
            }
            Thread.sleep(3000);
        }
        Audit.Emails mailed = Audit.emails(java.util.Set.of());
        System.out.printf("chaos: %d of %d settled backups mailed, %d s after they settled%n",
                fates.values().stream().filter(f -> f.settled() && mailed.mailedItsOutcome(f)).count(),
                fates.values().stream().filter(Fate::settled).count(), Duration.between(settled, Instant.now()).toSeconds());
        // Any duplicate that would follow; and the dump workers' sweep (every 30 s, of files 30 s old) of
        // archives a killed worker left behind a backup that succeeded with another dump.
        Thread.sleep(70_000);
        return audit.fates(asked);
    }
}
