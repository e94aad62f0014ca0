package io.backuprelay.chaos;

import io.backuprelay.chaos.Audit.Fate;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.CopyFailed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the audit found, judged: every kind of defect the harness looks for is a {@link Kind}, and
 * any finding of any kind makes the run fail. Pure: it reads the evidence the audit collected from
 * the topics, the container, the mail server, the databases and the machine, and nothing else.
 */
final class Verdict {

    enum Kind {
        /** A backup asked for has no final outcome. */
        LOST,
        /** Two final outcomes for one backup: two completions, two failures of one attempt, or a failure after a completion. */
        TWO_OUTCOMES,
        /** A completed backup's blob is not in storage. */
        BLOB_MISSING,
        /** A stored blob's bytes are not the SHA-256 its outcome reports, or no completed backup accounts for it. */
        CORRUPT,
        /** More than one blob for one backup. */
        TWO_BLOBS,
        /** A settled backup without the email of its own outcome. */
        NO_EMAIL,
        /** More duplicate emails than the kills after a send explain, beyond the allowed share. */
        DUPLICATE_EMAILS,
        /** A poison record on a job topic that never reached the dead-letter topic. */
        POISON_NOT_DEAD_LETTERED,
        /** A service process that ended without being killed by the harness. */
        SERVICE_EXITED,
        /** Two dump sessions at once on one account's database. */
        TWO_DUMPS_AT_ONCE,
        /** A file left in staging or in a credential directory, or a dump tool still running. */
        LEFTOVER,
        /** A restored backup that does not hold what its source held at a moment of the backup. */
        RESTORE_DIFFERS,
        /** Fewer restores than the sample asks for. */
        TOO_FEW_RESTORES,
        /** Fewer completed backups than the set share of those settled (always when none completed). */
        TOO_FEW_COMPLETED,
        /** A request the console refused that no fault and no rule explains. */
        UNEXPLAINED_REFUSAL,
        /** A completed backup without a verified copy at the copy destination: none stored, or not its bytes. */
        COPY_MISSING,
        /** A part of the harness itself that stopped working (a fault that could not be injected, a sampler that died). */
        HARNESS
    }

    record Finding(Kind kind, String detail) {
        @Override
        public String toString() {
            return kind + ": " + detail;
        }
    }

    /** A completed backup's blob, read back from storage: absent, or the SHA-256 of its bytes. */
    record Stored(String backupId, String blobName, boolean found, String sha256) {
    }

    /** A request to the console that was not accepted: when, and what it answered (or why it did not). */
    record Refusal(Instant at, int status, String answer) {
    }

    /** The limits of a run. */
    record Limits(double minCompletedShare, int minRestores, double restoreShare, double maxDuplicateEmailShare) {
        static final Limits DEFAULT = new Limits(0.9, 30, 0.10, 0.01);

        /** The restores a run with {@code completed} completed backups must compare: a share of them, at least a floor. */
        int restoresFor(long completed) {
            return (int) Math.min(completed, Math.max(minRestores, Math.ceil(completed * restoreShare)));
        }
    }

    /** Everything the audit collected. */
    record Evidence(Map<String, Fate> fates,
                    List<Stored> stored,
                    Audit.Blobs blobs,
                    List<Audit.Restore> restores,
                    Audit.Emails emails,
                    List<String> poisonOnJobTopics,
                    List<String> deadLetterKeys,
                    List<String> unexpectedExits,
                    Map<String, Integer> twoDumpsAtOnce,
                    List<String> leftovers,
                    List<Refusal> refusals,
                    List<FaultWindow> faults,
                    List<String> harnessProblems,
                    List<CopyAudit.Copy> copies) {
    }

    private final List<Finding> findings = new ArrayList<>();
    private final Limits limits;

    private Verdict(Limits limits) {
        this.limits = limits;
    }

    static Verdict judge(Evidence evidence, Limits limits) {
        Verdict verdict = new Verdict(limits);
        verdict.outcomes(evidence.fates());
        verdict.storage(evidence);
        verdict.copies(evidence.copies());
        verdict.restores(evidence);
        verdict.emails(evidence);
        evidence.poisonOnJobTopics().stream().filter(key -> !evidence.deadLetterKeys().contains(key))
                .forEach(key -> verdict.add(Kind.POISON_NOT_DEAD_LETTERED, key));
        evidence.unexpectedExits().forEach(exit -> verdict.add(Kind.SERVICE_EXITED, exit));
        evidence.twoDumpsAtOnce().forEach((database, samples) ->
                verdict.add(Kind.TWO_DUMPS_AT_ONCE, database + " in " + samples + " sample(s)"));
        evidence.leftovers().forEach(left -> verdict.add(Kind.LEFTOVER, left));
        evidence.refusals().stream().filter(r -> explain(r, evidence.faults()) == null)
                .forEach(r -> verdict.add(Kind.UNEXPLAINED_REFUSAL, r.at() + " " + r.status() + " " + r.answer()));
        evidence.harnessProblems().forEach(problem -> verdict.add(Kind.HARNESS, problem));
        return verdict;
    }

