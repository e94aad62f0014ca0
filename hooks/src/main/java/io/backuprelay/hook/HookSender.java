package io.backuprelay.hook;

import io.backuprelay.blob.EndpointPolicy.EndpointRefusedException;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.concurrent.Timers;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends a channel's requests with Apache HttpClient 5, under the outbound rule of {@link HookTargets}: the URL is
 * checked before anything is sent, and the host is resolved again, when the client connects, through
 * {@link EndpointPolicy#resolve} (a DNS answer that changed to a private address in between is refused then, before
 * a connection). Redirects are never followed (a 3xx is an answer like any other: not delivered); nothing is
 * retried here (the delivery worker retries, with backoff, across restarts). The URL never appears in what this
 * returns nor in its errors.
 */
public final class HookSender implements Closeable {

    /** How much of an answer is read, at most: enough for its first 300 characters. */
    private static final int READ_LIMIT = 4 * 1024;

    private final EndpointPolicy policy;
    private final Duration timeout;
    private final CloseableHttpClient client;
    /**
     * Ends a request that has not finished within twice the timeout: a tenant's endpoint that trickles its headers,
     * or answers without end, a byte at a time within the socket timeout, would otherwise hold a worker for ever.
     */
    private final ScheduledExecutorService deadlines = Timers.single("hook-deadlines");

    /**
     * @param policy  where channels may send ({@code BACKUPRELAY_ALLOWED_ENDPOINTS} with the accounts' grants)
     * @param timeout the longest wait to connect, and then for the answer ({@code HOOK_TIMEOUT})
     */
    public HookSender(EndpointPolicy policy, Duration timeout) {
        this.policy = policy;
        this.timeout = timeout;
        Timeout limit = Timeout.of(timeout);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new CheckedResolver(policy))
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(limit)
                                .setSocketTimeout(limit).build())
                        .setMaxConnTotal(50)
                        .setMaxConnPerRoute(5)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(limit)
                        .setConnectionRequestTimeout(limit).build())
                // A redirect could lead anywhere, past the check: the endpoint's 3xx is its answer.
                .disableRedirectHandling()
                // The delivery worker retries, with backoff and a budget; a hidden retry here would add to it.
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setUserAgent("backuprelay-hooks")
                .build();
    }

    /** Checks the URL ({@link HookTargets#check}), then sends once and says what the endpoint answered. */
    public HookAnswer send(String accountId, HookRequest request) {
        long start = System.nanoTime();
        try {
            HookTargets.check(policy, accountId, request.url());
        } catch (EndpointRefusedException e) {
            return refusal(e, request.url(), start);
        }
        HttpUriRequestBase http = request.isPost() ? new HttpPost(request.url()) : new HttpGet(request.url());
        request.headers().forEach(http::setHeader);
        if (request.isPost()) {
            String type = request.headers().getOrDefault("Content-Type", "application/json");
            http.setEntity(new ByteArrayEntity(request.body(), ContentType.parse(type)));
        }
        Duration deadline = timeout.multipliedBy(2);
        // Marked before the cancel: the read it ends may fail before the scheduled task's future counts as done.
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> cancel = deadlines.schedule(() -> {
            late.set(true);
            http.cancel();
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        HookAnswer answer = null;
        try (ClassicHttpResponse response = client.executeOpen(null, http, null)) {
            answer = answer(response, http, start);
        } catch (EndpointRefusedException e) {
            return refusal(e, request.url(), start);
        } catch (IOException | RuntimeException e) {
            if (answer == null) { // else: closing a connection this client ended itself, after the answer
                return late.get() ? HookAnswer.none("no complete answer from " + originOf(request.url()) + " within "
                        + deadline, since(start)) : HookAnswer.none(describe(e, request.url()), since(start));
            }
        } finally {
            cancel.cancel(false);
        }
        return answer;
    }

    /**
     * The status and the first {@link #READ_LIMIT} bytes of the answer. The rest is never read: an answer longer than
     * that ends the connection rather than being drained (an endless one never would be).
     */
    private static HookAnswer answer(ClassicHttpResponse response, HttpUriRequestBase http, long start)
            throws IOException {
        HttpEntity entity = response.getEntity();
        String body = "";
        if (entity != null) {
            InputStream in = entity.getContent();
            byte[] read = in.readNBytes(READ_LIMIT);
            body = new String(read, StandardCharsets.UTF_8);
            if (read.length == READ_LIMIT && in.read() != -1) {
                http.cancel();
            }
        }
        return new HookAnswer(response.getCode(), body, since(start), null);
    }

    /**
     * A URL the rule refuses; but a host that does not resolve now may resolve later (a DNS outage), so that one is
     * an ordinary failure, tried again.
     */
    private HookAnswer refusal(EndpointRefusedException e, String url, long start) {
        if (e.getMessage() != null && e.getMessage().endsWith("does not resolve")) {
            return HookAnswer.none("the host of " + originOf(url) + " does not resolve", since(start));
        }
        return HookAnswer.none(HookAnswer.REFUSED + e.getMessage(), since(start));
    }

    private static String originOf(String url) {
        try {
            return HookTargets.origin(url);
        } catch (RuntimeException ignored) {
            return "the endpoint";
        }
    }

    /** Why there was no answer, in plain words: never the URL, whose path is the secret part. */
    private String describe(Exception e, String url) {
        String origin = originOf(url);
        String why = switch (e) {
            case ConnectException ignored -> "could not connect to " + origin;
            case InterruptedIOException ignored -> "no answer from " + origin + " within " + timeout;
            case UnknownHostException ignored -> "the host of " + origin + " does not resolve";
            case SSLException ssl -> "the TLS handshake with " + origin + " failed";
            default -> e.getClass().getSimpleName() + " while sending to " + origin;
        };
        return why;
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        client.close();
    }

    /** Resolves through the policy, at connection time: a host whose addresses are not all public is refused. */
    private record CheckedResolver(EndpointPolicy policy) implements DnsResolver {

        @Override
        public InetAddress[] resolve(String host) {
            return policy.resolve(host).toArray(InetAddress[]::new);
        }

        @Override
        public List<InetSocketAddress> resolve(String host, int port) {
            return policy.resolve(host).stream().map(address -> new InetSocketAddress(address, port)).toList();
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }

    /** The headers every request of a JSON body carries. */
    static Map<String, String> json() {
        return Map.of("Content-Type", "application/json; charset=utf-8");
    }
}
