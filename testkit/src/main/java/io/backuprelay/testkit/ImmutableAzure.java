package io.backuprelay.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

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
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect",
            "upgrade", "transfer-encoding", "keep-alive", "date");

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

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI upstream;
    private final Map<String, Policy> policies = new ConcurrentHashMap<>();

    private ImmutableAzure(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange);
            } catch (IOException | RuntimeException e) {
                error(exchange, 500, "InternalError", "the stand-in failed: " + e);
            }
        });
        server.start();
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
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The blob endpoint of Azurite's account through the stand-in, path-style as Azurite's own. */
    public String blobEndpoint() {
        return origin() + "/" + Azurite.ACCOUNT_NAME;
    }

    /** The protection the stand-in holds for a blob; empty when none. */
    public Optional<Policy> policyOf(String container, String blobName) {
        return Optional.ofNullable(policies.get("/" + Azurite.ACCOUNT_NAME + "/" + container + "/" + blobName));
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String comp = query.getOrDefault("comp", "");
        boolean blob = path.split("/", -1).length > 3 && !query.containsKey("restype");
        if (blob && "immutabilitypolicies".equalsIgnoreCase(comp)) {
            immutabilityPolicy(exchange, method, path);
        } else if (blob && "legalhold".equalsIgnoreCase(comp) && method.equals("PUT")) {
            Policy now = policies.getOrDefault(path, new Policy(null, null, false));
            boolean hold = Boolean.parseBoolean(exchange.getRequestHeaders().getFirst(HOLD));
            policies.put(path, new Policy(now.until(), now.mode(), hold));
            answer(exchange, 200, Map.of(HOLD, String.valueOf(hold)));
        } else if (blob && comp.isEmpty() && method.equals("DELETE")) {
            if (refusedAsProtected(exchange, path)) {
                return;
            }
            Forwarded answer = forward(exchange);
            if (answer.status() / 100 == 2) {
                policies.remove(path);
            }
            answer.send(exchange, Map.of());
        } else if (blob && method.equals("PUT") && (comp.isEmpty() || comp.equalsIgnoreCase("blocklist"))
                && !exchange.getRequestHeaders().containsKey("x-ms-copy-source")) {
            write(exchange, path);
        } else if (blob && comp.isEmpty() && (method.equals("GET") || method.equals("HEAD"))) {
            forward(exchange).send(exchange, headersOf(policies.get(path)));
        } else if (!blob && "container".equalsIgnoreCase(query.get("restype")) && comp.isEmpty()
                && (method.equals("GET") || method.equals("HEAD"))) {
            forward(exchange).send(exchange, Map.of("x-ms-immutable-storage-with-versioning-enabled", "true"));
        } else if (!blob && "list".equalsIgnoreCase(comp)) {
            Forwarded answer = forward(exchange);
            String include = query.getOrDefault("include", "").toLowerCase(Locale.ROOT);
            if (answer.status() == 200 && (include.contains("immutabilitypolicy") || include.contains("legalhold"))) {
                answer = answer.withBody(ListingDetails.add(answer.body(), path, policies,
                        include.contains("immutabilitypolicy"), include.contains("legalhold")));
            }
            answer.send(exchange, Map.of());
        } else {
            forward(exchange).send(exchange, Map.of());
        }
    }

    private void immutabilityPolicy(HttpExchange exchange, String method, String path) throws IOException {
        Policy now = policies.getOrDefault(path, new Policy(null, null, false));
        if (method.equals("DELETE")) {
            if (now.locked()) {
                error(exchange, 409, "ImmutabilityPolicyDeleteOnLockedPolicy",
                        "This operation is not permitted on a locked immutability policy.");
                return;
            }
            policies.put(path, new Policy(null, null, now.legalHold()));
            answer(exchange, 200, Map.of());
            return;
        }
        if (!method.equals("PUT")) {
            forward(exchange).send(exchange, Map.of());
            return;
        }
        String untilHeader = exchange.getRequestHeaders().getFirst(UNTIL);
        String mode = Optional.ofNullable(exchange.getRequestHeaders().getFirst(MODE)).orElse("Unlocked");
        if (untilHeader == null) {
            error(exchange, 400, "MissingRequiredHeader", "x-ms-immutability-policy-until-date is required.");
            return;
        }
        Instant until = ZonedDateTime.parse(untilHeader, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        if (now.locked() && (until.isBefore(now.until()) || !"Locked".equalsIgnoreCase(mode))) {
            error(exchange, 409, "ImmutabilityPolicyDeleteOnLockedPolicy",
                    "A locked immutability policy can only be extended.");
            return;
        }
        Policy set = new Policy(until, mode, now.legalHold());
        policies.put(path, set);
        answer(exchange, 200, headersOf(set));
    }

    /** Put Blob or Put Block List: refused over a protected blob; the policy and hold it carries recorded. */
    private void write(HttpExchange exchange, String path) throws IOException {
        var headers = exchange.getRequestHeaders();
        boolean createOnly = "*".equals(headers.getFirst("If-None-Match"));
        if (!createOnly && refusedAsProtected(exchange, path)) {
            return; // a conditional create never replaces anything: Azurite answers it (BlobAlreadyExists)
        }
        Forwarded answer = forward(exchange);
        if (answer.status() / 100 == 2) {
            String until = headers.getFirst(UNTIL);
            boolean hold = Boolean.parseBoolean(headers.getFirst(HOLD));
            if (until == null && !hold) {
                policies.remove(path);
            } else {
                policies.put(path, new Policy(until == null ? null
                        : ZonedDateTime.parse(until, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(),
                        until == null ? null : Optional.ofNullable(headers.getFirst(MODE)).orElse("Unlocked"), hold));
            }
        }
        answer.send(exchange, Map.of());
    }

    private boolean refusedAsProtected(HttpExchange exchange, String path) throws IOException {
        Policy policy = policies.get(path);
        if (policy == null || !policy.keeps(Instant.now())) {
            return false;
        }
        exchange.getRequestBody().readAllBytes();
        error(exchange, 409, "BlobImmutableDueToPolicy",
                "This operation is not permitted as the blob is immutable due to a policy.");
        return true;
    }

    private static Map<String, String> headersOf(Policy policy) {
        if (policy == null) {
            return Map.of();
        }
        Map<String, String> headers = new HashMap<>();
        if (policy.until() != null) {
            headers.put(UNTIL, RFC1123.format(policy.until()));
            headers.put(MODE, policy.mode());
        }
        headers.put(HOLD, String.valueOf(policy.legalHold()));
        return headers;
    }

    private Forwarded forward(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        URI uri = URI.create(upstream + exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
        String method = exchange.getRequestMethod();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2))
                .method(method, body.length == 0 && !method.equals("PUT") && !method.equals("POST")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Forwarded(response.statusCode(), response.headers().map(), response.body(),
                    method.equals("HEAD"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while forwarding", e);
        }
    }

    private static void answer(HttpExchange exchange, int status, Map<String, String> headers) throws IOException {
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.getResponseHeaders().set("x-ms-version", "2025-01-05");
        exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, -1);
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("x-ms-error-code", code);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
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

    /** Azurite's answer, to pass on with headers added. */
    private record Forwarded(int status, Map<String, List<String>> headers, byte[] body, boolean head) {

        Forwarded withBody(byte[] other) {
            return new Forwarded(status, headers, other, head);
        }

        void send(HttpExchange exchange, Map<String, String> added) throws IOException {
            headers.forEach((name, values) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!NOT_FORWARDED.contains(lower) || head && lower.equals("content-length")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            added.forEach(exchange.getResponseHeaders()::set);
            if (head || body.length == 0 || status == 204 || status == 304) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }
}
