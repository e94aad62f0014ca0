package io.backuprelay.common.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/** How backups are named: the staging file and the blob name derive from the backupId. */
public final class BackupIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupIds() {
    }

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

    /**
     * Whether a backupId can name files and blobs as it is: letters, digits and '-' (every id this
     * system makes is a UUID). A consumer checks it before putting it in a path.
     */
    public static boolean isSafe(String backupId) {
        return backupId != null && SAFE.matcher(backupId).matches();
    }

    /** A fresh UUIDv7 (RFC 9562): sorts by creation time, so recent backups list in order. */
    public static String newManual(Instant now) {
        long millis = now.toEpochMilli();
        long randA = RANDOM.nextInt(1 << 12);
        long msb = (millis << 16) | (0x7L << 12) | randA;
        long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    /** The same account and due slot always give the same id, so a duplicate request is the same backup. */
    public static String scheduled(String accountId, Instant dueSlot) {
        return scheduled(accountId, dueSlot, 1);
    }

    /** Each retry of a due slot is a backup of its own, with an id derived the same way. */
    public static String scheduled(String accountId, Instant dueSlot, int attempt) {
        String name = accountId + "@" + dueSlot + (attempt <= 1 ? "" : "#" + attempt);
        return nameUuid(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * {@link UUID#nameUUIDFromBytes} (a version 3, MD5 name-based UUID) with one digest per thread: that method
     * looks up a new {@code MessageDigest} on every call, which cost the scheduler's tick more than the digest.
     */
    static UUID nameUuid(byte[] name) {
        MessageDigest md5 = MD5.get();
        md5.reset();
        byte[] hash = md5.digest(name);
        hash[6] &= 0x0f;  // clear the version
        hash[6] |= 0x30;  // version 3
        hash[8] &= 0x3f;  // clear the variant
        hash[8] |= (byte) 0x80;  // IETF variant
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (hash[i] & 0xff);
        }
        for (int i = 8; i < 16; i++) {
            lsb = (lsb << 8) | (hash[i] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new InternalError("MD5 not supported", e);
        }
    });
}
