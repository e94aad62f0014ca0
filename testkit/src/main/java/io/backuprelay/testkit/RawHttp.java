package io.backuprelay.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 at the byte level for {@link ImmutableAzure} and {@link LockingS3}: requests forwarded with their headers as sent (the
 * SharedKey signature covers them) and answers passed back with their header names as Azurite wrote them (the
 * SDK reads {@code x-ms-meta-*} case-sensitively), with headers added or a body replaced.
 */
final class RawHttp {

    private RawHttp() {
    }

    /** A request as read: its line, its headers in order, its body by Content-Length. */
    record Request(String method, URI target, List<String[]> headers, byte[] body) {

        /**
         * The next request on {@code in}; one that asks {@code Expect: 100-continue} (the AWS SDK's Apache client
         * does, on uploads) is first told {@code 100 Continue} on {@code out}: the body follows only then.
         */
        static Request read(InputStream in, OutputStream out) throws IOException {
            String head = HttpWire.readHead(in);
            String[] lines = head.split("\r\n");
            String[] line = lines[0].split(" ");
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.add(new String[]{lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()});
                }
            }
            if ("100-continue".equalsIgnoreCase(RawHttp.header(headers, "expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            return new Request(line[0], URI.create(line[1]), headers, in.readNBytes((int) HttpWire.contentLength(head)));
        }

        String header(String name) {
            return RawHttp.header(headers, name);
        }

        /**
         * Sent to {@code port} on loopback as it came, but for {@code Connection: close} and without {@code Expect}
         * (the body is sent at once); the answer read whole.
         */
        Answer forward(int port) throws IOException {
            try (Socket upstream = new Socket("127.0.0.1", port)) {
                StringBuilder head = new StringBuilder(method + " " + target.toASCIIString() + " HTTP/1.1\r\n");
                for (String[] header : headers) {
                    String lower = header[0].toLowerCase(Locale.ROOT);
                    if (!lower.equals("connection") && !lower.equals("keep-alive") && !lower.equals("expect")) {
                        head.append(header[0]).append(": ").append(header[1]).append("\r\n");
                    }
                }
                head.append("Connection: close\r\n\r\n");
                OutputStream out = upstream.getOutputStream();
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                return Answer.parse(upstream.getInputStream().readAllBytes(), method.equals("HEAD"));
            }
        }
    }

    /** An answer: status line, headers in order (names as written), body (de-chunked). */
    record Answer(int status, String reason, List<String[]> headers, byte[] body) {

        static Answer parse(byte[] raw, boolean head) throws IOException {
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                throw new IOException("the upstream answer ended in its head");
            }
            String[] lines = text.substring(0, end).split("\r\n");
            String[] status = lines[0].split(" ", 3);
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.add(new String[]{lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()});
            }
            byte[] body = head ? new byte[0] : Arrays.copyOfRange(raw, end + 4, raw.length);
            if ("chunked".equalsIgnoreCase(RawHttp.header(headers, "transfer-encoding"))) {
                body = dechunk(body);
            }
            return new Answer(Integer.parseInt(status[1]), status.length > 2 ? status[2] : "", headers, body);
        }

        Answer withBody(byte[] other) {
            return new Answer(status, reason, headers, other);
        }

        /** Written to the client with {@code added} headers (replacing those of the same name). */
        void send(OutputStream out, Map<String, String> added, boolean head) throws IOException {
            StringBuilder text = new StringBuilder("HTTP/1.1 " + status + " " + reason + "\r\n");
            for (String[] header : headers) {
                String lower = header[0].toLowerCase(Locale.ROOT);
                boolean framing = lower.equals("transfer-encoding") || lower.equals("connection")
                        || lower.equals("keep-alive") || lower.equals("content-length") && !head;
                if (!framing && !added.containsKey(lower)) {
                    text.append(header[0]).append(": ").append(header[1]).append("\r\n");
                }
            }
            added.forEach((name, value) -> text.append(name).append(": ").append(value).append("\r\n"));
            if (!head) {
                text.append("Content-Length: ").append(body.length).append("\r\n");
            }
            text.append("\r\n");
            out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (!head) {
                out.write(body);
            }
            out.flush();
        }

        /** An answer of the stand-in's own. */
        static Answer of(int status, String reason, Map<String, String> headers, byte[] body) {
            List<String[]> list = new ArrayList<>();
            headers.forEach((name, value) -> list.add(new String[]{name, value}));
            return new Answer(status, reason, list, body);
        }
    }

    static String header(List<String[]> headers, String name) {
        for (String[] header : headers) {
            if (header[0].equalsIgnoreCase(name)) {
                return header[1];
            }
        }
        return null;
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int lineEnd = indexOf(chunked, at);
            String size = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int length = Integer.parseInt(size, 16);
            if (length == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, length);
            at = lineEnd + 2 + length + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i < data.length - 1; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') {
                return i;
            }
        }
        return data.length;
    }
}
