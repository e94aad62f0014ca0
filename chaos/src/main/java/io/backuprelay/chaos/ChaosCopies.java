package io.backuprelay.chaos;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.S3Options;
import io.backuprelay.common.json.Json;
import io.backuprelay.testkit.S3Mock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's copy destination: an S3 bucket (S3Mock) that every account copies each backup to, registered through the
 * console as a super-administrator would, and read back by the audit ({@link CopyAudit}).
 */
final class ChaosCopies {

    private final String bucket;
    private final Map<String, String> connections = new LinkedHashMap<>();

    ChaosCopies(long seed) {
        this.bucket = "chaos-copies-" + seed;
        S3Mock.createBucket(bucket, false);
    }

    /** Where the services reach the copies: an operator's entry, granted to each account. */
    String origin() {
        return S3Mock.origin();
    }

    /** Registers the account's copy connection; the settings name it from then on ({@link #settings}). */
    void register(String console, String account, String superadmin) throws Exception {
        Map<String, Object> body = Map.of("type", "S3", "description", "Chaos copies", "endpoint", S3Mock.endpoint(),
                "region", S3Mock.REGION, "bucket", bucket, "prefix", "copies", "accessKeyId", S3Mock.ACCESS_KEY_ID,
                "secretAccessKey", S3Mock.SECRET_ACCESS_KEY, "pathStyle", true);
        String answer = ChaosRun.call("POST", console + "/api/accounts/" + account + "/connections", superadmin,
                Json.mapper().writeValueAsString(body), null).body();
        connections.put(account, Json.mapper().readTree(answer).get("connectionId").asText());
    }

    /** The account's settings with its copy destination, of {@code backupType}, as the run sets them. */
    String settings(String account, String backupType, String destination) throws Exception {
        return Json.mapper().writeValueAsString(Map.of("backupType", backupType, "destinationConnectionId", destination,
                "copies", List.of(Map.of("connectionId", connections.get(account)))));
    }

    /** The bucket, as the audit reads it: through the product's own S3 store. */
    BlobStore store() {
        return new BlobAccess(EndpointPolicy.allowing(S3Mock.origin())).bucket(S3Mock.endpoint(),
                new S3Options(S3Mock.REGION, S3Mock.ACCESS_KEY_ID, true), bucket,
                BlobCredential.accountKey(S3Mock.SECRET_ACCESS_KEY));
    }
}
