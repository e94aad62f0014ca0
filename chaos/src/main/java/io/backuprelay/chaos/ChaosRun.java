package io.backuprelay.chaos;

import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.BrokerProcess;
import io.backuprelay.testkit.FaultProxy;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.ServiceJars;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./backuprelay chaos [--minutes M] [--accounts N] [--seed S] [--kill-every SECONDS] [--storage-faults SHARE] [--freeze-every SECONDS]}:
 * the services as separate OS processes on this machine (a broker process, two dump workers, two
 * upload workers, a notifier, a scheduler and the console, each from its runnable jar), Azurite
 * behind a fault-injecting proxy, N small PostgreSQL sources and a mail server that keeps every
 * message. While manual backups are asked for at random through the console, it kills a random
 * service process with SIGKILL every few seconds and restarts it, and the proxy fails a share of
 * storage connections. Then it waits for the backups to settle and audits them from outside:
 * every requested backup has exactly one final outcome, at most one blob per backup whose SHA-256
 * is its outcome's, at most one email per backup and kind, and no file left in staging.
 *
 * With {@code --freeze-every SECONDS} it also freezes the broker (SIGSTOP) for 5 to 20 s that often.
 *
 * <p>What this first version does not inject yet: broker kills, SMTP faults, poison records, a full
 * staging disk, throttled sources, and scheduled backups on a sped-up clock.
 */
public final class ChaosRun {

    private static final List<String> KILLABLE = List.of("dump-worker-1", "dump-worker-2", "upload-worker-1",
            "upload-worker-2", "notifier", "scheduler", "console");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final int minutes;
    private final int accounts;
    private final long seed;
    private final int killEverySeconds;
    private final double storageFaults;
    private final int freezeEverySeconds;
    private int freezes;
    private Duration frozen = Duration.ZERO;
    private final Random random;
    private final Path work;
    private final Map<String, ServiceProcess> services = new ConcurrentHashMap<>();
    private final Map<String, Integer> kills = new ConcurrentHashMap<>();
    private final List<Duration> recoveries = new ArrayList<>();

    private ChaosRun(Map<String, String> options) throws Exception {
        this.minutes = Integer.parseInt(options.getOrDefault("--minutes", "10"));
        this.accounts = Integer.parseInt(options.getOrDefault("--accounts", "8"));
        this.seed = Long.parseLong(options.getOrDefault("--seed", Long.toString(System.nanoTime() % 100_000)));
        this.killEverySeconds = Integer.parseInt(options.getOrDefault("--kill-every", "15"));
        this.storageFaults = Double.parseDouble(options.getOrDefault("--storage-faults", "0.05"));
        this.freezeEverySeconds = Integer.parseInt(options.getOrDefault("--freeze-every", "0"));
        this.random = new Random(seed);
        this.work = Files.createTempDirectory("backuprelay-chaos-");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        int code = new ChaosRun(options).run();
        System.exit(code);
    }

    /** A service's process, restarted with the same environment. */
    private final class ServiceProcess {
        final String name;
        final String module;
        final Map<String, String> env;
        final int port;
        Process process;

        ServiceProcess(String name, String module, Map<String, String> env, int port) {
            this.name = name;
            this.module = module;
            this.env = env;
            this.port = port;
        }

        void start() throws Exception {
            process = ServiceJars.start(ServiceJars.runnableJar(module), env, work.resolve(name + ".log"),
                    "-Xmx192m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED");
        }

        boolean ready() {
            return ServiceJars.ready(port);
        }
    }

