package io.backuprelay.hook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.backuprelay.blob.EndpointPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What "send test" reports of an endpoint on loopback: the answer as the endpoint gave it. */
class HookSenderTest {

    private HttpServer server;
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private HookSender sender;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            paths.add(exchange.getRequestMethod() + " " + path);
            exchange.getRequestBody().readAllBytes();
            switch (path) {
                case "/redirect" -> {
                    exchange.getResponseHeaders().add("Location", origin() + "/elsewhere");
                    exchange.sendResponseHeaders(302, -1);
                }
                case "/slow" -> {
                    try {
                        Thread.sleep(3000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    exchange.sendResponseHeaders(200, -1);
                }
                default -> {
                    byte[] body = ("invalid_payload " + "x".repeat(500)).getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(400, body.length);
                    exchange.getResponseBody().write(body);
                }
            }
            exchange.close();
        });
        server.start();
        sender = new HookSender(EndpointPolicy.allowing(origin()), Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() throws Exception {
        sender.close();
        server.stop(0);
    }

    private String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void reportsTheStatusAndTheFirst300CharactersOfTheAnswer() {
        HookAnswer answer = sender.send("Compañía Ñandú 7", new HookRequest(origin() + "/slack", HookSender.json(),
                "{\"text\":\"hola\"}".getBytes(StandardCharsets.UTF_8)));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.delivered()).isFalse();
        assertThat(answer.bodyStart()).startsWith("invalid_payload").hasSize(300);
        assertThat(answer.error()).isNull();
        assertThat(paths).containsExactly("POST /slack");
    }

    @Test
    void aRedirectIsAnAnswerNotFollowed() {
        HookAnswer answer = sender.send("Compañía Ñandú 7", new HookRequest(origin() + "/redirect", Map.of(), null));

        assertThat(answer.status()).isEqualTo(302);
        assertThat(answer.delivered()).isFalse();
        assertThat(paths).containsExactly("GET /redirect");
    }

    @Test
    void noAnswerWithinTheTimeoutIsReportedWithoutTheUrlsPath() {
        HookAnswer answer = sender.send("Compañía Ñandú 7", new HookRequest(origin() + "/slow", Map.of(), null));

        assertThat(answer.status()).isZero();
        assertThat(answer.refused()).isFalse();
        assertThat(answer.error()).contains("no answer from " + origin()).doesNotContain("/slow");
        assertThat(answer.summary()).startsWith("no answer");
    }
}
