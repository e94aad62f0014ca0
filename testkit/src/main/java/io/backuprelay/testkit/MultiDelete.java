package io.backuprelay.testkit;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * DeleteObjects ({@code POST /bucket?delete}) through {@link LockingS3}: as AWS does, each entry whose version Object
 * Lock keeps is not deleted and is reported in the 200 {@code DeleteResult} as an {@code <Error>} with code
 * {@code AccessDenied}; the other entries are deleted. The request forwarded to S3Mock is the same less the refused
 * entries, with its Content-Length, Content-MD5, x-amz-content-sha256 and CRC32 / CRC32C checksum headers computed
 * again (the SDK sends {@code x-amz-checksum-crc32}); its SigV4 signature then no longer matches, which S3Mock, checking
 * none, does not notice.
 */
final class MultiDelete {

    private static final Pattern OBJECT = Pattern.compile("<Object>(.*?)</Object>", Pattern.DOTALL);
    private static final Pattern KEY = Pattern.compile("<Key>(.*?)</Key>", Pattern.DOTALL);
    private static final Pattern VERSION = Pattern.compile("<VersionId>(.*?)</VersionId>", Pattern.DOTALL);

    private final LockingS3 proxy;
    private final String rawBucket;
    private final boolean bypass;

    MultiDelete(LockingS3 proxy, String rawBucket, boolean bypass) {
        this.proxy = proxy;
        this.rawBucket = rawBucket;
        this.bypass = bypass;
    }

    RawHttp.Answer handle(RawHttp.Request request) throws IOException {
        String body = new String(request.body(), StandardCharsets.UTF_8);
        StringBuilder kept = new StringBuilder();
        StringBuilder errors = new StringBuilder();
        boolean versioned = proxy.versioningEnabled(rawBucket);
        Instant now = Instant.now();
        Matcher object = OBJECT.matcher(body);
        int last = 0;
        int forwarded = 0;
        while (object.find()) {
            String escapedKey = group(KEY, object.group(1));
            String escapedVersion = group(VERSION, object.group(1));
            String version = escapedVersion == null ? null : unescape(escapedVersion);
            boolean refused = (version != null || !versioned) && escapedKey != null
                    && proxy.lockOf("/" + rawBucket + "/" + encodeKey(unescape(escapedKey)),
                    version == null ? null : URLEncoder.encode(version, StandardCharsets.UTF_8)).refusesDelete(now, bypass);
            kept.append(body, last, object.start());
            if (refused) {
                proxy.refused();
                errors.append("<Error><Key>").append(escapedKey).append("</Key>")
                        .append(escapedVersion == null ? "" : "<VersionId>" + escapedVersion + "</VersionId>")
                        .append("<Code>AccessDenied</Code><Message>").append(LockingS3.DENIED).append("</Message></Error>");
            } else {
                kept.append(object.group());
                forwarded++;
            }
            last = object.end();
        }
        kept.append(body.substring(last));
        if (errors.isEmpty()) {
            return request.forward(proxy.upstreamPort());
        }
        if (forwarded == 0) {
            byte[] result = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/"
                    + "2006-03-01/\">" + errors + "</DeleteResult>").getBytes(StandardCharsets.UTF_8);
            return RawHttp.Answer.of(200, "OK", Map.of("Content-Type", "application/xml"), result);
        }
        byte[] smaller = kept.toString().getBytes(StandardCharsets.UTF_8);
        RawHttp.Answer answer = new RawHttp.Request(request.method(), request.target(), headersFor(request, smaller),
                smaller).forward(proxy.upstreamPort());
        if (answer.status() != 200) {
            return answer;
        }
        String result = new String(answer.body(), StandardCharsets.UTF_8);
        int end = result.lastIndexOf("</DeleteResult>");
        return end < 0 ? answer : answer.withBody((result.substring(0, end) + errors + result.substring(end))
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The request's headers for another body: length and the checksums it carries computed again. */
    private static List<String[]> headersFor(RawHttp.Request request, byte[] body) {
        List<String[]> headers = new ArrayList<>();
        for (String[] header : request.headers()) {
            String name = header[0].toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> headers.add(new String[]{header[0], String.valueOf(body.length)});
                case "content-md5" -> headers.add(new String[]{header[0], Base64.getEncoder()
                        .encodeToString(digest("MD5", body))});
                case "x-amz-content-sha256" -> headers.add(new String[]{header[0], header[1].matches("[0-9a-fA-F]{64}")
                        ? HexFormat.of().formatHex(digest("SHA-256", body)) : header[1]});
                case "x-amz-checksum-crc32" -> headers.add(new String[]{header[0], checksum(new CRC32(), body)});
                case "x-amz-checksum-crc32c" -> headers.add(new String[]{header[0], checksum(new CRC32C(), body)});
                default -> {
                    if (!name.startsWith("x-amz-checksum-")) {
                        headers.add(header);
                    } // another algorithm: dropped rather than left wrong
                }
            }
        }
        return headers;
    }

    private static byte[] digest(String algorithm, byte[] body) {
        try {
            return MessageDigest.getInstance(algorithm).digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String checksum(Checksum checksum, byte[] body) {
        checksum.update(body, 0, body.length);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) checksum.getValue()).array());
    }

    private static String group(Pattern pattern, String xml) {
        Matcher matcher = pattern.matcher(xml);
        return matcher.find() ? matcher.group(1) : null;
    }

    /** A key as a path: each segment percent-encoded, the slashes kept. */
    static String encodeKey(String key) {
        List<String> segments = new ArrayList<>();
        for (String segment : key.split("/", -1)) {
            segments.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", segments);
    }

    /** XML text as the characters it stands for (the five entities and numeric references). */
    static String unescape(String xml) {
        StringBuilder plain = new StringBuilder();
        int at = 0;
        while (at < xml.length()) {
            int amp = xml.indexOf('&', at);
            int semi = amp < 0 ? -1 : xml.indexOf(';', amp);
            if (amp < 0 || semi < 0) {
                plain.append(xml, at, xml.length());
                break;
            }
            plain.append(xml, at, amp);
            String entity = xml.substring(amp + 1, semi);
            switch (entity) {
                case "amp" -> plain.append('&');
                case "lt" -> plain.append('<');
                case "gt" -> plain.append('>');
                case "quot" -> plain.append('"');
                case "apos" -> plain.append('\'');
                default -> plain.appendCodePoint(entity.startsWith("#x") ? Integer.parseInt(entity.substring(2), 16)
                        : Integer.parseInt(entity.substring(1)));
            }
            at = semi + 1;
        }
        return plain.toString();
    }
}
