package io.backuprelay.testkit;

import io.backuprelay.testkit.StandInServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for Azure's version-level immutability (WORM) in front of Azurite, which answers 501 to it: an
 * HTTP server on 127.0.0.1 that answers the immutability calls itself and forwards everything else to
 * Azurite, untouched (so Azurite still checks every SharedKey signature, x-ms-immutability-* headers included).
 *
 * <p>What it imitates, per blob: Set Blob Immutability Policy ({@code PUT ?comp=immutabilityPolicies}), Delete
 * Blob Immutability Policy (refused while the policy is {@code Locked}), Set Blob Legal Hold
 * ({@code PUT ?comp=legalhold}); the policy and hold given on Put Blob / Put Block List; the policy on Get Blob,
 * Get Blob Properties and List Blobs ({@code include=immutabilitypolicy,legalhold}); 409
 * {@code BlobImmutableDueToPolicy} on Delete Blob or an overwrite of a protected blob; and
 * {@code x-ms-immutable-storage-with-versioning-enabled: true} on Get Container Properties. It keeps no
 * versions: a protected blob is simply never deleted or replaced. It does not check the signature of the three
 * calls it answers itself.
 */
public final class ImmutableAzure implements AutoCloseable {

    static final DateTimeFormatter RFC1123 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
            Locale.US).withZone(ZoneOffset.UTC);
    static final String UNTIL = "x-ms-immutability-policy-until-date";
    static final String MODE = "x-ms-immutability-policy-mode";
    static final String HOLD = "x-ms-legal-hold";

    /**
     * A blob's protection as the stand-in holds it.
     *
     * @param until     the policy's expiry, null when there is no policy
     * @param mode      {@code Unlocked} or {@code Locked}, null when there is no policy
     * @param legalHold whether a legal hold is set
     */
    public record Policy(Instant until, String mode, boolean legalHold) {

        boolean keeps(Instant now) {
            return legalHold || until != null && until.isAfter(now);
        }

        boolean locked() {
            return "Locked".equalsIgnoreCase(mode);
        }
    }

    private final StandInServer server;
    private final int upstreamPort;
    private final Map<String, Policy> policies = new ConcurrentHashMap<>();
    private final AtomicInteger refusals = new AtomicInteger();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private ImmutableAzure(URI upstream) throws IOException {
        this.upstreamPort = upstream.getPort();
        this.server = new StandInServer("immutable-azure", this::handle);
    }

    /** In front of the test JVM's Azurite (started if need be). */
    public static ImmutableAzure start() {
        try {
            return new ImmutableAzure(URI.create(Azurite.origin()));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the immutability stand-in", e);
        }
    }

    /** E.g. {@code http://127.0.0.1:40123}: what an endpoint policy allows. */
    public String origin() {
        return server.origin();
    }

    /** The blob endpoint of Azurite's account through the stand-in, path-style as Azurite's own. */
    public String blobEndpoint() {
        return origin() + "/" + Azurite.ACCOUNT_NAME;
    }

    /** How many deletes and overwrites it refused as {@code BlobImmutableDueToPolicy}: what was tried on a protected blob. */
    public int refusals() {
        return refusals.get();
    }

    /** How many requests of this {@code comp} it has had ({@code block}: Put Block; empty: none given). */
    public int requests(String comp) {
        AtomicInteger count = requests.get(comp.toLowerCase(Locale.ROOT));
        return count == null ? 0 : count.get();
    }

    /** The protection the stand-in holds for a blob; empty when none. */
    public Optional<Policy> policyOf(String container, String blobName) {
        return Optional.ofNullable(policies.get("/" + Azurite.ACCOUNT_NAME + "/" + container + "/" + blobName));
    }

    @Override
    public void close() {
        server.close();
    }

    private Reply handle(RawHttp.Request request) throws IOException {
        String method = request.method();
        String path = request.target().getPath();
        Map<String, String> query = query(request.target().getRawQuery());
        String comp = query.getOrDefault("comp", "");
        requests.computeIfAbsent(comp.toLowerCase(Locale.ROOT), any -> new AtomicInteger()).incrementAndGet();
        boolean blob = path.split("/", -1).length > 3 && !query.containsKey("restype");
        if (blob && "immutabilitypolicies".equalsIgnoreCase(comp)) {
            return immutabilityPolicy(request, path);
        }
        if (blob && "legalhold".equalsIgnoreCase(comp) && method.equals("PUT")) {
            Policy now = policies.getOrDefault(path, new Policy(null, null, false));
            boolean hold = Boolean.parseBoolean(request.header(HOLD));
            policies.put(path, new Policy(now.until(), now.mode(), hold));
            return ok(Map.of(HOLD, String.valueOf(hold)));
        }
        if (blob && comp.isEmpty() && method.equals("DELETE")) {
            if (isProtected(path)) {
                return immutable();
            }
            RawHttp.Answer answer = request.forward(upstreamPort);
            if (answer.status() / 100 == 2) {
                policies.remove(path);
            }
            return new Reply(answer, Map.of());
        }
        if (blob && method.equals("PUT") && (comp.isEmpty() || comp.equalsIgnoreCase("blocklist"))
                && request.header("x-ms-copy-source") == null) {
            return write(request, path);
        }
        if (blob && comp.isEmpty() && (method.equals("GET") || method.equals("HEAD"))) {
            return new Reply(request.forward(upstreamPort), headersOf(policies.get(path)));
        }
        if (!blob && "container".equalsIgnoreCase(query.get("restype")) && comp.isEmpty()
                && (method.equals("GET") || method.equals("HEAD"))) {
            return new Reply(request.forward(upstreamPort),
                    Map.of("x-ms-immutable-storage-with-versioning-enabled", "true"));
        }
        RawHttp.Answer answer = request.forward(upstreamPort);
        if (!blob && "list".equalsIgnoreCase(comp) && answer.status() == 200) {
            String include = query.getOrDefault("include", "").toLowerCase(Locale.ROOT);
            if (include.contains("immutabilitypolicy") || include.contains("legalhold")) {
                answer = answer.withBody(ListingDetails.add(answer.body(), path, policies,
                        include.contains("immutabilitypolicy"), include.contains("legalhold")));
            }
        }
        return new Reply(answer, Map.of());
    }

    private Reply immutabilityPolicy(RawHttp.Request request, String path) throws IOException {
        Policy now = policies.getOrDefault(path, new Policy(null, null, false));
        if (request.method().equals("DELETE")) {
            if (now.locked()) {
                return error(409, "ImmutabilityPolicyDeleteOnLockedPolicy",
                        "This operation is not permitted on a locked immutability policy.");
            }
            policies.put(path, new Policy(null, null, now.legalHold()));
            return ok(Map.of());
        }
        if (!request.method().equals("PUT")) {
            return new Reply(request.forward(upstreamPort), Map.of());
        }
        String untilHeader = request.header(UNTIL);
        String mode = Optional.ofNullable(request.header(MODE)).orElse("Unlocked");
        if (untilHeader == null) {
            return error(400, "MissingRequiredHeader", "x-ms-immutability-policy-until-date is required.");
        }
        Instant until = ZonedDateTime.parse(untilHeader, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        if (now.locked() && (until.isBefore(now.until()) || !"Locked".equalsIgnoreCase(mode))) {
            return error(409, "ImmutabilityPolicyDeleteOnLockedPolicy",
                    "A locked immutability policy can only be extended.");
        }
        Policy set = new Policy(until, mode, now.legalHold());
        policies.put(path, set);
        return ok(headersOf(set));
    }

    /** Put Blob or Put Block List: refused over a protected blob; the policy and hold it carries recorded. */
    private Reply write(RawHttp.Request request, String path) throws IOException {
        boolean createOnly = "*".equals(request.header("If-None-Match"));
        if (!createOnly && isProtected(path)) {
            return immutable(); // a conditional create never replaces anything: Azurite answers it (BlobAlreadyExists)
        }
        RawHttp.Answer answer = request.forward(upstreamPort);
        if (answer.status() / 100 == 2) {
            String until = request.header(UNTIL);
            boolean hold = Boolean.parseBoolean(request.header(HOLD));
            if (until == null && !hold) {
                policies.remove(path);
            } else {
                policies.put(path, new Policy(until == null ? null
                        : ZonedDateTime.parse(until, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(),
                        until == null ? null : Optional.ofNullable(request.header(MODE)).orElse("Unlocked"), hold));
            }
        }
        return new Reply(answer, Map.of());
    }

    private boolean isProtected(String path) {
        Policy policy = policies.get(path);
        return policy != null && policy.keeps(Instant.now());
    }

    private Reply immutable() {
        refusals.incrementAndGet();
        return error(409, "BlobImmutableDueToPolicy",
                "This operation is not permitted as the blob is immutable due to a policy.");
    }

    private static Map<String, String> headersOf(Policy policy) {
        if (policy == null) {
            return Map.of();
        }
        Map<String, String> headers = new HashMap<>();
        if (policy.until() != null) {
            headers.put(UNTIL, RFC1123.format(policy.until()));
            headers.put(MODE, policy.mode().toLowerCase(Locale.ROOT)); // Azure answers unlocked | locked
        }
        headers.put(HOLD, String.valueOf(policy.legalHold()));
        return headers;
    }

    private static Reply ok(Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("x-ms-version", "2025-01-05");
        all.put("x-ms-request-id", UUID.randomUUID().toString());
        all.put("date", RFC1123.format(Instant.now()));
        return new Reply(RawHttp.Answer.of(200, "OK", Map.of(), new byte[0]), all);
    }

    private static Reply error(int status, String code, String message) {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code + "</Code><Message>"
                + message + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        return new Reply(RawHttp.Answer.of(status, "Refused", Map.of(), body), Map.of("x-ms-error-code", code,
                "content-type", "application/xml", "date", RFC1123.format(Instant.now())));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            query.put(name.toLowerCase(Locale.ROOT),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }
}
