package io.backuprelay.hook;

import java.time.Duration;

/**
 * What a channel's endpoint answered to one request, as "send test" shows it and a retry records it.
 *
 * @param status    the HTTP status; 0 when there was no answer
 * @param bodyStart the first 300 characters (at most) of the answer's body, empty when none
 * @param took      from the request to the answer (or to the failure)
 * @param error     why there was no answer, in plain words with no secret; null when there was one
 */
public record HookAnswer(int status, String bodyStart, Duration took, String error) {

    /** How much of an answer's body is kept. */
    public static final int BODY_START_CHARS = 300;

    public HookAnswer {
        bodyStart = bodyStart == null ? "" : bodyStart.length() > BODY_START_CHARS
                ? bodyStart.substring(0, BODY_START_CHARS) : bodyStart;
        took = took == null ? Duration.ZERO : took;
    }

    /** How the error of a request refused by the outbound rule starts: no later try can succeed. */
    public static final String REFUSED = "refused before any connection: ";

    /** No answer: the request was refused before it left, or the connection failed or timed out. */
    public static HookAnswer none(String error, Duration took) {
        return new HookAnswer(0, "", took, error);
    }

    /** Whether the endpoint took it: a 2xx answer. */
    public boolean delivered() {
        return status >= 200 && status < 300;
    }

    /** Whether the outbound rule refused the URL: trying again would not help. */
    public boolean refused() {
        return status == 0 && error != null && error.startsWith(REFUSED);
    }

    /** The answer in a few words, for logs, ops events and the dead-letter record: the status, or why none. */
    public String summary() {
        return status == 0 ? "no answer: " + error : "HTTP " + status;
    }
}
