package io.backuprelay.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Watches the source server for two dump sessions at once on one account's database. */
final class DumpSessionSampler {

    private DumpSessionSampler() {
    }

    /**
     * Every 500 ms, the PostgreSQL sessions of the dump tools per source database: never two for one
     * account. Other databases on the server (another test's) are not counted.
     */
    static void sample(Set<String> databases, CountDownLatch loadEnded,
                       Map<String, Integer> concurrentDumps, Consumer<String> findings) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement statement = connection.createStatement()) {
            do {
                try (ResultSet rows = statement.executeQuery("SELECT datname, count(*) FROM pg_stat_activity"
                        + " WHERE application_name = 'backuprelay' AND backend_type = 'client backend' GROUP BY datname")) {
                    while (rows.next()) {
                        if (!databases.contains(rows.getString(1))) {
                            continue;
                        }
                        concurrentDumps.merge(ChaosRun.SAMPLES_WITH_A_DUMP, 1, Integer::sum);
                        if (rows.getInt(2) > 1) {
                            concurrentDumps.merge(rows.getString(1), 1, Integer::sum);
                            System.out.println("chaos: " + rows.getInt(2) + " dump sessions at once on " + rows.getString(1));
                        }
                    }
                }
            } while (!loadEnded.await(500, TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            findings.accept("pg_stat_activity sampling stopped: " + e);
        }
    }

}
