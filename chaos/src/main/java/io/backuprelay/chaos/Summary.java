package io.backuprelay.chaos;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backuprelay.chaos.Audit.Fate;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.testkit.FaultProxy;
import io.backuprelay.testkit.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report of a run, twice: tables for a person (Markdown) and the same figures as JSON, so that
 * a run's numbers can be kept beside the documentation that quotes them and checked against it.
 */
final class Summary {

    private final StringBuilder markdown = new StringBuilder();
    private final ObjectNode json = Json.mapper().createObjectNode();

    Summary(long seed, int minutes, int accounts, Map<String, String> options) {
        json.put("seed", seed).put("minutes", minutes).put("accounts", accounts).put("endedAt", Instant.now().toString());
        ObjectNode given = json.putObject("options");
        new TreeMap<>(options).forEach(given::put);
        markdown.append("chaos run: seed ").append(seed).append(", ").append(minutes).append(" min, ").append(accounts)
                .append(" accounts, options ").append(new TreeMap<>(options)).append("\n\n");
    }

    void outcomes(Map<String, Fate> fates, Verdict.Evidence evidence, int dumpSamples) {
        long settled = fates.values().stream().filter(Fate::settled).count();
        long completed = fates.values().stream().filter(f -> f.settled() && f.last() instanceof BackupCompleted).count();
        long scheduled = fates.values().stream().filter(f -> f.completion().map(c -> c.trigger() == Trigger.SCHEDULED)
                .orElse(f.backupId().contains("scheduled"))).count();
        long storedWithSha = evidence.stored().stream().filter(s -> s.found()
                && s.sha256().equals(fates.get(s.backupId()).completion().orElseThrow().sha256())).count();
        List<Audit.Restore> restores = evidence.restores();
        long restoredEqual = restores.stream().filter(Audit.Restore::equal).count();
        long restoredDuringFault = restores.stream().filter(Audit.Restore::duringFault).count();
        int blobs = evidence.blobs().perBackup().values().stream().mapToInt(Integer::intValue).sum();
        Audit.Emails emails = evidence.emails();
        List<Verdict.DuplicateCause> causes = Verdict.causes(emails, evidence.faults());
        long inherent = causes.stream().filter(Verdict.DuplicateCause::protocol).count();
        int poisonDead = (int) evidence.poisonOnJobTopics().stream().filter(evidence.deadLetterKeys()::contains).count();
        ObjectNode figures = json.putObject("backups");
        figures.put("askedFor", fates.size()).put("scheduled", scheduled).put("settled", settled).put("completed", completed)
                .put("failed", settled - completed).put("blobs", blobs)
                .put("completedFoundInStorageWithTheirSha256", storedWithSha).put("restored", restores.size())
                .put("restoredEqual", restoredEqual).put("restoredTakenDuringAFault", restoredDuringFault)
                .put("emails", emails.messages()).put("duplicateEmails", emails.duplicates())
                .put("duplicateEmailsWhereSmtpLeavesTheClientInDoubt", inherent)
                .put("answersHeldBackAndLost", emails.answersLost().size())
                .put("poisonOnJobTopics", evidence.poisonOnJobTopics().size()).put("poisonDeadLettered", poisonDead)
                .put("samplesWithADump", dumpSamples);
        row("| measure | value |");
        row("|---|---|");
        row("| backups asked for (manual + scheduled) | %d (%d + %d) |", fates.size(), fates.size() - scheduled, scheduled);
        row("| settled: completed / failed with a reason | %d: %d / %d |", settled, completed, settled - completed);
        row("| completed backups read back from storage with their SHA-256 | %d of %d |", storedWithSha, completed);
        row("| blobs in the container | %d |", blobs);
        row("| restored and compared in full with the writer's log (equal / restored / taken during a fault) | %d / %d / %d |",
                restoredEqual, restores.size(), restoredDuringFault);
        row("| emails / duplicates (same Message-ID again) / of those, where SMTP leaves the client in doubt | %d / %d (%.2f %%) / %d |",
                emails.messages(), emails.duplicates(), 100.0 * emails.duplicates() / Math.max(1, emails.messages()),
                inherent);
        row("| end-of-data answers held back by the mail proxy that never reached the notifier | %d |",
                emails.answersLost().size());
        Map<String, Integer> byName = new TreeMap<>();
        causes.forEach(cause -> byName.merge(cause.name(), 1, Integer::sum));
        ObjectNode byCause = json.putObject("duplicateEmailsByCause");
        byName.forEach(byCause::put);
        byName.forEach((cause, n) -> row("| duplicate emails: %s | %d |", cause, n));
        row("| poison records on job topics dead-lettered | %d of %d |", poisonDead, evidence.poisonOnJobTopics().size());
        row("| samples of pg_stat_activity with a dump running | %d |", dumpSamples);
        Map<String, Integer> reasons = new TreeMap<>();
        fates.values().stream().filter(Fate::settled).filter(f -> f.last() instanceof BackupFailed).map(f -> (BackupFailed) f.last())
                .forEach(f -> reasons.merge(abbreviate(f.stage() + ": " + f.reason()), 1, Integer::sum));
        ObjectNode failures = json.putObject("failureReasons");
        reasons.forEach(failures::put);
        reasons.forEach((reason, n) -> row("\nfailed (%d): %s", n, reason));
    }

