package io.backuprelay.format.reader;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * At most {@code max} bytes: a read past them fails with {@link Exceeded}, so a blob grown past its
 * backup's size, or a dump that expands past a restore's budget, is never read whole.
 */
public final class CappedInputStream extends FilterInputStream {

    /** The stream went past its cap. */
    public static final class Exceeded extends IOException {
        Exceeded(long max) {
            super("more than " + max + " bytes");
        }
    }

    private final long max;
    private long read;

    public CappedInputStream(InputStream in, long max) {
        super(in);
        this.max = max;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0 && ++read > max) {
            throw new Exceeded(max);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
        int n = super.read(buffer, off, len);
        if (n > 0 && (read += n) > max) {
            throw new Exceeded(max);
        }
        return n;
    }
}
