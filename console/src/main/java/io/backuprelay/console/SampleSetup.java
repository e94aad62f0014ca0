package io.backuprelay.console;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The compose file's one-shot {@code init}: registers the sample database as an account through the
 * console's API (as an operator), adds a connection to the sample storage (as the account's
 * super-administrator, after creating its container), and asks for a first backup, so that
 * {@code docker compose up} ends with a backup in the storage and an email in the mail catcher.
 * Run as {@code java -cp app.jar io.backuprelay.console.SampleSetup} in the console's image; it
 * reads {@code CONSOLE_URL}, {@code CONSOLE_JWT_SECRET}, the {@code SAMPLE_*} settings below, and
 * {@code BACKUPRELAY_ALLOWED_ENDPOINTS} for the sample storage's endpoint.
 */
public final class SampleSetup {

    private final ConfigSource config;
    private final HttpClient http = HttpClient.newHttpClient();
    private final PrintStream out;

    public SampleSetup(ConfigSource config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        new SampleSetup(ConfigSource.fromEnvironment(), System.out).run();
    }

    /** @return the backupId of the first backup it asked for */
    public String run() throws IOException, InterruptedException {
        String console = SampleSettings.CONSOLE_URL.read(config).replaceAll("/+$", "");
        TokenMinter minter = new TokenMinter(ConsoleSettings.JWT_SECRET.require(config).getBytes(StandardCharsets.UTF_8),
                ConsoleSettings.JWT_ISSUER.read(config));
        String account = SampleSettings.ACCOUNT.read(config);
        String admin = SampleSettings.ADMIN_EMAIL.read(config);
        String operator = minter.mint("sample-setup", null, null, Role.OPERATOR, Duration.ofMinutes(10));
        String superadmin = minter.mint("sample-admin", admin, account, Role.SUPERADMIN, Duration.ofMinutes(10));

        awaitReady(console);
        SampleAccount.Source source = new SampleAccount.Source(SampleSettings.DB_ENGINE.read(config),
                SampleSettings.DB_HOST.read(config), SampleSettings.DB_PORT.read(config),
                SampleSettings.DB_NAME.read(config), SampleSettings.DB_USER.read(config),
                SampleSettings.DB_PASSWORD.find(config).orElse(null));
        String endpoint = SampleSettings.STORAGE_ENDPOINT.read(config);
        EndpointPolicy policy = EndpointPolicy.from(config);
        // The sample storage (an emulator in the demo) is an operator's entry: the sample account is granted it.
        SampleAccount.Account sample = new SampleAccount.Account(account, "Sample", SampleSettings.LOCALE.read(config),
                admin, policy.grantNeeded(endpoint).map(List::of).orElse(List.of()));

        String storageAccount = SampleSettings.STORAGE_ACCOUNT.read(config);
        String key = SampleSettings.STORAGE_KEY.read(config);
        String container = SampleSettings.CONTAINER.read(config);
        new BlobAccess(policy).store(endpoint, storageAccount, container,
                BlobCredential.accountKey(key)).createContainerIfMissing();
        SampleAccount api = new SampleAccount(http, console);
        String connectionId = api.register(sample, source, new SampleAccount.Storage(endpoint, storageAccount, key,
                container, "backups", "Sample storage"), operator, superadmin);
        out.println("Registered account " + account + " (its database " + source.database() + " on "
                + source.host() + ")");
        out.println("Added connection " + connectionId + " to container " + container + ", weekly backups");

        String backupId = api.requestBackup(account, superadmin);
        out.println("Asked for the first backup: " + backupId + "; its email goes to " + admin);
        return backupId;
    }

    private void awaitReady(String console) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(console + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the console is starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The console at " + console + " was not ready within 5 minutes");
            }
            Thread.sleep(1000);
        }
    }
}
