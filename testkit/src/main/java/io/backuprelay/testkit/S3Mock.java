package io.backuprelay.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Adobe's S3Mock, an S3 stand-in, run from its exec jar ({@code com.adobe.testing:s3mock:…:exec}, which
 * testkit's POM makes Maven download) as a child process of this JVM's own {@code java}: plain HTTP on a free
 * loopback port, its objects under a temporary folder. One per test JVM; it stops with the JVM.
 *
 * <p>What S3Mock 4.11.0 does and does not do, from its source: it checks a part's or an object's checksum
 * (CRC64NVME, CRC32C, …) sent in a header and refuses a wrong one; it stores Object Lock retention and legal holds
 * set by PutObjectRetention / PutObjectLegalHold on a bucket made with Object Lock, but ignores Object Lock headers
 * on PutObject and CreateMultipartUpload, shows none in HEAD, and never refuses a delete of a locked object or
 * version ({@link LockingS3}, in front of it, refuses those deletes as AWS does). It does not turn versioning on for a
 * bucket made with Object Lock, as AWS does. It checks no signature: any key is accepted.
 */
public final class S3Mock {

    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY_ID = "backuprelay-test-key-id";
    /** Any secret is accepted; this one is easy to look for in logs and messages. */
    public static final String SECRET_ACCESS_KEY = "backuprelay-planted-s3-secret-must-never-leak-0001";

    private static Process process;
    private static int port;
    private static S3Client client;

    private S3Mock() {
    }

    /** The S3 endpoint, e.g. {@code http://127.0.0.1:41234} (path-style); starts S3Mock on first use. */
    public static synchronized String endpoint() {
        running();
        return "http://127.0.0.1:" + port;
    }

    /** The origin a test's endpoint policy allows ({@code EndpointPolicy.allowing(S3Mock.origin())}). */
    public static String origin() {
        return endpoint();
    }

    /** A plain client of the stand-in, path-style, for what a test does around the code under test. */
    public static synchronized S3Client client() {
        if (client == null) {
            client = S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.of(REGION))
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                    .forcePathStyle(true).httpClient(ApacheHttpClient.create()).build();
        }
        return client;
    }

    /** Makes a bucket; with {@code objectLock}, one with Object Lock enabled (which only its creation can ask). */
    public static void createBucket(String bucket, boolean objectLock) {
        client().createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(objectLock));
    }

    private static void running() {
        if (process != null) {
            return;
        }
        try {
            Path root = Files.createTempDirectory("s3mock-root");
            Path log = Files.createTempFile("s3mock", ".log");
            port = Azurite.freePort();
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-jar", jar().toString(),
                    "--server.port=0", // the HTTPS connector, unused: any free port
                    "--server.address=127.0.0.1",
                    "--com.adobe.testing.s3mock.httpPort=" + port,
                    "--com.adobe.testing.s3mock.store.root=" + root,
                    "--com.adobe.testing.s3mock.store.region=" + REGION,
                    "--spring.main.banner-mode=off",
                    "--logging.level.root=WARN");
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Process started = process;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.destroy();
                try {
                    started.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "s3mock-stop"));
            awaitReady(log);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start S3Mock", e);
        }
    }

    private static void awaitReady(Path log) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Mock exited at start: " + Files.readString(log));
            }
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while S3Mock starts", e);
            }
            try {
                Thread.sleep(200); // polling a child process's port: it has no other way to say it is ready
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while S3Mock starts", e);
            }
        }
        process.destroy();
        throw new IllegalStateException("S3Mock did not answer within 90 s: " + Files.readString(log));
    }

    /**
     * The exec jar: as the build names it ({@code backuprelay.s3mock.jar}), else the newest in the local Maven
     * repository ({@code maven.repo.local} when set, else {@code ~/.m2/repository}).
     */
    static Path jar() throws IOException {
        String named = System.getProperty("backuprelay.s3mock.jar");
        if (named != null && Files.isRegularFile(Path.of(named))) {
            return Path.of(named);
        }
        String repository = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path folder = Path.of(repository, "com", "adobe", "testing", "s3mock");
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException("No S3Mock in " + folder + ": an online 'mvn install' of testkit downloads it");
        }
        try (Stream<Path> jars = Files.walk(folder, 2)) {
            return jars.filter(f -> f.getFileName().toString().endsWith("-exec.jar"))
                    .max(Comparator.comparing(f -> Runtime.Version.parse(f.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("No S3Mock exec jar under " + folder));
        }
    }
}
