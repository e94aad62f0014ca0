package io.backuprelay.hook;

import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request to a channel: a POST of {@code body} (a GET when the body is empty and no header asks
 * for a POST, as a heartbeat is).
 *
 * @param url     where it goes: a secret (a Slack, Teams or heartbeat URL is all it takes to post there), never
 *                printed by {@link #toString}
 * @param headers the request's own headers (a webhook's signature headers, the content type)
 * @param body    the bytes sent, exactly the bytes signed
 */
public record HookRequest(String url, Map<String, String> headers, byte[] body) {

    public HookRequest {
        Objects.requireNonNull(url, "url");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    /** Whether it is sent as a POST: it has a body. */
    public boolean isPost() {
        return body.length > 0;
    }

    @Override
    public String toString() {
        return "HookRequest[url=***, headers=" + headers.keySet() + ", body=" + body.length + " bytes]";
    }
}
