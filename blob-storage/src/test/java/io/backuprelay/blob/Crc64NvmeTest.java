package io.backuprelay.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Crc64NvmeTest {

    @Test
    void givesTheCatalogueCheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        // CRC-64/NVME in the CRC catalogue: check = 0xae8b14860a799888
        assertThat(new Crc64Nvme().update(check, 0, check.length).value()).isEqualTo(0xAE8B14860A799888L);
        assertThat(Crc64Nvme.of(check, 0, check.length))
                .containsExactly(0x88, 0x98, 0x79, 0x0a, 0x86, 0x14, 0x8b, 0xae);
    }

    @Test
    void isTheSameWhateverTheSlicesTheBytesArriveIn() {
        byte[] data = new byte[10_000];
        new Random(7).nextBytes(data);
        long whole = new Crc64Nvme().update(data, 0, data.length).value();
        Crc64Nvme pieces = new Crc64Nvme();
        int offset = 0;
        for (int length : new int[] {1, 15, 16, 17, 33, 1000, 3}) {
            pieces.update(data, offset, length);
            offset += length;
        }
        pieces.update(data, offset, data.length - offset);
        assertThat(pieces.value()).isEqualTo(whole);
        assertThat(bitwise(data)).isEqualTo(whole);
    }

    @Test
    void ofNothingIsZero() {
        assertThat(new Crc64Nvme().value()).isZero();
    }

    /** The definition, one bit at a time. */
    private static long bitwise(byte[] data) {
        long crc = ~0L;
        for (byte b : data) {
            crc ^= b & 0xff;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x9A6C9329AC4BC9B5L : crc >>> 1;
            }
        }
        return ~crc;
    }
}
