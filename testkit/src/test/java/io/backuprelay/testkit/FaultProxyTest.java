package io.backuprelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The storage fault proxy, in front of a small HTTP server, with a client that keeps its connections. */
class FaultProxyTest {

    private static final byte[] BODY = "x".repeat(4000).getBytes();

    private HttpServer upstream;
    private FaultProxy proxy;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, BODY.length);
            exchange.getResponseBody().write(BODY);
            exchange.close();
        });
        upstream.start();
        proxy = FaultProxy.start("http://127.0.0.1:" + upstream.getAddress().getPort() + "/account");
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.stop(0);
    }

    @Test
    void aShareOfRequestsMeetsEveryKindOfFaultAndTheRestPassUntouched() throws Exception {
        String endpoint = proxy.endpointFor("http://127.0.0.1:" + upstream.getAddress().getPort() + "/account");
        proxy.failShare(1.0, 42);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 48; i++) {
            seen.merge(outcome(endpoint + "/blob-" + i), 1, Integer::sum);
        }

        assertThat(seen).doesNotContainKey("200");
        assertThat(proxy.injected().values()).allSatisfy(n -> assertThat(n).isPositive());
        assertThat(seen.get("503")).isEqualTo(proxy.injected().get(FaultProxy.Injected.SERVER_BUSY));
        assertThat(seen.get("500")).isEqualTo(proxy.injected().get(FaultProxy.Injected.INTERNAL_ERROR));
        assertThat(seen.get("429")).isEqualTo(proxy.injected().get(FaultProxy.Injected.THROTTLED));
        assertThat(seen.get("no answer")).isEqualTo(proxy.injected().get(FaultProxy.Injected.HANG));
        assertThat(seen.get("cut")).isEqualTo(proxy.injected().get(FaultProxy.Injected.RESET)
                + proxy.injected().get(FaultProxy.Injected.TRUNCATED));

        proxy.failShare(0, 42);
        for (int i = 0; i < 5; i++) {
            assertThat(outcome(endpoint + "/after-" + i)).isEqualTo("200");
        }
    }

    @Test
    void withoutFaultsRequestsOnAKeptAliveConnectionPassWithTheirBodies() throws Exception {
        String endpoint = proxy.endpointFor("http://127.0.0.1:" + upstream.getAddress().getPort() + "/account");
        for (int i = 0; i < 20; i++) {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(endpoint + "/b" + i))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[10_000 + i])).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(BODY);
        }
        assertThat(proxy.forwardedRequests()).isEqualTo(20);
        assertThat(proxy.faultedRequests()).isZero();
    }

    private String outcome(String url) throws InterruptedException {
        try {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(1)).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[3000])).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 200 && response.body().length != BODY.length) {
                return "cut";
            }
            return Integer.toString(response.statusCode());
        } catch (HttpTimeoutException e) {
            return "no answer";
        } catch (IOException e) {
            return "cut";
        }
    }
}
