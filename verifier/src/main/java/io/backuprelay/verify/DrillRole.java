package io.backuprelay.verify;

import io.backuprelay.database.Restorer;
import io.backuprelay.verify.VerifierConfig.DrillServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a drill server's user is fit to run a tenant's code. A restore runs the tenant's own
 * functions (in CHECK constraints, defaults, index expressions, materialized views) as that user,
 * so it must be unable to run programs, read or write server files, or reach outside its scratch
 * databases: a superuser would hand the tenant a shell on the drill server.
 */
final class DrillRole {

    /** MariaDB's global privileges a drill user must not hold: all of them but USAGE. */
    private static final String MARIADB_ALLOWED = "USAGE";
    /** Named first when a user holds them: a shell, the server's files, other sessions. */
    private static final List<String> MARIADB_WORST = List.of("SUPER", "FILE", "PROCESS", "SHUTDOWN", "CREATE USER",
            "SET USER", "CONNECTION ADMIN", "FEDERATED ADMIN");

    private DrillRole() {
    }

    /**
     * What is wrong with the server's user, with the fix; empty when it is a minimal drill user.
     *
     * @throws SQLException when the server cannot be asked
     */
    static Optional<String> problem(DrillServer server) throws SQLException {
        try (Connection connection = Restorer.connect(server.target(), server.password());
             Statement statement = connection.createStatement()) {
            return server.target().postgres() ? postgres(statement, server) : mariadb(statement, server);
        }
    }

    private static Optional<String> postgres(Statement statement, DrillServer server) throws SQLException {
        List<String> wrong = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery("SELECT rolsuper, rolcreaterole, rolbypassrls,"
                + " pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER'),"
                + " pg_has_role(current_user, 'pg_read_server_files', 'MEMBER'),"
                + " pg_has_role(current_user, 'pg_write_server_files', 'MEMBER'), rolcreatedb"
                + " FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            if (rs.getBoolean(1)) {
                wrong.add("is a superuser");
            } else {
                if (rs.getBoolean(2)) {
                    wrong.add("has CREATEROLE (it could grant itself any role)");
                }
                if (rs.getBoolean(3)) {
                    wrong.add("has BYPASSRLS");
                }
                String[] roles = {"pg_execute_server_program", "pg_read_server_files", "pg_write_server_files"};
                for (int i = 0; i < roles.length; i++) {
                    if (rs.getBoolean(4 + i)) {
                        wrong.add("is a member of " + roles[i]);
                    }
                }
            }
            if (wrong.isEmpty() && !rs.getBoolean(7)) {
                wrong.add("lacks CREATEDB, which the drill needs to make its scratch databases");
            }
        }
        return wrong.isEmpty() ? Optional.empty() : Optional.of("The drill server's user '" + server.target().user()
                + "' on " + server.target().describe() + " " + String.join(", ", wrong) + ". A restore drill runs the"
                + " tenant's own functions as that user, so it must be a minimal role: CREATE ROLE backuprelay_drill"
                + " LOGIN CREATEDB PASSWORD '…'; then DRILL_POSTGRES_URL=postgresql://backuprelay_drill@"
                + server.target().host() + ":" + server.target().port() + "/" + server.target().database() + ".");
    }

    private static Optional<String> mariadb(Statement statement, DrillServer server) throws SQLException {
        List<String> global = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery("SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES"
                + " WHERE GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',"
                + " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')")) {
            while (rs.next()) {
                if (!MARIADB_ALLOWED.equals(rs.getString(1))) {
                    global.add(rs.getString(1));
                }
            }
        }
        List<String> wrong = new ArrayList<>();
        if (!global.isEmpty()) {
            List<String> worst = MARIADB_WORST.stream().filter(global::contains).toList();
            wrong.add("holds privileges on every database (" + String.join(", ", worst.isEmpty()
                    ? global.subList(0, Math.min(6, global.size())) : worst) + ", " + global.size() + " in all)");
        }
        try (ResultSet rs = statement.executeQuery("SELECT @@event_scheduler")) {
            rs.next();
            if (!"OFF".equalsIgnoreCase(rs.getString(1)) && !"DISABLED".equalsIgnoreCase(rs.getString(1))) {
                wrong.add("is on a server whose event scheduler is " + rs.getString(1) + " (a restored event would run)");
            }
        }
        return wrong.isEmpty() ? Optional.empty() : Optional.of("The drill server's user '" + server.target().user()
                + "' on " + server.target().describe() + " " + String.join(", ", wrong) + ". A restore drill runs the"
                + " tenant's dump as that user, so it must be a minimal user, with privileges on the drill's scratch"
                + " databases only: CREATE USER 'backuprelay_drill'@'%' IDENTIFIED BY '…'; GRANT ALL ON `drill\\_%`.*"
                + " TO 'backuprelay_drill'@'%'; and the server's event_scheduler OFF.");
    }
}
