package io.backuprelay.chaos;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.database.ArchiveStream;
import io.backuprelay.database.DatabaseTarget;
import io.backuprelay.database.Manifest;
import io.backuprelay.database.Restorer;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What became of the backups, found from outside the services: the topics, the container, the mail
 * server, the databases, the staging directory and the process table.
 */
final class Audit {

    /** A source database of an account, to restore a backup of it and compare. */
    record Source(String account, ScratchDatabase database) {
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

    private void read(String topic, BiConsumer<String, byte[]> each) {
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

    /** The blobs in the container per backupId (manifests aside), and how many hold other bytes than their outcome says. */
    record Blobs(Map<String, Integer> perBackup, int corrupt) {
    }

    static Blobs blobs(BlobContainerClient container, Map<String, Fate> fates) throws Exception {
        Map<String, Integer> perBackup = new HashMap<>();
        int corrupt = 0;
        for (var item : container.listBlobs(new ListBlobsOptions()
                .setDetails(new BlobListDetails().setRetrieveMetadata(true)), null)) {
            if (item.getName().endsWith(".manifest.json")) {
                continue;
            }
            String backupId = item.getMetadata() == null ? null : item.getMetadata().get("backupid");
            perBackup.merge(String.valueOf(backupId), 1, Integer::sum);
            Fate fate = fates.get(backupId);
            BackupCompleted done = fate == null ? null : fate.outcomes().stream().filter(BackupCompleted.class::isInstance)
                    .map(BackupCompleted.class::cast).findFirst().orElse(null);
            if (done == null) {
                corrupt++; // a blob no completed backup accounts for
                continue;
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = container.getBlobClient(item.getName()).openInputStream()) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            if (!HexFormat.of().formatHex(digest.digest()).equals(done.sha256())) {
                corrupt++;
            }
        }
        return new Blobs(perBackup, corrupt);
    }

    /** One restored backup: whether the restored table equals its source's. */
    record Restore(String backupId, String engine, boolean equal, String detail) {
    }

    /**
     * Restores up to {@code perEngine} completed backups of each engine into scratch databases and
     * compares their {@code item} table with the source's (the sources do not change during the run).
     */
    static List<Restore> restoreSample(BlobContainerClient container, Map<String, Fate> fates, Map<String, Source> sources,
                                       int perEngine) {
        List<Restore> restores = new ArrayList<>();
        Map<String, Integer> perEngineDone = new HashMap<>();
        for (Fate fate : fates.values()) {
            if (!(fate.settled() && fate.last() instanceof BackupCompleted done)) {
                continue;
            }
            Source source = sources.get(fate.account());
            if (source == null || perEngineDone.getOrDefault(done.engine(), 0) >= perEngine) {
                continue;
            }
            perEngineDone.merge(done.engine(), 1, Integer::sum);
            restores.add(restore(container, done, source));
        }
        return restores;
    }

    private static Restore restore(BlobContainerClient container, BackupCompleted done, Source source) {
        String blob = done.destination().blobName();
        boolean postgres = "POSTGRESQL".equalsIgnoreCase(done.engine());
        try (ScratchDatabase scratch = postgres ? ScratchDatabase.postgres() : ScratchDatabase.mariadb()) {
            Manifest manifest = Json.mapper().readValue(container.getBlobClient(blob + ".manifest.json").downloadContent()
                    .toBytes(), Manifest.class);
            DatabaseTarget target = new DatabaseTarget(postgres ? "POSTGRESQL" : "MARIADB", ScratchDatabase.HOST,
                    scratch.port(), scratch.name(), scratch.adminUser());
            try (InputStream in = container.getBlobClient(blob).openInputStream()) {
                ArchiveStream archive = ArchiveStream.open(in, manifest, null);
                Restorer.standard().feed(target, "", false, archive.plain());
                String sha256 = archive.finishAndHash();
                if (!sha256.equals(done.sha256())) {
                    return new Restore(done.backupId(), done.engine(), false, "SHA-256 " + sha256 + " read back");
                }
            }
            String restored = fingerprint(scratch);
            String original = fingerprint(source.database());
            return new Restore(done.backupId(), done.engine(), restored.equals(original),
                    "restored " + restored + ", source " + original);
        } catch (Exception e) {
            return new Restore(done.backupId(), done.engine(), false, "restore failed: " + e);
        }
    }

    /** Rows, and sums over every column, of the {@code item} table. */
    static String fingerprint(ScratchDatabase database) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT COUNT(*), SUM(id), SUM(price), SUM(LENGTH(name)) FROM item")) {
            rows.next();
            return rows.getLong(1) + " rows, ids " + rows.getLong(2) + ", prices " + rows.getBigDecimal(3)
                    + ", name lengths " + rows.getLong(4);
        }
    }

    /** Messages per Message-ID beyond the first (GreenMail keeps a copy per recipient), and the backups mailed. */
    record Emails(int messages, int duplicates, Map<String, Integer> perBackup) {
    }

    /** The notifier's Message-ID: the backup, the kind of email, and whether it is the requester's own copy. */
    private static final java.util.regex.Pattern MESSAGE_ID =
            java.util.regex.Pattern.compile("<(.+)\\.(completed|failed)(\\.requester)?@backuprelay>");

    static Emails emails() throws Exception {
        Map<String, Integer> copies = new HashMap<>();
        Map<String, Integer> recipients = new HashMap<>();
        Map<String, Integer> perBackup = new HashMap<>();
        for (MimeMessage message : TestSmtp.server().getReceivedMessages()) {
            String id = message.getMessageID();
            java.util.regex.Matcher about = MESSAGE_ID.matcher(String.valueOf(id));
            if (copies.merge(id, 1, Integer::sum) == 1 && about.matches() && about.group(3) == null) {
                perBackup.merge(about.group(1), 1, Integer::sum);
            }
            recipients.put(id, Math.max(1, message.getAllRecipients().length));
        }
        int duplicates = 0;
        for (var entry : copies.entrySet()) {
            duplicates += Math.max(0, entry.getValue() / recipients.get(entry.getKey()) - 1);
        }
        return new Emails(copies.size(), duplicates, perBackup);
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
