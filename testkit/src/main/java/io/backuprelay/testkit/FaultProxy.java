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
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A proxy on loopback (or another address of this machine) in front of Azurite that injects storage faults. Outside a fault it passes
 * requests and answers through untouched. During a fault window ({@link #failFor}), every
 * connection's request is read and answered with the given HTTP status and Azure error code, and the
 * connection closed; connections that were open when the fault began are cut, as a network fault
 * would. With a share ({@link #failShare}), a random share of requests meets one of the
 * {@link Injected} faults.
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
    private final AtomicInteger cuts = new AtomicInteger();
    private final Map<Injected, AtomicInteger> injected = new EnumMap<>(Injected.class);

    {
        for (Injected kind : Injected.values()) {
            injected.put(kind, new AtomicInteger());
        }
    }

    private record Fault(int status, String errorCode, long untilNanos) {

        boolean active() {
            return System.nanoTime() < untilNanos;
        }
    }

    private final String host;

    private FaultProxy(URI target, InetAddress address, String host) throws IOException {
        this.target = target;
        this.host = host;
        this.server = new ServerSocket(0, 50, address);
        Thread.ofVirtual().name("fault-proxy-accept").start(this::accept);
    }

    /** @param blobEndpoint where to forward, e.g. Azurite's {@code http://127.0.0.1:10000/devstoreaccount1} */
    public static FaultProxy start(String blobEndpoint) {
        try {
            FaultProxy proxy = new FaultProxy(URI.create(blobEndpoint), InetAddress.getLoopbackAddress(), "127.0.0.1");
            AllowedEndpoints.allow("http://127.0.0.1:" + proxy.server.getLocalPort()); // as the emulator is
            return proxy;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the fault proxy", e);
        }
    }

    /**
     * As {@link #start(String)}, listening on {@code address} instead of loopback: an address of this
     * machine that a network namespace of the test's own reaches too (the host end of its veth pair).
     *
     * @param address an IP address literal, e.g. {@code 10.213.0.1}
     */
    public static FaultProxy start(String blobEndpoint, String address) {
        try {
            FaultProxy proxy = new FaultProxy(URI.create(blobEndpoint), InetAddress.getByName(address), address);
            AllowedEndpoints.allow("http://" + address + ":" + proxy.server.getLocalPort());
            return proxy;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the fault proxy on " + address, e);
        }
    }

    /** The blob endpoint to give a connection: the proxy's address with the target endpoint's path. */
    public String endpointFor(String blobEndpoint) {
        return "http://" + host + ":" + server.getLocalPort() + URI.create(blobEndpoint).getRawPath();
    }

    /**
     * From now on, the answers' header {@code name} reaches the client renamed to {@code renamed} (of
     * the same length, so nothing else in the stream changes): a service that does not send it.
     */
    public FaultProxy hideAnswerHeader(String name, String renamed) {
        if (name.length() != renamed.length()) {
            throw new IllegalArgumentException("the new name must be as long as the old one");
        }
        hidden = new String[] {name.toLowerCase(Locale.ROOT), renamed};
        return this;
    }

    private volatile String[] hidden;

    /** Renames a hidden header in a piece of an answer, in place. */
    private void hide(byte[] buffer, int length) {
        String[] rename = hidden;
        if (rename == null) {
            return;
        }
        String text = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
        int at = text.toLowerCase(Locale.ROOT).indexOf(rename[0] + ":");
        while (at >= 0) {
            System.arraycopy(rename[1].getBytes(StandardCharsets.ISO_8859_1), 0, buffer, at, rename[1].length());
            at = text.toLowerCase(Locale.ROOT).indexOf(rename[0] + ":", at + 1);
        }
    }

    /** For {@code duration}, every request gets {@code status} with {@code x-ms-error-code: errorCode}. */
    public void failFor(Duration duration, int status, String errorCode) {
        fault = new Fault(status, errorCode, System.nanoTime() + duration.toNanos());
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    /** The faults {@link #failShare} injects, one per faulted request. */
    public enum Injected {
        /** 503 ServerBusy */ SERVER_BUSY,
        /** 500 InternalError */ INTERNAL_ERROR,
        /** 429, throttled */ THROTTLED,
        /** the connection reset (RST) instead of an answer */ RESET,
        /** no answer until the client gives up (at most 90 s), then the connection closed */ HANG,
        /** the request reaches Azurite, its answer is cut after a few hundred bytes */ TRUNCATED
    }

    /**
     * From now on, a share of requests (0 to 1), on new and kept-alive connections alike, meets a
     * fault instead of Azurite, chosen at random among {@link Injected}: the background noise of a
     * real storage service, reproducible by its seed.
     */
    public void failShare(double share, long seed) {
        failShare(share, seed, null);
    }

    /**
     * As {@link #failShare(double, long)}, and every {@code cutEvery} the open connections are cut (as
     * a load balancer's idle timeout or a network blip would).
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

    /** How many requests met each kind of fault under {@link #failShare}. */
    public Map<Injected, Integer> injected() {
        Map<Injected, Integer> counts = new EnumMap<>(Injected.class);
        injected.forEach((kind, n) -> counts.put(kind, n.get()));
        return counts;
    }

    /** Requests forwarded to Azurite. */
    public int forwardedRequests() {
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
                if (now != null && now.active()) {
                    Thread.ofVirtual().start(() -> answerWithFault(client, now));
                } else {
                    Thread.ofVirtual().start(() -> pass(client));
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** What to do to the next request on a connection: nothing, or a fault drawn from the share. */
    private Injected draw() {
        double failing = share;
        if (failing <= 0 || random.nextDouble() >= failing) {
            return null;
        }
        Injected kind = Injected.values()[random.nextInt(Injected.values().length)];
        injected.get(kind).incrementAndGet();
        return kind;
    }

    /**
     * Passes a connection through, request by request: each request's head and body (by its
     * Content-Length) are read, so that a fault can take the place of any request on a kept-alive
     * connection. A chunked request body is passed through as it comes, and the connection is then
     * not faulted any more.
     */
    private void pass(Socket client) {
        try (client; Socket upstream = new Socket(target.getHost(), target.getPort())) {
            open.add(client);
            open.add(upstream);
            AtomicLong answered = new AtomicLong();
            AtomicLong cutAt = new AtomicLong(Long.MAX_VALUE);
            Thread back = Thread.ofVirtual().start(() -> copyAnswer(upstream, client, answered, cutAt, this::hide));
            InputStream in = client.getInputStream();
            OutputStream out = upstream.getOutputStream();
            while (true) {
                String head;
                try {
                    head = readHead(in);
                } catch (IOException closed) {
                    break;
                }
                Injected fault = draw();
                if (fault != null && fault != Injected.TRUNCATED) {
                    faulted.incrementAndGet();
                    inject(fault, head, in, client);
                    break;
                }
                if (fault == Injected.TRUNCATED) {
                    faulted.incrementAndGet();
                    cutAt.set(answered.get() + 64 + random.nextInt(1024));
                }
                forwarded.incrementAndGet();
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                    in.transferTo(out);
                    break;
                }
                copyExactly(in, out, contentLength(head));
                out.flush();
            }
            closeQuietly(upstream);
            back.join();
        } catch (IOException | InterruptedException e) {
            // a side closed: the connection ends
        } finally {
            open.remove(client);
            open.removeIf(Socket::isClosed); // the upstream side too: a cut counts the connections open now, not every one ever made
        }
    }

    private void inject(Injected fault, String head, InputStream in, Socket client) throws IOException {
        switch (fault) {
            case SERVER_BUSY -> answer(client, head, in, new Fault(503, "ServerBusy", Long.MAX_VALUE));
            case INTERNAL_ERROR -> answer(client, head, in, new Fault(500, "InternalError", Long.MAX_VALUE));
            case THROTTLED -> answer(client, head, in, new Fault(429, "TooManyRequests", Long.MAX_VALUE));
            case RESET -> {
                client.setSoLinger(true, 0); // an RST, not a FIN
                client.close();
            }
            case HANG -> {
                // The request is taken and never answered: the client's timeout must end it.
                client.setSoTimeout((int) Duration.ofSeconds(90).toMillis());
                try {
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (IOException timedOutOrClosed) {
                    // the client gave up, or 90 s passed
                }
            }
            case TRUNCATED -> throw new IllegalArgumentException("a truncated answer is forwarded, then cut");
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("the request body ended early");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /** Copies Azurite's answers to the client, cutting the connection when {@code cutAt} bytes have been sent. */
    private static void copyAnswer(Socket from, Socket to, AtomicLong answered, AtomicLong cutAt,
                                   java.util.function.ObjIntConsumer<byte[]> rewrite) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                rewrite.accept(buffer, n);
                long limit = cutAt.get();
                long sent = answered.get();
                if (sent + n >= limit) {
                    out.write(buffer, 0, (int) Math.max(0, limit - sent));
                    out.flush();
                    break;
                }
                out.write(buffer, 0, n);
                answered.addAndGet(n);
            }
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
            faulted.incrementAndGet();
            answer(client, head, in, now);
        } catch (IOException e) {
            // the client gave up
        }
    }

    private static void answer(Socket client, String head, InputStream in, Fault now) throws IOException {
        long length = contentLength(head);
        in.skipNBytes(length);
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

    /** Closes a socket (or a listening one) that may be closed already. */
    static void closeQuietly(Closeable socket) {
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
