package io.backuprelay.common.activity;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The ids of activity entries: UUIDv7 (RFC 9562) whose text sorts as the entries were made. Within
 * one process they strictly increase, even for entries made in the same millisecond or under a
 * clock that stands still (the RFC's counter in {@code rand_a}), so "newest first" is the order of
 * the ids.
 */
public final class ActivityIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int COUNTER_LIMIT = 1 << 12;

    private static long lastMillis = -1;
    private static int counter;

    private ActivityIds() {
    }

    /** A new id, greater than every id this process made before. */
    public static synchronized String next(Instant now) {
        long millis = now.toEpochMilli();
        if (millis > lastMillis) {
            lastMillis = millis;
            counter = RANDOM.nextInt(COUNTER_LIMIT / 2); // half the counter left for the same millisecond
        } else if (++counter >= COUNTER_LIMIT) {
            lastMillis++; // a full millisecond: borrow the next one, as the RFC allows
            counter = 0;
        }
        long msb = (lastMillis << 16) | (0x7L << 12) | counter;
        long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    /** Whether the text is an id as this class writes them (a UUID in lower case): a cursor must be one. */
    public static boolean isId(String text) {
        return text != null && ID.matcher(text).matches();
    }
}