    private int run() throws Exception {
        System.out.printf("chaos: %d min, %d accounts, seed %d, a kill every %d s, %.0f %% storage faults; work in %s%n",
                minutes, accounts, seed, killEverySeconds, storageFaults * 100, work);
        Topics topics = new Topics("chaos" + seed + ".");
        List<ScratchDatabase> sources = new ArrayList<>();
        try (BrokerProcess broker = BrokerProcess.start(Files.createDirectories(work.resolve("broker")))) {
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), topics);
            TopicProvisioner.ensureTopics(kafka, 4, (short) 1);
            FaultProxy proxy = FaultProxy.start(Azurite.blobEndpoint());
            String endpoint = proxy.endpointFor(Azurite.blobEndpoint());
            String container = "chaos-" + seed;
            new com.azure.storage.blob.BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                    .createBlobContainerIfNotExists(container);
            String jwtSecret = "chaos-secret-" + UUID.randomUUID();
            int consolePort = ServiceJars.freePort();
            startServices(kafka, endpoint, jwtSecret, consolePort);

            TokenMinter minter = new TokenMinter(jwtSecret.getBytes(StandardCharsets.UTF_8), null);
            String operator = minter.mint("chaos", null, null, Role.OPERATOR, Duration.ofHours(3));
            String base = "http://127.0.0.1:" + consolePort;
            List<String> accountIds = new ArrayList<>();
            for (int i = 0; i < accounts; i++) {
                ScratchDatabase source = ScratchDatabase.postgres();
                sources.add(source);
                source.execute("CREATE TABLE item (id serial PRIMARY KEY, name text, price numeric(10,2))",
                        "INSERT INTO item (name, price) SELECT 'item ' || g, g * 0.5 FROM generate_series(1, "
                                + (2000 + random.nextInt(20000)) + ") g");
                String account = "chaos-" + seed + "-" + i;
                accountIds.add(account);
                call("PUT", base + "/api/operator/accounts/" + account, operator, """
                        {"displayName":"Chaos %d","locale":"en","timeZone":"UTC","superadminEmails":["%s@chaos.example"],
                         "source":{"engine":"POSTGRESQL","host":"127.0.0.1","port":5432,"database":"%s","username":"postgres"}}
                        """.formatted(i, account, source.name()), null);
                call("POST", base + "/api/accounts/" + account + "/connections", superadmin(minter, account), """
                        {"type":"AZURE_BLOB","storageAccountName":"%s","containerName":"%s","accessKey":"%s",
                         "enabledForAutomaticBackup":true,"endpoint":"%s","path":"chaos"}
                        """.formatted(Azurite.ACCOUNT_NAME, container, Azurite.ACCOUNT_KEY, endpoint), null);
            }
            proxy.failShare(storageFaults, seed, Duration.ofSeconds(3));

