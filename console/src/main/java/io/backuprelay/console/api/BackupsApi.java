package io.backuprelay.console.api;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.format.blob.BlobNames;
import io.backuprelay.format.manifest.ManifestLink;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;

import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.activity.ActivityAction;
import io.backuprelay.common.account.BackupStatus.OutcomeSummary;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.BackupStatus.CopyState;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Requester;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.activity.ActivityLog;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.auth.Principal;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** "Create database backup" and the history of recent backups. */
public final class BackupsApi {

    /** How long a download link works. */
    static final Duration LINK_VALIDITY = Duration.ofMinutes(15);

    private final ConsoleData data;
    private final PendingBackups pending;
    private final SecretSealer sealer;
    private final Clock clock;
    private final BlobAccess storage;
    /** The console's ops events, sent with its own producer, keyed by the backup. */
    private final ServiceOps ops;

    private final ConcurrentMap<String, Object> locks = new ConcurrentHashMap<>();
    private final Limits.PerWindow manualBackups;
    private final Limits.PerWindow downloads;
    private final ActivityLog activity;

    /** @param storage how the console reaches storage, to sign download links under its endpoint policy */
    public BackupsApi(ConsoleData data, PendingBackups pending, SecretSealer sealer, BlobAccess storage, Clock clock,
                      Limits limits, ActivityLog activity) {
        this.activity = activity;
        this.storage = storage;
        this.manualBackups = limits.manualBackups();
        this.downloads = limits.downloads();
        this.data = data;
        this.pending = pending;
        this.sealer = sealer;
        this.clock = clock;
        this.ops = new ServiceOps(event -> data.publish(data.topics().ops(), event.backupId(), event), "console", clock);
    }

    /**
     * A read-only link to one stored backup, and until when it works.
     *
     * @param url         the blob's link; when its manifest's link could be signed too, that rides in the
     *                    fragment ({@link ManifestLink}), so {@code restore --blob-url} with this link alone
     *                    compares what it restored with the backup's inventory
     * @param manifestUrl a link that reads the manifest beside the blob alone, as long; {@code null} when none
     */
    public record DownloadLink(String backupId, String url, Instant expiresAt, String manifestUrl) {
    }

    public record BackupBody(String connectionId) {
    }

    public record Accepted(String backupId) {
    }

    /**
     * @param state        REQUESTED, RUNNING, SUCCEEDED or FAILED
     * @param restoreCheck what the restore drill found of this backup; {@code null} until a drill ran
     * @param destination  where a completed backup is stored; {@code null} until it is
     * @param copies       its copies at the account's copy destinations, as far as known (STORED, RETRYING, FAILED)
     */
    public record BackupView(String backupId, String state, Trigger trigger, Instant requestedAt, Instant endedAt,
                             Long sizeBytes, String blobName, FailureStage failedStage, String failureReason,
                             BackupStatus.RestoreCheck restoreCheck, StoredAt destination, List<CopyState> copies) {
    }

    /**
     * Where a backup is stored.
     *
     * @param immutableUntil until when the blob cannot be deleted; {@code null} when it can
     */
    public record StoredAt(String connectionId, String blobName, Instant immutableUntil) {
    }

    public void create(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Principal principal = Requests.superadminOf(ctx, accountId);
        data.catchUp(); // whether a backup runs, and where it goes, as things are now
        data.account(accountId).orElseThrow(() -> ApiException.notFound("Account '" + accountId + "' is not registered"));
        String connectionId = Requests.rawBody(ctx).isBlank() ? null : Requests.body(ctx, BackupBody.class).connectionId();
        Connection connection = destination(accountId, connectionId);
        // One lock per account: a slow broker write holds up this account's requests, no one else's.
        synchronized (locks.computeIfAbsent(accountId, id -> new Object())) {
            BackupStatus status = data.status(accountId).orElse(BackupStatus.empty(accountId));
            Optional<String> running = status.inFlight() != null
                    ? Optional.of(status.inFlight().backupId())
                    : pending.of(accountId, status);
            if (running.isPresent()) {
                throw ApiException.conflict("Backup " + running.get() + " of this account is still running")
                        .key("backupRunning");
            }
            manualBackups.acquire(accountId);
            BackupRequested request = BackupRequested.manual(accountId, connection.connectionId(),
                    principal.email() != null ? principal.email() : principal.subject(),
                    Validate.isEmail(principal.email()) ? new Requester(principal.email(), principal.locale()) : null,
                    clock.instant());
            activity.record(principal, accountId, ActivityAction.BACKUP_REQUESTED, request.backupId(), List.of(),
                    Map.of("connection", connection.connectionId()));
            data.publish(data.topics().requests(), accountId, request);
            pending.add(accountId, request.backupId(), clock.instant());
            ops.publish(request.backupId(), accountId, OpsStage.REQUEST, OpsStatus.REQUESTED,
                    "manual, to connection " + connection.connectionId());
            ctx.status(202).json(new Accepted(request.backupId()));
        }
    }

