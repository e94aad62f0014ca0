package io.backuprelay.format.archive;

import java.util.Objects;

/**
 * How a stored archive's bytes are to be read: the dump tool's format, then its compression, then
 * its encryption, as the blob name's extensions say ({@code .dump.zst.age}).
 */
public record ArchiveFormat(DumpFormat format, Compression compression, Encryption encryption) {

    public ArchiveFormat {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(encryption, "encryption");
    }

    /** e.g. {@code dump.zst.age}, {@code sql.gz}: what the blob name ends with after its dot. */
    public String extension() {
        return format.extension() + compression.extension() + encryption.extension();
    }
}
