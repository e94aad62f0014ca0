package io.backuprelay.dump.archive;

import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Compression;
import java.nio.file.Path;

/**
 * A complete archive in staging.
 *
 * @param sha256      hex SHA-256 of the file's bytes, as stored
 */
public record ArchiveFile(Path path, long sizeBytes, String sha256, Compression compression, Encryption encryption) {
}
