package io.backuprelay.upload.azure;

import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobTarget;
import io.backuprelay.blob.Crc64Nvme;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.blob.block.ArchiveFile;
import io.backuprelay.blob.block.BlobUploader;
import io.backuprelay.blob.block.Occupant;
import io.backuprelay.blob.block.UploadedBlob;
import io.backuprelay.testkit.HeapMeter;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.testkit.Azurite;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The upload worker's block upload (8 MiB blocks with their CRC-64/NVME, 4 in parallel; and with their
 * MD5, the fallback) against a plain
 * {@code BlobClient.uploadFromFile} with the SDK's defaults, on the same Azurite, alternating; and
 * the worker's peak heap. Archives are zstd output, so the test file is random bytes.
 *
 * <p>Run: {@code ./backuprelay bench upload SIZE_MB [rounds] [compare]}.
 */
public final class UploadBenchmark {

    /** The emulator's origin is allowed beyond Azure's hosts, as a service's settings would list it. */
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(Azurite.origin()));

    private static final BlobCredential KEY =
            BlobCredential.accountKey(Azurite.ACCOUNT_KEY);

    /** Each round's blobs have names of their own. */
    private static final Occupant.Rule NEVER_OVERWRITE = found -> Occupant.KEPT;

    public static void main(String[] args) throws Exception {
        long sizeMb = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean compare = args.length <= 2 || Boolean.parseBoolean(args[2]);
        Path file = Files.createTempFile("upload-bench", ".archive");
        try {
            write(file, sizeMb << 20);
            long size = Files.size(file);
            String sha256 = sha256Of(file);
            System.out.printf("Upload benchmark: %,d MB archive, %d blocks in parallel, JVM %s, %d cores, max heap %d MB%n", sizeMb, Integer.getInteger("concurrency", 4),
                    Runtime.version(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
            BlobContainerClient container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString())
                    .buildClient().createBlobContainerIfNotExists("bench-" + UUID.randomUUID().toString().substring(0, 8));
            Connection connection = new Connection("bench", "main", ConnectionType.AZURE_BLOB, "d", Azurite.ACCOUNT_NAME,
                    container.getBlobContainerName(), "", new SealedSecret("k1", "x"), true, Azurite.blobEndpoint(),
                    null, null, null, null);
            BlobUploader uploader = new BlobUploader(ACCESS, Integer.getInteger("concurrency", 4));
            BlobUploader md5Uploader = new BlobUploader(ACCESS, Integer.getInteger("concurrency", 4),
                    AzureBlobStore.BlockChecksum.MD5);
            checksumCost();
            for (int round = 1; round <= rounds; round++) {
                double sdkSeconds = Double.NaN;
                if (compare) {
                    long start = System.nanoTime();
                    container.getBlobClient("sdk-" + round).uploadFromFile(file.toString(), true);
                    sdkSeconds = (System.nanoTime() - start) / 1e9;
                    container.getBlobClient("sdk-" + round).delete();
                }
                HeapMeter.resetPeaks();
                long start = System.nanoTime();
                UploadedBlob blob = uploader.upload(new BlobTarget(connection, KEY, "worker-" + round),
                        new ArchiveFile(UUID.randomUUID().toString(), file, size, sha256, Map.of()), NEVER_OVERWRITE);
                double ours = (System.nanoTime() - start) / 1e9;
                long peak = HeapMeter.peakHeap();
                container.getBlobClient("worker-" + round).delete();
                start = System.nanoTime();
                md5Uploader.upload(new BlobTarget(connection, KEY, "md5-" + round),
                        new ArchiveFile(UUID.randomUUID().toString(), file, size, sha256, Map.of()), NEVER_OVERWRITE);
                double md5 = (System.nanoTime() - start) / 1e9;
                container.getBlobClient("md5-" + round).delete();
                System.out.printf("round %d: SDK uploadFromFile (defaults) %s; upload worker, CRC64 %.1f s (%.0f MB/s, %,d"
                                + " bytes, verified size %,d, %s), ratio %s; with MD5 %.1f s; worker peak heap %d MB%n",
                        round, compare ? "%.1f s".formatted(sdkSeconds) : "not run", ours, size / 1e6 / ours,
                        blob.bytesSent(), blob.size(), blob.blockChecks(),
                        compare ? "%.2f".formatted(sdkSeconds / ours) : "-", md5, peak >> 20);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        System.exit(0);
    }

    /** One core's time per GiB for each block checksum, on 8 MiB blocks in memory. */
    private static void checksumCost() throws Exception {
        byte[] block = new byte[8 << 20];
        new Random(5).nextBytes(block);
        for (int warm = 0; warm < 2; warm++) {
            long start = System.nanoTime();
            for (int i = 0; i < 128; i++) {
                Crc64Nvme.of(block, 0, block.length);
            }
            double crc = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            for (int i = 0; i < 128; i++) {
                MessageDigest.getInstance("MD5").digest(block);
            }
            double md5 = (System.nanoTime() - start) / 1e9;
            System.out.printf("checksum of 1 GiB on one core (%s): CRC-64/NVME %.2f s, MD5 %.2f s%n",
                    warm == 0 ? "cold" : "warm", crc, md5);
        }
    }

    private static void write(Path file, long bytes) throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        byte[] chunk = new byte[8 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < bytes; written += chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) {
                    long value = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        chunk[i + b] = (byte) (value >>> (8 * b));
                    }
                }
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
            }
        }
    }

    private static String sha256Of(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
