package io.backuprelay.common.account;

import io.backuprelay.common.secret.SealedSecret;
import java.util.Objects;

/** Where an account's database lives, as the platform's operators registered it. */
public record SourceDatabase(
        DatabaseEngine engine,
        String host,
        int port,
        String database,
        String username,
        SealedSecret password) {

    public SourceDatabase {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(username, "username");
    }

    /** host:port/database, for messages; never the credentials. */
    public String describe() {
        return host + ":" + port + "/" + database;
    }
}
