package io.backuprelay.common.service;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A container healthcheck with nothing but the service's own jar:
 * {@code java -cp app.jar io.backuprelay.common.service.HealthCommand http://127.0.0.1:8081/health/live}
 * exits 0 when the endpoint answers 200, and 1 otherwise.
 */
public final class HealthCommand {

    private HealthCommand() {
    }

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:8081/health/live";
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println(response.statusCode() + " " + response.body());
            System.exit(response.statusCode() == 200 ? 0 : 1);
        } catch (Exception e) {
            System.out.println("no answer from " + url + ": " + e);
            System.exit(1);
        }
    }
}