    void faults(Map<String, Integer> injected, FaultProxy storage, TcpProxy smtp, Map<String, Integer> poison,
                Map<String, List<Duration>> recoveries) {
        ObjectNode node = json.putObject("faults");
        row("\n| fault | injected |");
        row("|---|---|");
        injected.forEach((kind, n) -> {
            node.put(kind, n);
            row("| %s | %d |", kind, n);
        });
        storage.injected().forEach((kind, n) -> {
            node.put("storage request: " + kind, n);
            row("| storage request: %s | %d |", kind, n);
        });
        node.put("storage requests forwarded", storage.forwardedRequests()).put("storage requests faulted",
                storage.faultedRequests()).put("mail connections", smtp.connections()).put("mail answers held back", smtp.slowed());
        row("| storage requests forwarded / faulted | %d / %d |", storage.forwardedRequests(), storage.faultedRequests());
        row("| mail connections / answers to a message held back | %d / %d |", smtp.connections(), smtp.slowed());
        poison.forEach((kind, n) -> {
            node.put("poison: " + kind, n);
            row("| poison: %s | %d |", kind, n);
        });
        ObjectNode recovered = json.putObject("recoveriesSeconds");
        row("\n| recovery | count | p50 | p95 | max |");
        row("|---|---|---|---|---|");
        new TreeMap<>(recoveries).forEach((kind, list) -> {
            List<Long> ms = list.stream().map(Duration::toMillis).sorted().toList();
            double p50 = ms.get(ms.size() / 2) / 1000.0;
            double p95 = ms.get((int) Math.min(ms.size() - 1, Math.ceil(ms.size() * 0.95) - 1)) / 1000.0;
            double max = ms.getLast() / 1000.0;
            recovered.putObject(kind).put("count", ms.size()).put("p50", p50).put("p95", p95).put("max", max);
            row("| %s | %d | %.1f s | %.1f s | %.1f s |", kind, ms.size(), p50, p95, max);
        });
    }

    void refusals(List<Verdict.Refusal> refusals, List<FaultWindow> faults) {
        Map<String, Integer> why = new TreeMap<>();
        refusals.forEach(r -> why.merge(String.valueOf(Verdict.explain(r, faults)), 1, Integer::sum));
        ObjectNode node = json.putObject("refusedRequests");
        why.forEach(node::put);
        row("\n| requests the console refused or did not answer, by explanation | count |");
        row("|---|---|");
        why.forEach((reason, n) -> row("| %s | %d |", reason.equals("null") ? "**unexplained**" : reason, n));
    }

    void verdict(Verdict verdict) {
        ObjectNode node = json.putObject("findings");
        verdict.counts().forEach((kind, n) -> node.put(kind.name(), n));
        json.put("exitCode", verdict.exitCode());
        row("\n| finding | count |");
        row("|---|---|");
        verdict.counts().forEach((kind, n) -> row("| %s | %s |", kind, n == 0 ? "0" : "**" + n + "**"));
        verdict.findings().stream().limit(60).forEach(f -> row("finding: %s", f));
        if (verdict.findings().size() > 60) {
            row("… and %d more findings", verdict.findings().size() - 60);
        }
        row("\nverdict: %s (exit code %d)", verdict.exitCode() == 0 ? "nothing found" : verdict.findings().size()
                + " finding(s)", verdict.exitCode());
    }

    String markdown() {
        return markdown.toString();
    }

    void write(Path markdownFile, Path jsonFile) throws Exception {
        Files.writeString(markdownFile, markdown, StandardCharsets.UTF_8);
        Files.write(jsonFile, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
    }

    private void row(String format, Object... args) {
        markdown.append(String.format(format, args)).append('\n');
    }

    private static String abbreviate(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "…";
    }
}
