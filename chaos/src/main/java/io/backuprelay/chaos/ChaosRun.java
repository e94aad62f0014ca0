package io.backuprelay.chaos;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.chaos.Audit.Fate;
import io.backuprelay.chaos.Audit.Source;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.fault.FaultPoints;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.SampleAccount;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.BrokerProcess;
import io.backuprelay.testkit.FaultProxy;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.ServiceJars;
import io.backuprelay.testkit.TcpProxy;
import io.backuprelay.testkit.TestSmtp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code ./backuprelay chaos [--minutes M] [--accounts N] [--seed S] [--kill-every S] [--storage-faults SHARE]
 * [--freeze-every S] [--smtp-down-every S] [--smtp-slow SHARE] [--poison-every S] [--disk-full-every S] [--day DURATION]
 * [--fault-points SHARE] [--mail-sent-point SHARE] [--writes-per-second N] [--min-completed SHARE] [--min-restores N]
 * [--restore-share SHARE] [--max-duplicate-emails SHARE] [--keep-summary DIR] [--source-bytes-per-second N] [--partition-every S] [--zombie-every S]
 * [--session-kill-every S] [--throttle-every S]}:
 * the system as separate OS processes on this machine, under faults, then an audit from outside.
 *
 * <p>It deploys a broker process, two dump workers, two upload workers, a notifier, a scheduler and
 * the console (each from its runnable jar, sized for 2 cores), Azurite behind {@link FaultProxy},
 * a mail server behind {@link TcpProxy}, and N source databases (PostgreSQL and MariaDB in turn),
 * each behind a throttling {@link TcpProxy} so that a dump takes seconds. Every account backs up
 * weekly on a day shortened to {@code --day} (the scheduler's {@code SCHEDULER_TEST_DAY_LENGTH}), and
 * manual backups are asked for through the console at random.
 *
 * <p>The faults, each on its own clock, all at once: SIGKILL of any service or of the broker, restarted
 * after a moment; SIGKILL at the named fault points ({@code --fault-points SHARE}); SIGSTOP of the broker for 5 to 20 s; a share of storage requests answered with 503,
 * 500, 429, a reset, no answer, or a cut answer; the mail server refusing connections for 10 to 40 s,
 * and a share of its answers to a message held back 40 s; bad records on every
 * topic; and the staging directory (a tmpfs of its own) filled to the last megabyte for 15 to 40 s.
 * And: a network partition of an upload worker, run in a network namespace of its own, for 20 to 90 s
 * ({@link NetworkPartition}); a dump or upload worker stopped past its consumer session, then resumed
 * ({@link Zombie}); the source database killing a dump's session ({@link SourceSessionKill}); and a
 * minute of storage throttling, 503 ServerBusy and 429 in turn ({@link StorageThrottle}). Each
 * injection's window is kept in {@code faultWindows}.
 *
 * <p>Meanwhile a {@link SourceWriter} changes every source and logs each change. The audit ({@link Audit}
 * collects, {@link Verdict} judges): every backup asked for has exactly one final outcome; every completed
 * backup's blob is read back whole with its outcome's SHA-256, and no blob is stored twice or unaccounted
 * for; at least 10 % of completed backups and at least 30, across the run, are restored and compared in
 * full with what the writer's log says their source held at a moment of the backup; each settled backup
 * has the email of its own outcome; the poison records are on the dead-letter topic; no service exited by
 * itself; no account had two dumps at once; nothing is left over; every refused request is explained;
 * enough backups completed. Any finding of any kind exits 1; the report is kept as {@link Summary}.
 */
public final class ChaosRun {

    private static final List<String> SERVICES = List.of("dump-worker-1", "dump-worker-2", "upload-worker-1",
            "upload-worker-2", "notifier", "scheduler", "console");
    private static final String BROKER = "broker";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, String> options;
    private final int minutes;
    private final int accounts;
    private final long seed;
    private final Random random;
    private final Path work;
    private final Path staging;
    private final StagingDisk disk;
    private final Map<String, ServiceProcess> services = new ConcurrentHashMap<>();
    private final ReentrantLock brokerLock = new ReentrantLock();
    private final Map<String, Integer> injected = new ConcurrentHashMap<>();
    private final Map<String, List<Duration>> recoveries = new ConcurrentHashMap<>();
    /** The network namespace one upload worker runs in, set up when the run starts (if allowed). */
    private final NetworkPartition partition = new NetworkPartition();
    private final List<String> unexpectedExits = Collections.synchronizedList(new ArrayList<>());
    private final List<String> findings = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> concurrentDumps = new ConcurrentHashMap<>();
    private final List<Verdict.Refusal> refusals = Collections.synchronizedList(new ArrayList<>());
    /** Every fault injected, from start to end: restores and refusals are judged against them. */
    final List<FaultWindow> faultWindows = Collections.synchronizedList(new ArrayList<>());
    /** Counted down when the load is over: the faults stop at once, not after their next wait. */
    private final java.util.concurrent.CountDownLatch loadEnded = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean audited;
    private volatile boolean diskFaults;
    private volatile boolean started; // once every service was ready: from then on the watchdog restarts what exits
    private BrokerProcess broker;

    private ChaosRun(Map<String, String> options) throws Exception {
        this.options = options;
        this.minutes = Integer.parseInt(options.getOrDefault("--minutes", "10"));
        this.accounts = Integer.parseInt(options.getOrDefault("--accounts", "8"));
        this.seed = Long.parseLong(options.getOrDefault("--seed", Long.toString(System.nanoTime() % 100_000)));
        this.random = new Random(seed);
        this.work = Files.createTempDirectory("backuprelay-chaos-");
        this.staging = work.resolve("staging");
        this.disk = new StagingDisk(staging);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        int code = new ChaosRun(options).run();
        System.exit(code);
    }

    private int seconds(String option, int otherwise) {
        return Integer.parseInt(options.getOrDefault(option, Integer.toString(otherwise)));
    }

    private double share(String option, double otherwise) {
        return Double.parseDouble(options.getOrDefault(option, Double.toString(otherwise)));
    }

    /** A service's process, restarted with the same environment (and, for one worker, inside the network namespace). */
    private final class ServiceProcess implements FaultTarget {
        final String name;
        final String module;
        final Map<String, String> env;
        final int port;
        final String host; // where its health endpoint listens
        final List<String> prefix; // what it runs through: ip netns exec, or nothing
        volatile Process process;
        volatile boolean down; // killed on purpose, being restarted, or held by a fault of its own

        ServiceProcess(String name, String module, Map<String, String> env, int port) {
            this(name, module, env, port, "127.0.0.1", List.of());
        }

        ServiceProcess(String name, String module, Map<String, String> env, int port, String host, List<String> prefix) {
            this.name = name;
            this.module = module;
            this.env = env;
            this.port = port;
            this.host = host;
            this.prefix = prefix;
        }

        void start() throws Exception {
            process = ServiceJars.start(prefix, jar(module), env, work.resolve(name + ".log"),
                    "-Xmx160m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:ActiveProcessorCount=1",
                    "-Djava.io.tmpdir=" + work.resolve("tmp"), "--enable-native-access=ALL-UNNAMED");
        }

        @Override
        public boolean ready() {
            return ServiceJars.ready(host, port);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Process process() {
            return process;
        }

        @Override
        public Map<String, String> env() {
            return env;
        }

        @Override
        public synchronized boolean hold() {
            if (down || process == null || !process.isAlive()) {
                return false;
            }
            down = true;
            return true;
        }

        @Override
        public synchronized void release() {
            down = false;
        }
    }

    /**
     * The module's runnable jar with its {@code lib/} (its manifest's class path), copied into the run's
     * work directory the first time: a build running beside the harness (the test suite) rewrites
     * {@code target/}, and a service restarted from a jar being rewritten would not start.
     */
    private Path jar(String module) throws Exception {
        Path built = ServiceJars.runnableJar(module);
        Path dir = work.resolve("jars").resolve(module);
        Path copy = dir.resolve(built.getFileName());
        synchronized (this) {
            if (!Files.exists(copy)) {
                Path lib = Files.createDirectories(dir.resolve("lib"));
                try (var libraries = Files.list(built.resolveSibling("lib"))) {
                    for (Path library : libraries.toList()) {
                        Files.copy(library, lib.resolve(library.getFileName()));
                    }
                }
                Files.copy(built, copy);
            }
        }
        return copy;
    }

    private int run() throws Exception {
        int killEvery = seconds("--kill-every", 15);
        double storageFaults = share("--storage-faults", 0.05);
        System.out.printf("chaos: %d min, %d accounts, seed %d, a kill every %d s, %.0f %% storage faults; work in %s%n",
                minutes, accounts, seed, killEvery, storageFaults * 100, work);
        Files.createDirectories(work.resolve("tmp"));
        Files.createDirectories(staging);
        diskFaults = disk.mount();
        Topics topics = new Topics("chaos" + seed + ".");
        Map<String, Source> sources = new LinkedHashMap<>();
        List<TcpProxy> proxies = new ArrayList<>();
        // The broker and the storage proxy listen where the partitioned worker's namespace reaches them too.
        try (NetworkPartition namespace = partition.setUp();
             BrokerProcess started = BrokerProcess.start(Files.createDirectories(work.resolve("broker")), partition.hostAddress())) {
            broker = started;
            KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), topics);
            TopicProvisioner.ensureTopics(kafka, 4, (short) 1);
            FaultProxy storage = FaultProxy.start(Azurite.blobEndpoint(), partition.hostAddress());
            String endpoint = storage.endpointFor(Azurite.blobEndpoint());
            String containerName = "chaos-" + seed;
            BlobContainerClient container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString())
                    .buildClient().getBlobContainerClient(containerName);
            container.createIfNotExists();
            TcpProxy smtp = TcpProxy.start(TestSmtp.port(), seed);
            proxies.add(smtp);
            String jwtSecret = "chaos-secret-" + UUID.randomUUID();
            int consolePort = ServiceJars.freePort();
            startServices(kafka, endpoint, jwtSecret, consolePort, smtp.port());

            TokenMinter minter = new TokenMinter(jwtSecret.getBytes(StandardCharsets.UTF_8), null);
            String operator = minter.mint("chaos", null, null, Role.OPERATOR, Duration.ofHours(3));
            String base = "http://127.0.0.1:" + consolePort;
            List<String> accountIds = new ArrayList<>();
            Map<String, String> destinations = new HashMap<>();
            SampleAccount sample = new SampleAccount(HTTP, base);
            long throttle = Long.parseLong(options.getOrDefault("--source-bytes-per-second", "262144"));
            for (int i = 0; i < accounts; i++) {
                boolean mariadb = i % 2 == 1;
                ScratchDatabase source = mariadb ? ScratchDatabase.mariadb() : ScratchDatabase.postgres();
                String account = "chaos-" + seed + "-" + i;
                int rows = 5_000 + random.nextInt(45_000);
                sources.put(account, new Source(account,
                        new SourceWriter(source, mariadb, rows, new Random(seed + i), java.time.Clock.systemUTC()).create()));
                TcpProxy far = TcpProxy.start(source.port(), seed + i).throttle(throttle);
                proxies.add(far);
                accountIds.add(account);
                String connection = sample.register(new SampleAccount.Account(account, "Chaos " + i, "en",
                                account + "@chaos.example", List.of(URI.create(endpoint).getScheme() + "://"
                                        + URI.create(endpoint).getAuthority())),
                        new SampleAccount.Source(mariadb ? "MARIADB" : "POSTGRESQL", "127.0.0.1", far.port(),
                                source.name(), source.adminUser(), null),
                        new SampleAccount.Storage(endpoint, Azurite.ACCOUNT_NAME, Azurite.ACCOUNT_KEY, containerName,
                                "chaos", null),
                        operator, superadmin(minter, account));
                destinations.put(account, connection);
            }
            System.out.printf("chaos: %d accounts (%d on PostgreSQL, %d on MariaDB), sources throttled to %d KiB/s%n",
                    accounts, (accounts + 1) / 2, accounts / 2, throttle / 1024);

            storage.failShare(storageFaults, seed, Duration.ofSeconds(3));
            // A held answer (40 s: past the notifier's 30 s command timeout, within its end-of-data wait)
            // that a kill of the notifier or a cut of the mail server meets is a duplicate no client can
            // prevent: 1 % of connections held keeps those a fraction of the emails (docs/reliability.md).
            smtp.slowAfterData(share("--smtp-slow", 0.01), Duration.ofSeconds(40));
            List<Thread> faults = new ArrayList<>();
            faults.add(every("kills", killEvery, this::killOne));
            faults.add(every("freezes", seconds("--freeze-every", 90), this::freezeBroker));
            faults.add(every("smtp-down", seconds("--smtp-down-every", 300), r -> {
                Duration down = Duration.ofSeconds(10 + r.nextInt(31));
                Instant refused = Instant.now();
                smtp.refuseFor(down);
                faultWindows.add(new FaultWindow("smtp-down", refused, Instant.now()));
                count("mail server refusing connections (10 to 40 s)");
            }));
            try (Poison poison = new Poison(kafka)) {
                faults.add(every("poison", seconds("--poison-every", 20), r -> {
                    poison.inject();
                    count("poison records (malformed, unknown type, near 1 MB)");
                }));
                if (diskFaults) {
                    FaultLog diskLog = new FaultLog(this::count, this::recovered, faultWindows::add);
                    faults.add(every("disk-full", seconds("--disk-full-every", 150), r -> disk.fill(r, diskLog)));
                }
                FaultLog log = new FaultLog(this::count, this::recovered, faultWindows::add);
                if (partition.available()) {
                    faults.add(every("partition", seconds("--partition-every", 360),
                            r -> partition.partition(services.get(NetworkPartition.WORKER), r, log)));
                }
                List<FaultTarget> workers = List.of(services.get("dump-worker-1"), services.get("dump-worker-2"),
                        services.get("upload-worker-1"), services.get("upload-worker-2"));
                faults.add(every("zombie", seconds("--zombie-every", 300), r -> Zombie.inject(workers, r, log)));
                SourceSessionKill sessionKill = new SourceSessionKill(
                        () -> sources.values().stream().map(Source::database).toList());
                faults.add(every("session-kill", seconds("--session-kill-every", 180), r -> sessionKill.inject(r, log)));
                StorageThrottle throttling = new StorageThrottle(storage);
                faults.add(every("throttle", seconds("--throttle-every", 300), r -> throttling.inject(log)));
                // The watchdog goes on until the audit is done: the fault points stay armed while backups settle.
                Thread watchdog = Thread.ofPlatform().name("chaos-watchdog").daemon().start(() -> {
                    while (!audited) {
                        try {
                            watchdog();
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            findings.add("watchdog: " + e);
                        }
                    }
                });
                java.util.Set<String> sampled = sources.values().stream().map(Source::database)
                        .filter(db -> db.port() == 5432).map(ScratchDatabase::name).collect(java.util.stream.Collectors.toSet());
                Thread sampler = Thread.ofVirtual().name("chaos-dump-sampler").start(() -> DumpSessionSampler.sample(sampled,
                        loadEnded, concurrentDumps, findings::add));

                // The sources change during the whole run: a backup must hold what its source held at a moment of the backup.
                int writesPerSecond = seconds("--writes-per-second", 4);
                List<Thread> writers = sources.values().stream().map(source -> Thread.ofPlatform()
                        .name("chaos-writer-" + source.account()).start(() -> source.writer()
                                .run(loadEnded, writesPerSecond, problem -> findings.add(problem)))).toList();

                Map<String, String> asked = new LinkedHashMap<>(); // backupId → account, manual requests that were accepted
                Instant end = Instant.now().plus(Duration.ofMinutes(minutes));
                while (Instant.now().isBefore(end)) {
                    String account = accountIds.get(random.nextInt(accountIds.size()));
                    Instant at = Instant.now();
                    try {
                        HttpResponse<String> answer = call("POST", base + "/api/accounts/" + account + "/backups",
                                superadmin(minter, account), null, Duration.ofSeconds(5));
                        if (answer.statusCode() == 202) {
                            asked.put(Json.mapper().readTree(answer.body()).get("backupId").asText(), account);
                        } else {
                            refusals.add(new Verdict.Refusal(at, answer.statusCode(), abbreviate(answer.body())));
                        }
                    } catch (Exception consoleDown) {
                        refusals.add(new Verdict.Refusal(at, 0, abbreviate(consoleDown.toString())));
                    }
                    Thread.sleep(1000 + random.nextInt(3000));
                }
                loadEnded.countDown();
                for (Thread fault : faults) {
                    fault.join();
                }
                for (Thread writer : writers) {
                    writer.join();
                }
                sampler.join();
                storage.failShare(0, seed);
                smtp.slowAfterData(0, Duration.ZERO);
                disk.empty();
                // No new scheduled backups from here: every account turns to manual backups, as its
                // super-administrator would. The scheduler goes on recording outcomes: the dump workers
                // sweep a superseded archive once it has recorded its backup as succeeded.
                for (String account : accountIds) {
                    String manual = "{\"backupType\":\"MANUAL\",\"destinationConnectionId\":\"" + destinations.get(account) + "\"}";
                    long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    while (!accepted("PUT", base + "/api/accounts/" + account + "/backup-settings", superadmin(minter, account),
                            manual)) {
                        if (System.nanoTime() > until) {
                            throw new IllegalStateException("The console did not take " + account + "'s manual settings");
                        }
                        Thread.sleep(1000); // a console killed a moment ago answers again within seconds
                    }
                }
                System.out.printf("chaos: load over: %d manual backups accepted (%d requests refused or unanswered), %d"
                        + " changes written to the sources; waiting for every backup to settle%n", asked.size(), refusals.size(),
                        sources.values().stream().mapToLong(source -> source.writer().changes()).sum());
                Map<String, Fate> fates = Settling.settle(new Audit(kafka), asked);
                try {
                    return report(new Audit(kafka), fates, container, sources, poison, storage, smtp);
                } finally {
                    audited = true;
                }
            }
        } finally {
            services.values().forEach(s -> {
                if (s.process != null) {
                    s.process.destroyForcibly();
                }
            });
            proxies.forEach(TcpProxy::close);
            sources.values().forEach(s -> s.database().close());
            if (diskFaults) {
                disk.unmount();
            }
        }
    }

    /** A fault that runs on its own clock until the load is over. */
    private interface Fault {
        void inject(Random random) throws Exception;
    }

    private Thread every(String name, int everySeconds, Fault fault) {
        Random own = new Random(seed ^ name.hashCode());
        return Thread.ofPlatform().name("chaos-" + name).start(() -> {
            if (everySeconds <= 0) {
                return;
            }
            while (true) {
                try {
                    long wait = everySeconds * 1000L / 2 + own.nextInt(everySeconds * 1000);
                    if (loadEnded.await(wait, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        return;
                    }
                    fault.inject(own);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    findings.add(name + ": " + e);
                    System.out.println("chaos: " + name + " failed: " + e);
                }
            }
        });
    }

    private void count(String kind) {
        injected.merge(kind, 1, Integer::sum);
    }

    private void recovered(String kind, Instant since) {
        recoveries.computeIfAbsent(kind, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(Duration.between(since, Instant.now()));
    }

    private String superadmin(TokenMinter minter, String account) {
        return minter.mint("admin-" + account, account + "@chaos.example", account, Role.SUPERADMIN, Duration.ofHours(3));
    }

    private void startServices(KafkaSettings kafka, String endpoint, String jwtSecret, int consolePort, int smtpPort)
            throws Exception {
        String masterKey = SecretSealer.newBase64Key();
        String allowed = URI.create(endpoint).getScheme() + "://" + URI.create(endpoint).getAuthority();
        Map<String, String> common = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "BACKUPRELAY_TOPIC_PREFIX", kafka.topics().prefix(),
                "BACKUPRELAY_CREATE_TOPICS", "false",
                "BACKUPRELAY_MASTER_KEY", masterKey,
                "BACKUPRELAY_ALLOWED_ENDPOINTS", allowed,
                "BACKUPRELAY_STAGING_DIR", staging.toString(),
                "SERVICE_HOST", "127.0.0.1"));
        Map<String, Map<String, String>> own = new LinkedHashMap<>();
        own.put("scheduler", Map.of("SCHEDULER_STATE_DIR", work.resolve("scheduler-state").toString(),
                "SCHEDULER_TEST_DAY_LENGTH", options.getOrDefault("--day", "PT10S"), "SCHEDULER_TICK_INTERVAL", "PT2S"));
        // The named fault points kill a process where a crash hurts most (FaultPoints), a share of the times they are reached.
        String points = options.getOrDefault("--fault-points", "0.03");
        // Each kill right after a send is a duplicate email no protocol can prevent: a small share keeps such
        // duplicates a fraction of the emails, while still reaching the point in a long run.
        String mailPoint = options.getOrDefault("--mail-sent-point", "0.001");
        String armed = FaultPoints.DUMP_WRITTEN + "=" + points + "," + FaultPoints.BLOB_COMMITTED + "=" + points + ","
                + FaultPoints.MAIL_SENT + "=" + mailPoint;
        own.put("dump-worker-1", Map.of("BACKUPRELAY_INSTANCE_ID", "dump-1", "DUMP_MIN_FREE_MB", "64",
                "DUMP_SUPERSEDED_AGE", "PT30S", "BACKUPRELAY_FAULT_POINTS", armed));
        own.put("dump-worker-2", Map.of("BACKUPRELAY_INSTANCE_ID", "dump-2", "DUMP_MIN_FREE_MB", "64",
                "DUMP_SUPERSEDED_AGE", "PT30S", "BACKUPRELAY_FAULT_POINTS", armed));
        own.put("upload-worker-1", Map.of("BACKUPRELAY_INSTANCE_ID", "upload-1", "UPLOAD_RETRY_BUDGET", "PT10M",
                "BACKUPRELAY_FAULT_POINTS", armed));
        own.put("upload-worker-2", Map.of("BACKUPRELAY_INSTANCE_ID", "upload-2", "UPLOAD_RETRY_BUDGET", "PT10M",
                "BACKUPRELAY_FAULT_POINTS", armed));
        own.put("notifier", Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(smtpPort),
                "SMTP_SECURITY", "NONE", "SMTP_FROM", "backups@chaos.example", "BACKUPRELAY_INSTANCE_ID", "notifier-1",
                "BACKUPRELAY_FAULT_POINTS", armed));
        own.put("console", Map.of("CONSOLE_HOST", "127.0.0.1", "CONSOLE_PORT", Integer.toString(consolePort),
                "CONSOLE_JWT_SECRET", jwtSecret, "CONSOLE_MANUAL_BACKUPS_PER_DAY", "1000"));
        for (var entry : own.entrySet()) {
            Map<String, String> env = new HashMap<>(common);
            env.putAll(entry.getValue());
            int port = ServiceJars.freePort();
            env.put("SERVICE_PORT", Integer.toString(port));
            ServiceProcess service = new ServiceProcess(entry.getKey(), entry.getKey().replaceAll("-\\d$", ""), env, port);
            if (entry.getKey().equals(NetworkPartition.WORKER) && partition.available()) {
                // Inside the namespace: the broker's listener on the host end, its health endpoint on the namespace's address.
                env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(partition.hostAddress()));
                env.put("SERVICE_HOST", NetworkPartition.INNER_ADDRESS);
                service = new ServiceProcess(entry.getKey(), service.module, env, port, NetworkPartition.INNER_ADDRESS,
                        partition.commandPrefix());
            }
            service.start();
            services.put(entry.getKey(), service);
        }
        for (ServiceProcess service : services.values()) {
            awaitReady(service, Duration.ofMinutes(3));
        }
        started = true;
        System.out.println("chaos: " + services.size() + " service processes ready");
    }

    /** SIGKILL of a service or of the broker, chosen at random; it is started again after 0.5 to 3 s. */
    private void killOne(Random r) throws Exception {
        List<String> victims = new ArrayList<>(SERVICES);
        victims.add(BROKER);
        String name = victims.get(r.nextInt(victims.size()));
        Duration pause = Duration.ofMillis(500 + r.nextInt(2500));
        if (name.equals(BROKER)) {
            brokerLock.lock();
            try {
                Instant killed = Instant.now();
                broker.kill();
                count("SIGKILL broker");
                Thread.sleep(pause);
                broker.restart();
                awaitAllReady(Duration.ofMinutes(5));
                recovered("SIGKILL of the broker (kill to every service ready)", killed);
                faultWindows.add(new FaultWindow("kill broker", killed, Instant.now()));
            } finally {
                brokerLock.unlock();
            }
            return;
        }
        ServiceProcess victim = services.get(name);
        if (!victim.hold()) {
            return; // being restarted (the scheduler at the end), or held by another fault
        }
        try {
            Instant killed = Instant.now();
            new ProcessBuilder("kill", "-9", Long.toString(victim.process.pid())).start().waitFor();
            victim.process.waitFor();
            count("SIGKILL " + name.replaceAll("-\\d$", ""));
            Thread.sleep(pause);
            victim.start();
            awaitReady(victim, Duration.ofMinutes(5));
            recovered("SIGKILL of a service (kill to ready)", killed);
            faultWindows.add(new FaultWindow("kill " + name, killed, Instant.now()));
        } finally {
            victim.release();
        }
    }

    /** SIGSTOP of the broker for 5 to 20 s: it keeps its sockets and answers nothing, as a frozen VM would. */
    private void freezeBroker(Random r) throws Exception {
        brokerLock.lock();
        try {
            Duration pause = Duration.ofSeconds(5 + r.nextInt(16));
            Instant frozen = Instant.now();
            broker.freeze();
            Thread.sleep(pause);
            broker.thaw();
            Instant thawed = Instant.now();
            faultWindows.add(new FaultWindow("freeze broker", frozen, thawed));
            count("SIGSTOP broker (5 to 20 s)");
            awaitAllReady(Duration.ofMinutes(5));
            recovered("SIGSTOP of the broker (SIGCONT to every service ready)", thawed);
        } finally {
            brokerLock.unlock();
        }
    }

    /**
     * A service killed at a fault point is started again, and counted; one that ended otherwise
     * without being killed is a finding, and is started again too.
     */
    private void watchdog() throws Exception {
        for (ServiceProcess service : services.values()) {
            if (!service.down && service.process != null && !service.process.isAlive()) {
                Instant ended = Instant.now();
                String point = haltedAt(service);
                if (point != null) {
                    count("SIGKILL at fault point " + point);
                } else {
                    String exit = service.name + " exited by itself with code " + service.process.exitValue() + " at " + ended;
                    unexpectedExits.add(exit);
                    System.out.println("chaos: " + exit + "; starting it again");
                }
                service.down = true;
                try {
                    service.start();
                    awaitReady(service, Duration.ofMinutes(5));
                    if (point != null) {
                        recovered("SIGKILL at a fault point (exit to ready)", ended);
                        faultWindows.add(new FaultWindow("fault point " + point + " " + service.name, ended, Instant.now()));
                    }
                } finally {
                    service.down = false;
                }
            }
        }
    }

    /** The fault point a service's last lines name, if it was killed at one. */
    private String haltedAt(ServiceProcess service) throws IOException {
        if (service.process.exitValue() != FaultPoints.EXIT_CODE) {
            return null;
        }
        List<String> lines = Files.readAllLines(work.resolve(service.name + ".log"), StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= Math.max(0, lines.size() - 30); i--) {
            java.util.regex.Matcher halted = HALTED.matcher(lines.get(i));
            if (halted.find()) {
                return halted.group(1);
            }
        }
        return null;
    }

    private static final java.util.regex.Pattern HALTED = java.util.regex.Pattern.compile("fault point (\\S+) reached");

    private void awaitAllReady(Duration within) throws InterruptedException {
        for (ServiceProcess service : services.values()) {
            if (!service.down) {
                awaitReady(service, within);
            }
        }
    }

    private void awaitReady(ServiceProcess service, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!service.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(service.name + " was not ready after " + within + "; see its log");
            }
            if (!service.process.isAlive() && !started) {
                throw new IllegalStateException(service.name + " exited with code " + service.process.exitValue()
                        + " before it was ready; see its log");
            }
            Thread.sleep(250);
        }
    }

    private int report(Audit audit, Map<String, Fate> fates, BlobContainerClient container, Map<String, Source> sources,
                       Poison poison, FaultProxy storage, TcpProxy smtp) throws Exception {
        Verdict.Limits limits = new Verdict.Limits(share("--min-completed", 0.9), seconds("--min-restores", 30),
                share("--restore-share", 0.10), share("--max-duplicate-emails", 0.01));
        long completed = fates.values().stream().filter(f -> f.settled() && f.last() instanceof BackupCompleted).count();
        List<FaultWindow> windows = List.copyOf(faultWindows);
        List<String> leftovers = new ArrayList<>();
        Audit.files(staging, List.of(StagingDisk.FILLER)).forEach(f -> leftovers.add("left in staging: " + f));
        Audit.files(work.resolve("tmp").resolve("backuprelay-credentials"), List.of())
                .forEach(f -> leftovers.add("credential file left: " + f));
        Audit.dumpTools().forEach(t -> leftovers.add("dump tool still running: " + t));
        Map<String, Integer> twoDumps = new TreeMap<>(concurrentDumps);
        int dumpSamples = twoDumps.getOrDefault(SAMPLES_WITH_A_DUMP, 0);
        twoDumps.remove(SAMPLES_WITH_A_DUMP);
        Verdict.Evidence evidence = new Verdict.Evidence(fates, Audit.stored(container, fates), Audit.blobs(container, fates),
                Audit.restoreSample(container, fates, sources, limits.restoresFor(completed), windows), Audit.received(smtp.answersLost()),
                poison.keysOnJobTopics(),
                audit.deadLetterKeys(), List.copyOf(unexpectedExits), twoDumps, leftovers, List.copyOf(refusals), windows,
                List.copyOf(findings));
        Verdict verdict = Verdict.judge(evidence, limits);
        Summary summary = new Summary(seed, minutes, accounts, options);
        summary.outcomes(fates, evidence, dumpSamples);
        summary.faults(new TreeMap<>(injected), storage, smtp, poison.byKindAndTopic(), recoveries);
        summary.refusals(evidence.refusals(), windows);
        summary.verdict(verdict);
        System.out.println();
        System.out.println(summary.markdown());
        summary.write(work.resolve("summary.md"), work.resolve("summary.json"));
        String keep = options.get("--keep-summary");
        if (keep != null) {
            Path dir = Files.createDirectories(Path.of(keep));
            summary.write(dir.resolve("summary.md"), dir.resolve("summary.json"));
            System.out.println("Summary kept in " + dir);
        }
        System.out.println("Service logs: " + work);
        return verdict.exitCode();
    }

    static final String SAMPLES_WITH_A_DUMP = "samples with a dump";

    private static String abbreviate(String text) {
        String line = String.valueOf(text).replaceAll("\\s+", " ").strip();
        return line.length() <= 160 ? line : line.substring(0, 160) + "…";
    }

    /** Whether the console took the request now (a console being restarted does not answer). */
    private static boolean accepted(String method, String url, String token, String body) throws InterruptedException {
        try {
            return call(method, url, token, body, Duration.ofSeconds(10)).statusCode() / 100 == 2;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception notNow) {
            return false;
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
