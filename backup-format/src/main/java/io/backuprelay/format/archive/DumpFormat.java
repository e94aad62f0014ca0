package io.backuprelay.format.archive;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How the dump tool wrote the plain dump inside an archive; its {@link #label()} is the word in events, metadata and manifests. */
public enum DumpFormat {
    /** {@code pg_dump -Fc}: what {@code pg_restore} reads. */
    PG_DUMP_CUSTOM("pg_dump-custom", "dump"),
    /** {@code mariadb-dump}'s SQL script: what the {@code mariadb} client reads. */
    MARIADB_SQL("mariadb-sql", "sql");

    private final String label;
    private final String extension;

    DumpFormat(String label, String extension) {
        this.label = label;
        this.extension = extension;
    }

    @JsonValue
    public String label() {
        return label;
    }

    /** The blob name's first extension: {@code dump} or {@code sql}. */
    public String extension() {
        return extension;
    }

    /** @throws io.backuprelay.format.BackupFormatException naming {@code label} when it is no format of ours */
    @JsonCreator
    public static DumpFormat of(String label) {
        return Words.parse(DumpFormat.class, "dump format", label, DumpFormat::label);
    }

    @Override
    public String toString() {
        return label;
    }
}
