package io.backuprelay.hook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.backuprelay.blob.EndpointPolicy;
import java.io.IOException;
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
                case "/endless", "/trickle" -> {
                    // An answer without end: fast, or a few bytes at a time within the socket timeout.
                    exchange.sendResponseHeaders(200, 0);
                    boolean fast = path.equals("/endless");
                    byte[] chunk = "y".repeat(fast ? 65_536 : 64).getBytes(StandardCharsets.UTF_8);
                    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    try {
                        while (System.nanoTime() < until) {
                            exchange.getResponseBody().write(chunk);
                            exchange.getResponseBody().flush();
                            if (!fast) {
                                Thread.sleep(200);
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        // the client ended the connection: what these tests want
                    }
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
    void anAnswerWithoutEndIsCutAfterItsFirstBytesNotDrained() {
        long start = System.nanoTime();
        HookAnswer answer = sender.send("Compañía Ñandú 7", new HookRequest(origin() + "/endless", Map.of(), null));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.bodyStart()).hasSize(300).matches("y+");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not drained").isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void anAnswerTrickledWithinTheSocketTimeoutIsEndedAtTwiceTheTimeout() {
        long start = System.nanoTime();
        HookAnswer answer = sender.send("Compañía Ñandú 7", new HookRequest(origin() + "/trickle", Map.of(), null));

        assertThat(answer.status()).isZero();
        assertThat(answer.error()).isEqualTo("no complete answer from " + origin() + " within PT2S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("ended at the deadline")
                .isLessThan(Duration.ofSeconds(4));
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
