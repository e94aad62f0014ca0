package io.backuprelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The TCP proxy of slow and unreliable peers, in front of a server that answers each line it gets. */
class TcpProxyTest {

    private ServerSocket upstream;
    /** Lines the upstream server has received: what the proxy has passed on. */
    private final AtomicInteger linesReceived = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!upstream.isClosed()) {
                try {
                    Socket socket = upstream.accept();
                    Thread.ofVirtual().start(() -> answerEachLine(socket, linesReceived));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    /** "250 OK" for each line, as an SMTP server answers the end of a message. */
    private static void answerEachLine(Socket socket, AtomicInteger lines) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            for (int b; (b = in.read()) >= 0; ) {
                if (b == '\n') {
                    lines.incrementAndGet();
                    out.write("250 OK\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @AfterEach
    void stop() throws IOException {
        upstream.close();
    }

    @Test
    void aThrottledConnectionIsNoFasterThanItsLimit() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(upstream.getLocalPort(), 1).throttle(100_000);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            byte[] lines = "a line of about thirty bytes.\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
            long started = System.nanoTime();
            Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(lines);
                } catch (IOException ignored) {
                    // the test ends
                }
            });
            socket.getInputStream().readNBytes(10_000 * 8);
            // 300,000 bytes at 100,000 bytes a second: not before 2.9 s.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(2900));
        }
    }

    @Test
    void whileRefusingConnectionsAreRefusedAndAfterwardsTheyPass() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(upstream.getLocalPort(), 1)) {
            Thread refusing = Thread.ofVirtual().start(() -> {
                try {
                    proxy.refuseFor(Duration.ofSeconds(2));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.refusals() == 1); // the port is closed now
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), proxy.port()).close())
                    .isInstanceOf(ConnectException.class);
            refusing.join();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                socket.getOutputStream().write("HELO\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(socket.getInputStream().readNBytes(8), StandardCharsets.US_ASCII)).isEqualTo("250 OK\r\n");
            }
            assertThat(proxy.refusals()).isEqualTo(1);
        }
    }

    @Test
    void theAnswerToTheEndOfAMessageIsHeldBackAndOtherAnswersAreNot() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(upstream.getLocalPort(), 1).slowAfterData(1.0, Duration.ofSeconds(2));
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            out.write("MAIL FROM:<a@b>\r\n".getBytes(StandardCharsets.US_ASCII));
            in.readNBytes(8);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

            started = System.nanoTime();
            out.write("Subject: x\r\n\r\nbody\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            in.readNBytes(8);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(1900));
            assertThat(proxy.slowed()).isEqualTo(1);
        }
    }

    @Test
    void aHeldAnswerThatFindsItsClientGoneIsCountedLostUnderItsMessageIdAndADeliveredOneIsNot() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(upstream.getLocalPort(), 1).slowAfterData(1.0, Duration.ofMillis(500))) {
            try (Socket delivered = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                delivered.getOutputStream().write("Message-ID: <kept.completed@backuprelay>\r\n\r\nbody\r\n.\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(delivered.getInputStream().readNBytes(32)).hasSize(32); // four lines, four answers
            }
            Socket gone = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
            gone.getOutputStream().write("Subject: x\r\nmessage-id:  <Gone \"Sales\".failed@backuprelay>\r\n\r\nbody\r\n.\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            // The proxy arms the hold before it passes the end of the data on: once the server has all
            // five lines (after the four of the first message), the answers are held.
            await().atMost(Duration.ofSeconds(5)).until(() -> linesReceived.get() == 9);
            gone.close();

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(proxy.answersLost()).containsExactly("<Gone \"Sales\".failed@backuprelay>"));
            assertThat(proxy.slowed()).isEqualTo(2);
        }
    }
}