    public void list(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Requests.superadminOf(ctx, accountId);
        Requests.readYourWrites(ctx, data);
        ctx.json(history(accountId));
    }

    public void get(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Requests.superadminOf(ctx, accountId);
        Requests.readYourWrites(ctx, data);
        String backupId = ctx.pathParam("backupId");
        ctx.json(history(accountId).stream().filter(b -> b.backupId().equals(backupId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Backup '" + backupId + "' is not among the recent backups of"
                        + " account '" + accountId + "'")));
    }

    /**
     * A short-lived (15 min) read-only link to the blob of one completed backup of the account, for
     * its super-administrators only, signed with the connection's access key for that blob alone (a
     * SAS-token connection gets 409: its token is never handed out), and only for a blob named where
     * this account's backup is kept; with it, a link to the manifest beside that blob, signed alike,
     * which the blob's link also carries in its fragment. At most {@link Limits#downloadsPerHour}
     * links an account an hour, a blob's with its manifest's counting as one. That a link was given, to whom and until when is written to {@code backup.ops}; the link
     * itself is not, since its signature is a credential.
     *
     * <p>With {@code ?copy=<connectionId>}, the link is to the backup's copy at that connection, signed
     * there: only for a copy the status records as STORED, and only for the blob name recorded for it,
     * under the same rule of where this account's backups are kept.
     */
    public void download(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Principal principal = Requests.superadminOf(ctx, accountId);
        data.catchUp(); // the connection as it is now, never a deleted one
        String backupId = ctx.pathParam("backupId");
        OutcomeSummary stored = data.status(accountId).orElse(BackupStatus.empty(accountId)).recent().stream()
                .filter(o -> o.backupId().equals(backupId) && o.succeeded() && o.blobName() != null)
                .findFirst()
                .orElseThrow(() -> ApiException.notFound("Backup '" + backupId + "' is not among the recent completed"
                        + " backups of account '" + accountId + "'"));
        String copyOf = ctx.queryParam("copy");
        String connectionId;
        String blobName;
        if (copyOf == null || copyOf.isEmpty()) {
            connectionId = destinationOf(accountId, stored);
            blobName = stored.blobName();
        } else {
            CopyState copy = storedCopy(backupId, stored, Validate.identifier("copy", copyOf));
            connectionId = copy.connectionId();
            blobName = copy.blobName();
        }
        Connection connection = connectionId == null ? null : data.connection(accountId, connectionId).orElse(null);
        if (connection == null) {
            throw ApiException.conflict("The connection that stores backup " + backupId + " no longer exists")
                    .key("connectionGone");
        }
        if (!BlobNames.isBackupOf(blobName, connection.path(), accountId, backupId)) {
            ops.publish(backupId, accountId, OpsStage.DOWNLOAD, OpsStatus.FAILED, "backup.status names the blob '"
                    + blobName + "', which is not where this account's backup is kept; no link given");
            throw ApiException.conflict("Backup " + backupId + " is recorded under a blob name that is not where this"
                    + " account's backups are kept; no link is given for it").key("blobNotThisBackups");
        }
        BlobStore store;
        BlobCredential credential = BlobCredential.of(connection, sealer);
        try {
            store = storage.store(connection, credential);
        } catch (EndpointPolicy.EndpointRefusedException e) {
            throw ApiException.conflict("No download link for backup " + backupId + ": the connection '"
                    + connection.connectionId() + "' names an endpoint this account may not use (" + e.getMessage() + ")");
        }
        if (credential.accountKey() != null) {
            downloads.acquire(accountId); // a link is given: it counts
        }
        BlobStore.Link link = store.backupLink(blobName, LINK_VALIDITY);
        String url = link.url().orElseThrow(() -> ApiException.conflict("No download link for backup " + backupId
                + " through the connection '" + connection.connectionId() + "': " + link.refusal()
                + "; download the blob " + blobName + " with a tool of the storage account"));
        String manifestUrl = ManifestLink.parse(url).manifestUrl();
        Instant expires = link.expiresAt();
        activity.record(principal, accountId, ActivityAction.DOWNLOAD_GIVEN, backupId, List.of(), Map.of(copyOf == null
                || copyOf.isEmpty() ? "connection" : "copy", connection.connectionId(), "expiresAt", expires.toString()));
        ops.publish(backupId, accountId, OpsStage.DOWNLOAD, OpsStatus.LINK_ISSUED, "read-only link to " + blobName
                + (manifestUrl != null ? " and its manifest" : "") + " at connection " + connection.connectionId()
                + " for " + (principal.email() != null ? principal.email() : principal.subject()) + ", valid until " + expires);
        ctx.json(new DownloadLink(backupId, url, expires, manifestUrl));
    }

