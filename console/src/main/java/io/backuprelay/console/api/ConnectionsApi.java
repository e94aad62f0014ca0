package io.backuprelay.console.api;

import io.backuprelay.blob.ConnectionProbe;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.ConsoleData;
import io.javalin.http.Context;
import java.util.UUID;

/** The account's Azure Blob Storage connections. The access key is write-only: answers carry a masked hint. */
public final class ConnectionsApi {

    private final ConsoleData data;
    private final SecretSealer sealer;

    public ConnectionsApi(ConsoleData data, SecretSealer sealer) {
        this.data = data;
        this.sealer = sealer;
    }

    public record ConnectionBody(ConnectionType type, String description, String storageAccountName,
                                 String containerName, String path, String accessKey,
                                 Boolean enabledForAutomaticBackup, String endpoint) {
    }

    public record ConnectionView(String connectionId, ConnectionType type, String description,
                                 String storageAccountName, String containerName, String path, String accessKeyHint,
                                 boolean enabledForAutomaticBackup, String endpoint) {
    }

    public record TestResult(boolean ok, String reason) {
    }

    public void list(Context ctx) {
        String accountId = accountOf(ctx);
        ctx.json(data.connections(accountId).stream().map(this::view).toList());
    }

    public void get(Context ctx) {
        String accountId = accountOf(ctx);
        ctx.json(view(find(accountId, ctx.pathParam("connectionId"))));
    }

    public void create(Context ctx) {
        String accountId = accountOf(ctx);
        ConnectionBody body = Requests.body(ctx, ConnectionBody.class);
        String key = Validate.maxLength("accessKey", Validate.required("accessKey", body.accessKey()), 512);
        String connectionId = "c-" + UUID.randomUUID().toString().substring(0, 8);
        Connection connection = build(accountId, connectionId, body, sealer.seal(key));
        data.publish(data.topics().connections(), connection.key(), connection);
        ctx.status(201).header("Location", ctx.path() + "/" + connectionId).json(view(connection));
    }

    public void update(Context ctx) {
        String accountId = accountOf(ctx);
        Connection existing = find(accountId, ctx.pathParam("connectionId"));
        ConnectionBody body = Requests.body(ctx, ConnectionBody.class);
        SealedSecret key = body.accessKey() == null || body.accessKey().isEmpty()
                ? existing.accessKey()
                : sealer.seal(Validate.maxLength("accessKey", body.accessKey(), 512));
        Connection connection = build(accountId, existing.connectionId(), body, key);
        data.publish(data.topics().connections(), connection.key(), connection);
        ctx.json(view(connection));
    }

    public void delete(Context ctx) {
        String accountId = accountOf(ctx);
        Connection existing = find(accountId, ctx.pathParam("connectionId"));
        boolean isDestination = data.settings(accountId).map(BackupSettings::destinationConnectionId)
                .filter(existing.connectionId()::equals).isPresent();
        if (isDestination) {
            throw ApiException.conflict("Connection '" + existing.connectionId() + "' is the destination of automatic"
                    + " backups; choose another destination first");
        }
        data.publish(data.topics().connections(), existing.key(), null);
        ctx.status(204);
    }

    /** Writes, reads and deletes a probe blob with the stored key. */
    public void test(Context ctx) {
        String accountId = accountOf(ctx);
        Connection connection = find(accountId, ctx.pathParam("connectionId"));
        ConnectionProbe.Result result = ConnectionProbe.test(connection, sealer.open(connection.accessKey()));
        ctx.json(new TestResult(result.ok(), result.reason()));
    }

    private Connection build(String accountId, String connectionId, ConnectionBody body, SealedSecret key) {
        if (body.type() != null && body.type() != ConnectionType.AZURE_BLOB) {
            throw ApiException.invalid("type", "must be AZURE_BLOB");
        }
        return new Connection(accountId, connectionId, ConnectionType.AZURE_BLOB,
                Validate.maxLength("description", body.description(), 200),
                Validate.storageAccountName("storageAccountName", body.storageAccountName()),
                Validate.containerName("containerName", body.containerName()),
                Validate.blobPath("path", body.path()), key,
                body.enabledForAutomaticBackup() != null && body.enabledForAutomaticBackup(),
                Validate.endpoint("endpoint", body.endpoint()));
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

    private ConnectionView view(Connection c) {
        return new ConnectionView(c.connectionId(), c.type(), c.description(), c.storageAccountName(),
                c.containerName(), c.path(), hint(sealer.open(c.accessKey())), c.enabledForAutomaticBackup(),
                c.endpoint());
    }

    /** Enough to recognise which key is stored, never enough to use it. */
    static String hint(String key) {
        return key.length() <= 8 ? "••••" : "••••" + key.substring(key.length() - 4);
    }
}
