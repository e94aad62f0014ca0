package io.backuprelay.console.api;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.ConnectionProbe;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.secret.SecretUnavailableException;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.data.ViewPosition;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The account's Azure Blob Storage connections. The access key is write-only: answers carry a masked hint. */
public final class ConnectionsApi {

    private static final Logger log = LoggerFactory.getLogger(ConnectionsApi.class);

    private final ConsoleData data;
    private final SecretSealer sealer;
    private final Limits limits;
    private final Limits.PerWindow probes;
    private final BlobAccess storage;

    /** @param storage how the console reaches storage: the endpoint policy connections are checked against, the probe */
    public ConnectionsApi(ConsoleData data, SecretSealer sealer, Limits limits, BlobAccess storage) {
        this.data = data;
        this.sealer = sealer;
        this.storage = storage;
        this.limits = limits;
        this.probes = limits.probes();
    }

    /**
     * @param accessKey  the storage account's key (the product's form), or instead:
     * @param sasToken   a container-scoped SAS token
     * @param accessTier HOT, COOL or COLD; the account's default when absent at creation; an update
     *                   without it keeps the connection's tier, and {@code ""} clears it
     */
    public record ConnectionBody(ConnectionType type, String description, String storageAccountName,
                                 String containerName, String path, String accessKey,
                                 Boolean enabledForAutomaticBackup, String endpoint, String sasToken,
                                 String accessTier) {
    }

    /** @param sasTokenExpiresAt when a SAS token stops working, if the connection uses one */
    public record ConnectionView(String connectionId, ConnectionType type, String description,
                                 String storageAccountName, String containerName, String path, String accessKeyHint,
                                 boolean enabledForAutomaticBackup, String endpoint, String credentialType,
                                 Instant sasTokenExpiresAt, String accessTier) {
    }

    /** @param key the reason's key in the page's texts ({@code err_<key>}), so the page says it in its language */
    public record TestResult(boolean ok, String reason, String key) {
    }

    public void list(Context ctx) {
        String accountId = accountOf(ctx);
        Requests.readYourWrites(ctx, data);
        ctx.json(data.connections(accountId).stream().map(this::view).toList());
    }

    public void get(Context ctx) {
        String accountId = accountOf(ctx);
        Requests.readYourWrites(ctx, data);
        ctx.json(view(find(accountId, ctx.pathParam("connectionId"))));
    }

    public void create(Context ctx) {
        String accountId = accountOf(ctx);
        data.catchUp(); // the count of connections as it is now
        ConnectionBody body = Requests.body(ctx, ConnectionBody.class);
        boolean hasKey = body.accessKey() != null && !body.accessKey().isEmpty();
        boolean hasSas = body.sasToken() != null && !body.sasToken().isEmpty();
        if (hasKey == hasSas) {
            throw hasKey
                    ? ApiException.invalid("sasToken", "cannot be given together with an access key").key("keyOrToken")
                    : ApiException.invalid("accessKey", "is required (or a sasToken instead)").key("credentialRequired");
        }
        if (data.connections(accountId).size() >= limits.connectionsPerAccount()) {
            throw ApiException.invalid("connections", "an account may have at most " + limits.connectionsPerAccount()
                    + " connections; delete one first").key("tooManyConnections", Integer.toString(limits.connectionsPerAccount()));
        }
        String connectionId = "c-" + UUID.randomUUID().toString().substring(0, 8);
        Connection connection = sealed(build(accountId, connectionId, body, UNSEALED, null),
                hasKey ? Validate.maxLength("accessKey", body.accessKey(), 512) : null,
                hasKey ? null : sasToken(body.sasToken()));
        Requests.wrote(ctx, data.write(ViewPosition.View.CONNECTIONS, connection.key(), connection));
        ctx.status(201).header("Location", ctx.path() + "/" + connectionId).json(view(connection));
    }

    /** Stands for the secret while a connection's target is settled, before it is sealed for that target. */
    private static final SealedSecret UNSEALED = new SealedSecret(
            "-", "-", SealedSecret.TARGETED);

    /** The connection with its new key or token sealed for its own endpoint, storage account and container. */
    private Connection sealed(Connection draft, String key, String sas) {
        return new Connection(draft.accountId(), draft.connectionId(), draft.type(), draft.description(),
                draft.storageAccountName(), draft.containerName(), draft.path(),
                key == null ? null : sealer.seal(key, draft.accessKeyContext()), draft.enabledForAutomaticBackup(),
                draft.endpoint(), draft.accessTier(), sas == null ? null : sealer.seal(sas, draft.sasTokenContext()), null, null);
    }

    public void update(Context ctx) {
        String accountId = accountOf(ctx);
        data.catchUp(); // edits what is stored now
        Connection existing = find(accountId, ctx.pathParam("connectionId"));
        ConnectionBody body = Requests.body(ctx, ConnectionBody.class);
        boolean newKey = body.accessKey() != null && !body.accessKey().isEmpty();
        boolean newSas = body.sasToken() != null && !body.sasToken().isEmpty();
        if (newKey && newSas) {
            throw ApiException.invalid("sasToken", "cannot be given together with an access key");
        }
        Connection connection = newKey || newSas
                ? sealed(build(accountId, existing.connectionId(), body, UNSEALED, null),
                        newKey ? Validate.maxLength("accessKey", body.accessKey(), 512) : null,
                        newKey ? null : sasToken(body.sasToken()))
                : build(accountId, existing.connectionId(), body, existing.accessKey(), existing.sasToken());
        if (body.accessTier() == null && existing.accessTier() != null) {
            // An edit that does not name the tier (the page's form) keeps it; "" clears it.
            connection = new Connection(connection.accountId(), connection.connectionId(), connection.type(),
                    connection.description(), connection.storageAccountName(), connection.containerName(), connection.path(),
                    connection.accessKey(), connection.enabledForAutomaticBackup(), connection.endpoint(),
                    existing.accessTier(), connection.sasToken(), null, null);
        }
        if (!newKey && !newSas && !sameTarget(existing, connection)) {
            // The stored secret never follows a connection somewhere else: it would be sent there.
            throw ApiException.invalid(existing.sasToken() != null ? "sasToken" : "accessKey", "is required again when"
                    + " the endpoint, storage account or container changes").key("credentialAgain");
        }
        Requests.wrote(ctx, data.write(ViewPosition.View.CONNECTIONS, connection.key(), connection));
        ctx.json(view(connection));
    }

