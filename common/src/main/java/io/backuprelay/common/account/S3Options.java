package io.backuprelay.common.account;

import java.util.Objects;

/**
 * What an S3-compatible connection needs besides the bucket ({@link Connection#containerName()}), the
 * prefix ({@link Connection#path()}), the endpoint and the sealed secret access key
 * ({@link Connection#accessKey()}).
 *
 * @param region      the bucket's region, e.g. {@code eu-west-1}; {@code auto} for Cloudflare R2
 * @param accessKeyId the key's id (not a secret: the secret access key is sealed)
 * @param pathStyle   {@code https://endpoint/bucket/key} rather than {@code https://bucket.endpoint/key}
 *                    (MinIO and most self-hosted services want path style)
 */
public record S3Options(String region, String accessKeyId, boolean pathStyle) {

    public S3Options {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
    }
}
