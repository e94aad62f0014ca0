package io.backuprelay.standalone.restore;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.S3Options;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.database.RestoreException;
import io.backuprelay.format.BackupFormatException;
import io.backuprelay.format.blob.BlobMetadata;
import io.backuprelay.format.blob.BlobNames;
import io.backuprelay.format.manifest.BackupManifest;
import io.backuprelay.format.manifest.ManifestNames;
import java.io.InputStream;
import java.util.List;

/**
 * An account's backups in its container, found by listing the account's folder
 * ({@code {path}/{accountId}/…}) as the upload worker names them: the latest, or one by its id.
 * The container is named as the product's connection form names it (storage account, container,
 * path), with the access key in {@code AZURE_STORAGE_KEY} or a read-and-list SAS token in
 * {@code AZURE_STORAGE_SAS_TOKEN}; or an S3-compatible bucket (bucket, region, prefix, endpoint), with the key
 * in {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}; never on the command line.
 */
final class AccountBackups {

    private final BlobStore store;
    private final String folder;

    private AccountBackups(BlobStore store, String folder) {
        this.store = store;
        this.folder = folder;
    }

    static AccountBackups of(Options options, ConfigSource environment) {
        // Its storage checked against the operators' allowlist as the services check it.
        BlobAccess storage = new BlobAccess(EndpointPolicy.from(environment));
        String folder = BlobNames.accountFolder(options.path(), options.account());
        if (options.bucket() != null) {
            return new AccountBackups(bucket(options, environment, storage), folder);
        }
        String key = RestoreSettings.AZURE_STORAGE_KEY.read(environment);
        String sas = RestoreSettings.AZURE_STORAGE_SAS_TOKEN.read(environment);
        if ((key == null || key.isBlank()) && (sas == null || sas.isBlank())) {
            throw new RestoreException("--account needs the storage account's access key in AZURE_STORAGE_KEY, or a SAS"
                    + " token that can read and list in AZURE_STORAGE_SAS_TOKEN");
        }
        BlobCredential credential = key != null && !key.isBlank() ? BlobCredential.accountKey(key) : BlobCredential.sas(sas);
        String endpoint = options.endpoint() != null ? options.endpoint()
                : "https://" + options.storageAccount() + ".blob.core.windows.net";
        return new AccountBackups(storage.store(endpoint, options.storageAccount(), options.container(), credential),
                folder);
    }

    /** An S3-compatible bucket: a copy destination, or a destination. */
    private static BlobStore bucket(Options options, ConfigSource environment, BlobAccess storage) {
        String keyId = RestoreSettings.AWS_ACCESS_KEY_ID.read(environment);
        String secret = RestoreSettings.AWS_SECRET_ACCESS_KEY.read(environment);
        if (keyId == null || keyId.isBlank() || secret == null || secret.isBlank()) {
            throw new RestoreException("--bucket needs the key in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        Options.Bucket bucket = options.bucket();
        String endpoint = options.endpoint() != null ? options.endpoint()
                : "https://s3." + bucket.region() + ".amazonaws.com";
        return storage.bucket(endpoint, new S3Options(bucket.region(), keyId, bucket.pathStyle()), bucket.name(),
                BlobCredential.accountKey(secret));
    }

    /** The blob of the newest backup, or of {@code backupId}. */
    String find(String backupId) {
        List<BlobStore.StoredBlob> backups;
        try {
            backups = store.list(folder).stream()
                    .filter(blob -> !ManifestNames.isManifest(blob.name()))
                    .filter(blob -> BlobMetadata.writtenByUs(blob.metadata()))
                    .toList();
        } catch (RuntimeException e) {
            throw new RestoreException("Cannot list " + folder + " in the container: " + e.getMessage(), e);
        }
        if (backupId != null) {
            return backups.stream().filter(blob -> backupId.equals(blob.metadata().get(BlobMetadata.BACKUP_ID))).findFirst()
                    .map(BlobStore.StoredBlob::name)
                    .orElseThrow(() -> new RestoreException("No backup " + backupId + " under " + folder + " ("
                            + backups.size() + " backup(s) there)"));
        }
        return backups.stream().map(BlobStore.StoredBlob::name).sorted(BlobNames.NEWEST_FIRST).findFirst()
                .orElseThrow(() -> new RestoreException("No backup under " + folder + " in the container"));
    }

    BackupManifest manifest(String blobName) {
        String name = ManifestNames.ofBlob(blobName);
        byte[] bytes = store.readSmall(name).orElseThrow(() -> new RestoreException(
                "The manifest " + name + " is missing beside the backup"));
        try {
            return BackupManifest.parse(bytes);
        } catch (BackupFormatException e) {
            throw new RestoreException("The manifest of " + blobName + " is not a backuprelay manifest: " + e.getMessage());
        }
    }

    InputStream open(String blobName) {
        return store.read(blobName);
    }
}
