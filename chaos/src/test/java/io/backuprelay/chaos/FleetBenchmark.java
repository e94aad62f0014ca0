package io.backuprelay.chaos;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.icegreen.greenmail.util.GreenMail;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.RestoreDrill;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TcpProxy;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Many small tenants due at once: N databases (PostgreSQL and MariaDB in turn, 1–20 MB each by default)
 * backed up from one burst of requests to the last email, by one and by two instances of each worker
 * (every service its own process), against the same work by hand at the same parallelism; and the fixed
 * cost of one small backup, traced hop by hop.
 *
 * <p>Run: {@code ./backuprelay bench fleet [databases] [min MB] [max MB] [instances, e.g. 1,2] [fixed-cost runs]
 * [MB/s of each connection to the sources, 0 = direct] [partitions]} (docs/benchmarks.md).
 */
public final class FleetBenchmark {

    private static final String ORIGIN_NAMES = "Panadería «La Espiga»|O'Brien & Sons|ÖKO Gärtnerei|TALLER \"El Rayo\"|Ünal Lojistik";

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 120;
        int minMegabytes = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int maxMegabytes = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        List<Integer> instanceCounts = List.of((args.length > 3 ? args[3] : "1,2").split(",")).stream()
                .map(Integer::parseInt).toList();
        int fixedRuns = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        double link = args.length > 5 ? Double.parseDouble(args[5]) : 0;
        int partitions = args.length > 6 ? Integer.parseInt(args[6]) : 6; // BACKUPRELAY_TOPIC_PARTITIONS's default
        Path work = Files.createTempDirectory("fleet-bench");
        List<FleetDatabases.Database> databases = FleetDatabases.ensure(count, minMegabytes, maxMegabytes);
        FleetDatabases.Database tiny = FleetDatabases.tiny();
        if (link > 0) {
            // The tenants' databases elsewhere: every connection to them (the pipeline's and by hand) limited
            // to this many MB a second each way, as a link between networks would be.
            Map<Integer, Integer> proxies = new HashMap<>();
            for (int port : List.of(5432, 3306)) {
                proxies.put(port, TcpProxy.start(port, port).throttle((long) (link * 1_000_000)).port());
            }
            databases = databases.stream().map(d -> d.via(proxies.get(d.port()))).toList();
        }
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString())
                .buildClient().createBlobContainerIfNotExists("fleet-bench");
        GreenMail mail = TestSmtp.server();
        String masterKey = SecretSealer.newBase64Key();
        SecretSealer sealer = SecretSealer.ofBase64("k1", masterKey);
        System.out.printf("fleet: %d databases of %d–%d MB, %d cores, instances %s, %d fixed-cost runs, sources %s,"
                        + " %d partitions; work in %s%n", count, minMegabytes, maxMegabytes,
                Runtime.getRuntime().availableProcessors(), instanceCounts, fixedRuns,
                link > 0 ? "limited to " + link + " MB/s a connection" : "direct", partitions, work);
        List<String> report = new ArrayList<>();
        for (int instances : instanceCounts) {
            Topics topics = new Topics(TestKafka.uniquePrefix());
            TopicProvisioner.ensureTopics(new KafkaSettings(TestKafka.bootstrapServers(), topics), partitions,
                    (short) 1);
            Map<String, FleetDatabases.Database> accounts = new HashMap<>();
            for (int i = 0; i < databases.size(); i++) {
                accounts.put("fleet-" + i, databases.get(i));
            }
            accounts.put("fleet-tiny", tiny);
            register(topics, accounts, container.getBlobContainerName(), sealer);
            Path dir = Files.createDirectories(work.resolve(instances + "x"));
            Map<String, String> common = Map.of("KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                    "BACKUPRELAY_TOPIC_PREFIX", topics.prefix(), "BACKUPRELAY_CREATE_TOPICS", "false",
                    "BACKUPRELAY_MASTER_KEY", masterKey, "BACKUPRELAY_ALLOWED_ENDPOINTS", Azurite.origin(),
                    "BACKUPRELAY_STAGING_DIR", Files.createDirectories(dir.resolve("staging")).toString(),
                    "SERVICE_HOST", "127.0.0.1");
            try (FleetStack stack = FleetStack.start(dir, instances, common, TestSmtp.port())) {
                report.add(fixedCost(topics, mail, instances, fixedRuns));
                Map<String, Double> othersBefore = MachineCpu.others();
                double machineBefore = MachineCpu.busySeconds();
                FleetByHand.Result byHand = FleetByHand.run(databases, 2 * instances, container,
                        Files.createDirectories(dir.resolve("by-hand")));
                report.add(String.format("by hand, %d at once: CPU %sthe whole machine %.0f s", 2 * instances,
                        MachineCpu.describe(MachineCpu.minus(MachineCpu.others(), othersBefore)),
                        MachineCpu.busySeconds() - machineBefore));
                emptyContainer(container);
                // Services that have run a while: a first round over some of the databases warms them (JIT), as a
                // deployment's would be; its figures are printed, not counted.
                report.add("warm-up round (not counted): " + fleet(topics, mail, stack, databases.subList(0, Math.min(20,
                        databases.size())), instances, null));
                report.add(fleet(topics, mail, stack, databases, instances, byHand));
            }
            emptyContainer(container);
        }
        System.out.println();
        report.forEach(System.out::println);
        System.exit(0);
    }

    /** One small backup at a time: request to email, and where the time went. */
    private static String fixedCost(Topics topics, GreenMail mail, int instances, int runs) throws Exception {
        List<Double> walls = new ArrayList<>();
        // One producer for every request, as the scheduler and the console have: a new one would add its start.
        try (KafkaProducer<String, byte[]> producer = KafkaProbe.producer()) {
            producer.partitionsFor(topics.requests());
        for (int run = 0; run <= runs; run++) { // the first one warms the services up and is not counted
            int before = mail.getReceivedMessages().length;
            Instant now = Instant.now();
            BackupRequested request = BackupRequested.scheduled("fleet-tiny", "main", now.truncatedTo(ChronoUnit.MILLIS),
                    1, now);
            long start = System.nanoTime();
            producer.send(new ProducerRecord<>(topics.requests(), request.accountId(), Json.encode(request))).get();
            if (!mail.waitForIncomingEmail(60_000, before + 1)) {
                throw new IllegalStateException("No email within a minute for the small backup " + request.backupId());
            }
            if (run > 0) {
                walls.add((System.nanoTime() - start) / 1e9);
            }
        }
        }
        List<HopTrace.Backup> traced = HopTrace.read(topics, List.of("fleet-tiny")).stream()
                .filter(HopTrace.Backup::whole).skip(1).toList();
        walls.sort(Double::compare);
        return String.format("fixed cost, %d instance(s) of each worker, %d backups of a 1,000-row database one at a time:"
                        + " request to email p50 %.3f s, p90 %.3f s (seen by this benchmark); traced p50: to the dump's start"
                        + " %.3f s, dump %.3f s, to the upload's commit %.3f s, to the email %.3f s, whole %.3f s",
                instances, walls.size(), walls.get(walls.size() / 2), walls.get((int) Math.ceil(walls.size() * 0.9) - 1),
                HopTrace.quantile(traced, HopTrace.Backup::toStart, 0.5), HopTrace.quantile(traced, HopTrace.Backup::dump, 0.5),
                HopTrace.quantile(traced, HopTrace.Backup::upload, 0.5), HopTrace.quantile(traced, HopTrace.Backup::toMail, 0.5),
                HopTrace.quantile(traced, HopTrace.Backup::total, 0.5));
    }

    /** Every database's backup requested at once; measured until each account has its email. */
    private static String fleet(Topics topics, GreenMail mail, FleetStack stack, List<FleetDatabases.Database> databases,
                                int instances, FleetByHand.Result byHand) throws Exception {
        Map<String, Double> cpuBefore = stack.cpuSeconds();
        cpuBefore.putAll(MachineCpu.others());
        double machineBefore = MachineCpu.busySeconds();
        Instant now = Instant.now();
        List<ProducerRecord<String, byte[]>> requests = new ArrayList<>();
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < databases.size(); i++) {
            BackupRequested request = BackupRequested.scheduled("fleet-" + i, "main", now.truncatedTo(ChronoUnit.MILLIS),
                    1, now);
            requests.add(new ProducerRecord<>(topics.requests(), request.accountId(), Json.encode(request)));
            accounts.add(request.accountId());
        }
        int before = mail.getReceivedMessages().length;
        long start = System.nanoTime();
        KafkaProbe.sendAll(requests);
        if (!mail.waitForIncomingEmail(3_600_000, before + databases.size())) {
            throw new IllegalStateException("Not every fleet backup was mailed within an hour");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double machine = MachineCpu.busySeconds() - machineBefore;
        Map<String, Double> cpuAfter = stack.cpuSeconds();
        cpuAfter.putAll(MachineCpu.others());
        List<String> failed = failures(mail, before);
        List<HopTrace.Backup> traced = HopTrace.read(topics, accounts).stream().filter(HopTrace.Backup::whole)
                .filter(backup -> !backup.requested().isBefore(now)).toList(); // this round's only
        String cpu = MachineCpu.describe(MachineCpu.minus(cpuAfter, cpuBefore));
        double perMinute = databases.size() / seconds * 60;
        String against = "";
        if (byHand != null) {
            double byHandPerMinute = databases.size() / byHand.seconds() * 60;
            against = String.format(" by hand, %d at once: %.1f s = %.1f a minute; pipeline ÷ by hand %.2f;",
                    2 * instances, byHand.seconds(), byHandPerMinute, perMinute / byHandPerMinute);
        }
        return String.format("fleet, %d instance(s) of each worker (%d dumps and %d uploads at once): %d backups in %.1f s ="
                        + " %.1f a minute;%s %d not completed %s; request to email p50 %.1f s, p99 %.1f s; in the services"
                        + " (dump start to email) p50 %.2f s, p99 %.2f s; CPU: %sthe whole machine %.0f s of %.0f s (%d cores)",
                instances, 2 * instances, 2 * instances, databases.size(), seconds, perMinute, against, failed.size(), failed,
                HopTrace.quantile(traced, HopTrace.Backup::total, 0.5), HopTrace.quantile(traced, HopTrace.Backup::total, 0.99),
                HopTrace.quantile(traced, b -> b.total().minus(b.toStart()), 0.5),
                HopTrace.quantile(traced, b -> b.total().minus(b.toStart()), 0.99), cpu, machine,
                seconds * Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors());
    }

    /** The subjects of the emails since {@code from} that do not say the backup completed. */
    private static List<String> failures(GreenMail mail, int from) throws MessagingException {
        List<String> failed = new ArrayList<>();
        MimeMessage[] messages = mail.getReceivedMessages();
        for (int i = from; i < messages.length; i++) {
            if (!messages[i].getSubject().startsWith("Database backup completed")) {
                Address[] to = messages[i].getAllRecipients();
                failed.add(messages[i].getSubject() + " (" + (to == null ? "?" : to[0]) + ")");
            }
        }
        return failed;
    }

    private static void register(Topics topics, Map<String, FleetDatabases.Database> accounts, String container,
                                 SecretSealer sealer) {
        String endpoint = Azurite.blobEndpoint();
        String[] names = ORIGIN_NAMES.split("\\|");
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        int i = 0;
        for (var entry : accounts.entrySet()) {
            String id = entry.getKey();
            FleetDatabases.Database db = entry.getValue();
            SourceDatabase source = new SourceDatabase(db.engine(), "127.0.0.1", db.port(), db.name(), db.user(),
                    sealer.seal("", SecretContext.databasePassword(id, db.engine(), "127.0.0.1", db.port(), db.name(),
                            db.user())));
            records.add(new ProducerRecord<>(topics.accounts(), id, Json.encode(new Account(id, names[i++ % names.length]
                    + " " + id, "en", "UTC", List.of(id + "@fleet.example"), source, List.of(Azurite.origin())))));
            Connection connection = new Connection(id, "main", ConnectionType.AZURE_BLOB, "Fleet", Azurite.ACCOUNT_NAME,
                    container, "fleet", sealer.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey(id, "main", endpoint,
                    Azurite.ACCOUNT_NAME, container)), true, endpoint, null, null, null, null);
            records.add(new ProducerRecord<>(topics.connections(), connection.key(), Json.encode(connection)));
            records.add(new ProducerRecord<>(topics.settings(), id, Json.encode(new BackupSettings(id,
                    BackupType.EVERY_7_DAYS, "main", List.of(), List.of(), null, RestoreDrill.OFF))));
        }
        KafkaProbe.sendAll(records);
    }

    private static void emptyContainer(BlobContainerClient container) {
        container.listBlobs().forEach(blob -> container.getBlobClient(blob.getName()).delete()); // Azurite keeps them in memory
    }
}
