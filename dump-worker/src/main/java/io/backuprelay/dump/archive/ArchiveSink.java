package io.backuprelay.dump.archive;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Streams a dump tool's output through zstd and SHA-256 into a staging file, in constant memory.
 * The file is written under a temporary name and renamed only when complete, so a staging file
 * with a final name is always whole.
 */
public final class ArchiveSink {

    private static final int BUFFER_BYTES = 1 << 20;

    private final Path stagingDir;
    private final int zstdLevel;

    public ArchiveSink(Path stagingDir, int zstdLevel) {
        this.stagingDir = stagingDir;
        this.zstdLevel = zstdLevel;
    }

    /** The final file name of a backup's archive: derived from the backupId, so a redo overwrites it. */
    public static String fileName(String backupId) {
        return backupId + ".dump.zst";
    }

    /** A temporary file of its own for one attempt; {@link #complete} renames it. */
    public Path newPartialFile(String backupId) throws IOException {
        Files.createDirectories(stagingDir);
        return stagingDir.resolve(fileName(backupId) + "." + UUID.randomUUID().toString().substring(0, 8) + ".partial");
    }

    /**
     * Copies {@code dump} to {@code partial}, compressed. Returns the number of uncompressed bytes read.
     */
    public WrittenArchive write(InputStream dump, Path partial) throws IOException {
        MessageDigest sha256 = sha256();
        long rawBytes = 0;
        try (OutputStream file = Files.newOutputStream(partial);
             DigestOutputStream digest = new DigestOutputStream(new BufferedOutputStream(file, BUFFER_BYTES), sha256);
             ZstdOutputStream zstd = new ZstdOutputStream(digest, zstdLevel)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            int read;
            while ((read = dump.read(buffer)) >= 0) {
                zstd.write(buffer, 0, read);
                rawBytes += read;
            }
        }
        return new WrittenArchive(rawBytes, Files.size(partial), HexFormat.of().formatHex(sha256.digest()));
    }

    /** Gives the partial file its final name. */
    public ArchiveFile complete(Path partial, String backupId, WrittenArchive written) throws IOException {
        Path target = stagingDir.resolve(fileName(backupId));
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new ArchiveFile(target, written.archiveBytes(), written.sha256(), "zstd");
    }

    /** What {@link #write} produced. */
    public record WrittenArchive(long dumpBytes, long archiveBytes, String sha256) {
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
