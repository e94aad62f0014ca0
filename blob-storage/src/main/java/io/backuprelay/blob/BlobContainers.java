package io.backuprelay.blob;

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
    public static BlobContainerClient client(Connection connection, String accessKey, int tryTimeoutSeconds, int maxTries) {
        return new BlobServiceClientBuilder()
                .endpoint(connection.blobEndpoint())
                .credential(new StorageSharedKeyCredential(connection.storageAccountName(), accessKey))
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, maxTries, tryTimeoutSeconds, 1000L,
                        30_000L, null))
                .buildClient()
                .getBlobContainerClient(connection.containerName());
    }
}
