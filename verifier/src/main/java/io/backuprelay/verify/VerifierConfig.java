package io.backuprelay.verify;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.database.DatabaseTarget;
import io.backuprelay.database.RestoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the restore drill restores: a PostgreSQL and a MariaDB server of the operator's, never a
 * tenant's. Each drill creates a scratch database there and drops it when done.
 *
 * @param postgres {@code DRILL_POSTGRES_URL} ({@code postgresql://user@host:port/database}, the
 *                 database the verifier connects to before creating scratch ones), password in
 *                 {@code DRILL_POSTGRES_PASSWORD}; absent: PostgreSQL backups get an integrity-only drill
 * @param mariadb  {@code DRILL_MARIADB_URL} and {@code DRILL_MARIADB_PASSWORD}, likewise
 * @param retry    how a drill that cannot reach the storage or the drill server is retried before it is dead-lettered
 * @param budget   what one drill may take
 * @param concurrency drills at once in this instance ({@code DRILL_CONCURRENCY}); one per partition,
 *                 so one account (one partition) never holds more than one slot
 * @param endpoints where the connections drilled may be read from ({@code BACKUPRELAY_ALLOWED_ENDPOINTS}),
 *                 before the accounts' grants are bound; Azure's hosts only when not given
 */
public record VerifierConfig(Optional<DrillServer> postgres, Optional<DrillServer> mariadb, RetryPolicy retry,
                             Budget budget, int concurrency, EndpointPolicy endpoints) {

    public VerifierConfig {
        endpoints = endpoints == null ? EndpointPolicy.allowing() : endpoints;
    }

    public VerifierConfig(Optional<DrillServer> postgres, Optional<DrillServer> mariadb, RetryPolicy retry,
                          Budget budget, int concurrency) {
        this(postgres, mariadb, retry, budget, concurrency, null);
    }

    /** The same, reading storage where {@code endpoints} allows. */
    public VerifierConfig withEndpoints(EndpointPolicy endpoints) {
        return new VerifierConfig(postgres, mariadb, retry, budget, concurrency, endpoints);
    }

    public static final String GROUP_ID = "backuprelay-verifier";

    /** A drill server: where scratch databases are made, and the password of its user. */
    public record DrillServer(DatabaseTarget target, String password) {

        @Override
        public String toString() {
            return "DrillServer[" + target.describe() + "]";
        }
    }

    /**
     * What one drill may take: a tenant's backup runs the tenant's own code on the drill server, so
     * nothing about it is trusted to end by itself.
     *
     * @param staging         where the blob is copied, hashed, before any tool reads it ({@code DRILL_STAGING_DIR})
     * @param timeout         the restore tool is stopped after this, and each statement too ({@code DRILL_TIMEOUT})
     * @param maxBlobBytes    a larger backup is hashed, not restored ({@code DRILL_MAX_BLOB_MB})
     * @param maxPlainBytes   a restore stops when the plain dump grows past this ({@code DRILL_MAX_RESTORED_MB})
     * @param maxManifestBytes a larger manifest is not read ({@code DRILL_MAX_MANIFEST_KB})
     */
    public record Budget(Path staging, Duration timeout, long maxBlobBytes, long maxPlainBytes, int maxManifestBytes) {
    }

    public static VerifierConfig from(ConfigSource config) {
        return new VerifierConfig(
                server(config, VerifierSettings.POSTGRES_URL, VerifierSettings.POSTGRES_PASSWORD, true),
                server(config, VerifierSettings.MARIADB_URL, VerifierSettings.MARIADB_PASSWORD, false),
                new RetryPolicy(VerifierSettings.RETRY_ATTEMPTS.read(config), VerifierSettings.RETRY_INITIAL.read(config),
                        VerifierSettings.RETRY_MAX.read(config)),
                new Budget(VerifierSettings.STAGING_DIR.read(config), VerifierSettings.TIMEOUT.read(config),
                        VerifierSettings.MAX_BLOB_MB.read(config) * 1024L * 1024L,
                        VerifierSettings.MAX_RESTORED_MB.read(config) * 1024L * 1024L,
                        VerifierSettings.MAX_MANIFEST_KB.read(config) * 1024),
                VerifierSettings.CONCURRENCY.read(config), EndpointPolicy.from(config));
    }

    private static Optional<DrillServer> server(ConfigSource config, Setting<String> urlSetting,
                                                Setting<String> passwordSetting, boolean postgres) {
        Optional<String> url = urlSetting.find(config);
        if (url.isEmpty()) {
            return Optional.empty();
        }
        String variable = urlSetting.name();
        try {
            DatabaseTarget target = DatabaseTarget.parse(url.get(), variable, true);
            if (target.postgres() != postgres) {
                throw new ConfigException(variable, "must name a " + (postgres ? "postgresql://" : "mariadb://")
                        + " server, is '" + url.get() + "'");
            }
            return Optional.of(new DrillServer(target, passwordSetting.read(config)));
        } catch (RestoreException e) {
            throw new ConfigException(variable, "is wrong: " + e.getMessage());
        }
    }
}