    /** The connection a completed backup is stored through: the one recorded, else (older records) the destination. */
    private String destinationOf(String accountId, OutcomeSummary stored) {
        return stored.connectionId() != null ? stored.connectionId()
                : data.settings(accountId).map(BackupSettings::destinationConnectionId).orElse(null);
    }

    /** The backup's copy at that connection, when the status records it as stored there. */
    private static CopyState storedCopy(String backupId, OutcomeSummary stored, String connectionId) {
        CopyState copy = stored.copy(connectionId).orElseThrow(() -> ApiException.notFound("Backup '" + backupId
                + "' has no copy at connection '" + connectionId + "'"));
        if (copy.state() != CopyState.State.STORED || copy.blobName() == null) {
            throw ApiException.conflict("The copy of backup " + backupId + " at connection '" + connectionId
                    + "' is not stored (" + copy.state() + "); no link is given for it").key("copyNotStored");
        }
        return copy;
    }

    /** Newest first: the one requested or running, then the outcomes. */
    private List<BackupView> history(String accountId) {
        BackupStatus status = data.status(accountId).orElse(BackupStatus.empty(accountId));
        List<BackupView> views = new ArrayList<>();
        pending.of(accountId, status).ifPresent(backupId -> views.add(new BackupView(backupId, "REQUESTED",
                Trigger.MANUAL, pending.get(accountId).map(PendingBackups.Pending::requestedAt).orElse(null),
                null, null, null, null, null, null, null, List.of())));
        if (status.inFlight() != null) {
            var inFlight = status.inFlight();
            views.add(new BackupView(inFlight.backupId(), "RUNNING", inFlight.trigger(), inFlight.requestedAt(), null,
                    null, null, null, null, null, null, List.of()));
        }
        for (OutcomeSummary outcome : status.recent()) {
            views.add(new BackupView(outcome.backupId(), outcome.succeeded() ? "SUCCEEDED" : "FAILED", outcome.trigger(),
                    null, outcome.endedAt(), outcome.sizeBytes(), outcome.blobName(), outcome.failedStage(),
                    outcome.failureReason(), outcome.restoreCheck(), outcome.succeeded() && outcome.blobName() != null
                    ? new StoredAt(destinationOf(accountId, outcome), outcome.blobName(), outcome.immutableUntil())
                    : null, outcome.copies()));
        }
        return views;
    }

    private Connection destination(String accountId, String connectionId) {
        String chosen = connectionId != null ? connectionId
                : data.settings(accountId).map(BackupSettings::destinationConnectionId).orElse(null);
        if (chosen == null) {
            List<Connection> all = data.connections(accountId);
            if (all.size() == 1) {
                return all.getFirst();
            }
            throw all.isEmpty()
                    ? ApiException.invalid("connectionId", "is required: the account has no connection yet; add one first")
                            .key("noConnection")
                    : ApiException.invalid("connectionId", "is required: choose which connection the backup goes to")
                            .key("chooseConnection");
        }
        Connection connection = data.connection(accountId, chosen).orElseThrow(() -> ApiException.invalid("connectionId",
                "names no connection of this account: '" + chosen + "'").key("noSuchConnection"));
        if (connection.isS3()) {
            throw ApiException.invalid("connectionId", "names an S3 connection: '" + chosen + "' can receive copies,"
                    + " but backups are written first to an Azure container").key("destinationIsS3");
        }
        return connection;
    }
}
