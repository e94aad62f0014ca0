package io.backuprelay.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;

/**
 * The loopback HTTP/1.1 server of a stand-in ({@link ImmutableAzure}, {@link LockingS3}): each connection on a
 * virtual thread, its requests read one after another (keep-alive) and each answered with what the stand-in
 * replies, until the client closes or sends what is not HTTP.
 */
final class StandInServer implements Closeable {

    /** What a stand-in does with one request. */
    @FunctionalInterface
    interface Handler {
        Reply handle(RawHttp.Request request) throws IOException;
    }

    /** An answer, and the headers the stand-in adds to it. */
    record Reply(RawHttp.Answer answer, Map<String, String> added) {

        static Reply of(RawHttp.Answer answer) {
            return new Reply(answer, Map.of());
        }
    }

    private final ServerSocket socket;
    private final String name;
    private final Handler handler;

    StandInServer(String name, Handler handler) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.name = name;
        this.handler = handler;
        Thread.ofVirtual().name(name + "-accept").start(this::accept);
    }

    /** E.g. {@code http://127.0.0.1:40123}. */
    String origin() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Thread.ofVirtual().name(name).start(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                RawHttp.Request request = RawHttp.Request.read(in, out);
                Reply reply = handler.handle(request);
                reply.answer().send(out, reply.added(), request.method().equals("HEAD"));
                if ("close".equalsIgnoreCase(request.header("connection"))) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went, or the request was not HTTP the stand-in reads: the connection ends
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
