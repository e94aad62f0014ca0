package io.backuprelay.format.archive;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How an archive is compressed: zstd (the default), gzip at level 1 where zstd cannot be read, or
 * not at all. Its {@link #label()} is the word in events, blob metadata and manifests.
 */
public enum Compression {
    ZSTD("zstd", ".zst"),
    GZIP("gzip", ".gz"),
    NONE("none", "");

    private final String label;
    private final String extension;

    Compression(String label, String extension) {
        this.label = label;
        this.extension = extension;
    }

    /** The name in events, blob metadata and manifests. */
    @JsonValue
    public String label() {
        return label;
    }

    /** What the blob name carries after the dump's extension: {@code .zst}, {@code .gz} or nothing. */
    public String extension() {
        return extension;
    }

    /** @throws io.backuprelay.format.BackupFormatException naming {@code label} when it is no compression of ours */
    @JsonCreator
    public static Compression of(String label) {
        return Words.parse(Compression.class, "compression", label, Compression::label);
    }

    @Override
    public String toString() {
        return label;
    }
}
