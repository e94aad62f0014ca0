package io.backuprelay.common.account;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where an account's database lives, as the platform's operators registered it.
 *
 * @param schema for schema-per-tenant platforms on PostgreSQL: only this schema is dumped; {@code null} for all
 * @param tls    how the connections use TLS; {@code null} is {@link TlsMode#PREFER}
 */
public record SourceDatabase(
        Engine engine,
        String host,
        int port,
        String database,
        String username,
        SealedSecret password,
        String schema,
        TlsMode tls) {

    public SourceDatabase {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(username, "username");
        schema = schema == null || schema.isBlank() ? null : schema;
        tls = tls == null ? TlsMode.PREFER : tls;
    }

    public SourceDatabase(Engine engine, String host, int port, String database, String username,
                          SealedSecret password, String schema) {
        this(engine, host, port, database, username, password, schema, TlsMode.PREFER);
    }

    public SourceDatabase(Engine engine, String host, int port, String database, String username,
                          SealedSecret password) {
        this(engine, host, port, database, username, password, null);
    }


    /**
     * A database, user or schema name that can go into a dump tool's command, an options file or a
     * JDBC URL as it is: letters, digits, {@code _ $ -}; never a connection string, an option, a path
     * or a line break.
     */
    public static boolean isSafeName(String value) {
        return Rules.isSafeName(value);
    }

    /** What is wrong with these settings for use in a command or a URL; empty when nothing is. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!Rules.isHost(host)) {
            problems.add("host");
        }
        if (port < 1 || port > 65535) {
            problems.add("port");
        }
        if (!isSafeName(database)) {
            problems.add("database");
        }
        if (!isSafeName(username)) {
            problems.add("username");
        }
        if (schema != null && !isSafeName(schema)) {
            problems.add("schema");
        }
        return problems;
    }

    /**
     * The JDBC URL, from checked parts only (see {@link #problems()}), the database name URL-encoded:
     * nothing in a setting can add a driver parameter. Credentials go as driver properties.
     */
    public String jdbcUrl() {
        if (!problems().isEmpty()) {
            throw new IllegalArgumentException("The database settings are not valid: " + problems());
        }
        return "jdbc:" + (engine == Engine.POSTGRESQL ? "postgresql" : "mariadb") + "://" + host + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    /** host:port/database, for messages; never the credentials. */
    public String describe() {
        return host + ":" + port + "/" + database;
    }

    /** Where the account's database password is sealed and the server, database and user it opens. */
    public SecretContext passwordContext(String accountId) {
        return SecretContext.databasePassword(accountId, engine, host, port, database, username);
    }
}
