package io.backuprelay.upload;

/**
 * The metadata names on every blob this system writes. Retention relies on them to touch only
 * backups of its own.
 */
public final class BlobMetadata {

    public static final String BACKUP_ID = "backupid";
    public static final String ACCOUNT_ID = "accountid";
    public static final String SHA256 = "sha256";
    public static final String ENGINE = "engine";
    public static final String FORMAT = "format";
    public static final String COMPRESSION = "compression";
    public static final String ENCRYPTION = "encryption";
    public static final String WRITTEN_BY = "writtenby";
    /** When the backup was requested (ISO-8601): retention orders backups by it. */
    public static final String REQUESTED_AT = "requestedat";
    public static final String WRITER = "backuprelay";

    private BlobMetadata() {
    }
}
