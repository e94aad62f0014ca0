package io.backuprelay.console.api;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.ConnectionProbe;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.activity.ActivityAction;
import io.backuprelay.common.activity.Changes;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.Immutability;
import io.backuprelay.common.account.S3Options;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.secret.SecretUnavailableException;
import io.backuprelay.console.activity.ActivityLog;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.data.ViewPosition;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account's connections: Azure Blob Storage containers and S3-compatible buckets. The access key
 * (Azure) and the secret access key (S3) are write-only: answers carry a masked hint.
 */
public final class ConnectionsApi {

    private static final Logger log = LoggerFactory.getLogger(ConnectionsApi.class);

    private final ConsoleData data;
    private final SecretSealer sealer;
    private final Limits limits;
    private final Limits.PerWindow probes;
    private final BlobAccess storage;
    private final ActivityLog activity;

    /** @param storage how the console reaches storage: the endpoint policy connections are checked against, the probe */
    public ConnectionsApi(ConsoleData data, SecretSealer sealer, Limits limits, BlobAccess storage,
                          ActivityLog activity) {
        this.activity = activity;
        this.data = data;
        this.sealer = sealer;
        this.storage = storage;
        this.limits = limits;
        this.probes = limits.probes();
    }

    /**
     * A connection as a client sends it: {@code type} AZURE_BLOB (the default at creation) with the Azure
     * fields, or S3 with the S3 fields; a field of the other kind is refused.
     *
     * @param accessKey       Azure: the storage account's key (the product's form), or instead:
     * @param sasToken        Azure: a container-scoped SAS token
     * @param accessTier      Azure: HOT, COOL or COLD; the account's default when absent at creation; an update
     *                        without it keeps the connection's tier, and {@code ""} clears it
     * @param endpoint        Azure: the blob endpoint (default {@code https://{account}.blob.core.windows.net});
     *                        S3: the service (default {@code https://s3.{region}.amazonaws.com})
     * @param region          S3: the bucket's region, e.g. {@code eu-west-1}, or {@code auto}
     * @param bucket          S3: the bucket (S3's naming rules)
     * @param prefix          S3: optional folder inside the bucket
     * @param accessKeyId     S3: the key's id
     * @param secretAccessKey S3: the secret, write-only; an update without it keeps the stored one while
     *                        endpoint, bucket and key id stay the same
     * @param pathStyle       S3: {@code https://endpoint/bucket/key} addressing (MinIO and most self-hosted services)
     * @param immutability    either kind: how long each backup stored here is kept from deletion; an update
     *                        without it keeps the connection's, and {@code {}} clears it
     */
    public record ConnectionBody(ConnectionType type, String description, String storageAccountName,
                                 String containerName, String path, String accessKey,
                                 Boolean enabledForAutomaticBackup, String endpoint, String sasToken,
                                 String accessTier, String region, String bucket, String prefix, String accessKeyId,
                                 String secretAccessKey, Boolean pathStyle, ImmutabilityBody immutability) {
    }

    /**
     * @param days      1 to 36,500
     * @param mode      UNLOCKED (a privileged user can still shorten it; S3 GOVERNANCE) or LOCKED (no one can; S3
     *                  COMPLIANCE)
     * @param legalHold each backup is also put under a legal hold, kept until the hold is lifted
     */
    public record ImmutabilityBody(Integer days, String mode, Boolean legalHold) {
    }

    /**
     * @param containerName       Azure: the container; S3: the bucket (also in {@code bucket})
     * @param path                Azure: the folder; S3: the prefix (also in {@code prefix})
     * @param credentialType      ACCESS_KEY or SAS_TOKEN (Azure), SECRET_ACCESS_KEY (S3)
     * @param sasTokenExpiresAt   when a SAS token stops working, if the connection uses one
     * @param secretAccessKeyHint S3: enough of the secret to recognise it, never enough to use it
     * @param immutability        {@code null} when backups stored here are not kept immutable
     */
    public record ConnectionView(String connectionId, ConnectionType type, String description,
                                 String storageAccountName, String containerName, String path, String accessKeyHint,
                                 boolean enabledForAutomaticBackup, String endpoint, String credentialType,
                                 Instant sasTokenExpiresAt, String accessTier, String region, String bucket,
                                 String prefix, String accessKeyId, Boolean pathStyle, String secretAccessKeyHint,
                                 Immutability immutability) {
    }

