package io.backuprelay.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Calls to a running console as an outside tool makes them, for the console's integration tests. */
final class ConsoleCalls {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ConsoleCalls() {
    }

    /** {@code body} as JSON, {@code token} as the bearer token; either may be {@code null}. */
    static Response call(int port, String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response.headers());
    }

    /** An operator's registration of an account whose PostgreSQL database is {@code app} on {@code db.tenant.internal}. */
    static String accountJson(String password) {
        return "{\"displayName\":\"Tenant Ltd\",\"locale\":\"pt\",\"timeZone\":\"Europe/Lisbon\","
                + "\"superadminEmails\":[\"ana@tenant.example\"],\"source\":{\"engine\":\"POSTGRESQL\","
                + "\"host\":\"db.tenant.internal\",\"port\":5432,\"database\":\"app\",\"username\":\"backup\""
                + (password == null ? "" : ",\"password\":\"" + password + "\"") + "}}";
    }

    record Response(int status, String body, java.net.http.HttpHeaders headers) {

        JsonNode json() throws IOException {
            return Json.mapper().readTree(body);
        }
    }
}
