package io.backuprelay.standalone;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.RestoreDrill;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.HeapMeter;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TcpProxy;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A backup from request to email through the whole pipeline (the standalone mode's services, the
 * in-JVM broker, Azurite, GreenMail), with the upload following the dump ({@code UPLOAD_OVERLAP=true},
 * the default) and without it, against the same work by hand: {@code pg_dump -Fc -Z0 | zstd -3} to a
 * file, then the SDK's {@code uploadFromFile} of that file. Alternating, on the same database.
 *
 * <p>With a rate, the storage path (every connection to Azurite, together) goes through a proxy
 * limited to that many MB a second, as real Azure from one VM would be.
 *
 * <p>Run: {@code ./backuprelay bench pipeline br_bench_1g [rounds] [MB/s, 0 = unthrottled] [crc64|md5]}
 * (docs/benchmarks.md).
 */
public final class PipelineBenchmark {

    public static void main(String[] args) throws Exception {
        String database = args.length > 0 ? args[0] : "br_bench_1g";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        long megabytesPerSecond = args.length > 2 ? Long.parseLong(args[2]) : 0;
        String checksum = args.length > 3 ? args[3] : "crc64";
        Path dir = Files.createTempDirectory("pipeline-bench");
        TcpProxy storage = TcpProxy.start(URI.create(Azurite.blobEndpoint()).getPort(), 1)
                .throttleTotal(megabytesPerSecond * 1_000_000);
        String endpoint = "http://127.0.0.1:" + storage.port() + "/" + Azurite.ACCOUNT_NAME;
        BlobContainerClient container = new BlobServiceClientBuilder().endpoint(endpoint)
                .credential(new StorageSharedKeyCredential(Azurite.ACCOUNT_NAME, Azurite.ACCOUNT_KEY))
                .buildClient().createBlobContainerIfNotExists("pipeline-bench");
        String masterKey = SecretSealer.newBase64Key();
        SecretSealer sealer = SecretSealer.ofBase64("k1", masterKey);
        TestSmtp.server();
        System.out.printf("Pipeline benchmark: %s, %d cores, max heap %d MB, storage %s, blocks with their %s%n", database,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                megabytesPerSecond == 0 ? "unthrottled" : "limited to " + megabytesPerSecond + " MB/s", checksum);

        Map<Boolean, Standalone> apps = new HashMap<>();
        Map<Boolean, String> accounts = new HashMap<>();
        try {
            for (boolean overlap : List.of(true, false)) {
                String prefix = TestKafka.uniquePrefix();
                Standalone app = TestStack.start(prefix, dir.resolve(overlap ? "on" : "off"), masterKey,
                        Map.of("UPLOAD_OVERLAP", Boolean.toString(overlap), "DUMP_MIN_FREE_MB", "0", "CONSOLE_PORT", "0",
                                "UPLOAD_BLOCK_CHECKSUM", checksum,
                                "BACKUPRELAY_ALLOWED_ENDPOINTS", "http://127.0.0.1:" + storage.port()));
                apps.put(overlap, app);
                String accountId = "bench-" + (overlap ? "on" : "off");
                accounts.put(overlap, accountId);
                KafkaProbe.send(app.topics().accounts(), accountId, Json.encode(new Account(accountId, "Bench", "en", "UTC",
                        List.of(accountId + "@bench.example"), new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1",
                        5432, database, "postgres", sealer.seal("", SecretContext.databasePassword(accountId,
                        Engine.POSTGRESQL, "127.0.0.1", 5432, database, "postgres"))),
                        List.of("http://127.0.0.1:" + storage.port()))));
                Connection connection = new Connection(accountId, "main", ConnectionType.AZURE_BLOB, "Bench",
                        Azurite.ACCOUNT_NAME, container.getBlobContainerName(), "bench",
                        sealer.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey(accountId, "main", endpoint,
                        Azurite.ACCOUNT_NAME, container.getBlobContainerName())), true, endpoint, null, null, null, null);
                KafkaProbe.send(app.topics().connections(), connection.key(), Json.encode(connection));
                // No restore drill: it would download and check each backup while the next round runs.
                KafkaProbe.send(app.topics().settings(), accountId, Json.encode(new BackupSettings(
                        accountId, BackupType.MANUAL, "main", List.of(), List.of(), null,
                        RestoreDrill.OFF)));
            }
            Thread.sleep(3000); // the views take the account and the connection in

