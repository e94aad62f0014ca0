package io.backuprelay.blob.block;

import io.backuprelay.blob.Crc64Nvme;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The id of each block: base64 of {@code {attempt}-{index}-{content}}, 40 characters before
 * encoding, so every id of a blob has the same length, as Azure requires.
 *
 * <ul>
 *   <li>{@code attempt}: 16 hex digits of the SHA-256 of the backup and the staging file's name
 *       (which carries the dump attempt's own token), so no two attempts share a block;</li>
 *   <li>{@code index}: the block's place ({@link BlockLayout}), six digits;</li>
 *   <li>{@code content}: the block's CRC-64/NVME, 16 hex digits, the same value the block carries
 *       in {@code x-ms-content-crc64} and Azure checks on arrival. A resumed upload computes it
 *       again from the local file, so a block staged from other bytes (a staging file changed or
 *       shared) has another id, is not taken for this archive's, and is sent again.</li>
 * </ul>
 */
final class BlockIds {

    /** The length of every id, encoded. */
    static final int LENGTH = Base64.getEncoder().encodeToString(new byte[40]).length();

    private BlockIds() {
    }

    /** The blocks of one dump attempt of a backup. */
    static String attemptKey(String backupId, String stagingFile) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((backupId + "/" + stagingFile).getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id of block {@code index} of this attempt holding these bytes. */
    static String of(String attemptKey, int index, byte[] data, int length) {
        return of(attemptKey, index, Crc64Nvme.of(data, 0, length));
    }

    /** @param crc64 the block's CRC-64/NVME, eight bytes as {@link Crc64Nvme#toBytes} */
    static String of(String attemptKey, int index, byte[] crc64) {
        String raw = attemptKey + "-" + String.format(Locale.ROOT, "%06d", index) + "-" + HexFormat.of().formatHex(crc64);
        return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }
}
