package io.backuprelay.console.api;

import java.util.List;

/**
 * An answer other than success, with the HTTP status, a stable error code, the field it concerns
 * (for a 400) and a message a person can act on. Messages a super-administrator meets on the page
 * also carry a {@code key} (and its {@code args}) that the page says in the reader's language.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;
    private final long retryAfterSeconds;
    private String key;
    private List<String> args = List.of();

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

    /** 503: the console cannot answer right now, with the seconds to wait. */
    public static ApiException unavailable(String message, long retryAfterSeconds) {
        return new ApiException(503, "unavailable", null, message, retryAfterSeconds);
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

    /** The same error, with the key (and arguments) of its message in the page's texts ({@code err_<key>}). */
    public ApiException key(String key, String... args) {
        this.key = key;
        this.args = List.of(args);
        return this;
    }

    public ErrorBody body() {
        return new ErrorBody(code, field, getMessage(), key, args);
    }

    /**
     * The JSON body of every error.
     *
     * @param key  the message's key for a translated text, where there is one; {@code args} fill its {@code {0}}…
     */
    public record ErrorBody(String error, String field, String message, String key, List<String> args) {

        public ErrorBody(String error, String field, String message) {
            this(error, field, message, null, List.of());
        }
    }
}
