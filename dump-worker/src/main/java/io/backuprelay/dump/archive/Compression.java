package io.backuprelay.dump.archive;

/** How archives are compressed: zstd (the default), or gzip at level 1 where zstd cannot be read. */
public enum Compression {
    ZSTD("zstd"),
    GZIP("gzip");

    private final String label;

    Compression(String label) {
        this.label = label;
    }

    /** The name in events, blob metadata and manifests. */
    public String label() {
        return label;
    }
}
