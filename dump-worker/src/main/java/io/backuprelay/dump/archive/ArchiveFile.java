package io.backuprelay.dump.archive;

import java.nio.file.Path;

/**
 * A complete archive in staging.
 *
 * @param sha256      hex SHA-256 of the file's bytes, as stored
 * @param compression {@code zstd} or {@code gzip}
 * @param encryption  {@code none} or {@code age-x25519}
 */
public record ArchiveFile(Path path, long sizeBytes, String sha256, String compression, String encryption) {
}
