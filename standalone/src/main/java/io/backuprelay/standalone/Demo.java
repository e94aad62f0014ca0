package io.backuprelay.standalone;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.console.ConsoleSettings;
import io.backuprelay.notify.mail.MailVariables;
import io.backuprelay.scheduler.SchedulerSettings;
import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.azurite.AzuriteProcess;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.service.ServiceShell;
import io.backuprelay.common.json.Json;
import io.backuprelay.console.SampleAccount;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code backuprelay demo}: the standalone stack with Azurite beside it, a sample PostgreSQL
 * database on the local server, a demo account with a connection to Azurite, and one manual backup,
 * all through the console's API as a platform and its super-administrator would do it. It prints
 * where everything is, and runs until Ctrl-C.
 */
final class Demo implements Closeable {

    private static final String ACCOUNT = "demo";
    private static final String DATABASE = "backuprelay_demo";
    private static final String CONTAINER = "demo-backups";

    private final HttpClient http = HttpClient.newHttpClient();
    private AzuriteProcess azurite;
    private Standalone stack;
    private String consoleUrl;

    /** The standalone's health. */
    ServiceShell shell() {
        return stack.shell();
    }

    static Demo start(ConfigSource environment) throws Exception {
        Demo demo = new Demo();
        try {
            demo.run(environment);
            return demo;
        } catch (Exception e) {
            demo.close();
            throw e;
        }
    }

