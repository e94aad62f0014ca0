package io.backuprelay.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.dump.runner.SourceInterruption;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** What the dump tools and the driver say when the source ended the session, told apart from a server that was never reached. */
class SourceInterruptionTest {

    @Test
    void theToolsWordsForASessionEndedByTheServerMarkAnInterruption() {
        assertThat(SourceInterruption.inToolOutput("""
                pg_dump: error: Dumping the contents of table "ventes" failed: PQgetCopyData() failed.
                pg_dump: detail: Error message from server: FATAL:  terminating connection due to administrator command
                pg_dump: detail: Command was: COPY public.ventes (id, data) TO stdout;""")).isTrue();
        assertThat(SourceInterruption.inToolOutput("pg_dump: error: query failed: server closed the connection unexpectedly"))
                .isTrue();
        assertThat(SourceInterruption.inToolOutput("pg_dump: error: connection to server was lost")).isTrue();
        assertThat(SourceInterruption.inToolOutput(
                "mariadb-dump: Error 2013: Lost connection to server during query when dumping table `ventes` at row: 4711"))
                .isTrue();
        assertThat(SourceInterruption.inToolOutput("mysqldump: Got error: 2006: MySQL server has gone away")).isTrue();
        assertThat(SourceInterruption.inToolOutput("mariadb-dump: Error 2006 when dumping table `t`")).isTrue();
    }

    @Test
    void aServerNeverReachedOrARefusalIsNoInterruption() {
        assertThat(SourceInterruption.inToolOutput("pg_dump: error: connection to server at \"127.0.0.1\", port 5432"
                + " failed: Connection refused")).isFalse();
        assertThat(SourceInterruption.inToolOutput("pg_dump: error: connection to server at \"127.0.0.1\", port 5432"
                + " failed: FATAL:  password authentication failed for user \"Zoë\"")).isFalse();
        assertThat(SourceInterruption.inToolOutput("mariadb-dump: Got error: 1045: \"Access denied for user 'root'\"")).isFalse();
        assertThat(SourceInterruption.inToolOutput("mariadb-dump: Couldn't execute 'SHOW CREATE TABLE `t`': error 20130"))
                .isFalse();
        assertThat(SourceInterruption.inToolOutput(null)).isFalse();
    }

    @Test
    void aConnectionExceptionOrAnAdministratorsShutdownOnAnOpenConnectionMarksAnInterruption() {
        assertThat(SourceInterruption.inSqlState(new SQLException("An I/O error occurred", "08006"))).isTrue();
        assertThat(SourceInterruption.inSqlState(new SQLException("terminating connection due to administrator command",
                "57P01"))).isTrue();
        assertThat(SourceInterruption.inSqlState(new SQLException("the database system is starting up", "57P03"))).isTrue();
        assertThat(SourceInterruption.inSqlState(new SQLException("permission denied for table ventes", "42501"))).isFalse();
        assertThat(SourceInterruption.inSqlState(new SQLException("canceling statement due to user request", "57014")))
                .isFalse();
        assertThat(SourceInterruption.inSqlState(new SQLException("no state"))).isFalse();
    }
}
