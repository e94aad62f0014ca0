package io.backuprelay.database;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MariaDB dump with each {@code DEFINER=`user`@`host`} of its statements replaced by
 * {@code DEFINER=CURRENT_USER}, so that a user without {@code SUPER} or {@code SET USER} can restore
 * its views, triggers, routines and events. Row data is never touched: lines of
 * {@code INSERT INTO} pass through as they are, however long; other lines (statements and comments)
 * are rewritten one at a time.
 */
final class DefinerFilter extends InputStream {

    private static final Pattern DEFINER = Pattern.compile("DEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`");
    private static final byte[] INSERT = "INSERT INTO ".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private boolean eof;
    /** Inside a row-data line: bytes go out as they come until its newline. */
    private boolean rows;
    /** A rewritten statement line waiting to go out. */
    private byte[] pending = new byte[0];
    private int pendingPosition;

    DefinerFilter(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (true) {
            if (pendingPosition < pending.length) {
                int n = Math.min(length, pending.length - pendingPosition);
                System.arraycopy(pending, pendingPosition, target, offset, n);
                pendingPosition += n;
                return n;
            }
            if (rows) {
                if (position == limit && !fill()) {
                    return -1;
                }
                int end = position;
                int max = Math.min(limit, position + length);
                while (end < max && buffer[end] != '\n') {
                    end++;
                }
                if (end < max) {
                    end++; // the newline goes too, and the next line is judged afresh
                    rows = false;
                }
                int n = end - position;
                System.arraycopy(buffer, position, target, offset, n);
                position = end;
                return n;
            }
            if (!startOfLine()) {
                return -1;
            }
        }
    }

    /** Judges the line that starts here: row data passes through, a statement line is read and rewritten. */
    private boolean startOfLine() throws IOException {
        while (limit - position < INSERT.length && !eof) {
            compactAndFill();
        }
        if (position == limit) {
            return false;
        }
        if (limit - position >= INSERT.length
                && Arrays.equals(buffer, position, position + INSERT.length, INSERT, 0, INSERT.length)) {
            rows = true;
            return true;
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (position == limit && !fill()) {
                break;
            }
            int end = position;
            while (end < limit && buffer[end] != '\n') {
                end++;
            }
            boolean complete = end < limit;
            line.write(buffer, position, (complete ? end + 1 : end) - position);
            position = complete ? end + 1 : end;
            if (complete) {
                break;
            }
        }
        // ISO-8859-1 maps each byte to one char and back: UTF-8 text is kept byte for byte.
        String text = line.toString(StandardCharsets.ISO_8859_1);
        Matcher definer = DEFINER.matcher(text);
        pending = (definer.find() ? definer.replaceAll("DEFINER=CURRENT_USER") : text).getBytes(StandardCharsets.ISO_8859_1);
        pendingPosition = 0;
        return true;
    }

    private boolean fill() throws IOException {
        position = 0;
        limit = 0;
        compactAndFill();
        return limit > 0;
    }

    private void compactAndFill() throws IOException {
        if (eof) {
            return;
        }
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
