package io.backuprelay.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for S3 Object Lock's enforcement in front of S3Mock, which stores retention and legal holds but
 * deletes a locked object or version when asked: an HTTP server on 127.0.0.1 that forwards every request to
 * S3Mock byte for byte (S3Mock checks no signature, so a signed request stays valid) and refuses only deletes.
 *
 * <p>What it imitates, as AWS documents Object Lock (user guide "Locking objects with Object Lock", "Object Lock
 * considerations", the DeleteObject and DeleteObjects API references):
 * <ul>
 *   <li>DeleteObject with a {@code versionId} of a version that a legal hold keeps, or whose retain-until date is
 *       still ahead in COMPLIANCE mode, or in GOVERNANCE mode without {@code x-amz-bypass-governance-retention:
 *       true}: 403 with an {@code AccessDenied} error body. GOVERNANCE with the header is let through (the
 *       stand-in grants every key {@code s3:BypassGovernanceRetention}; AWS checks that permission). A legal hold
 *       is never bypassed. Once the date has passed, the delete goes through.</li>
 *   <li>DeleteObject without {@code versionId}: forwarded when the bucket's versioning is Enabled (S3Mock then
 *       adds a delete marker and the locked version stays, as on AWS); on a bucket without versioning it is
 *       treated as a delete of the current version and refused the same way. (On AWS an Object Lock bucket
 *       always keeps versions; S3Mock does not turn versioning on by itself: a test enables it.)</li>
 *   <li>DeleteObjects ({@code POST ?delete}): each protected entry is taken out of the request and answered as a
 *       per-key {@code <Error>} with code {@code AccessDenied} in the 200 DeleteResult; the rest is forwarded
 *       (see {@link MultiDelete}).</li>
 * </ul>
 * The protection is asked of S3Mock itself (GetObjectRetention and GetObjectLegalHold for that key and version) at
 * each delete, so it is exactly what S3Mock stores. Not imitated: the refusal of a retention shortened or a
 * COMPLIANCE mode changed (PutObjectRetention is forwarded as is), the Object Lock headers of PutObject (S3Mock
 * ignores them), lifecycle expiry, permissions. PutObject over a locked key already creates a new version in
 * S3Mock's versioned buckets, as on AWS: nothing to do there. None of this was run against AWS.
 */
public final class LockingS3 implements AutoCloseable {

    static final String BYPASS = "x-amz-bypass-governance-retention";
    static final String DENIED = "Access Denied because object protected by object lock.";
    private static final Pattern MODE = Pattern.compile("<Mode>([^<]*)</Mode>");
    private static final Pattern UNTIL = Pattern.compile("<RetainUntilDate>([^<]*)</RetainUntilDate>");
    private static final Pattern STATUS = Pattern.compile("<Status>([^<]*)</Status>");

    /**
     * One version's Object Lock as S3Mock holds it.
     *
     * @param mode      {@code COMPLIANCE} or {@code GOVERNANCE}; null without retention
     * @param until     the retain-until date; null without retention
     * @param legalHold whether a legal hold is ON
     */
    public record Lock(String mode, Instant until, boolean legalHold) {

        static final Lock NONE = new Lock(null, null, false);

        /** Whether AWS would refuse to delete the version at {@code now}, given the bypass header or not. */
        public boolean refusesDelete(Instant now, boolean bypassGovernance) {
            if (legalHold) {
                return true;
            }
            if (until == null || !until.isAfter(now)) {
                return false;
            }
            return "COMPLIANCE".equalsIgnoreCase(mode) || !bypassGovernance;
        }
    }

    private final StandInServer server;
    private final int upstreamPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger refusals = new AtomicInteger();

    private LockingS3(URI upstream) throws IOException {
        this.upstreamPort = upstream.getPort();
        this.server = new StandInServer("locking-s3", request -> StandInServer.Reply.of(handle(request)));
    }

