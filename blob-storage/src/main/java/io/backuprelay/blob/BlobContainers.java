package io.backuprelay.blob;

import com.azure.core.credential.AzureSasCredential;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.backuprelay.common.account.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Container clients for a connection: the endpoint, the account key, and retries in the SDK's
 * pipeline; every endpoint checked against one {@link EndpointPolicy}, the client's addresses too
 * when it connects. Clients are kept (up to 256, the least recently used dropped first) and shared:
 * the SDK's clients are thread-safe, and building one per request would build its HTTP pipeline
 * every time. One per {@link BlobAccess}, so clients built under one policy serve only that one.
 */
final class BlobContainers {

    private final EndpointPolicy policy;
    private final CheckedResolverGroup resolver;
    private final Map<Key, BlobContainerClient> clients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, BlobContainerClient> eldest) {
            return size() > 256;
        }
    };

    BlobContainers(EndpointPolicy policy) {
        this.policy = policy;
        this.resolver = new CheckedResolverGroup(policy);
    }

    EndpointPolicy policy() {
        return policy;
    }

    /**
     * @param tryTimeoutSeconds how long one try of one request may take (a block upload needs more than a probe)
     * @param maxTries          tries of a request that fails transiently, with exponential backoff
     */
    BlobContainerClient client(Connection connection, BlobCredential credential, int tryTimeoutSeconds, int maxTries) {
        policy.checkTargetFor(connection.accountId(), connection.blobEndpoint());
        return client(connection.blobEndpoint(), connection.storageAccountName(), connection.containerName(), credential,
                tryTimeoutSeconds, maxTries);
    }

    /**
     * The same, for a container named without a registered connection (the restore command). The
     * endpoint must pass the {@link EndpointPolicy}, or {@link EndpointPolicy.EndpointRefusedException}
     * is thrown before any request.
     */
    BlobContainerClient client(String blobEndpoint, String storageAccountName, String containerName,
                               BlobCredential credential, int tryTimeoutSeconds, int maxTries) {
        // Every time (a cached client was checked before); the addresses are checked when the client connects.
        policy.checkTarget(blobEndpoint);
        Key key = new Key(blobEndpoint, storageAccountName, containerName, credential, tryTimeoutSeconds, maxTries);
        synchronized (clients) {
            return clients.computeIfAbsent(key, this::build);
        }
    }

    private record Key(String endpoint, String storageAccountName, String containerName, BlobCredential credential,
                       int tryTimeoutSeconds, int maxTries) {
    }

    /** The context key under which a request carries the base64 CRC-64/NVME of its body. */
    static final String CRC64_KEY = "backuprelay.content-crc64";

    /**
     * Sets {@code x-ms-content-crc64} from the request's context. Per call, so before the request is
     * signed (the header is part of the shared-key signature) and on every try.
     */
    private static final class Crc64Header implements HttpPipelinePolicy {

        @Override
        public Mono<HttpResponse> process(
                HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            setHeader(context);
            return next.process();
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context,
                                                            HttpPipelineNextSyncPolicy next) {
            setHeader(context);
            return next.processSync();
        }

        private static void setHeader(HttpPipelineCallContext context) {
            context.getData(CRC64_KEY).ifPresent(value -> context.getHttpRequest().setHeader(HEADER, value.toString()));
        }

        private static final HttpHeaderName HEADER =
                HttpHeaderName.fromString(AzureBlobStore.CRC64_HEADER);

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_CALL;
        }
    }

    private BlobContainerClient build(Key key) {
        String blobEndpoint = key.endpoint();
        String storageAccountName = key.storageAccountName();
        String containerName = key.containerName();
        BlobCredential credential = key.credential();
        int tryTimeoutSeconds = key.tryTimeoutSeconds();
        int maxTries = key.maxTries();
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder().endpoint(blobEndpoint)
                // Names are resolved and checked again when the connection is made, not only here.
                .httpClient(new NettyAsyncHttpClientBuilder(
                        HttpClient.create().resolver(resolver)).build());
        if (credential.sasToken() != null) {
            builder.credential(new AzureSasCredential(credential.sasToken()));
        } else {
            builder.credential(new StorageSharedKeyCredential(storageAccountName, credential.accountKey()));
        }
        return builder
                .addPolicy(new Crc64Header())
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, maxTries, tryTimeoutSeconds, 1000L,
                        30_000L, null))
                .buildClient()
                .getBlobContainerClient(containerName);
    }
}
