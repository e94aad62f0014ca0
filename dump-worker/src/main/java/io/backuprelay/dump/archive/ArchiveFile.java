package io.backuprelay.dump.archive;

import java.nio.file.Path;

/**
 * A complete archive in staging.
 *
 * @param sha256 hex SHA-256 of the file's bytes, as stored
 */
public record ArchiveFile(Path path, long sizeBytes, String sha256, String compression) {
}
