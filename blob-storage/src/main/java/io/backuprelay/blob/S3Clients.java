package io.backuprelay.blob;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * S3 clients for connections, each resolving names through one {@link EndpointPolicy} when it connects (the
 * Apache client's DNS resolver), so a host whose answer is a private address is refused before any connection,
 * as the Azure clients are ({@link CheckedResolverGroup}). Kept (up to 256, least recently used dropped first) and
 * shared: the SDK's clients are thread-safe and each holds a connection pool. One per {@link BlobAccess}.
 */
final class S3Clients {

    private static final int CACHED = 256;

    private final EndpointPolicy policy;
    private final Map<Key, Pair> clients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Pair> eldest) {
            return size() > CACHED;
        }
    };

    private final Map<StoreKey, S3Store> stores = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<StoreKey, S3Store> eldest) {
            return size() > CACHED;
        }
    };

    private record StoreKey(Key key, String bucket) {
    }

    S3Clients(EndpointPolicy policy) {
        this.policy = policy;
    }

    /**
     * What identifies a client. Holds the secret access key: its {@link #toString} never shows it.
     *
     * @param probe a probe's client: one try of at most 10 s a request, rather than the SDK's retries
     */
    record Key(String endpoint, String region, String accessKeyId, String secretAccessKey, boolean pathStyle,
               boolean probe) {

        @Override
        public String toString() {
            return "S3Clients.Key[" + endpoint + ", " + region + ", key id " + accessKeyId + ", path style "
                    + pathStyle + (probe ? ", probe" : "") + "]";
        }
    }

    /** A client and the presigner of the same endpoint and key. */
    record Pair(S3Client client, S3Presigner presigner) {
    }

    /** The client of that key; the endpoint is checked by the caller, its addresses when it connects. */
    Pair clients(Key key) {
        synchronized (clients) {
            return clients.computeIfAbsent(key, this::build);
        }
    }

    /** The store of that bucket with that key: the same instance while neither changes. */
    S3Store store(Key key, String bucket) {
        synchronized (stores) {
            return stores.computeIfAbsent(new StoreKey(key, bucket), k -> new S3Store(clients(key), bucket, key.region()));
        }
    }

    private Pair build(Key key) {
        AwsCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
        // Names are resolved, and their addresses checked, by the policy at connection time, not only when saved.
        SdkHttpClient http = ApacheHttpClient.builder()
                .dnsResolver(host -> policy.resolve(host).toArray(InetAddress[]::new))
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60))
                .build();
        URI endpoint = URI.create(key.endpoint());
        Region region = Region.of(key.region());
        S3Client client = S3Client.builder()
                .endpointOverride(endpoint)
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(key.pathStyle())
                .httpClient(http)
                .overrideConfiguration(c -> {
                    if (key.probe()) {
                        c.apiCallTimeout(Duration.ofSeconds(10)).retryStrategy(r -> r.maxAttempts(1));
                    }
                })
                .build();
        S3Presigner presigner = S3Presigner.builder()
                .endpointOverride(endpoint)
                .region(region)
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(key.pathStyle()).build())
                .build();
        return new Pair(client, presigner);
    }
}