    /**
     * @param key          the reason's key in the page's texts ({@code err_<key>}), so the page says it in its language
     * @param immutability whether the container (bucket) can keep backups immutable, when the connection asks
     */
    public record TestResult(boolean ok, String reason, String key, String immutability) {
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
        ConnectionType kind = body.type() == null ? ConnectionType.AZURE_BLOB : body.type();
        S3ConnectionFields.requireOwnKind(body, kind == ConnectionType.S3);
        boolean hasKey = present(newKey(kind, body));
        boolean hasSas = present(body.sasToken());
        if (hasKey == hasSas) {
            throw hasKey
                    ? ApiException.invalid("sasToken", "cannot be given together with an access key").key("keyOrToken")
                    : kind == ConnectionType.S3
                    ? ApiException.invalid("secretAccessKey", "is required").key("secretRequired")
                    : ApiException.invalid("accessKey", "is required (or a sasToken instead)").key("credentialRequired");
        }
        if (data.connections(accountId).size() >= limits.connectionsPerAccount()) {
            throw ApiException.invalid("connections", "an account may have at most " + limits.connectionsPerAccount()
                    + " connections; delete one first").key("tooManyConnections", Integer.toString(limits.connectionsPerAccount()));
        }
        String connectionId = "c-" + UUID.randomUUID().toString().substring(0, 8);
        Connection draft = build(accountId, connectionId, kind, body, UNSEALED, null);
        Connection connection = sealed(immutable(draft, body, null), hasKey ? key(kind, body) : null,
                hasKey ? null : sasToken(body.sasToken()));
        activity.record(Requests.principal(ctx), accountId, ActivityAction.CONNECTION_ADDED, connectionId,
                Changes.between(null, connection));
        Requests.wrote(ctx, data.write(ViewPosition.View.CONNECTIONS, connection.key(), connection));
        ctx.status(201).header("Location", ctx.path() + "/" + connectionId).json(view(connection));
    }

    /** Stands for the secret while a connection's target is settled, before it is sealed for that target. */
    private static final SealedSecret UNSEALED = new SealedSecret(
            "-", "-", SealedSecret.TARGETED);

    /** The connection with its new key or token sealed for its own endpoint, storage account and container. */
    private Connection sealed(Connection draft, String key, String sas) {
        return copy(draft, key == null ? null : sealer.seal(key, draft.accessKeyContext()), draft.accessTier(),
                sas == null ? null : sealer.seal(sas, draft.sasTokenContext()), draft.immutability());
    }

    /** The connection with these secrets, tier and immutability, the rest as it is. */
    private static Connection copy(Connection c, SealedSecret key, String accessTier, SealedSecret sas,
                                   Immutability immutability) {
        return new Connection(c.accountId(), c.connectionId(), c.type(), c.description(), c.storageAccountName(),
                c.containerName(), c.path(), key, c.enabledForAutomaticBackup(), c.endpoint(), accessTier, sas, c.s3(),
                immutability);
    }

    /** The draft with the immutability the body asks for, or (when it says nothing) what the connection had. */
    private static Connection immutable(Connection draft, ConnectionBody body, Immutability before) {
        S3ConnectionFields.Asked asked = S3ConnectionFields.immutability(body.immutability());
        return copy(draft, draft.accessKey(), draft.accessTier(), draft.sasToken(),
                asked == null ? before : asked.value());
    }

    private static boolean present(String value) {
        return value != null && !value.isEmpty();
    }

    /** The secret a body brings for the key of its kind: Azure's access key or S3's secret access key. */
    private static String newKey(ConnectionType kind, ConnectionBody body) {
        return kind == ConnectionType.S3 ? body.secretAccessKey() : body.accessKey();
    }

    private static String key(ConnectionType kind, ConnectionBody body) {
        return kind == ConnectionType.S3 ? S3ConnectionFields.secret(body.secretAccessKey())
                : Validate.maxLength("accessKey", body.accessKey(), 512);
    }

