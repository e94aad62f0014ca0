package io.backuprelay.console.api;

/**
 * An answer other than success, with the HTTP status, a stable error code, the field it concerns
 * (for a 400) and a message a person can act on.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;
    private final long retryAfterSeconds;

    public ApiException(int status, String code, String field, String message) {
        this(status, code, field, message, 0);
    }

    private ApiException(int status, String code, String field, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 429, with the seconds to wait (the {@code Retry-After} header). */
    public static ApiException tooManyRequests(String message, long retryAfterSeconds) {
        return new ApiException(429, "too_many_requests", null, message, retryAfterSeconds);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "too_large", "body", message);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException invalid(String field, String problem) {
        return new ApiException(400, "invalid_request", field, field + " " + problem);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", null, message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, "conflict", null, message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", null, message);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", null, message);
    }

    public int status() {
        return status;
    }

    public ErrorBody body() {
        return new ErrorBody(code, field, getMessage());
    }

    /** The JSON body of every error. */
    public record ErrorBody(String error, String field, String message) {
    }
}
