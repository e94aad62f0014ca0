package io.backuprelay.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.database.DatabaseObject;
import io.backuprelay.database.DatabaseObject.Identity;
import io.backuprelay.database.DatabaseObject.Kind;
import io.backuprelay.dump.runner.Completeness;
import io.backuprelay.dump.runner.DumpFailedException;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CompletenessTest {

    private static final SourceDatabase SOURCE = new SourceDatabase(Engine.POSTGRESQL, "db.example", 5432,
            "tenant_7", "backup_user", null);
    private static final DatabaseObject ORDERS = new DatabaseObject(Kind.TABLE, "\"Sales Ops\".\"Orders\"",
            Identity.oid(1259, 18057));
    private static final DatabaseObject ORDERS_ID = new DatabaseObject(Kind.SEQUENCE, "\"Sales Ops\".\"Orders_id_seq\"",
            Identity.oid(1259, 18056));
    private static final DatabaseObject SALES_OPS = new DatabaseObject(Kind.SCHEMA, "\"Sales Ops\"",
            Identity.oid(2615, 18050));
    private static final Completeness.ReadPrivileges NEVER_ASKED = objects -> {
        throw new AssertionError("privileges are asked only when objects are missing");
    };

    @Test
    void anArchiveHoldingEveryObjectByIdentityPassesWhateverTheNamesHold() {
        assertThatCode(() -> Completeness.check(SOURCE, List.of(SALES_OPS, ORDERS, ORDERS_ID),
                Set.of(Identity.oid(2615, 18050), Identity.oid(1259, 18057), Identity.oid(1259, 18056),
                        Identity.oid(1259, 99999)), "pg_dump", NEVER_ASKED))
                .doesNotThrowAnyException();
    }

    @Test
    void objectsMissingThoughTheUserMayReadThemAreADefectOfTheDumpWithNoGrantAdvice() {
        assertThatThrownBy(() -> Completeness.check(SOURCE, List.of(SALES_OPS, ORDERS, ORDERS_ID),
                Set.of(Identity.oid(2615, 18050)), "pg_dump", objects -> List.of()))
                .isInstanceOf(DumpFailedException.class)
                .hasMessageStartingWith("The archive pg_dump wrote for db.example:5432/tenant_7 lacks 2 object(s) the"
                        + " database holds: table \"Sales Ops\".\"Orders\", sequence \"Sales Ops\".\"Orders_id_seq\".")
                .hasMessageContaining("The backup user 'backup_user' may read all of them, so no grant is missing:"
                        + " pg_dump left them out on its own, a defect of the dump")
                .message().doesNotContainIgnoringCase("grant it").doesNotContain("probably");
    }

    @Test
    void onlyTheObjectsTheUserMayNotReadGetTheGrantAdvice() {
        Completeness.ReadPrivileges noSelectOnOrders = objects -> objects.stream().filter(o -> o == ORDERS).toList();

        assertThatThrownBy(() -> Completeness.check(SOURCE, List.of(SALES_OPS, ORDERS, ORDERS_ID),
                Set.of(Identity.oid(2615, 18050)), "pg_dump", noSelectOnOrders))
                .isInstanceOf(DumpFailedException.class)
                .hasMessageContaining("The backup user 'backup_user' may not read 1 of them: table \"Sales Ops\".\"Orders\";"
                        + " grant it read access to them (")
                .hasMessageEndingWith("and back up again. It may read the other 1, which pg_dump left out on its own.");
    }

    @Test
    void whenThePrivilegesCannotBeCheckedTheMessageSaysSoRatherThanGuessing() {
        assertThatThrownBy(() -> Completeness.check(SOURCE, List.of(ORDERS), Set.of(), "pg_dump", objects -> {
            throw new SQLException("connection lost");
        })).isInstanceOf(DumpFailedException.class)
                .hasMessageContaining("lacks 1 object(s) the database holds: table \"Sales Ops\".\"Orders\".")
                .hasMessageContaining("Whether the backup user 'backup_user' may read them could not be checked"
                        + " (connection lost); if it may not, grant it read access");
    }

    @Test
    void atMostTenMissingObjectsAreNamed() {
        List<DatabaseObject> many = IntStream.range(0, 12)
                .mapToObj(i -> new DatabaseObject(Kind.TABLE, "public.t" + (char) ('a' + i), Identity.oid(1259, i)))
                .toList();

        assertThatThrownBy(() -> Completeness.check(SOURCE, many, Set.of(), "pg_dump", objects -> List.of()))
                .hasMessageContaining("lacks 12 object(s)").hasMessageContaining("table public.tj and 2 more.")
                .message().doesNotContain("public.tk");
    }

    @Test
    void aMariadbObjectIsMatchedByItsExactNameAndStatement() {
        DatabaseObject function = new DatabaseObject(Kind.ROUTINE, "`Total del año`", Identity.named("FUNCTION", "Total del año"));
        DatabaseObject trigger = new DatabaseObject(Kind.TRIGGER, "`t``x.y` on `a``b.c`", Identity.named("trigger", "t`x.y"));

        assertThatCode(() -> Completeness.check(SOURCE, List.of(function, trigger), Set.of(
                Identity.named("function", "Total del año"), Identity.named("trigger", "t`x.y")), "mariadb-dump", NEVER_ASKED))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> Completeness.check(SOURCE, List.of(function, trigger), Set.of(
                Identity.named("procedure", "Total del año"), Identity.named("trigger", "t`x.y")), "mariadb-dump",
                objects -> List.of()))
                .hasMessageContaining("lacks 1 object(s) the database holds: routine `Total del año`.");
    }
}
