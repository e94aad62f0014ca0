package io.backuprelay.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjIntConsumer;

/**
 * The bytes of HTTP/1.1 as {@link FaultProxy} handles them: a request's head and its body by its
 * Content-Length, an answer copied (and cut where a fault says), and the Azure error answer a fault
 * gives in the storage's place.
 */
final class HttpWire {

    private HttpWire() {
    }

    static void answer(Socket client, String head, InputStream in, int status, String errorCode) throws IOException {
        long length = contentLength(head);
        in.skipNBytes(length);
        boolean headRequest = head.startsWith("HEAD ");
        byte[] body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + errorCode
                + "</Code><Message>injected by the fault proxy</Message></Error>").getBytes(StandardCharsets.UTF_8);
        String response = "HTTP/1.1 " + status + " Injected\r\n"
                + "x-ms-error-code: " + errorCode + "\r\n"
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

    static String readHead(InputStream in) throws IOException {
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

    static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        return 0;
    }

    static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
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
    static void copyAnswer(Socket from, Socket to, AtomicLong answered, AtomicLong cutAt,
                                   ObjIntConsumer<byte[]> rewrite) {
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
            FaultProxy.closeQuietly(from);
            FaultProxy.closeQuietly(to);
        }
    }
}
