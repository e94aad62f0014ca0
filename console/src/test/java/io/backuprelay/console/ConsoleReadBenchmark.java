package io.backuprelay.console;

import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.BrokerProbe;
import io.backuprelay.common.service.ServiceShell;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.data.ViewPosition;
import io.backuprelay.testkit.TestKafka;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * How fast the console answers the page's reads: the console as it runs in production (its views
 * of the compacted topics, a broker probe, token checks, the access log), a real broker in the
 * JVM, and closed-loop HTTP clients in the same JVM, each on its own connection. Prints one table
 * row per scenario ({@code | scenario | clients | requests/s | p50 | p99 |}); run as
 * {@code ./backuprelay bench console [seconds] | grep '^|'}.
 */
public final class ConsoleReadBenchmark {

    private static final String SECRET = "bench-secret-" + UUID.randomUUID();

    private ConsoleReadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Topics topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        ServiceShell shell = new ServiceShell("console", code -> System.err.println("exit " + code));
        ConsoleData data = new ConsoleData(kafka).start();
        data.components().forEach(shell::add);
        shell.add(new BrokerProbe(kafka).start());
        try (ConsoleServer console = new ConsoleServer(data, new ConsoleConfig("127.0.0.1", 0, SECRET, null, null),
                SecretSealer.ofBase64("k1", SecretSealer.newBase64Key()), Clock.systemUTC(), shell)) {
            TokenMinter minter = new TokenMinter(SECRET.getBytes(StandardCharsets.UTF_8), null);
            String operator = minter.mint("ops", null, null, Role.OPERATOR, Duration.ofHours(1));
            String base = "http://127.0.0.1:" + console.port();
            String account = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            HttpClient setup = HttpClient.newHttpClient();
            send(setup, "PUT", base + "/api/operator/accounts/" + account, operator, ConsoleCalls.accountJson("pw"), null);
            String superadmin = minter.mint("admin", "admin@bench.example", account, Role.SUPERADMIN, Duration.ofHours(1));
            String settings = base + "/api/accounts/" + account + "/backup-settings";
            HttpResponse<String> written = send(setup, "PUT", settings, superadmin,
                    "{\"backupType\":\"MANUAL\",\"notifyEmails\":[\"it@bench.example\"]}", null);
            String position = written.headers().firstValue(ViewPosition.HEADER).orElseThrow();
            while (send(setup, "GET", base + "/health/ready", null, null, null).statusCode() != 200) {
                Thread.sleep(200);
            }

            run("warm-up (not counted)", 8, 5, settings, superadmin, null);
            System.out.println("| scenario | clients | requests/s | p50 | p99 |");
            System.out.println("|---|---|---|---|---|");
            run("GET backup-settings", 1, seconds, settings, superadmin, null);
            run("GET backup-settings", 50, seconds, settings, superadmin, null);
            run("GET backup-settings presenting a write's position", 50, seconds, settings, superadmin, position);
            run("GET /health/ready", 1, seconds, base + "/health/ready", null, null);
            writeThenRead(setup, settings, superadmin, seconds);
        } finally {
            shell.close();
        }
    }

    /** Closed loop: each client sends its next request when the last one answered. */
    private static void run(String name, int clients, int seconds, String url, String token, String position)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<long[]> latencies = new ArrayList<>();
        int[] counts = new int[clients];
        AtomicLong failures = new AtomicLong();
        CountDownLatch done = new CountDownLatch(clients);
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            long[] own = new long[4_000_000 / clients];
            int index = c;
            latencies.add(own);
            Thread.ofPlatform().daemon().start(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                try {
                    while (System.nanoTime() < end && counts[index] < own.length) {
                        long t0 = System.nanoTime();
                        if (send(client, "GET", url, token, null, position).statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                        own[counts[index]++] = System.nanoTime() - t0;
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] all = IntStream.range(0, clients)
                .mapToObj(c -> Arrays.stream(latencies.get(c), 0, counts[c])).flatMapToLong(s -> s).sorted().toArray();
        if (!name.startsWith("warm-up")) {
            System.out.printf("| %s | %d | %,.0f | %.2f ms | %.2f ms |%s%n", name, clients, all.length / elapsed,
                    all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
                    failures.get() == 0 ? "" : " " + failures.get() + " failed");
        }
    }

    /** The writer's path: a PUT, then the GET that presents its position and must show it. */
    private static void writeThenRead(HttpClient client, String settings, String token, int seconds) throws Exception {
        List<Long> reads = new ArrayList<>();
        List<Long> writes = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        for (int i = 0; System.nanoTime() < end; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> put = send(client, "PUT", settings, token,
                    "{\"backupType\":\"MANUAL\",\"notifyEmails\":[\"n" + i + "@bench.example\"]}", null);
            long t1 = System.nanoTime();
            HttpResponse<String> get = send(client, "GET", settings, token, null,
                    put.headers().firstValue(ViewPosition.HEADER).orElseThrow());
            long t2 = System.nanoTime();
            if (!get.body().contains("n" + i + "@bench.example")) {
                throw new AssertionError("The read after write " + i + " did not show it: " + get.body());
            }
            writes.add(t1 - t0);
            reads.add(t2 - t1);
        }
        reads.sort(null);
        writes.sort(null);
        System.out.printf("| PUT backup-settings (waits for the broker's acknowledgement) | 1 | %,.0f | %.2f ms | %.2f ms |%n",
                writes.size() / (double) seconds, writes.get(writes.size() / 2) / 1e6,
                writes.get((int) (writes.size() * 0.99)) / 1e6);
        System.out.printf("| GET right after it, presenting its position (shows the write) | 1 | - | %.2f ms | %.2f ms |%n",
                reads.get(reads.size() / 2) / 1e6, reads.get((int) (reads.size() * 0.99)) / 1e6);
    }

    private static HttpResponse<String> send(HttpClient client, String method, String url, String token, String body,
                                             String position) throws Exception {
        return client.send(ConsoleCalls.request(method, url, token, body, position), HttpResponse.BodyHandlers.ofString());
    }
}
