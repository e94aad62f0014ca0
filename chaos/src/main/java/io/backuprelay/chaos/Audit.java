package io.backuprelay.chaos;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.database.DatabaseTarget;
import io.backuprelay.database.Restorer;
import io.backuprelay.format.reader.ArchiveStream;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.blob.BlobMetadata;
import io.backuprelay.format.manifest.BackupManifest;
import io.backuprelay.format.manifest.ManifestNames;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What became of the backups, found from outside the services: the topics, the container, the mail
 * server, the databases, the staging directory and the process table.
 */
final class Audit {

    /** A source database of an account and its writer, to restore a backup of it and compare. */
    record Source(String account, SourceWriter writer) {
        ScratchDatabase database() {
            return writer.database();
        }
    }

    /** What one backup became. */
    record Fate(String backupId, String account, int attempts, List<BackupEvent> outcomes) {

        BackupEvent last() {
            return outcomes.getLast();
        }

        /** The last attempt asked for has an outcome (a failure of an earlier attempt is not the end). */
        boolean settled() {
            if (outcomes.isEmpty()) {
                return false;
            }
            return last() instanceof BackupCompleted || (last() instanceof BackupFailed failed && failed.attempt() >= attempts);
        }

        Optional<BackupCompleted> completion() {
            return outcomes.stream().filter(BackupCompleted.class::isInstance).map(BackupCompleted.class::cast).findFirst();
        }

        /** A failure reported after a completion: the backup is stored, yet someone was told it failed. */
        boolean failedAfterCompleting() {
            boolean completed = false;
            for (BackupEvent outcome : outcomes) {
                if (outcome instanceof BackupCompleted) {
                    completed = true;
                } else if (completed && outcome instanceof BackupFailed) {
                    return true;
                }
            }
            return false;
        }

        boolean duplicated() {
            long completions = outcomes.stream().filter(BackupCompleted.class::isInstance).count();
            Map<Integer, Long> failuresPerAttempt = new HashMap<>();
            outcomes.stream().filter(BackupFailed.class::isInstance).map(BackupFailed.class::cast)
                    .forEach(f -> failuresPerAttempt.merge(f.attempt(), 1L, Long::sum));
            return completions > 1 || failuresPerAttempt.values().stream().anyMatch(n -> n > 1);
        }
    }

    private final KafkaSettings kafka;

    Audit(KafkaSettings kafka) {
        this.kafka = kafka;
    }

    /** Every backup asked for, by the console or the scheduler, with its outcomes in order. */
    Map<String, Fate> fates(Map<String, String> askedThroughTheConsole) {
        Map<String, String> accounts = new LinkedHashMap<>(askedThroughTheConsole);
        Map<String, Integer> attempts = new HashMap<>();
        askedThroughTheConsole.keySet().forEach(id -> attempts.put(id, 1));
        read(kafka.topics().requests(), (key, value) -> {
            if (decode(value) instanceof BackupRequested request) {
                accounts.putIfAbsent(request.backupId(), request.accountId());
                attempts.merge(request.backupId(), request.attempt(), Math::max);
            }
        });
        Map<String, List<BackupEvent>> outcomes = new HashMap<>();
        read(kafka.topics().outcomes(), (key, value) -> {
            BackupEvent event = decode(value);
            if (event instanceof BackupCompleted || event instanceof BackupFailed) {
                outcomes.computeIfAbsent(event.backupId(), id -> new ArrayList<>()).add(event);
            }
        });
        Map<String, Fate> fates = new LinkedHashMap<>();
        accounts.forEach((id, account) -> fates.put(id, new Fate(id, account, attempts.getOrDefault(id, 1),
                outcomes.getOrDefault(id, List.of()))));
        return fates;
    }

    /**
     * The backups the scheduler has recorded, per account: the recent outcomes of each account's
     * status as it stands on {@code backup.status}.
     */
    Map<String, Set<String>> recordedByScheduler() {
        Map<String, Set<String>> recorded = new HashMap<>();
        read(kafka.topics().status(), (key, value) -> {
            try {
                var status = value == null ? null : Json.decode(value, BackupStatus.class);
                recorded.put(key, status == null ? Set.of() : status.recent().stream()
                        .map(BackupStatus.OutcomeSummary::backupId)
                        .collect(Collectors.toSet()));
            } catch (RuntimeException notAStatus) {
                // poison: the scheduler skips it too
            }
        });
        return recorded;
    }

    /** The keys of the records on the dead-letter topic. */
    List<String> deadLetterKeys() {
        List<String> keys = new ArrayList<>();
        read(kafka.topics().deadLetters(), (key, value) -> keys.add(key));
        return keys;
    }

    private static BackupEvent decode(byte[] value) {
        try {
            return value == null ? null : Json.decode(value, BackupEvent.class);
        } catch (RuntimeException poisonOrOtherType) {
            return null;
        }
    }

