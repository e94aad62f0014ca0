package io.backuprelay.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers an account through the console's API as a platform and its super-administrator do it:
 * the account with its database (as an operator), a connection to an Azure Blob container and weekly
 * backups (as the account's super-administrator), then a first manual backup. The one "register a
 * sample account" of the compose file's init ({@link SampleSetup}), {@code backuprelay demo} and the
 * chaos run. Any answer but a 2xx is an {@link IllegalStateException} naming the request.
 */
public final class SampleAccount {

    /**
     * The account as the operator registers it.
     *
     * @param storageOrigins the storage endpoints the operator grants the account (an emulator, say)
     */
    public record Account(String accountId, String displayName, String locale, String adminEmail,
                          List<String> storageOrigins) {
    }

    /** The database to back up; a {@code null} password is left out of the request. */
    public record Source(String engine, String host, int port, String database, String username, String password) {
    }

    /** The container the backups go to; a {@code null} description is left out of the request. */
    public record Storage(String endpoint, String storageAccountName, String accessKey, String containerName,
                          String path, String description) {
    }

    private final HttpClient http;
    private final String console;

    /** @param consoleUrl the console's base URL; a trailing slash is ignored */
    public SampleAccount(HttpClient http, String consoleUrl) {
        this.http = http;
        this.console = consoleUrl.replaceAll("/+$", "");
    }

    /**
     * Registers the account, adds its connection and chooses weekly backups to it.
     *
     * @return the connection's id
     */
    public String register(Account account, Source source, Storage storage, String operatorToken,
                           String superadminToken) throws IOException, InterruptedException {
        call("PUT", "/api/operator/accounts/" + account.accountId(), operatorToken, Map.of(
                "displayName", account.displayName(), "locale", account.locale(), "timeZone", "UTC",
                "superadminEmails", List.of(account.adminEmail()), "source", source(source),
                "storageOrigins", account.storageOrigins()));
        String connectionId = call("POST", "/api/accounts/" + account.accountId() + "/connections", superadminToken,
                connection(storage)).get("connectionId").asText();
        call("PUT", "/api/accounts/" + account.accountId() + "/backup-settings", superadminToken,
                Map.of("backupType", "EVERY_7_DAYS", "destinationConnectionId", connectionId));
        return connectionId;
    }

    /** @return the id of the manual backup it asked for */
    public String requestBackup(String accountId, String superadminToken) throws IOException, InterruptedException {
        return call("POST", "/api/accounts/" + accountId + "/backups", superadminToken, null).get("backupId").asText();
    }

    private static Map<String, Object> source(Source source) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("engine", source.engine());
        body.put("host", source.host());
        body.put("port", source.port());
        body.put("database", source.database());
        body.put("username", source.username());
        if (source.password() != null) {
            body.put("password", source.password());
        }
        return body;
    }

    private static Map<String, Object> connection(Storage storage) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "AZURE_BLOB");
        if (storage.description() != null) {
            body.put("description", storage.description());
        }
        body.put("storageAccountName", storage.storageAccountName());
        body.put("containerName", storage.containerName());
        body.put("path", storage.path());
        body.put("accessKey", storage.accessKey());
        body.put("enabledForAutomaticBackup", true);
        body.put("endpoint", storage.endpoint());
        return body;
    }

    private JsonNode call(String method, String path, String token, Object body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(console + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(Json.encode(body)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return Json.mapper().readTree(response.body().isEmpty() ? "{}" : response.body());
    }
}