            Map<String, String> requested = new LinkedHashMap<>(); // backupId → account
            Instant end = Instant.now().plus(Duration.ofMinutes(minutes));
            Instant nextKill = Instant.now().plusSeconds(killEverySeconds);
            Instant nextFreeze = freezeEverySeconds > 0 ? Instant.now().plusSeconds(freezeEverySeconds) : Instant.MAX;
            int refused = 0;
            while (Instant.now().isBefore(end)) {
                String account = accountIds.get(random.nextInt(accountIds.size()));
                try {
                    HttpResponse<String> answer = call("POST", base + "/api/accounts/" + account + "/backups",
                            superadmin(minter, account), null, Duration.ofSeconds(5));
                    if (answer.statusCode() == 202) {
                        requested.put(Json.mapper().readTree(answer.body()).get("backupId").asText(), account);
                    } else {
                        refused++; // 409 (one is running) or 429 (the day's limit), or the console is down
                    }
                } catch (Exception consoleDown) {
                    refused++;
                }
                if (!Instant.now().isBefore(nextKill)) {
                    killOne();
                    nextKill = Instant.now().plusSeconds(killEverySeconds);
                }
                if (!Instant.now().isBefore(nextFreeze)) {
                    // SIGSTOP: the broker keeps its sockets and answers nothing, as a frozen VM would.
                    Duration pause = Duration.ofSeconds(5 + random.nextInt(16));
                    broker.freeze();
                    Thread.sleep(pause);
                    broker.thaw();
                    freezes++;
                    frozen = frozen.plus(pause);
                    nextFreeze = Instant.now().plusSeconds(freezeEverySeconds);
                }
                Thread.sleep(500 + random.nextInt(1500));
            }
            proxy.failShare(0, seed);
            System.out.printf("chaos: load over: %d backups requested (%d requests refused or unanswered); waiting"
                    + " for them to settle%n", requested.size(), refused);
            Audit audit = settle(kafka, requested, container);
            if (freezes > 0) {
                System.out.printf("chaos: the broker was frozen (SIGSTOP) %d times, %d s in all%n", freezes,
                        frozen.toSeconds());
            }
            int code = audit.print(requested.size(), kills, recoveries, proxy, work);
            return code;
        } finally {
            services.values().forEach(s -> s.process.destroyForcibly());
            sources.forEach(ScratchDatabase::close);
        }
    }

    private String superadmin(TokenMinter minter, String account) {
        return minter.mint("admin-" + account, account + "@chaos.example", account, Role.SUPERADMIN, Duration.ofHours(3));
    }

    private void startServices(KafkaSettings kafka, String endpoint, String jwtSecret, int consolePort) throws Exception {
        String masterKey = SecretSealer.newBase64Key();
        String allowed = URI.create(endpoint).getScheme() + "://" + URI.create(endpoint).getAuthority();
        Map<String, String> common = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "BACKUPRELAY_TOPIC_PREFIX", kafka.topics().prefix(),
                "BACKUPRELAY_CREATE_TOPICS", "false",
                "BACKUPRELAY_MASTER_KEY", masterKey,
                "BACKUPRELAY_ALLOWED_ENDPOINTS", allowed,
                "BACKUPRELAY_STAGING_DIR", work.resolve("staging").toString(),
                "SERVICE_HOST", "127.0.0.1"));
        Map<String, Map<String, String>> own = new LinkedHashMap<>();
        own.put("scheduler", Map.of("SCHEDULER_STATE_DIR", work.resolve("scheduler-state").toString()));
        own.put("dump-worker-1", Map.of("BACKUPRELAY_INSTANCE_ID", "dump-1", "DUMP_MIN_FREE_MB", "64"));
        own.put("dump-worker-2", Map.of("BACKUPRELAY_INSTANCE_ID", "dump-2", "DUMP_MIN_FREE_MB", "64"));
        own.put("upload-worker-1", Map.of("BACKUPRELAY_INSTANCE_ID", "upload-1", "UPLOAD_RETRY_BUDGET", "PT5M"));
        own.put("upload-worker-2", Map.of("BACKUPRELAY_INSTANCE_ID", "upload-2", "UPLOAD_RETRY_BUDGET", "PT5M"));
        own.put("notifier", Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(TestSmtp.port()),
                "SMTP_SECURITY", "NONE", "SMTP_FROM", "backups@chaos.example", "BACKUPRELAY_INSTANCE_ID", "notifier-1"));
        own.put("console", Map.of("CONSOLE_HOST", "127.0.0.1", "CONSOLE_PORT", Integer.toString(consolePort),
                "CONSOLE_JWT_SECRET", jwtSecret, "CONSOLE_MANUAL_BACKUPS_PER_DAY", "1000"));
        for (var entry : own.entrySet()) {
            Map<String, String> env = new HashMap<>(common);
            env.putAll(entry.getValue());
            int port = ServiceJars.freePort();
            env.put("SERVICE_PORT", Integer.toString(port));
            ServiceProcess service = new ServiceProcess(entry.getKey(), entry.getKey().replaceAll("-\\d$", ""), env, port);
            service.start();
            services.put(entry.getKey(), service);
        }
        for (ServiceProcess service : services.values()) {
            awaitReady(service, Duration.ofMinutes(3));
        }
        System.out.println("chaos: " + services.size() + " service processes ready");
    }

    private void killOne() throws Exception {
        ServiceProcess victim = services.get(KILLABLE.get(random.nextInt(KILLABLE.size())));
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(victim.process.pid())).start();
        kill.waitFor();
        victim.process.waitFor();
        kills.merge(victim.name, 1, Integer::sum);
        Instant killed = Instant.now();
        Thread.sleep(500 + random.nextInt(2500));
        victim.start();
        awaitReady(victim, Duration.ofMinutes(3));
        synchronized (recoveries) {
            recoveries.add(Duration.between(killed, Instant.now()));
        }
    }

    private static void awaitReady(ServiceProcess service, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!service.ready()) {
            if (System.nanoTime() > deadline || !service.process.isAlive()) {
                throw new IllegalStateException(service.name + " did not become ready (exit "
                        + (service.process.isAlive() ? "none" : service.process.exitValue()) + "); see its log");
            }
            Thread.sleep(300);
        }
    }

    /** Waits until every requested backup has a final outcome (at most 10 minutes), then audits. */
    private Audit settle(KafkaSettings kafka, Map<String, String> requested, String container) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        Map<String, List<BackupEvent>> outcomes;
        while (true) {
            outcomes = finalOutcomes(kafka);
            boolean settled = requested.keySet().stream().allMatch(outcomes::containsKey);
            if (settled || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(2000);
        }
        Thread.sleep(15_000); // the last emails, and any duplicate that would follow
        return Audit.of(requested, finalOutcomes(kafka), container, work.resolve("staging"));
    }

    private static Map<String, List<BackupEvent>> finalOutcomes(KafkaSettings kafka) {
        Map<String, List<BackupEvent>> outcomes = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.reader("chaos-audit"))) {
            String topic = kafka.topics().outcomes();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        BackupEvent event = Json.decode(record.value(), BackupEvent.class);
                        if (event instanceof BackupCompleted || event instanceof BackupFailed) {
                            outcomes.computeIfAbsent(event.backupId(), id -> new ArrayList<>()).add(event);
                        }
                    } catch (RuntimeException notAnOutcome) {
                        // drills, reminders, poison
                    }
                }
            }
        }
        return outcomes;
    }

    /** What became of the backups, from outside the services. */
    record Audit(int lost, int duplicateOutcomes, int completed, int failed, Map<String, Integer> failureReasons,
                 int blobs, int duplicateBlobs, int corrupt, int emails, int duplicateEmails, List<String> leftovers) {

        static Audit of(Map<String, String> requested, Map<String, List<BackupEvent>> outcomes, String container,
                        Path staging) throws Exception {
            int lost = 0;
            int duplicates = 0;
            int completed = 0;
            int failed = 0;
            Map<String, Integer> reasons = new TreeMap<>();
            Map<String, String> sha = new HashMap<>();
            for (String backupId : requested.keySet()) {
                List<BackupEvent> mine = outcomes.getOrDefault(backupId, List.of());
                if (mine.isEmpty()) {
                    lost++;
                    continue;
                }
                if (mine.size() > 1) {
                    duplicates++;
                }
                BackupEvent last = mine.getLast();
                if (last instanceof BackupCompleted done) {
                    completed++;
                    sha.put(backupId, done.sha256());
                } else if (last instanceof BackupFailed failure) {
                    failed++;
                    reasons.merge(failure.stage() + ": " + abbreviate(failure.reason()), 1, Integer::sum);
                }
            }
            var blobClient = new com.azure.storage.blob.BlobServiceClientBuilder()
                    .connectionString(Azurite.connectionString()).buildClient().getBlobContainerClient(container);
            Map<String, Integer> blobsPerBackup = new HashMap<>();
            int corrupt = 0;
            for (var item : blobClient.listBlobs(new com.azure.storage.blob.models.ListBlobsOptions()
                    .setDetails(new com.azure.storage.blob.models.BlobListDetails().setRetrieveMetadata(true)), null)) {
                if (item.getName().endsWith(".manifest.json")) {
                    continue;
                }
                String backupId = item.getMetadata() == null ? null : item.getMetadata().get("backupid");
                blobsPerBackup.merge(String.valueOf(backupId), 1, Integer::sum);
                String expected = sha.get(backupId);
                if (expected != null) {
                    MessageDigest digest = MessageDigest.getInstance("SHA-256");
                    try (InputStream in = blobClient.getBlobClient(item.getName()).openInputStream()) {
                        byte[] buffer = new byte[1 << 16];
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            digest.update(buffer, 0, n);
                        }
                    }
                    if (!java.util.HexFormat.of().formatHex(digest.digest()).equals(expected)) {
                        corrupt++;
                    }
                }
            }
            int duplicateBlobs = (int) blobsPerBackup.values().stream().filter(n -> n > 1).count();
            // GreenMail keeps one copy per recipient: an email sent once to n recipients is n copies of one Message-ID.
            Map<String, Integer> copies = new HashMap<>();
            Map<String, Integer> recipients = new HashMap<>();
            for (MimeMessage message : TestSmtp.server().getReceivedMessages()) {
                copies.merge(message.getMessageID(), 1, Integer::sum);
                recipients.put(message.getMessageID(), Math.max(1, message.getAllRecipients().length));
            }
            int emails = copies.size();
            int duplicateEmails = 0;
            for (var entry : copies.entrySet()) {
                duplicateEmails += Math.max(0, entry.getValue() / recipients.get(entry.getKey()) - 1);
            }
            List<String> leftovers;
            try (Stream<Path> files = Files.exists(staging) ? Files.list(staging) : Stream.empty()) {
                leftovers = files.map(p -> p.getFileName().toString()).toList();
            }
            return new Audit(lost, duplicates, completed, failed, reasons, blobsPerBackup.size(), duplicateBlobs, corrupt,
                    emails, duplicateEmails, leftovers);
        }

        private static String abbreviate(String reason) {
            return reason.length() <= 90 ? reason : reason.substring(0, 90) + "…";
        }

        /** @return 0 when nothing was lost, corrupted or duplicated; 1 otherwise */
        int print(int requested, Map<String, Integer> kills, List<Duration> recoveries, FaultProxy proxy, Path work) {
            List<Long> sorted = recoveries.stream().map(Duration::toMillis).sorted().toList();
            System.out.println();
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf("| backups requested | %d |%n", requested);
            System.out.printf("| completed / failed with a reason | %d / %d |%n", completed, failed);
            System.out.printf("| lost (no final outcome) | %d |%n", lost);
            System.out.printf("| backups with more than one final outcome | %d |%n", duplicateOutcomes);
            System.out.printf("| blobs / backups with more than one blob | %d / %d |%n", blobs, duplicateBlobs);
            System.out.printf("| corrupt blobs (SHA-256 differs from the outcome's) | %d |%n", corrupt);
            System.out.printf("| emails / duplicate emails (same Message-ID twice) | %d / %d |%n", emails, duplicateEmails);
            System.out.printf("| SIGKILLs | %d %s |%n", kills.values().stream().mapToInt(Integer::intValue).sum(),
                    new TreeMap<>(kills));
            System.out.printf("| storage faults injected (HTTP errors / resets at connect / open sockets cut, both ends) | %d / %d / %d |%n",
                    proxy.faultedRequests(), proxy.resetConnections(), proxy.cutConnections());
            if (!sorted.isEmpty()) {
                System.out.printf("| recovery after a kill, p50 / p95 (restart to ready) | %.1f s / %.1f s |%n",
                        sorted.get(sorted.size() / 2) / 1000.0, sorted.get((int) Math.min(sorted.size() - 1,
                                Math.ceil(sorted.size() * 0.95) - 1)) / 1000.0);
            }
            System.out.printf("| files left in staging | %d %s |%n", leftovers.size(), leftovers.isEmpty() ? "" : leftovers);
            failureReasons.forEach((reason, n) -> System.out.printf("| failed: %s | %d |%n", reason, n));
            System.out.println();
            System.out.println("Service logs: " + work);
            return lost == 0 && corrupt == 0 && duplicateBlobs == 0 && duplicateOutcomes == 0 ? 0 : 1;
        }
    }

    private static HttpResponse<String> call(String method, String url, String token, String body, Duration timeout)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        if (timeout != null) {
            request.timeout(timeout);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (timeout == null && response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }
}
