package io.backuprelay.blob;

import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** An S3 service's errors in words a super-administrator can act on. They never contain the secret access key. */
final class S3Errors {

    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "RequestTimeout", "InternalError",
            "ServiceUnavailable", "RequestTimeTooSkewed");

    private S3Errors() {
    }

    /**
     * The failure of {@code what} ("the upload of …") on {@code bucket}, transient or not: an SDK's exception, or
     * one from reading an object's stream.
     */
    static BlobTransferException transfer(String bucket, String what, RuntimeException e) {
        return BlobTransferException.of(reason(bucket, what, e), isTransient(e));
    }

    /**
     * Whether trying again may help: timeouts, throttling, server errors, and a service that could not be
     * reached (refused, reset, timed out). An endpoint the policy refuses, a rejected key, a missing bucket, a
     * refused permission stay as they are until a person acts.
     */
    static boolean isTransient(RuntimeException e) {
        if (e instanceof AwsServiceException service) {
            int status = service.statusCode();
            return status == 408 || status == 429 || status >= 500 || TRANSIENT_CODES.contains(code(service));
        }
        return refusal(e) == null;
    }

    static String reason(String bucket, String what, RuntimeException e) {
        if (e instanceof AwsServiceException service) {
            String code = code(service);
            String refused = switch (code) {
                case "NoSuchBucket" -> "the bucket '" + bucket + "' does not exist. Create it, or correct the connection.";
                case "InvalidAccessKeyId" -> "the service does not know the connection's access key id. Correct it.";
                case "SignatureDoesNotMatch" -> "the service rejected the secret access key. Update the connection's key.";
                case "AccessDenied" -> "the key may not do this in bucket '" + bucket + "' (access denied): check the"
                        + " key's policy and the bucket's policy.";
                case "InvalidBucketName" -> "the bucket name '" + bucket + "' is not valid.";
                case "InvalidRequest", "InvalidArgument" -> "the service refused the request as invalid ("
                        + plain(service) + ").";
                case "PermanentRedirect", "AuthorizationHeaderMalformed" -> "the bucket '" + bucket
                        + "' is in another region than the connection's. Correct the region.";
                default -> "the service refused the request (HTTP " + service.statusCode()
                        + (code.isEmpty() ? "" : ", " + code) + ").";
            };
            return capitalized(what) + " failed: " + refused;
        }
        String refusal = refusal(e);
        if (refusal != null) {
            return capitalized(what) + " was not sent: the endpoint is not allowed (" + refusal + ").";
        }
        Throwable root = root(e);
        return capitalized(what) + " failed: the S3 endpoint could not be reached (" + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ").";
    }

    /** The service's error code, or empty. */
    static String code(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                : e.awsErrorDetails().errorCode();
    }

    /** The reason of the endpoint policy's refusal inside {@code e}, or null when it is not one. */
    static String refusal(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof EndpointPolicy.EndpointRefusedException refused) {
                return refused.getMessage();
            }
        }
        return null;
    }

    private static String plain(AwsServiceException e) {
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        return message == null ? code(e) : message;
    }

    private static Throwable root(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String capitalized(String what) {
        return what.isEmpty() ? what : Character.toUpperCase(what.charAt(0)) + what.substring(1);
    }
}
