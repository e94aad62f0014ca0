package io.backuprelay.blob;

import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.S3Options;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a service reaches storage: its {@link EndpointPolicy}, and the stores and clients built under
 * it (each container's, kept up to 256, the least recently used dropped first, and shared: the SDK's
 * clients are thread-safe). Every store and client it hands out was checked against its policy, so a
 * service holding one reaches only what its own settings and grants allow, whatever other services
 * of the same process allow.
 */
public final class BlobAccess {

    private static final int CACHED = 256;

    private final BlobContainers containers;
    private final S3Clients s3;
    private final Map<AzureBlobStore.Key, AzureBlobStore> stores = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<AzureBlobStore.Key, AzureBlobStore> eldest) {
            return size() > CACHED;
        }
    };

    public BlobAccess(EndpointPolicy policy) {
        this.containers = new BlobContainers(policy);
        this.s3 = new S3Clients(policy);
    }

    /** What this access checks every endpoint against. */
    public EndpointPolicy policy() {
        return containers.policy();
    }

    /**
     * The store of this connection with this credential ({@link S3Store} for an S3 connection, else an
     * {@link AzureBlobStore}): the same instance while neither changes. Its
     * endpoint must be one the account may use (an operator's entry only when granted to it), checked
     * every time.
     *
     * @throws EndpointPolicy.EndpointRefusedException before any request, when it is not
     */
    public BlobStore store(Connection connection, BlobCredential credential) {
        policy().checkTargetFor(connection.accountId(), connection.blobEndpoint());
        if (connection.isS3()) {
            return s3Store(connection, credential, false);
        }
        return store(connection.blobEndpoint(), connection.storageAccountName(), connection.containerName(), credential);
    }

    /**
     * The bucket of an S3 connection, checked as {@link #store(Connection, BlobCredential)}; for a probe, on a client
     * whose every request is time-boxed to one try of 10 s, so a probe never holds a thread for long.
     */
    S3Store s3Store(Connection connection, BlobCredential credential, boolean probe) {
        policy().checkTargetFor(connection.accountId(), connection.blobEndpoint());
        S3Clients.Key key = new S3Clients.Key(connection.blobEndpoint(), connection.s3().region(),
                connection.s3().accessKeyId(), credential.accountKey(), connection.s3().pathStyle(), probe);
        return s3.store(key, connection.containerName());
    }

    /**
     * An S3 bucket named without a registered connection (the restore command), at an endpoint this policy allows
     * (an operator's entry needs no grant here: the operator runs the command).
     */
    public S3Store bucket(String endpoint, S3Options options, String bucket, BlobCredential credential) {
        policy().checkTarget(endpoint);
        return s3.store(new S3Clients.Key(endpoint, options.region(), options.accessKeyId(), credential.accountKey(),
                options.pathStyle(), false), bucket);
    }

    /** The Azure container of the target, for the block protocol. */
    public AzureBlobStore store(BlobTarget target) {
        return azure(target.connection(), target.credential());
    }

    /** The Azure container of this connection, for the block protocol; checked as {@link #store(Connection, BlobCredential)}. */
    public AzureBlobStore azure(Connection connection, BlobCredential credential) {
        if (connection.isS3()) {
            throw new IllegalArgumentException("The block protocol needs an Azure container; " + connection.connectionId()
                    + " is an S3 bucket");
        }
        policy().checkTargetFor(connection.accountId(), connection.blobEndpoint());
        return store(connection.blobEndpoint(), connection.storageAccountName(), connection.containerName(),
                credential);
    }

    /** An Azure container named without a registered connection (the restore command). */
    public AzureBlobStore store(String blobEndpoint, String storageAccount, String containerName,
                                BlobCredential credential) {
        AzureBlobStore.Key key = new AzureBlobStore.Key(blobEndpoint, storageAccount, containerName, credential);
        synchronized (stores) {
            return stores.computeIfAbsent(key, k -> new AzureBlobStore(containers, k));
        }
    }

    /** "Test connection" of this connection, as {@link ConnectionProbe} does it. */
    public ConnectionProbe.Result probe(Connection connection, BlobCredential credential) {
        if (connection.isS3()) {
            return S3Probe.test(this, connection, credential);
        }
        return ConnectionProbe.test(containers, connection, credential);
    }
}