    public void delete(Context ctx) {
        String accountId = accountOf(ctx);
        data.catchUp(); // whether it is the destination now
        Connection existing = find(accountId, ctx.pathParam("connectionId"));
        boolean isDestination = data.settings(accountId).map(BackupSettings::destinationConnectionId)
                .filter(existing.connectionId()::equals).isPresent();
        if (isDestination) {
            throw ApiException.conflict("Connection '" + existing.connectionId() + "' is the destination of automatic"
                    + " backups; choose another destination first").key("connectionIsDestination");
        }
        Requests.wrote(ctx, data.write(ViewPosition.View.CONNECTIONS, existing.key(), null));
        ctx.status(204);
    }

    /** Writes, reads and deletes a probe blob with the stored key. */
    public void test(Context ctx) {
        String accountId = accountOf(ctx);
        Connection connection = find(accountId, ctx.pathParam("connectionId"));
        probes.acquire(accountId);
        ConnectionProbe.Result result;
        try {
            result = storage.probe(connection, BlobCredential.of(connection, sealer));
        } catch (SecretUnavailableException e) {
            result = new ConnectionProbe.Result(false, "The stored credential cannot be opened: " + e.getMessage(), null);
        }
        if (!result.ok()) {
            // The reason stays in the log: told to the tenant, it would map the network behind the endpoint.
            log.info("Connection test of {} of account {} failed: {}", connection.connectionId(), accountId, result.reason());
        }
        ctx.json(new TestResult(result.ok(), result.ok() ? null : result.tenantReason(), result.ok() ? null : "testFailed"));
    }

    private static boolean sameTarget(Connection before, Connection after) {
        return before.blobEndpoint().equals(after.blobEndpoint())
                && before.storageAccountName().equals(after.storageAccountName())
                && before.containerName().equals(after.containerName());
    }

    /** The endpoint, if this account may use it: an operator's entry only when granted to the account. */
    private String allowedEndpoint(String accountId, String endpoint) {
        if (endpoint != null) {
            try {
                storage.policy().check(endpoint, data.account(accountId)
                        .map(Account::storageOrigins).orElse(List.of()));
            } catch (EndpointPolicy.EndpointRefusedException e) {
                throw ApiException.invalid("endpoint", "is not allowed: " + e.getMessage());
            }
        }
        return endpoint;
    }

    private static String sasToken(String token) {
        Validate.maxLength("sasToken", token, 2048);
        if (!token.replaceFirst("^\\?", "").contains("sig=")) {
            throw ApiException.invalid("sasToken", "is not a SAS token (it has no sig= part)");
        }
        return token.replaceFirst("^\\?", "");
    }

    private Connection build(String accountId, String connectionId, ConnectionBody body, SealedSecret key,
                             SealedSecret sas) {
        if (body.type() != null && body.type() != ConnectionType.AZURE_BLOB) {
            throw ApiException.invalid("type", "must be AZURE_BLOB");
        }
        return new Connection(accountId, connectionId, ConnectionType.AZURE_BLOB,
                Validate.text("description", body.description(), 200),
                Validate.storageAccountName("storageAccountName", body.storageAccountName()),
                Validate.containerName("containerName", body.containerName()),
                Validate.blobPath("path", body.path()), key,
                body.enabledForAutomaticBackup() != null && body.enabledForAutomaticBackup(),
                allowedEndpoint(accountId, Validate.endpoint("endpoint", body.endpoint())), accessTier(body.accessTier()), sas, null, null);
    }

    private Connection find(String accountId, String connectionId) {
        return data.connection(accountId, connectionId).orElseThrow(() -> ApiException.notFound(
                "Connection '" + connectionId + "' does not exist in account '" + accountId + "'"));
    }

    private String accountOf(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Requests.superadminOf(ctx, accountId);
        return accountId;
    }

    private static String accessTier(String tier) {
        if (tier == null || tier.isBlank()) {
            return null;
        }
        String upper = tier.toUpperCase(Locale.ROOT);
        if (!Set.of("HOT", "COOL", "COLD").contains(upper)) {
            throw ApiException.invalid("accessTier", "must be HOT, COOL or COLD, is '" + tier + "'");
        }
        return upper;
    }

    private ConnectionView view(Connection c) {
        BlobCredential credential = BlobCredential.of(c, sealer);
        return new ConnectionView(c.connectionId(), c.type(), c.description(), c.storageAccountName(),
                c.containerName(), c.path(), credential.accountKey() == null ? null : hint(credential.accountKey()),
                c.enabledForAutomaticBackup(), c.endpoint(), credential.sasToken() == null ? "ACCESS_KEY" : "SAS_TOKEN",
                credential.sasExpiry().orElse(null), c.accessTier());
    }

    /** Enough to recognise which key is stored, never enough to use it. */
    static String hint(String key) {
        return key.length() <= 8 ? "••••" : "••••" + key.substring(key.length() - 4);
    }
}
