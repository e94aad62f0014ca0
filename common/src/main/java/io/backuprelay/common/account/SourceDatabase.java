package io.backuprelay.common.account;

import io.backuprelay.common.secret.SealedSecret;
import java.util.Objects;

/**
 * Where an account's database lives, as the platform's operators registered it.
 *
 * @param schema for schema-per-tenant platforms on PostgreSQL: only this schema is dumped; {@code null} for all
 */
public record SourceDatabase(
        DatabaseEngine engine,
        String host,
        int port,
        String database,
        String username,
        SealedSecret password,
        String schema) {

    public SourceDatabase {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(username, "username");
        schema = schema == null || schema.isBlank() ? null : schema;
    }

    public SourceDatabase(DatabaseEngine engine, String host, int port, String database, String username,
                          SealedSecret password) {
        this(engine, host, port, database, username, password, null);
    }

    /** host:port/database, for messages; never the credentials. */
    public String describe() {
        return host + ":" + port + "/" + database;
    }
}