    private void run(ConfigSource environment) throws Exception {
        Path dataDir = CommonSettings.DATA_DIR.read(environment).toAbsolutePath();
        int azuritePort = StandaloneSettings.DEMO_AZURITE_PORT.read(environment);
        azurite = AzuriteProcess.start(AzuriteProcess.home(), azuritePort, Map.of());
        Map<String, String> defaults = new HashMap<>();
        // The demo's own emulator is allowlisted explicitly: loopback over plain HTTP is refused otherwise.
        String azuriteOrigin = "http://127.0.0.1:" + azuritePort;
        String allowed = CommonSettings.ALLOWED_ENDPOINTS.read(environment);
        defaults.put(CommonSettings.ALLOWED_ENDPOINTS.name(), allowed.isBlank() ? azuriteOrigin : allowed + "," + azuriteOrigin);
        new BlobAccess(EndpointPolicy.from(environment.with(defaults)))
                .store(azurite.blobEndpoint(AzuriteProcess.ACCOUNT_NAME), AzuriteProcess.ACCOUNT_NAME, CONTAINER,
                        BlobCredential.accountKey(AzuriteProcess.ACCOUNT_KEY)).createContainerIfMissing();
        String pgHost = StandaloneSettings.DEMO_PG_HOST.read(environment);
        int pgPort = StandaloneSettings.DEMO_PG_PORT.read(environment);
        String pgUser = StandaloneSettings.DEMO_PG_USER.read(environment);
        createSampleDatabase(pgHost, pgPort, pgUser);

        defaults.put(ConsoleSettings.PORT.name(), String.valueOf(ConsoleSettings.PORT.read(environment)));
        // A demo backup's outcome is recorded within seconds, not the scheduler's usual ten.
        defaults.put(SchedulerSettings.TICK_INTERVAL.name(),
                SchedulerSettings.TICK_INTERVAL.read(environment, Duration.ofSeconds(2)).toString());
        stack = Standalone.start(environment.with(defaults), System::exit);
        consoleUrl = "http://127.0.0.1:" + stack.consolePort() + "/";

        String secret = ConsoleSettings.JWT_SECRET.find(environment)
                .orElse(Standalone.localSecret(dataDir.resolve("console.secret")));
        TokenMinter minter = new TokenMinter(secret.getBytes(StandardCharsets.UTF_8), ConsoleSettings.JWT_ISSUER.read(environment));
        String operator = minter.mint("demo-operator", null, null, Role.OPERATOR, Duration.ofHours(12));
        String superadmin = minter.mint("demo-admin", "admin@demo.example", ACCOUNT, Role.SUPERADMIN, Duration.ofHours(12));
        SampleAccount api = new SampleAccount(http, consoleUrl);
        api.register(new SampleAccount.Account(ACCOUNT, "Demo Company", "en", "admin@demo.example",
                        List.of(azuriteOrigin)), // the emulator, granted
                new SampleAccount.Source(Engine.POSTGRESQL.label(), pgHost, pgPort, DATABASE, pgUser, ""),
                new SampleAccount.Storage(azurite.blobEndpoint(AzuriteProcess.ACCOUNT_NAME), AzuriteProcess.ACCOUNT_NAME,
                        AzuriteProcess.ACCOUNT_KEY, CONTAINER, "backups", "Local Azurite"),
                operator, superadmin);
        String backupId = api.requestBackup(ACCOUNT, superadmin);
        var backup = awaitOutcome(superadmin, backupId);
        if (!"SUCCEEDED".equals(backup.get("state").asText())) {
            throw new IllegalStateException("The demo backup failed: " + backup.get("failureReason").asText());
        }
        Path email = MailVariables.OUTBOX_DIR.read(environment, dataDir.resolve("outbox"))
                .resolve(backupId + ".completedbackuprelay.eml");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(email) && System.nanoTime() < deadline) {
            Thread.sleep(200); // the notifier mails once the scheduler has recorded the outcome
        }
        if (!Files.exists(email)) {
            throw new IllegalStateException("The demo backup succeeded but its email did not reach " + email);
        }
        System.out.println();
        System.out.println("backuprelay demo is running.");
        System.out.println("  blob:        " + CONTAINER + "/" + backup.get("blobName").asText());
        System.out.println("  azurite:     " + azurite.blobEndpoint(AzuriteProcess.ACCOUNT_NAME));
        System.out.println("  email:       " + email);
        System.out.println("  token:       " + superadmin);
        System.out.println("  console:     " + consoleUrl + "#token=" + superadmin);
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
    }

    private JsonNode awaitOutcome(String token, String backupId) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            var response = send("GET", "/api/accounts/" + ACCOUNT + "/backups/" + backupId, token, null);
            if (response.statusCode() == 200) {
                var backup = Json.mapper().readTree(response.body());
                String state = backup.get("state").asText();
                if (state.equals("SUCCEEDED") || state.equals("FAILED")) {
                    return backup;
                }
            }
            Thread.sleep(500); // polling the API as its users do; the demo has nothing else to wait on
        }
        throw new IllegalStateException("The demo backup did not end within 3 minutes");
    }

    private HttpResponse<String> send(String method, String path, String token, Object body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(consoleUrl.replaceAll("/$", "") + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.encodeToString(body)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json").build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A small shop's database: customers, orders, an index, a view, a sequence and some non-ASCII text. */
    private static void createSampleDatabase(String host, int port, String user) throws SQLException {
        String server = "jdbc:postgresql://" + host + ":" + port + "/";
        try (Connection admin = DriverManager.getConnection(server + "postgres", user, "");
             Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + DATABASE + " ENCODING 'UTF8' TEMPLATE template0");
        }
        try (Connection db = DriverManager.getConnection(server + DATABASE, user, "");
             Statement statement = db.createStatement()) {
            statement.execute("CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL, city text)");
            statement.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customer(id),"
                    + " total numeric(10,2), placed_at timestamptz DEFAULT now())");
            statement.execute("CREATE INDEX orders_by_customer ON orders (customer_id)");
            statement.execute("INSERT INTO customer (name, city) SELECT 'Customer ' || g,"
                    + " (ARRAY['Lisboa','São Paulo','Zürich','Málaga'])[1 + g % 4] FROM generate_series(1, 1000) g");
            statement.execute("INSERT INTO orders (customer_id, total) SELECT 1 + g % 1000, g * 1.25 FROM generate_series(1, 5000) g");
            statement.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 5000");
        }
    }

    @Override
    public void close() {
        if (stack != null) {
            stack.close();
        }
        if (azurite != null) {
            azurite.close();
        }
    }
}