    void read(String topic, BiConsumer<String, byte[]> each) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.reader("chaos-audit"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    each.accept(record.key(), record.value());
                }
            }
        }
    }

    /** The blobs in the container per backupId (manifests aside), and the blobs no completed backup accounts for. */
    record Blobs(Map<String, Integer> perBackup, List<String> strays) {
    }

    static Blobs blobs(BlobContainerClient container, Map<String, Fate> fates) {
        Map<String, Integer> perBackup = new HashMap<>();
        List<String> strays = new ArrayList<>();
        for (var item : container.listBlobs(new ListBlobsOptions()
                .setDetails(new BlobListDetails().setRetrieveMetadata(true)), null)) {
            if (ManifestNames.isManifest(item.getName())) {
                continue;
            }
            String backupId = item.getMetadata() == null ? null : item.getMetadata().get(BlobMetadata.BACKUP_ID);
            perBackup.merge(String.valueOf(backupId), 1, Integer::sum);
            Fate fate = fates.get(backupId);
            BackupCompleted done = fate == null ? null : fate.completion().orElse(null);
            if (done == null || !done.destination().blobName().equals(item.getName())) {
                strays.add(item.getName());
            }
        }
        return new Blobs(perBackup, strays);
    }

    /** Every completed backup's blob, read back from storage whole: found or not, and the SHA-256 of its bytes. */
    static List<Verdict.Stored> stored(BlobContainerClient container, Map<String, Fate> fates) throws Exception {
        List<Verdict.Stored> stored = new ArrayList<>();
        for (Fate fate : fates.values()) {
            BackupCompleted done = fate.completion().orElse(null);
            if (done == null) {
                continue;
            }
            String name = done.destination().blobName();
            var blob = container.getBlobClient(name);
            if (!blob.exists()) {
                stored.add(new Verdict.Stored(fate.backupId(), name, false, null));
                continue;
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = blob.openInputStream()) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            stored.add(new Verdict.Stored(fate.backupId(), name, true, HexFormat.of().formatHex(digest.digest())));
        }
        return stored;
    }

    /** One restored backup: whether it holds what its source held at a moment of the backup, and whether a fault was active. */
    record Restore(String backupId, Engine engine, boolean equal, boolean duringFault, String detail) {
    }

    /**
     * Restores a sample of the completed backups, spread over the whole run in the order they
     * completed, into scratch databases, and compares each in full with what its source held.
     */
    static List<Restore> restoreSample(BlobContainerClient container, Map<String, Fate> fates, Map<String, Source> sources,
                                       int wanted, List<FaultWindow> faults) {
        List<BackupCompleted> completed = fates.values().stream()
                .filter(f -> f.settled() && f.last() instanceof BackupCompleted && sources.containsKey(f.account()))
                .map(f -> (BackupCompleted) f.last()).sorted(Comparator.comparing(BackupCompleted::endedAt)).toList();
        List<Restore> restores = new ArrayList<>();
        if (wanted <= 0 || completed.isEmpty()) {
            return restores;
        }
        double step = (double) completed.size() / Math.min(wanted, completed.size());
        for (int i = 0; i < Math.min(wanted, completed.size()); i++) {
            BackupCompleted done = completed.get((int) Math.floor(i * step));
            boolean duringFault = faults.stream().anyMatch(f -> f.overlaps(done.startedAt(), done.endedAt()));
            restores.add(restore(container, done, sources.get(done.accountId()), duringFault));
        }
        return restores;
    }

    /**
     * Restores one backup and compares it with its source's log: the number of changes the snapshot
     * holds must lie between those committed before the backup was asked for and those begun before
     * it completed, and every row must be what the log says the table held after exactly that many.
     */
    static Restore restore(BlobContainerClient container, BackupCompleted done, Source source, boolean duringFault) {
        boolean postgres = done.engine() == Engine.POSTGRESQL;
        try (ScratchDatabase scratch = postgres ? ScratchDatabase.postgres() : ScratchDatabase.mariadb()) {
            String sha256 = restoreInto(container, done, scratch);
            if (!sha256.equals(done.sha256())) {
                return new Restore(done.backupId(), done.engine(), false, duringFault, "SHA-256 " + sha256 + " read back");
            }
            try (Connection connection = scratch.connect()) {
                return compare(done, source.writer(), SourceWriter.read(connection), duringFault);
            }
        } catch (Exception e) {
            return new Restore(done.backupId(), done.engine(), false, duringFault, "restore failed: " + e);
        }
    }

    /** Restores a completed backup from storage into an empty database, as {@code ./backuprelay restore} does; the SHA-256 read. */
    static String restoreInto(BlobContainerClient container, BackupCompleted done, ScratchDatabase scratch) throws Exception {
        String blob = done.destination().blobName();
        BackupManifest manifest = BackupManifest.parse(container.getBlobClient(ManifestNames.ofBlob(blob))
                .downloadContent().toBytes());
        DatabaseTarget target = new DatabaseTarget(done.engine(), ScratchDatabase.HOST,
                scratch.port(), scratch.name(), scratch.adminUser());
        try (InputStream in = container.getBlobClient(blob).openInputStream()) {
            ArchiveStream archive = ArchiveStream.open(in, manifest, null);
            Restorer.standard().feed(target, "", false, archive.plain());
            return archive.finishAndHash();
        }
    }

    /** A restored snapshot judged against the writer's log and the backup's window. */
    static Restore compare(BackupCompleted done, SourceWriter writer, SourceWriter.Snapshot restored, boolean duringFault) {
        long atLeast = writer.committedBefore(done.startedAt());
        long atMost = writer.begunBefore(done.endedAt());
        if (restored.seq() < atLeast || restored.seq() > atMost) {
            return new Restore(done.backupId(), done.engine(), false, duringFault, "holds " + restored.seq()
                    + " changes, outside the backup's window [" + atLeast + ", " + atMost + "]");
        }
        String expected = writer.expectedAfter(restored.seq());
        boolean equal = expected.equals(restored.hash());
        return new Restore(done.backupId(), done.engine(), equal, duringFault, restored.rows() + " rows after "
                + restored.seq() + " changes" + (equal ? "" : ": SHA-256 " + restored.hash() + ", the log says " + expected));
    }

    /**
     * Messages per Message-ID beyond the first (GreenMail keeps a copy per recipient), the kinds mailed
     * per backup, and the Message-IDs whose end-of-data answer the mail proxy held back and could not
     * pass on, once per such answer (the server had the message; the notifier never heard so).
     */
    record Emails(int messages, List<Duplicate> duplicated, Map<String, Set<String>> kinds,
                  List<String> answersLost) {
        int duplicates() {
            return duplicated.size();
        }

        /** The kind of email a settled backup's final outcome calls for: {@code completed} or {@code failed}. */
        static String kindOf(Fate fate) {
            return fate.last() instanceof BackupCompleted ? "completed" : "failed";
        }

        /** Whether the email of the backup's own final outcome arrived (a completion's, or a failure's). */
        boolean mailedItsOutcome(Fate fate) {
            return kinds.getOrDefault(fate.backupId(), Set.of()).contains(kindOf(fate));
        }
    }

    /** A message the mail server received again: when the first copy and this one arrived. */
    record Duplicate(String messageId, Instant first, Instant again) {
    }

    /** The notifier's Message-ID: the backup, the kind of email, and whether it is the requester's own copy. */
    private static final Pattern MESSAGE_ID =
            Pattern.compile("<(.+)\\.(completed|failed)(\\.requester|\\.others)?@backuprelay>");

    static Emails emails(List<MimeMessage> received) throws Exception {
        return emails(received, List.of());
    }

    static Emails emails(List<MimeMessage> received, List<String> answersLost) throws Exception {
        Map<String, List<Instant>> arrivals = new LinkedHashMap<>();
        Map<String, Integer> recipients = new HashMap<>();
        Map<String, Set<String>> kinds = new HashMap<>();
        for (MimeMessage message : received) {
            String id = message.getMessageID();
            Matcher about = MESSAGE_ID.matcher(String.valueOf(id));
            List<Instant> copies = arrivals.computeIfAbsent(id, k -> new ArrayList<>());
            if (copies.isEmpty() && about.matches() && about.group(3) == null) {
                kinds.computeIfAbsent(about.group(1), k -> new TreeSet<>()).add(about.group(2));
            }
            Date date = message.getReceivedDate();
            copies.add(date == null ? Instant.EPOCH : date.toInstant());
            recipients.put(id, Math.max(1, message.getAllRecipients().length));
        }
        List<Duplicate> duplicated = new ArrayList<>();
        arrivals.forEach((id, copies) -> {
            // GreenMail keeps one copy a recipient: every recipients-th arrival is one more delivery of the message.
            List<Instant> deliveries = new ArrayList<>();
            int perDelivery = recipients.get(id);
            List<Instant> sorted = copies.stream().sorted().toList();
            for (int i = 0; i < sorted.size(); i += perDelivery) {
                deliveries.add(sorted.get(i));
            }
            for (int i = 1; i < deliveries.size(); i++) {
                duplicated.add(new Duplicate(id, deliveries.getFirst(), deliveries.get(i)));
            }
        });
        return new Emails(arrivals.size(), duplicated, kinds, List.copyOf(answersLost));
    }

    /** What the test mail server received, with the answers the mail proxy lost. */
    static Emails received(List<String> answersLost) throws Exception {
        return emails(List.of(TestSmtp.server().getReceivedMessages()), answersLost);
    }

    /** Files left in a directory tree, except those named in {@code except}. */
    static List<String> files(Path dir, List<String> except) throws Exception {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(name -> !except.contains(name)).toList();
        }
    }

    /** Dump tools still running on this machine (none should be, once every backup has settled). */
    static List<String> dumpTools() throws Exception {
        Process ps = new ProcessBuilder("ps", "-eo", "pid,comm").redirectErrorStream(true).start();
        List<String> tools = new String(ps.getInputStream().readAllBytes()).lines()
                .filter(line -> line.matches("\\s*\\d+\\s+(pg_dump|mariadb-dump|mysqldump)\\s*")).map(String::strip).toList();
        ps.waitFor();
        return tools;
    }

    static <K> Map<K, Integer> sorted(Map<K, Integer> map) {
        return new TreeMap<>(map);
    }
}
