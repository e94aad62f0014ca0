package io.backuprelay.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A database of its own for one test, on the local PostgreSQL (127.0.0.1:5432, trust) or MariaDB
 * (127.0.0.1:3306, root) server; {@link #close()} drops it.
 */
public final class ScratchDatabase implements AutoCloseable {

    public enum Engine { POSTGRESQL, MARIADB }

    public static final String HOST = "127.0.0.1";

    private final Engine engine;
    private final String name;

    private ScratchDatabase(Engine engine, String name) {
        this.engine = engine;
        this.name = name;
    }

    public static ScratchDatabase postgres() {
        return create(Engine.POSTGRESQL);
    }

    public static ScratchDatabase mariadb() {
        return create(Engine.MARIADB);
    }

    private static ScratchDatabase create(Engine engine) {
        String name = "br_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        ScratchDatabase db = new ScratchDatabase(engine, name);
        db.admin("CREATE DATABASE " + name + (engine == Engine.MARIADB ? " CHARACTER SET utf8mb4" : " ENCODING 'UTF8' TEMPLATE template0"));
        return db;
    }

    public String name() {
        return name;
    }

    public int port() {
        return engine == Engine.POSTGRESQL ? 5432 : 3306;
    }

    /** The superuser the local server trusts: {@code postgres} or {@code root}. */
    public String adminUser() {
        return engine == Engine.POSTGRESQL ? "postgres" : "root";
    }

    public String jdbcUrl() {
        return engine == Engine.POSTGRESQL
                ? "jdbc:postgresql://" + HOST + ":5432/" + name
                : "jdbc:mariadb://" + HOST + ":3306/" + name;
    }

    /** A connection to this database as the administrator. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), adminUser(), "");
    }

    /** Runs statements in this database. */
    public void execute(String... sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed in " + name + ": " + e.getMessage(), e);
        }
    }

    /** Runs a statement on the server, outside this database (roles, databases). */
    public void admin(String sql) {
        String url = engine == Engine.POSTGRESQL
                ? "jdbc:postgresql://" + HOST + ":5432/postgres"
                : "jdbc:mariadb://" + HOST + ":3306/";
        try (Connection connection = DriverManager.getConnection(url, adminUser(), "");
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on the " + engine + " server: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        admin(engine == Engine.POSTGRESQL
                ? "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"
                : "DROP DATABASE IF EXISTS " + name);
    }
}
