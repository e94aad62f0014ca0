package io.backuprelay.testkit;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of Azurite that injects storage faults. Outside a fault it
 * passes bytes through untouched. During a fault, every connection's request is read and answered
 * with the given HTTP status and Azure error code, and the connection closed; connections that were
 * open when the fault began are cut, as a network fault would.
 */
public final class FaultProxy implements Closeable {

    private final ServerSocket server;
    private final URI target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger faulted = new AtomicInteger();
    private volatile Fault fault;
    private volatile double share;
    private volatile java.util.Random random = new java.util.Random();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();

    private record Fault(int status, String errorCode, long untilNanos) {

        boolean active() {
            return System.nanoTime() < untilNanos;
        }
    }

    private FaultProxy(URI target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("fault-proxy-accept").start(this::accept);
    }

    /** @param blobEndpoint where to forward, e.g. Azurite's {@code http://127.0.0.1:10000/devstoreaccount1} */
    public static FaultProxy start(String blobEndpoint) {
        try {
            FaultProxy proxy = new FaultProxy(URI.create(blobEndpoint));
            AllowedEndpoints.allow("http://127.0.0.1:" + proxy.server.getLocalPort()); // as the emulator is
            return proxy;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the fault proxy", e);
        }
    }

    /** The blob endpoint to give a connection: the proxy's address with the target endpoint's path. */
    public String endpointFor(String blobEndpoint) {
        return "http://127.0.0.1:" + server.getLocalPort() + URI.create(blobEndpoint).getRawPath();
    }

    /** For {@code duration}, every request gets {@code status} with {@code x-ms-error-code: errorCode}. */
    public void failFor(Duration duration, int status, String errorCode) {
        fault = new Fault(status, errorCode, System.nanoTime() + duration.toNanos());
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    /**
     * From now on, a share of new connections (0 to 1) gets a fault instead of Azurite, chosen at
     * random from 503 ServerBusy, 500 InternalError, 429 (throttled) and a reset (the connection
     * closed at once): the background noise of a real storage service, reproducible by its seed.
     */
    public void failShare(double share, long seed) {
        failShare(share, seed, null);
    }

    /**
     * As {@link #failShare(double, long)}, and every {@code cutEvery} the open connections are cut (as
     * a load balancer's idle timeout or a network blip would), so that clients that keep their
     * connections open reconnect, and meet the faults, too.
     */
    public void failShare(double share, long seed, Duration cutEvery) {
        this.random = new java.util.Random(seed);
        this.share = share;
        if (share > 0 && cutEvery != null) {
            Thread.ofVirtual().name("fault-proxy-cuts").start(() -> {
                while (this.share > 0 && !server.isClosed()) {
                    try {
                        Thread.sleep(cutEvery);
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (Socket socket : open) {
                        cuts.incrementAndGet();
                        closeQuietly(socket);
                    }
                }
            });
        }
    }

    /** Connections cut while open (see {@link #failShare(double, long, Duration)}). */
    public int cutConnections() {
        return cuts.get();
    }

    public int resetConnections() {
        return resets.get();
    }

    public int forwardedConnections() {
        return forwarded.get();
    }

    public int faultedRequests() {
        return faulted.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Fault now = fault;
                double failing = share;
                if (now != null && now.active()) {
                    Thread.ofVirtual().start(() -> answerWithFault(client, now));
                } else if (failing > 0 && random.nextDouble() < failing) {
                    int kind = random.nextInt(4);
                    if (kind == 3) {
                        resets.incrementAndGet();
                        closeQuietly(client);
                    } else {
                        Fault injected = new Fault(new int[] {503, 500, 429}[kind],
                                new String[] {"ServerBusy", "InternalError", "TooManyRequests"}[kind], Long.MAX_VALUE);
                        Thread.ofVirtual().start(() -> answerWithFault(client, injected));
                    }
                } else {
                    Thread.ofVirtual().start(() -> pass(client));
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pass(Socket client) {
        forwarded.incrementAndGet();
        try (client; Socket upstream = new Socket(target.getHost(), target.getPort())) {
            open.add(client);
            open.add(upstream);
            Thread back = Thread.ofVirtual().start(() -> copy(upstream, client));
            copy(client, upstream);
            back.join();
        } catch (IOException | InterruptedException e) {
            // a side closed: the connection ends
        } finally {
            open.remove(client);
            open.removeIf(Socket::isClosed); // the upstream side too: a cut counts the connections open now, not every one ever made
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // a side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void answerWithFault(Socket client, Fault now) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            long length = contentLength(head);
            in.skipNBytes(length);
            faulted.incrementAndGet();
            boolean headRequest = head.startsWith("HEAD ");
            byte[] body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + now.errorCode()
                    + "</Code><Message>injected by the fault proxy</Message></Error>").getBytes(StandardCharsets.UTF_8);
            String response = "HTTP/1.1 " + now.status() + " Injected\r\n"
                    + "x-ms-error-code: " + now.errorCode() + "\r\n"
                    + "Content-Type: application/xml\r\n"
                    + "Content-Length: " + (headRequest ? 0 : body.length) + "\r\n"
                    + "Connection: close\r\n\r\n";
            OutputStream out = client.getOutputStream();
            out.write(response.getBytes(StandardCharsets.US_ASCII));
            if (!headRequest) {
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            // the client gave up
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the request ended");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        return 0;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        open.forEach(FaultProxy::closeQuietly);
    }
}
