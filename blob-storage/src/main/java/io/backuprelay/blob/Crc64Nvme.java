package io.backuprelay.blob;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * CRC-64/NVME (reflected polynomial {@code 0x9A6C9329AC4BC9B5}, initial value and final XOR all
 * ones), the checksum Azure Storage verifies in {@code x-ms-content-crc64}. Slicing-by-16: sixteen
 * bytes a step through sixteen tables, a few times cheaper than the MD5 it replaces.
 *
 * <p>Written here because no released Java library of this field offers it: the Azure SDK's own
 * implementation exists only in a beta, and the AWS CRT's is a native bundle for all platforms.
 * {@code Crc64NvmeTest} checks it against the catalogue's check value, and the block uploads against
 * the emulator's own computation.
 */
public final class Crc64Nvme {

    private static final long POLY = 0x9A6C9329AC4BC9B5L;
    private static final long[] TABLES = new long[16 * 256];
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY : crc >>> 1;
            }
            TABLES[i] = crc;
        }
        for (int t = 1; t < 16; t++) {
            for (int i = 0; i < 256; i++) {
                long previous = TABLES[(t - 1) * 256 + i];
                TABLES[t * 256 + i] = (previous >>> 8) ^ TABLES[(int) (previous & 0xff)];
            }
        }
    }

    private long crc = ~0L;

    public Crc64Nvme update(byte[] data, int offset, int length) {
        long c = crc;
        long[] t = TABLES;
        while (length >= 16) {
            long a = (long) LONGS.get(data, offset) ^ c;
            long b = (long) LONGS.get(data, offset + 8);
            c = t[15 * 256 + (int) (a & 0xff)] ^ t[14 * 256 + (int) ((a >>> 8) & 0xff)]
                    ^ t[13 * 256 + (int) ((a >>> 16) & 0xff)] ^ t[12 * 256 + (int) ((a >>> 24) & 0xff)]
                    ^ t[11 * 256 + (int) ((a >>> 32) & 0xff)] ^ t[10 * 256 + (int) ((a >>> 40) & 0xff)]
                    ^ t[9 * 256 + (int) ((a >>> 48) & 0xff)] ^ t[8 * 256 + (int) (a >>> 56)]
                    ^ t[7 * 256 + (int) (b & 0xff)] ^ t[6 * 256 + (int) ((b >>> 8) & 0xff)]
                    ^ t[5 * 256 + (int) ((b >>> 16) & 0xff)] ^ t[4 * 256 + (int) ((b >>> 24) & 0xff)]
                    ^ t[3 * 256 + (int) ((b >>> 32) & 0xff)] ^ t[2 * 256 + (int) ((b >>> 40) & 0xff)]
                    ^ t[256 + (int) ((b >>> 48) & 0xff)] ^ t[(int) (b >>> 56)];
            offset += 16;
            length -= 16;
        }
        while (length-- > 0) {
            c = t[(int) ((c ^ data[offset++]) & 0xff)] ^ (c >>> 8);
        }
        crc = c;
        return this;
    }

    /** The checksum of everything given so far. */
    public long value() {
        return ~crc;
    }

    /** The checksum as Azure takes it in {@code x-ms-content-crc64}: eight bytes, least significant first. */
    public byte[] toBytes() {
        byte[] bytes = new byte[8];
        LONGS.set(bytes, 0, value());
        return bytes;
    }

    /** The CRC-64/NVME of {@code length} bytes, as Azure takes it. */
    public static byte[] of(byte[] data, int offset, int length) {
        return new Crc64Nvme().update(data, offset, length).toBytes();
    }
}
