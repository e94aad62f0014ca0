package io.backuprelay.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.json.Json;
import io.backuprelay.console.data.ViewPosition;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Calls to a running console as an outside tool makes them, for the console's integration tests. */
final class ConsoleCalls {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Like the page, the tests present the position of their last write, so they read what they wrote. */
    private static final Map<Integer, String> POSITIONS = new ConcurrentHashMap<>();

    private ConsoleCalls() {
    }

    /** {@code body} as JSON, {@code token} as the bearer token; either may be {@code null}. */
    static Response call(int port, String method, String path, String token, String body)
            throws IOException, InterruptedException {
        return call(port, method, path, token, body, POSITIONS.get(port));
    }

    /** With the given position header ({@code null}: none) instead of the last one seen. */
    static Response call(int port, String method, String path, String token, String body, String position)
            throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request(method, "http://127.0.0.1:" + port + path, token, body, position),
                HttpResponse.BodyHandlers.ofString());
        response.headers().firstValue(ViewPosition.HEADER).ifPresent(p -> POSITIONS.put(port, p));
        return new Response(response.statusCode(), response.body(), response.headers());
    }

    /** A request as the page sends it: JSON, a bearer token and the client's position, each when given. */
    static HttpRequest request(String method, String url, String token, String body, String position) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (position != null) {
            request.header(ViewPosition.HEADER, position);
        }
        return request.build();
    }

    /** An operator's registration of an account whose PostgreSQL database is {@code app} on {@code db.tenant.internal}. */
    static String accountJson(String password) {
        return "{\"displayName\":\"Tenant Ltd\",\"locale\":\"pt\",\"timeZone\":\"Europe/Lisbon\","
                + "\"superadminEmails\":[\"ana@tenant.example\"],\"source\":{\"engine\":\"POSTGRESQL\","
                + "\"host\":\"db.tenant.internal\",\"port\":5432,\"database\":\"app\",\"username\":\"backup\""
                + (password == null ? "" : ",\"password\":\"" + password + "\"") + "}}";
    }

    record Response(int status, String body, HttpHeaders headers) {

        JsonNode json() throws IOException {
            return Json.mapper().readTree(body);
        }
    }
}
