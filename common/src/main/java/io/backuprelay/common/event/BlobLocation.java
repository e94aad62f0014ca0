package io.backuprelay.common.event;

/** Where a backup landed. The URL never carries a signature or key. */
public record BlobLocation(String storageAccount, String container, String blobName, String url) {
}
