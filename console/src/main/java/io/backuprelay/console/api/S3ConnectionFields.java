package io.backuprelay.console.api;

import io.backuprelay.common.account.Immutability;
import io.backuprelay.common.account.S3Options;
import io.backuprelay.console.api.ConnectionsApi.ConnectionBody;
import io.backuprelay.console.api.ConnectionsApi.ImmutabilityBody;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The fields of a connection that only one kind has (an S3 bucket's region and key id, an Azure
 * storage account, SAS token and tier) and the immutability both kinds may ask for, checked as
 * {@link Validate} checks the rest: each failure a 400 naming the field.
 */
final class S3ConnectionFields {

    /** S3's rules for a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
    private static final Pattern BUCKET = Pattern.compile("(?=.{3,63}$)[a-z0-9][a-z0-9.-]*[a-z0-9]");
    private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /**
     * {@code eu-west-1}, {@code us-west-004} (B2), {@code fr-par} (Scaleway), {@code nyc3}, or {@code auto} (R2): a
     * DNS label, since AWS's default endpoint puts it in a host name.
     */
    private static final Pattern REGION = Pattern.compile("(?=.{2,32}$)[a-z][a-z0-9]*(-[a-z0-9]+)*");
    /** Key ids are letters and digits on AWS and R2; self-hosted services allow a few more characters, never a space. */
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~+=@-]{2,127}");

    private S3ConnectionFields() {
    }

    /** Refuses a field of the other kind, so a value is never silently dropped. */
    static void requireOwnKind(ConnectionBody body, boolean s3) {
        if (s3) {
            refuse("storageAccountName", body.storageAccountName(), "is for Azure connections; an S3 connection has none");
            refuse("containerName", body.containerName(), "is for Azure connections; an S3 connection names a bucket");
            refuse("path", body.path(), "is for Azure connections; an S3 connection names a prefix");
            refuse("accessKey", body.accessKey(), "is for Azure connections; an S3 connection has a secretAccessKey");
            refuse("sasToken", body.sasToken(), "is for Azure connections; an S3 connection has a secretAccessKey");
            refuse("accessTier", body.accessTier(), "is for Azure connections");
        } else {
            refuse("region", body.region(), "is for S3 connections");
            refuse("bucket", body.bucket(), "is for S3 connections; an Azure connection names a containerName");
            refuse("prefix", body.prefix(), "is for S3 connections; an Azure connection names a path");
            refuse("accessKeyId", body.accessKeyId(), "is for S3 connections");
            refuse("secretAccessKey", body.secretAccessKey(), "is for S3 connections; an Azure connection has an accessKey");
            if (body.pathStyle() != null && body.pathStyle()) {
                throw ApiException.invalid("pathStyle", "is for S3 connections");
            }
        }
    }

    private static void refuse(String field, String value, String problem) {
        if (value != null && !value.isEmpty()) {
            throw ApiException.invalid(field, problem);
        }
    }

    /** The region, key id and addressing of an S3 body. */
    static S3Options options(ConnectionBody body) {
        return new S3Options(region(body.region()), keyId(body.accessKeyId()),
                body.pathStyle() != null && body.pathStyle());
    }

    static String bucket(String value) {
        String bucket = Validate.required("bucket", value);
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..") || bucket.contains(".-")
                || bucket.contains("-.") || IP_ADDRESS.matcher(bucket).matches()) {
            throw ApiException.invalid("bucket", "must be 3 to 63 lowercase letters, digits, dots and hyphens, starting"
                    + " and ending with a letter or digit, not like an IP address; is '" + value + "'");
        }
        return bucket;
    }

    static String region(String value) {
        String region = Validate.required("region", value);
        if (!REGION.matcher(region).matches()) {
            throw ApiException.invalid("region", "must be a region such as eu-west-1, or auto; is '" + value + "'");
        }
        return region;
    }

    static String keyId(String value) {
        String id = Validate.required("accessKeyId", value);
        if (!KEY_ID.matcher(id).matches()) {
            throw ApiException.invalid("accessKeyId", "must be 3 to 128 letters, digits or . _ ~ + = @ -, without spaces");
        }
        return id;
    }

    /** The secret access key: a line of at most 512 characters (it is sent in a signature, never stored in the clear). */
    static String secret(String value) {
        return Validate.text("secretAccessKey", Validate.maxLength("secretAccessKey", value, 512), 512);
    }

    /**
     * The immutability a body asks for: {@code null} when the body says nothing (an update keeps what the
     * connection has), {@link Cleared} when it sends an empty object.
     */
    static Asked immutability(ImmutabilityBody body) {
        if (body == null) {
            return null;
        }
        if (body.days() == null && body.mode() == null && body.legalHold() == null) {
            return new Cleared();
        }
        int days = Validate.range("immutability.days", Validate.required("immutability.days", body.days()), 1,
                Immutability.MAX_DAYS);
        String mode = Validate.required("immutability.mode", body.mode()).toUpperCase(Locale.ROOT);
        Immutability.Mode parsed;
        try {
            parsed = Immutability.Mode.valueOf(mode);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("immutability.mode", "must be UNLOCKED or LOCKED, is '" + body.mode() + "'");
        }
        return new Chosen(new Immutability(days, parsed, body.legalHold() != null && body.legalHold()));
    }

    /** What a body says of immutability, when it says anything. */
    sealed interface Asked {
        /** The immutability the connection gets. */
        Immutability value();
    }

    /** Backups stored through the connection are kept so. */
    record Chosen(Immutability value) implements Asked {
    }

    /** The connection no longer asks for immutable backups (those already stored keep theirs). */
    record Cleared() implements Asked {
        @Override
        public Immutability value() {
            return null;
        }
    }
}
