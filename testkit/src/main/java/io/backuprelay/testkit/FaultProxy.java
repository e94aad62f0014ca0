package io.backuprelay.testkit;

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
import java.util.Random;
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
    private volatile Random random = new Random();
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
            return proxy;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the fault proxy on " + address, e);
        }
    }

    /**
     * The proxy's origin, e.g. {@code http://127.0.0.1:41234}: what a test's endpoint policy must
     * allow, as it allows the emulator's ({@link Azurite#origin()}).
     */
    public String origin() {
        return "http://" + host + ":" + server.getLocalPort();
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
        this.random = new Random(seed);
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
            Thread back = Thread.ofVirtual().start(() -> HttpWire.copyAnswer(upstream, client, answered, cutAt, this::hide));
            InputStream in = client.getInputStream();
            OutputStream out = upstream.getOutputStream();
            while (true) {
                String head;
                try {
                    head = HttpWire.readHead(in);
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
                HttpWire.copyExactly(in, out, HttpWire.contentLength(head));
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
            case SERVER_BUSY -> HttpWire.answer(client, head, in, 503, "ServerBusy");
            case INTERNAL_ERROR -> HttpWire.answer(client, head, in, 500, "InternalError");
            case THROTTLED -> HttpWire.answer(client, head, in, 429, "TooManyRequests");
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

    private void answerWithFault(Socket client, Fault now) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = HttpWire.readHead(in);
            faulted.incrementAndGet();
            HttpWire.answer(client, head, in, now.status(), now.errorCode());
        } catch (IOException e) {
            // the client gave up
        }
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