    /** In front of the test JVM's S3Mock (started if need be). */
    public static LockingS3 start() {
        try {
            return new LockingS3(URI.create(S3Mock.endpoint()));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the Object Lock stand-in", e);
        }
    }

    /** The S3 endpoint through the stand-in, path-style, e.g. {@code http://127.0.0.1:40123}. */
    public String endpoint() {
        return server.origin();
    }

    /** The origin an endpoint policy allows: the same as {@link #endpoint()}. */
    public String origin() {
        return endpoint();
    }

    /** How many deletes (single, or entries of a DeleteObjects) it refused as AccessDenied. */
    public int refusals() {
        return refusals.get();
    }

    @Override
    public void close() {
        server.close();
    }

    private RawHttp.Answer handle(RawHttp.Request request) throws IOException {
        String path = request.target().getRawPath();
        Map<String, String> query = query(request.target().getRawQuery());
        int slash = path.indexOf('/', 1);
        boolean object = slash > 0 && slash < path.length() - 1;
        String bucket = slash > 0 ? path.substring(1, slash) : path.substring(1);
        boolean bypass = "true".equalsIgnoreCase(request.header(BYPASS));
        if (object && request.method().equals("DELETE") && !query.containsKey("uploadId")) {
            String version = query.get("versionId");
            if (version == null && versioningEnabled(bucket)) {
                return request.forward(upstreamPort); // a delete marker: the locked version stays
            }
            if (lockOf(path, version).refusesDelete(Instant.now(), bypass)) {
                refusals.incrementAndGet();
                return accessDenied();
            }
        }
        if (!object && request.method().equals("POST") && query.containsKey("delete")) {
            return new MultiDelete(this, bucket, bypass).handle(request);
        }
        return request.forward(upstreamPort);
    }

    int upstreamPort() {
        return upstreamPort;
    }

    void refused() {
        refusals.incrementAndGet();
    }

    /** Whether S3Mock keeps versions in this bucket ({@code GET ?versioning} says Enabled). */
    boolean versioningEnabled(String rawBucket) throws IOException {
        return "Enabled".equals(first(STATUS, ask("/" + rawBucket + "?versioning")));
    }

    /** The Object Lock of a key (its raw path {@code /bucket/key}) at a version (raw; null: the current one). */
    Lock lockOf(String rawPath, String rawVersion) throws IOException {
        String version = rawVersion == null ? "" : "&versionId=" + rawVersion;
        String retention = ask(rawPath + "?retention" + version);
        String hold = ask(rawPath + "?legal-hold" + version);
        String until = first(UNTIL, retention);
        return new Lock(first(MODE, retention), until == null ? null : OffsetDateTime.parse(until).toInstant(),
                "ON".equals(first(STATUS, hold)));
    }

    /** S3Mock's answer to an unsigned GET; empty when it answers an error (no retention, no such key). */
    private String ask(String rawTarget) throws IOException {
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + upstreamPort + rawTarget)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return answer.statusCode() == 200 ? answer.body() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking S3Mock", e);
        }
    }

    private static String first(Pattern pattern, String xml) {
        Matcher matcher = pattern.matcher(xml);
        return matcher.find() ? matcher.group(1).trim() : null;
    }

    /** AWS's answer to a delete Object Lock refuses: 403, {@code AccessDenied}, in S3's error XML. */
    static RawHttp.Answer accessDenied() {
        String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>" + DENIED
                + "</Message><RequestId>" + requestId + "</RequestId><HostId>locking-s3</HostId></Error>")
                .getBytes(StandardCharsets.UTF_8);
        return RawHttp.Answer.of(403, "Forbidden", Map.of("Content-Type", "application/xml",
                "x-amz-request-id", requestId, "Date", ImmutableAzure.RFC1123.format(Instant.now())), body);
    }

    /** The raw (still percent-encoded) query parameters; a parameter without value maps to "". */
    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            query.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
        }
        return query;
    }
}
