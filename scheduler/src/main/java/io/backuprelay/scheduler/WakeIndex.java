package io.backuprelay.scheduler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the wake-up index: the wake-up time (8 bytes, big-endian epoch milliseconds) then the
 * accountId. The store orders keys by their bytes, so a range scan from the start up to now
 * finds exactly the accounts whose time has come, oldest first, without touching the others.
 */
final class WakeIndex {

    private WakeIndex() {
    }

    static Bytes key(Instant wakeAt, String accountId) {
        byte[] id = accountId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + id.length).putLong(Math.max(0, wakeAt.toEpochMilli())).put(id).array());
    }

    /** The first key of all. */
    static Bytes start() {
        return Bytes.wrap(new byte[8]);
    }

    /** A key after every key whose time is at or before {@code now}; UTF-8 never contains the byte 0xFF. */
    static Bytes endOf(Instant now) {
        byte[] bytes = ByteBuffer.allocate(9).putLong(Math.max(0, now.toEpochMilli())).put((byte) 0xFF).array();
        return Bytes.wrap(bytes);
    }

    static String accountId(Bytes key) {
        byte[] bytes = key.get();
        return new String(Arrays.copyOfRange(bytes, 8, bytes.length), StandardCharsets.UTF_8);
    }

    static Instant time(Bytes key) {
        return Instant.ofEpochMilli(ByteBuffer.wrap(key.get(), 0, 8).getLong());
    }
}
