package io.backuprelay.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on loopback for the faults of a slow or unreliable peer: it can limit each
 * connection's throughput (a source database far away, so that a dump takes seconds), stop
 * listening for a while (connections refused, as a mail server that is down), and hold back a
 * share of SMTP servers' answers to the end of a message's DATA past the client's timeout (a mail
 * server that accepted the message but answered too late, the case where the client cannot know
 * and sends again).
 */
public final class TcpProxy implements Closeable {

    private static final byte[] END_OF_DATA = {'\r', '\n', '.', '\r', '\n'};

    private final int port;
    private final int targetPort;
    private volatile ServerSocket server;
    private volatile boolean closed;
    private volatile long bytesPerSecond;
    private volatile double slowShare;
    private volatile Duration slowBy = Duration.ZERO;
    private final Random random;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger slowed = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();
    private final List<String> answersLost = new CopyOnWriteArrayList<>();

    private TcpProxy(int targetPort, long seed) throws IOException {
        this.targetPort = targetPort;
        this.random = new Random(seed);
        this.server = listen(0);
        this.port = server.getLocalPort();
        startAccepting(server);
    }

    /** A proxy to {@code 127.0.0.1:targetPort}. */
    public static TcpProxy start(int targetPort, long seed) {
        try {
            return new TcpProxy(targetPort, seed);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start a TCP proxy to port " + targetPort, e);
        }
    }

    public int port() {
        return port;
    }

    /** Each connection, each way, at most this many bytes a second from now on (0: unlimited). */
    public TcpProxy throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        return this;
    }

    /**
     * All connections together, both ways, at most this many bytes a second from now on (0:
     * unlimited): one link's bandwidth, as from a VM to its storage, however many connections share it.
     */
    public TcpProxy throttleTotal(long bytesPerSecond) {
        this.totalBytesPerSecond = bytesPerSecond;
        return this;
    }

    private volatile long totalBytesPerSecond;
    private final Object link = new Object();
    private long linkFreeAt;

    /** When {@code bytes} more have crossed the shared link at its rate: the time to wait until. */
    private long linkDue(int bytes, long rate) {
        synchronized (link) {
            linkFreeAt = Math.max(linkFreeAt, System.nanoTime()) + bytes * 1_000_000_000L / rate;
            return linkFreeAt;
        }
    }

    /**
     * A share of new connections (0 to 1) gets the server's answer to the end of each message's DATA
     * {@code by} late: the server has the message, the client has given up by then.
     */
    public TcpProxy slowAfterData(double share, Duration by) {
        this.slowBy = by;
        this.slowShare = share;
        return this;
    }

    /** Stops listening for {@code duration} (connections are refused), cutting the open ones, then listens again. */
    public void refuseFor(Duration duration) throws IOException, InterruptedException {
        ServerSocket listening = server;
        listening.close();
        refusals.incrementAndGet(); // counted once the port refuses
        open.forEach(FaultProxy::closeQuietly);
        Thread.sleep(duration);
        if (!closed) {
            server = listen(port);
            startAccepting(server);
        }
    }

    public int connections() {
        return connections.get();
    }

    /** Connections whose end-of-DATA answers were held back. */
    public int slowed() {
        return slowed.get();
    }

    /**
     * The Message-IDs of messages whose end-of-DATA answer was held back and never reached the
     * client, once for each such answer: the connection was cut (the server went down) or the client
     * was gone (killed) before the answer was passed on. The server has each of them; a client that sends it again makes a
     * duplicate no protocol can prevent.
     */
    public List<String> answersLost() {
        return List.copyOf(answersLost);
    }

    /** Times the proxy stopped listening. */
    public int refusals() {
        return refusals.get();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return socket;
    }

    private void startAccepting(ServerSocket listening) {
        Thread.ofVirtual().name("tcp-proxy-accept-" + port).start(() -> {
            while (!listening.isClosed()) {
                try {
                    Socket client = listening.accept();
                    connections.incrementAndGet();
                    boolean slow = slowShare > 0 && random.nextDouble() < slowShare;
                    if (slow) {
                        slowed.incrementAndGet();
                    }
                    Thread.ofVirtual().start(() -> pass(client, slow ? slowBy : Duration.ZERO));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    private void pass(Socket client, Duration holdAfterData) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            open.add(client);
            open.add(upstream);
            HoldBack hold = new HoldBack();
            Thread back = Thread.ofVirtual().start(() -> copy(upstream, client, null, hold));
            copy(client, upstream, holdAfterData.isZero() ? null : holdAfterData, hold);
            back.join();
        } catch (IOException | InterruptedException e) {
            // a side closed
        } finally {
            open.remove(client);
            open.removeIf(Socket::isClosed);
        }
    }

    /** Set when the client ended a message's DATA: the server's next answer waits this long. */
    private static final class HoldBack {
        volatile Duration next = Duration.ZERO;
        /** The Message-ID header of the message whose answer is held, if it had one. */
        volatile String messageId;
    }

    private static final Pattern MESSAGE_ID =
            Pattern.compile("(?im)^Message-ID:[ \\t]*(<[^>\\r\\n]+>)");
    /** How much of a message the proxy keeps to find its Message-ID (the headers come first). */
    private static final int HEAD_KEPT = 16 * 1024;

    /**
     * Copies one direction at the throttled rate. The client-to-server side (holdAfterData not null)
     * watches for the end of DATA and arms the hold-back before the server can see it; the
     * server-to-client side waits out an armed hold-back before it passes the answer on.
     */
    private void copy(Socket from, Socket to, Duration holdAfterData, HoldBack hold) {
        String heldFor = null;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[65536];
            int matched = 0;
            StringBuilder head = new StringBuilder();
            long started = System.nanoTime();
            long sent = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (holdAfterData != null) {
                    for (int i = 0; i < n; i++) {
                        if (head.length() < HEAD_KEPT) {
                            head.append((char) (buffer[i] & 0xff));
                        }
                        matched = buffer[i] == END_OF_DATA[matched] ? matched + 1 : (buffer[i] == '\r' ? 1 : 0);
                        if (matched == END_OF_DATA.length) {
                            Matcher id = MESSAGE_ID.matcher(head);
                            hold.messageId = id.find() ? id.group(1) : null;
                            head.setLength(0);
                            hold.next = holdAfterData;
                            matched = 0;
                        }
                    }
                } else if (!hold.next.isZero()) {
                    heldFor = hold.messageId;
                    Thread.sleep(hold.next);
                    hold.next = Duration.ZERO;
                }
                long rate = bytesPerSecond;
                if (rate > 0) {
                    // Released at the rate: these bytes go once the time for them and all before has passed.
                    long due = started + (sent + n) * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(Duration.ofNanos(wait));
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
                heldFor = null;
                sent += n;
                long total = totalBytesPerSecond;
                if (total > 0) {
                    long wait = linkDue(n, total) - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(Duration.ofNanos(wait));
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            if (heldFor != null) {
                answersLost.add(heldFor); // the held answer found the connection gone
            }
        } finally {
            FaultProxy.closeQuietly(from);
            FaultProxy.closeQuietly(to);
        }
    }

    @Override
    public void close() {
        closed = true;
        FaultProxy.closeQuietly(server);
        open.forEach(FaultProxy::closeQuietly);
    }
}
