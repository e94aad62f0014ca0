package io.backuprelay.standalone.restore;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where {@code restore} puts a backup: a PostgreSQL or MariaDB database given as
 * {@code postgresql://user@host:port/database} or {@code mariadb://user@host:port/database} (the
 * password comes from {@code RESTORE_DB_PASSWORD}, never the command line), or a file for the plain
 * dump.
 */
sealed interface RestoreTarget {

    record Database(String engine, String host, int port, String database, String user) implements RestoreTarget {

        boolean postgres() {
            return engine.equals("POSTGRESQL");
        }

        String describe() {
            return engine.toLowerCase(java.util.Locale.ROOT) + "://" + user + "@" + host + ":" + port + "/" + database;
        }
    }

    record File(Path path) implements RestoreTarget {
    }

    static Database parse(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new RestoreException("--to must be postgresql://user@host:port/database or mariadb://user@host:port/database,"
                    + " is '" + url + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        String engine = switch (scheme) {
            case "postgresql", "postgres" -> "POSTGRESQL";
            case "mariadb", "mysql" -> "MARIADB";
            default -> throw new RestoreException("--to must start with postgresql:// or mariadb://, is '" + url + "'");
        };
        if (uri.getUserInfo() != null && uri.getUserInfo().contains(":")) {
            throw new RestoreException("--to must not hold a password; give it in RESTORE_DB_PASSWORD");
        }
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || database.isEmpty() || !database.matches("[A-Za-z0-9_$-]{1,63}")) {
            throw new RestoreException("--to must name a host and a database (letters, digits, _ $ -), is '" + url + "'");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : engine.equals("POSTGRESQL") ? 5432 : 3306;
        String user = uri.getUserInfo() != null ? uri.getUserInfo() : engine.equals("POSTGRESQL") ? "postgres" : "root";
        return new Database(engine, uri.getHost(), port, database, user);
    }
}