    public void update(Context ctx) {
        String accountId = accountOf(ctx);
        data.catchUp(); // edits what is stored now
        Connection existing = find(accountId, ctx.pathParam("connectionId"));
        ConnectionBody body = Requests.body(ctx, ConnectionBody.class);
        ConnectionType kind = body.type() == null ? existing.type() : body.type();
        S3ConnectionFields.requireOwnKind(body, kind == ConnectionType.S3);
        boolean newKey = present(newKey(kind, body));
        boolean newSas = present(body.sasToken());
        if (newKey && newSas) {
            throw ApiException.invalid("sasToken", "cannot be given together with an access key");
        }
        String secretField = kind == ConnectionType.S3 ? "secretAccessKey"
                : existing.sasToken() != null ? "sasToken" : "accessKey";
        if (!newKey && !newSas && kind != existing.type()) {
            throw ApiException.invalid(secretField, "is required again when the kind of storage changes")
                    .key(kind == ConnectionType.S3 ? "secretRequired" : "credentialAgain");
        }
        Connection connection = newKey || newSas
                ? sealed(immutable(build(accountId, existing.connectionId(), kind, body, UNSEALED, null), body,
                        existing.immutability()), newKey ? key(kind, body) : null, newKey ? null : sasToken(body.sasToken()))
                : immutable(build(accountId, existing.connectionId(), kind, body, existing.accessKey(),
                        existing.sasToken()), body, existing.immutability());
        if (body.accessTier() == null && existing.accessTier() != null && kind == ConnectionType.AZURE_BLOB) {
            // An edit that does not name the tier (the page's form) keeps it; "" clears it.
            connection = copy(connection, connection.accessKey(), existing.accessTier(), connection.sasToken(),
                    connection.immutability());
        }
        if (!newKey && !newSas && !sameTarget(existing, connection)) {
            // The stored secret never follows a connection somewhere else: it would be sent there.
            throw ApiException.invalid(secretField, "is required again when the endpoint, "
                    + (kind == ConnectionType.S3 ? "bucket or access key id" : "storage account or container")
                    + " changes").key(kind == ConnectionType.S3 ? "secretAgain" : "credentialAgain");
        }
        activity.record(Requests.principal(ctx), accountId, ActivityAction.CONNECTION_CHANGED,
                existing.connectionId(), Changes.between(existing, connection));
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
        boolean isCopyDestination = data.settings(accountId)
                .flatMap(settings -> settings.copyTo(existing.connectionId())).isPresent();
        if (isCopyDestination) {
            throw ApiException.conflict("Connection '" + existing.connectionId() + "' receives copies of the backups;"
                    + " remove it from the copy destinations first").key("connectionIsCopyDestination");
        }
        activity.record(Requests.principal(ctx), accountId, ActivityAction.CONNECTION_DELETED,
                existing.connectionId(), Changes.between(existing, null));
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
        } catch (UnsupportedOperationException e) {
            result = new ConnectionProbe.Result(false, "This version cannot reach " + connection.type()
                    + " storage: " + e.getMessage(), null);
        }
        if (!result.ok()) {
            // The reason stays in the log: told to the tenant, it would map the network behind the endpoint.
            log.info("Connection test of {} of account {} failed: {}", connection.connectionId(), accountId, result.reason());
        }
        activity.record(Requests.principal(ctx), accountId, ActivityAction.CONNECTION_TESTED,
                connection.connectionId(), List.of(), Map.of("result", result.ok() ? "ok" : "failed"));
        ctx.json(new TestResult(result.ok(), result.ok() ? null : result.tenantReason(), result.ok() ? null : "testFailed",
                result.immutability()));
    }

    /** Whether the stored secret is sent to the same place: what it was sealed for (its kind, endpoint, owner, container). */
    private static boolean sameTarget(Connection before, Connection after) {
        return before.type() == after.type() && before.blobEndpoint().equals(after.blobEndpoint())
                && Objects.equals(before.keyOwner(), after.keyOwner())
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

    private Connection build(String accountId, String connectionId, ConnectionType kind, ConnectionBody body,
                             SealedSecret key, SealedSecret sas) {
        String description = Validate.text("description", body.description(), 200);
        boolean enabled = body.enabledForAutomaticBackup() != null && body.enabledForAutomaticBackup();
        String endpoint = Validate.endpoint("endpoint", body.endpoint());
        if (kind == ConnectionType.S3) {
            Connection s3 = new Connection(accountId, connectionId, ConnectionType.S3, description, null,
                    S3ConnectionFields.bucket(body.bucket()), Validate.blobPath("prefix", body.prefix()), key, enabled,
                    endpoint, null, null, S3ConnectionFields.options(body), null);
            // AWS's own endpoint when none is given: it must be allowed like any other.
            allowedEndpoint(accountId, s3.blobEndpoint());
            return s3;
        }
        return new Connection(accountId, connectionId, ConnectionType.AZURE_BLOB, description,
                Validate.storageAccountName("storageAccountName", body.storageAccountName()),
                Validate.containerName("containerName", body.containerName()),
                Validate.blobPath("path", body.path()), key, enabled,
                allowedEndpoint(accountId, endpoint), accessTier(body.accessTier()), sas, null, null);
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
        String hint = credential.accountKey() == null ? null : hint(credential.accountKey());
        S3Options s3 = c.s3();
        return new ConnectionView(c.connectionId(), c.type(), c.description(), c.storageAccountName(),
                c.containerName(), c.path(), c.isS3() ? null : hint, c.enabledForAutomaticBackup(), c.endpoint(),
                c.isS3() ? "SECRET_ACCESS_KEY" : credential.sasToken() == null ? "ACCESS_KEY" : "SAS_TOKEN",
                credential.sasExpiry().orElse(null), c.accessTier(), s3 == null ? null : s3.region(),
                c.isS3() ? c.containerName() : null, c.isS3() ? c.path() : null, s3 == null ? null : s3.accessKeyId(),
                s3 == null ? null : s3.pathStyle(), c.isS3() ? hint : null, c.immutability());
    }

    /** Enough to recognise which key is stored, never enough to use it. */
    static String hint(String key) {
        return key.length() <= 8 ? "••••" : "••••" + key.substring(key.length() - 4);
    }
}
