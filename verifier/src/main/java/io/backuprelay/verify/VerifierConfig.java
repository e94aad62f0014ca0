package io.backuprelay.verify;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.database.DatabaseTarget;
import io.backuprelay.database.RestoreException;
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
 */
public record VerifierConfig(Optional<DrillServer> postgres, Optional<DrillServer> mariadb, RetryPolicy retry) {

    public static final String GROUP_ID = "backuprelay-verifier";

    /** A drill server: where scratch databases are made, and the password of its user. */
    public record DrillServer(DatabaseTarget target, String password) {

        @Override
        public String toString() {
            return "DrillServer[" + target.describe() + "]";
        }
    }

    public static VerifierConfig from(ConfigSource config) {
        return new VerifierConfig(server(config, "DRILL_POSTGRES"), server(config, "DRILL_MARIADB"),
                new RetryPolicy(config.integer("DRILL_RETRY_ATTEMPTS", 5, 1, 100),
                        config.duration("DRILL_RETRY_INITIAL", Duration.ofSeconds(10)),
                        config.duration("DRILL_RETRY_MAX", Duration.ofMinutes(5))));
    }

    private static Optional<DrillServer> server(ConfigSource config, String prefix) {
        Optional<String> url = config.optional(prefix + "_URL");
        if (url.isEmpty()) {
            return Optional.empty();
        }
        try {
            DatabaseTarget target = DatabaseTarget.parse(url.get(), prefix + "_URL");
            if (target.postgres() != prefix.endsWith("POSTGRES")) {
                throw new ConfigException(prefix + "_URL", "must name a " + (prefix.endsWith("POSTGRES") ? "postgresql://"
                        : "mariadb://") + " server, is '" + url.get() + "'");
            }
            return Optional.of(new DrillServer(target, config.string(prefix + "_PASSWORD", "")));
        } catch (RestoreException e) {
            throw new ConfigException(prefix + "_URL", "is wrong: " + e.getMessage());
        }
    }
}
