package io.backuprelay.chaos;

import io.backuprelay.format.archive.Engine;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.chaos.Audit.Fate;
import io.backuprelay.chaos.Audit.Source;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

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
 * injection's window is kept ({@link FaultSchedule}).
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

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ChaosOptions options;
    private final int minutes;
    private final int accounts;
    private final long seed;
    private final Random random;
    private final Path work;
    private final Path staging;
    private final StagingDisk disk;
    /** The network namespace one upload worker runs in, set up when the run starts (if allowed). */
    private final NetworkPartition partition = new NetworkPartition();
    private final List<String> findings = Collections.synchronizedList(new ArrayList<>());
    /** Each completed backup's copy, read back from the copy destination once the backups settled. */
    private List<CopyAudit.Copy> copied = List.of();
    private final Map<String, Integer> concurrentDumps = new ConcurrentHashMap<>();
    private final List<Verdict.Refusal> refusals = Collections.synchronizedList(new ArrayList<>());
    private final FaultSchedule schedule;
    private final ChaosServices services;
    private volatile boolean audited;
    private volatile boolean diskFaults;

    private ChaosRun(ChaosOptions options) throws Exception {
        this.options = options;
        this.minutes = Integer.parseInt(options.get("--minutes", "10"));
        this.accounts = Integer.parseInt(options.get("--accounts", "8"));
        this.seed = Long.parseLong(options.get("--seed", Long.toString(System.nanoTime() % 100_000)));
        this.random = new Random(seed);
        this.work = Files.createTempDirectory("backuprelay-chaos-");
        this.staging = work.resolve("staging");
        this.disk = new StagingDisk(staging);
        this.schedule = new FaultSchedule(seed, findings);
        this.services = new ChaosServices(options, work, staging, partition, schedule);
    }

    public static void main(String[] args) throws Exception {
        int code = new ChaosRun(ChaosOptions.parse(args)).run();
        System.exit(code);
    }

    private int run() throws Exception {
        int killEvery = options.seconds("--kill-every", 15);
        double storageFaults = options.share("--storage-faults", 0.05);
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
             BrokerProcess broker = BrokerProcess.start(Files.createDirectories(work.resolve("broker")), partition.hostAddress())) {
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
            ChaosCopies copies = new ChaosCopies(seed);
            services.start(broker, kafka, List.of(endpoint, copies.origin()), jwtSecret, consolePort, smtp.port());

            TokenMinter minter = new TokenMinter(jwtSecret.getBytes(StandardCharsets.UTF_8), null);
            String operator = minter.mint("chaos", null, null, Role.OPERATOR, Duration.ofHours(3));
            String base = "http://127.0.0.1:" + consolePort;
            List<String> accountIds = new ArrayList<>();
            Map<String, String> destinations = new HashMap<>();
            SampleAccount sample = new SampleAccount(HTTP, base);
            long throttle = Long.parseLong(options.get("--source-bytes-per-second", "262144"));
            for (int i = 0; i < accounts; i++) {
                boolean mariadb = i % 2 == 1;
                ScratchDatabase source = mariadb ? ScratchDatabase.mariadb() : ScratchDatabase.postgres();
                String account = "chaos-" + seed + "-" + i;
                int rows = 5_000 + random.nextInt(45_000);
                sources.put(account, new Source(account,
                        new SourceWriter(source, mariadb, rows, new Random(seed + i), Clock.systemUTC()).create()));
                TcpProxy far = TcpProxy.start(source.port(), seed + i).throttle(throttle);
                proxies.add(far);
                accountIds.add(account);
                String connection = sample.register(new SampleAccount.Account(account, "Chaos " + i, "en",
                                account + "@chaos.example", List.of(URI.create(endpoint).getScheme() + "://"
                                        + URI.create(endpoint).getAuthority(), copies.origin())),
                        new SampleAccount.Source((mariadb ? Engine.MARIADB : Engine.POSTGRESQL).label(), "127.0.0.1", far.port(),
                                source.name(), source.adminUser(), null),
                        new SampleAccount.Storage(endpoint, Azurite.ACCOUNT_NAME, Azurite.ACCOUNT_KEY, containerName,
                                "chaos", null),
                        operator, superadmin(minter, account));
                destinations.put(account, connection);
                copies.register(base, account, superadmin(minter, account));
                call("PUT", base + "/api/accounts/" + account + "/backup-settings", superadmin(minter, account),
                        copies.settings(account, "EVERY_7_DAYS", connection), null);
            }
            System.out.printf("chaos: %d accounts (%d on PostgreSQL, %d on MariaDB), sources throttled to %d KiB/s%n",
                    accounts, (accounts + 1) / 2, accounts / 2, throttle / 1024);

            storage.failShare(storageFaults, seed, Duration.ofSeconds(3));
            // A held answer (40 s: past the notifier's 30 s command timeout, within its end-of-data wait)
            // that a kill of the notifier or a cut of the mail server meets is a duplicate no client can
            // prevent: 1 % of connections held keeps those a fraction of the emails (docs/reliability.md).
            smtp.slowAfterData(options.share("--smtp-slow", 0.01), Duration.ofSeconds(40));
            List<Thread> faults = new ArrayList<>();
            faults.add(schedule.every("kills", killEvery, services::killOne));
            faults.add(schedule.every("freezes", options.seconds("--freeze-every", 90), services::freezeBroker));
            faults.add(schedule.every("smtp-down", options.seconds("--smtp-down-every", 300), r -> {
                Duration down = Duration.ofSeconds(10 + r.nextInt(31));
                Instant refused = Instant.now();
                smtp.refuseFor(down);
                schedule.window(new FaultWindow("smtp-down", refused, Instant.now()));
                schedule.count("mail server refusing connections (10 to 40 s)");
            }));
            try (Poison poison = new Poison(kafka)) {
                faults.add(schedule.every("poison", options.seconds("--poison-every", 20), r -> {
                    poison.inject();
                    schedule.count("poison records (malformed, unknown type, near 1 MB)");
                }));
                if (diskFaults) {
                    FaultLog diskLog = schedule.log();
                    faults.add(schedule.every("disk-full", options.seconds("--disk-full-every", 150), r -> disk.fill(r, diskLog)));
                }
                FaultLog log = schedule.log();
                if (partition.available()) {
                    faults.add(schedule.every("partition", options.seconds("--partition-every", 360),
                            r -> partition.partition(services.get(NetworkPartition.WORKER), r, log)));
                }
                List<FaultTarget> workers = List.of(services.get("dump-worker-1"), services.get("dump-worker-2"),
                        services.get("upload-worker-1"), services.get("upload-worker-2"));
                faults.add(schedule.every("zombie", options.seconds("--zombie-every", 300), r -> Zombie.inject(workers, r, log)));
                SourceSessionKill sessionKill = new SourceSessionKill(
                        () -> sources.values().stream().map(Source::database).toList());
                faults.add(schedule.every("session-kill", options.seconds("--session-kill-every", 180), r -> sessionKill.inject(r, log)));
                StorageThrottle throttling = new StorageThrottle(storage);
                faults.add(schedule.every("throttle", options.seconds("--throttle-every", 300), r -> throttling.inject(log)));
                // The watchdog goes on until the audit is done: the fault points stay armed while backups settle.
                Thread watchdog = Thread.ofPlatform().name("chaos-watchdog").daemon().start(() -> {
                    while (!audited) {
                        try {
                            services.watchdog();
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            findings.add("watchdog: " + e);
                        }
                    }
                });
                Set<String> sampled = sources.values().stream().map(Source::database)
                        .filter(db -> db.port() == 5432).map(ScratchDatabase::name).collect(Collectors.toSet());
                Thread sampler = Thread.ofVirtual().name("chaos-dump-sampler").start(() -> DumpSessionSampler.sample(sampled,
                        schedule.loadEnded(), concurrentDumps, findings::add));

                // The sources change during the whole run: a backup must hold what its source held at a moment of the backup.
                int writesPerSecond = options.seconds("--writes-per-second", 4);
                List<Thread> writers = sources.values().stream().map(source -> Thread.ofPlatform()
                        .name("chaos-writer-" + source.account()).start(() -> source.writer()
                                .run(schedule.loadEnded(), writesPerSecond, problem -> findings.add(problem)))).toList();

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
                schedule.endLoad();
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
                    String manual = copies.settings(account, "MANUAL", destinations.get(account));
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
                copied = CopyAudit.check(copies.store(), fates, CopyAudit.settle(new Audit(kafka), topics, fates,
                        Duration.ofMinutes(5)));
                try {
                    return report(new Audit(kafka), fates, container, sources, poison, storage, smtp);
                } finally {
                    audited = true;
                }
            }
        } finally {
            services.destroyAll();
            proxies.forEach(TcpProxy::close);
            sources.values().forEach(s -> s.database().close());
            if (diskFaults) {
                disk.unmount();
            }
        }
    }

    private String superadmin(TokenMinter minter, String account) {
        return minter.mint("admin-" + account, account + "@chaos.example", account, Role.SUPERADMIN, Duration.ofHours(3));
    }

    private int report(Audit audit, Map<String, Fate> fates, BlobContainerClient container, Map<String, Source> sources,
                       Poison poison, FaultProxy storage, TcpProxy smtp) throws Exception {
        Verdict.Limits limits = new Verdict.Limits(options.share("--min-completed", 0.9), options.seconds("--min-restores", 30),
                options.share("--restore-share", 0.10), options.share("--max-duplicate-emails", 0.01));
        long completed = fates.values().stream().filter(f -> f.settled() && f.last() instanceof BackupCompleted).count();
        List<FaultWindow> windows = schedule.windows();
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
                audit.deadLetterKeys(), services.unexpectedExits(), twoDumps, leftovers, List.copyOf(refusals), windows,
                List.copyOf(findings), copied);
        Verdict verdict = Verdict.judge(evidence, limits);
        Summary summary = new Summary(seed, minutes, accounts, options.values());
        summary.outcomes(fates, evidence, dumpSamples);
        summary.faults(schedule.injected(), storage, smtp, poison.byKindAndTopic(), schedule.recoveries());
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

    static HttpResponse<String> call(String method, String url, String token, String body, Duration timeout)
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
