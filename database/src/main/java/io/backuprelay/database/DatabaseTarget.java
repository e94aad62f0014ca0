package io.backuprelay.database;

import io.backuprelay.format.archive.Engine;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A database a backup is restored into, given as {@code postgresql://user@host:port/database} or
 * {@code mariadb://user@host:port/database}. The password is never part of it.
 *
 */
public record DatabaseTarget(Engine engine, String host, int port, String database, String user) {

    public boolean postgres() {
        return engine == Engine.POSTGRESQL;
    }

    public String describe() {
        return engine.label().toLowerCase(Locale.ROOT) + "://" + user + "@" + host + ":" + port + "/" + database;
    }

    /** The same server and user, another database (a scratch database of the drill). */
    public DatabaseTarget withDatabase(String other) {
        return new DatabaseTarget(engine, host, port, other, user);
    }

    public String jdbcUrl() {
        return (postgres() ? "jdbc:postgresql://" : "jdbc:mariadb://") + host + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    /** @param option how the URL was given, for the error message (e.g. {@code --to}) */
    public static DatabaseTarget parse(String url, String option) {
        return parse(url, option, false);
    }

    /**
     * @param userRequired whether the URL must name its user, rather than default to {@code postgres}
     *                     or {@code root} (a drill server's URL: its role is chosen, never assumed)
     */
    public static DatabaseTarget parse(String url, String option, boolean userRequired) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new RestoreException(option + " must be postgresql://user@host:port/database or"
                    + " mariadb://user@host:port/database, is '" + url + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        Engine engine = switch (scheme) {
            case "postgresql", "postgres" -> Engine.POSTGRESQL;
            case "mariadb", "mysql" -> Engine.MARIADB;
            default -> throw new RestoreException(option + " must start with postgresql:// or mariadb://, is '" + url + "'");
        };
        if (uri.getUserInfo() != null && uri.getUserInfo().contains(":")) {
            throw new RestoreException(option + " must not hold a password");
        }
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || database.isEmpty() || !database.matches("[A-Za-z0-9_$-]{1,63}")) {
            throw new RestoreException(option + " must name a host and a database (letters, digits, _ $ -), is '" + url + "'");
        }
        if (userRequired && (uri.getUserInfo() == null || uri.getUserInfo().isEmpty())) {
            throw new RestoreException(option + " must name its user (" + scheme + "://user@host:port/database), is '"
                    + url + "'");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : engine == Engine.POSTGRESQL ? 5432 : 3306;
        String user = uri.getUserInfo() != null ? uri.getUserInfo() : engine == Engine.POSTGRESQL ? "postgres" : "root";
        return new DatabaseTarget(engine, uri.getHost(), port, database, user);
    }
}