            System.out.println("| round | dump by hand | upload by hand (uploadFromFile) | by hand, sum | pipeline, overlap"
                    + " | pipeline, no overlap | overlap / dump | overlap / max(dump, upload) | peak heap, overlap"
                + " | emulator CPU, overlap |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            for (int round = 1; round <= rounds; round++) {
                Path file = dir.resolve("by-hand.dump.zst");
                long start = System.nanoTime();
                sh("/usr/lib/postgresql/15/bin/pg_dump -Fc -Z0 -h 127.0.0.1 -U postgres " + database + " | zstd -q -3 -o " + file);
                double dump = seconds(start);
                long archive = Files.size(file);
                start = System.nanoTime();
                container.getBlobClient("by-hand/" + round + ".dump.zst").uploadFromFile(file.toString(), true);
                double upload = seconds(start);
                container.getBlobClient("by-hand/" + round + ".dump.zst").delete();
                Files.delete(file);

                Map<Boolean, Double> pipeline = new HashMap<>();
                long heapOverlap = 0;
                double emulatorCpu = 0;
                for (boolean overlap : round % 2 == 1 ? List.of(true, false) : List.of(false, true)) {
                    HeapMeter.resetPeaks();
                    double cpuBefore = emulatorCpuSeconds();
                    pipeline.put(overlap, backup(apps.get(overlap), accounts.get(overlap)));
                    if (overlap) {
                        heapOverlap = HeapMeter.peakHeap();
                        emulatorCpu = emulatorCpuSeconds() - cpuBefore;
                    }
                    for (var blob : container.listBlobs()) {
                        container.getBlobClient(blob.getName()).delete(); // Azurite keeps blobs in memory
                    }
                }
                System.out.printf("| %d | %.1f s (%,d MB archive) | %.1f s | %.1f s | %.1f s | %.1f s | %.2f | %.2f | %d MB"
                                + " | %.1f s |%n",
                        round, dump, archive >> 20, upload, dump + upload, pipeline.get(true), pipeline.get(false),
                        pipeline.get(true) / dump, pipeline.get(true) / Math.max(dump, upload), heapOverlap >> 20,
                        emulatorCpu);
            }
        } finally {
            apps.values().forEach(Standalone::close);
            storage.close();
        }
        System.exit(0);
    }

    /** Seconds from the request to its email. */
    private static double backup(Standalone app, String accountId) throws Exception {
        String admin = accountId + "@bench.example";
        int before = TestSmtp.messagesTo(admin).size();
        BackupRequested request = BackupRequested.manual(accountId, "main", admin, Instant.now());
        long start = System.nanoTime();
        KafkaProbe.send(app.topics().requests(), accountId, Json.encode(request));
        while (TestSmtp.messagesTo(admin).size() == before) {
            Thread.sleep(50);
            if (seconds(start) > 1800) {
                throw new IllegalStateException("No email within 30 minutes");
            }
        }
        double took = seconds(start);
        String subject = TestSmtp.messagesTo(admin).getLast().getSubject();
        if (!subject.startsWith("Database backup completed")) {
            throw new IllegalStateException("The backup did not complete: " + subject);
        }
        return took;
    }

    /** CPU time Azurite's process has used so far: the emulator shares this machine's cores with the dump. */
    private static double emulatorCpuSeconds() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(line -> line.contains("azurite-blob")).orElse(false))
                .mapToDouble(p -> p.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(0.0)).sum();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void sh(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed");
        }
    }
}
