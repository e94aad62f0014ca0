package io.backuprelay.common.account;

/** The kind of storage a connection reaches. */
public enum ConnectionType {
    /** An Azure Blob Storage container. */
    AZURE_BLOB,
    /** A bucket of an S3-compatible service (AWS S3, Cloudflare R2, MinIO, Backblaze B2). */
    S3
}