    private void outcomes(Map<String, Fate> fates) {
        long settled = 0;
        long completed = 0;
        for (Fate fate : fates.values()) {
            if (!fate.settled()) {
                add(Kind.LOST, fate.backupId() + " of " + fate.account() + " (" + fate.outcomes().size() + " outcome(s), "
                        + fate.attempts() + " attempt(s))");
                continue;
            }
            settled++;
            if (fate.duplicated()) {
                add(Kind.TWO_OUTCOMES, fate.backupId() + ": " + types(fate));
            } else if (fate.failedAfterCompleting()) {
                add(Kind.TWO_OUTCOMES, fate.backupId() + " failed after it completed: " + types(fate));
            }
            if (fate.last() instanceof BackupCompleted) {
                completed++;
            }
        }
        if (completed == 0) {
            add(Kind.TOO_FEW_COMPLETED, "no backup completed (" + fates.size() + " asked for, " + settled + " settled)");
        } else if (completed < limits.minCompletedShare() * settled) {
            add(Kind.TOO_FEW_COMPLETED, completed + " of " + settled + " settled backups completed, fewer than "
                    + Math.round(limits.minCompletedShare() * 100) + " %");
        }
    }

    private static String types(Fate fate) {
        return fate.outcomes().stream().map(o -> o instanceof BackupFailed f ? "failed(attempt " + f.attempt() + ")" : "completed")
                .toList().toString();
    }

    private void storage(Evidence evidence) {
        Map<String, Fate> fates = evidence.fates();
        for (Stored stored : evidence.stored()) {
            Fate fate = fates.get(stored.backupId());
            String expected = fate == null ? null : fate.completion().map(BackupCompleted::sha256).orElse(null);
            if (!stored.found()) {
                add(Kind.BLOB_MISSING, stored.backupId() + ": " + stored.blobName());
            } else if (!stored.sha256().equals(expected)) {
                add(Kind.CORRUPT, stored.backupId() + ": " + stored.blobName() + " holds SHA-256 " + stored.sha256()
                        + ", its outcome says " + expected);
            }
        }
        evidence.blobs().strays().forEach(stray -> add(Kind.CORRUPT, "a blob no completed backup accounts for: " + stray));
        evidence.blobs().perBackup().forEach((backupId, n) -> {
            if (n > 1) {
                add(Kind.TWO_BLOBS, backupId + ": " + n + " blobs");
            }
        });
    }

    private void copies(List<CopyAudit.Copy> copies) {
        for (CopyAudit.Copy copy : copies) {
            if (copy.outcome() == null) {
                add(Kind.COPY_MISSING, copy.backupId() + ": no copy outcome");
            } else if (copy.outcome() instanceof CopyFailed failed) {
                add(Kind.COPY_MISSING, copy.backupId() + ": given up after " + failed.attempt() + " attempt(s): "
                        + failed.reason());
            } else if (!copy.found()) {
                add(Kind.COPY_MISSING, copy.backupId() + ": its CopyStored names an object that is not there");
            } else if (!copy.sha256().equals(copy.expected())) {
                add(Kind.COPY_MISSING, copy.backupId() + ": the copy holds SHA-256 " + copy.sha256() + ", the backup "
                        + copy.expected());
            }
        }
    }

    private void restores(Evidence evidence) {
        long completed = evidence.fates().values().stream().filter(f -> f.settled() && f.last() instanceof BackupCompleted)
                .count();
        int wanted = limits.restoresFor(completed);
        if (evidence.restores().size() < wanted) {
            add(Kind.TOO_FEW_RESTORES, evidence.restores().size() + " restored, " + wanted + " wanted (" + completed
                    + " completed)");
        }
        evidence.restores().stream().filter(r -> !r.equal())
                .forEach(r -> add(Kind.RESTORE_DIFFERS, r.backupId() + " (" + r.engine() + "): " + r.detail()));
    }

    private void emails(Evidence evidence) {
        Audit.Emails emails = evidence.emails();
        for (Fate fate : evidence.fates().values()) {
            if (!fate.settled()) {
                continue;
            }
            if (!emails.mailedItsOutcome(fate)) {
                add(Kind.NO_EMAIL, fate.backupId() + " " + Audit.Emails.kindOf(fate) + ", mailed: "
                        + emails.kinds().getOrDefault(fate.backupId(), Set.of()));
            }
        }
        List<DuplicateCause> causes = causes(emails, evidence.faults());
        List<String> avoidable = new ArrayList<>();
        for (int i = 0; i < causes.size(); i++) {
            if (!causes.get(i).protocol()) {
                avoidable.add(emails.duplicated().get(i).messageId() + " (" + causes.get(i).name() + ")");
            }
        }
        if (avoidable.size() > limits.maxDuplicateEmailShare() * Math.max(1, emails.messages())) {
            add(Kind.DUPLICATE_EMAILS, emails.duplicates() + " duplicates in " + emails.messages() + " emails, "
                    + avoidable.size() + " of them not where SMTP leaves the client in doubt: "
                    + avoidable.stream().limit(5).toList());
        }
    }

