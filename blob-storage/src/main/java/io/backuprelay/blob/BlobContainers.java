package io.backuprelay.blob;

import com.azure.core.credential.AzureSasCredential;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.backuprelay.common.account.Connection;

/** Container clients for a connection: the endpoint, the account key, and retries in the SDK's pipeline. */
public final class BlobContainers {

    private BlobContainers() {
    }

    /**
     * @param tryTimeoutSeconds how long one try of one request may take (a block upload needs more than a probe)
     * @param maxTries          tries of a request that fails transiently, with exponential backoff
     */
    public static BlobContainerClient client(Connection connection, BlobCredential credential, int tryTimeoutSeconds,
                                             int maxTries) {
        return client(connection.blobEndpoint(), connection.storageAccountName(), connection.containerName(), credential,
                tryTimeoutSeconds, maxTries);
    }

    /** The same, for a container named without a registered connection (the restore command). */
    public static BlobContainerClient client(String blobEndpoint, String storageAccountName, String containerName,
                                             BlobCredential credential, int tryTimeoutSeconds, int maxTries) {
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder().endpoint(blobEndpoint);
        if (credential.sasToken() != null) {
            builder.credential(new AzureSasCredential(credential.sasToken()));
        } else {
            builder.credential(new StorageSharedKeyCredential(storageAccountName, credential.accountKey()));
        }
        return builder
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, maxTries, tryTimeoutSeconds, 1000L,
                        30_000L, null))
                .buildClient()
                .getBlobContainerClient(containerName);
    }
}