    /**
     * The cause of each duplicate, in the order of {@link Audit.Emails#duplicated()}. A lost answer
     * explains one copy of its message: a message sent again twice after one lost answer has one
     * duplicate left to explain.
     */
    static List<DuplicateCause> causes(Audit.Emails emails, List<FaultWindow> faults) {
        Map<String, Integer> lost = new HashMap<>();
        emails.answersLost().forEach(id -> lost.merge(id, 1, Integer::sum));
        List<DuplicateCause> causes = new ArrayList<>();
        for (Audit.Duplicate duplicate : emails.duplicated()) {
            if (lost.getOrDefault(duplicate.messageId(), 0) > 0) {
                lost.merge(duplicate.messageId(), -1, Integer::sum);
                causes.add(new DuplicateCause(ANSWER_LOST, true));
            } else {
                causes.add(explainDuplicate(duplicate, faults));
            }
        }
        return causes;
    }

    /**
     * Why a message reached the mail server twice.
     *
     * @param name     what happened, for the report
     * @param protocol whether it is a duplicate no client can prevent: the server had the message and
     *                 the notifier could not know (its answer never arrived, or the notifier died
     *                 between the answer and its record)
     */
    record DuplicateCause(String name, boolean protocol) {
    }

    static final String ANSWER_LOST = "the server's answer to the end of the data was held back and lost";
    static final String KILLED_AFTER_ANSWER = "notifier killed between the server's answer and its record";

    /**
     * What made the notifier send a message again, when no lost answer explains it. Where SMTP
     * leaves the client in doubt: the notifier was killed just after the first copy arrived (at the
     * fault point after a send, within 5 s; otherwise within 1 s). Anything else is a duplicate the notifier could have
     * avoided, named by a fault of the mail's path between the copies (the broker down or frozen),
     * or "unexplained".
     */
    private static DuplicateCause explainDuplicate(Audit.Duplicate duplicate, List<FaultWindow> faults) {
        // The fault point after a send kills between the answer and the record by definition (its
        // window opens when the watchdog sees the exit, within seconds); a plain SIGKILL is counted
        // only within a second of the first copy, the span a record takes to be written.
        boolean killedRightAfter = faults.stream().anyMatch(f ->
                f.kind().startsWith("fault point notify.mail-sent") && within(f.start(), duplicate.first(), 5)
                || f.kind().equals("kill notifier") && within(f.start(), duplicate.first(), 1));
        if (killedRightAfter) {
            return new DuplicateCause(KILLED_AFTER_ANSWER, true);
        }
        return faults.stream()
                .filter(f -> f.kind().contains("notifier") || f.kind().contains("broker") || f.kind().startsWith("smtp"))
                .filter(f -> f.overlaps(duplicate.first().minusSeconds(2), duplicate.again()))
                .map(f -> new DuplicateCause("during " + f.kind().replaceAll(" (notifier|broker)(-\\d)?$", " $1"), false))
                .findFirst().orElse(new DuplicateCause("unexplained", false));
    }

    private static boolean within(Instant instant, Instant from, long seconds) {
        return !instant.isBefore(from) && !instant.isAfter(from.plusSeconds(seconds));
    }

    /**
     * Why the console refused a request: a backup of that account already running (409), or a
     * fault active within 15 s of it (the console killed, the broker down or frozen). Null: unexplained.
     */
    static String explain(Refusal refusal, List<FaultWindow> faults) {
        if (refusal.status() == 409) {
            return "a backup of the account was already running";
        }
        return faults.stream().filter(f -> f.overlaps(refusal.at().minusSeconds(15), refusal.at().plusSeconds(15)))
                .map(FaultWindow::kind).findFirst().map(kind -> "during " + kind).orElse(null);
    }

    private void add(Kind kind, String detail) {
        findings.add(new Finding(kind, detail));
    }

    List<Finding> findings() {
        return List.copyOf(findings);
    }

    /** How many findings of each kind (every kind listed, zero or not). */
    Map<Kind, Integer> counts() {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            counts.put(kind, 0);
        }
        findings.forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
        return counts;
    }

    /** 0 only when nothing at all was found. */
    int exitCode() {
        return findings.isEmpty() ? 0 : 1;
    }
}
